"""Integer codes a process gives to facet values and to title and summary terms.

Codes are stable for the life of the process and shared by every index generation (and by
the processes forked after ``SearchIndex.warm``): columns hold codes, not strings.
"""
from __future__ import annotations

import threading
from collections.abc import Set

import numpy as np

from kb.search.schema import FACETS


class Vocabulary:
    """Stable integer codes for facet values and for title and summary terms, shared by all
    generations of one process."""

    def __init__(self) -> None:
        self.codes: dict[str, dict] = {f: {} for f in FACETS}
        self.values: dict[str, list] = {f: [] for f in FACETS}
        self.orders: dict[str, np.ndarray] = {}
        """Per facet, each code's rank in display order (kb.search.facets, made on use)."""
        self.term_ids: dict[str, int] = {}
        """Codes of the title and summary terms (SegmentData.head)."""
        self._lock = threading.Lock()

    def code(self, facet: str, value: object) -> int:
        codes = self.codes[facet]
        found = codes.get(value)
        if found is None:
            with self._lock:
                found = codes.setdefault(value, len(self.values[facet]))
                if found == len(self.values[facet]):
                    self.values[facet].append(value)
        return found

    def term_id(self, term: str) -> int:
        """Return the code of a title or summary term, giving it one when it is new."""
        found = self.term_ids.get(term)
        if found is None:
            with self._lock:
                found = self.term_ids.setdefault(term, len(self.term_ids))
        return found

    def known_ids(self, terms: Set[str]) -> frozenset[int]:
        """Return the codes of those of terms that some title or summary read so far has."""
        return frozenset(self.term_ids[t] for t in terms if t in self.term_ids)
