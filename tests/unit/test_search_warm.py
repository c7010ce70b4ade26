"""A warmed index (gunicorn's master: postings, document frequencies and analysis read ahead
of the first search) answers exactly as one that reads everything on demand.

Related practices are also checked against a plain model: a practice is related to another
when they share an objective or one of its twelve most distinctive title and summary terms
(fewest live practices having the term in their title or body, counted with sets).
"""
from __future__ import annotations

import random

import pytest

from kb.search import SearchIndex, SearchRequest
from kb.search.analysis import analyze

from .test_search_helpers import make_doc

WORDS = [a + b for a in ("bar", "kel", "mor", "tam", "vin", "zor", "gus", "hep", "lom", "nad")
         for b in ("pa", "lu", "do", "ri", "so", "ko", "ta", "ne", "mi", "fu")]
OBJECTIVES = range(1, 24)


def corpus(seed: int) -> tuple[list[list[dict]], list[list[int]]]:
    """Return batches of documents (edits included) and the ids each batch deletes."""
    rng = random.Random(seed)

    def doc(doc_id: int, version: int) -> dict:
        # Skewed word choice: common and rare words, so distinctiveness varies.
        def text(n: int) -> str:
            return " ".join(WORDS[min(int(rng.expovariate(0.05)), len(WORDS) - 1)]
                            for _ in range(n))
        return make_doc(doc_id, text(rng.randint(2, 4)).capitalize(), summary=text(20),
                        description=text(rng.randint(0, 5)),
                        objective=rng.sample(OBJECTIVES, 1),
                        version=f"v{version}")

    batches = [[doc(i, 1) for i in range(1, 31)]]
    deletes: list[list[int]] = [[]]
    for version in (2, 3, 4):  # later, smaller segments: edits, new practices, withdrawals
        ids = rng.sample(range(1, 31 + 5 * version), 6)
        batches.append([doc(i, version) for i in ids[:4]])
        deletes.append(ids[4:])
    return batches, deletes


# Three corpora; test-fast builds the first, the slow twins (make test-slow, CI) the other two.
@pytest.fixture(params=[1, pytest.param(2, marks=pytest.mark.slow),
                        pytest.param(3, marks=pytest.mark.slow)])
def built(request, tmp_path):
    batches, deletes = corpus(request.param)
    ix = SearchIndex(tmp_path / "index")
    ix.create()
    live: dict[int, dict] = {}
    for upserts, removed in zip(batches, deletes, strict=True):
        ix.apply(upserts, removed)
        live.update({d["id"]: d for d in upserts})
        for doc_id in removed:
            live.pop(doc_id, None)
    ix.close()
    return tmp_path / "index", live


def answers(ix: SearchIndex, live: dict[int, dict]) -> list:
    out = []
    for doc_id in sorted(live):
        out.append([(h.id, h.score) for h in ix.related(doc_id, limit=100)])
    # Three or more words: partial matches, checked against each title and summary.
    several = [" ".join(WORDS[i::37][:k]) for i in range(20) for k in (3, 4, 5)]
    for q in [*WORDS, "barpa kello", "morri OR tamso", "vin*", *several]:
        results = ix.search(SearchRequest(q=q, per_page=100))
        out.append((results.total, [(h.id, h.score, h.highlights) for h in results.hits]))
    return out


def test_a_warmed_index_answers_exactly_as_a_cold_one(built):
    path, live = built
    cold, warm = SearchIndex(path), SearchIndex(path)
    warm.warm()
    warm.release_files()
    try:
        assert answers(warm, live) == answers(cold, live)
    finally:
        cold.close()
        warm.close()


def model_related(live: dict[int, dict], doc_id: int) -> set[int]:
    def terms(doc: dict, parts: tuple[str, ...]) -> set[str]:
        return set(analyze(" ".join(doc[p] for p in parts), "en"))

    indexed = {i: terms(d, ("title", "summary", "description")) for i, d in live.items()}
    own = live[doc_id]
    df = {t: sum(t in words for words in indexed.values())
          for t in terms(own, ("title", "summary"))}
    chosen = {t for _, t in sorted((n, t) for t, n in df.items() if n)[:12]}
    return {i for i, d in live.items() if i != doc_id and (
        chosen & indexed[i] or set(d["objective"]) & set(own["objective"]))}


def test_related_practices_are_those_a_plain_model_relates(built):
    path, live = built
    ix = SearchIndex(path)
    ix.warm()
    try:
        for doc_id in sorted(live):
            assert {h.id for h in ix.related(doc_id, limit=100)} == model_related(live, doc_id)
    finally:
        ix.close()
