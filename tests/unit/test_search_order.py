"""The first page of results is chosen without sorting every match (kb.search.searcher):
it must be exactly the head of the full sort, whatever the ties."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.search.searcher import _first


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.integers(1, 400), st.integers(1, 60), st.integers(0, 2**32 - 1),
       st.sampled_from([1, 3, 50]), st.booleans())
def test_the_first_results_are_the_head_of_the_full_sort(n, limit, seed, spread, tiered):
    rng = np.random.default_rng(seed)
    ids = rng.permutation(n).astype(np.int64) + 1
    score = -rng.integers(0, spread, n).astype(np.float32)  # few distinct scores: many ties
    keys = (ids, score, rng.integers(0, 3, n).astype(np.int64)) if tiered else (ids, score)
    assert _first(keys, limit).tolist() == np.lexsort(keys)[:limit].tolist()


def test_full_ties_keep_their_order_and_nan_scores_sort_last():
    ids = np.array([5, 5, 5, 1, 2], np.int64)  # equal on every key: the stable order decides
    zero = np.zeros(5, np.float32)
    assert _first((ids, zero), 2).tolist() == np.lexsort((ids, zero))[:2].tolist()
    score = np.array([np.nan, -1.0, -2.0, np.nan, -3.0], np.float32)
    ids = np.arange(5, dtype=np.int64)
    assert _first((ids, score), 4).tolist() == np.lexsort((ids, score))[:4].tolist()


def test_pages_are_consecutive_slices_of_one_order(tmp_path):
    from kb.search import SearchIndex, SearchRequest

    from .test_search_helpers import make_doc

    index = SearchIndex(tmp_path / "index")
    index.rebuild([make_doc(i, "Zorb practice", description="zorb " * (i % 4))
                   for i in range(1, 31)])
    for sort in (None, "newest", "title"):
        whole = [h.id for h in index.search(SearchRequest(q="zorb", sort=sort,
                                                          per_page=100)).hits]
        pages = [[h.id for h in index.search(SearchRequest(q="zorb", sort=sort, page=p,
                                                           per_page=4)).hits]
                 for p in range(1, 10)]
        assert [len(p) for p in pages] == [4] * 7 + [2, 0]
        assert [i for p in pages for i in p] == whole
        assert len(set(whole)) == 30
    index.close()
