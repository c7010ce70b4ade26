"""Passwords: argon2id hashing, the length-and-guessability policy, constant-time-ish checks.

Guessability is zxcvbn's estimate (the maintained port of Dropbox's estimator, with its lists of
common passwords, words, names and its keyboard, sequence, repetition and date patterns).
"""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from kb.services.messages import _

MIN_LENGTH = 12
MAX_LENGTH = 256
# Refuse what zxcvbn expects to fall within a billion guesses: its score 3 starts at 10**8,
# which lets "letmein12345!" or a common password padded with spaces through.
MIN_GUESSES_LOG10 = 9.0
ESTIMATED_CHARACTERS = 40
# OWASP's argon2id minimum is m=19 MiB, t=2, p=1; we go a little above on memory.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024 + 1024, parallelism=1)
# Verifying against this when the account does not exist makes both paths take the same time.
_DUMMY_HASH = HASHER.hash("not a real password, only for timing")


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


def guessability(password: str) -> tuple[float, bool]:
    """Return zxcvbn's estimate for ``password``: log10 of the guesses an attacker needs, and
    whether it is (or contains) one of the passwords attackers try first.

    Only the first ESTIMATED_CHARACTERS count: zxcvbn refuses longer input and grows slow (a
    second and more beyond 48 characters); a password strong there is strong.
    """
    result = zxcvbn(password[:ESTIMATED_CHARACTERS])
    common = any(match.get("dictionary_name") == "passwords" for match in result["sequence"])
    return float(result["guesses_log10"]), common


def password_problems(password: str) -> list[str]:
    """Return what is wrong with ``password`` for people to read (empty when acceptable)."""
    if len(password) < MIN_LENGTH:
        return [_("Use at least %(n)d characters.", n=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_("Use at most %(n)d characters.", n=MAX_LENGTH)]
    guesses_log10, common = guessability(password)
    if guesses_log10 >= MIN_GUESSES_LOG10:
        return []
    if common:
        return [_("This password is too common: it appears in lists that attackers try first. "
                  "Choose something less predictable, such as a few unrelated words.")]
    return [_("This password is too easy to guess: a repetition, a sequence, a keyboard row, a "
              "date or a name with a few digits. Choose something less predictable, such as a "
              "few unrelated words.")]
