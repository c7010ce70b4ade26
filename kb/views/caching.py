"""HTTP caching: ETag and Last-Modified with 304s; Cache-Control and Vary on every answer."""
from __future__ import annotations

import datetime as dt
import hashlib

from flask import Flask, Response, request
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
    response.make_conditional(request)  # in place (304 and an empty body on a match)
    return response


# Answers that are not cached or keep their own rules (static files carry validators already).
OWN_RULES = ("static", "public.favicon")


def cache_policy(response: Response) -> Response:
    """Say how caches may keep an answer, and that it depends on the reader's language.

    The language comes from ?lang=, the kb_lang cookie, the account or Accept-Language, so a
    shared cache must key on the last two. Sign-in and registration pages carry a CSRF token
    tied to the session: never stored. A view that set Cache-Control itself keeps it.
    """
    if request.endpoint in OWN_RULES:
        return response
    response.vary.update(("Accept-Language", "Cookie"))
    if "Cache-Control" in response.headers:
        return response
    personal = current_user.is_authenticated or "Authorization" in request.headers
    if request.blueprint == "auth" or personal or request.method not in ("GET", "HEAD"):
        response.headers["Cache-Control"] = "private, no-store"
    elif "Set-Cookie" in response.headers:
        response.headers["Cache-Control"] = "private, no-cache"
    else:
        # Revalidate every time: a practice can be published or archived at any moment.
        response.headers["Cache-Control"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    """Install the Cache-Control and Vary policy for every answer."""
    app.after_request(cache_policy)
