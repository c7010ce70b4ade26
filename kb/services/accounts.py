"""Accounts: registration, sign-in, passwords and email of one's own account, sessions."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select

from kb import db, mail, taxonomy
from kb.errors import ValidationFailed
from kb.models import Organization, User
from kb.services import passwords
from kb.services.messages import _
from kb.services.passwords import MAX_LENGTH, MIN_LENGTH, hash_password

log = logging.getLogger("kb.security")

ROLES = ("submitter", "reviewer", "admin")
STAFF_ROLES = ("reviewer", "admin")
MIN_PASSWORD = MIN_LENGTH
MAX_PASSWORD = MAX_LENGTH


@dataclass
class Registration:
    """What a person gives to open an account."""

    name: str
    email: str
    password: str
    organization: str
    organization_type: str
    organization_level: str
    organization_country: str | None = None


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str) -> list[str]:
    """Return what is wrong with ``password`` (empty when it is acceptable)."""
    return passwords.password_problems(password)


def verify_password(user: User | None, password: str) -> bool:
    """Check ``password`` for ``user`` in about the same time whether or not the user exists."""
    stored = user.password_hash if user is not None else None
    return passwords.verify_hash(stored, password)


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


def _require_password_ok(password: str, field: str = "password") -> None:
    problems = passwords.password_problems(password)
    if problems:
        raise ValidationFailed(problems[0], {field: problems})


def _require_email_free(email: str, field: str = "email") -> None:
    if find_user(email) is not None:
        message = _("An account with this email already exists.")
        raise ValidationFailed(message, {field: [message]})


def create_user(email: str, name: str, password: str | None, role: str = "submitter",
                organization: Organization | None = None, internal: bool = False) -> User:
    """Add a user to the current transaction. Raises ValidationFailed (email taken, bad role,
    weak password, a submitter marked internal)."""
    if role not in ROLES:
        raise ValidationFailed(f"Unknown role {role!r}.", {"role": [f"One of {', '.join(ROLES)}."]})
    if internal and role not in STAFF_ROLES:
        message = _("Only reviewer and administrator accounts can be marked internal.")
        raise ValidationFailed(message, {"internal": [message]})
    _require_email_free(email)
    if password is not None:
        _require_password_ok(password)
    user = User(email=normalize_email(email), name=name.strip() or email, role=role,
                password_hash=hash_password(password) if password else None,
                organization=organization, password_changed_at=db.utcnow() if password else None,
                internal=internal)
    db.get_session().add(user)
    db.get_session().flush()
    return user


def register(form: Registration) -> User:
    """Open a submitter account in a new or existing organization. Raises ValidationFailed."""
    problems = {}
    if not taxonomy.is_valid("stakeholder", form.organization_type):
        problems["organization_type"] = [_("Choose a type from the list.")]
    if not taxonomy.is_valid("level", form.organization_level):
        problems["organization_level"] = [_("Choose a level from the list.")]
    if form.organization_country and not taxonomy.is_valid("country", form.organization_country):
        problems["organization_country"] = [_("Choose a country from the list.")]
    if problems:
        raise ValidationFailed(_("Please check the organization."), problems)
    with db.write_transaction():
        org = get_or_create_organization(form.organization, form.organization_type,
                                         form.organization_level,
                                         form.organization_country or None)
        user = create_user(form.email, form.name, form.password, organization=org)
    log.info("account registered: user %s", user.id)
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user whose email and password these are, else None.

    Takes about the same time whether or not the account exists. Upgrades an old hash.
    """
    user = find_user(email) if len(email) <= 254 else None
    if not verify_password(user, password[:MAX_LENGTH * 4]) or user is None or not user.is_active:
        return None
    if passwords.needs_rehash(user.password_hash or ""):
        with db.write_transaction() as session:
            db.get_or_404(session, User, user.id).password_hash = hash_password(password)
    return user


def record_login(user: User) -> None:
    """Note a completed sign-in (after the second factor, if any)."""
    with db.write_transaction() as session:
        db.get_or_404(session, User, user.id).last_login_at = db.utcnow()
    log.info("login succeeded: user %s", user.id)


def end_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie of ``user`` (used at sign-out)."""
    with db.write_transaction() as session:
        row = db.get_or_404(session, User, user.id)
        row.session_version = (row.session_version or 1) + 1


def change_password(actor: User, current: str, new: str) -> User:
    """Set a new password for the actor, who proves the current one. Ends other sessions;
    the owner gets a mail, queued in the same transaction.

    Raises ValidationFailed.
    """
    if not verify_password(actor, current):
        message = _("Your current password is not right.")
        raise ValidationFailed(message, {"current_password": [message]})
    _require_password_ok(new, "new_password")
    with db.write_transaction() as session:
        user = db.get_or_404(session, User, actor.id)
        set_password(user, new)
        mail.queue(user.email, "password_changed", locale=user.locale, user=user)
    log.info("password changed by user %s", actor.id)
    return user


def set_password(user: User, new: str) -> None:
    """Store a new password for ``user`` inside the caller's transaction; old cookies die."""
    user.password_hash = hash_password(new)
    user.password_changed_at = db.utcnow()
    user.session_version = (user.session_version or 1) + 1


def check_new_email(actor: User, current_password: str, new_email: str) -> str:
    """Check that the actor may move to ``new_email``; return it normalized.

    Raises ValidationFailed (wrong password, same or taken address).
    """
    if not verify_password(actor, current_password):
        message = _("Your current password is not right.")
        raise ValidationFailed(message, {"current_password": [message]})
    email = normalize_email(new_email)
    if email == actor.email:
        message = _("This is already your email address.")
        raise ValidationFailed(message, {"new_email": [message]})
    _require_email_free(email, "new_email")
    return email


def set_locale(actor: User, locale: str | None) -> None:
    """Remember the language the actor reads mail in."""
    with db.write_transaction() as session:
        db.get_or_404(session, User, actor.id).locale = locale
