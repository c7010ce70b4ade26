"""Highlighted titles and snippets against a plain reference that reads every word first.

highlight() stops reading a long field once the snippet window around its first match is
complete; what a reader sees must be exactly what marking the whole text and cutting the
window afterwards gives.
"""
from __future__ import annotations

import re
from html import escape

from hypothesis import settings
from hypothesis import strategies as st

from kb.search.analysis import analyze, term
from kb.search.highlight import SNIPPET_WORDS, field_snippet, highlight
from tests.sizes import given_fast_and_full

WORDS = ["migration", "migrants", "Migrantes", "workers", "travailleurs", "santé", "the",
         "and", "de", "housing", "logement", "vivienda", "data", "données", "return"]


def reference(text: str, lang: str, terms: set[str], snippet: bool) -> str | None:
    """Mark every matching word of the whole text, then cut the snippet window."""
    if not text or not terms:
        return None
    words = list(re.finditer(r"\w+", text))
    hits = [i for i, m in enumerate(words) if term(m.group(), lang) in terms]
    if not hits:
        return None
    start, end, prefix, suffix = 0, len(text), "", ""
    if snippet and len(words) > SNIPPET_WORDS:
        lo = max(0, hits[0] - SNIPPET_WORDS // 4)
        hi = min(len(words), lo + SNIPPET_WORDS) - 1
        start, end = words[lo].start(), words[hi].end()
        prefix = "…" if lo > 0 else ""
        suffix = "…" if hi < len(words) - 1 else ""
    out, pos = [prefix], start
    for i in hits:
        s, e = words[i].span()
        if start <= s and e <= end:
            out += [escape(text[pos:s]), f"<mark>{escape(text[s:e])}</mark>"]
            pos = e
    return "".join([*out, escape(text[pos:end]), suffix])


texts = st.lists(st.sampled_from([*WORDS, "<b>", "&", "—", ",", "l'eau", "\n"]),
                 max_size=200).map(" ".join)


@given_fast_and_full(text=texts, query=st.lists(st.sampled_from(WORDS), min_size=0, max_size=3),
                     lang=st.sampled_from(["en", "fr", "es"]), snippet=st.booleans(),
                     base=settings(deadline=None), fast=100, full=400)
def test_highlight_matches_the_whole_text_reference(text: str, query: list[str], lang: str,
                                                    snippet: bool) -> None:
    terms = set(analyze(" ".join(query), lang))
    assert highlight(text, lang, terms, snippet) == reference(text, lang, terms, snippet)


def test_snippet_of_a_late_match_in_a_long_field() -> None:
    text = " ".join(["filler"] * 200 + ["housing"] + ["filler"] * 200)
    marked = highlight(text, "en", {"hous"}, snippet=True)
    assert marked == reference(text, "en", {"hous"}, snippet=True)
    assert marked is not None
    assert marked.startswith("…")
    assert marked.endswith("…")
    assert marked.count("<mark>housing</mark>") == 1
    assert len(marked.split()) == SNIPPET_WORDS


def test_field_snippet_takes_the_first_matching_field_in_order() -> None:
    texts = {"description": "nothing here", "results": "Housing <first>",
             "lessons": "housing again"}
    assert field_snippet(texts, "en", {"hous"}) == (
        "results", "<mark>Housing</mark> &lt;first&gt;")
    assert field_snippet(texts, "en", {"absent"}) is None
