"""Disjunctive facet filtering and counting over a snapshot's facet columns.

OR within a facet, AND across facets; each facet is counted with every filter but its own, so
a value's count is exactly the total that selecting it returns.
"""
from __future__ import annotations

import numpy as np

from kb.search.columns import NO_YEAR, Snapshot, Vocabulary
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
            codes = snap.facet_codes[facet]
            hit = np.isin(codes, np.asarray(known, np.int32))
            mask[snap.facet_docs[facet][hit]] = True
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


def _sort_key(fc: FacetCount):
    return (-fc.count, type(fc.value).__name__, fc.value)


def count(snap: Snapshot, vocab: Vocabulary, base: np.ndarray, masks: dict[str, np.ndarray],
          filters: dict[str, list], matched: np.ndarray) -> dict[str, list[FacetCount]]:
    """Return every facet's values with their disjunctive counts, selected values included."""
    out = {}
    for facet in FACETS:
        within = apply_filters(base, masks, skip=facet) if facet in masks else matched
        docs = snap.facet_docs[facet]
        codes = snap.facet_codes[facet][within[docs]]
        values = vocab.values[facet]
        counts = np.bincount(codes, minlength=len(values))
        selected = set(filters.get(facet) or ())
        items = [FacetCount(values[c], int(counts[c]), values[c] in selected)
                 for c in np.flatnonzero(counts)]
        present = {fc.value for fc in items}
        items += [FacetCount(v, 0, True) for v in selected if v not in present]
        items.sort(key=_sort_key)
        out[facet] = items
    return out
