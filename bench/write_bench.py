"""Benchmark the write path: CPU and SQL statements per use case, now and on a baseline ref.

Usage: .venv/bin/python bench/write_bench.py [--rounds 60] [--baseline REF|none]

Each run builds an app on a fresh SQLite database and search index, in a subprocess, and takes
``rounds`` practices through the review cycle as the web pages do: create a draft, submit it,
claim it, approve it (published and indexed); and stores as many published practices as the
demo loader and the tests' fixtures do (transfer.create_practice, then the index update after
the commit). It prints, per step, the median and p95 of the CPU time (this process: mail
delivery and index updates after the commit included) and the statements sent to the
database. The same run is made on a temporary git worktree of the baseline REF (by default
main before the write path was trimmed in session 8), with this venv, so both figures come
from the same machine at the same time; what both runs stored (practices, audit events,
mails) is compared. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from worktrees import checked_out

ROOT = Path(__file__).resolve().parents[1]

# Runs inside the tree under test (this one or a baseline worktree).
DRIVER = r"""
import collections, hashlib, json, os, sys, time
from sqlalchemy import event, func, select
from kb import create_app, db, migrate, workflow
from kb.models import AuditEvent, Organization, User
from kb.services import indexing, reviews, submissions, transfer
from kb.services.validation import validate_record

rounds, work = int(sys.argv[1]), sys.argv[2]
app = create_app({"TESTING": False, "SECRET_KEY": "bench", "SERVER_NAME": "kb.bench",
                  "DATABASE_URL": f"sqlite:///{work}/kb.sqlite", "INDEX_DIR": f"{work}/index",
                  "MAIL_DIR": f"{work}/mail", "RATELIMIT_ENABLED": False,
                  "INDEX_SYNC_INTERVAL": 0})
statements = [0]
with app.app_context():
    migrate.upgrade(app)
    indexing.get_index()  # the empty index of a new site, as `kb init` makes it
    event.listen(db.get_engine(), "before_cursor_execute",
                 lambda *args: statements.__setitem__(0, statements[0] + 1))
    with db.write_transaction() as session:
        people = []
        for n, role in enumerate(("submitter", "reviewer")):
            org = Organization(name=f"Bench organization {n}")
            session.add(org)
            session.flush()
            people.append(User(email=f"{role}@bench.example", name=role.title(), role=role,
                               password_hash="unused", organization_id=org.id))
        session.add_all(people)
    submitter, reviewer = people

def record(n, title):
    return {"title": f"{title} {n}", "summary": "Housing and work for migrants in the city.",
            "description": "## Context\n\nA **municipal** plan.\n\n- one\n- two",
            "results": "1. More people housed\n2. Jobs", "lessons": "Start early.",
            "objectives": [1 + n % 23, 2], "principles": ["human-rights"], "level": "local",
            "practice_type": "project", "implemented_by": "Municipality of Bench",
            "start_year": 2020, "implementation_status": "ongoing", "language": "en",
            "countries": ["KEN", "MAR"], "regions": [], "stakeholders": ["local-authorities"],
            "contact": {"name": "Focal Point", "email": "focal@bench.example", "public": False},
            "links": [{"title": "Report", "url": f"https://example.org/{n}"}]}

def store_published(n):  # as tests/fixtures.py's add_practice does
    clean = validate_record(record(n, "Stored practice"), complete=False)
    with db.write_transaction() as session:
        practice = transfer.create_practice(session, clean, "published", None, None)
    indexing.apply_changes([practice.id])

checklist = dict.fromkeys(workflow.CHECKLIST_KEYS, True)
cpu, sql = collections.defaultdict(list), collections.defaultdict(list)
def step(name, call):
    with app.test_request_context():
        count, started = statements[0], time.process_time()
        result = call()
        cpu[name].append(1000 * (time.process_time() - started))
        sql[name].append(statements[0] - count)
        return result

for n in range(rounds):
    practice = step("create draft", lambda: submissions.create_draft(
        submitter, record(n, "Reviewed practice")))
    step("submit", lambda: submissions.submit_practice(submitter, practice.id))
    step("claim", lambda: reviews.claim(reviewer, practice.id, True))
    step("approve", lambda: reviews.approve(reviewer, practice.id, checklist))
    step("store published", lambda: store_published(n))

with app.app_context():
    session = db.get_session()
    dynamic = {"id", "updated_at", "published_at", "last_reviewed_at", "review_due"}
    stored = [{k: v for k, v in r.items() if k not in dynamic}
              for r in transfer.export_records()]
    events = dict(session.execute(select(AuditEvent.action, func.count())
                                  .group_by(AuditEvent.action)).all())
digest = hashlib.sha256(json.dumps([sorted(stored, key=lambda r: r["slug"]), events],
                                   sort_keys=True).encode()).hexdigest()
mails = len(os.listdir(f"{work}/mail"))
print(json.dumps({"cpu": cpu, "sql": sql, "digest": digest, "stored": len(stored),
                  "mails": mails}))
"""

BASELINE = "bbe7e731d9d06f9c53a4f8b9dd496ed8f6d6c9d2"  # main before the write path was trimmed
WARM_UP = 3  # first rounds left out: templates compiled, statements cached


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def run(tree: Path, rounds: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="kb-write-bench-") as work:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        out = subprocess.run([sys.executable, "-c", DRIVER, str(rounds), work], cwd=tree,
                             env=env, capture_output=True, text=True, check=False)
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        if not lines:
            raise SystemExit(f"the run in {tree} failed:\n{out.stderr[-3000:]}")
        return json.loads(lines[-1])


def report(label: str, result: dict) -> dict[str, float]:
    print(f"{label}: {result['stored']} practices stored, {result['mails']} mails")
    medians = {}
    for name, values in result["cpu"].items():
        kept = values[WARM_UP:]
        medians[name] = quantile(kept, 0.5)
        print(f"    {name:16} CPU median {medians[name]:6.2f} ms, p95 {quantile(kept, 0.95):6.2f}"
              f" ms; {quantile(result['sql'][name][WARM_UP:], 0.5):.0f} statements")
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--baseline", default=BASELINE,
                        help="git ref to measure the same way, or 'none' (default: main "
                             "before the write path was trimmed in session 8)")
    args = parser.parse_args()
    if args.rounds <= WARM_UP:
        parser.error(f"--rounds must be more than {WARM_UP}: the first {WARM_UP} warm up and "
                     f"are not counted")
    load = os.getloadavg()
    print(f"write bench: {args.rounds} rounds; {os.cpu_count()} CPUs;"
          f" load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    baseline = None if args.baseline in ("", "none") else args.baseline
    with tempfile.TemporaryDirectory(prefix="kb-write-base-") as data, ExitStack() as stack:
        trees = [("this tree", ROOT)]
        if baseline:
            trees.append((f"baseline {baseline[:12]}", stack.enter_context(
                checked_out(baseline, Path(data) / "baseline", "--baseline none"))))
        results = [run(tree, args.rounds) for _label, tree in trees]
    medians = [report(label, result) for (label, _tree), result in zip(trees, results, strict=True)]
    if len(results) == 2:
        print("baseline / this tree, median CPU: " + ", ".join(
            f"{name} {medians[1][name] / medians[0][name]:.2f}x" for name in medians[0]))
        same = results[0]["digest"] == results[1]["digest"] and \
            results[0]["mails"] == results[1]["mails"]
        print(f"stored practices, audit events and mails: {'identical' if same else 'DIFFERENT'}"
              f" in both trees (fields but ids and times)")
    print(f"load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"bench took {time.perf_counter() - started:.0f} s")
