"""Schemathesis over every operation of /api/v1/openapi.json, against the app served on
loopback, with every check, every phase (examples, coverage, fuzzing, stateful links) and a
submitter's bearer token, finds nothing (issue 11 part 8).

The server is the WSGI app in this process (Werkzeug on 127.0.0.1); the schemathesis command
line runs against it exactly as an operator would run it, reading schemathesis.toml.
Examples per operation are bounded so the run stays within a few minutes.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from kb.services import tokens
from tests.web.review_support import make_member

ROOT = Path(__file__).resolve().parents[2]
MAX_EXAMPLES = 15


@pytest.fixture
def served(app, make_practice):
    """The app on a free loopback port, with a few published practices and a token."""
    make_practice(title="Alternatives to detention", objectives=[13], countries=["KEN"],
                  contact={"name": "Open", "email": "o@example.org", "public": True})
    make_practice(title="Remittance corridor", objectives=[20, 23], level="regional",
                  regions=["asia-pacific"], countries=["PHL"], language="fr")
    user = make_member(app, "submitter", "Schemathesis City")
    with app.app_context():
        token = tokens.create_token(user, user, "schemathesis")
    app.config["SERVER_NAME"] = None  # answer on 127.0.0.1:PORT
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", token
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.mark.slow
def test_schemathesis_finds_nothing_in_any_operation(served, tmp_path):
    base, token = served
    command = [str(Path(sys.executable).with_name("schemathesis")), "run",
               f"{base}/api/v1/openapi.json", "--checks", "all",
               "--phases", "examples,coverage,fuzzing,stateful",
               "--max-examples", str(MAX_EXAMPLES), "--seed", "11",
               "--header", f"Authorization: Bearer {token}",
               "--generation-database", "none", "--no-color",
               "--report", "junit", "--report-dir", str(tmp_path)]
    assert shutil.which(command[0]) or Path(command[0]).exists(), "schemathesis not installed"
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900,
                            check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-12000:]
    assert "No issues found" in output or " 0 failures" in output or "passed" in output, output
