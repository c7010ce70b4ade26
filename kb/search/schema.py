"""The Whoosh schema, the facet names, and document -> indexed fields conversion."""
from __future__ import annotations

import json
from typing import Any

from whoosh.analysis import SimpleAnalyzer
from whoosh.columns import CompressedBytesColumn
from whoosh.fields import ID, STORED, FieldType, Schema
from whoosh.formats import Frequency

from kb.search.analysis import (
    LANGUAGES,
    analyze,
    compounds,
    language_of,
    pairs,
    spelling_words,
)
from kb.search.highlight import SNIPPET_FIELDS

SCHEMA_VERSION = 9
"""Bump when the schema or the analysis changes: older indexes then report a needed rebuild."""

FACETS = (
    "objective",
    "principle",
    "region",
    "country",
    "level",
    "stakeholder",
    "type",
    "status",
    "language",
    "call",
)
"""Facet names, exactly the filter parameter names of the API (``call``: a call's slug)."""

MULTI_VALUED = frozenset({"objective", "principle", "region", "country", "stakeholder"})

BODY_PARTS = ("summary", "description", "outcome", "results", "lessons", "implemented_by",
              "partners")
"""Public text fields searched besides the title (together they form one body field)."""

PHRASE_PARTS = ("title", "outcome")
"""Fields indexed with word pairs, where phrases are matched exactly."""

CARD_KEYS = ("id", "slug", "title", "summary", "objective", "level", "region", "country",
             "start_year", "end_year", "language")


def title_field(lang: str) -> str:
    return f"title_{lang}"


def body_field(lang: str) -> str:
    return f"body_{lang}"


def pair_field(lang: str) -> str:
    return f"pair_{lang}"


def _terms_field() -> FieldType:
    # Documents arrive pre-analysed (lists of terms), so the analyzer is never used; lengths
    # live in the stored card, so Whoosh need not keep a (costly) length column.
    return FieldType(format=Frequency(), analyzer=SimpleAnalyzer(), scorable=False)


class TextsField(FieldType):
    """The plain texts of SNIPPET_FIELDS, one compressed column value per document.

    A result whose summary does not show why it matched gets a snippet of one of them
    (kb.search.searcher): read for that hit alone, not with every stored card.
    """

    indexed = False
    stored = False
    column_type = CompressedBytesColumn()

    def __init__(self) -> None:
        pass

    def to_column_value(self, value: tuple[str, ...]) -> bytes:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")

    def from_column_value(self, value: bytes) -> dict[str, str]:
        return dict(zip(SNIPPET_FIELDS, json.loads(value), strict=True)) if value else {}


TEXTS = "texts"


def term_fields() -> frozenset[str]:
    """Return the names of the fields whose values are lists of analysed terms."""
    names = {"spell"}
    for lang in LANGUAGES:
        names |= {title_field(lang), body_field(lang), pair_field(lang)}
    return frozenset(names)


def make_schema() -> Schema:
    """Return the Whoosh schema: per-language title, body and word-pair fields."""
    fields: dict[str, Any] = {"id": ID(unique=True), "spell": _terms_field(),
                              "card": STORED(), TEXTS: TextsField()}
    for lang in LANGUAGES:
        fields[title_field(lang)] = _terms_field()
        fields[body_field(lang)] = _terms_field()
        fields[pair_field(lang)] = _terms_field()
    return Schema(**fields)


def to_fields(doc: dict) -> dict[str, Any]:
    """Return the Whoosh fields of a document, analysed with its language's analyzer."""
    lang = language_of(doc.get("language"))
    title_terms = analyze(doc.get("title") or "", lang)
    body_terms: list[str] = []
    pair_terms = pairs(title_terms)
    for part in BODY_PARTS:
        terms = analyze(doc.get(part) or "", lang)
        body_terms += terms
        if part in PHRASE_PARTS:
            # Word pairs of the long fields would multiply the term count (and Whoosh's
            # per-term write cost) several times over: phrases are exact in short fields only.
            pair_terms += pairs(terms)
        body_terms += compounds(doc.get(part) or "", lang)
    title_terms = title_terms + compounds(doc.get("title") or "", lang)
    spell = spelling_words(doc.get("title") or "") | spelling_words(doc.get("summary") or "")
    return {
        "id": str(doc["id"]),
        title_field(lang): title_terms,
        body_field(lang): body_terms,
        pair_field(lang): pair_terms,
        "spell": sorted(spell),
        "card": make_card(doc, len(title_terms), len(body_terms), len(pair_terms)),
        TEXTS: tuple(doc.get(name) or "" for name in SNIPPET_FIELDS),
    }


def make_card(doc: dict, title_len: int, body_len: int, pair_len: int) -> dict[str, Any]:
    """Return what is stored per document: the result card, facet codes and field lengths."""
    card = {k: doc.get(k) for k in CARD_KEYS}
    for facet in FACETS:
        value = doc.get(facet)
        if facet in MULTI_VALUED:
            card[facet] = list(value or [])
        else:
            card[facet] = value
    published = doc.get("published_at")
    card["published_at"] = published.timestamp() if published is not None else 0.0
    card["version"] = doc.get("version", "")
    card["lens"] = (title_len, body_len, pair_len)
    return card
