"""Deleting documents by id in a writer, with the segment readers a process already has open.

Whoosh's ``update_document`` and ``delete_by_term`` open a new reader for every segment of
the index (terms table, stored fields, deletions) to find the documents to replace: after a
burst of publishes, a dozen or more segments for each publish. The ``id`` postings of a
segment never change, so a reader kept open for searching (kb.search.columns) answers the
same question, and so does the list of ids of a segment this process has just written
(``written``); only the other segments this process has not read yet are opened here.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from whoosh.reading import SegmentReader, TermNotFound


def delete_ids(writer: Any, ids: Iterable[int],
               cached: Callable[[Any], SegmentReader | None],
               written: Callable[[Any], dict[str, list[int]] | None]
               ) -> int:
    """Delete every document (live or not) whose ``id`` is in ids; return how many.

    ``cached(segment)`` returns an open reader of that segment, or None; ``written(segment)``
    the document numbers of each id of a segment this process wrote, or None. Deleting a
    document that is already deleted changes nothing, so a reader's own (older) deletions do
    not matter: only its postings are read.
    """
    keys = [str(i) for i in ids]
    if not keys:
        return 0
    deleted, offset = 0, 0
    for segment in list(writer.segments):
        for docnum in _docnums(writer, segment, keys, cached, written):
            writer.delete_document(offset + docnum)
            deleted += 1
        offset += segment.doc_count_all()
    return deleted


def _docnums(writer: Any, segment: Any, keys: list[str],
             cached: Callable[[Any], SegmentReader | None],
             written: Callable[[Any], dict[str, list[int]] | None]) -> list[int]:
    """Return the document numbers of a segment's documents with those ids, key by key."""
    docs_of = written(segment)
    if docs_of is not None:
        return [docnum for key in keys for docnum in docs_of.get(key, ())]
    reader = cached(segment)
    own = reader is None
    if reader is None:
        reader = SegmentReader(writer.storage, writer.schema, segment)
    found: list[int] = []
    try:
        for key in keys:
            try:
                found += reader.postings("id", key).all_ids()
            except TermNotFound:
                continue
    finally:
        if own:
            reader.close()
    return found
