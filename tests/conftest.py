"""Fixtures: the app/client/runner trio on a fresh SQLite file and a Whoosh dir under tmp_path,
and factory fixtures that return callables (make_user, make_practice, login)."""
from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

import pytest

from kb import create_app, db
from kb.models import Organization, User

SHARED = Path(__file__).resolve().parents[2] / "shared"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def app(tmp_path):
    url = os.environ.get("KB_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'kb.sqlite'}"
    application = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": url,
        "INDEX_DIR": str(tmp_path / "index"),
        "MAIL_DIR": str(tmp_path / "mail"),
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,  # csrf_client turns it on for the tests that check it
        "INDEX_SYNC_INTERVAL": 0,
        "SERVER_NAME": "kb.test",
    })
    from kb import migrate

    with application.app_context():
        if not url.startswith("postgresql"):
            migrate.upgrade(application)
        elif url in _MIGRATED:
            _empty_postgres(application)
        else:
            _reset_postgres(application)
            migrate.upgrade(application)
            _MIGRATED.add(url)
        from kb.services import indexing

        indexing.get_index()  # creates the empty index, as `kb init` does
    yield application
    with application.app_context():
        application.extensions["kb.index"].index.close()
        db.get_engine().dispose()


_MIGRATED: set[str] = set()


def _empty_postgres(application) -> None:
    """Empty every table: migrating once per session keeps the PostgreSQL run fast."""
    from sqlalchemy import text

    from kb.db import Base

    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with db.get_engine().begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def _reset_postgres(application) -> None:
    from sqlalchemy import text

    with db.get_engine().begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csrf_client(app):
    """A client with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app.test_client()


_seq = itertools.count(1)


@pytest.fixture
def make_user(app):
    """Return a function that creates a user: make_user(role="reviewer", organization="X",
    internal=True)."""

    def make(role: str = "submitter", email: str | None = None, organization: str | None = None,
             password: str = PASSWORD, name: str | None = None, internal: bool = False) -> User:
        from kb.services import accounts

        n = next(_seq)
        with app.app_context(), db.write_transaction():
            org = accounts.get_or_create_organization(organization or f"Org {n}")
            user = accounts.create_user(email or f"user{n}@example.org", name or f"User {n}",
                                        password, role=role, organization=org,
                                        internal=internal)
        return user

    return make


def valid_record(**overrides) -> dict:
    """A complete practice record that passes submission validation."""
    record = {
        "title": "Municipal one-stop shop for newcomers",
        "summary": "A single desk where newly arrived migrants register, get advice and reach "
                   "services.",
        "description": "The city opened **one desk** for every first step.",
        "objectives": [15, 16], "principles": ["people-centred", "whole-of-society"],
        "level": "local", "regions": ["europe-north-america"], "countries": ["BEL"],
        "practice_type": "service", "implemented_by": "City of Example",
        "partners": "Civil society partners", "stakeholders": ["local-authorities"],
        "start_year": 2019, "end_year": 2023, "implementation_status": "completed",
        "outcome": "Newcomers reach services in days, not months.",
        "results": "- 4,000 people served", "lessons": "Start with the reception staff.",
        "funding": "Municipal budget",
        "contact": {"name": "Ana Focal", "email": "ana@example.org", "public": False},
        "links": [{"title": "Report", "url": "https://example.org/report"}],
        "language": "en",
    }
    record.update(overrides)
    return record


@pytest.fixture
def make_practice(app):
    """Return a function that creates a practice: make_practice(state="published", title=...)."""

    def make(state: str = "published", submitter: User | None = None,
             organization: Organization | None = None, **overrides) -> int:
        from kb.services import indexing
        from kb.services.transfer import create_practice
        from kb.services.validation import validate_record

        record = validate_record(valid_record(**overrides), complete=False)
        with app.app_context():
            with db.write_transaction() as session:
                sub = session.get(User, submitter.id) if submitter else None
                org = organization or (sub.organization if sub else None)
                practice = create_practice(session, record, state, sub,
                                           session.merge(org) if org else None)
                practice_id = practice.id
            indexing.apply_changes([practice_id])
        return practice_id

    return make


@pytest.fixture
def login(client):
    """Return a function that signs a user in through the login form."""

    def do_login(user: User, password: str = PASSWORD, test_client=None):
        c = test_client or client
        response = c.post("/login", data={"email": user.email, "password": password})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return c

    return do_login


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)
