"""What a search computes from one index generation and its query alone, kept for the next one.

A query's plan and matches (kb.search.matching.understand) depend only on the query and the
snapshot it ran on, not on the filters, page or sort of the request: the same words searched
again with a facet selected, on the next page, or tried by "Did you mean" reuse them; so do
a word's or a phrase's matches (kb.search.evaluate), which other queries share. Each
memo belongs to one snapshot (``Snapshot.scratch``), so a new index generation starts empty;
it holds at most ``budget`` bytes of arrays, the least recently used going first.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from kb.search.columns import Snapshot

_MISS: Any = object()


class Memo:
    """A bounded map, least recently used first out; safe to share between threads."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """Return the value kept under key, or None."""
        with self._lock:
            found = self._items.get(key, _MISS)
            if found is _MISS:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        """Keep value (size bytes) under key, forgetting the oldest values past the budget."""
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= old[1]
            self._items[key] = (value, size)
            self._size += size
            while self._size > self.budget and len(self._items) > 1:
                _, (_, dropped) = self._items.popitem(last=False)
                self._size -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0


def of(snap: Snapshot, name: str, budget: int) -> Memo:
    """Return the snapshot's memo called name, made on first use."""
    found = snap.scratch.get(("memo", name))
    if found is None:
        found = snap.scratch.setdefault(("memo", name), Memo(budget))
    return found


def forget(snap: Snapshot) -> None:
    """Empty every memo of the snapshot (bench/relevance.py compares two matchers on one)."""
    for key, value in list(snap.scratch.items()):
        if isinstance(key, tuple) and key[:1] == ("memo",):
            value.clear()


def cached(snap: Snapshot, name: str, budget: int, key: Hashable,
           compute: Callable[[], tuple[Any, int, bool]]) -> Any:
    """Return the value of key in the snapshot's memo called name, computed once.

    compute returns (value, size in bytes, whether it may be kept): a result cut short by
    the time budget is not kept.
    """
    memo = of(snap, name, budget)
    found = memo.get(key)
    if found is not None:
        return found
    value, size, keep = compute()
    if keep:
        memo.put(key, value, size)
    return value
