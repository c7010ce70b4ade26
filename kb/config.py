"""Configuration: defaults, then instance/config.py, then KB_* environment, then test_config."""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from kb.taxonomy import LOCALES

ENV_PREFIX = "KB_"

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: SQLite file in the instance folder
    "INDEX_DIR": None,  # None: index/ beside the package checkout
    "SECRET_KEY": None,
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_SENDER": "kb@localhost",
    "CONTACT_EMAIL": None,  # None: MAIL_SENDER; shown on /contact, /privacy, /accessibility
    "MAIL_DIR": None,  # None: instance/mail
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ENABLED": True,
    "REQUIRE_2FA_FOR_STAFF": False,
    "INDEX_SYNC_INTERVAL": 2.0,
    "BASE_URL": None,
    "REVIEW_AFTER_MONTHS": 24,  # a published practice is due for review after this; 0: never
    # Peer review: approvals that publish a practice (1: one reviewer decides alone), and how
    # many of them must come from reviewers marked internal (kb.services.review_counts).
    "REVIEWS_REQUIRED": 1,
    "REVIEWS_INTERNAL_REQUIRED": 0,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SECURE": False,  # also turned on when BASE_URL starts with https://
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session: long forms take time
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "BABEL_DEFAULT_LOCALE": "en",
    "LANGUAGES": list(LOCALES),
}

_BOOL_WORDS = {"1": True, "true": True, "yes": True, "on": True,
               "0": False, "false": False, "no": False, "off": False}


class ConfigError(RuntimeError):
    """The configuration cannot run the app; the message says how to fix it."""


def _coerce(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        try:
            return _BOOL_WORDS[raw.strip().lower()]
        except KeyError:
            raise ConfigError(f"{ENV_PREFIX}{name} must be true or false, not {raw!r}") from None
    if isinstance(default, int | float):
        try:
            return type(default)(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{name} must be a number, not {raw!r}") from None
    return raw


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Return the KB_* settings found in ``environ``, typed like their defaults."""
    found = {}
    for key, raw in environ.items():
        if key.startswith(ENV_PREFIX) and not key.startswith("KB_TEST_"):
            name = key[len(ENV_PREFIX):]
            found[name] = _coerce(name, raw, DEFAULTS.get(name))
    return found


def load(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Fill app.config from every source, in order, and derive the paths."""
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(from_environment(os.environ))
    else:
        app.config.update(test_config)
    _derive_paths(app)
    _check_secret(app)
    _check_reviews(app)
    _cookie_security(app)


def _derive_paths(app: Flask) -> None:
    cfg = app.config
    if not cfg["DATABASE_URL"]:
        cfg["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "kb.sqlite")
    if not cfg["INDEX_DIR"]:
        cfg["INDEX_DIR"] = os.path.join(os.path.dirname(app.root_path), "index")
    if not cfg["MAIL_DIR"]:
        cfg["MAIL_DIR"] = os.path.join(app.instance_path, "mail")


def _check_secret(app: Flask) -> None:
    if app.config["SECRET_KEY"]:
        return
    if app.debug or app.testing:
        app.config["SECRET_KEY"] = "dev-only-not-secret"
        return
    raise ConfigError(
        "KB_SECRET_KEY is not set. Set it to a long random value, for example:\n"
        "  export KB_SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\"\n"
        "or run in debug mode (flask --app wsgi run --debug) for local development."
    )


def _check_reviews(app: Flask) -> None:
    required, internal = (app.config["REVIEWS_REQUIRED"], app.config["REVIEWS_INTERNAL_REQUIRED"])
    if not isinstance(required, int) or not 1 <= required <= 20:
        raise ConfigError(f"{ENV_PREFIX}REVIEWS_REQUIRED must be a whole number from 1 to 20, "
                          f"not {required!r}")
    if not isinstance(internal, int) or not 0 <= internal <= required:
        raise ConfigError(f"{ENV_PREFIX}REVIEWS_INTERNAL_REQUIRED must be a whole number from 0 "
                          f"to {ENV_PREFIX}REVIEWS_REQUIRED ({required}), not {internal!r}")


def _cookie_security(app: Flask) -> None:
    base = app.config.get("BASE_URL") or ""
    if base.startswith("https://") or app.config.get("SESSION_COOKIE_SECURE"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
