"""SearchIndex lifecycle: writes, locking, rebuild swap, damage, highlights, related."""
from __future__ import annotations

import json

import pytest
from whoosh.index import open_dir

from kb.search import IndexBusy, IndexUnavailable, SearchIndex, SearchRequest
from kb.search.index import POINTER

from .test_search_helpers import make_doc


@pytest.fixture
def index(tmp_path):
    ix = SearchIndex(tmp_path / "index")
    ix.create()
    yield ix
    ix.close()


def total(ix, q=""):
    return ix.search(SearchRequest(q=q)).total


def test_apply_is_idempotent_and_replaces_by_id(index):
    doc = make_doc(1, "Labour migration")
    index.apply([doc], [])
    index.apply([doc], [])
    assert index.doc_count() == 1
    index.apply([make_doc(1, "Health clinics", version="v2")], [])
    assert total(index, "labour") == 0
    assert total(index, "clinics") == 1
    assert index.versions() == {1: "v2"}


def test_publishes_replace_by_id_whichever_process_wrote_the_older_copy(tmp_path):
    """A process deletes from the segments it wrote by the ids it wrote there, and from the
    others through their id postings: every id keeps one copy, the latest."""
    one, other = SearchIndex(tmp_path / "index"), SearchIndex(tmp_path / "index")
    one.create()
    one.apply([make_doc(1, version="a"), make_doc(2, version="a")], [])
    other.apply([make_doc(2, version="b"), make_doc(3, version="b")], [])
    one.apply([make_doc(3, version="c"), make_doc(1, version="c")], [])
    other.apply([make_doc(1, version="d")], [2])
    one.apply([make_doc(4, version="e")], [3])
    fresh = SearchIndex(tmp_path / "index")
    for ix in (one, other, fresh):
        assert ix.versions() == {1: "d", 4: "e"}
        assert ix.doc_count() == 2
        ix.close()


def test_delete_removes_and_missing_ids_are_fine(index):
    index.apply([make_doc(1), make_doc(2)], [])
    before = index.generation()
    index.apply([], [2, 99])
    assert index.versions() == {1: "v1"}
    assert index.generation() != before


def test_busy_lock_raises_index_busy_not_lock_error(index):
    raw = open_dir(str(index.path / (index.path / POINTER).read_text()))
    writer = raw.writer()
    try:
        with pytest.raises(IndexBusy):
            index.apply([make_doc(1)], [], timeout=0.05)
    finally:
        writer.cancel()
        raw.close()
    index.apply([make_doc(1)], [], timeout=0.2)
    assert index.doc_count() == 1


def test_rebuild_swaps_while_an_open_searcher_keeps_answering(tmp_path):
    path = tmp_path / "index"
    first, other = SearchIndex(path), SearchIndex(path)
    first.rebuild([make_doc(1, "Labour migration")])
    assert total(other, "labour") == 1
    counts = []
    first.rebuild([make_doc(i, "Labour") for i in range(1, 4)], progress=counts.append)
    assert counts == [3]
    assert total(other, "labour") == 3
    assert len([p for p in path.iterdir() if p.name.startswith("ix-")]) <= 2
    first.close()
    other.close()


def test_deleted_directory_is_unavailable(index):
    import shutil

    index.apply([make_doc(1)], [])
    shutil.rmtree(index.path)
    with pytest.raises(IndexUnavailable):
        index.search(SearchRequest())
    assert not index.exists()
    assert not index.is_healthy()


# Whoosh itself leaves the damaged TOC file open when open_dir fails on it.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_garbage_file_is_unavailable(tmp_path):
    ix = SearchIndex(tmp_path / "index")
    ix.create()
    live = ix.path / (ix.path / POINTER).read_text()
    for toc in live.glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage")
    with pytest.raises(IndexUnavailable):
        ix.search(SearchRequest())
    assert ix.exists()
    assert not ix.is_healthy()
    ix.rebuild([make_doc(1)])
    assert ix.is_healthy()
    ix.close()


def test_other_schema_version_needs_rebuild(tmp_path):
    ix = SearchIndex(tmp_path / "index")
    ix.create()
    live = ix.path / (ix.path / POINTER).read_text()
    (live / "meta.json").write_text(json.dumps({"schema_version": -1}))
    assert not ix.is_healthy()
    with pytest.raises(IndexUnavailable, match="rebuild"):
        ix.doc_count()
    ix.close()


def test_highlights_escape_user_markup(index):
    index.apply([make_doc(1, "<script>x</script> labour", summary="<b>labour</b> & co")], [])
    hit = index.search(SearchRequest(q="labour script")).hits[0]
    assert hit.highlights["title"] == (
        "&lt;<mark>script</mark>&gt;x&lt;/<mark>script</mark>&gt; <mark>labour</mark>")
    assert "<b>" not in hit.highlights["summary"]
    assert "&lt;b&gt;<mark>labour</mark>&lt;/b&gt; &amp; co" == hit.highlights["summary"]


def test_related_shares_objectives_or_words_and_excludes_itself(index):
    index.apply([make_doc(1, "Labour migration", objective=[5]),
                 make_doc(2, "Labour markets", objective=[7]),
                 make_doc(3, "Unrelated", objective=[5]),
                 make_doc(4, "Nothing", objective=[9])], [])
    related = [h.id for h in index.related(1)]
    assert 1 not in related
    assert set(related) == {2, 3}
    assert index.related(999) == []


def test_hits_carry_the_card_fields(index):
    index.apply([make_doc(1, "Labour", region=["africa"], country=["SEN"], level="local",
                          start_year=2020, objective=[3, 4])], [])
    hit = index.search(SearchRequest(q="labour")).hits[0]
    assert (hit.slug, hit.region, hit.country, hit.level, hit.objective, hit.start_year) == (
        "practice-1", ["africa"], ["SEN"], "local", [3, 4], 2020)
    assert hit.published_at.tzinfo is not None
    assert hit.score > 0


EMPTY_REQUESTS = [
    SearchRequest(),
    SearchRequest(q="labour"),
    SearchRequest(q='"labour migration" OR lab* -x'),
    SearchRequest(q="labuor", sort="title"),
    SearchRequest(filters={"region": ["africa"], "objective": [5]}, year_from=2000),
    SearchRequest(sort="start_year", page=3),
]


@pytest.mark.parametrize("make_empty", ["create", "rebuild"])
@pytest.mark.parametrize("req", EMPTY_REQUESTS, ids=range(len(EMPTY_REQUESTS)))
def test_an_empty_index_searches_to_nothing_without_error(tmp_path, make_empty, req):
    ix = SearchIndex(tmp_path / "index")
    ix.create() if make_empty == "create" else ix.rebuild([])
    results = ix.search(req)
    assert (results.total, results.hits) == (0, [])
    assert all(counts == [] or all(fc.selected for fc in counts)
               for counts in results.facets.values())
    assert ix.is_healthy()
    assert ix.doc_count() == 0
    assert ix.versions() == {}
    assert ix.related(1) == []
    ix.close()


@pytest.mark.parametrize("make_empty", ["create", "rebuild"])
def test_apply_onto_an_empty_index_after_searching_it_is_found(tmp_path, make_empty):
    ix = SearchIndex(tmp_path / "index")
    ix.create() if make_empty == "create" else ix.rebuild([])
    assert total(ix, "labour") == 0
    ix.apply([make_doc(1, "Labour migration")], [])
    assert total(ix, "labour") == 1
    assert ix.versions() == {1: "v1"}
    ix.apply([], [1])
    assert total(ix) == 0
    assert ix.versions() == {}
    ix.close()


def test_related_practices_follow_every_change_of_the_index(index):
    index.apply([make_doc(1, "Labour migration", objective=[5]),
                 make_doc(2, "Labour markets", objective=[7]),
                 make_doc(3, "Health clinics", objective=[9])], [])
    assert [h.id for h in index.related(1)] == [2]
    assert [h.id for h in index.related(1)] == [2]  # asked again: the same answer
    index.apply([make_doc(3, "Labour inspection", objective=[9], version="v2")], [])
    assert sorted(h.id for h in index.related(1)) == [2, 3]
    index.apply([make_doc(2, "Health clinics", objective=[7], version="v2")], [])
    assert [h.id for h in index.related(1)] == [3]
    index.apply([], [3])
    assert index.related(1) == []
