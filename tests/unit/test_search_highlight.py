"""Highlighted titles and snippets against a plain reference that reads every word first.

highlight() reads a long field a chunk at a time and stops once the snippet window around
its first match is complete; what a reader sees must be exactly what marking the whole text
and cutting the window afterwards gives, whatever the chunk size.
"""
from __future__ import annotations

import re
from html import escape
from unittest import mock

from hypothesis import settings
from hypothesis import strategies as st

from kb.search import highlight as highlight_module
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


CHUNKS = [1, 5, 13, 64, 512]
"""Characters highlight() reads at a time (its own is 512)."""

texts = st.lists(st.sampled_from([*WORDS, "<b>", "&", "—", ",", "l'eau", "\n"]),
                 max_size=200).map(" ".join)


@given_fast_and_full(text=texts, query=st.lists(st.sampled_from(WORDS), min_size=0, max_size=3),
                     lang=st.sampled_from(["en", "fr", "es"]), snippet=st.booleans(),
                     chunk=st.sampled_from(CHUNKS),
                     base=settings(deadline=None), fast=100, full=400)
def test_highlight_matches_the_whole_text_reference(text: str, query: list[str], lang: str,
                                                    snippet: bool, chunk: int) -> None:
    terms = set(analyze(" ".join(query), lang))
    with mock.patch.object(highlight_module, "_CHUNK", chunk):
        assert highlight(text, lang, terms, snippet) == reference(text, lang, terms, snippet)


def test_snippets_of_long_fields_at_every_match_position_and_chunk_size() -> None:
    # Windows that end one word before, at, or after the end of the text or of a chunk.
    for length in (39, 40, 41, 42, 55, 60, 61, 90):
        for at in range(length):
            words = ["filler"] * length
            words[at] = "housing"
            if at + 3 < length:
                words[at + 3] = "Housing,"
            text = " ".join(words)
            expected = reference(text, "en", {"hous"}, snippet=True)
            for chunk in CHUNKS:
                with mock.patch.object(highlight_module, "_CHUNK", chunk):
                    assert highlight(text, "en", {"hous"}, snippet=True) == expected, (
                        length, at, chunk)


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
