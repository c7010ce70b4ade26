"""SearchIndex: the on-disk index directory, its writes, rebuilds and open snapshots.

Layout: ``<path>/CURRENT`` names the live Whoosh directory ``<path>/ix-*``, which also holds
``meta.json`` (the schema version). A rebuild fills a new sibling directory, then replaces
CURRENT atomically (``os.replace``); readers in other processes notice the new name on their
next search. The previous directory is kept one swap longer for readers still using it. Only
the holder of ``<path>/REBUILD.lock`` creates or deletes directories (kb.search.integrity).

Writes: a rebuild writes one big segment per core (kb.search.build); apply() commits a small
segment without merging, and small segments are merged by size tier in a background child
process (kb.search.merging). Reads: a snapshot per index generation, warmed before a fork
and shared by the forked processes (kb.search.snapshots).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import LockError
from whoosh.reading import SegmentReader

from kb.search import build, integrity, internals, memo, searcher
from kb.search.codes import Vocabulary
from kb.search.columns import SegmentData, Snapshot
from kb.search.deletes import delete_ids
from kb.search.errors import IndexBusy, IndexUnavailable
from kb.search.merging import (
    MAX_PENDING_SEGMENTS,
    MERGE_IDLE,
    SMALL_SEGMENT,
    merge_small_segments,
    tier_to_merge,
)
from kb.search.results import Hit, SearchRequest, SearchResults
from kb.search.schema import (
    SCHEMA_VERSION,
    make_schema,
    term_fields,
    to_fields,
)
from kb.search.snapshots import SnapshotReading

log = logging.getLogger("kb.search")

POINTER = "CURRENT"
META = "meta.json"
RESULT_CACHE = 256
RELATED_CACHE = 2048
MERGE_COMMAND = ("import sys; from kb.search.merging import merge_in_child;"
                 " merge_in_child(sys.argv[1])")


class SearchIndex(SnapshotReading):
    """A Whoosh index directory and the searches over it; safe to share between threads."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._ix = None
        self._ix_dir: str | None = None
        self._snap: Snapshot | None = None
        self._segments: dict[str, SegmentData] = {}
        self._written: dict[str, dict[str, list[int]]] = {}
        """Per segment this process wrote: the document numbers of each id (apply)."""
        self._retired: list = []
        self._vocab = Vocabulary()
        self._cache: OrderedDict = OrderedDict()
        self._related: OrderedDict = OrderedDict()
        self._merger: threading.Thread | None = None
        self._merge_child: subprocess.Popen[bytes] | None = None
        self._small_segments = 0
        self._last_apply = 0.0
        self._closing = threading.Event()  # set while closing: a waiting merge gives up
        self._pid = os.getpid()
        self._released = False

    # Directory layout

    def _current_name(self) -> str:
        try:
            name = (self.path / POINTER).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise IndexUnavailable(f"no search index at {self.path}") from exc
        if not name or "/" in name or name.startswith("."):
            raise IndexUnavailable(f"bad index pointer in {self.path}")
        return name

    def _new_dir(self) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        target = self.path / f"ix-{time.time_ns()}-{secrets.token_hex(4)}"
        target.mkdir()
        whoosh_index.create_in(str(target), make_schema())
        (target / META).write_text(json.dumps({"schema_version": SCHEMA_VERSION}))
        return target

    def _swap_to(self, target: Path) -> None:
        previous = None
        try:
            previous = self._current_name()
        except IndexUnavailable:
            pass
        tmp = self.path / f"{POINTER}.{secrets.token_hex(4)}.tmp"
        tmp.write_text(target.name, encoding="utf-8")
        os.replace(tmp, self.path / POINTER)
        keep = {target.name, previous}
        for child in self.path.iterdir():
            if child.is_dir() and child.name.startswith("ix-") and child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)

    def exists(self) -> bool:
        """Return whether an index directory is in place (healthy or not)."""
        try:
            return (self.path / self._current_name()).is_dir()
        except IndexUnavailable:
            return False

    def rebuilt_at(self) -> dt.datetime | None:
        """Return when the live directory was swapped in (the last rebuild or creation)."""
        try:
            return dt.datetime.fromtimestamp((self.path / POINTER).stat().st_mtime, dt.UTC)
        except OSError:
            return None

    def create(self, wait: bool = True) -> None:
        """Create an empty index, replacing whatever is there.

        Holds the rebuild lock (RebuildRunning, without wait, when another process has it).
        """
        with integrity.rebuild_lock(self.path, wait):
            self._swap_to(self._new_dir())

    def _open(self, name: str | None = None):
        """Return the open Whoosh index of the live directory (``name``: the pointer's value,
        when the caller has just read it); raise IndexUnavailable."""
        name = name or self._current_name()
        if self._ix is not None and self._ix_dir == name:
            return self._ix
        directory = self.path / name
        try:
            meta = json.loads((directory / META).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexUnavailable(f"search index {directory} is missing or corrupt") from exc
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise IndexUnavailable(
                f"search index {directory} has schema version {meta.get('schema_version')},"
                f" this code needs {SCHEMA_VERSION}: rebuild it"
            )
        try:
            ix = whoosh_index.open_dir(str(directory))
        except Exception as exc:  # Whoosh raises many kinds of errors on a damaged directory
            raise IndexUnavailable(f"cannot open search index {directory}: {exc}") from exc
        self._ix, self._ix_dir = ix, name
        return ix

    def generation(self) -> tuple[str, int]:
        """Return a cheap token that changes whenever the index content changes."""
        name = self._current_name()  # read once: every search and practice page asks
        try:
            gen = self._open(name).latest_generation()
        except OSError as exc:
            raise IndexUnavailable(f"search index {self.path / name} vanished") from exc
        return name, gen

    def verify(self) -> list[str]:
        """Read back every file the live index relies on; return the damage (empty: none)."""
        try:
            with self._lock:
                ix = self._open()
        except IndexUnavailable as exc:
            return [str(exc)]
        return integrity.verify(ix)

    def is_healthy(self) -> bool:
        """Return whether the index opens, has this schema version and can be read."""
        try:
            self.doc_count()
        except IndexUnavailable:
            return False
        return True

    # Writing

    def apply(self, upserts: Iterable[dict], deletes: Iterable[int], timeout: float = 5.0
              ) -> None:
        """Upsert documents (replacing by id) and delete ids; idempotent.

        An id both upserted and deleted is deleted. Raises IndexBusy when the write lock is
        not free within timeout seconds, IndexUnavailable when the index cannot be opened.
        """
        removed = {int(i) for i in deletes}
        latest = {int(d["id"]): d for d in upserts}
        prepared = [to_fields(d) for i, d in latest.items() if i not in removed]
        with self._lock:
            ix, ix_dir = self._open(), self._ix_dir
        self._interrupt_merge()
        writer = self._writer(ix, timeout)
        try:
            # An upsert replaces every copy of its id, as update_document would.
            delete_ids(writer, sorted(removed | set(latest)), self._open_reader,
                       self._written_ids)
            for fields in prepared:
                writer.add_document(**fields)
        except BaseException:
            writer.cancel()
            raise
        try:
            writer.commit(merge=False)
        except OSError as exc:
            raise IndexUnavailable(f"cannot write search index: {exc}") from exc
        self._last_apply = time.monotonic()
        segments = internals.segments(ix)
        self._note_written(ix_dir, writer.newsegment if prepared else None, prepared, segments)
        self._small_segments = sum(1 for s in segments if s.doc_count_all() < SMALL_SEGMENT)
        if tier_to_merge(segments) is not None:
            self._merge_soon()

    def _note_written(self, ix_dir: str | None, segment, prepared: list[dict],
                      segments: list) -> None:
        """Keep the ids of the segment just written (its document numbers follow prepared),
        so that the next publishes delete from it without opening it; forget merged ones."""
        with self._lock:
            current = {f"{ix_dir}/{s.segment_id()}" for s in segments}
            self._written = {k: v for k, v in self._written.items() if k in current}
            if segment is not None:
                self._written[f"{ix_dir}/{segment.segment_id()}"] = {
                    fields["id"]: [docnum] for docnum, fields in enumerate(prepared)}

    def _written_ids(self, segment) -> dict[str, list[int]] | None:
        """Return the document numbers of each id of a segment this process wrote, if any."""
        with self._lock:
            return self._written.get(f"{self._ix_dir}/{segment.segment_id()}")

    def _open_reader(self, segment) -> SegmentReader | None:
        """Return this process's open reader of a segment of the live directory, if any."""
        with self._lock:
            data = self._segments.get(f"{self._ix_dir}/{segment.segment_id()}")
        return None if data is None else data.reader

    def segment_sizes(self) -> list[int]:
        """Return the number of documents (deleted ones included) of each segment."""
        with self._lock:
            ix = self._open()
        return [s.doc_count_all() for s in internals.segments(ix)]

    def pending_merge(self) -> bool:
        """Return whether a full tier of small segments waits to be merged."""
        with self._lock:
            ix = self._open()
        return tier_to_merge(internals.segments(ix)) is not None

    def _interrupt_merge(self) -> None:
        """Stop this index's merge child so a publish need not wait for its write lock.

        A merge is redone from scratch by the next apply (a killed merge leaves only unused
        files, removed by a later commit, and its lock dies with it). Publishing has priority
        unless small segments pile up past MAX_PENDING_SEGMENTS: then the merge is left to
        finish, and the publish waits for it.
        """
        child = self._merge_child
        if (child is not None and child.poll() is None
                and self._small_segments <= MAX_PENDING_SEGMENTS):
            child.terminate()
            child.wait()

    def _writer(self, ix, timeout: float, keep_files: bool = False
                ) -> internals.TermsWriter:
        try:
            return internals.TermsWriter(ix, term_fields(), keep_files=keep_files,
                                         timeout=timeout, delay=0.02,
                                         codec=internals.make_codec(), compound=False)
        except LockError as exc:
            raise IndexBusy(f"search index write lock busy for {timeout}s") from exc
        except OSError as exc:
            raise IndexUnavailable(f"cannot write search index: {exc}") from exc

    def merge(self, timeout: float = 0.0) -> bool:
        """Merge one full tier of small segments; return False if the lock was busy.

        apply() leaves this to a child process (watched by a thread; one at a time per
        index object), so neither a publish nor the searches of this process wait for a
        merge; close() waits for a running merge.
        """
        with self._lock:
            ix = self._open()
        try:
            writer = self._writer(ix, timeout, keep_files=True)
        except IndexBusy:
            return False
        try:
            writer.commit(mergetype=merge_small_segments)
        except BaseException:
            writer.cancel()
            raise
        return True

    def _merge_soon(self) -> None:
        with self._lock:
            if self._merger is not None and self._merger.is_alive():
                return
            self._merger = threading.Thread(target=self._merge_quietly, daemon=True,
                                            name="kb-search-merge")
            self._merger.start()

    def _merge_quietly(self) -> None:
        # Merges wait for a quiet moment (MERGE_IDLE seconds without an apply from this
        # object) so a burst of publishes is not slowed by one, unless too many small
        # segments are pending.
        while self._small_segments <= MAX_PENDING_SEGMENTS:
            quiet = time.monotonic() - self._last_apply
            if self._closing.is_set():
                return
            if quiet >= MERGE_IDLE:
                break
            self._closing.wait(MERGE_IDLE - quiet)
        # A process of its own: Whoosh's writer is pure Python and would hold this process's
        # GIL for the length of the merge. A new interpreter, not a fork: this process has
        # threads. Failures leave the index valid; the next apply tries again.
        child = subprocess.Popen([sys.executable, "-c", MERGE_COMMAND, str(self.path)])
        self._merge_child = child
        if self._closing.is_set():  # closing began after the quiet moment, before this child
            self._interrupt_merge()
        if child.wait() not in (0, -signal.SIGTERM):
            log.error("search index merge exited with status %s", child.returncode)

    def rebuild(self, documents: Iterable[dict], total: int | None = None,
                progress: Callable[[int], None] | None = None, wait: bool = True) -> int:
        """Build a fresh index from documents beside the live one, swap it in; return count.

        total is only informative (for a caller's progress bar); progress(n) is called every
        100 documents and at the end. Changes applied to the old index meanwhile are not
        carried over: run a sync (compare versions()) afterwards. One rebuild runs at a time
        per directory, across processes: without wait, raises RebuildRunning (before reading
        any document) when another one holds the lock.
        """
        with integrity.rebuild_lock(self.path, wait):
            return self._rebuild(documents, progress)

    def rebuild_running(self) -> bool:
        """Return whether a process (this one included) is rebuilding this index now."""
        return integrity.rebuild_running(self.path)

    def wait_for_rebuild(self) -> None:
        """Return once no process holds the rebuild lock (a running rebuild has finished)."""
        with integrity.rebuild_lock(self.path, wait=True):
            pass

    def _rebuild(self, documents: Iterable[dict], progress: Callable[[int], None] | None
                 ) -> int:
        target = self._new_dir()
        ix = whoosh_index.open_dir(str(target))
        try:
            count = build.fill(ix, documents, progress)
        except BaseException:
            ix.close()
            shutil.rmtree(target, ignore_errors=True)
            raise
        ix.close()
        self._swap_to(target)
        if progress is not None:
            progress(count)
        return count

    def search(self, req: SearchRequest) -> SearchResults:
        """Return a page of results with facet counts; never raises on any query string.

        Raises ValueError for an unknown facet name, IndexUnavailable for a broken index.
        """
        snap = self._snapshot()
        return self._cached(self._cache, RESULT_CACHE, (req.key(), snap.generation),
                            lambda: searcher.search(snap, self._vocab, req))

    def _cached(self, cache: OrderedDict, size: int, key: tuple,
                compute: Callable[[], object]) -> Any:
        """Return the result cache keeps under key (which names the generation), computed once."""
        cached = cache.get(key)
        if cached is not None:
            return cached
        result = compute()
        with self._lock:
            cache[key] = result
            while len(cache) > size:
                cache.popitem(last=False)
        return result

    def clear_cache(self) -> None:
        """Forget cached result pages and what the snapshot keeps of each query
        (bench/relevance.py compares two matchers on one index)."""
        with self._lock:
            self._cache.clear()
            self._related.clear()
            if self._snap is not None:
                memo.forget(self._snap)

    def related(self, doc_id: int, limit: int = 5) -> list[Hit]:
        """Return practices sharing objectives and distinctive words with doc_id (not itself).

        Kept per index generation with the result pages: any change to the index (a publish,
        an edit, a withdrawal) starts a new generation, so a practice page never shows a
        related practice the index no longer has.
        """
        snap = self._snapshot()
        return self._cached(self._related, RELATED_CACHE, (doc_id, limit, snap.generation),
                            lambda: searcher.related(snap, doc_id, limit))

    def versions(self) -> dict[int, str]:
        """Return id -> version of every indexed document (for drift checks)."""
        return self._snapshot().versions()

    def doc_count(self) -> int:
        """Return the number of indexed documents."""
        return self._snapshot().live_count

    def close(self) -> None:
        """Close readers and files; a merge not yet started is skipped and a running one is
        stopped as a publish stops it (the next apply merges the tier again)."""
        self._stop_merge()
        with self._lock:
            self._close_files()
            self._snap, self._segments = None, {}
            self._cache.clear()
            self._related.clear()

    def _stop_merge(self) -> None:
        self._closing.set()
        self._interrupt_merge()
        merger = self._merger
        if merger is not None:
            merger.join()
        self._closing.clear()
