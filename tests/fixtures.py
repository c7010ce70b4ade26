"""The suite's fixtures, a plugin that tests/conftest.py loads in each process running tests:
the app/client/runner trio on a fresh database and a Whoosh dir under tmp_path,
factory fixtures that return callables (make_user, make_practice, login), and the one way to
reach ../shared (shared_path) or to skip for a missing prerequisite (need).

Speed: Alembic runs once per run (the first xdist worker to need it migrates a SQLite file the
others read, see built_once); each test then gets a copy of that migrated file, or on
PostgreSQL (KB_TEST_DATABASE_URL) the worker's own migrated database with every table emptied.
The `app` itself is built once per test process and lent to each test on that test's database,
index and mail folder (tests/shared_app.py).
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import itertools
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy import event

from kb import create_app, db, sanitize
from kb.models import Organization, User
from kb.services import passwords
from tests import shared_app, template_cache, url_builders

_SHARED = Path(__file__).resolve().parents[2] / "shared"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PASSWORD = "correct horse battery staple"


def need(condition: object, reason: str) -> None:
    """Skip with a loud reason when a prerequisite is missing; fail instead under CI=true."""
    if condition:
        return
    message = f"PREREQUISITE MISSING: {reason}"
    if IN_CI:
        pytest.fail(message + " (CI=true: a check never skips for a missing prerequisite)",
                    pytrace=False)
    pytest.skip(message)


def shared_path(*parts: str) -> Path:
    """A file or folder of ../shared (corpora, reference texts) beside the checkout."""
    path = _SHARED.joinpath(*parts)
    need(path.exists(), f"{path} not found: the checkout must sit beside shared/ (corpora, "
                        "reference); the checks that read it did NOT run")
    return path


url_builders.install()  # each URL builder compiled once per process, not once per app


def make_app(tmp_path: Path, database_url: str, **overrides: Any) -> Flask:
    """An app with the test configuration (overrides apply last) on the given database, with an
    index and a mail folder under tmp_path."""
    application = create_app(_config(tmp_path, database_url, **overrides))
    application.jinja_env.bytecode_cache = template_cache.for_environment(application.jinja_env)
    application.test_client_class = shared_app.ClosingClient
    if database_url.startswith("sqlite"):
        event.listen(application.extensions["kb.engine"], "connect", _no_fsync)
    return application


def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
    """A test's SQLite file is thrown away after it: no fsync (after kb's own connect hook,
    which sets WAL and synchronous=NORMAL as in production; only durability differs).

    Closing a test's last connection checkpoints the WAL into the file, and at NORMAL that
    waited for the disk: ~6 ms of sys and blocked time per web test.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def paths(tmp_path: Path, database_url: str) -> dict[str, str]:
    """Where an app under test keeps its state: the test's own database, index and mails."""
    return {"DATABASE_URL": database_url, "INDEX_DIR": str(tmp_path / "index"),
            "MAIL_DIR": str(tmp_path / "mail")}


def _config(tmp_path: Path, database_url: str, **overrides: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        **paths(tmp_path, database_url),
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,  # csrf_client turns it on for the tests that check it
        "INDEX_SYNC_INTERVAL": 0,
        "SERVER_NAME": "kb.test",
        **overrides,
    }


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str,
               build: Callable[[Path], None]) -> Path:
    """Return the folder ``name`` that ``build(folder)`` filled once for the whole run.

    Under pytest-xdist the first worker to ask builds it in the run's temporary folder, under
    a file lock, and the others wait for it, then read it (the pattern pytest-xdist documents
    for session data): ``kb init --demo`` took ~1.3 s of CPU and Alembic ~0.25 s in each
    worker. Only for data that is a function of the code alone, which its readers copy and
    never change.
    """
    if "PYTEST_XDIST_WORKER" not in os.environ:
        folder = tmp_path_factory.mktemp(name)
        build(folder)
        return folder
    root = tmp_path_factory.getbasetemp().parent  # the run's, shared by its workers
    folder, done = root / name, root / f"{name}.done"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a worker that failed halfway
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


def _migrate(tmp_path: Path, url: str) -> None:
    """Run the Alembic migrations on ``url`` through an app, as `kb init` does."""
    from kb import migrate

    application = make_app(tmp_path, url)
    with application.app_context():
        migrate.upgrade(application)
        db.get_engine().dispose()


@pytest.hookimpl(tryfirst=True)  # before the fixtures' teardown closes the apps
def pytest_runtest_teardown(item: pytest.Item) -> None:
    shared_app.close_responses()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The session's migrated database: a SQLite file to copy, or a PostgreSQL URL to empty."""
    server = os.environ.get("KB_TEST_DATABASE_URL", "")
    if not server.startswith("postgresql"):
        def migrate(folder: Path) -> None:
            path = folder / "kb.sqlite"
            _migrate(folder, f"sqlite:///{path}")
            # Disposing the engine checkpointed the WAL: the file alone is the whole database.
            assert not path.with_name(path.name + "-wal").exists()

        yield str(built_once(tmp_path_factory, "migrated", migrate) / "kb.sqlite")
        return
    from tests.e2e.servers import postgres_database

    # A database of this test process's own (xdist workers never share rows), dropped at the end.
    with postgres_database() as url:
        _migrate(tmp_path_factory.mktemp("migrated"), url)
        yield url


def _empty_postgres(url: str) -> None:
    """Empty every table (the schema and alembic_version stay): cheaper than migrating."""
    from sqlalchemy import create_engine, text

    from kb.db import Base

    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


def empty_database(migrated_database: str, folder: Path) -> str:
    """Return the URL of a freshly migrated, empty database (a SQLite file in ``folder``)."""
    if migrated_database.startswith("postgresql"):
        _empty_postgres(migrated_database)
        return migrated_database
    path = folder / "kb.sqlite"
    shutil.copyfile(migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the SQLite database (kb.sqlite) and the search index (index/) that
    `kb init --demo` leaves, run once per run (built_once): copy_files() copies them for a test
    (loading the demo took ~1.5 s of CPU each time)."""
    from tests.i18n_support import ensure_compiled

    def init_demo(folder: Path) -> None:
        application = make_app(folder, f"sqlite:///{folder / 'kb.sqlite'}")
        result = application.test_cli_runner().invoke(args=["kb", "init", "--demo"])
        assert result.exit_code == 0, result.output
        shared_app.close(application)  # the index closed; the WAL checkpointed into the file
        assert not (folder / "kb.sqlite-wal").exists()

    ensure_compiled()
    return built_once(tmp_path_factory, "demo", init_demo)


def copy_files(source: Path, folder: Path) -> str:
    """Copy the SQLite database and the index of ``source`` (the demo_files, or a module's
    own saved state, as paths() names them) into ``folder``; return the database URL. The app
    fixture keeps an index copied this way."""
    shutil.copyfile(source / "kb.sqlite", folder / "kb.sqlite")
    shutil.copytree(source / "index", folder / "index")
    return f"sqlite:///{folder / 'kb.sqlite'}"


@pytest.fixture
def database_url(request: pytest.FixtureRequest, migrated_database: str, tmp_path: Path) -> str:
    """A freshly migrated, empty database for this test alone (with the ``demo`` mark on
    SQLite: a copy of the demo's; the app fixture loads it on PostgreSQL)."""
    if request.node.get_closest_marker("demo") and not migrated_database.startswith("postgres"):
        return copy_files(request.getfixturevalue("demo_files"), tmp_path)
    return empty_database(migrated_database, tmp_path)


# argon2id at the production cost takes ~0.1 s per hash and per check, and most web tests create
# and sign in users: the apps under test hash with the cheapest parameters. The production ones
# are checked by tests/unit/test_passwords.py and used by the e2e servers.
_CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
_CHEAP_HASH = _CHEAP_HASHER.hash("not a real password, only for timing")


# zxcvbn's estimate takes ~20 ms and nearly every test creates users with the same PASSWORD:
# kb's own function, computed once per password and process.
_GUESSABILITY = functools.cache(passwords.guessability)


@contextlib.contextmanager
def cheap_passwords() -> Iterator[None]:
    """Cheap argon2 parameters, and each password's zxcvbn estimate made once per process (for
    data a module builds once; the cheap_password_hashing fixture does it for each test)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "HASHER", _CHEAP_HASHER)
        patch.setattr(passwords, "_DUMMY_HASH", _CHEAP_HASH)
        patch.setattr(passwords, "guessability", _GUESSABILITY)
        yield


@pytest.fixture
def cheap_password_hashing() -> Iterator[None]:
    with cheap_passwords():
        yield


# Rendering and sanitizing a Markdown field (Markdown, then bleach) takes ~5 ms and is a pure
# function of its text, and most tests create practices from the same valid_record(): kb's own
# function, computed once per text and process (tests/unit/test_sanitize.py calls it directly).
_RENDER_MARKDOWN = functools.lru_cache(maxsize=2048)(sanitize.render_markdown)


@pytest.fixture
def cached_markdown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sanitize, "render_markdown", _RENDER_MARKDOWN)


@contextlib.contextmanager
def private_app(folder: Path, migrated_database: str) -> Iterator[Flask]:
    """An app of its own, on a database no other test touches (a copy of the migrated SQLite
    file, or a new migrated PostgreSQL database): for data a module builds once and its tests
    only read."""
    with contextlib.ExitStack() as stack:
        if migrated_database.startswith("postgresql"):
            from tests.e2e.servers import postgres_database

            url = stack.enter_context(postgres_database())
            _migrate(folder, url)
        else:
            url = empty_database(migrated_database, folder)
        application = make_app(folder, url)
        with application.app_context():
            from kb.services import indexing

            indexing.get_index()
        try:
            yield application
        finally:
            shared_app.close(application)


@pytest.fixture(scope="session")
def empty_index(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty search index, created once per run as `kb init` creates it; each test gets a
    copy (creating one took ~6 ms of CPU per test)."""
    def create(folder: Path) -> None:
        with private_app(folder, migrated_database):
            pass

    return built_once(tmp_path_factory, "empty-index", create) / "index"


@pytest.fixture
def app(request: pytest.FixtureRequest, tmp_path: Path, database_url: str, empty_index: Path,
        cheap_password_hashing: None, cached_markdown: None) -> Iterator[Flask]:
    """The test configuration's app on this test's own database, index (a copy of an empty one)
    and mail folder; with the ``demo`` mark, the demo repository is in both.

    The app itself is built once per test process and lent to each test (tests/shared_app.py);
    a test marked ``own_app`` (one that adds routes) gets a new one.
    """
    folders = paths(tmp_path, database_url)
    demo = request.node.get_closest_marker("demo")
    if not os.path.exists(folders["INDEX_DIR"]):  # else copy_files copied it with the database
        shutil.copytree(empty_index, folders["INDEX_DIR"])
    if request.node.get_closest_marker("own_app"):
        application = make_app(tmp_path, database_url)
    else:
        application = shared_app.lend(lambda: make_app(tmp_path, database_url), folders)
    if demo and database_url.startswith("postgres"):
        result = application.test_cli_runner().invoke(args=["kb", "init", "--demo"])
        assert result.exit_code == 0, result.output
    yield application
    if request.node.get_closest_marker("own_app"):
        shared_app.close(application)
    else:
        shared_app.give_back(application)


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


def add_practice(app: Flask, state: str = "published", submitter: User | None = None,
                 organization: Organization | None = None, **overrides: Any) -> int:
    """Create a practice from valid_record(**overrides) in ``state``, index it, return its id."""
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


@pytest.fixture
def make_practice(app):
    """Return a function that creates a practice: make_practice(state="published", title=...)."""

    return functools.partial(add_practice, app)


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
