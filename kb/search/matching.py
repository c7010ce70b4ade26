"""Matching a query plan: every word first, then (when few do) most of the words.

A plain query matches the practices containing every slot (a slot matches through the
user's words or any of its alternatives). When fewer than PARTIAL_BELOW practices in the
whole repository do (filters aside, so that whether partial matches are shown depends on the
words alone and a facet count still equals what selecting it returns), the practices
containing *most* of the words follow: at least half of the words (2 of 3 or 4, 3 of 5 or
6) and a score at least PARTIAL_MIN_SCORE of the best match's, so that "help returnees find
jobs" finds the practices about returnees and jobs (whose rarer words score high) and not
those that merely "help" people "find" something. Of two words, "most" is both: practices
with one of them (and that score) are added only when no practice has both. They rank after
every full match, by how many words they contain, then by score. A strict query (operators)
matches exactly what it says.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from kb.search import facets
from kb.search.analysis import LANGUAGES
from kb.search.columns import Snapshot, Vocabulary
from kb.search.evaluate import Evaluator
from kb.search.expand import ALTERNATIVE_WEIGHT, Plan, widen
from kb.search.query import Or
from kb.search.vocabulary import Thesaurus

PARTIAL_BELOW = 10
PARTIAL_MIN_SCORE = 0.15
"""A partial match must score at least this share of the best match's score."""
ALTERNATIVE_MIN_SCORE = 0.1
"""A practice found only through alternatives must score at least this share of the best."""
"""A partial match must score at least this share of the best match's score."""
COUNTRY_SCORE = 1.0
"""Score of a practice tagged with a country the query names (before ALTERNATIVE_WEIGHT)."""


@dataclass
class Matched:
    """Documents matched by the text of a query, with scores and ranking tiers."""

    mask: np.ndarray
    score: np.ndarray
    full_total: int
    some: np.ndarray | None = None
    words_found: np.ndarray | None = None
    unmatched: tuple[str, ...] = ()


def run(snap: Snapshot, vocab: Vocabulary, evaluator: Evaluator, thesaurus: Thesaurus,
        node: object, query_plan: Plan) -> Matched | None:
    """Return what the query's text matches, or None when nothing in it was searchable."""
    if query_plan.strict or not query_plan.slots:
        result = evaluator.run(widen(thesaurus, node) if query_plan.strict else node)
        if result is None:
            return None
        mask, score = result
        return Matched(mask, score, int(mask.sum()), unmatched=tuple(evaluator.unmatched))
    masks, scores, weights, unmatched = [], [], [], []
    own_any = np.zeros(snap.n, bool)
    for slot in query_plan.slots:
        own = evaluator.run(slot.node)
        if own is None:
            continue
        mask, score = own
        own_any |= mask
        texts = [a.node for a in slot.alternatives if a.node is not None]
        widened = evaluator.run(Or(tuple(texts))) if texts else None
        if widened is not None:
            mask, score = mask | widened[0], score + widened[1]
        for code in slot.countries():
            tagged = facets.filter_masks(snap, vocab, {"country": [code]})["country"] & snap.live
            score[tagged] += COUNTRY_SCORE * ALTERNATIVE_WEIGHT
            mask = mask | tagged
            own_any |= tagged  # the user named the country
        if not mask.any():
            unmatched += slot.words
        masks.append(mask)
        scores.append(score)
        weights.append(slot.weight)
    if not masks:
        return None
    score = np.add.reduce(scores)
    masks = _without_noise(masks, score, own_any)
    full = np.logical_and.reduce(masks)
    full_total = int(full.sum())
    matched = Matched(full, score, full_total, unmatched=tuple(unmatched))
    total = sum(weights)
    if (total >= 3 and full_total < PARTIAL_BELOW) or (total == 2 and full_total == 0):
        _add_partial(matched, snap, masks, weights)
    return matched


def _without_noise(masks: list[np.ndarray], score: np.ndarray, own_any: np.ndarray
                   ) -> list[np.ndarray]:
    """Drop the practices found only through alternatives whose score is a small fraction
    of the best one's (a synonym's words scattered through a long text)."""
    found = np.logical_or.reduce(masks)
    if not found.any():
        return masks
    noise = found & ~own_any & (score < ALTERNATIVE_MIN_SCORE * float(score[found].max()))
    return [m & ~noise for m in masks] if noise.any() else masks


def _add_partial(matched: Matched, snap: Snapshot, masks: list[np.ndarray],
                 weights: list[int]) -> None:
    stacked = np.vstack(masks)
    found = (stacked * np.asarray(weights)[:, None]).sum(axis=0)
    needed = math.ceil(sum(weights) / 2)
    some = (found >= needed) & ~matched.mask & snap.live
    if some.any():
        # A partial match scoring a small fraction of the best one is noise (its words are
        # the query's commonest, or a phrase's words scattered through a long text).
        best = float(matched.score[some | matched.mask].max())
        some &= matched.score >= PARTIAL_MIN_SCORE * best
    matched.some = some
    matched.words_found = found
    matched.mask = matched.mask | some


@dataclass
class Understood:
    """A parsed query's plan, the evaluator that ran it and what it matched."""

    plan: Plan
    evaluator: Evaluator
    matched: Matched | None


def understand(snap: Snapshot, vocab: Vocabulary, node: object | None, text: str,
               lang: str | None, budget: float) -> Understood:
    """Plan the query (slots, language, alternatives) and match it against the snapshot
    within budget seconds (counted once the thesaurus is loaded: its first load is slow)."""
    from kb.search.expand import plan as make_plan
    from kb.search.vocabulary import thesaurus

    words_of = thesaurus()
    query_plan = make_plan(words_of, node, text, lang)
    evaluator = Evaluator(snap, query_plan.language or lang, time.monotonic() + budget)
    matched = None
    if node is not None:
        matched = run(snap, vocab, evaluator, words_of, node, query_plan)
    return Understood(query_plan, evaluator, matched)


def tiers(snap: Snapshot, understood: Understood) -> np.ndarray | None:
    """Return a rank key per document (lower first): full matches before partial ones,
    then, when the query reached other languages, practices in the query's own language,
    then partial matches with more of the words; None when every document is one tier."""
    matched, query_plan = understood.matched, understood.plan
    if matched is None:
        return None
    key = np.zeros(snap.n, np.int64)
    if matched.some is not None and matched.words_found is not None:
        key += np.where(matched.some, 1000, 0)
        key += 99 - np.minimum(matched.words_found, 99).astype(np.int64)
    crossed = query_plan.language is not None and any(
        a.node is not None and a.node.lang not in (None, query_plan.language)
        for slot in query_plan.slots for a in slot.alternatives)
    if crossed:
        own = LANGUAGES.index(query_plan.language)
        key += np.where(snap.lang == own, 0, 100)
    return key if key.any() else None


def match_kind(understood: Understood, docnum: int) -> str:
    """Return "all" or "some": whether a matched document contains every word."""
    some = understood.matched.some if understood.matched is not None else None
    return "some" if some is not None and bool(some[docnum]) else "all"


def did_you_mean(snap: Snapshot, vocab: Vocabulary, understood: Understood, text: str,
                 lang: str | None, within: np.ndarray, full_total: int) -> str | None:
    """Return a corrected query when this one has no full match and the correction finds
    practices (full or partial matches) among ``within`` (the search's filters and years)."""
    from kb.search.query import parse
    from kb.search.suggest import suggestion

    matched = understood.matched
    if matched is None or full_total > 0 or not matched.unmatched:
        return None

    def returns_results(corrected: str) -> bool:
        parsed = parse(corrected)
        other = understand(snap, vocab, parsed.node, parsed.text, lang, 0.2).matched
        return other is not None and bool((other.mask & within).any())

    return suggestion(snap, text, matched.unmatched, returns_results)
