"""kb's own decoding of posting blocks (kb.search.internals.read_postings) against Whoosh's
public matcher: the same documents and weights for every term of every field, whether the
postings are inlined in the term table, fit one block or span several (kb's reading keeps
deleted documents, masked later by the snapshot; the public matcher leaves them out); and
kb's writing of inlined term infos against the codec's own postings writer."""
from __future__ import annotations

import numpy as np
import pytest
from whoosh.index import open_dir

from kb.search import SearchIndex, SearchRequest, evaluate
from kb.search.internals import TermsWriter, _freq_bytes, make_codec, read_postings
from kb.search.schema import term_fields, to_fields

from .test_search_helpers import make_doc


def _public(reader, field: str, text: bytes) -> tuple[list[int], list[float]]:
    matcher = reader.postings(field, text)  # without deleted documents
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


def test_every_posting_list_reads_as_the_public_matcher_reads_it(tmp_path):
    # "zorb" in all 300 documents (three blocks of 128), "quant" in every 7th (43: one block,
    # not inlined), "mivel" in 5 (inlined); term frequencies vary with the document.
    docs = [make_doc(i, f"Zorb {'quant ' * (i % 3 + 1) if i % 7 == 0 else ''}practice",
                     description=("zorb " * (i % 5 + 1)) + ("mivel" if i % 60 == 0 else ""),
                     language=("en", "fr", "es")[i % 3])
            for i in range(1, 301)]
    index = SearchIndex(tmp_path / "index")
    index.rebuild(docs)
    index.apply([make_doc(3, "Zorb edited")], [7])  # a second segment, and deletions
    index.close()
    live = (tmp_path / "index" / (tmp_path / "index" / "CURRENT").read_text().strip())
    ix = open_dir(str(live))
    kinds = set()
    with ix.reader() as multi:
        for reader, _offset in multi.leaf_readers():
            for field in reader.indexed_field_names():
                for text, terminfo in reader.iter_field(field):
                    ids, weights = _public(reader, field, text)
                    for info in (None, terminfo):  # looked up, or given by the caller
                        got_ids, got_weights = read_postings(reader, field, text, info)
                        live = [not reader.is_deleted(d) for d in got_ids.tolist()]
                        assert got_ids[live].tolist() == ids, (field, text)
                        assert np.array_equal(got_weights[live],
                                              np.asarray(weights, np.float32))
                    kinds.add("inlined" if terminfo.is_inlined() else
                              "blocks" if len(ids) > 128 else "block")
    ix.close()
    assert kinds == {"inlined", "block", "blocks"}


def test_a_term_a_segment_does_not_have_raises_term_not_found(tmp_path):
    from whoosh.reading import TermNotFound

    index = SearchIndex(tmp_path / "index")
    index.rebuild([make_doc(1, "Zorb")])
    index.close()
    live = (tmp_path / "index" / (tmp_path / "index" / "CURRENT").read_text().strip())
    ix = open_dir(str(live))
    with ix.reader() as reader, pytest.raises(TermNotFound):
        read_postings(reader, "title_en", "quant")
    ix.close()


def test_terms_after_a_cut_prefix_listing_are_still_found(tmp_path, monkeypatch):
    # A prefix listing cut at its limit says nothing about the terms after its last one; a
    # term before it that is not listed is absent from the segment.
    monkeypatch.setattr(evaluate, "MAX_EXPANSION", 3)
    words = [f"zorb{c}" for c in "12345678"]
    docs = [make_doc(i, f"{words[i % 8]} practice") for i in range(1, 41)]
    index = SearchIndex(tmp_path / "index")
    index.rebuild(docs)
    index.apply([make_doc(41, "zorb9 practice")], [])  # a second segment
    assert index.search(SearchRequest(q="zorb*", per_page=100)).total == 15  # zorb1-3
    for word, expected in [*((w, 5) for w in words), ("zorb9", 1), ("zorb11", 0),
                           ("zorb55", 0)]:
        assert index.search(SearchRequest(q=f"title:{word}")).total == expected, word
    index.close()


class _ThroughPostingsWriter(TermsWriter):
    """kb's writer with every term written posting by posting through the codec's field
    writer (start_term, add, finish_term): the plain reference for the term infos that
    TermsWriter writes itself for the posting lists it inlines."""

    def _write_field(self, name: str, table: dict) -> None:
        fieldwriter = self.fieldwriter
        fieldwriter.start_field(name, self.schema[name])
        for term in sorted(table):
            ids, weights = table[term]
            fieldwriter.start_term(term.encode("utf-8"))
            for docnum, weight in zip(ids, weights, strict=True):
                fieldwriter.add(docnum, weight, _freq_bytes(int(weight)), None)
            fieldwriter.finish_term()
        fieldwriter.finish_field()


def _term_infos(tmp_path, name: str, writer_class: type, docs: list[dict]) -> dict:
    index = SearchIndex(tmp_path / name)
    index.create()
    ix = open_dir(str(tmp_path / name / (tmp_path / name / "CURRENT").read_text().strip()))
    for batch in (docs[:40], docs[40:41], docs[41:]):  # one segment of many, two of one
        writer = writer_class(ix, term_fields(), codec=make_codec(), compound=False)
        for doc in batch:
            writer.add_document(**to_fields(doc))
        writer.commit(merge=False)
    infos = {}
    with ix.reader() as multi:
        for number, (reader, _offset) in enumerate(multi.leaf_readers()):
            for field in reader.indexed_field_names():
                for text, info in reader.iter_field(field):
                    infos[(number, field, text)] = (
                        info.weight(), info.doc_frequency(), info.max_weight(), info.min_id(),
                        info.max_id(), info.min_length(), info.max_length(),
                        info.is_inlined() and info.inlined_postings())
    ix.close()
    return infos


def test_inlined_term_infos_are_those_the_codecs_postings_writer_writes(tmp_path):
    docs = [make_doc(i, f"Zorb {'quant ' * (i % 3 + 1) if i % 7 == 0 else ''}practice",
                     description=("zorb " * (i % 5 + 1)) + ("mivel" if i % 6 == 0 else ""),
                     language=("en", "fr", "es")[i % 3])
            for i in range(1, 43)]
    kb_written = _term_infos(tmp_path, "kb", TermsWriter, docs)
    reference = _term_infos(tmp_path, "reference", _ThroughPostingsWriter, docs)
    assert kb_written == reference
    assert any(info[-1] for info in kb_written.values())  # inlined ones were compared
    assert not all(info[-1] for info in kb_written.values())  # and ones in blocks
