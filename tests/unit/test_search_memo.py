"""What a snapshot keeps of each query (kb.search.memo) never changes an answer."""
from __future__ import annotations

from unittest import mock

import pytest

from kb.search import SearchIndex, SearchRequest, searcher
from kb.search.memo import Memo

from .test_search_helpers import make_doc

DOCS = [
    make_doc(1, "Trafficking prevention hotline", summary="Counselling for migrant workers",
             objective=[10], region=["asia"]),
    make_doc(2, "Migrant workers' wage protection", summary="Remittances and fair wages",
             objective=[6], region=["africa"]),
    make_doc(3, "Remesas para familias", language="es", summary="Trabajadores migrantes",
             objective=[20], region=["americas"]),
    make_doc(4, "Hotline for domestic workers", summary="Trafficking survivors get help",
             objective=[10, 6], region=["asia"]),
    make_doc(5, "Envois de fonds", language="fr", summary="Travailleurs migrants",
             objective=[20], region=["europe"]),
]
REQUESTS = [SearchRequest(q=q, per_page=per_page, page=page, filters=filters, sort=sort,
                          lang=lang)
            for q in ("trafiking hotline", "migrant workers", "remittances", "workers -wage",
                      "migrant")
            for per_page, page, filters, sort, lang in (
                (10, 1, {}, None, None), (1, 2, {}, None, None), (10, 1, {}, None, "es"),
                (10, 1, {"objective": [10]}, None, "fr"),
                (10, 1, {"region": ["asia", "europe"]}, "title", None))]


@pytest.fixture
def index(tmp_path):
    ix = SearchIndex(tmp_path / "ix")
    ix.rebuild(DOCS[:3])
    for doc in DOCS[3:]:
        ix.apply([doc], [])
    yield ix
    ix.close()


def test_a_query_asked_again_answers_as_it_does_asked_first(index):
    """Each request, asked after the others (its words' plan, matches and corrections kept),
    gets the answer it gets from an index that has kept nothing."""
    kept = [index.search(req) for req in REQUESTS]
    assert any(res.suggestion for res in kept)
    assert any(res.hits for res in kept)
    for req, answer in zip(REQUESTS, kept, strict=True):
        index.clear_cache()
        assert index.search(req) == answer


def test_what_was_kept_is_not_used_after_the_index_changes(index):
    before = index.search(SearchRequest(q="hotline"))
    index.apply([make_doc(6, "Hotline in Nairobi", objective=[10])], [])
    after = index.search(SearchRequest(q="hotline", filters={"objective": [10]}))
    assert {hit.id for hit in before.hits} == {1, 4}
    assert {hit.id for hit in after.hits} == {1, 4, 6}


def test_a_query_cut_short_by_its_time_budget_is_not_kept(index):
    with mock.patch.object(searcher, "TIME_BUDGET", -1.0):
        cut = index.search(SearchRequest(q="migrant workers"))
    whole = index.search(SearchRequest(q="migrant workers", per_page=5))
    assert "timed_out" in {notice.code for notice in cut.notices}
    assert "timed_out" not in {notice.code for notice in whole.notices}
    assert whole.total == 4  # in three languages


def test_a_memo_forgets_its_least_recently_used_values_past_its_budget():
    memo = Memo(budget=10)
    memo.put("a", 1, 4)
    memo.put("b", 2, 4)
    assert memo.get("a") == 1  # now the most recently used
    memo.put("c", 3, 4)
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == (1, None, 3)
    memo.put("huge", 4, 50)  # more than the budget alone: kept until the next one
    assert (memo.get("a"), memo.get("huge")) == (None, 4)
