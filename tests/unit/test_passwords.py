"""The password policy: length, the shipped common-password list, argon2id at OWASP strength."""
from __future__ import annotations

import pytest
from argon2 import extract_parameters

from kb.services import passwords


@pytest.mark.parametrize("password", [
    "password1234", "Password1234", "PASSWORD123456", "qwertyuiopas", "123456789012",
    "iloveyou1234", "letmein12345!", "monkey123456", "1q2w3e4r5t6y", "p@ssw0rd1234",
    "qwerty123456", "aaaaaaaaaaaa", "abcabcabcabc", "abcdefghijkl", "zyxwvutsrqpo",
    "dragon!!2024!!", "sunshine 1234", "2024-2025-2026", "   password1234   ",
    "Pa$$w0rd2024", "lovelovelove", "0987654321098", "asdfghjkl123",
])
def test_common_and_patterned_passwords_are_refused(password):
    assert passwords.is_common(password)
    assert "too common" in passwords.password_problems(password)[0]


@pytest.mark.parametrize("password", [
    "correct horse battery staple", "violet tractor drizzle oboe", "Kx9#mQ2vL7pT",
    "rivers of Lagos in June", "mi-casa-es-azul-1987", "Ça ne fait rien, merci",
])
def test_uncommon_passwords_of_twelve_or_more_characters_are_accepted(password):
    assert passwords.password_problems(password) == []


def test_short_passwords_are_refused_with_the_minimum_named():
    assert passwords.password_problems("Kx9#mQ2vL7p") == ["Use at least 12 characters."]


def test_passwords_up_to_256_characters_are_accepted_and_longer_ones_refused():
    long_ok = ("violet tractor drizzle oboe " * 10)[:256]
    assert passwords.password_problems(long_ok) == []
    assert passwords.password_problems(long_ok + "x") == ["Use at most 256 characters."]


def test_no_composition_rules_apply():
    assert passwords.password_problems("only lower case words here") == []


def test_the_shipped_list_holds_at_least_a_thousand_passwords():
    known = passwords.common_passwords()
    assert len(known) >= 1000
    assert {"123456", "password", "iloveyou", "qwerty123456"} <= known


def test_hashes_are_argon2id_at_or_above_the_owasp_minimum():
    params = extract_parameters(passwords.hash_password("violet tractor drizzle oboe"))
    assert params.type.name == "ID"
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2
    assert params.parallelism >= 1


def test_verify_accepts_the_right_password_only_and_a_missing_hash_never():
    stored = passwords.hash_password("violet tractor drizzle oboe")
    assert passwords.verify_hash(stored, "violet tractor drizzle oboe")
    assert not passwords.verify_hash(stored, "violet tractor drizzle obo")
    assert not passwords.verify_hash(None, "violet tractor drizzle oboe")
    assert not passwords.verify_hash("not-a-hash", "violet tractor drizzle oboe")
