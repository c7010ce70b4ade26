"""The trilingual vocabulary that widens a search: migration concepts, GCM terms, countries.

Three sources, each a set of *concepts* whose terms (in English, French and Spanish) name the
same thing:

- ``kb/data/glossary.txt``: curated migration concepts with their synonyms in each language
  (remittances / money transfers home / envois de fonds / remesas...), irregular forms
  included (died / death / deceased);
- the GCM's own words from ``kb.taxonomy``: each objective's official title and short label,
  and each guiding principle, in the three languages (a text not found in an official source
  stays English there);
- countries: their names in en/fr/es from CLDR (through Babel) plus the adjectives and
  demonyms of ``kb/data/demonyms.txt`` (Venezuela / Venezuelan / vénézuélien / venezolano).

A term is looked up by its analysed form in its own language (accent-folded, stemmed, stop
words dropped), so "envois de fonds" and "envoi des fonds" are the same key. Loading takes
over a second (stemming every term) and happens once per process: a server starts it in the
background as it starts (``warm_up``, called by wsgi.py).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pycountry
from babel import Locale

from kb import taxonomy
from kb.search.analysis import LANGUAGES, analyze, fold, words

DATA = Path(__file__).resolve().parents[1] / "data"
GLOSSARY = DATA / "glossary.txt"
DEMONYMS = DATA / "demonyms.txt"
MAX_TERM_WORDS = 6
"""Longer terms (the GCM's full objective titles) are matched but never offered as
alternatives: a long title is not a useful synonym to look for in another text."""
_VOTES_LIMIT = 100_000
"""Query words whose language votes a thesaurus keeps (then it starts again)."""

# Words that say which language a query is written in (the articles and prepositions that
# the three languages do not share).
FUNCTION_WORDS = {
    "en": frozenset("the of and for with to from on at by in is are an".split()),
    "fr": frozenset("le les des du et pour dans avec sur aux au une est d l".split()),
    "es": frozenset("el los las del y para con por una es al".split()),
}


@dataclass(frozen=True)
class Concept:
    """Terms naming one thing, per language; ``country`` is an ISO alpha-3 code or None."""

    key: str
    terms: dict[str, tuple[str, ...]]
    country: str | None = None
    offered: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def alternatives(self, lang: str) -> tuple[str, ...]:
        """Return the terms of a language worth looking for (short enough to be synonyms)."""
        return self.offered.get(lang, self.terms.get(lang, ()))


class Thesaurus:
    """Concepts indexed by the analysed form of each of their terms, per language."""

    def __init__(self, concepts: list[Concept]) -> None:
        self.concepts = concepts
        self.index: dict[str, dict[tuple[str, ...], list[int]]] = {lang: {} for lang in LANGUAGES}
        self.stems: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
        self.longest = 1
        self._votes: dict[str, tuple[int, ...]] = {}
        for i, concept in enumerate(concepts):
            for lang, terms in concept.terms.items():
                for text in terms:
                    key = tuple(analyze(text, lang))
                    if not key:
                        continue
                    found = self.index[lang].setdefault(key, [])
                    if i not in found:
                        found.append(i)
                    self.stems[lang].update(key)
                    self.longest = max(self.longest, len(key))

    def lookup(self, lang: str, key: tuple[str, ...]) -> list[Concept]:
        """Return the concepts with a term whose analysed form in lang is key."""
        return [self.concepts[i] for i in self.index[lang].get(key, ())]

    def language_votes(self, query_words: list[str]) -> dict[str, int]:
        """Return, per language, how many query words are its function or vocabulary words."""
        votes = dict.fromkeys(LANGUAGES, 0)
        for word in query_words:
            for lang, vote in zip(LANGUAGES, self._word_votes(word), strict=True):
                votes[lang] += vote
        return votes

    def _word_votes(self, word: str) -> tuple[int, ...]:
        """Return, per language, whether word is its function or vocabulary word (kept: every
        query asks, twice, and the answer depends on the word alone)."""
        found = self._votes.get(word)
        if found is None:
            folded = fold(word)
            found = tuple(
                1 if folded in FUNCTION_WORDS[lang] or (
                    (stem := analyze(word, lang)) and stem[0] in self.stems[lang]
                    and _exclusive(folded, lang, self)) else 0
                for lang in LANGUAGES)
            if len(self._votes) >= _VOTES_LIMIT:
                self._votes.clear()
            self._votes[word] = found
        return found


def _exclusive(folded: str, lang: str, thesaurus: Thesaurus) -> bool:
    # A word spelt the same way in the other languages' vocabularies ("migrants", "Nepal",
    # "regional") says nothing about the query's language.
    return not all(
        analyze(folded, other) and analyze(folded, other)[0] in thesaurus.stems[other]
        for other in LANGUAGES if other != lang
    )


def _split_terms(cell: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in cell.split(";") if t.strip())


def read_table(path: Path) -> list[tuple[str, dict[str, tuple[str, ...]]]]:
    """Return (id, {lang: terms}) per line of a ``id | en | fr | es`` file (# comments)."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) != 1 + len(LANGUAGES):
            raise ValueError(f"{path.name}:{number}: expected id | en | fr | es")
        rows.append((cells[0], {lang: _split_terms(cell)
                                for lang, cell in zip(LANGUAGES, cells[1:], strict=True)}))
    return rows


def glossary_concepts() -> list[Concept]:
    """Return the curated glossary's concepts."""
    return [Concept(f"glossary:{key}", terms) for key, terms in read_table(GLOSSARY)]


def gcm_concepts() -> list[Concept]:
    """Return one concept per GCM objective (title and short label) and guiding principle."""
    out = []
    for objective in taxonomy.OBJECTIVES:
        code: taxonomy.Code = objective.code
        labels = {lang: taxonomy.label("objective", code, lang) for lang in LANGUAGES}
        titles = {lang: taxonomy.label("objective_title", code, lang) for lang in LANGUAGES}
        out.append(Concept(f"objective:{code}",
                           {lang: (labels[lang], titles[lang]) for lang in LANGUAGES},
                           offered={lang: _short(labels[lang]) for lang in LANGUAGES}))
    for code, _label in taxonomy.choices("principle"):
        names = {lang: taxonomy.label("principle", code, lang) for lang in LANGUAGES}
        out.append(Concept(f"principle:{code}", {lang: (names[lang],) for lang in LANGUAGES},
                           offered={lang: _short(names[lang]) for lang in LANGUAGES}))
    return out


def _short(text: str) -> tuple[str, ...]:
    return (text,) if len(words(text)) <= MAX_TERM_WORDS else ()


def country_concepts() -> list[Concept]:
    """Return one concept per country: CLDR names in en/fr/es plus curated demonyms."""
    demonyms = dict(read_table(DEMONYMS))
    names = {lang: Locale.parse(lang).territories for lang in LANGUAGES}
    out = []
    for code in taxonomy.COUNTRIES:
        country = pycountry.countries.get(alpha_3=code)
        alpha2 = country.alpha_2 if country else ("XK" if code == taxonomy.KOSOVO else None)
        terms = {}
        for lang in LANGUAGES:
            found = [names[lang].get(alpha2)] if alpha2 else []
            found.append(taxonomy.label("country", code, lang))
            found += demonyms.get(code, {}).get(lang, ())
            terms[lang] = tuple(dict.fromkeys(t for t in found if t))
        out.append(Concept(f"country:{code}", terms, country=code))
    return out


_LOADING = threading.Lock()


@cache
def load_thesaurus() -> Thesaurus:
    """Build the thesaurus once (cached); callers use thesaurus(), which serializes loads."""
    return Thesaurus(glossary_concepts() + gcm_concepts() + country_concepts())


def thesaurus() -> Thesaurus:
    """Return the process-wide thesaurus (glossary, GCM terms and countries), loading it
    once: a search arriving while it loads (see warm_up) waits instead of loading it too."""
    with _LOADING:
        return load_thesaurus()


def warm_up() -> threading.Thread:
    """Load the thesaurus in a background thread (about 1.5 s, mostly stemming its terms),
    so that a server's first search does not pay for it; returns the started thread."""
    thread = threading.Thread(target=thesaurus, name="kb-search-vocabulary", daemon=True)
    thread.start()
    return thread
