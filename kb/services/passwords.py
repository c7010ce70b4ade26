"""Passwords: argon2id hashing, the length-and-commonness policy, constant-time-ish checks."""
from __future__ import annotations

import functools
import string
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kb.services.messages import _

MIN_LENGTH = 12
MAX_LENGTH = 256
# OWASP's argon2id minimum is m=19 MiB, t=2, p=1; we go a little above on memory.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024 + 1024, parallelism=1)
# Verifying against this when the account does not exist makes both paths take the same time.
_DUMMY_HASH = HASHER.hash("not a real password, only for timing")

_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm",
              "azertyuiopqsdfghjklmwxcvbn", "qwertzuiopasdfghjklyxcvbnm",
              "01234567890", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "!": "i"})
_STRIP = string.digits + string.punctuation + " "


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_hash(stored: str | None, password: str) -> bool:
    """Check ``password`` against ``stored`` (or a dummy hash, in the same time, if None)."""
    try:
        ok: bool = HASHER.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        ok = False
    return ok and stored is not None


def needs_rehash(stored: str) -> bool:
    """Say whether ``stored`` was made with weaker parameters than the current ones."""
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@functools.cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of common passwords (lower-case)."""
    text = resources.files("kb").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    """Say whether ``password`` is a common password, a padded one, or a keyboard run."""
    lowered = password.strip().lower()
    known = common_passwords()
    core = lowered.strip(_STRIP)
    candidates = {lowered, lowered.replace(" ", ""), core, core.translate(_LEET),
                  lowered.translate(_LEET)}
    if candidates & known or len(set(lowered)) <= 2 or len(core) < 4:
        return True
    return _is_repetition(lowered) or any(lowered in seq * 3 or lowered[::-1] in seq * 3
                                          for seq in _SEQUENCES)


def _is_repetition(text: str) -> bool:
    """Say whether ``text`` is one short unit repeated ('abcabcabcabc', 'lovelovelove')."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return True
    return False


def password_problems(password: str) -> list[str]:
    """Return what is wrong with ``password`` for people to read (empty when acceptable)."""
    if len(password) < MIN_LENGTH:
        return [_("Use at least %(n)d characters.", n=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_("Use at most %(n)d characters.", n=MAX_LENGTH)]
    if is_common(password):
        return [_("This password is too common: it appears in lists that attackers try first. "
                  "Choose something less predictable, such as a few unrelated words.")]
    return []
