"""Judge redirect targets: only paths on this site are followed."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit


def safe_next_url(target: str | None) -> str | None:
    """Return ``target`` if it is a local path (optionally with a query), else None.

    Judged as Django's url_has_allowed_host_and_scheme with no allowed hosts: browsers treat
    backslashes as slashes and drop tabs and newlines, so '/\\evil', '/\\t/evil' and '//evil'
    all leave the site; userinfo, schemes and control characters are refused outright.
    """
    if not target or len(target) > 2048:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in target):
        return None
    if target != target.strip() or "\\" in target:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        return None
    return target
