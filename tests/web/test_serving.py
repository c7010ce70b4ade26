"""Loading the application once before gunicorn forks its workers (kb.serving)."""
from __future__ import annotations

import gc
import os
import sys
import threading

import pytest

from kb import serving
from kb.search import vocabulary
from tests.conftest import freeze_heap


@pytest.fixture
def unfreeze():
    """Nothing frozen before the test (the suite freezes what collection left: conftest), and
    the suite's frozen heap again after it."""
    gc.unfreeze()
    yield
    gc.unfreeze()
    freeze_heap()


def test_before_the_fork_the_master_has_loaded_everything_and_holds_nothing_shared(
        app, client, make_practice, monkeypatch, unfreeze) -> None:
    make_practice(title="Housing first for migrants")
    assert client.get("/practices?q=housing").status_code == 200  # a connection, index files
    vocabulary.warm_up()  # as wsgi.py starts it
    serving.prepare_to_fork(app)
    assert threading.active_count() == 1
    engine = app.extensions["kb.engine"]
    assert engine.pool.checkedin() == 0
    assert engine.pool.checkedout() == 0
    assert gc.get_freeze_count() > 0
    index_dir = str(app.extensions["kb.index"].index.path.resolve())
    open_files = [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
                  if os.path.exists(f"/proc/self/fd/{fd}")]
    assert not [f for f in open_files if f.startswith(index_dir)]
    # The spelling dictionaries are loaded: a correction no longer imports pyspellchecker.
    monkeypatch.setitem(sys.modules, "spellchecker", None)
    assert client.get("/practices?q=housng").status_code == 200
    # And the worker opens its own connection and index again.
    assert "/practices/housing-first-for-migrants" in client.get(
        "/practices?q=housing").get_data(as_text=True)


def test_a_thread_still_running_stops_the_server_from_forking(app, monkeypatch,
                                                              unfreeze) -> None:
    monkeypatch.setattr(serving, "THREAD_WAIT", 0.1)
    stop = threading.Event()
    stuck = threading.Thread(target=stop.wait, name="stuck", daemon=True)
    stuck.start()
    try:
        with pytest.raises(RuntimeError, match="stuck"):
            serving.prepare_to_fork(app)
    finally:
        stop.set()
        stuck.join()
