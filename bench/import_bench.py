"""Benchmark `kb import`: records per second for a generated file, now and on a baseline ref.

Usage: .venv/bin/python bench/import_bench.py [--records 10000] [--baseline REF|none] [--repeat 1]

Each run imports the same generated records (valid, with Markdown, links and contacts, plus a
few invalid ones and duplicate titles) into a fresh SQLite database and search index through
the `kb import` command, in a subprocess, and prints the rate of the whole command (reading,
validation, storage, index sync) and without its index sync, the median and p95 of its batches,
and its CPU time (this process and its workers: less sensitive to a loaded machine than the
wall time). The same run is made on a temporary git worktree of the baseline REF (by default
main before the bulk import: one ORM flush per record), with this venv, so both figures come
from the same machine at the same time, and the stored practices of both are compared. Prints
figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from worktrees import checked_out

ROOT = Path(__file__).resolve().parents[1]
OBJECTIVE_COUNT = 23
LEVELS = ["local", "national", "regional"]
TYPES = ["policy", "programme", "project", "service", "tool", "partnership"]
STATUSES = ["ongoing", "mostly-completed", "completed"]
COUNTRIES = ["KEN", "NGA", "MAR", "JOR", "IND", "PHL", "DEU", "FRA", "MEX", "COL", "SEN", "NPL"]
WORDS = ("migration migrants workers labour rights integration return border health education "
         "children women refugees recruitment skills employment data protection community "
         "reintegration remittances diaspora housing language training access services legal "
         "pathways detention alternatives trafficking climate displacement municipal").split()

# Runs inside the tree under test (this one or a baseline worktree): build an app on a fresh
# database and index, migrate, run `kb import FILE` and report its wall time as JSON.
DRIVER = r"""
import hashlib, json, resource, sys, time
from kb import cli, create_app, migrate
from kb.services import indexing, transfer
batches = []
real_progress_bar = cli.progress_bar
def timed_progress_bar(label):
    update = real_progress_bar(label)
    def timed(done, total):
        batches.append((time.perf_counter(), done))
        update(done, total)
    return timed
cli.progress_bar = timed_progress_bar
sync_seconds = []
real_sync = indexing.sync
def timed_sync(*args, **kwargs):
    started = time.perf_counter()
    try:
        return real_sync(*args, **kwargs)
    finally:
        sync_seconds.append(time.perf_counter() - started)
indexing.sync = timed_sync
path, work = sys.argv[1], sys.argv[2]
app = create_app({"TESTING": False, "SECRET_KEY": "bench", "SERVER_NAME": "kb.bench",
                  "DATABASE_URL": f"sqlite:///{work}/kb.sqlite", "INDEX_DIR": f"{work}/index",
                  "MAIL_DIR": f"{work}/mail", "RATELIMIT_ENABLED": False,
                  "INDEX_SYNC_INTERVAL": 0})
with app.app_context():
    migrate.upgrade(app)
    indexing.get_index()  # the empty index of a new site, as `kb init` makes it
runner = app.test_cli_runner()
def cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
cpu_before = cpu(resource.RUSAGE_SELF)
started = time.perf_counter()
result = runner.invoke(args=["kb", "import", path])
elapsed = time.perf_counter() - started
cpu_main = cpu(resource.RUSAGE_SELF) - cpu_before
summary = [line for line in result.output.splitlines() if line.startswith("Imported")]
stamps = [(started, 0)] + batches
batch_rates = [(done - done0) / (t - t0) for (t0, done0), (t, done) in zip(stamps, stamps[1:])
               if done > done0 and t > t0]
# What was stored, without the ids and times of this run: equal across trees means equal rows.
dynamic = {"id", "updated_at", "published_at", "last_reviewed_at", "review_due"}
with app.app_context():
    stored = [{k: v for k, v in record.items() if k not in dynamic}
              for record in transfer.export_records()]
digest = hashlib.sha256(json.dumps(sorted(stored, key=lambda r: r["slug"]), sort_keys=True,
                                   ensure_ascii=False).encode("utf-8", "surrogatepass"))
print(json.dumps({"seconds": elapsed, "sync": sum(sync_seconds), "exit": result.exit_code,
                  "summary": summary, "batch_rates": batch_rates, "cpu_main": cpu_main,
                  "cpu_children": cpu(resource.RUSAGE_CHILDREN), "stored": len(stored),
                  "digest": digest.hexdigest(),
                  "crashed": repr(result.exception) if result.exception
                  and not isinstance(result.exception, SystemExit) else None}))
"""


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize()
                    + "." for _ in range(sentences))


def record(rng: random.Random, n: int) -> dict:
    level = rng.choice(LEVELS)
    start = rng.randint(2000, 2022)
    return {
        "title": f"{paragraph(rng, 1)[:80].rstrip('.')} {n}",
        "summary": paragraph(rng, 2)[:590],
        "description": f"## Context\n\n{paragraph(rng, 4)}\n\n- **{rng.choice(WORDS)}** "
                       f"{paragraph(rng, 1)}\n- {paragraph(rng, 1)}\n\n{paragraph(rng, 3)}",
        "results": f"1. {paragraph(rng, 1)}\n2. {paragraph(rng, 1)}",
        "lessons": paragraph(rng, 2),
        "objectives": sorted(rng.sample(range(1, OBJECTIVE_COUNT + 1), rng.randint(1, 3))),
        "principles": ["people-centred", "human-rights"][:rng.randint(0, 2)],
        "level": level, "countries": rng.sample(COUNTRIES, rng.randint(1, 3)),
        "regions": [], "practice_type": rng.choice(TYPES),
        "implemented_by": f"Municipality of {rng.choice(WORDS).title()}",
        "partners": "Civil society partners", "stakeholders": ["civil-society"],
        "start_year": start, "end_year": start + rng.randint(0, 4),
        "implementation_status": rng.choice(STATUSES), "outcome": paragraph(rng, 1)[:590],
        "funding": "Municipal budget", "language": "en",
        "contact": {"name": "Focal Point", "email": f"focal{n}@example.org", "public": False},
        "links": [{"title": "Report", "url": f"https://example.org/report/{n}"}],
    }


def generate(count: int, seed: int = 11) -> list[dict]:
    """``count`` records: about 1% invalid (no summary, an unknown objective) and about 1%
    repeating an earlier title, as real files have. (No record of the kinds that crashed the
    import before issue 11, so that a baseline of that time runs to the end too.)"""
    rng = random.Random(seed)
    records = [record(rng, n) for n in range(count)]
    for n in range(50, count, 97):
        if n % 2:
            records[n].pop("summary")
        else:
            records[n]["objectives"] = [99]
    for n in range(75, count, 101):
        records[n]["title"] = records[n - 70]["title"]
    return records


def run(tree: Path, path: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="kb-import-bench-") as work:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        out = subprocess.run([sys.executable, "-c", DRIVER, str(path), work], cwd=tree, env=env,
                             capture_output=True, text=True, check=False)
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        if not lines:
            raise SystemExit(f"the import run in {tree} failed:\n{out.stderr[-3000:]}")
        return json.loads(lines[-1])


BASELINE = "53a2aad7898acb4d94adb0fc7cb7482ab2c1100d"  # main before the bulk import
TARGET = 300  # records per second for the whole command (issue 11 part 6)


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def report(label: str, count: int, runs: list[dict]) -> dict:
    """Print one tree's figures (its median run) and return that run."""
    runs = sorted(runs, key=lambda r: r["seconds"])
    run_ = runs[len(runs) // 2]
    rate = count / run_["seconds"]
    cpu = run_["cpu_main"] + run_["cpu_children"]
    batch_seconds = [250 / r for r in run_["batch_rates"]]
    print(f"{label}: {run_['seconds']:.1f} s = {rate:.1f} records/s for the whole command"
          f"  (storage alone {count / (run_['seconds'] - run_['sync']):.1f}/s;"
          f" index sync {run_['sync']:.1f} s)")
    if len(runs) > 1:
        rates = [count / r["seconds"] for r in runs]
        print(f"    {len(runs)} runs: median {quantile(rates, 0.5):.1f}/s,"
              f" p95 (slow end) {quantile(rates, 0.05):.1f}/s")
    if batch_seconds:
        print(f"    batches of 250 before the sync: median {quantile(run_['batch_rates'], 0.5):.0f}"
              f" records/s, p95 batch time {quantile(batch_seconds, 0.95):.2f} s"
              f" ({len(batch_seconds)} batches)")
    print(f"    CPU {cpu:.1f} s (this process {run_['cpu_main']:.1f} + workers"
          f" {run_['cpu_children']:.1f}) = {1000 * cpu / count:.2f} ms per record")
    print(f"    exit {run_['exit']}; {' '.join(run_['summary'])}"
          + (f"  CRASHED: {run_['crashed']}" if run_["crashed"] else ""))
    return {**run_, "rate": rate, "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--baseline", default=BASELINE,
                        help="git ref to measure the same way, or 'none' (default: main "
                             "before the bulk import, one ORM flush per record)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"import bench: {args.records} generated records; {os.cpu_count()} CPUs;"
          f" load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"target: at least {TARGET} records/s for the whole `kb import` (read, validate,"
          f" store, sync the index)")
    baseline = None if args.baseline in ("", "none") else args.baseline
    with tempfile.TemporaryDirectory(prefix="kb-import-data-") as data, ExitStack() as stack:
        path = Path(data) / "records.json"
        path.write_text(json.dumps({"practices": generate(args.records)}), encoding="utf-8")
        trees = [("this tree", ROOT)]
        if baseline:
            trees.append((f"baseline {baseline[:12]}", stack.enter_context(
                checked_out(baseline, Path(data) / "baseline", "--baseline none"))))
        results = [report(label, args.records, [run(tree, path) for _ in range(args.repeat)])
                   for label, tree in trees]
    now = results[0]
    if len(results) == 2:
        base = results[1]
        print(f"speed-up: {now['rate'] / base['rate']:.1f}x wall,"
              f" {base['cpu'] / now['cpu']:.1f}x less CPU")
        same = now["digest"] == base["digest"] and now["stored"] == base["stored"]
        print(f"stored practices: {'identical' if same else 'DIFFERENT'} in both trees"
              f" ({now['stored']} / {base['stored']}; fields but ids and times)")
    verdict = "met" if now["rate"] >= TARGET else "NOT met"
    print(f"verdict: {now['rate']:.1f} records/s, target {TARGET}: {verdict}"
          f" (load average now {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"bench took {time.perf_counter() - started:.0f} s")
