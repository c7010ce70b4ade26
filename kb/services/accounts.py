"""Accounts: registration, passwords, sign-in, roles."""
from __future__ import annotations

import logging

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from kb import db
from kb.errors import ValidationFailed
from kb.models import Organization, User

log = logging.getLogger("kb.security")

ROLES = ("submitter", "reviewer", "admin")
MIN_PASSWORD = 12
MAX_PASSWORD = 256
# OWASP's argon2id minimum is m=19 MiB, t=2, p=1; we go a little above on memory.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024 + 1024, parallelism=1)
# Verifying against this when the account does not exist makes both paths take the same time.
_DUMMY_HASH = HASHER.hash("not a real password, only for timing")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def check_password_rules(password: str) -> list[str]:
    """Return what is wrong with ``password`` (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"Use at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        problems.append(f"Use at most {MAX_PASSWORD} characters.")
    return problems


def verify_password(user: User | None, password: str) -> bool:
    """Check ``password`` for ``user`` in about the same time whether or not the user exists."""
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        ok = HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        ok = False
    return ok and user is not None and bool(user.password_hash)


def find_user(email: str) -> User | None:
    session = db.get_session()
    return session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def get_or_create_organization(name: str, type_: str = "other", level: str = "national",
                               country: str | None = None) -> Organization:
    """Return the organization called ``name`` (case-insensitive), creating it if needed."""
    session = db.get_session()
    org = session.scalar(select(Organization).where(func.lower(Organization.name)
                                                    == name.strip().lower()))
    if org is None:
        org = Organization(name=name.strip(), type=type_, level=level, country=country)
        session.add(org)
        session.flush()
    return org


def create_user(email: str, name: str, password: str | None, role: str = "submitter",
                organization: Organization | None = None) -> User:
    """Add a user to the current transaction. Raises ValidationFailed (email taken, bad role)."""
    if role not in ROLES:
        raise ValidationFailed(f"Unknown role {role!r}.", {"role": [f"One of {', '.join(ROLES)}."]})
    if find_user(email) is not None:
        raise ValidationFailed("An account with this email already exists.",
                               {"email": ["An account with this email already exists."]})
    if password is not None:
        problems = check_password_rules(password)
        if problems:
            raise ValidationFailed(problems[0], {"password": problems})
    user = User(email=normalize_email(email), name=name.strip() or email, role=role,
                password_hash=hash_password(password) if password else None,
                organization=organization)
    db.get_session().add(user)
    db.get_session().flush()
    return user
