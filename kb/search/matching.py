"""Matching a query plan: every word first, then (when few do) most of the words.

A plain query matches the practices containing every slot. A slot matches *directly* through
the user's words and their variants (joined hyphens, a country's names, demonyms and tag),
and *indirectly* through its synonyms and translations. When fewer than PARTIAL_BELOW
practices in the whole repository match every slot (filters aside, so that whether partial
matches are shown depends on the words alone and a facet count still equals what selecting
it returns), the practices containing *most* of the words follow: at least half of the words
(2 of 3 or 4, 3 of 5 or 6) and a score at least PARTIAL_MIN_SCORE of the best match's, and
PARTIAL_OF_FULL of the best full match's when there is one (the full matches answer the
query; a practice mentioning a few of the words in passing is not a next-best answer)
counted in the user's own words (ALTERNATIVE_WEIGHT ranks translations below the user's
words; it does not bring "niños migrantes" close to "detention" of "migrant children" for
"detención de niños migrantes"). Of two words, "most" is both: practices with one of them
are added only when no practice has both. Words found in no practice say the repository does
not cover the query ("space" of "space tourism", "ski resort" of "migrant workers ski
resort"; a misspelt one gets "Did you mean" instead): of two words, one such word, of more,
when they are at least half of its telling words (those not found in more than COMMON_SHARE
of the practices; an ordinary word such as "find" does not count as missing), no partial
matches are added. When the query names a country (or its people), a partial match must
contain it: a place restricts what the user asks for ("Filipino domestic workers" is not
answered by domestic workers in Lebanon). Partial matches rank after every full match, by
how many words they contain, then by score. A run of words naming a concept that no practice
matches, itself or through its alternatives, counts as its separate words; its head word
alone ("registration" of "birth registration") does not make a partial match about it.

Precision (bench/relevance.py): a practice that needs a synonym or a translation for some
word, or that contains only some of the words, is kept only when it is *about* them: its
title or summary names the slot it matched indirectly (each such slot), or for a partial
match one of the slots it contains other than the commonest (found in more than
COMMON_SHARE of the practices: "migrants" in a migration repository). Which words name a
slot is kb.search.about's: the user's own words or an alternative the practice contains,
neither a word common in the repository ("workers" of "domestic workers") nor, alone, an
ordinary word of a term of several ("money" of "money transfers home"). A practice that
merely mentions a synonym or a few of the words somewhere in a long description is noise.
So is a practice with every word of the user that scores under PARTIAL_MIN_SCORE of the
best such practice (the bar of a practice with only some of the words), names none of them
in its title or summary and has them fewer than once in fifty words of its text
(kb.search.about.PASSING_MENTIONS): "remittances" once in the description of a
wage-protection system is not an answer to "remittances" (when PARTIAL_BELOW practices with
every word score above that bar, the others rank after a page of them and are left there).
Only the ABOUT_LIMIT best-scoring candidates are checked (the cost of a search stays
bounded; a practice with every word beyond them is kept). A strict query (operators)
matches exactly what it says.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from kb.search import facets, memo
from kb.search.about import COMMON_SHARE, About, head_of
from kb.search.analysis import LANGUAGES, analyze
from kb.search.codes import Vocabulary
from kb.search.columns import Snapshot
from kb.search.evaluate import Evaluator
from kb.search.expand import ALTERNATIVE_WEIGHT, Plan, Slot, in_repository, widen
from kb.search.query import And, Phrase, Word
from kb.search.vocabulary import Thesaurus

PARTIAL_BELOW = 10
PARTIAL_MIN_SCORE = 0.15
"""A partial match must score at least this share of the best match's score, and so must a
practice with every word that mentions them in passing (_without_passing)."""
PARTIAL_OF_FULL = 0.5
"""When some practices contain every word, a partial match must score at least this share
of the best of them, counted in the user's own words (they answer the query; a practice
with fewer words must come close)."""
ALTERNATIVE_MIN_SCORE = 0.1
"""A practice found only through alternatives must score at least this share of the best."""
ABOUT_LIMIT = 200
"""Synonym-only (or partial) matches checked for being about the query, best first; the
weaker ones beyond are left out (a search's cost stays bounded in a large repository)."""
COUNTRY_SCORE = 1.0
"""Score of a practice tagged with a country the query names (before ALTERNATIVE_WEIGHT)."""
UNDERSTOOD_BYTES = 32_000_000
"""Arrays of understood queries kept per snapshot (understand): ~450 queries of 10,000
practices."""
UNDERSTOOD_OVERHEAD = 4_000
"""Bytes counted for an understood query's plan and objects besides its arrays."""


@dataclass
class Matched:
    """Documents matched by the text of a query, with scores and ranking tiers."""

    mask: np.ndarray
    score: np.ndarray
    full_total: int
    some: np.ndarray | None = None
    words_found: np.ndarray | None = None
    unmatched: tuple[str, ...] = ()


@dataclass
class _Slots:
    """Per slot of a plain query: direct and full masks, score, weight and terms."""

    directs: list[np.ndarray]
    masks: list[np.ndarray]
    scores: list[np.ndarray]
    weights: list[int]
    terms: list[list[tuple[np.ndarray, Word | Phrase | And]]]
    """Per slot: each of its terms (the user's words, each alternative) with the practices
    containing it (kb.search.about reads its words when a practice must be about it)."""
    unmatched: list[str]
    places: list[bool]
    """Per slot: whether it names a country (or its people)."""
    tagged: np.ndarray | None = None
    """The practices tagged with a country the query names."""
    heads: list[bool] = field(default_factory=list)
    """Per slot: whether it is the head word of a concept found nowhere (_match_slot)."""

    def add(self, direct: np.ndarray, mask: np.ndarray, score: np.ndarray, weight: int,
            terms: list[tuple[np.ndarray, Word | Phrase | And]], place: bool = False,
            head: bool = False) -> None:
        self.places.append(place)
        self.heads.append(head)
        self.directs.append(direct)
        self.masks.append(mask)
        self.scores.append(score)
        self.weights.append(weight)
        self.terms.append(terms)


def run(snap: Snapshot, vocab: Vocabulary, evaluator: Evaluator, thesaurus: Thesaurus,
        node: object, query_plan: Plan) -> Matched | None:
    """Return what the query's text matches, or None when nothing in it was searchable."""
    if query_plan.strict or not query_plan.slots:
        result = evaluator.run(widen(thesaurus, node) if query_plan.strict else node)
        if result is None:
            return None
        mask, score = result
        return Matched(mask, score, int(mask.sum()), unmatched=tuple(evaluator.unmatched))
    slots = _Slots([], [], [], [], [], [], [])
    for slot in query_plan.slots:
        _match_slot(snap, vocab, evaluator, slot, slots, query_plan.language)
    if not slots.masks:
        return None
    score = np.add.reduce(slots.scores)
    masks = _without_noise(slots.masks, slots.directs, score)
    full = np.logical_and.reduce(masks)
    about = About(snap, vocab, slots.terms)
    indirect = full & ~np.logical_and.reduce(slots.directs)
    full &= ~indirect
    for d in _best(indirect, score, snap.ids):
        # Matched through a synonym or a translation: the practice must be about it.
        full[d] = all(about(d, i) for i, m in enumerate(slots.directs) if not m[d])
    _without_passing(full, np.logical_and.reduce(slots.directs), score, about, slots.tagged,
                     snap.ids)
    matched = Matched(full, score, int(full.sum()), unmatched=tuple(slots.unmatched))
    total = sum(slots.weights)
    if _uncovered(snap, masks, slots.weights, slots.unmatched):
        return matched
    if (total >= 3 and matched.full_total < PARTIAL_BELOW) or (
            total == 2 and matched.full_total == 0):
        _add_partial(matched, snap, masks, slots, about, _best_in_own_words(full, slots))
    return matched


def _uncovered(snap: Snapshot, masks: list[np.ndarray], weights: list[int],
               unmatched: list[str]) -> bool:
    """Return whether the query asks for what the repository does not cover: of two words,
    one is found in no practice ("space" of "space tourism"); of more, the words found in
    no practice, ordinary words aside ("help", "find"), are at least half of its telling
    words (those not found in more than COMMON_SHARE of the practices): "ski resort" of
    "migrant workers ski resort", "football" of "football programme for migrants"."""
    from kb.search.suggest import is_ordinary

    if sum(weights) == 2:
        return not all(m.any() for m in masks)
    common = COMMON_SHARE * max(snap.live_count, 1)
    missing = sum(1 for word in unmatched
                  if not is_ordinary(word) and any(analyze(word, lang) for lang in LANGUAGES))
    telling = sum(w for m, w in zip(masks, weights, strict=True) if m.sum() <= common)
    return missing > 0 and 2 * missing >= telling


def _match_slot(snap: Snapshot, vocab: Vocabulary, evaluator: Evaluator, slot: Slot,
                slots: _Slots, lang: str | None, head: bool = False) -> None:
    own = evaluator.run(slot.node)
    if own is None:
        return
    direct, score = own
    terms: list[tuple[np.ndarray, Word | Phrase | And]] = [(direct, slot.node)]
    variants = [a.node for a in slot.alternatives if a.node is not None and a.variant]
    synonyms = [a.node for a in slot.alternatives if a.node is not None and not a.variant]
    found = _each(evaluator, variants, terms)
    if found is not None:
        direct, score = direct | found[0], score + found[1]
    for code in slot.countries():
        tagged = facets.filter_masks(snap, vocab, {"country": [code]})["country"] & snap.live
        score[tagged] += COUNTRY_SCORE * ALTERNATIVE_WEIGHT
        slots.tagged = tagged if slots.tagged is None else slots.tagged | tagged
        direct = direct | tagged  # the user named the country
    mask = direct
    found = _each(evaluator, synonyms, terms)
    if found is not None:
        mask, score = direct | found[0], score + found[1]
    if not mask.any() and slot.words_alone is not None and isinstance(slot.node, And):
        # A concept no practice matches: its words count as slots of their own, its head
        # word (kb.search.about.head_of) marked: alone, it does not make a partial match
        # about the query.
        head_word = head_of(slot.node, slot.words, lang)
        for alone in slot.words_alone():
            _match_slot(snap, vocab, evaluator, alone, slots, lang, alone.node is head_word)
        return
    if not mask.any():
        slots.unmatched += slot.words
    slots.add(direct, mask, score, slot.weight, terms, place=bool(slot.countries()),
              head=head)


def _each(evaluator: Evaluator, nodes: list[Word | Phrase],
          terms: list[tuple[np.ndarray, Word | Phrase | And]]
          ) -> tuple[np.ndarray, np.ndarray] | None:
    """Return the OR of nodes (as evaluating Or(nodes) would, to the bit), noting which
    practices contain each of them in terms."""
    total = None
    for node in nodes:
        found = evaluator.run(node)
        if found is None:
            continue
        terms.append((found[0], node))
        total = (found[0], found[1].copy()) if total is None else (
            total[0] | found[0], total[1] + found[1])
    return total


def _without_noise(masks: list[np.ndarray], directs: list[np.ndarray], score: np.ndarray
                   ) -> list[np.ndarray]:
    """Drop the practices found only through alternatives whose score is a small fraction
    of the best one's (a synonym's words scattered through a long text)."""
    found = np.logical_or.reduce(masks)
    if not found.any():
        return masks
    own_any = np.logical_or.reduce(directs)
    noise = found & ~own_any & (score < ALTERNATIVE_MIN_SCORE * float(score[found].max()))
    return [m & ~noise for m in masks] if noise.any() else masks


def _without_passing(full: np.ndarray, direct: np.ndarray, score: np.ndarray, about: About,
                     tagged: np.ndarray | None, ids: np.ndarray) -> None:
    """Leave out of full the practices with every word of the user (direct) that score under
    PARTIAL_MIN_SCORE of the best of them and mention the words in passing (About.in_passing:
    "remittances" once in the description of a wage-protection system). A practice tagged
    with a country the query names is about it. When PARTIAL_BELOW practices score above the
    bar, the others rank after a page of them: they are left there, unchecked."""
    docs = np.flatnonzero(full & direct)
    if not len(docs):
        return
    weak = full & direct & (score < PARTIAL_MIN_SCORE * float(score[docs].max()))
    if len(docs) - int(weak.sum()) >= PARTIAL_BELOW:
        return
    if tagged is not None:
        weak &= ~tagged
    for d in _best(weak, score, ids):
        full[d] = not about.in_passing(d)


def _add_partial(matched: Matched, snap: Snapshot, masks: list[np.ndarray], slots: _Slots,
                 about: About, full_best: float) -> None:
    weights, places = slots.weights, slots.places
    stacked = np.vstack(masks)
    found = (stacked * np.asarray(weights)[:, None]).sum(axis=0)
    needed = math.ceil(sum(weights) / 2)
    some = (found >= needed) & ~matched.mask & snap.live
    if any(places):
        # A place the user names restricts the query: a practice elsewhere with the other
        # words ("domestic workers" in Lebanon for "Filipino domestic workers") is not a
        # partial answer.
        some &= np.logical_or.reduce([m for m, place in zip(masks, places, strict=True)
                                      if place])
    if some.any():
        # A partial match scoring a small fraction of the best one is noise (its words are
        # the query's commonest, or a phrase's words scattered through a long text).
        best = float(matched.score[some | matched.mask].max())
        some &= matched.score >= PARTIAL_MIN_SCORE * best
        if matched.full_total:
            # Practices with every word answer the query: one with only some of them must
            # come close to the best of those to be shown after them.
            some &= matched.score >= PARTIAL_OF_FULL * full_best
        # The commonest words and the head word of a concept found nowhere say little.
        weak = stacked.sum(axis=1) > COMMON_SHARE * max(snap.live_count, 1)
        weak |= np.asarray(slots.heads)
        candidates = _best(some, matched.score, snap.ids)
        some[:] = False
        for d in candidates:
            some[d] = any(about(d, i) for i in range(len(masks))
                          if stacked[i, d] and not weak[i])
    matched.some = some
    matched.words_found = found
    matched.mask = matched.mask | some


def _best_in_own_words(full: np.ndarray, slots: _Slots) -> float:
    """Return the best full match's score, each slot matched through an alternative counted
    as if matched by the user's words (0 when there is no full match)."""
    docs = np.flatnonzero(full)
    return float(np.add.reduce([np.where(d[docs], s[docs], s[docs] / ALTERNATIVE_WEIGHT)
                                for d, s in zip(slots.directs, slots.scores, strict=True)]
                               ).max()) if len(docs) else 0.0


def _best(mask: np.ndarray, score: np.ndarray, ids: np.ndarray) -> list[int]:
    """Return the ABOUT_LIMIT best-scoring documents of mask, equal scores by practice id.

    The id, not the document number, breaks ties (as the result order does): document numbers
    depend on how the practices are spread over segments, so the same practices indexed by
    a rebuild and by a run of publishes would otherwise check different candidates.
    """
    docs = np.flatnonzero(mask)
    if len(docs) > ABOUT_LIMIT:
        docs = docs[np.lexsort((ids[docs], -score[docs]))[:ABOUT_LIMIT]]
    return docs.tolist()


@dataclass
class Understood:
    """A parsed query's plan, the evaluator that ran it and what it matched."""

    plan: Plan
    evaluator: Evaluator
    matched: Matched | None


def understand(snap: Snapshot, vocab: Vocabulary, node: object | None, text: str,
               lang: str | None, budget: float) -> Understood:
    """Plan the query (slots, language, alternatives) and match it against the snapshot
    within budget seconds (counted once the thesaurus is loaded: its first load is slow).

    Kept per snapshot (kb.search.memo) unless cut short: the same query with other filters,
    on another page or as a "Did you mean" check reuses it (shared: not to be modified)."""
    return memo.cached(snap, "understood", UNDERSTOOD_BYTES, (node, text, lang),
                       lambda: _understand(snap, vocab, node, text, lang, budget))


def _understand(snap: Snapshot, vocab: Vocabulary, node: object | None, text: str,
                lang: str | None, budget: float) -> tuple[Understood, int, bool]:
    from kb.search.expand import plan as make_plan
    from kb.search.vocabulary import thesaurus

    words_of = thesaurus()
    query_plan = make_plan(words_of, node, text, lang, in_repository(snap))
    evaluator = Evaluator(snap, query_plan.language or lang, time.monotonic() + budget)
    matched = None
    if node is not None:
        matched = run(snap, vocab, evaluator, words_of, node, query_plan)
    size = UNDERSTOOD_OVERHEAD + (0 if matched is None else sum(
        a.nbytes for a in (matched.mask, matched.score, matched.some, matched.words_found)
        if a is not None))
    return Understood(query_plan, evaluator, matched), size, not evaluator.timed_out


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
