"""Index writing: the term-list writer, segment merges and the parallel rebuild agree."""
from __future__ import annotations

import html
import random

import pytest

from kb.search import SearchIndex, SearchRequest, build
from kb.search.merging import MAX_SMALL_SEGMENTS

from .test_search_helpers import make_doc

WORDS = ("labour migration health clinic remittance border children women return skills "
         "housing language training data protection community diaspora").split()
QUERIES = ["", "labour", "health clinic", '"labour migration"', "rem*", "children -women",
           "border OR housing", "title:skills"]


def corpus(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    lang = ["en", "fr", "es", "other"]
    return [make_doc(i, " ".join(rng.choices(WORDS, k=4)),
                     summary=" ".join(rng.choices(WORDS, k=rng.choice((0, 30)))),
                     description=" ".join(rng.choices(WORDS, k=rng.randint(0, 400))),
                     outcome=f"outcome {i}: " + " ".join(rng.choices(WORDS, k=6)),
                     partners=f"Partner & co {i}", language=lang[i % 4],
                     objective=[1 + i % 5], region=[["africa", "asia"][i % 2]])
            for i in range(1, n + 1)]


def answers(ix: SearchIndex) -> list:
    out = []
    for q in QUERIES:
        res = ix.search(SearchRequest(q=q, per_page=100, sort="title"))
        facets = {f: [(c.value, c.count) for c in v] for f, v in res.facets.items()}
        out.append((q, res.total, [(h.id, h.highlights) for h in res.hits], facets))
    return out


def snippets_come_from_the_documents(ix: SearchIndex, docs: list[dict]) -> int:
    """Check that every snippet of another field quotes that field of its document (merged
    segments keep each document's texts); return how many there were."""
    by_id = {d["id"]: d for d in docs}
    seen = 0
    for q in ("outcome", "partner", *QUERIES[1:]):
        for hit in ix.search(SearchRequest(q=q, per_page=100)).hits:
            for field, marked in hit.highlights.items():
                if field in ("title", "summary"):
                    continue
                plain = html.unescape(marked.replace("<mark>", "").replace("</mark>", ""))
                assert plain.strip("…") in by_id[hit.id][field], (q, hit.id, field)
                seen += 1
    return seen


def test_one_document_commits_and_their_merges_answer_like_a_rebuild(tmp_path):
    docs = corpus(3 * MAX_SMALL_SEGMENTS)
    built = SearchIndex(tmp_path / "built")
    built.rebuild(docs)
    applied = SearchIndex(tmp_path / "applied")
    applied.create()
    for doc in docs:  # enough single commits for the small segments to be merged
        applied.apply([doc], [])
    changed = {**docs[0], "title": "Labour", "version": "x"}
    applied.apply([changed], [docs[1]["id"]])
    built.rebuild([changed, *docs[2:]])
    assert answers(applied) == answers(built)
    assert snippets_come_from_the_documents(applied, [changed, *docs[2:]]) > 10
    assert applied.versions() == built.versions()
    built.close()
    applied.close()


@pytest.mark.parametrize("n", [0, 1, 57])
def test_a_parallel_rebuild_answers_like_a_serial_one(tmp_path, monkeypatch, n):
    docs = corpus(n)
    serial = SearchIndex(tmp_path / "serial")
    assert serial.rebuild(docs) == n
    monkeypatch.setattr(build, "PARALLEL_MIN", 1)
    monkeypatch.setattr(build, "BATCH", 5)
    parallel = SearchIndex(tmp_path / "parallel")
    seen = []
    assert parallel.rebuild(iter(docs), progress=seen.append) == n
    assert seen[-1] == n
    assert answers(parallel) == answers(serial)
    assert parallel.versions() == serial.versions()
    serial.close()
    parallel.close()


def test_a_failing_parallel_rebuild_keeps_the_live_index(tmp_path, monkeypatch):
    ix = SearchIndex(tmp_path / "index")
    ix.rebuild(corpus(3))
    monkeypatch.setattr(build, "PARALLEL_MIN", 1)
    monkeypatch.setattr(build, "BATCH", 5)

    def documents():
        yield from corpus(20)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        ix.rebuild(documents())
    assert ix.doc_count() == 3
    assert len([p for p in ix.path.iterdir() if p.name.startswith("ix-")]) == 1
    ix.close()


def test_one_document_commits_are_merged_in_the_background_by_size_tier(tmp_path):
    ix = SearchIndex(tmp_path / "index")
    ix.rebuild(corpus(3))
    for doc in corpus(2 * MAX_SMALL_SEGMENTS + 1, seed=3):
        ix.apply([{**doc, "id": doc["id"] + 100}], [])
    ix.close()  # stops a background merge, waiting or running: merge() does the tiers here
    while ix.pending_merge():
        assert ix.merge(timeout=5)
    sizes = sorted(ix.segment_sizes())
    assert len(sizes) < 2 * MAX_SMALL_SEGMENTS
    assert sum(sizes) == 3 + 2 * MAX_SMALL_SEGMENTS + 1
    assert ix.doc_count() == 3 + 2 * MAX_SMALL_SEGMENTS + 1
    ix.close()
