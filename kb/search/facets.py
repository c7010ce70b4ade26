"""Disjunctive facet filtering and counting over a snapshot's facet columns.

OR within a facet, AND across facets; each facet is counted with every filter but its own, so
a value's count is exactly the total that selecting it returns.
"""
from __future__ import annotations

import numpy as np

from kb.search.codes import Vocabulary
from kb.search.columns import NO_YEAR, Snapshot
from kb.search.results import FacetCount
from kb.search.schema import FACETS


def check_filters(filters: dict[str, list]) -> None:
    """Raise ValueError for a filter name that is not a facet."""
    unknown = set(filters) - set(FACETS)
    if unknown:
        raise ValueError(f"unknown facet(s): {', '.join(sorted(unknown))}")


def filter_masks(snap: Snapshot, vocab: Vocabulary, filters: dict[str, list]
                 ) -> dict[str, np.ndarray]:
    """Return, per facet with selected values, the mask of documents having any of them."""
    masks = {}
    for facet, values in filters.items():
        if not values:
            continue
        known = [vocab.codes[facet][v] for v in values if v in vocab.codes[facet]]
        mask = np.zeros(snap.n, bool)
        if known:
            wanted = np.zeros(len(vocab.values[facet]), bool)
            wanted[known] = True
            mask[snap.facet_docs[facet][wanted[snap.facet_codes[facet]]]] = True
        masks[facet] = mask
    return masks


def year_mask(snap: Snapshot, year_from: int | None, year_to: int | None) -> np.ndarray | None:
    """Return the mask of documents whose start year is within the bounds, or None."""
    if year_from is None and year_to is None:
        return None
    years = snap.start_year
    mask = years != NO_YEAR
    if year_from is not None:
        mask &= years >= year_from
    if year_to is not None:
        mask &= years <= year_to
    return mask


def apply_filters(base: np.ndarray, masks: dict[str, np.ndarray], skip: str | None = None
                  ) -> np.ndarray:
    """Return base AND-ed with every facet mask except skip's."""
    out = base
    for facet, mask in masks.items():
        if facet != skip:
            out = out & mask
    return out


def _sort_key(value: int | str) -> tuple[str, int | str]:
    return (type(value).__name__, value)


def _value_order(vocab: Vocabulary, facet: str) -> np.ndarray:
    """Return each value code's position among the facet's values in display order."""
    values = vocab.values[facet]
    cached = vocab.orders.get(facet)
    if cached is not None and len(cached) == len(values):
        return cached
    order = np.empty(len(values), np.int64)
    order[sorted(range(len(values)), key=lambda c: _sort_key(values[c]))] = np.arange(
        len(values))
    vocab.orders[facet] = order
    return order


class _Table:
    """Every facet value of every document, by document: (document -> shifted codes), the
    codes of each facet shifted to a range of their own so one bincount counts them all."""

    def __init__(self, snap: Snapshot) -> None:
        self.spans: dict[str, tuple[int, int]] = {}
        shift = 0
        for facet in FACETS:
            codes = snap.facet_codes[facet]
            size = int(codes.max()) + 1 if len(codes) else 0
            self.spans[facet] = (shift, size)
            shift += size
        self.size = shift
        docs = np.concatenate([snap.facet_docs[f] for f in FACETS]).astype(np.int64)
        codes = np.concatenate([snap.facet_codes[f].astype(np.int64) + self.spans[f][0]
                                for f in FACETS])
        order = np.argsort(docs, kind="stable")
        self.codes = codes[order]
        self.starts = np.zeros(snap.n + 1, np.int64)
        np.cumsum(np.bincount(docs, minlength=snap.n), out=self.starts[1:])
        self.live = snap.live
        self.live_total = snap.live_count
        self.live_counts = self._of(np.flatnonzero(snap.live))

    def _of(self, docs: np.ndarray) -> np.ndarray:
        starts = self.starts[docs]
        lengths = self.starts[docs + 1] - starts
        # The positions of every value of docs: each document's run of its own values.
        runs = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        positions = runs + np.arange(len(runs))
        return np.bincount(self.codes[positions], minlength=self.size)

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """Return the value counts of the documents of mask."""
        docs = np.flatnonzero(mask)
        if 2 * len(docs) <= self.live_total:
            return self._of(docs)
        # Most live documents: count those left out instead (fewer), and any deleted one.
        return (self.live_counts - self._of(np.flatnonzero(self.live & ~mask))
                + self._of(np.flatnonzero(mask & ~self.live)))


def prepare(snap: Snapshot) -> _Table:
    """Return the snapshot's facet table, made on first use (gunicorn's master makes it)."""
    table = snap.scratch.get("facet_table")
    if table is None:
        table = snap.scratch["facet_table"] = _Table(snap)
    return table


def count(snap: Snapshot, vocab: Vocabulary, base: np.ndarray, masks: dict[str, np.ndarray],
          filters: dict[str, list], matched: np.ndarray) -> dict[str, list[FacetCount]]:
    """Return every facet's values with their disjunctive counts, selected values included.

    Values come by count, largest first, then by value; selected values found nowhere come
    last, with a count of 0. The facets without a filter of their own are counted together.
    """
    table = prepare(snap)
    shared = table.counts(matched)
    out = {}
    for facet in FACETS:
        shift, size = table.spans[facet]
        if facet in masks:
            counts = table.counts(apply_filters(base, masks, skip=facet))[shift:shift + size]
        else:
            counts = shared[shift:shift + size]
        values = vocab.values[facet]
        found = np.flatnonzero(counts)
        found = found[np.lexsort((_value_order(vocab, facet)[found], -counts[found]))]
        selected = set(filters.get(facet) or ())
        items = [FacetCount(values[c], n, values[c] in selected)
                 for c, n in zip(found.tolist(), counts[found].tolist(), strict=True)]
        present = {fc.value for fc in items} if selected else set()
        items += [FacetCount(v, 0, True)
                  for v in sorted((v for v in selected if v not in present), key=_sort_key)]
        out[facet] = items
    return out
