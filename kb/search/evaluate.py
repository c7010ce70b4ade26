"""Query tree -> matching documents and BM25 scores, as dense numpy vectors over a snapshot.

Each entry's text is indexed in the fields of its own language, analysed with that language's
stemmer. A query word is therefore analysed once per language and looked up in that language's
fields, and the alternatives are OR-ed: "migraciones" reaches Spanish entries through the
Spanish stemmer while "workers" reaches English ones through the English stemmer. A phrase is
the AND of its word-pair terms (indexed at build time for title and outcome), so it
costs a few term lookups; in the long fields (description, results, lessons...) no pairs are
indexed, so there a phrase matches when all its words are present, ranked below exact matches.
"""
from __future__ import annotations

import math
import time

import numpy as np

from kb.search import memo
from kb.search.analysis import LANGUAGES, analyze, pairs, term
from kb.search.columns import Snapshot
from kb.search.query import And, Not, Or, Prefix, Word
from kb.search.schema import body_field, pair_field, title_field

K1 = 1.2
B = 0.75
TITLE_BOOST = 3.0
PAIR_BOOST = 1.5
LANG_BOOST = 1.25
MAX_EXPANSION = 64
TITLE, BODY, PAIR = 0, 1, 2
MAX_TITLE_NORM = 2.0
"""A title longer than twice the average is scored as if it were twice the average: with
TITLE_BOOST, one title occurrence then still outscores one body occurrence of any length."""
TEXT_BYTES = 16_000_000
"""Arrays of evaluated words and phrases kept per snapshot (Evaluator._text): ~350 of
10,000 practices."""
TEXT_OVERHEAD = 500
"""Bytes counted for an evaluated word's terms and objects besides its arrays."""


class Evaluator:
    """Evaluate one query tree; collects highlight terms and words that matched nothing."""

    def __init__(self, snap: Snapshot, lang: str | None = None, deadline: float | None = None):
        self.snap = snap
        self.preferred = LANGUAGES.index(lang) if lang in LANGUAGES else None
        self.deadline = deadline
        self.timed_out = False
        self.highlight_terms: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
        self.unmatched: list[str] = []

    def run(self, node) -> tuple[np.ndarray, np.ndarray] | None:
        """Return (mask, score) over all documents, or None when nothing was searchable."""
        result = self._eval(node, True)
        if result is None:
            return None
        mask, score = result
        return mask & self.snap.live, score

    def _eval(self, node, positive: bool):
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.timed_out = True
            return None
        if isinstance(node, And):
            return self._combine(node.children, positive, np.logical_and)
        if isinstance(node, Or):
            return self._combine(node.children, positive, np.logical_or)
        if isinstance(node, Not):
            inner = self._eval(node.child, not positive)
            if inner is None:
                return None
            return ~inner[0], np.zeros(self.snap.n, np.float32)
        if isinstance(node, Prefix):
            return self._prefix(node, positive)
        return self._text(node, positive)

    def _combine(self, children, positive: bool, op):
        results = [r for r in (self._eval(c, positive) for c in children) if r is not None]
        if not results:
            return None
        mask, score = results[0]
        score = score.copy()
        for m, s in results[1:]:
            mask = op(mask, m)
            score += s
        return mask, score

    def blank(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.snap.n, bool), np.zeros(self.snap.n, np.float32)

    def _bm25(self, field: str, token: str, li: int, kind: int):
        docs, tfs = self.snap.term(field, token)
        if not len(docs):
            return docs, tfs
        lang = LANGUAGES[li]
        # A word has one idf whether it is found in the title or the body (live documents
        # having it in either), so a title match always outweighs the same body match.
        fields = (pair_field(lang),) if kind == PAIR else (title_field(lang), body_field(lang))
        df = self.snap.frequency(fields, token)
        n = max(self.snap.live_count, 1)
        idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        contrib = idf * tfs * (K1 + 1) / (tfs + self._length_terms(li, kind)[docs])
        boost = (TITLE_BOOST if kind == TITLE else PAIR_BOOST if kind == PAIR else 1.0)
        if li == self.preferred:
            boost *= LANG_BOOST
        return docs, contrib * boost

    def _length_terms(self, li: int, kind: int) -> np.ndarray:
        """Return BM25's length term K1 * (1 - B + B * length / average) of every document
        for one language's field kind (computed once per snapshot, element by element as a
        per-term computation would, so every score is the same to the bit)."""
        cache = self.snap.scratch
        key = ("bm25_length", li, kind)
        found = cache.get(key)
        if found is None:
            norm = self.snap.lens[:, kind] / self.snap.avg_lens[(li, kind)]
            if kind == TITLE:
                norm = np.minimum(norm, MAX_TITLE_NORM)
            found = cache[key] = K1 * (1 - B + B * norm)
        return found

    def add(self, acc, field: str, token: str, li: int, kind: int) -> int:
        docs, contrib = self._bm25(field, token, li, kind)
        if len(docs):
            acc[0][docs] = True
            acc[1][docs] += contrib
        return len(docs)

    def _text(self, node, positive: bool):
        """Return (mask, score) of a word or phrase, noting its terms for highlighting and
        a word found nowhere; the snapshot keeps each one's arrays (kb.search.memo): the
        same words come back in other queries, and in the other slots' alternatives."""
        kept = memo.cached(self.snap, "text", TEXT_BYTES, (node, self.preferred),
                           lambda: self._evaluate_text(node))
        if kept is None:
            return None
        mask, score, per_lang, found = kept
        if positive:
            for lang, terms in zip(LANGUAGES, per_lang, strict=True):
                self.highlight_terms[lang].update(terms)
            if not found and isinstance(node, Word) and getattr(node, "lang", None) is None:
                self.unmatched.append(node.text)
        return mask.copy(), score.copy()  # callers add to them

    def _evaluate_text(self, node) -> tuple[object, int, bool]:
        only = getattr(node, "lang", None)
        per_lang = [analyze(node.text, lang) if only in (None, lang) else []
                    for lang in LANGUAGES]
        if not any(per_lang):
            return None, TEXT_OVERHEAD, True
        acc = self.blank()
        found = 0
        for li, (lang, terms) in enumerate(zip(LANGUAGES, per_lang, strict=True)):
            if len(terms) == 1:
                found += self.add(acc, title_field(lang), terms[0], li, TITLE)
                if not node.title_only:
                    found += self.add(acc, body_field(lang), terms[0], li, BODY)
            elif terms:
                found += self._phrase(acc, lang, li, terms, node.title_only)
        if getattr(node, "weight", 1.0) != 1.0:
            acc[1][:] *= node.weight
        return ((acc[0], acc[1], per_lang, found), TEXT_OVERHEAD + acc[0].nbytes + acc[1].nbytes,
                True)

    def _phrase(self, acc, lang: str, li: int, terms: list[str], title_only: bool) -> int:
        found = 0
        if not title_only:
            found += self._all_of(acc, [(pair_field(lang), t, PAIR) for t in pairs(terms)], li)
        # Title-only phrases, and phrases in the long fields, need all their words.
        field, kind = (title_field(lang), TITLE) if title_only else (body_field(lang), BODY)
        found += self._all_of(acc, [(field, t, kind) for t in terms], li)
        return found

    def _all_of(self, acc, lookups: list[tuple[str, str, int]], li: int) -> int:
        mask, score = np.ones(self.snap.n, bool), np.zeros(self.snap.n, np.float32)
        for field, token, kind in lookups:
            docs, contrib = self._bm25(field, token, li, kind)
            if not len(docs):
                return 0
            hit = np.zeros(self.snap.n, bool)
            hit[docs] = True
            mask &= hit
            score[docs] += contrib
        acc[0][mask] = True
        acc[1][mask] += score[mask]
        return int(mask.sum())

    def _prefix(self, node: Prefix, positive: bool):
        acc = self.blank()
        for li, lang in enumerate(LANGUAGES):
            kinds = [(title_field(lang), TITLE)]
            if not node.title_only:
                kinds.append((body_field(lang), BODY))
            stem = term(node.text, lang) or node.text
            # The prefix as typed and as stemmed ("migra" -> "migr"), each term once (a
            # term both reach is not counted twice), in a fixed order (float sums too).
            starts = sorted({node.text, stem} if len(stem) >= 2 else {node.text})
            for field, kind in kinds:
                tokens = dict.fromkeys(token for start in starts
                                       for token in self.snap.expand_prefix(
                                           field, start, MAX_EXPANSION))
                for token in tokens:
                    if positive:
                        self.highlight_terms[lang].add(token)
                    self.add(acc, field, token, li, kind)
                    if self.deadline is not None and time.monotonic() > self.deadline:
                        self.timed_out = True
                        return acc
        return acc


def related_terms(snap: Snapshot, text: str, lang: str, limit: int = 12) -> list[str]:
    """Return the most distinctive terms of text (highest idf in the entry's language)."""
    terms = set(analyze(text, lang))
    scored = []
    for t in terms:
        df = snap.frequency((title_field(lang), body_field(lang)), t)
        if df:
            scored.append((df, t))
    scored.sort()
    return [t for _, t in scored[:limit]]
