"""The suite's conftest: its markers, its garbage-collector settings, and its fixtures.

The fixtures and helpers (the app/client/runner trio, make_user, valid_record, shared_path,
need...) are in tests/fixtures.py, a plugin loaded by each process that runs tests. The
parallel run's controller only hands tests to the workers: it does not load them, nor kb
(~0.9 s of CPU it spent before starting any worker). ``from tests.conftest import X`` still
finds them.
"""
from __future__ import annotations

import atexit
import gc
from typing import Any

import pytest

# Rewritten for pytest's assertion messages like a conftest, whoever imports it first (the e2e
# conftest does, through tests/e2e/servers.py, before pytest_configure).
pytest.register_assert_rewrite("tests.fixtures")


@pytest.hookimpl(trylast=True)  # after pytest-xdist's, which registers its controller
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "own_app: the test adds routes or hooks, so it gets a new app (not the "
                   "process's shared one)")
    config.addinivalue_line(
        "markers", "demo: the test's database and index hold the demo repository, as "
                   "`kb init --demo` leaves them")
    if not config.pluginmanager.hasplugin("dsession"):
        config.pluginmanager.import_plugin("tests.fixtures")


def __getattr__(name: str) -> Any:
    """The fixtures' helpers, imported by test modules from here as before. (What pytest
    looks up on a conftest, pytest_plugins and the like, is not delegated: the controller
    would import the fixtures for it.)"""
    if name.startswith(("_", "pytest")):
        raise AttributeError(name)
    from tests import fixtures

    return getattr(fixtures, name)


# Python's cyclic garbage collector took ~8% of a test process's CPU (2.2 s of 26 in five big
# modules): a young collection every 700 net allocations, and each full one (a dozen a run,
# 0.15 s each) walked the whole heap of imported modules, collected tests and Hypothesis
# strategies. Reference counting frees nearly all of a test's objects, so the tests collect
# cycles less often (young ones every 10,000 allocations), and what collection left, which
# lives until the process ends, is frozen out of every collection. Frozen at exit too: Python's
# shutdown otherwise sweeps the heap several times (~1 s per process) before a parallel run ends.
# A streamed answer left open would be finalized whenever a collection comes, popping its
# request's context then: the tests' client closes those when each test ends (shared_app).
gc.set_threshold(10_000, 50, 10)


def pytest_collection_finish(session: pytest.Session) -> None:
    freeze_heap()


def freeze_heap() -> None:
    """Collect, then keep every object alive now out of later garbage collections."""
    gc.collect()
    gc.freeze()


atexit.register(gc.freeze)


@pytest.hookimpl(trylast=True)  # after pytest's unraisable-exception plugin collected
def pytest_unconfigure(config: pytest.Config) -> None:
    # That plugin collects garbage twice as pytest ends (at unconfigure, then at cleanup), each
    # walking the whole heap a run left (~0.1 s of CPU per process): the second one walks only
    # what came since the first.
    gc.freeze()
