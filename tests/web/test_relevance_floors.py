"""Floors for bench/relevance.py: precision at 5 and recall at 10, on both judged sets.

The judged queries (bench/relevance_demo.json over the demo repository,
bench/relevance_heldout.json over bench/heldout_practices.json) were written before any
search was run; the floors sit a little under the figures measured once search kept only
the synonym, translation and partial matches that are about the query (see
bench/relevance.py for the definitions, kb/search/matching.py and about.py for the rules). Before
issue 18 (every word had to match) the demo set measured recall at 10 of 0.29 and the
held-out set 0.25.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "relevance.py"
FLOORS = {  # set: {kind: (p@5, r@10)}; a "noanswer" p@5 of 1.0 means they all return nothing
    "demo": {
        "all": (0.87, 0.90),
        "en": (0.77, 0.92),
        "fr": (0.95, 0.92),
        "es": (0.99, 0.80),
        "multiword": (0.78, 0.84),
        "variant": (0.97, 0.88),
        "misspelling": (0.89, 0.95),
        "noanswer": (0.99, 0.0),
    },
    "heldout": {
        "all": (0.90, 0.90),
        "en": (0.95, 0.95),
        "fr": (0.85, 0.80),
        "es": (0.88, 0.86),
        "multiword": (0.95, 0.75),
        "variant": (0.85, 0.95),
        "noanswer": (0.99, 0.0),
    },
}


def _bench():
    spec = importlib.util.spec_from_file_location("relevance_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _measure(app, name: str):
    from kb import demo
    from kb.services import indexing

    bench = _bench()
    practices, queries_file = bench.SETS[name]
    queries = json.loads(queries_file.read_text(encoding="utf-8"))["queries"]
    with app.app_context():
        if practices is None:
            demo.load()
        else:
            demo.load(practices)
        indexing.rebuild()
    return bench, queries


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_relevance_holds_its_floors(app, name):
    bench, queries = _measure(app, name)
    table = bench.score(bench.run_queries(app, queries))
    for kind, (p5, r10) in FLOORS[name].items():
        assert table[kind]["p@5"] >= p5, (name, kind, table[kind])
        assert table[kind]["r@10"] >= r10, (name, kind, table[kind])


def test_held_out_precision_is_not_below_the_all_words_baseline_of_the_same_run(app):
    # The target, measured as bench/relevance.py does. It holds on the held-out
    # set; on the demo set precision at 5 is still below the baseline (see the floors).
    bench, queries = _measure(app, "heldout")
    before = bench.score(bench.run_queries(app, queries, baseline=True))["all"]
    now = bench.score(bench.run_queries(app, queries))["all"]
    assert now["r@10"] >= 0.9
    assert now["p@5"] >= before["p@5"], (before, now)
