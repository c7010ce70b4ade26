"""The check every admin-only service makes first, in one place."""
from __future__ import annotations

from kb.errors import PermissionDenied
from kb.models import User
from kb.services.messages import _


def require_admin(user: User, refusal: str) -> None:
    """Raise PermissionDenied unless ``user`` is an admin.

    ``refusal`` says what was refused, in English marked with kb.i18n.N_ where it is written;
    it is translated here, into the request's language.
    """
    if user.role != "admin":
        raise PermissionDenied(_(refusal))
