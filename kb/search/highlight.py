"""Safe HTML snippets: everything escaped, only <mark>...</mark> added around matches."""
from __future__ import annotations

from html import escape

from kb.search.analysis import terms_of, word_matches

SNIPPET_WORDS = 40


def highlight(text: str, lang: str, terms: set[str], snippet: bool = False) -> str | None:
    """Return text with matching words marked, or None when no word matches.

    With snippet, only a window of about SNIPPET_WORDS words around the first match is kept.
    """
    if not text or not terms:
        return None
    matches = word_matches(text)
    found = terms_of([m.group() for m in matches], lang)
    hits = [i for i, t in enumerate(found) if t in terms]
    if not hits:
        return None
    spans = [matches[i].span() for i in hits]
    start, end, prefix, suffix = 0, len(text), "", ""
    if snippet:
        bounds = [m.span() for m in matches]
        if len(bounds) > SNIPPET_WORDS:
            first = hits[0]
            lo = max(0, first - SNIPPET_WORDS // 4)
            hi = min(len(bounds), lo + SNIPPET_WORDS) - 1
            start, end = bounds[lo][0], bounds[hi][1]
            prefix = "…" if lo > 0 else ""
            suffix = "…" if hi < len(bounds) - 1 else ""
    out, pos = [prefix], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    out.append(suffix)
    return "".join(out)


SNIPPET_FIELDS = ("description", "outcome", "results", "lessons", "implemented_by", "partners")
"""The fields a result's snippet may come from when its summary does not match, in order."""


def field_snippet(texts: dict[str, str], lang: str, terms: set[str]) -> tuple[str, str] | None:
    """Return (field, marked snippet) of the first of SNIPPET_FIELDS in texts that matches."""
    for name in SNIPPET_FIELDS:
        marked = highlight(texts.get(name) or "", lang, terms, snippet=True)
        if marked:
            return name, marked
    return None
