"""Reading a SearchIndex: its snapshot per generation, warming it, and forked processes.

A snapshot per index generation reuses the columns, readers and cached postings of every
segment it has already seen (kb.search.columns); a refresh reads only the table of contents
and the new segments. A process forked from one that has read the index (gunicorn's
workers, forked from a master that ran ``warm`` then ``release_files``) keeps all of that
and opens files of its own: it never reads through an inherited file object, whose offset it
would share with its parent.
"""
from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from whoosh.reading import SegmentReader

from kb.search import facets, internals
from kb.search.analysis import LANGUAGES
from kb.search.codes import Vocabulary
from kb.search.columns import SegmentData, Snapshot
from kb.search.errors import IndexUnavailable
from kb.search.schema import body_field, title_field

WARM_POSTINGS = 5_000_000
"""Postings ``warm`` reads at most (~40 MB; all the title and body postings of 10,000
practices are ~2.4 million)."""


class SnapshotReading:
    """The reading half of kb.search.index.SearchIndex (which sets these attributes)."""

    _lock: threading.RLock
    _ix: Any
    _ix_dir: str | None
    _snap: Snapshot | None
    _segments: dict[str, SegmentData]
    _retired: list[list[SegmentData]]
    _vocab: Vocabulary
    _cache: OrderedDict
    _related: OrderedDict
    _merger: threading.Thread | None
    _merge_child: Any
    _pid: int
    _released: bool
    _open: Callable[[], Any]
    generation: Callable[[], tuple[str, int]]
    _stop_merge: Callable[[], None]

    def _snapshot(self) -> Snapshot:
        with self._lock:
            if self._pid != os.getpid():
                self._forked()
            generation = self.generation()
            if (self._snap is not None and self._snap.generation == generation
                    and not self._released):
                return self._snap
            try:
                return self._refresh()
            except IndexUnavailable:
                raise
            except Exception:  # noqa: BLE001  a merge elsewhere may have just swapped files
                pass
            time.sleep(0.05)
            try:
                return self._refresh()
            except IndexUnavailable:
                raise
            except Exception as exc:  # a damaged segment surfaces while reading it
                raise IndexUnavailable(f"cannot read search index: {exc}") from exc

    def _refresh(self) -> Snapshot:
        # Only the TOC is read here: segments already seen keep their readers and columns
        # (Whoosh's ix.reader() would reopen every segment's files at each generation).
        ix = self._open()
        toc = internals.read_toc(ix)
        generation = (self._ix_dir, toc.generation)
        segments, fresh, offset = [], {}, 0
        for segment in toc.segments:
            key = f"{self._ix_dir}/{segment.segment_id()}"
            data = self._segments.get(key)
            # A reader of its own, opened (stored fields included) now and kept while the
            # segment lives: a merge in another process deletes a merged segment's files,
            # and a reader opening them lazily later would fail.
            if data is None:
                data = SegmentData(SegmentReader(ix.storage, ix.schema, segment,
                                                 generation=toc.generation), self._vocab)
            elif data.reader is None:  # its files were released (before a fork)
                data.reader = SegmentReader(ix.storage, ix.schema, segment,
                                            generation=toc.generation)
            data.segment = segment  # this generation's deletions
            fresh[key] = data
            segments.append((data, offset))
            offset += data.n
        retiring = [d for k, d in self._segments.items() if k not in fresh]
        self._segments = fresh
        self._retired.append(retiring)
        # Readers of dropped segments may still serve a search on another thread for a
        # moment, so they are closed two refreshes later rather than at once.
        while len(self._retired) > 2:
            for old in self._retired.pop(0):
                old.close_files()
        self._released = False
        if self._snap is None or self._snap.generation != generation:
            self._snap = Snapshot(segments, generation)
            self._cache.clear()
            self._related.clear()
        return self._snap

    def warm(self, budget: int = WARM_POSTINGS) -> None:
        """Read the live generation's columns and up to budget postings of the title and
        body fields (the terms most searches and every related-practices lookup read),
        with their document frequencies, and analyse every title and summary.

        Run in gunicorn's master before it forks (kb.serving), then ``release_files``: the
        workers share all of it and start with a warm snapshot instead of each reading every
        stored card and its postings again. Raises IndexUnavailable.
        """
        snap = self._snapshot()
        fields = ([title_field(lang) for lang in LANGUAGES]
                  + [body_field(lang) for lang in LANGUAGES])
        for field in fields:
            for data, _ in snap.segments:
                budget -= data.warm(field, budget)
        for lang in LANGUAGES:
            snap.count_frequencies((title_field(lang), body_field(lang)))
        for data, _ in snap.segments:
            data.warm_analysis()
        snap.title_rank()
        facets.prepare(snap)
        snap.position(-1)  # fills the id -> document table (related practices use it)

    def release_files(self) -> None:
        """Close every file of the index and keep what was read from it (before a fork).

        The snapshot, its columns and cached postings stay, shared copy-on-write by the
        processes forked afterwards; each one, like this one, opens its own files on its
        next search, and still notices every change made since.
        """
        self._stop_merge()
        with self._lock:
            self._close_files()
            self._released = True

    def _forked(self) -> None:
        # This process was forked from the one that opened the files: an inherited file
        # object shares its offset with the parent's (a seek here moves the other's), so
        # none is ever read; each is closed (only this process's descriptor) and reopened.
        self._pid = os.getpid()
        self._merger, self._merge_child = None, None  # the parent's, not running here
        self._close_files()
        self._released = True

    def _close_files(self) -> None:
        for batch in self._retired:
            for data in batch:
                data.close_files()
        self._retired = []
        for data in self._segments.values():
            data.close_files()
        if self._ix is not None:
            self._ix.close()
        self._ix, self._ix_dir = None, None
