"""A Whoosh segment writer that writes pre-analysed term lists a whole posting list at a time.

Whoosh's own writer pushes every (field, term, document) posting through about ten Python
calls (analyzer tokens, the pool, a global sort, per-posting checks): about 7 µs each, and a
document has ~600 postings. Our text fields arrive as lists of terms, so this writer counts
them with ``Counter``, keeps per-field ``term -> (docnums, frequencies)`` arrays, and at flush
writes each term's postings in whole blocks through the codec's own postings writer. The files
are ordinary Whoosh segments: any Whoosh reader (and a later merge) reads them as usual.
Other fields (the unique ``id``, the stored card) and postings merged in from older segments
still go through the standard pool.
"""
from __future__ import annotations

from array import array
from collections import Counter

from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

_FREQ_BYTES = [pack_uint(i) for i in range(256)]


def _freq_bytes(freq: int) -> bytes:
    return _FREQ_BYTES[freq] if freq < 256 else pack_uint(freq)


def _as_bytes(value) -> bytes:  # noqa: ANN001
    if isinstance(value, bytes):
        return value
    return value.encode("utf-8") if isinstance(value, str) else b""


def _postings(reader, fieldname: str, btext, terminfo):  # noqa: ANN001, ANN202
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
    """SegmentWriter taking lists of terms for the fields named in ``term_fields``."""

    def __init__(self, ix, term_fields: frozenset[str], keep_files: bool = False,
                 **kwargs) -> None:  # noqa: ANN001
        super().__init__(ix, **kwargs)
        self._term_fields = term_fields
        self._keep_files = keep_files
        self._tables: dict[str, dict[str, tuple[array, array]]] = {}

    def add_document(self, **fields) -> None:  # noqa: ANN003
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

    def _commit_toc(self, segments) -> None:  # noqa: ANN001
        if not self._keep_files:
            super()._commit_toc(segments)
            return
        # A merge leaves the merged segments' files for the next commit to delete: a reader
        # that has just read the previous TOC may still be opening them.
        from whoosh.index import TOC

        TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)

    def add_postings_to_pool(self, reader, startdoc, docmap) -> None:  # noqa: ANN001
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
        for term in sorted(table):
            ids, weights = table[term]
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
