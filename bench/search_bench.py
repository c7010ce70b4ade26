"""Benchmark kb.search against an SQLite FTS5 baseline on a seeded, generated corpus.

Usage: .venv/bin/python bench/search_bench.py [--sizes 1000,10000] [--large] [--queries 200]
[--slowest N]
Prints figures (median and p95 of wall time, and CPU time per query) and, at 10,000 and
100,000 practices, whether issue 12's targets are met; asserts nothing. On 2 quiet cores
10,000 takes about 2 minutes; 100,000 about 15 (building the index, ~3 ms of CPU per
generated practice of ~1,100 words, is most of it).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kb.search import FACETS, SearchIndex, SearchRequest

REGIONS = ["africa", "arab-states", "asia-pacific", "europe-north-america",
           "latin-america-caribbean"]
LEVELS = ["local", "national", "regional", "global"]
TYPES = ["policy", "programme", "project", "service", "tool", "partnership", "other"]
STATUSES = ["ongoing", "mostly-completed", "completed"]
STAKEHOLDERS = ["local-authority", "national-government", "civil-society", "private-sector",
                "un-entity", "academia", "migrants-diaspora", "trade-union"]
PRINCIPLES = ["people-centred", "international-cooperation", "national-sovereignty",
              "rule-of-law", "sustainable-development", "human-rights", "gender-responsive",
              "child-sensitive", "whole-of-government", "whole-of-society"]
COUNTRIES = ["KEN", "NGA", "ETH", "MAR", "EGY", "JOR", "LBN", "IND", "PHL", "BGD", "THA", "IDN",
             "DEU", "FRA", "ESP", "ITA", "USA", "CAN", "MEX", "COL", "ECU", "PER", "BRA", "ARG",
             "SEN", "GHA", "TUN", "NPL", "LKA", "GTM"]
DOMAIN = {
    "en": "migration migrants workers labour rights integration return border health education "
          "children women refugees recruitment skills employment data protection community "
          "reintegration remittances diaspora housing language training access services "
          "legal pathways detention alternatives trafficking smuggling climate displacement "
          "municipal cooperation dialogue partnership survey evidence".split(),
    "fr": "migration migrants travailleurs droits intégration retour frontière santé éducation "
          "enfants femmes réfugiés recrutement compétences emploi données protection "
          "communauté réintégration transferts diaspora logement formation accès services".split(),
    "es": "migración migrantes trabajadores derechos integración retorno frontera salud "
          "educación niños mujeres refugiados contratación empleo datos protección comunidad "
          "reintegración remesas diáspora vivienda formación acceso servicios".split(),
}
SYLLABLES = "ka lo mi ner tan vi so ra pe lu ge dor fin sal ter mon bri cha vel pro".split()


def skewed(rng: np.random.Generator, items: list, k: int) -> list:
    weights = 1.0 / np.arange(1, len(items) + 1) ** 0.8
    picks = rng.choice(len(items), size=k, replace=False, p=weights / weights.sum())
    return [items[i] for i in sorted(picks)]


class Corpus:
    """Deterministic documents: Zipf-distributed words, skewed facet values."""

    def __init__(self, seed: int = 42, vocab_size: int = 8000) -> None:
        self.rng = np.random.default_rng(seed)
        filler = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES]
        self.rng.shuffle(filler)
        self.vocab = {lang: words + filler[: vocab_size - len(words)]
                      for lang, words in DOMAIN.items()}
        ranks = np.arange(1, vocab_size + 1)
        p = 1.0 / ranks**1.05
        self.cdf = np.cumsum(p / p.sum())

    def text(self, lang: str, n: int) -> str:
        idx = np.minimum(np.searchsorted(self.cdf, self.rng.random(n)), len(self.cdf) - 1)
        words = self.vocab[lang]
        return " ".join(words[i] for i in idx)

    def document(self, i: int) -> dict:
        rng = self.rng
        lang = rng.choice(["en", "fr", "es", "other"], p=[0.75, 0.12, 0.1, 0.03])
        text_lang = "en" if lang == "other" else str(lang)
        published = dt.datetime(2019, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=int(i * 3))
        start = int(rng.integers(2000, 2025)) if rng.random() < 0.9 else None
        return {
            "id": i, "slug": f"practice-{i}", "language": str(lang),
            "title": self.text(text_lang, int(rng.integers(4, 12))).capitalize(),
            "summary": self.text(text_lang, 100),
            "description": self.text(text_lang, int(rng.integers(500, 1500))),
            "outcome": self.text(text_lang, 15), "results": self.text(text_lang, 60),
            "lessons": self.text(text_lang, 60), "implemented_by": "City of " + str(i % 97),
            "partners": "IOM, UNHCR",
            "objective": skewed(rng, list(range(1, 24)), int(rng.integers(1, 4))),
            "principle": skewed(rng, PRINCIPLES, int(rng.integers(0, 4))),
            "region": skewed(rng, REGIONS, int(rng.integers(1, 3))),
            "country": skewed(rng, COUNTRIES, int(rng.integers(0, 4))),
            "stakeholder": skewed(rng, STAKEHOLDERS, int(rng.integers(1, 4))),
            "level": skewed(rng, LEVELS, 1)[0], "type": skewed(rng, TYPES, 1)[0],
            "status": skewed(rng, STATUSES, 1)[0],
            "start_year": start, "end_year": None if start is None else start + 2,
            "published_at": published, "updated_at": published, "version": f"v{i}",
        }

    def queries(self, n: int, docs: list[dict]) -> list[tuple[str, str, dict]]:
        """Return (kind, query, filters) triples: words, phrases, prefixes, +/- filters."""
        rng = self.rng
        out = []
        common = self.vocab["en"][:400]
        for k in range(n):
            kind = ["word", "words2", "words3", "phrase", "prefix"][k % 5]
            if kind == "phrase":
                words = docs[int(rng.integers(len(docs)))]["summary"].split()
                j = int(rng.integers(0, len(words) - 2))
                q = f'"{words[j]} {words[j + 1]}"'
            elif kind == "prefix":
                q = str(rng.choice(common))[:4] + "*"
            else:
                q = " ".join(str(w) for w in rng.choice(common, {"word": 1, "words2": 2,
                                                                 "words3": 3}[kind]))
            filters: dict = {}
            nf = (k // 5) % 3
            if nf >= 1:
                filters["objective"] = [int(rng.integers(1, 24))]
            if nf >= 2:
                filters["region"] = [str(rng.choice(REGIONS))]
            out.append((kind, q, filters))
        return out


class Fts5:
    """The baseline, tuned: one FTS5 MATCH per query into a temp table, then plain SQL.

    WAL with synchronous=NORMAL, a large page cache and mmap, prefix indexes for 2-4
    characters, facet values in a (facet, value, doc_id) covering index and a
    (doc_id, facet, value) one. Per query: the MATCH once (rowid, bm25 with the title
    weighted 3x), the top 20, the total, one GROUP BY for every facet without a filter of its
    own, and one per filtered facet (counted with every filter but its own).
    """

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-200000;"
            "PRAGMA mmap_size=1000000000; PRAGMA temp_store=MEMORY;"
            "CREATE VIRTUAL TABLE fts USING fts5(title, body, prefix='2 3 4', "
            "tokenize='porter unicode61 remove_diacritics 2');"
            "CREATE TABLE docs (id INTEGER PRIMARY KEY, published REAL, start_year INT);"
            "CREATE TABLE facets (doc_id INT, facet TEXT, value TEXT);"
            "CREATE INDEX facets_fv ON facets (facet, value, doc_id);"
            "CREATE INDEX facets_doc ON facets (doc_id, facet, value);"
            "CREATE TEMP TABLE m (id INTEGER PRIMARY KEY, score REAL);")

    def add(self, docs: list[dict]) -> None:
        self.db.execute("BEGIN")
        for d in docs:
            body = " ".join(d[k] for k in ("summary", "description", "outcome", "results",
                                           "lessons", "implemented_by", "partners"))
            self.db.execute("INSERT INTO fts (rowid, title, body) VALUES (?, ?, ?)",
                            (d["id"], d["title"], body))
            self.db.execute("INSERT INTO docs VALUES (?, ?, ?)",
                            (d["id"], d["published_at"].timestamp(), d["start_year"]))
            rows = []
            for f in FACETS:
                value = d.get(f)  # generated documents leave newer facets (call) empty
                values = value if isinstance(value, list) else [value]
                rows += [(d["id"], f, str(v)) for v in values if v is not None]
            self.db.executemany("INSERT INTO facets VALUES (?, ?, ?)", rows)
        self.db.execute("COMMIT")

    def _where(self, filters: dict, skip: str | None, params: list) -> str:
        parts = []
        for f, values in filters.items():
            if f == skip:
                continue
            marks = ",".join("?" * len(values))
            parts.append("m.id IN (SELECT doc_id FROM facets WHERE facet = ? "
                         f"AND value IN ({marks}))")
            params += [f, *map(str, values)]
        return " AND ".join(parts) or "1"

    def search(self, q: str, filters: dict) -> tuple[int, list, dict]:
        db = self.db
        db.execute("DELETE FROM m")
        db.execute("INSERT INTO m SELECT rowid, bm25(fts, 3.0, 1.0) FROM fts WHERE fts MATCH ?",
                   (q,))
        params: list = []
        where = self._where(filters, None, params)
        top = db.execute(f"SELECT id FROM m WHERE {where} ORDER BY score, id LIMIT 20",
                         params).fetchall()
        total = db.execute(f"SELECT count(*) FROM m WHERE {where}", params).fetchone()[0]
        counts: dict = {}
        free = [f for f in FACETS if f not in filters]
        marks = ",".join("?" * len(free))
        for facet, value, n in db.execute(
                f"SELECT f.facet, f.value, count(*) FROM m JOIN facets f ON f.doc_id = m.id "
                f"WHERE {where} AND f.facet IN ({marks}) GROUP BY f.facet, f.value",
                [*params, *free]):
            counts.setdefault(facet, []).append((value, n))
        for facet in filters:
            fparams: list = []
            fwhere = self._where(filters, facet, fparams)
            counts[facet] = db.execute(
                f"SELECT f.value, count(*) FROM m JOIN facets f ON f.doc_id = m.id "
                f"WHERE {fwhere} AND f.facet = ? GROUP BY f.value",
                [*fparams, facet]).fetchall()
        return total, top, counts


def percentiles(samples: list[float]) -> tuple[float, float]:
    ms = sorted(s * 1000 for s in samples)
    return statistics.median(ms), ms[min(len(ms) - 1, int(0.95 * len(ms)))]


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def cpu_seconds() -> float:
    """Return CPU seconds used so far by this process and its finished children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def bench_size(n: int, n_queries: int, workdir: Path, slowest: int = 0) -> dict:
    started = time.monotonic()
    print(f"{n:,} practices: generating, building, querying...", flush=True)
    corpus = Corpus(seed=n)
    docs = [corpus.document(i) for i in range(1, n + 1)]
    queries = corpus.queries(n_queries + 40, docs)
    warmup, queries = queries[:40], queries[40:]
    row: dict = {"n": n}

    index = SearchIndex(workdir / f"kb-{n}")
    cpu = cpu_seconds()
    row["build_s"] = timed(index.rebuild, docs)
    row["build_cpu_s"] = cpu_seconds() - cpu
    row["size_mb"] = dir_size(workdir / f"kb-{n}") / 1e6
    open_s = timed(index.doc_count)
    row["open_s"] = open_s

    def kb_search(q, filters):
        index.search(SearchRequest(q=q, filters=filters, lang="en"))

    for _, q, f in warmup:
        kb_search(q, f)
    # One timed pass (a second pass would only measure the result cache).
    samples = []
    for kind, q, f in queries:
        cpu = time.process_time()
        wall = timed(kb_search, q, f)
        samples.append((kind, wall, time.process_time() - cpu, q, f))
    row["kb"] = percentiles([s[1] for s in samples])
    row["kb_cpu"] = percentiles([s[2] for s in samples])
    row["kb_kind"] = {kind: percentiles([s[1] for s in samples if s[0] == kind])
                      for kind in ("word", "words2", "words3", "phrase", "prefix")}
    row["kb_slowest"] = sorted(samples, key=lambda s: -s[1])[:slowest]

    publish = []
    for j in range(30):
        doc = corpus.document(n + 1 + j)
        doc["title"] = f"zzpublish{j} " + doc["title"]

        def publish_one(doc=doc, j=j):
            index.apply([doc], [])
            assert index.search(SearchRequest(q=f"zzpublish{j}")).total == 1
        publish.append(timed(publish_one))
    row["kb_publish"] = percentiles(publish)
    index.close()

    fts = Fts5(workdir / f"fts-{n}.db")
    cpu = cpu_seconds()
    row["fts_build_s"] = timed(fts.add, docs)
    row["fts_build_cpu_s"] = cpu_seconds() - cpu
    row["fts_size_mb"] = (workdir / f"fts-{n}.db").stat().st_size / 1e6
    for _, q, f in warmup:
        fts.search(q, f)
    fts_samples = []
    for _, q, f in queries:
        start = time.process_time()
        fts_samples.append((timed(fts.search, q, f), time.process_time() - start))
    row["fts"] = percentiles([s[0] for s in fts_samples])
    row["fts_cpu"] = percentiles([s[1] for s in fts_samples])
    fpublish = []
    for j in range(30):
        doc = corpus.document(n + 1 + j)
        doc["id"] = n + 100 + j
        doc["title"] = f"zzpublish{j} " + doc["title"]

        def fts_publish(doc=doc, j=j):
            fts.add([doc])
            assert fts.search(f"zzpublish{j}", {})[0] == 1
        fpublish.append(timed(fts_publish))
    row["fts_publish"] = percentiles(fpublish)
    row["total_s"] = time.monotonic() - started
    return row


def report(row: dict) -> None:
    n = row["n"]
    kb_med, kb_p95 = row["kb"]
    f_med, f_p95 = row["fts"]
    print(f"\n== {n:,} practices ==")
    print(f"{'':28}{'kb.search':>14}{'FTS5':>14}{'kb/FTS5':>10}")
    print(f"{'build docs/s':28}{n / row['build_s']:14.0f}{n / row['fts_build_s']:14.0f}"
          f"{row['fts_build_s'] / row['build_s']:10.2f}x faster")
    print(f"{'build CPU ms/doc':28}{row['build_cpu_s'] * 1000 / n:14.2f}"
          f"{row['fts_build_cpu_s'] * 1000 / n:14.2f}")
    print(f"{'index size MB':28}{row['size_mb']:14.1f}{row['fts_size_mb']:14.1f}")
    print(f"{'query+facets median ms':28}{kb_med:14.1f}{f_med:14.1f}{kb_med / f_med:10.2f}")
    print(f"{'query+facets p95 ms':28}{kb_p95:14.1f}{f_p95:14.1f}{kb_p95 / f_p95:10.2f}")
    c_med, c_p95 = row["kb_cpu"]
    fc_med, fc_p95 = row["fts_cpu"]
    print(f"{'  CPU median ms':28}{c_med:14.1f}{fc_med:14.1f}{c_med / fc_med:10.2f}")
    print(f"{'  CPU p95 ms':28}{c_p95:14.1f}{fc_p95:14.1f}{c_p95 / fc_p95:10.2f}")
    for kind, (m, p) in row["kb_kind"].items():
        print(f"{'  kb ' + kind + ' median/p95 ms':28}{m:8.1f}/{p:5.1f}")
    for kind, wall, cpu, q, f in row["kb_slowest"]:
        print(f"    slow: {wall * 1000:7.1f} ms (CPU {cpu * 1000:5.1f}) {kind:7} {q!r} {f}")
    pm, pp = row["kb_publish"]
    fm, fp = row["fts_publish"]
    print(f"{'publish->searchable med ms':28}{pm:14.1f}{fm:14.1f}{pm / fm:10.2f}")
    print(f"{'publish->searchable p95 ms':28}{pp:14.1f}{fp:14.1f}{pp / fp:10.2f}")
    print(f"{'first open (columns) s':28}{row['open_s']:14.2f}")
    print(f"{'whole run for this size s':28}{row['total_s']:14.0f}")
    for text, ok in targets(row):
        print(f"  target {text}: {'met' if ok else 'NOT met'}")


def targets(row: dict) -> list[tuple[str, bool]]:
    """Return issue 12's targets (set at 10,000 and 100,000 practices) and whether met."""
    kb_med, kb_p95 = row["kb"]
    if row["n"] == 100_000:
        return [(f"query+facets median <= 100 ms ({kb_med:.1f})", kb_med <= 100)]
    if row["n"] != 10_000:
        return []
    f_med, f_p95 = row["fts"]
    rate = row["n"] / row["build_s"]
    return [
        (f"query+facets median no slower than FTS5 ({kb_med:.1f} vs {f_med:.1f} ms)",
         kb_med <= f_med),
        (f"query+facets p95 no slower than FTS5 ({kb_p95:.1f} vs {f_p95:.1f} ms)",
         kb_p95 <= f_p95),
        (f"publish->searchable p95 <= 150 ms ({row['kb_publish'][1]:.1f})",
         row["kb_publish"][1] <= 150),
        (f"rebuild >= 150 practices/s ({rate:.0f})", rate >= 150),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--large", action="store_true", help="add 100,000 practices")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--slowest", type=int, default=0, metavar="N",
                        help="also print the N slowest kb queries (kind, query, filters)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.large:
        sizes.append(100_000)
    workdir = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
          " (other processes share the machine: wall-clock figures include their load)")
    try:
        for n in sizes:
            report(bench_size(n, args.queries, workdir, args.slowest))
            load = os.getloadavg()
            print(f"load average now {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
