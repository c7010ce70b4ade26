"""Run the Alembic migrations in migrations/ against the app's database."""
from __future__ import annotations

import os

from alembic import command
from alembic.config import Config
from flask import Flask

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              "migrations")


def alembic_config(url: str) -> Config:
    """Return an Alembic Config for ``url`` without reading any alembic.ini."""
    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS_DIR)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(app: Flask) -> None:
    """Create the schema or bring it to the newest revision; safe to run again."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        os.makedirs(os.path.dirname(url[len("sqlite:///"):]) or ".", exist_ok=True)
    cfg = alembic_config(url)
    with app.extensions["kb.engine"].begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
