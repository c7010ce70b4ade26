"""Disjunctive facet counts, selection flags, sorting and pagination."""
from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.search import FACETS, SearchIndex, SearchRequest

from .test_search_helpers import make_doc

REGIONS = ["africa", "arab-states", "asia-pacific", "europe-north-america"]
LEVELS = ["local", "national", "regional", "global"]


def corpus(n: int = 60) -> list[dict]:
    rng = random.Random(5)
    return [
        make_doc(i, f"{rng.choice(['Alpha', 'beta', 'Éclair', 'delta'])} practice {i}",
                 summary=rng.choice(["labour migration", "health care", "return"]),
                 objective=rng.sample(range(1, 6), rng.randint(1, 3)),
                 region=rng.sample(REGIONS, rng.randint(1, 2)), level=rng.choice(LEVELS),
                 language=rng.choice(["en", "fr", "es", "other"]),
                 start_year=rng.choice([None, 2001, 2005, 2010]))
        for i in range(1, n + 1)
    ]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    ix = SearchIndex(tmp_path_factory.mktemp("facets"))
    ix.rebuild(corpus())
    yield ix
    ix.close()


FILTERS = st.fixed_dictionaries({}, optional={
    "objective": st.lists(st.integers(1, 6), max_size=2, unique=True),
    "region": st.lists(st.sampled_from(REGIONS), max_size=2, unique=True),
    "level": st.lists(st.sampled_from(LEVELS), max_size=2, unique=True),
    "language": st.lists(st.sampled_from(["en", "fr", "es", "other"]), max_size=2, unique=True),
})


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filters=FILTERS, q=st.sampled_from(["", "migration", "health OR return", "-labour"]),
       years=st.sampled_from([(None, None), (2004, None), (None, 2005)]))
def test_each_count_equals_the_total_a_click_returns(index, filters, q, years):
    req = SearchRequest(q=q, filters=filters, year_from=years[0], year_to=years[1])
    results = index.search(req)
    for facet, counts in results.facets.items():
        for fc in counts:
            if fc.selected:
                continue
            # Counted with every filter but its own facet's: with nothing selected in the
            # facet that is what a click returns; otherwise what selecting it alone returns.
            only = {**filters, facet: [fc.value]}
            click = index.search(SearchRequest(q=q, filters=only, year_from=years[0],
                                               year_to=years[1]))
            assert click.total == fc.count, (facet, fc.value)


def test_every_facet_is_reported_and_selected_values_are_flagged(index):
    results = index.search(SearchRequest(filters={"region": ["africa", "nowhere"]}))
    assert set(results.facets) == set(FACETS)
    selected = {fc.value: fc for fc in results.facets["region"] if fc.selected}
    assert set(selected) == {"africa", "nowhere"}
    assert selected["nowhere"].count == 0
    counts = [fc.count for fc in results.facets["objective"]]
    assert counts == sorted(counts, reverse=True)


def test_unknown_facet_name_is_a_value_error(index):
    with pytest.raises(ValueError, match=r"unknown facet\(s\): contact"):
        index.search(SearchRequest(filters={"contact": ["x"]}))


def test_year_range_filters_on_start_year(index):
    hits = index.search(SearchRequest(year_from=2005, year_to=2005, per_page=100)).hits
    assert hits
    assert all(h.start_year == 2005 for h in hits)


@pytest.mark.parametrize("sort", ["relevance", "newest", "title", "start_year", None])
def test_pages_are_stable_and_disjoint(index, sort):
    pages = [index.search(SearchRequest(q="practice", sort=sort, page=p, per_page=7))
             for p in range(1, 11)]
    seen = [h.id for r in pages for h in r.hits]
    assert len(seen) == len(set(seen)) == pages[0].total == 60


def test_sort_orders(index):
    newest = index.search(SearchRequest(per_page=100)).hits
    assert [h.published_at for h in newest] == sorted((h.published_at for h in newest),
                                                     reverse=True)
    titles = [h.title.lower().replace("é", "e")
              for h in index.search(SearchRequest(sort="title", per_page=100)).hits]
    assert titles[0].startswith("alpha")
    assert titles[-1].startswith("eclair")
    years = [h.start_year for h in index.search(SearchRequest(sort="start_year",
                                                               per_page=100)).hits]
    known = [y for y in years if y is not None]
    assert known == sorted(known)
    assert years[-1] is None


def test_counts_of_a_few_matches_equal_their_values(tmp_path):
    # A query matching a few practices of many counts their values one by one (a sparse
    # result): the counts must be theirs exactly.
    docs = corpus(120)
    for i in (5, 17, 42, 43, 99):
        docs[i - 1]["title"] += " zorb"
    ix = SearchIndex(tmp_path / "index")
    ix.rebuild(docs)
    ix.apply([], [43])
    results = ix.search(SearchRequest(q="zorb"))
    matched = [docs[i - 1] for i in (5, 17, 42, 99)]
    assert results.total == len(matched)
    for facet in ("objective", "region", "level", "language"):
        expected: dict = {}
        for doc in matched:
            values = doc[facet] if isinstance(doc[facet], list) else [doc[facet]]
            for v in values:
                expected[v] = expected.get(v, 0) + 1
        assert {fc.value: fc.count for fc in results.facets[facet]} == expected, facet
    ix.close()
