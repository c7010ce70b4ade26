"""kb.search against references it does not share code with.

1. A plain Python model of the same documents (sets and dicts, no index): after random
   rebuilds, publishes, edits and withdrawals, every query's matches and total, and every
   facet's counts, are what the model says.
2. Stock Whoosh (a public ``Searcher`` with public queries, no kb code) reads the segments kb
   writes and finds the same documents, the same stored cards and the same counts.
"""
from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.query import And, Every, Not, Or, Prefix, Term

from kb.search import FACETS, SearchIndex, SearchRequest
from kb.search.analysis import analyze, term
from tests.sizes import given_fast_and_full

from .test_search_helpers import make_doc

# Invented words: no stemmer, stop list, variant or glossary touches them.
WORDS = ["zorb", "quant", "mivel", "drako", "plint", "varu", "tesk", "omba"]
REGIONS = ["africa", "europe-north-america", "asia-pacific"]
LEVELS = ["local", "national", "global"]
MODEL_FACETS = {"objective": True, "region": True, "level": False, "language": False}

documents = st.fixed_dictionaries({
    "title": st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
    "description": st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join),
    "objective": st.lists(st.integers(1, 4), max_size=2, unique=True),
    "region": st.lists(st.sampled_from(REGIONS), max_size=2, unique=True),
    "level": st.one_of(st.none(), st.sampled_from(LEVELS)),
    "language": st.sampled_from(["en", "fr", "es"]),
})
operations = st.lists(st.lists(st.tuples(st.integers(1, 12), st.one_of(st.none(), documents)),
                               min_size=1, max_size=4), max_size=5)
prefixes = st.tuples(st.sampled_from(WORDS), st.integers(2, 3)).map(lambda p: p[0][:p[1]] + "*")
queries = st.one_of(
    st.just(""),
    st.sampled_from(WORDS),
    prefixes,
    st.tuples(prefixes, st.sampled_from(WORDS)).map(lambda p: f"{p[0]} -{p[1]}"),
    st.tuples(st.sampled_from(WORDS), st.sampled_from(WORDS)).map(" AND ".join),
    st.tuples(st.sampled_from(WORDS), st.sampled_from(WORDS)).map(" OR ".join),
    st.tuples(st.sampled_from(WORDS), st.sampled_from(WORDS)).map(lambda p: f"{p[0]} -{p[1]}"),
)
filters = st.dictionaries(
    st.sampled_from(["objective", "region", "level"]),
    st.lists(st.one_of(st.integers(1, 4), st.sampled_from(REGIONS + LEVELS)), min_size=1,
             max_size=2, unique=True), max_size=2)
SETTINGS = settings(deadline=None, derandomize=True,  # the example counts: in each test
                    suppress_health_check=[HealthCheck.too_slow])


def as_doc(doc_id: int, fields: dict) -> dict:
    return make_doc(doc_id, fields["title"], **{k: v for k, v in fields.items() if k != "title"})


# The model: a document's words, and which documents a query selects.

def model_terms(doc: dict) -> set[str]:
    return set(analyze(f"{doc['title']} {doc['description']}", doc["language"]))


def model_word(doc: dict, word: str) -> bool:
    if word.endswith("*"):  # a prefix: any word starting with it, as typed or as stemmed
        typed = word[:-1]
        starts = {typed, term(typed, doc["language"]) or typed}
        return any(t.startswith(s) for t in model_terms(doc) for s in starts)
    return analyze(word, doc["language"])[0] in model_terms(doc)


def model_match(doc: dict, q: str) -> bool:
    if not q:
        return True
    if " AND " in q:
        a, b = q.split(" AND ")
        return model_word(doc, a) and model_word(doc, b)
    if " OR " in q:
        a, b = q.split(" OR ")
        return model_word(doc, a) or model_word(doc, b)
    if " -" in q:
        a, b = q.split(" -")
        return model_word(doc, a) and not model_word(doc, b)
    return model_word(doc, q)


def model_values(doc: dict, facet: str) -> list:
    value = doc.get(facet)
    if MODEL_FACETS[facet]:
        return list(value or [])
    return [] if value is None else [value]


def model_counts(docs: dict[int, dict], q: str, chosen: dict[str, list]) -> dict:
    """Disjunctive facet counts: each facet counted with every filter but its own."""
    def passes(doc: dict, skip: str | None) -> bool:
        return all(set(model_values(doc, f)) & set(values)
                   for f, values in chosen.items() if f != skip)

    out = {}
    for facet in MODEL_FACETS:
        counted = Counter(v for doc in docs.values() if model_match(doc, q) and passes(doc, facet)
                          for v in model_values(doc, facet))
        out[facet] = dict(counted)
    return out


@given_fast_and_full(st.dictionaries(st.integers(1, 12), documents, max_size=8), operations,
                     st.lists(st.tuples(queries, filters), min_size=1, max_size=6),
                     base=SETTINGS, fast=12, full=40)
def test_matches_totals_and_facet_counts_equal_a_plain_model(initial, batches, searches):
    docs = {i: as_doc(i, f) for i, f in initial.items()}
    with tempfile.TemporaryDirectory() as tmp:
        ix = SearchIndex(Path(tmp) / "index")
        ix.rebuild(docs.values())
        for batch in batches:  # one apply: upserts and deletes; an id in both is deleted
            deletes = {doc_id for doc_id, fields in batch if fields is None}
            upserts = {doc_id: as_doc(doc_id, fields) for doc_id, fields in batch
                       if fields is not None}
            ix.apply(upserts.values(), deletes)
            docs.update(upserts)
            for doc_id in deletes:
                docs.pop(doc_id, None)
        assert ix.doc_count() == len(docs)
        for q, chosen in searches:
            chosen = {f: [v for v in vs if (f == "objective") == isinstance(v, int)]
                      for f, vs in chosen.items()}
            chosen = {f: vs for f, vs in chosen.items() if vs}
            results = ix.search(SearchRequest(q=q, filters=chosen, per_page=100))
            expected = {i for i, d in docs.items() if model_match(d, q)
                        and all(set(model_values(d, f)) & set(vs) for f, vs in chosen.items())}
            assert {h.id for h in results.hits} == expected, (q, chosen)
            assert results.total == len(expected)
            counts = model_counts(docs, q, chosen)
            for facet in MODEL_FACETS:
                got = {fc.value: fc.count for fc in results.facets[facet] if fc.count}
                assert got == counts[facet], (facet, q, chosen)
        ix.close()


# Stock Whoosh reading kb's files.

def live_directory(ix: SearchIndex) -> Path:
    return ix.path / (ix.path / "CURRENT").read_text(encoding="utf-8").strip()


@given_fast_and_full(st.dictionaries(st.integers(1, 12), documents, min_size=1, max_size=8),
                     operations,
                     base=SETTINGS, fast=5, full=15)
def test_stock_whoosh_reads_the_segments_kb_writes_as_kb_does(initial, batches):
    docs = {i: as_doc(i, f) for i, f in initial.items()}
    with tempfile.TemporaryDirectory() as tmp:
        ix = SearchIndex(Path(tmp) / "index")
        ix.rebuild(docs.values())
        for batch in batches:
            for doc_id, fields in batch:
                if fields is None:
                    docs.pop(doc_id, None)
                    ix.apply([], [doc_id])
                else:
                    docs[doc_id] = as_doc(doc_id, fields)
                    ix.apply([docs[doc_id]], [])
        stock = whoosh_index.open_dir(str(live_directory(ix)))
        with stock.searcher() as searcher:
            assert searcher.doc_count() == ix.doc_count() == len(docs)
            every = {h["card"]["id"]: h["card"] for h in searcher.search(Every(), limit=None)}
            assert set(every) == set(docs)
            for doc_id, card in every.items():
                assert card["title"] == docs[doc_id]["title"]
                assert card["region"] == docs[doc_id]["region"]
            by_region = Counter(r for card in every.values() for r in card["region"])
            kb_regions = {fc.value: fc.count for fc in ix.search(SearchRequest()).facets["region"]}
            assert dict(by_region) == kb_regions
            for a in WORDS:
                b = WORDS[(WORDS.index(a) + 1) % len(WORDS)]
                for q, stock_query in ((a, lambda t, u: t), (f"{a} OR {b}", Or),
                                       (f"{a} AND {b}", And), (f"{a} -{b}", _and_not)):
                    kb_ids = {h.id for h in ix.search(SearchRequest(q=q, per_page=100)).hits}
                    found = set()
                    for lang in ("en", "fr", "es"):
                        t, u = (_word(lang, a), _word(lang, b))
                        query = stock_query(t, u) if stock_query is not Or and \
                            stock_query is not And else stock_query([t, u])
                        found |= {h["card"]["id"] for h in searcher.search(query, limit=None)
                                  if h["card"]["language"] == lang}
                    assert found == kb_ids, q
                prefix = a[:3]  # none of the words' 3-letter prefixes is changed by a stemmer
                kb_ids = {h.id for h in ix.search(SearchRequest(q=f"{prefix}*",
                                                                per_page=100)).hits}
                found = set()
                for lang in ("en", "fr", "es"):
                    query = Or([Prefix(f"title_{lang}", prefix), Prefix(f"body_{lang}", prefix)])
                    found |= {h["card"]["id"] for h in searcher.search(query, limit=None)
                              if h["card"]["language"] == lang}
                assert found == kb_ids, prefix
        stock.close()
        ix.close()


def _word(lang: str, word: str):
    term = analyze(word, lang)[0]
    return Or([Term(f"title_{lang}", term), Term(f"body_{lang}", term)])


def _and_not(t, u):
    return And([t, Not(u)])


def test_the_model_knows_every_facet_it_checks():
    assert set(MODEL_FACETS) <= set(FACETS)
