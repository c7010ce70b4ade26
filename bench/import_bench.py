"""Benchmark `kb import`: records per second for a generated file, now and on a baseline ref.

Usage: .venv/bin/python bench/import_bench.py [--records 10000] [--baseline main] [--repeat 1]

Each run imports the same generated records (valid, with Markdown, links and contacts, plus a
few invalid ones and duplicate titles) into a fresh SQLite database and search index through
the `kb import` command, in a subprocess, and prints the rate of the whole command (reading,
validation, storage, index sync) and without its index sync. With --baseline REF the same run
is made on a temporary git worktree of REF, with this venv, so both figures come from the same
machine at the same time. Prints figures; asserts nothing.
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
from pathlib import Path

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
import json, sys, time
from kb import create_app, migrate
from kb.services import indexing
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
runner = app.test_cli_runner()
started = time.perf_counter()
result = runner.invoke(args=["kb", "import", path])
elapsed = time.perf_counter() - started
summary = [line for line in result.output.splitlines() if line.startswith("Imported")]
print(json.dumps({"seconds": elapsed, "sync": sum(sync_seconds), "exit": result.exit_code,
                  "summary": summary,
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--baseline", default=None,
                        help="git ref to measure the same way (e.g. main before this work)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"import bench: {args.records} records, load average {load[0]:.2f} {load[1]:.2f}")
    with tempfile.TemporaryDirectory(prefix="kb-import-data-") as data:
        path = Path(data) / "records.json"
        path.write_text(json.dumps({"practices": generate(args.records)}), encoding="utf-8")
        trees = [("this tree", ROOT)]
        worktree = None
        if args.baseline:
            worktree = Path(data) / "baseline"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet",
                            str(worktree), args.baseline], check=True)
            trees.append((f"baseline {args.baseline}", worktree))
        try:
            rates = {}
            for label, tree in trees:
                best = None
                for _ in range(args.repeat):
                    result = run(tree, path)
                    if best is None or result["seconds"] < best["seconds"]:
                        best = result
                rate = args.records / best["seconds"]
                stored = args.records / (best["seconds"] - best["sync"])
                rates[label] = rate
                print(f"{label:>20}: {best['seconds']:7.1f} s  {rate:7.1f} records/s  "
                      f"(without the index sync of {best['sync']:.1f} s: {stored:7.1f}/s)  "
                      f"exit {best['exit']}  {' '.join(best['summary'])}"
                      + (f"  CRASHED: {best['crashed']}" if best["crashed"] else ""))
            if len(rates) == 2:
                now, base = rates["this tree"], rates[f"baseline {args.baseline}"]
                print(f"{'speed-up':>20}: {now / base:7.1f}x")
        finally:
            if worktree is not None:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(worktree)], check=False)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"bench took {time.perf_counter() - started:.0f} s")
