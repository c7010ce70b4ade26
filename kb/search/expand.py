"""Query understanding: the user's words grouped into slots, each widened with its variants.

A plain query ("help returnees find jobs") is a list of slots, one per word or per run of
words that names a concept of the thesaurus ("money transfers home", "envois de fonds").
Each slot keeps the user's own words and gains bounded alternatives:

- the joined form of a hyphenated word (psycho-social -> psychosocial; the index also holds
  the joined form of every hyphenated word of a text, so "hometown" finds "home-town"), and
  of two words written apart whose joined form is a word of the repository ("psycho social",
  "home town", "work place": one slot, the joined word a variant);
- the other terms of its concepts in every language, each looked up in its own language's
  fields only (remittances -> envois de fonds, remesas; died -> death, deceased;
  undocumented -> irregular; Nepali -> Nepal, Nepalese, népalais...);
- for a country, the practices tagged with that country.

When the query's words say which language it is written in (its function words, or words
of only one language's vocabulary), its runs are looked up in that language's terms only:
English "routes" (paths) is not French "routes" (roads). A query whose language its words
do not say (a name, a word spelt alike in several languages) is looked up in every language.

In Spanish and French, "personas"/"personnes" before the words naming the people
("personas migrantes", "personnes déplacées") is not a slot: it is the inclusive way to
say "migrants", not a word that an English practice on missing migrants would contain.

A term of a slot's concepts made of two or more of the user's own words ("psychosocial
support" of "mental health psychosocial support") is a form of those words (a variant), not
a synonym. A slot is never widened with another slot's own words: of "migration data
statistics", "data" and "statistics" stay two words the user wants, not each other's synonyms.

Alternatives score ALTERNATIVE_WEIGHT of what the user's own words score, so a text using the
user's words ranks above one using a synonym. A query with operators (quotes, -word, NOT,
AND, OR, parentheses, prefix*, title:) keeps its strict meaning: its plain words gain their
alternatives (an OR of them), nothing else changes, and no partial matches are added.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from kb.search.analysis import LANGUAGES, analyze, fold, words
from kb.search.columns import Snapshot
from kb.search.query import And, Or, Phrase, Word
from kb.search.schema import body_field, title_field
from kb.search.vocabulary import Concept, Thesaurus

ALTERNATIVE_WEIGHT = 0.6
MAX_PER_SLOT = 12
"""Alternatives looked up for one slot at most (first terms of each language first)."""
MAX_ALTERNATIVES = 36
"""Alternatives looked up for a whole query at most: expansion stays bounded."""
MAX_SLOTS = 12

PERSONS = frozenset({"persona", "personas", "personne", "personnes"})
"""Spanish and French "person(s)", which inclusive usage puts before the words naming the
people ("personas migrantes", "personnes réfugiées"): see _names_people."""
_OPERATORS = re.compile(r'["()*]|(?:^|\s)-\S|\b(?:AND|OR|NOT)\b|&&|\|\||\w:\S')
_HYPHEN = re.compile(r"^\w+(?:[-‐‑]\w+)+$")


@dataclass(frozen=True)
class Alternative:
    """One term a slot is widened with: a text node in one language, or a country code."""

    label: str
    node: Word | Phrase | None = None
    country: str | None = None
    variant: bool = False
    """A form of the user's own word (joined hyphens, a country's names and demonyms), as
    opposed to a synonym or a translation."""


@dataclass
class Slot:
    """Some consecutive words of the user and what they are widened with."""

    node: Word | And
    words: list[str]
    weight: int
    alternatives: list[Alternative] = field(default_factory=list)
    words_alone: Callable[[], list[Slot]] | None = None
    """A run of several words: returns each of its words (stop words aside) as a slot of its
    own, with its own alternatives, for when no practice matches the run as a whole (built
    then only)."""

    def countries(self) -> list[str]:
        return [a.country for a in self.alternatives if a.country]


@dataclass
class Plan:
    """A query's slots (empty for a strict query), its language and what was expanded."""

    slots: list[Slot]
    strict: bool
    language: str | None
    expanded: dict[str, list[str]]


def is_strict(text: str) -> bool:
    """Return whether the query uses operators and so keeps its strict meaning."""
    return bool(_OPERATORS.search(text))


def detect_language(thesaurus: Thesaurus, query_words: list[str], fallback: str | None
                    ) -> str | None:
    """Return the language the query is written in, or fallback when the words do not say."""
    votes = thesaurus.language_votes(query_words)
    best = max(votes.values())
    leaders = [lang for lang, n in votes.items() if n == best]
    if best > 0 and len(leaders) == 1:
        return leaders[0]
    return fallback if fallback in LANGUAGES else None


def _keys(text: str) -> dict[str, tuple[str, ...]]:
    return {lang: tuple(analyze(text, lang)) for lang in LANGUAGES}


def _concepts_of(thesaurus: Thesaurus, text: str, langs: tuple[str, ...] = LANGUAGES
                 ) -> list[Concept]:
    found: list[Concept] = []
    candidates = [text]
    if _HYPHEN.match(text):
        candidates.append(re.sub(r"[-‐‑]", "", text))
    for candidate in candidates:
        for lang, key in _keys(candidate).items():
            if key and lang in langs:
                found += [c for c in thesaurus.lookup(lang, key) if c not in found]
    return found


def _group(thesaurus: Thesaurus, nodes: list[Word], langs: tuple[str, ...],
           known: Callable[[str], bool] | None = None
           ) -> list[tuple[list[Word], list[Concept]]]:
    """Split the words into runs, the longest runs naming a concept first (left to right),
    then two words whose joined form is a word of the repository ("psycho social")."""
    groups: list[tuple[list[Word], list[Concept]]] = []
    i = 0
    while i < len(nodes):
        if not any(analyze(nodes[i].text, lang) for lang in LANGUAGES):
            i += 1  # a stop word alone is not a slot
            continue
        for j in range(min(len(nodes), i + thesaurus.longest), i + 1, -1):
            run = nodes[i:j]
            concepts = _concepts_of(thesaurus, " ".join(n.text for n in run), langs)
            if concepts:
                break
        else:
            if _spaced(nodes[i:i + 2], known):  # "psycho social": one word written apart
                run = nodes[i:i + 2]
                concepts = _concepts_of(thesaurus, run[0].text + run[1].text, langs)
            else:
                run = nodes[i:i + 1]
                concepts = _concepts_of(thesaurus, run[0].text, langs)
                if not concepts and _names_people(nodes, i):
                    i += 1  # "personas" of "personas migrantes": the people named next
                    continue
        groups.append((run, concepts))
        i += len(run)
    return groups


def _names_people(nodes: list[Word], i: int) -> bool:
    """Return whether word i is the Spanish or French "persons" before the words naming the
    people ("personas migrantes", "personnes déplacées"): the inclusive way to say
    "migrants" or "displaced people", not a word that texts must contain."""
    return fold(nodes[i].text) in PERSONS and any(
        analyze(n.text, lang) for n in nodes[i + 1:] for lang in LANGUAGES)


def _spaced(pair: list[Word], known: Callable[[str], bool] | None) -> bool:
    """Return whether two words are one word written apart: both are words (not stop words)
    and their joined form is in the repository ("psycho social", "home town")."""
    return known is not None and len(pair) == 2 and all(
        any(analyze(n.text, lang) for lang in LANGUAGES) for n in pair
    ) and known(pair[0].text + pair[1].text)


def _alternatives(slot_text: str, concepts: list[Concept], spaced: bool = False
                  ) -> list[Alternative]:
    """Return a slot's alternatives; spaced: its two words are one written apart."""
    own = _keys(slot_text)
    seen = {(lang, key) for lang, key in own.items()}
    out: list[Alternative] = []
    if _HYPHEN.match(slot_text) or spaced:
        joined = re.sub(r"[-‐‑ ]", "", slot_text)
        out.append(Alternative(joined, Word(joined, weight=ALTERNATIVE_WEIGHT), variant=True))
        seen |= set(_keys(joined).items())
    queues = []
    for concept in concepts:
        if concept.country:
            out.append(Alternative(concept.country, country=concept.country, variant=True))
        for lang in LANGUAGES:
            queues.append([(lang, t, bool(concept.country)) for t in concept.alternatives(lang)])
    # Round-robin over concepts and languages, so a cap keeps each language's first terms.
    while any(queues) and len(out) < MAX_PER_SLOT:
        for queue in queues:
            if not queue or len(out) >= MAX_PER_SLOT:
                continue
            lang, text, variant = queue.pop(0)
            key = tuple(analyze(text, lang))
            if not key or (lang, key) in seen:
                continue
            seen.add((lang, key))
            node_type = Word if len(key) == 1 else Phrase
            # A term made of the user's own words ("psychosocial support" of "mental health
            # psychosocial support") is a form of them, not a synonym.
            mine = variant or (len(key) > 1 and set(key) <= set(own[lang]))
            out.append(Alternative(text, node_type(text, lang=lang, weight=ALTERNATIVE_WEIGHT),
                                   variant=mine))
    return out


def _not_others(alternatives: list[Alternative], others: set[tuple[str, tuple[str, ...]]]
                ) -> list[Alternative]:
    """Return the alternatives that are not another slot's own words."""
    return [a for a in alternatives if a.node is None or a.node.lang is None
            or (a.node.lang, tuple(analyze(a.node.text, a.node.lang))) not in others]


def _words_alone(thesaurus: Thesaurus, run: list[Word], langs: tuple[str, ...],
                 others: set[tuple[str, tuple[str, ...]]]) -> list[Slot]:
    """Return the words of a run as slots of their own, each keeping its own alternatives:
    "gestion des frontières", matched nowhere as a whole, still reaches "border" through
    "frontières"."""
    return [Slot(n, [n.text], 1, _not_others(
                _alternatives(n.text, _concepts_of(thesaurus, n.text, langs)), others
            )[:MAX_PER_SLOT]) for n in run if any(analyze(n.text, lang) for lang in LANGUAGES)]


def _plain_words(node: object) -> list[Word] | None:
    """Return the words of an implicit AND of plain words, or None for anything else."""
    if isinstance(node, Word) and not node.title_only:
        return [node]
    if isinstance(node, And) and all(isinstance(c, Word) and not c.title_only
                                     for c in node.children):
        return list(node.children)
    return None


def plan(thesaurus: Thesaurus, node: object | None, text: str, fallback_lang: str | None,
         known: Callable[[str], bool] | None = None) -> Plan:
    """Return the slots of a plain query (none for a strict or empty one) and its language;
    known(word) says whether a word is in the repository (two words written apart whose
    joined form is, such as "psycho social" or "home town", are that word)."""
    query_words = words(text)
    language = detect_language(thesaurus, query_words, fallback_lang)
    plain = None if is_strict(text) else _plain_words(node)
    if plain is None:
        return Plan([], True, language, {})
    slots, expanded, budget = [], {}, MAX_ALTERNATIVES
    written = detect_language(thesaurus, query_words, None)
    langs = LANGUAGES if written is None else (written,)
    groups = _group(thesaurus, plain[:MAX_SLOTS * 2], langs, known)[:MAX_SLOTS]
    # The user's own words, per slot: a slot is not widened with another slot's words (of
    # "migration data statistics", "data" is not an alternative of "statistics": the user
    # asked for both, and a text with only one of them is a partial match).
    own = [set(_keys(" ".join(n.text for n in run)).items()) for run, _ in groups]
    for i, (run, concepts) in enumerate(groups):
        slot_text = " ".join(n.text for n in run)
        others = set().union(*(keys for j, keys in enumerate(own) if j != i))
        alternatives = _not_others(_alternatives(slot_text, concepts, _spaced(run, known)),
                                   others)[:budget]
        budget -= len(alternatives)
        weight = sum(1 for n in run if any(analyze(n.text, lang) for lang in LANGUAGES))
        slot_node = run[0] if len(run) == 1 else And(tuple(run))
        alone = partial(_words_alone, thesaurus, run, langs, others) if len(run) > 1 else None
        slots.append(Slot(slot_node, [n.text for n in run], weight, alternatives, alone))
        labels = list(dict.fromkeys(a.label for a in alternatives if a.node is not None))
        if labels:
            expanded[slot_text] = labels
    return Plan(slots, False, language, expanded)


def in_repository(snap: Snapshot) -> Callable[[str], bool]:
    """Return whether a word (analysed in each language) is in some live practice of snap."""
    def known(word: str) -> bool:
        return any(snap.frequency((title_field(lang), body_field(lang)), term) > 0
                   for lang in LANGUAGES for term in analyze(word, lang)[:1])
    return known


def widen(thesaurus: Thesaurus, node: object) -> object:
    """Return a strict query's tree with each plain word (not under NOT) OR-ed with its
    alternatives, MAX_ALTERNATIVES in all; phrases, prefixes and negated words stay as
    they are."""
    budget = [MAX_ALTERNATIVES]

    def walk(n: object) -> object:
        if isinstance(n, Word) and not n.title_only:
            found = _alternatives(n.text, _concepts_of(thesaurus, n.text))
            texts = [a.node for a in found if a.node is not None][:budget[0]]
            budget[0] -= len(texts)
            return Or((n, *texts)) if texts else n
        if isinstance(n, And | Or):
            return type(n)(tuple(walk(c) for c in n.children))
        return n  # Not, Phrase, Prefix: their strict meaning

    return walk(node)
