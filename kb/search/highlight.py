"""Safe HTML snippets: everything escaped, only <mark>...</mark> added around matches."""
from __future__ import annotations

from collections.abc import Mapping
from html import escape
from itertools import islice

from kb.search.analysis import terms_of, word_bounds, words

SNIPPET_WORDS = 40


def highlight(text: str, lang: str, terms: set[str], snippet: bool = False) -> str | None:
    """Return text with matching words marked, or None when no word matches.

    With snippet, only a window of about SNIPPET_WORDS words around the first match is kept.
    Words are matched from a plain list (most fields of a snippet's practice do not match);
    their positions are read only up to the end of what is shown.
    """
    if not text or not terms:
        return None
    found = terms_of(words(text), lang)
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


SNIPPET_FIELDS = ("description", "outcome", "results", "lessons", "implemented_by", "partners")
"""The fields a result's snippet may come from when its summary does not match, in order."""


def field_snippet(texts: Mapping[str, str], lang: str, terms: set[str]) -> tuple[str, str] | None:
    """Return (field, marked snippet) of the first of SNIPPET_FIELDS in texts that matches."""
    for name in SNIPPET_FIELDS:
        marked = highlight(texts.get(name) or "", lang, terms, snippet=True)
        if marked:
            return name, marked
    return None
