"""HTTP validators: ETag and Last-Modified on pages and records, 304 on a conditional request."""
from __future__ import annotations

import datetime as dt
import hashlib

from flask import Response, request
from flask_login import current_user


def etag_for(*parts: object) -> str:
    """Return a short strong validator for the given parts (content versions, locale...)."""
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]


def conditional(response: Response, etag: str, modified_at: dt.datetime | None,
                page: bool = False) -> Response:
    """Add ETag and Last-Modified to ``response`` and turn it into a 304 when they match.

    A page shown to a signed-in user carries a CSRF token and personal navigation, so it is
    never validated from a cache: it goes out whole with ``Cache-Control: private, no-cache``.
    """
    if page and current_user.is_authenticated:
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    response.set_etag(etag)
    if modified_at is not None:
        response.last_modified = modified_at.replace(microsecond=0)
    # Revalidate every time: a practice can change or be archived at any moment.
    response.headers["Cache-Control"] = "no-cache"
    if page:
        response.vary.update(("Cookie", "Accept-Language"))
    return response.make_conditional(request)
