"""Load benchmark: 10,000 generated practices, gunicorn with 4 workers, 50 connections for 30 s.

Usage: .venv/bin/python bench/load.py [--backends sqlite,postgresql] [--practices 10000]
       [--seconds 30] [--connections 50] [--workers 4] [--pg-url postgresql+psycopg://...]
PostgreSQL needs --pg-url or KB_TEST_POSTGRES_URL (a role that may CREATE DATABASE).
Loads with `kb import`, serves with gunicorn on 127.0.0.1, drives a mix of search URLs (text,
facets, pages, sort) and practice pages from a separate process, and prints requests/s, p50,
p95, p99 and errors. Prints figures; asserts nothing. Every loop is bounded in time.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search_bench import Corpus  # noqa: E402
from tests.e2e import servers  # noqa: E402

SORTS = ["relevance", "newest", "title", "start_year"]


def generate_records(n: int, seed: int = 7) -> list[dict]:
    """Return n valid practice records, the same for the same seed."""
    from kb import taxonomy

    corpus = Corpus(seed=seed)
    rng = random.Random(seed)
    codes = {f: [c for c, _ in taxonomy.choices(f)] for f in
             ("principle", "region", "country", "stakeholder", "level", "type", "status")}
    records = []
    for i in range(n):
        start = rng.randint(2000, 2024)
        records.append({
            "title": f"{corpus.text('en', rng.randint(4, 9)).capitalize()} {i}",
            "summary": corpus.text("en", 40), "description": corpus.text("en", 300),
            "objectives": sorted(rng.sample(range(1, 24), rng.randint(1, 3))),
            "principles": rng.sample(codes["principle"], rng.randint(0, 3)),
            "level": rng.choice(codes["level"]),
            "regions": rng.sample(codes["region"], rng.randint(1, 2)),
            "countries": rng.sample(codes["country"], rng.randint(0, 3)),
            "practice_type": rng.choice(codes["type"]),
            "implemented_by": f"City of {i % 97}", "partners": "IOM, UNHCR",
            "stakeholders": rng.sample(codes["stakeholder"], rng.randint(1, 3)),
            "start_year": start, "end_year": min(start + 2, 2026),
            "implementation_status": rng.choice(codes["status"]),
            "outcome": corpus.text("en", 12), "results": corpus.text("en", 40),
            "lessons": corpus.text("en", 40), "funding": "Municipal budget",
            "contact": {"name": "Focal point", "email": f"focal{i}@example.org",
                        "public": False},
            "links": [], "language": "en",
        })
    return records


def url_mix(port: int, n: int = 2000, seed: int = 11) -> list[str]:
    """Return a shuffled list of search and practice URLs (about 1 practice page in 4)."""
    rng = random.Random(seed)
    corpus = Corpus(seed=seed)
    words = corpus.vocab["en"][:300]
    regions = ["africa", "arab-states", "asia-pacific", "europe-north-america",
               "latin-america-caribbean"]
    slugs: list[str] = []
    for page in range(1, 6):
        resp = servers.request(port, "GET", f"/api/v1/practices?per_page=100&page={page}")
        slugs += [hit["slug"] for hit in resp.json()["results"]]
    urls = []
    for k in range(n):
        kind = k % 8
        if kind < 2:
            urls.append(f"/practices/{rng.choice(slugs)}")
            continue
        params: list[tuple[str, str]] = []
        if kind in (2, 3, 4, 5):
            params.append(("q", " ".join(rng.sample(words, rng.randint(1, 2)))))
        if kind in (4, 5, 6):
            params.append(("objective", str(rng.randint(1, 23))))
        if kind in (5, 6):
            params.append(("region", rng.choice(regions)))
        if kind == 7 or rng.random() < 0.3:
            params.append(("sort", rng.choice(SORTS)))
        if rng.random() < 0.3:
            params.append(("page", str(rng.randint(2, 5))))
        urls.append("/practices?" + urllib.parse.urlencode(params))
    rng.shuffle(urls)
    return urls


def drive(port: int, urls: list[str], seconds: float, connections: int) -> dict:
    """Send the URLs round-robin on keep-alive connections until time is up."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = offset
        while time.monotonic() < deadline:
            url = urls[i % len(urls)]
            i += connections
            t0 = time.perf_counter()
            try:
                conn.request("GET", url)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
                detail = f"{resp.status} {url}"
            except (OSError, http.client.HTTPException) as exc:
                ok, detail = False, f"{type(exc).__name__} {url}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors.append(detail)
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    wall = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    return {"requests": len(latencies), "rps": len(latencies) / wall,
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "mean_ms": 1000 * statistics.fmean(latencies) if latencies else 0.0,
            "errors": len(errors), "error_samples": errors[:5]}


def run_backend(backend: str, args: argparse.Namespace, work: Path) -> dict:
    import contextlib

    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{work / 'kb.sqlite'}"
        else:
            if args.pg_url:
                os.environ["KB_TEST_POSTGRES_URL"] = args.pg_url
            stack.enter_context(_no_skip())
            url = stack.enter_context(servers.postgres_database())
        env = servers.base_env(url, work / "index", work, KB_INDEX_SYNC_INTERVAL="2.0")
        t0 = time.monotonic()
        servers.kb_cli(env, "init")
        servers.kb_cli(env, "import", str(args.records_file), timeout=3600)
        load_s = time.monotonic() - t0
        print(f"  {backend}: loaded in {load_s:.0f} s; starting gunicorn", flush=True)
        # gunicorn's default worker timeout (30 s): nothing heavy runs on a request.
        server = servers.Gunicorn(env, work / f"gunicorn-{backend}.log", args.workers,
                                  []).start(timeout=900)
        stack.callback(server.stop)
        urls = url_mix(server.port)
        for url in urls[:50]:  # warm every worker's caches a little
            servers.request(server.port, "GET", url)
        # The load comes from another process, as the issue asks.
        proc = subprocess.run(
            [sys.executable, __file__, "--drive", str(server.port), "--seconds",
             str(args.seconds), "--connections", str(args.connections)],
            input=json.dumps(urls), capture_output=True, text=True, timeout=args.seconds + 180)
        if proc.returncode:
            raise SystemExit(proc.stderr)
        result = json.loads(proc.stdout)
        result["load_s"] = load_s
        return result


class _no_skip:
    """Turn the test helpers' skip into a plain error for this script."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None and "Skipped" in exc_type.__name__:
            raise SystemExit(f"PostgreSQL unavailable: {exc}")
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pg-url", default=os.environ.get("KB_TEST_POSTGRES_URL"))
    parser.add_argument("--drive", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        urls = json.loads(sys.stdin.read())
        print(json.dumps(drive(args.drive, urls, args.seconds, args.connections)))
        return
    with tempfile.TemporaryDirectory(prefix="kb-load-") as tmp:
        work = Path(tmp)
        args.records_file = work / "practices.json"
        args.records_file.write_text(json.dumps(generate_records(args.practices)))
        load = os.getloadavg()
        print(f"{args.practices} practices, gunicorn -w {args.workers}, {args.connections} "
              f"connections for {args.seconds:.0f} s; {os.cpu_count()} CPUs, load average "
              f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        print(f"{'backend':<11}{'load s':>8}{'requests':>10}{'req/s':>8}{'p50 ms':>8}"
              f"{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}")
        for backend in args.backends.split(","):
            folder = work / backend
            folder.mkdir()
            r = run_backend(backend, args, folder)
            print(f"{backend:<11}{r['load_s']:>8.0f}{r['requests']:>10}{r['rps']:>8.1f}"
                  f"{r['p50_ms']:>8.0f}{r['p95_ms']:>8.0f}{r['p99_ms']:>8.0f}{r['errors']:>8}",
                  flush=True)
            for sample in r["error_samples"]:
                print(f"    error: {sample}")
            for text, ok in ((f"0 errors ({r['errors']})", r["errors"] == 0),
                             (f">= 120 requests/s ({r['rps']:.1f})", r["rps"] >= 120),
                             (f"p95 <= 400 ms ({r['p95_ms']:.0f})", r["p95_ms"] <= 400)):
                print(f"    target {text}: {'met' if ok else 'NOT met'}")
            load = os.getloadavg()
            print(f"    load average after the run {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
