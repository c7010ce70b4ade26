"""One test app per test process, lent to each test with that test's own state.

Building an app costs ~50 ms of CPU (Werkzeug compiles two URL builders for each of ~100
routes), about half of a short web test. Most tests use the same configuration, so the `app`
fixture builds that app once per process and, before each test, points it at the test's own
database copy, index folder and mail folder and restores every setting it was built with.

The app keeps its database engine too, and with it SQLAlchemy's cache of compiled statements
(keyed by the engine's dialect: a new engine per test compiled every query of every test again,
about a tenth of a web test's CPU). Each new connection opens the database of the test the app
is lent to (a ``do_connect`` hook), and the engine's pool is emptied when the test ends.

What a test could leave behind, and what happens to it:
- settings (``app.config``): restored from the copy taken when the app was built;
- rows, index documents, mails: each test has its own database, index and mail folder;
- the rate limiter (one object for every app of the process): switched to this app's setting;
- background threads (a queued index job, mail delivery): joined before the test ends;
- a streamed answer (a CSV or JSON export) the test neither read to the end nor closed: closed
  when the test ends (ClosingClient), not whenever the garbage collector finalizes it, which
  pops its request's context in the middle of a later test's request;
- routes, hooks, extensions, template globals or database event listeners added to the app:
  the app is not lent again
  (a test that adds routes must ask for a new app with ``@pytest.mark.own_app``, since Flask
  refuses new routes once an app has answered a request).
"""
from __future__ import annotations

import copy
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.events import ConnectionEvents, DialectEvents, PoolEvents
from werkzeug.test import TestResponse

from kb import security
from kb.search import SearchIndex
from kb.services import indexing

# The extensions a lent app carries; the first three are replaced for each test below. A new
# extension must be reset here too (it may hold state): until then the check fails loudly.
PER_TEST_EXTENSIONS = frozenset({"kb.engine", "kb.sessionmaker", "kb.index"})
STATELESS_EXTENSIONS = frozenset({"babel", "csrf"})
_THREADS = ("kb-index-", "kb-mail")
_EVENTS = {kind: sorted(name for name in vars(events)
                        if not name.startswith("_") and name != "dispatch")
           for kind, events in (("engine", ConnectionEvents), ("dialect", DialectEvents),
                                ("pool", PoolEvents))}


@dataclass
class _Lendable:
    app: Flask
    settings: dict[str, Any]  # app.config as built, before any test changed it
    shape: tuple[Any, ...]
    engine: Engine  # built with the app, kept for its compiled statements
    database: str  # the URL of the database of the test the app is lent to


_lendable: _Lendable | None = None


def shape(app: Flask) -> tuple[Any, ...]:
    """What a test may add to an app besides settings: routes, hooks, handlers, globals."""

    def hooks(registry: dict[Any, list[Callable[..., Any]]]) -> tuple[Any, ...]:
        return tuple(sorted((str(key), tuple(map(id, funcs))) for key, funcs in registry.items()))

    return (
        tuple(sorted(rule.rule + " " + rule.endpoint for rule in app.url_map.iter_rules())),
        tuple(sorted((name, id(view)) for name, view in app.view_functions.items())),
        hooks(app.before_request_funcs), hooks(app.after_request_funcs),
        hooks(app.teardown_request_funcs), tuple(map(id, app.teardown_appcontext_funcs)),
        hooks(app.template_context_processors), hooks(app.url_value_preprocessors),
        hooks(app.url_default_functions),
        tuple(sorted((str(scope), str(code), exc.__qualname__, id(handler))
                     for scope, by_code in app.error_handler_spec.items()
                     for code, handlers in by_code.items()
                     for exc, handler in handlers.items())),
        tuple(sorted(app.blueprints)), tuple(sorted(app.extensions)),
        tuple(sorted(app.jinja_env.globals)), tuple(sorted(app.jinja_env.filters)),
        _listeners(app.extensions["kb.engine"]),
    )


def _listeners(engine: Engine) -> tuple[int, ...]:
    """How many listeners each event of the engine, its dialect and its pool has."""
    targets = {"engine": engine, "dialect": engine.dialect, "pool": engine.pool}
    return tuple(len(getattr(targets[kind].dispatch, name))
                 for kind, names in _EVENTS.items() for name in names)


def _connect_to_lent_database(dialect: Any, _record: Any, cargs: list[Any],
                              cparams: dict[str, Any]) -> None:
    """Open the database of the test the app is lent to, not the one it was built on."""
    assert _lendable is not None
    args, params = dialect.create_connect_args(make_url(_lendable.database))
    cargs[:] = args
    cparams.update(params)


def lend(build: Callable[[], Flask], paths: dict[str, str]) -> Flask:
    """Return the process's app (built by ``build`` the first time) on this test's ``paths``
    (DATABASE_URL, INDEX_DIR, MAIL_DIR), with the settings it was built with."""
    global _lendable
    if _lendable is None:
        app = build()
        unknown = set(app.extensions) - PER_TEST_EXTENSIONS - STATELESS_EXTENSIONS
        assert not unknown, f"extensions {unknown} may keep state between tests: reset them " \
                            "in tests/shared_app.py, then list them there"
        engine = app.extensions["kb.engine"]
        event.listen(engine, "do_connect", _connect_to_lent_database)  # before the shape
        _lendable = _Lendable(app, copy.deepcopy(dict(app.config)), shape(app), engine,
                              app.config["DATABASE_URL"])
    app, engine = _lendable.app, _lendable.engine
    # Only the database differs from test to test (a file of its own, or the same server).
    assert make_url(paths["DATABASE_URL"]).set(database="") == engine.url.set(database="")
    _lendable.database = paths["DATABASE_URL"]
    app.config.clear()
    app.config.update(copy.deepcopy(_lendable.settings))
    app.config.update(paths)
    os.makedirs(app.config["MAIL_DIR"], exist_ok=True)
    app.extensions["kb.engine"] = engine
    app.extensions["kb.sessionmaker"].configure(bind=engine)
    app.extensions["kb.index"] = indexing.SyncState(index=SearchIndex(app.config["INDEX_DIR"]))
    # One limiter serves every app of the process; an app built since may have switched it on.
    security.limiter.enabled = app.config["RATELIMIT_ENABLED"]
    return app


def give_back(app: Flask) -> None:
    """End a test's use of ``app``: wait for its threads, close its index and database; an app
    the test added routes, hooks or extensions to is not lent again."""
    global _lendable
    close(app)
    if _lendable is not None and _lendable.app is app and shape(app) != _lendable.shape:
        _lendable = None


def close(app: Flask) -> None:
    """Wait for the app's background work (an index job, mail delivery), then close its index
    and its database connections, so that none outlives the test."""
    state: indexing.SyncState = app.extensions["kb.index"]
    for thread in threading.enumerate():
        if thread is state.worker or thread.name.startswith(_THREADS):
            thread.join(timeout=60)
    state.index.close()
    app.extensions["kb.engine"].dispose()


class ClosingClient(FlaskClient):
    """The tests' client: keeps each streamed answer so that close_responses() closes it when
    the test ends (tests/fixtures.py does for every test), if the test did not."""

    streamed: list[TestResponse] = []  # of every client of the process, in order

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        response = super().open(*args, **kwargs)
        if response.is_streamed:
            ClosingClient.streamed.append(response)
        return response


def close_responses() -> None:
    """Close the streamed answers of the test that ends, the last one first (each pops the
    request context it keeps pushed while it is open)."""
    while ClosingClient.streamed:
        ClosingClient.streamed.pop().close()
