"""Bearer-token authentication for the write API; cookies never authenticate API writes."""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import g, request

from kb.errors import Unauthenticated
from kb.models import User
from kb.security import csrf
from kb.services import tokens

log = logging.getLogger("kb.security")


def bearer_user() -> User:
    """Return the user of the request's bearer token. Raises Unauthenticated."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send an API token: 'Authorization: Bearer <token>'. Create one on "
                              "your account page.")
    user = tokens.user_for_token(token.strip())
    if user is None:
        log.warning("API call with an unknown, revoked or deactivated token")
        raise Unauthenticated("This API token is not valid (unknown, revoked, or the account "
                              "is deactivated).")
    return user


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Authenticate the view by bearer token only; it needs no CSRF token (no cookies used)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.api_user = bearer_user()
        return view(*args, **kwargs)

    return csrf.exempt(wrapper)
