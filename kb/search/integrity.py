"""Keeping an index directory whole: one rebuild at a time, and reading every segment back.

``rebuild_lock`` is an exclusive ``flock`` on ``<path>/REBUILD.lock``: every process (and
thread) that creates or swaps index directories holds it, so a rebuild never deletes a
directory another one is still filling. ``flock`` works between processes of one machine and,
on NFSv4, between machines sharing the directory.

``verify`` reads back every file a search relies on (the table of contents, each segment's
stored cards, terms and posting lists), so a truncated or overwritten file is reported
instead of surfacing later as a failed search.
"""
from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh.reading import SegmentReader

from kb.search import internals
from kb.search.errors import RebuildRunning
from kb.search.schema import TEXTS

LOCK_FILE = "REBUILD.lock"


@contextmanager
def rebuild_lock(path: Path, wait: bool) -> Iterator[None]:
    """Hold the rebuild lock of the index directory path; raise RebuildRunning if busy.

    With wait, block until the process holding it is done instead of raising.
    """
    path.mkdir(parents=True, exist_ok=True)
    fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            raise RebuildRunning(f"a rebuild of {path} is running in another process") from exc
        yield
    finally:
        os.close(fd)  # releases the lock


def rebuild_running(path: Path) -> bool:
    """Return whether a process (this one included) holds the rebuild lock of ``path``.

    The probe takes the lock for an instant when it is free: a rebuild asked for in that
    instant without waiting would report RebuildRunning. Only an admin's status page asks.
    """
    if not (path / LOCK_FILE).exists():
        return False
    try:
        with rebuild_lock(path, wait=False):
            return False
    except RebuildRunning:
        return True


def verify(ix) -> list[str]:
    """Read every segment of the open Whoosh index ix; return the damage found (empty: none)."""
    try:
        toc = internals.read_toc(ix)
    except Exception as exc:  # noqa: BLE001  any failure to read is damage to report
        return [f"table of contents: {type(exc).__name__}: {exc}"]
    problems = []
    for segment in toc.segments:
        name = segment.segment_id()
        try:
            reader = SegmentReader(ix.storage, ix.schema, segment, generation=toc.generation)
        except Exception as exc:  # noqa: BLE001  a damaged segment may fail in any way: report it
            problems.append(f"segment {name}: {type(exc).__name__}: {exc}")
            continue
        try:
            _read_all(reader)
        except Exception as exc:  # noqa: BLE001  same: any failure to read is damage to report
            problems.append(f"segment {name}: {type(exc).__name__}: {exc}")
        finally:
            reader.close()
    return problems


def _read_all(reader) -> None:
    n = reader.doc_count_all()
    for docnum in range(n):
        reader.stored_fields(docnum)
    if reader.has_column(TEXTS):
        texts = reader.column_reader(TEXTS)
        for docnum in range(n):
            texts[docnum]
    for fieldname in reader.indexed_field_names():
        for btext, terminfo in reader.iter_field(fieldname):
            docs, weights = internals.read_postings(reader, fieldname, btext, terminfo)
            if len(docs) and (docs.min() < 0 or docs.max() >= n or not weights.min() > 0):
                raise ValueError(f"field {fieldname}: postings out of range")
