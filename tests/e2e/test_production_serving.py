"""gunicorn loads the application once in its master and forks workers that share it."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.production


def test_the_master_loads_the_app_once_and_forks_without_threads(make_site):
    site = make_site("sqlite", ["r1"], per_reviewer=0)
    # Python 3.12+ warns (DeprecationWarning) when a process forks while it has threads.
    server = site.serve(workers=2, PYTHONWARNINGS="always::DeprecationWarning")
    for _ in range(6):  # fresh connections: both workers answer some
        assert server.get("/practices?q=migrantz+housng").status == 200
        assert server.get("/practices?q=migration").status == 200
    log = server.log()
    assert log.count("application loaded once; forking workers") == 1, log[-3000:]
    assert log.count("Booting worker") == 2, log[-3000:]
    assert "multi-threaded" not in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
