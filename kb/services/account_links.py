"""Signed links sent by mail: password reset and email change. Single use, short-lived."""
from __future__ import annotations

import hashlib
import logging

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from kb import db, mail
from kb.errors import ValidationFailed
from kb.models import User
from kb.services import accounts
from kb.services.messages import _

log = logging.getLogger("kb.security")

RESET_MAX_AGE = 3600
EMAIL_MAX_AGE = 24 * 3600


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"kb.{purpose}")


def _fingerprint(user: User) -> str:
    """Bind a link to the account's current password and email: any change spends it."""
    material = f"{user.password_hash}|{user.email}|{user.session_version}"
    return hashlib.sha256(material.encode()).hexdigest()[:24]


def reset_token(user: User) -> str:
    """Return a signed token that lets ``user`` set a new password once, within an hour."""
    return _serializer("password-reset").dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_reset(token: str, max_age: int = RESET_MAX_AGE) -> User | None:
    """Return the user a reset token is for, if it is genuine, fresh and unused."""
    try:
        data = _serializer("password-reset").loads(token, max_age=max_age)
    except (BadSignature, TypeError, ValueError):
        return None
    user = db.get_session().get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.is_active or data.get("f") != _fingerprint(user):
        return None
    return user


def reset_password(token: str, new_password: str, max_age: int = RESET_MAX_AGE) -> User:
    """Set a new password through a reset link, spending the link; the owner gets a mail.

    Raises ValidationFailed.
    """
    user = user_for_reset(token, max_age)
    if user is None:
        raise ValidationFailed(_("This link has expired or was already used. Ask for a new one."))
    problems = accounts.check_password_rules(new_password)
    if problems:
        raise ValidationFailed(problems[0], {"new_password": problems})
    with db.write_transaction() as session:
        user = db.get_or_404(session, User, user.id)
        accounts.set_password(user, new_password)
        mail.queue(user.email, "password_changed", locale=user.locale, user=user)
    log.warning("password reset through emailed link: user %s", user.id)
    return user


def email_change_token(user: User, new_email: str) -> str:
    """Return a signed token that moves ``user`` to ``new_email`` once confirmed."""
    return _serializer("email-change").dumps({"u": user.id, "e": new_email,
                                              "f": _fingerprint(user)})


def confirm_email_change(token: str, max_age: int = EMAIL_MAX_AGE) -> tuple[User, str]:
    """Apply an email change from its link and tell the old address (mail queued with it).

    Return the user and the old address.

    Raises ValidationFailed (bad, expired or spent link; address taken meanwhile).
    """
    try:
        data = _serializer("email-change").loads(token, max_age=max_age)
    except (BadSignature, TypeError, ValueError):
        data = None
    with db.write_transaction() as session:
        user = session.get(User, data.get("u")) if isinstance(data, dict) else None
        if user is None or not user.is_active or data.get("f") != _fingerprint(user):
            raise ValidationFailed(_("This link has expired or was already used."))
        if accounts.find_user(data["e"]) is not None:
            raise ValidationFailed(_("An account with this email already exists."))
        old = user.email
        user.email = data["e"]
        mail.queue(old, "email_changed", locale=user.locale, user=user)
    log.warning("email address changed: user %s", user.id)
    return user, old
