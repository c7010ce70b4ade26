"""Two-factor sign-in: TOTP secrets, single-use recovery codes, enforcement for staff."""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time

import pyotp

from kb import db
from kb.errors import ValidationFailed
from kb.models import User
from kb.services.accounts import STAFF_ROLES, verify_password
from kb.services.messages import _

log = logging.getLogger("kb.security")

ISSUER = "GCM Repository of Practices"
RECOVERY_CODES = 10
STEP = 30


def provisioning_uri(user: User) -> str:
    """Return the otpauth:// URI an authenticator app reads (secret, account, issuer)."""
    return pyotp.TOTP(user.totp_secret or "").provisioning_uri(name=user.email,
                                                               issuer_name=ISSUER)


def start_setup(actor: User) -> User:
    """Give the actor a fresh, not yet active secret (kept until confirmed)."""
    with db.write_transaction() as session:
        user = db.get_or_404(session, User, actor.id)
        if not user.totp_enabled:
            user.totp_secret = pyotp.random_base32()
    return user


def confirm_setup(actor: User, code: str) -> list[str]:
    """Turn two-factor sign-in on once the actor proves their app works; return recovery codes.

    Raises ValidationFailed (wrong code, or no setup started).
    """
    with db.write_transaction() as session:
        user = db.get_or_404(session, User, actor.id)
        if user.totp_enabled or not user.totp_secret or not _check_totp(user, code):
            message = _("That code is not right. Check the time on your device and try again.")
            raise ValidationFailed(message, {"code": [message]})
        user.totp_enabled = True
        codes = _new_recovery_codes(user)
        user.session_version = (user.session_version or 1) + 1
    log.info("two-factor sign-in turned on: user %s", actor.id)
    return codes


def disable(actor: User, password: str) -> None:
    """Turn two-factor sign-in off (the password is required). Raises ValidationFailed."""
    _require_password(actor, password)
    with db.write_transaction() as session:
        user = db.get_or_404(session, User, actor.id)
        user.totp_enabled = False
        user.totp_secret = None
        user.totp_last_step = None
        user.recovery_codes = None
    log.warning("two-factor sign-in turned off: user %s", actor.id)


def regenerate_recovery_codes(actor: User, password: str) -> list[str]:
    """Replace the actor's recovery codes. Raises ValidationFailed."""
    _require_password(actor, password)
    with db.write_transaction() as session:
        user = db.get_or_404(session, User, actor.id)
        if not user.totp_enabled:
            raise ValidationFailed(_("Turn on two-factor sign-in first."))
        codes = _new_recovery_codes(user)
    log.info("recovery codes replaced: user %s", actor.id)
    return codes


def verify_second_factor(user_id: int, code: str) -> User | None:
    """Return the user if ``code`` is a fresh TOTP code or an unused recovery code."""
    with db.write_transaction() as session:
        user = session.get(User, user_id)
        if user is None or not user.is_active or not user.totp_enabled:
            return None
        if _check_totp(user, code) or _use_recovery_code(user, code):
            return user
    return None


def is_required(user: User, required_for_staff: bool) -> bool:
    """Say whether ``user`` must set up two-factor sign-in before using staff pages."""
    return required_for_staff and user.role in STAFF_ROLES and not user.totp_enabled


def _require_password(actor: User, password: str) -> None:
    if not verify_password(actor, password):
        message = _("Your current password is not right.")
        raise ValidationFailed(message, {"password": [message]})


def _check_totp(user: User, code: str) -> bool:
    """Accept a code for the previous, current or next step, each at most once."""
    digits = "".join(code.split())
    if len(digits) != 6 or not (digits.isascii() and digits.isdigit()) or not user.totp_secret:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = int(time.time()) // STEP
    for step in (now - 1, now, now + 1):
        if step > (user.totp_last_step or 0) and hmac.compare_digest(totp.generate_otp(step),
                                                                      digits):
            user.totp_last_step = step
            return True
    return False


def _digest(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _n in range(RECOVERY_CODES)]
    user.recovery_codes = [_digest(c) for c in codes]
    return codes


def _use_recovery_code(user: User, code: str) -> bool:
    digest = _digest(code)
    remaining = list(user.recovery_codes or [])
    if digest not in remaining:
        return False
    remaining.remove(digest)
    user.recovery_codes = remaining
    log.warning("recovery code used: user %s (%d left)", user.id, len(remaining))
    return True
