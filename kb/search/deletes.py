"""Deleting documents by id in a writer, with the segment readers a process already has open.

Whoosh's ``update_document`` and ``delete_by_term`` open a new reader for every segment of
the index (terms table, stored fields, deletions) to find the documents to replace: after a
burst of publishes, a dozen or more segments for each publish. The ``id`` postings of a
segment never change, so a reader kept open for searching (kb.search.columns) answers the
same question; only segments this process has not read yet are opened here.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from whoosh.reading import SegmentReader, TermNotFound


def delete_ids(writer: Any, ids: Iterable[int],
               cached: Callable[[Any], SegmentReader | None]) -> int:
    """Delete every document (live or not) whose ``id`` is in ids; return how many.

    ``cached(segment)`` returns an open reader of that segment, or None. Deleting a document
    that is already deleted changes nothing, so a reader's own (older) deletions do not
    matter: only its postings are read.
    """
    keys = [str(i) for i in ids]
    if not keys:
        return 0
    deleted, offset = 0, 0
    for segment in list(writer.segments):
        reader = cached(segment)
        own = reader is None
        if reader is None:
            reader = SegmentReader(writer.storage, writer.schema, segment)
        try:
            for key in keys:
                try:
                    docnums = list(reader.postings("id", key).all_ids())
                except TermNotFound:
                    continue
                for docnum in docnums:
                    writer.delete_document(offset + docnum)
                    deleted += 1
        finally:
            if own:
                reader.close()
        offset += segment.doc_count_all()
    return deleted
