"""'Did you mean': a whole corrected query, offered only when it finds practices.

Only a word that matched nothing and is not a word of English, French or Spanish (a
dictionary of each, from pyspellchecker, plus the search vocabulary) is corrected: "went",
"déplacement", "fonds" and "documentos" are words and stay. Corrections come from the
index's own words (titles and summaries) and the thesaurus's terms, closest first, then
most frequent. The corrected query keeps every other word exactly as typed (case, accents)
and the corrected words take the case of the words they replace. It is offered only when
it returns practices, and never for a query that already has results with every word.
"""
from __future__ import annotations

import heapq
import re
import threading
from collections.abc import Callable
from functools import cache, lru_cache
from itertools import islice
from weakref import WeakKeyDictionary

from kb.search import memo
from kb.search.analysis import LANGUAGES, STOPWORDS, analyze, fold, words
from kb.search.columns import SegmentData, Snapshot
from kb.search.vocabulary import thesaurus

MAX_WORDS = 8
MAX_ATTEMPTS = 4
"""Corrected queries run at most, to check that one returns practices."""
CORRECTIONS_BYTES = 1_000_000
CORRECTION_SIZE = 300
"""Bytes counted per word's corrections kept per snapshot (at most CORRECTIONS_BYTES)."""
_WITHIN: WeakKeyDictionary[SegmentData, dict[tuple[str, int], frozenset[str]]] = (
    WeakKeyDictionary())
_WITHIN_LIMIT = 4096
_WITHIN_LOCK = threading.Lock()
_TOKEN = re.compile(r"[^\s()\"]+")


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@cache
def _dictionaries() -> tuple:
    from spellchecker import SpellChecker  # loaded on the first correction only

    return tuple(SpellChecker(language=lang, distance=1).word_frequency
                 for lang in LANGUAGES)


def warm_up() -> None:
    """Load the spelling dictionaries and the thesaurus's words now, not on a first correction
    (a server loads them once before it forks its workers: kb.serving)."""
    _dictionaries()
    _thesaurus_words()
    _ordinary()


ORDINARY_RANK = 1000
"""The commonest words of each language (by the dictionaries' frequencies) are ordinary
words: "help", "find", "aider", "encontrar" say little about a query's subject."""


@cache
def _ordinary() -> frozenset[str]:
    out: set[str] = set()
    for frequencies in _dictionaries():
        counts = frequencies.dictionary
        out.update(fold(word) for word in heapq.nlargest(ORDINARY_RANK, counts, key=counts.get))
    return frozenset(out)


def is_ordinary(word: str) -> bool:
    """Return whether word is one of the commonest words of English, French or Spanish."""
    return fold(word) in _ordinary()


@cache
def _thesaurus_words() -> dict[str, frozenset[str]]:
    """Return the folded single words of the thesaurus's terms, by first letter."""
    by_letter: dict[str, set[str]] = {}
    for concept in thesaurus().concepts:
        for terms in concept.terms.values():
            for term in terms:
                for word in words(term):
                    folded = fold(word)
                    if len(folded) >= 3 and folded.isalpha() and folded not in STOPWORDS:
                        by_letter.setdefault(folded[0], set()).add(folded)
    return {letter: frozenset(found) for letter, found in by_letter.items()}


INFLECTIONS = ("s", "es", "x", "d", "ed", "e", "n")
"""Endings of inflected forms the dictionaries may lack (plurals, -ed pasts, -e and -n verb
forms): a word is spelt right when it, or it without one of them, is a dictionary word. An
ending is never added to a word ending with its first letter ("refuges" takes no second s,
"retune" no -es), so "refugess" and "retunees" are misspellings (of refugees, returnees)."""


@lru_cache(maxsize=4096)
def is_word(word: str) -> bool:
    """Return whether word is spelt right in English, French or Spanish (or is a term).

    Only an inflection ending is taken off to find a word in the dictionaries: "workrs"
    without its last letters is "work", but "rs" is no ending, so it is a misspelling."""
    lower = word.lower()
    folded = fold(word)
    if folded in _thesaurus_words().get(folded[:1], ()):
        return True
    candidates = {lower}
    if len(lower) > 4:
        candidates |= {lower[:-len(end)] for end in INFLECTIONS
                       if lower.endswith(end) and not lower[:-len(end)].endswith(end[0])}
    if any(c in d for d in _dictionaries() for c in candidates):
        return True
    th = thesaurus()
    return any(analyze(word, lang) and tuple(analyze(word, lang)) in th.index[lang]
               for lang in LANGUAGES)


def corrections(snap: Snapshot, word: str, limit: int = 3) -> list[str]:
    """Return up to limit folded words within 2 edits of word, closest and commonest first
    (kept per snapshot: a search's every page and filter asks again; shared, not to be
    modified)."""
    folded = fold(word)
    if len(folded) < 3 or not folded.isalpha():
        return []
    return memo.cached(snap, "corrections", CORRECTIONS_BYTES, (folded, limit),
                       lambda: (_corrections(snap, folded, limit), CORRECTION_SIZE, True))


def _corrections(snap: Snapshot, folded: str, limit: int) -> list[str]:
    maxdist = 1 if len(folded) < 6 else 2
    indexed: set[str] = set()
    for seg, _ in snap.segments:
        indexed.update(_indexed_within(seg, folded, maxdist))
    found = (indexed | _listed_within(folded, maxdist)) - {folded}
    ranked = sorted(found, key=lambda c: (_distance(c, folded), not _omits(folded, c),
                                          -snap.doc_frequency("spell", c), c))
    return ranked[:limit]


def _indexed_within(seg: SegmentData, folded: str, maxdist: int) -> frozenset[str]:
    """Return the words of a segment's titles and summaries within maxdist edits of folded
    (kept while the segment lives: its words never change, deletions aside, which
    terms_within does not look at)."""
    with _WITHIN_LOCK:
        found = _WITHIN.setdefault(seg, {})
        words_near = found.get((folded, maxdist))
    if words_near is None:
        words_near = frozenset(seg.reader.terms_within("spell", folded, maxdist, prefix=1))
        with _WITHIN_LOCK:
            if len(found) >= _WITHIN_LIMIT:
                found.clear()
            found[(folded, maxdist)] = words_near
    return words_near


@lru_cache(maxsize=4096)
def _listed_within(folded: str, maxdist: int) -> frozenset[str]:
    """Return the thesaurus's words within maxdist edits of folded."""
    return frozenset(w for w in _thesaurus_words().get(folded[0], ())
                     if abs(len(w) - len(folded)) <= maxdist and _distance(w, folded) <= maxdist)


def _omits(typed: str, word: str) -> bool:
    """Return whether typed is word with letters left out ("trafiking" of "trafficking"):
    of corrections equally far from what was typed, a word the typist dropped letters from
    (a doubled letter, the c of ck) comes before one with other letters ("training")."""
    letters = iter(word)
    return all(c in letters for c in typed)


def _cased(original: str, correction: str) -> str:
    if len(original) > 1 and original.isupper():
        return correction.upper()
    if original[:1].isupper():
        return correction[:1].upper() + correction[1:]
    return correction


def _replace(text: str, fixes: dict[str, str]) -> str:
    return _TOKEN.sub(lambda m: _cased(m.group(), fixes[m.group()]) if m.group() in fixes
                      else m.group(), text)


def _attempts(fixes: dict[str, list[str]]):
    """Yield replacement maps: every word's best correction, then each runner-up in turn."""
    best = {word: found[0] for word, found in fixes.items()}
    yield best
    for word, found in fixes.items():
        for other in found[1:]:
            yield {**best, word: other}


def suggestion(snap: Snapshot, text: str, unmatched: list[str] | tuple[str, ...],
               returns_results: Callable[[str], bool]) -> str | None:
    """Return text with its misspelt words corrected, if that query returns practices."""
    fixes = {}
    for word in list(dict.fromkeys(unmatched))[:MAX_WORDS]:
        if not is_word(word):
            found = corrections(snap, word)
            if found:
                fixes[word] = found
    if not fixes:
        return None
    for attempt in islice(_attempts(fixes), MAX_ATTEMPTS):
        corrected = _replace(text, attempt)
        if corrected != text and returns_results(corrected):
            return corrected
    return None
