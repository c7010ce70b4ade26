"""Safe HTML snippets: everything escaped, only <mark>...</mark> added around matches."""
from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from itertools import islice

from kb.search.analysis import terms_of, word_bounds, words

SNIPPET_WORDS = 40


def highlight(text: str, lang: str, terms: set[str], snippet: bool = False) -> str | None:
    """Return text with matching words marked, or None when no word matches.

    With snippet, only a window of about SNIPPET_WORDS words around the first match is kept,
    and the words are read a chunk at a time only until that window is complete (the first
    match of a long description is often near its start). Words are matched from a plain
    list; their positions are read only up to the end of what is shown.
    """
    if not text or not terms:
        return None
    found = _leading_terms(text, lang, terms) if snippet else terms_of(words(text), lang)
    hits = [i for i, t in enumerate(found) if t in terms]
    if not hits:
        return None
    lo, hi = 0, len(found) - 1
    windowed = snippet and len(found) > SNIPPET_WORDS
    if windowed:
        lo = max(0, hits[0] - SNIPPET_WORDS // 4)
        hi = min(len(found), lo + SNIPPET_WORDS) - 1
    spans = list(islice(word_bounds(text), hi + 1))
    start, end = (spans[lo][0], spans[hi][1]) if windowed else (0, len(text))
    out, pos = ["…" if lo > 0 else ""], start
    for s, e in (spans[i] for i in hits if i <= hi):
        if s < start:
            continue
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    out.append("…" if hi < len(found) - 1 else "")
    return "".join(out)


_CHUNK = 512
"""Characters of a long field read at a time while looking for its snippet window."""
_NOT_WORD = re.compile(r"\W")


def _leading_terms(text: str, lang: str, terms: set[str]) -> list[str | None]:
    """Return the terms of text's first words: up to one past the snippet window around the
    first match (so the window, and whether words follow it, are those of the whole text),
    or all of them when the window reaches the end or nothing matches."""
    found: list[str | None] = []
    pos, first = 0, None
    while pos < len(text):
        # Cut at a non-word character: no word straddles two chunks.
        cut = _NOT_WORD.search(text, pos + _CHUNK)
        end = cut.start() if cut else len(text)
        chunk = terms_of(words(text[pos:end]), lang)
        if first is None and not terms.isdisjoint(chunk):
            first = len(found) + next(i for i, t in enumerate(chunk) if t in terms)
        found += chunk
        pos = end
        if first is not None and len(found) > max(0, first - SNIPPET_WORDS // 4) + SNIPPET_WORDS:
            break
    return found


SNIPPET_FIELDS = ("description", "outcome", "results", "lessons", "implemented_by", "partners")
"""The fields a result's snippet may come from when its summary does not match, in order."""


def field_snippet(texts: Mapping[str, str], lang: str, terms: set[str]) -> tuple[str, str] | None:
    """Return (field, marked snippet) of the first of SNIPPET_FIELDS in texts that matches."""
    for name in SNIPPET_FIELDS:
        marked = highlight(texts.get(name) or "", lang, terms, snippet=True)
        if marked:
            return name, marked
    return None
