"""The password policy: length, guessability (zxcvbn), argon2id at OWASP strength."""
from __future__ import annotations

import pytest
from argon2 import extract_parameters

from kb.services import passwords

COMMON = "This password is too common"
GUESSABLE = "This password is too easy to guess"


@pytest.mark.parametrize("password", [
    "password1234", "Password1234", "PASSWORD123456", "qwertyuiopas", "123456789012",
    "iloveyou1234", "letmein12345!", "monkey123456", "1q2w3e4r5t6y", "p@ssw0rd1234",
    "qwerty123456", "sunshine 1234", "   password1234   ", "Pa$$w0rd2024", "0987654321098",
    "asdfghjkl123",
])
def test_common_passwords_even_padded_or_in_leet_are_refused_as_common(password):
    assert passwords.password_problems(password)[0].startswith(COMMON)


@pytest.mark.parametrize("password", [
    "aaaaaaaaaaaa", "abcabcabcabc", "abcdefghijkl", "zyxwvutsrqpo", "lovelovelove",
    "1234567890123456", "zxcvbnmasdfgh",
])
def test_repetitions_sequences_and_keyboard_rows_are_refused(password):
    problems = passwords.password_problems(password)
    assert problems
    assert problems[0].startswith((COMMON, GUESSABLE))


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


def test_a_long_password_is_judged_by_its_beginning_and_answered_quickly():
    # zxcvbn refuses more than 72 characters and slows down sharply past 48.
    assert passwords.password_problems("a" * 256)[0].startswith(GUESSABLE)
    assert passwords.password_problems("Kx9#mQ2vL7pT" * 21) == []


def test_no_composition_rules_apply():
    assert passwords.password_problems("only lower case words here") == []


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
