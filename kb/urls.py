"""URLs: redirect targets (only paths on this site are followed), query strings as Werkzeug
builds them."""
from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2048
QUERY_SAFE = "!$'()*,/:;?@"
"""Characters Werkzeug leaves unescaped in a query string it builds (url_for)."""


def safe_next_url(target: str | None) -> str | None:
    """Return ``target`` if it is a local path (optionally with a query), else None.

    Judged as Django's url_has_allowed_host_and_scheme with no allowed hosts, and stricter:
    browsers treat backslashes as slashes and drop tabs and newlines, so '/\\evil', '/\\t/evil'
    and '//evil' all leave the site; userinfo, schemes and control characters are refused
    outright. The path is judged again after percent-decoding and after Unicode compatibility
    folding ('/／evil' becomes '//evil'), because some proxies and browsers do either.
    """
    if not target or len(target) > MAX_LENGTH:
        return None
    if not _is_local(target):
        return None
    path = target.split("?", 1)[0].split("#", 1)[0]
    for variant in (unquote(path), unicodedata.normalize("NFKC", path),
                    unicodedata.normalize("NFKC", unquote(path))):
        if not _is_local(variant):
            return None
    return target


def _is_local(target: str) -> bool:
    if any(unicodedata.category(ch)[0] in ("C", "Z") and ch != " " for ch in target):
        return False  # control, format, line/paragraph separators, odd spaces
    if target != target.strip() or "\\" in target:
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    return not (parts.scheme or parts.netloc or "@" in target.split("?", 1)[0].split("/", 2)[1])
