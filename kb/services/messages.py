"""Translate service messages when a request says which language, else keep the English."""
from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext


def _(text: str, **variables: object) -> str:
    """Return ``text`` in the request's language (CLI and jobs get English)."""
    if has_request_context():
        translated: str = gettext(text, **variables)  # flask_babel has no type hints
        return translated
    return text % variables if variables else text
