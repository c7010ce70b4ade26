"""The search index under operators and failures, with real processes: one rebuild at a time."""
from __future__ import annotations

import subprocess
import sys
import threading

from tests.e2e.servers import ROOT, run_python

PUBLISH = """
import sys
from kb import create_app, db
from kb.services import indexing
from kb.services.transfer import create_practice
from kb.services.validation import validate_record
from tests.conftest import valid_record

with create_app().app_context(), db.write_transaction() as session:
    for n in range(int(sys.argv[1])):
        record = valid_record(title=f"Orchard workers scheme {n}",
                              summary="Seasonal orchard work with fair recruitment.")
        practice = create_practice(session, validate_record(record, False), "published",
                                   None, None)
        indexing.record_change(session, practice)
"""


def test_three_rebuilds_started_together_all_exit_0_while_workers_serve(make_site):
    site = make_site("sqlite")
    run_python(site.env(), PUBLISH, argv=["300"])
    site.cli("index", "sync")
    server = site.serve(workers=2)
    statuses: list[int] = []
    stop = threading.Event()

    def search() -> None:
        while not stop.is_set():
            statuses.append(server.get("/api/v1/practices?q=orchard").status)

    searcher = threading.Thread(target=search)
    searcher.start()
    try:
        rebuilds = [subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "kb", "index", "rebuild"],
            cwd=ROOT, env=site.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True) for _ in range(3)]
        outputs = [proc.communicate(timeout=300) for proc in rebuilds]
    finally:
        stop.set()
        searcher.join()
    for proc, (out, err) in zip(rebuilds, outputs, strict=True):
        assert proc.returncode == 0, f"{out}\n{err[-3000:]}"
    assert any("Rebuilt the index with" in out for out, _ in outputs)
    check = site.cli("index", "check")
    assert "Index matches the database" in check.stdout
    assert statuses, "no search answered"
    assert set(statuses) == {200}, sorted(set(statuses))
    hits = server.get("/api/v1/practices?q=orchard").json()
    assert hits["total"] >= 300
