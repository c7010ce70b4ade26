"""kb: the Repository of Practices for the Global Compact for Migration."""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

__all__ = ["create_app"]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: configuration first, then each subsystem in a named step."""
    app = Flask(__name__, instance_relative_config=True)
    _load_config(app, test_config)
    _init_compression(app)
    _configure_logging(app)
    _init_database(app)
    _init_i18n(app)
    _init_security(app)
    _init_search(app)
    _init_mail(app)
    _register_views(app)
    _register_cli(app)
    return app


def _load_config(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    from kb import config

    if test_config is not None and test_config.get("TESTING"):
        app.testing = True
    config.load(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)


def _init_compression(app: Flask) -> None:
    # First registered, so its after_request hook runs last, on the finished response.
    from kb.views import compression

    compression.init_app(app)


def _configure_logging(app: Flask) -> None:
    from kb import logs

    logs.init_app(app)


def _init_database(app: Flask) -> None:
    from kb import db

    db.init_app(app)


def _init_i18n(app: Flask) -> None:
    from kb import i18n

    i18n.init_app(app)


def _init_security(app: Flask) -> None:
    from kb import security

    security.init_app(app)


def _init_search(app: Flask) -> None:
    from kb.services import indexing

    indexing.init_app(app)


def _init_mail(app: Flask) -> None:
    from kb import mail

    mail.init_app(app)


def _register_views(app: Flask) -> None:
    from kb import views

    views.init_app(app)


def _register_cli(app: Flask) -> None:
    from kb import cli

    cli.init_app(app)


logging.getLogger(__name__).addHandler(logging.NullHandler())
