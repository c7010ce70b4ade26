"""When and what to merge: size tiers of small segments, never the big ones of a rebuild.

A publish commits a one-document segment. Once MAX_SMALL_SEGMENTS segments of one size tier
exist they are merged into one, in a child process (started with ``subprocess``, never
``fork``: the parent has threads), after a quiet moment (see SearchIndex).
"""
from __future__ import annotations

import math

from whoosh.reading import SegmentReader

SMALL_SEGMENT = 500
MAX_SMALL_SEGMENTS = 8
MAX_PENDING_SEGMENTS = 3 * MAX_SMALL_SEGMENTS
MERGE_IDLE = 1.0


def tier_to_merge(segments) -> list | None:
    """Return MAX_SMALL_SEGMENTS small segments of one size tier to merge, or None.

    Tiers are powers of MAX_SMALL_SEGMENTS (1-7 documents, 8-63, 64-499), so a document is
    rewritten about once per tier rather than every time the small segments are merged.
    """
    tiers: dict[int, list] = {}
    for seg in segments:
        n = seg.doc_count_all()
        if n < SMALL_SEGMENT:
            tiers.setdefault(int(math.log(max(n, 1), MAX_SMALL_SEGMENTS)), []).append(seg)
    for _, group in sorted(tiers.items()):
        if len(group) >= MAX_SMALL_SEGMENTS:
            return group[:MAX_SMALL_SEGMENTS]
    return None


def merge_small_segments(writer, segments):
    """Merge one tier of small segments when it is full; never touch big ones.

    Keeps a one-document commit cheap (Whoosh's default policy sometimes merges large
    segments on the request path); deletions in big segments are purged by a rebuild.
    """
    group = tier_to_merge(segments)
    if group is None:
        return segments
    for seg in group:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    merged = {id(s) for s in group}
    return [s for s in segments if id(s) not in merged]


def merge_in_child(path: str) -> None:
    """Merge full tiers of the index at path (the body of a merge child process)."""
    from kb.search.index import SearchIndex

    index = SearchIndex(path)
    try:
        while index.merge() and index.pending_merge():  # a full tier may fill the next one
            pass
    finally:
        index.close()
