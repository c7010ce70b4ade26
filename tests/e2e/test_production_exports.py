"""The CSV and JSON exports hammered on gunicorn -w 4: no worker may die (issue 11, part 1).

Under CPython 3.11 the exports used to read the association proxies of ORM practices loaded in
batches; freeing each batch (a reference cycle per practice) crashed workers with SIGSEGV.
"""
from __future__ import annotations

import csv
import http.client
import io
import json
import random
import re
import threading

import pytest

from tests.e2e.production_data import record

pytestmark = pytest.mark.production

IMPORTED = 320
EXPORTS = 500  # of each kind, as the issue asks
CLIENTS = 4
DEATH = re.compile(r"was sent SIG\w+|exited with code|Fatal Python error|WORKER TIMEOUT")


def varied_records(count: int) -> list[dict]:
    """Complete records with varied codes and links (every list the export reads is filled)."""
    rng = random.Random(11)
    out = []
    for n in range(count):
        item = record(f"Exported practice {n}", f"zqexp{n}w")
        item["objectives"] = sorted(rng.sample(range(1, 24), rng.randint(1, 6)))
        item["countries"] = rng.sample(["BEL", "FRA", "MEX", "KEN", "PHL", "DEU", "ITA"],
                                       rng.randint(1, 4))
        item["stakeholders"] = ["local-authorities", "civil-society"][:rng.randint(1, 2)]
        item["links"] = [{"title": f"Page {k}", "url": f"https://example.org/{n}/{k}"}
                         for k in range(rng.randint(0, 3))]
        out.append(item)
    return out


def fetch(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def complete(kind: str, body: bytes) -> int:
    """Return how many practices a whole export carries (a cut body raises)."""
    if kind == "csv":
        return len(list(csv.DictReader(io.StringIO(body.decode("utf-8")))))
    document = json.loads(body)
    assert len(document["results"]) == document["total"]
    return document["total"]


def test_500_csv_and_500_json_exports_of_300_practices_kill_no_worker(make_site):
    site = make_site("sqlite", ["r1"], per_reviewer=0)
    path = site.tmp / "records.json"
    path.write_text(json.dumps(varied_records(IMPORTED)), encoding="utf-8")
    site.cli("import", str(path))
    server = site.serve(workers=4)
    expected = IMPORTED + 1  # and the seed's anchor practice
    jobs = [kind for _ in range(EXPORTS) for kind in ("csv", "json")]
    lock = threading.Lock()
    problems: list[str] = []
    answered = {"csv": 0, "json": 0}

    def client() -> None:
        while True:
            with lock:
                if not jobs:
                    return
                kind = jobs.pop()
            try:
                status, body = fetch(server.port, f"/api/v1/practices.{kind}")
                assert status == 200, f"status {status}"
                count = complete(kind, body)
                assert count == expected, f"{count} practices instead of {expected}"
            except (OSError, http.client.HTTPException, ValueError, AssertionError) as exc:
                with lock:
                    problems.append(f"{kind}: {type(exc).__name__}: {exc}")
                continue
            with lock:
                answered[kind] += 1

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=1800)
    log = server.log()
    deaths = DEATH.findall(log)
    boots = log.count("Booting worker")
    assert not deaths, f"{len(deaths)} worker deaths: {deaths[:5]}\n{log[-4000:]}"
    assert boots == 4, f"{boots} workers booted for 4: replacements mean deaths\n{log[-4000:]}"
    assert not problems, f"{len(problems)} exports without a whole answer: {problems[:5]}"
    assert answered == {"csv": EXPORTS, "json": EXPORTS}
