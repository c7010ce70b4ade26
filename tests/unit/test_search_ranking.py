"""Ranking as a reader sees it, on generated corpora (hypothesis): invariants, not scores.

- no score is ever negative;
- of two practices that differ only in how many of the query's words they contain, the one
  with more never ranks lower;
- a word in the title beats the same word in the body;
- after any sequence of publishes, edits and withdrawals the order is the one a fresh
  rebuild of the same practices gives.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from kb.search import SearchIndex, SearchRequest
from tests.sizes import given_fast_and_full

from .test_search_helpers import make_doc

QUERY_WORDS = ["housing", "migration", "labour", "health", "border", "school", "water"]
FILLER = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "kilo", "lima"]
WORDS = QUERY_WORDS + FILLER
SETTINGS = settings(deadline=None, derandomize=True,  # the example counts: in each test
                    suppress_health_check=[HealthCheck.too_slow])

BACKGROUND = [(f"{QUERY_WORDS[i % 7]} {FILLER[i % 9]} {QUERY_WORDS[i * 3 % 7]}",
               f"{QUERY_WORDS[i * 5 % 7]} {FILLER[i * 2 % 9]}") for i in range(40)]
"""Practices present in every generated corpus, so that posting lists are long enough to be
stored in blocks (short ones live in Whoosh's term table)."""

texts = st.lists(st.sampled_from(WORDS), min_size=0, max_size=12).map(" ".join)
titles = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)
queries = st.one_of(
    st.sampled_from(QUERY_WORDS),
    st.lists(st.sampled_from(QUERY_WORDS), min_size=2, max_size=3, unique=True).map(" OR ".join),
    st.lists(st.sampled_from(QUERY_WORDS), min_size=2, max_size=2, unique=True).map(" ".join),
)


def ranking(ix: SearchIndex, q: str) -> list[tuple[int, float]]:
    results = ix.search(SearchRequest(q=q, sort="relevance", per_page=100))
    return [(hit.id, hit.score) for hit in results.hits]


def positions(ix: SearchIndex, q: str) -> dict[int, int]:
    return {doc_id: i for i, (doc_id, _) in enumerate(ranking(ix, q))}


def fresh(tmp: str, name: str) -> SearchIndex:
    return SearchIndex(Path(tmp) / name)


def rebuild_then_edit(ix: SearchIndex, docs: list[dict]) -> None:
    """Build from docs plus 40 practices with every query word, then save those 40 again.

    Their old copies stay in the rebuilt segment, deleted, as after a day of edits (and
    posting lists are long enough to be stored in blocks).
    """
    common = " ".join(QUERY_WORDS)
    others = [make_doc(100 + i, f"{common} {FILLER[i % 9]}", description=common)
              for i in range(40)]
    ix.rebuild(docs + others)
    ix.apply(others, [])


def test_words_in_the_title_and_more_query_words_rank_higher_after_edits(tmp_path):
    """The case review found: most practices edited once, ranking turned upside down.

    (Posting lists long enough to be stored in blocks, as in any real repository.)
    """
    ix = SearchIndex(tmp_path / "index")
    docs = [make_doc(1, "Migration and housing"), make_doc(2, "Housing first")]
    docs += [make_doc(i, f"Migration, housing and work plan {i}") for i in range(3, 61)]
    ix.rebuild(docs)
    ix.apply([{**doc, "version": "edited"} for doc in docs[:40]], [])
    found = positions(ix, "migration OR housing")
    assert found[1] < found[2]
    assert all(score > 0 for _, score in ranking(ix, "migration OR housing"))
    ix.close()



changes_of = st.lists(
    st.tuples(st.lists(st.integers(0, 47), min_size=1, max_size=30, unique=True),
              st.one_of(st.none(), st.tuples(titles, texts), st.just("again"))),
    min_size=1, max_size=6)


@given_fast_and_full(st.lists(st.tuples(titles, texts), min_size=0, max_size=8),
                     changes_of, queries,
                     base=SETTINGS, fast=10, full=30)
def test_order_after_edits_equals_order_after_a_rebuild(corpus, changes, q):
    docs = {i + 1: make_doc(i + 1, title, description=body)
            for i, (title, body) in enumerate([*BACKGROUND, *corpus])}
    with tempfile.TemporaryDirectory() as tmp:
        edited = fresh(tmp, "edited")
        edited.rebuild(docs.values())
        for positions_, change in changes:  # one publish: some practices, one change
            ids = {p % (len(BACKGROUND) + len(corpus)) + 1 for p in positions_}
            if change is None:  # withdrawn (or already gone)
                for doc_id in ids:
                    docs.pop(doc_id, None)
                edited.apply([], ids)
                continue
            if change != "again":  # edited (or published again), else saved unchanged
                for doc_id in ids:
                    docs[doc_id] = make_doc(doc_id, change[0], description=change[1])
            edited.apply([docs[i] for i in ids if i in docs], [])
        rebuilt = fresh(tmp, "rebuilt")
        rebuilt.rebuild(docs.values())
        after_edits, after_rebuild = ranking(edited, q), ranking(rebuilt, q)
        assert [d for d, _ in after_edits] == [d for d, _ in after_rebuild]
        for (_, a), (_, b) in zip(after_edits, after_rebuild, strict=True):
            assert a >= 0
            assert abs(a - b) <= 1e-4 * max(1.0, b)
        edited.close()
        rebuilt.close()


@given_fast_and_full(st.lists(st.tuples(titles, texts), min_size=0, max_size=8),
                     st.lists(st.sampled_from(FILLER), min_size=3, max_size=15),
                     st.lists(st.sampled_from(QUERY_WORDS), min_size=2, max_size=3, unique=True),
                     st.data(),
                     base=SETTINGS, fast=10, full=30)
def test_a_practice_with_more_of_the_query_words_never_ranks_lower(corpus, body, words, data):
    fewer = data.draw(st.integers(0, len(words) - 1), label="words the second one lacks")
    spots = data.draw(st.lists(st.integers(0, len(body)), min_size=len(words),
                               max_size=len(words)), label="where the words go")

    def text(count: int) -> str:
        out = list(body)
        for i, (word, spot) in enumerate(zip(words, spots, strict=True)):
            out.insert(spot + i, word if i < count else "zulu")  # same length either way
        return " ".join(out)

    docs = [make_doc(i + 10, title, description=desc) for i, (title, desc) in enumerate(corpus)]
    docs += [make_doc(1, "A practice", description=text(len(words))),
             make_doc(2, "A practice", description=text(fewer))]
    with tempfile.TemporaryDirectory() as tmp:
        ix = fresh(tmp, "index")
        rebuild_then_edit(ix, docs)
        for q in (" OR ".join(words), " ".join(words), words[0]):
            found = positions(ix, q)
            if 2 in found:
                assert 1 in found, q
                assert found[1] < found[2], q
            assert all(score >= 0 for _, score in ranking(ix, q))
        ix.close()


@given_fast_and_full(st.lists(st.tuples(titles, texts), min_size=0, max_size=8),
                     st.lists(st.sampled_from(FILLER), min_size=0, max_size=6),
                     st.lists(st.sampled_from(FILLER), min_size=0, max_size=30),
                     st.sampled_from(QUERY_WORDS),
                     base=SETTINGS, fast=10, full=30)
def test_a_word_in_the_title_beats_the_same_word_in_the_body(corpus, title, body, word):
    docs = [make_doc(i + 10, t, description=d) for i, (t, d) in enumerate(corpus)]
    docs += [make_doc(1, " ".join([*title, word]), description=" ".join([*body, "zulu"])),
             make_doc(2, " ".join([*title, "zulu"]), description=" ".join([*body, word]))]
    with tempfile.TemporaryDirectory() as tmp:
        ix = fresh(tmp, "index")
        rebuild_then_edit(ix, docs)
        found = positions(ix, word)
        assert found[1] < found[2]
        ix.close()


def test_partial_matches_do_not_depend_on_which_segments_hold_the_practices(tmp_path,
                                                                            monkeypatch):
    """More equal-scoring candidates than the about-check reads: the same ones are chosen
    whether a rebuild or a run of publishes (which number documents differently) indexed them.
    """
    from kb.search import matching

    monkeypatch.setattr(matching, "ABOUT_LIMIT", 3)
    twins = [make_doc(i, "Housing and migration plan", summary="Housing and migration")
             for i in range(1, 9)]
    others = [make_doc(100, "Water points", summary="Water")]
    others += [make_doc(200 + i, f"{FILLER[i % 9]} {FILLER[(i + 3) % 9]}") for i in range(30)]
    rebuilt = SearchIndex(tmp_path / "rebuilt")
    rebuilt.rebuild(twins + others)
    published = SearchIndex(tmp_path / "published")
    published.rebuild(others)
    for doc in reversed(twins):  # one segment each, the highest id first
        published.apply([doc], [])
    found = {}
    for name, ix in (("rebuilt", rebuilt), ("published", published)):
        hits = ix.search(SearchRequest(q="housing migration water", per_page=100)).hits
        found[name] = [hit.id for hit in hits if hit.match == "some"]
        ix.close()
    assert found["rebuilt"] == found["published"] == [1, 2, 3]
