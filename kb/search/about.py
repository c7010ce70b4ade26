"""Whether a practice is *about* a slot of the query: its title or summary names the slot.

A practice found through a synonym or a translation, or containing only some of the words,
is kept only when it is about them (kb.search.matching). A slot is named by the user's own
words or by an alternative that the practice contains, not by a word of another
alternative: a practice found through "remittances" in its description is not about
"remesas" because its title says "mobile money" (a word of "money transfer", which it does
not contain). Not every word of a term names it:

- a word found in more than COMMON_SHARE of the practices of its language ("workers" in
  English practices on labour migration) does not name a slot that has more telling
  terms: "migrant workers" in a title does not make a practice about "domestic workers";
- an ordinary word (one of the commonest words of its language, kb.search.suggest) of a
  term of several words does not name it alone: "money" of "money transfers home" (a
  network against the money flows of smugglers), "atención" of "atención psicosocial" (a
  centre whose title says "atención" and whose description mentions psychosocial care
  once). A term of several words names its slot when its title, or its summary, has all
  of its words ("sending money", "missing migrants"; not "missing salaries" in the summary
  of a practice whose title says "migrant workers"); a term of one word is its own telling
  word ("dead" for "deaths").

A practice with every word of the user that names none of them mentions them in passing
when they are fewer than PASSING_MENTIONS of the words of its text (About.in_passing).

The head word of a concept's words (head_of: "registration" of "birth registration") names
the general kind of thing; alone, it does not make a partial match about the concept
(kb.search.matching).

The titles and summaries come analysed from the snapshot (as term codes).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from kb.search.analysis import LANGUAGES, analyze, field_terms
from kb.search.codes import Vocabulary
from kb.search.columns import Snapshot
from kb.search.query import And, Phrase, Word
from kb.search.schema import body_field, title_field

COMMON_SHARE = 1 / 3
"""A word found in more than this share of the practices is common: it does not name a slot
that has more telling terms, and (kb.search.matching) such a slot does not make a partial
match about the query."""
GENERIC_SAMPLE = 10
"""A word's share of one language's practices is trusted from this many practices on; below,
its share of the whole repository decides whether it is generic."""
PASSING_MENTIONS = 1 / 50
"""A practice naming no slot whose text has the query's words (in any of the forms it
contains) fewer times than this share of its words mentions them in passing."""


@lru_cache(maxsize=8192)
def _words_of(node: Word | Phrase | And, lang: str) -> tuple[frozenset[str], frozenset[str]]:
    """Return the index terms in lang of a slot's words or of one alternative, and those of
    them that come from ordinary words (kept: the same words come back query after query)."""
    from kb.search.suggest import is_ordinary  # its dictionaries load on a first check only

    parts = [part for part in (node.children if isinstance(node, And) else (node,))
             if part.lang in (None, lang)]
    terms = frozenset(t for part in parts for t in analyze(part.text, lang))
    ordinary = frozenset(t for part in parts for word in part.text.split()
                         if is_ordinary(word) for t in analyze(word, lang))
    return terms, ordinary


class About:
    """Whether a practice's title or summary names a slot (see the module docstring)."""

    def __init__(self, snap: Snapshot, vocab: Vocabulary,
                 slot_terms: list[list[tuple[np.ndarray, Word | Phrase | And]]]) -> None:
        self.snap, self.vocab, self.slot_terms = snap, vocab, slot_terms
        self.codes: dict[tuple[int, str], tuple[int, list[tuple[frozenset[int],
                                                                 frozenset[int] | None]]]] = {}
        self.fields: dict[int, tuple[frozenset[int], ...]] = {}
        self.analysed: dict[tuple[int, str], list[tuple[frozenset[str], frozenset[str]]]] = {}

    def __call__(self, docnum: int, slot: int) -> bool:
        lang = LANGUAGES[int(self.snap.lang[docnum])]
        head = self.snap.head(docnum)  # first: reading a head may code new terms
        key = (slot, lang)
        coded = self.codes.get(key)
        if coded is None or coded[0] != len(self.vocab.term_ids):
            coded = self.codes[key] = (len(self.vocab.term_ids), self._code(slot, lang))
        terms = self.slot_terms[slot]
        # The user's words (the first term), or an alternative the practice contains.
        for i, (names, whole) in enumerate(coded[1]):
            if i and not terms[i][0][docnum]:
                continue
            if not names.isdisjoint(head):
                return True
            if whole is not None and any(whole <= field for field in self._fields(docnum)):
                return True
        return False

    def _fields(self, docnum: int) -> tuple[frozenset[int], ...]:
        """Return the codes of the terms of a practice's title and of its summary (read
        for the few practices a term of several words may name)."""
        found = self.fields.get(docnum)
        if found is None:
            card = self.snap.card(docnum)
            lang = LANGUAGES[int(self.snap.lang[docnum])]
            texts = [card.get(name) or "" for name in ("title", "summary")]
            found = self.fields[docnum] = tuple(
                frozenset(self.vocab.term_ids[t] for t in field_terms(text, lang)
                          if t in self.vocab.term_ids)
                for text in texts)
        return found

    def in_passing(self, docnum: int) -> bool:
        """Return whether a practice mentions the query only in passing: its title and
        summary name no slot, and the words of the terms it contains (each slot's, in any of
        their forms) are fewer than PASSING_MENTIONS of the words of its text ("remittances"
        once in a description of a hundred words; in a text of a few lines, one mention is
        not in passing)."""
        if any(self(docnum, slot) for slot in range(len(self.slot_terms))):
            return False
        lang = LANGUAGES[int(self.snap.lang[docnum])]
        words = {t for slot, terms in enumerate(self.slot_terms)
                 for (found, _), (analysed, _) in zip(terms, self._analysed(slot, lang),
                                                      strict=True)
                 if found[docnum] for t in analysed}
        mentions = 0.0
        for t in words:
            docs, tfs = self.snap.term(body_field(lang), t)
            at = int(np.searchsorted(docs, docnum))
            if at < len(docs) and docs[at] == docnum:
                mentions += float(tfs[at])
        return mentions < PASSING_MENTIONS * float(self.snap.lens[docnum, 1])

    def _analysed(self, slot: int, lang: str) -> list[tuple[frozenset[str], frozenset[str]]]:
        """Return _words_of each term of a slot in lang (analysed once per search)."""
        found = self.analysed.get((slot, lang))
        if found is None:
            found = self.analysed[(slot, lang)] = [_words_of(node, lang)
                                                   for _, node in self.slot_terms[slot]]
        return found

    def _code(self, slot: int, lang: str) -> list[tuple[frozenset[int], frozenset[int] | None]]:
        """Per term of the slot: the codes of its words that name it alone, and (a term of
        several words) the codes of all its words (None when one of them is in no title or
        summary)."""
        terms = self._analysed(slot, lang)
        every = set().union(*(words for words, _ in terms))
        telling = {t for t in every if not generic(self.snap, lang, t)} or every
        out = []
        for words, ordinary in terms:
            several = len(words) > 1
            names = words & telling
            if several:
                names -= ordinary
            whole = self.vocab.known_ids(words) if several else frozenset()
            out.append((self.vocab.known_ids(names),
                        whole if several and len(whole) == len(words) else None))
        return out


HEAD_BEFORE = frozenset({"of", "for"})
"""English words after which a noun phrase's head has come ("recognition of diplomas")."""


def head_of(node: And, words: list[str], lang: str | None) -> object:
    """Return the head word of a concept's words: the word naming the general kind of thing
    its other words narrow down ("registration" of "birth registration", "management" of
    "border management", "registro" of "registro de nacimiento"). English puts it last, or
    first before "of" or "for"; French and Spanish put it first. None when the query's
    language is not known."""
    if lang is None or len(node.children) < 2:
        return None
    if lang != "en" or HEAD_BEFORE.intersection(w.lower() for w in words[1:]):
        return node.children[0]
    return node.children[-1]


def generic(snap: Snapshot, lang: str, term: str) -> bool:
    """Return whether term is in more than COMMON_SHARE of the practices of its language
    (of the whole repository while that language has fewer than GENERIC_SAMPLE)."""
    sizes = snap.scratch.get("live_per_language")
    if sizes is None:
        sizes = snap.scratch["live_per_language"] = np.bincount(
            snap.lang[snap.live], minlength=len(LANGUAGES))
    size = int(sizes[LANGUAGES.index(lang)])
    among = size if size >= GENERIC_SAMPLE else snap.live_count
    return snap.frequency((title_field(lang), body_field(lang)), term) > COMMON_SHARE * among
