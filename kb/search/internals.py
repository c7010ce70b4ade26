"""Every use of a private Whoosh name in kb, in one place, each with its reason and cost.

Whoosh-Reloaded is pinned exactly (setup.cfg, constraints.txt) because of this module: a new
release may rename any of these. ``tests/unit/test_search_reference.py`` reads what kb writes
with stock Whoosh (a public ``Searcher`` and public queries) and compares it with kb's own
answers, so a change that breaks the files is caught there; ``test_search_postings.py``
compares kb's decoding of posting blocks with Whoosh's public matcher. Costs below were
measured with ``bench/whoosh_internals.py`` (1,000 generated practices, one run, load average
3.6 on 2 cores, unless said otherwise).

1. ``TermsWriter`` subclasses ``whoosh.writing.SegmentWriter`` and overrides its private hooks
   ``_flush_segment`` and ``_commit_toc`` and the internal hook ``add_postings_to_pool``; at
   flush it drives the codec's postings writer directly (``fieldwriter._postwriter`` with its
   ``_blocklimit``, ``_inlinelimit``, ``_ids``, ``_weights``, ``_values``, ``_maxweight``,
   ``_write_block``), and writes the term info of a posting list it inlines itself (a
   ``W3TermInfo`` into ``fieldwriter._tindex`` under ``fieldwriter._fieldid``, as
   ``finish_term`` does). Why: our fields arrive as lists of analysed terms; the public
   ``add_document`` pushes every posting through the analyzer, the pool and a global sort
   (~7 µs each, ~600 per document); the postings writer's per-term block buffers cost a
   quarter of writing an inlined term (19 µs instead of 14.5, load average 8;
   ``test_search_postings.py`` checks the term infos against the postings writer's).
   ``_commit_toc`` is overridden for merges only, to keep the merged segments'
   files for one more commit (a reader in another process may have just read the old TOC).
   Public alternative (the stock writer fed space-joined terms): a build of 1,000
   practices at 71 documents/s instead of 336 (4.7x slower).
2. ``ParallelWriter`` subclasses ``whoosh.multiproc.MpWriter`` (overriding ``_new_task`` and
   ``cancel``) and ``AnalysingTask`` subclasses ``SubWriterTask`` (overriding ``run`` and
   ``_process_file``, calling ``writer._finalize_segment``). Why: the stock tasks receive
   documents already analysed in the parent, so analysis (half the work) stays on one core;
   stock ``cancel`` does not stop the worker processes. Public alternative: one process.
3. ``read_postings`` reads a term's posting blocks itself: one read of the term's whole
   extent from the segment's postings file (``reader._terms._postfile``), then each block's
   header (an int length, the pickled block info) and its data (zlib, pickled delta-encoded
   ids and weights) decoded with numpy, as ``W3LeafMatcher`` lays them out. Why: the public
   ``matcher.all_ids()`` / ``weight()`` run Python code per posting, and the matcher seeks
   and reads three times per block. Cost of the public alternative: reading the postings of
   the 200 most frequent terms of 1,000 practices takes 105.3 ms instead of 65.0 (1.6x;
   ``bench/whoosh_internals.py``, load average 2.9), paid by the first search of each term
   in each new segment; at 10,000 practices a prefix query reads ~250 posting lists cold.
   (Reading the blocks through the matcher's own private block fields, as before, was ~10%
   slower than one read of the extent.) Inlined postings (short lists stored in the term
   table) are read through the public ``TermInfo.inlined_postings()``.
4. ``read_toc`` / ``segments`` call ``FileIndex._read_toc`` / ``_segments``. Why: a search
   must learn the current generation's segment list and deletions without reopening every
   segment's files; the public ``ix.reader()`` opens a reader per segment each time
   (0.60 ms instead of 0.18 for one segment, times the number of segments, after every
   publish), and its ``reuse=`` keeps the reused segments' old deletions.
5. Monkeypatch ``W3TermInfo.set_inline = W3TermInfo.set_inlined`` (a Whoosh 2.7 bug: the
   postings writer calls a method that does not exist when ``inlinelimit`` > 1), and the
   ``Codec`` subclass setting ``W3Codec.length_stats = False``. Why: inlining posting lists
   of fewer than INLINE_LIMIT documents in the term table saves a block write per term
   (most terms of a one-document publish); lengths live in our stored card. Public
   alternative (the stock writer and codec): publishing one practice into a 200-practice
   index takes 76.4 ms instead of 26.3 (median; 2.9x), against a 150 ms publish target.

Replaced by public API since the first version: ``TOC._latest_generation`` and
``_DEF_INDEX_NAME`` (``FileIndex.latest_generation()`` does the same).
"""
from __future__ import annotations

import io
import pickle
import struct
import zlib
from array import array
from collections import Counter

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3TermInfo
from whoosh.index import TOC
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.system import pack_uint, pack_ushort
from whoosh.writing import SegmentWriter

from kb.search.schema import term_fields, to_fields

INLINE_LIMIT = 32
"""Posting lists shorter than this live in the term table instead of a posting block: most
terms of a one-document segment, and the long tail of rare words and word pairs, then cost
no block write (Whoosh's default of 1 writes a block for every term)."""

if not hasattr(W3TermInfo, "set_inline"):
    W3TermInfo.set_inline = W3TermInfo.set_inlined  # see item 5 of the module docstring


class Codec(W3Codec):
    """Whoosh's codec without per-posting length statistics (scores use the card's lengths)."""

    length_stats = False


def make_codec() -> W3Codec:
    """Return the codec for writers (no length stats, light compression: cheaper writes)."""
    return Codec(compression=1, inlinelimit=INLINE_LIMIT)


# Reading

def read_toc(ix):
    """Return the index's current table of contents (generation, segments with deletions)."""
    return ix._read_toc()


def segments(ix) -> list:
    """Return the current generation's segments."""
    return ix._segments()


def read_postings(reader, fieldname: str, text: str | bytes, terminfo=None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Return (docnums, weights) of a term's postings, deleted documents included.

    terminfo, when the caller has it (from ``reader.iter_prefix`` or ``iter_field``), saves
    the term table lookup. Raises ``TermNotFound`` for a term the segment does not have.
    """
    if terminfo is None:
        terminfo = reader.term_info(fieldname, text)
    if terminfo.is_inlined():
        ids, weights, _values = terminfo.inlined_postings()
        return np.asarray(ids, np.int32), np.asarray(weights, np.float32)
    postfile = getattr(getattr(reader, "_terms", None), "_postfile", None)
    if postfile is None:  # not a Whoosh 3 segment reader: the public matcher
        return _read_matcher(reader.postings(fieldname, text))
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves it as unpack's 1-tuple
        length = length[0]
    return _decode_blocks(postfile.get(offset, length))


_BLOCK_LENGTH = struct.Struct("!i")


def _decode_blocks(raw: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Decode a term's posting blocks as W3PostingsWriter._write_block writes them."""
    if raw[:len(WHOOSH3_HEADER_MAGIC)] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("posting list header tag missing")
    stream = io.BytesIO(raw)
    pos = len(WHOOSH3_HEADER_MAGIC)
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    while True:
        (length,) = _BLOCK_LENGTH.unpack_from(raw, pos)
        pos += _BLOCK_LENGTH.size
        end = pos + abs(length)
        if end > len(raw):
            raise ValueError("posting block runs past the term's extent")
        stream.seek(pos)
        count, _maxid, _maxweight, compression, _minlen, _maxlen = pickle.load(stream)
        data = raw[stream.tell():end]
        ids, weights, _values = pickle.loads(zlib.decompress(data) if compression else data)
        id_parts.append(np.cumsum(np.asarray(ids, np.int64)))  # delta-encoded per block
        if weights is None:
            weight_parts.append(np.ones(count, np.float32))
        elif isinstance(weights, float):
            weight_parts.append(np.full(count, weights, np.float32))
        else:
            weight_parts.append(np.asarray(weights, np.float32))
        pos = end
        if length < 0:  # the last block
            break
    return _cat(id_parts, np.int32), _cat(weight_parts, np.float32)


def _read_matcher(matcher) -> tuple[np.ndarray, np.ndarray]:
    """Return (docnums, weights) through the public matcher API, deleted documents included."""
    matcher = getattr(matcher, "child", matcher)  # drop the deletion filter: `live` masks
    found_ids: list[int] = []
    found_weights: list[float] = []
    while matcher.is_active():
        found_ids.append(matcher.id())
        found_weights.append(matcher.weight())
        matcher.next()
    return np.asarray(found_ids, np.int32), np.asarray(found_weights, np.float32)


def _cat(arrays: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype)


# Writing

_FREQ_BYTES = [pack_uint(i) for i in range(256)]


def _freq_bytes(freq: int) -> bytes:
    return _FREQ_BYTES[freq] if freq < 256 else pack_uint(freq)


def _as_bytes(value) -> bytes:
    if isinstance(value, bytes):
        return value
    return value.encode("utf-8") if isinstance(value, str) else b""


def _postings(reader, fieldname: str, btext, terminfo):
    """Yield (docnum, weight, value bytes) of one term, deleted documents included."""
    if terminfo.is_inlined():
        ids, weights, values = terminfo.inlined_postings()
        for i, docnum in enumerate(ids):
            yield docnum, weights[i], _as_bytes(values[i]) if i < len(values) else b""
        return
    matcher = reader.postings(fieldname, btext)
    matcher = getattr(matcher, "child", matcher)  # no deletion filter: the docmap drops them
    while matcher.is_active():
        yield matcher.id(), matcher.weight(), _as_bytes(matcher.value())
        matcher.next()


class TermsWriter(SegmentWriter):
    """A segment writer taking lists of terms for the fields named in ``term_fields``.

    It counts each document's terms with ``Counter``, keeps per-field ``term -> (docnums,
    frequencies)`` arrays, and at flush writes each term's postings in whole blocks through
    the codec's own postings writer. The files are ordinary Whoosh segments: any Whoosh
    reader (and a later merge) reads them as usual. Other fields (the unique ``id``, the
    stored card) and postings merged in from older segments go through the standard pool.
    """

    def __init__(self, ix, term_fields: frozenset[str], keep_files: bool = False,
                 **kwargs) -> None:
        super().__init__(ix, **kwargs)
        self._term_fields = term_fields
        self._keep_files = keep_files
        self._tables: dict[str, dict[str, tuple[array, array]]] = {}

    def add_document(self, **fields) -> None:
        """Add a document: term-list fields into the tables, the rest the standard way."""
        docnum = self.docnum
        rest = {}
        for name, value in fields.items():
            if name not in self._term_fields:
                rest[name] = value
                continue
            if not value:
                continue
            table = self._tables.get(name)
            if table is None:
                table = self._tables[name] = {}
            for term, freq in Counter(value).items():
                entry = table.get(term)
                if entry is None:
                    entry = table[term] = (array("I"), array("f"))
                entry[0].append(docnum)
                entry[1].append(freq)
        super().add_document(**rest)

    def _commit_toc(self, segments) -> None:
        if not self._keep_files:
            super()._commit_toc(segments)
            return
        # A merge leaves the merged segments' files for the next commit to delete: a reader
        # that has just read the previous TOC may still be opening them.
        TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)

    def add_postings_to_pool(self, reader, startdoc, docmap) -> None:
        """Take a merged segment's postings: term-list fields into the tables.

        Reads each term's postings straight from its term info when they are inlined (most
        terms of a small segment) instead of through a matcher per term, as Whoosh does.
        """
        for fieldname in sorted(reader.indexed_field_names()):
            if fieldname not in self.schema:
                continue
            for btext, terminfo in reader.iter_field(fieldname):
                for docnum, weight, value in _postings(reader, fieldname, btext, terminfo):
                    newdoc = startdoc + docnum if docmap is None else docmap.get(docnum)
                    if newdoc is None:  # deleted
                        continue
                    if fieldname in self._term_fields:
                        text = btext.decode("utf-8") if isinstance(btext, bytes) else btext
                        self._merge_posting(fieldname, text, newdoc, weight)
                    else:
                        self.pool.add((fieldname, _as_bytes(btext), newdoc, weight, value))

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        standard = []
        for item in self.pool.iter_postings():
            fieldname, btext, docnum, weight, _value = item
            if fieldname in self._term_fields:  # merged in from an older segment
                self._merge_posting(fieldname, btext.decode("utf-8"), docnum, weight)
            else:
                standard.append(item)
        fieldwriter = self.fieldwriter
        fieldwriter.add_postings(self.schema, None, iter(standard))
        for name in sorted(self._tables):
            self._write_field(name, self._tables[name])
        fieldwriter.close()

    def _merge_posting(self, fieldname: str, term: str, docnum: int, weight: float) -> None:
        table = self._tables.setdefault(fieldname, {})
        entry = table.get(term)
        if entry is None:
            entry = table[term] = (array("I"), array("f"))
        if entry[0] and entry[0][-1] > docnum:  # keep postings in document order
            pairs = sorted([*zip(entry[0], entry[1], strict=True), (docnum, weight)])
            table[term] = (array("I", [d for d, _ in pairs]), array("f", [w for _, w in pairs]))
        else:
            entry[0].append(docnum)
            entry[1].append(weight)

    def _write_field(self, name: str, table: dict[str, tuple[array, array]]) -> None:
        fieldwriter = self.fieldwriter
        fieldwriter.start_field(name, self.schema[name])
        postwriter = fieldwriter._postwriter
        block = postwriter._blocklimit
        inline = min(postwriter._inlinelimit, block + 1)
        add_info, prefix = fieldwriter._tindex.add, pack_ushort(fieldwriter._fieldid)
        for term in sorted(table):
            ids, weights = table[term]
            if len(ids) < inline:
                # What finish_term writes for a posting list it inlines (most terms of a
                # small segment), without the postings writer's per-term block buffers.
                info = W3TermInfo(weight=0 + sum(weights), df=len(ids),
                                  maxweight=max(0, max(weights)), minid=ids[0], maxid=ids[-1])
                info.set_inlined(ids, weights, [_freq_bytes(int(w)) for w in weights])
                add_info(prefix + term.encode("utf-8"), info.to_bytes())
                continue
            fieldwriter.start_term(term.encode("utf-8"))
            for start in range(0, len(ids), block):
                if start:
                    postwriter._write_block()
                chunk = weights[start:start + block]
                postwriter._ids = ids[start:start + block]
                postwriter._weights = chunk
                postwriter._values = [_freq_bytes(int(w)) for w in chunk]
                postwriter._maxweight = max(chunk)
            fieldwriter.finish_term()
        fieldwriter.finish_field()


# Parallel builds

class AnalysingTask(SubWriterTask):
    """A Whoosh sub-writer process that analyses raw documents itself into its own segment."""

    def run(self) -> None:
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = TermsWriter(ix, term_fields(), _lk=False, **self.kwargs)
        while True:
            jobinfo = self.jobqueue.get()
            if jobinfo is None:
                break
            self._process_file(*jobinfo)
        self.resultqueue.put((None, None, writer._finalize_segment()), timeout=60)

    def _process_file(self, filename, doc_count):
        writer = self.writer
        tempstorage = writer.temp_storage()
        with tempstorage.open_file(filename).raw_file() as f:
            for _ in range(doc_count):
                _code, args = pickle.load(f)
                writer.add_document(**to_fields(args["doc"]))
        tempstorage.delete_file(filename)


class ParallelWriter(MpWriter):
    """MpWriter whose workers run the analysis, and whose cancel really stops them."""

    tasks: list[AnalysingTask]  # MpWriter.__init__ sets it (an empty list)

    def _new_task(self):
        task = AnalysingTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                             self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task

    def cancel(self) -> None:
        # Whoosh's cancel only flips a flag in the parent's copy of each task object.
        for task in self.tasks:
            if task.is_alive():
                task.terminate()
            task.join()
        self.tasks = []
        super().cancel()
