"""The search page, /practices: results, facets, chips, sort and pagination."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any
from urllib.parse import quote_plus, urlencode

from flask import render_template, request, url_for
from flask_babel import get_translations
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from kb import taxonomy
from kb.i18n import current_locale
from kb.search import SearchRequest
from kb.services import search as search_service
from kb.urls import QUERY_SAFE
from kb.views.labels import escaped_label
from kb.views.public import bp

_SELECTED = 'aria-current="true" class="selected"'
SHOWN_VALUES = 12
"""Values of a facet listed first; the others are behind its "N more"."""


@dataclass(slots=True)
class FacetLink:
    """A facet value as the search page lists it, with the URL that adds or removes it."""

    value: int | str
    label: str
    count: int
    selected: bool
    href: str  # the URL that adds or removes it, escaped for an HTML attribute


@bp.get("/practices")
def practices() -> str:
    problems: dict[str, list[str]] = {}
    try:
        search_request = search_service.parse_request(request.args,
                                                       query_language=current_locale())
    except search_service.SearchParameterError as exc:
        # People get results for what was understood plus a note; the API answers 400.
        problems = exc.translated()[1]
        search_request = search_service.parse_request(_without(request.args, exc.problems),
                                                       query_language=current_locale())
    results = search_service.search(search_request)
    facets = _with_links(search_service.labelled_facets(results, current_locale()))
    return render_template(
        "public/search.html", req=search_request, results=results, facets=facets,
        notices=[search_service.notice_text(n) for n in results.notices],
        chips=_chips(search_request), problems=problems, page_url=_page_url,
        facet_names=taxonomy.FACETS, shown_values=SHOWN_VALUES,
        listed_values=partial(_listed_values, counts=_CountTexts()), more_values=_more_values)


def _without(args: MultiDict, bad: dict[str, list]) -> MultiDict:
    return MultiDict([(k, v) for k, v in args.items(multi=True) if k not in bad])


def _chips(search_request: SearchRequest) -> list[dict[str, str]]:
    """Selected filters, each with the URL that removes it."""
    chips = []
    for facet, values in search_request.filters.items():
        for value in values:
            remaining: dict[str, Any] = MultiDict(
                [(k, v) for k, v in request.args.items(multi=True)
                 if not (k == facet and v == str(value)) and k != "page"]).to_dict(flat=False)
            chips.append({
                "label": search_service.filter_label(facet, value, current_locale()),
                "facet": facet,
                "remove_url": url_for("public.practices", **remaining),
            })
    return chips


def _page_url(**changes: object) -> str:
    """Return the current search URL with some parameters replaced (None removes one)."""
    args = MultiDict(request.args)
    for key, value in changes.items():
        args.poplist(key)
        if value is not None:
            args.add(key, str(value))
    return _with_query(urlencode(list(args.items(multi=True)), safe=QUERY_SAFE))


def _with_query(query: str) -> str:
    """Return url_for("public.practices") with this query string, one route lookup a request.

    A search page links every facet value (hundreds of links): the query string is encoded
    the way Werkzeug encodes it, without a routing lookup per link.
    """
    path = request.environ.get("kb.practices_path")  # this request's, not the app context's
    if path is None:
        path = request.environ["kb.practices_path"] = url_for("public.practices")
    return f"{path}?{query}" if query else path


def _pair(name: str, value: str) -> str:
    """Return name=value encoded as urlencode encodes one parameter."""
    return f"{quote_plus(name, safe=QUERY_SAFE)}={quote_plus(value, safe=QUERY_SAFE)}"


@lru_cache(maxsize=4096)
def _value_pair(name: str, value: str) -> str:
    """Return _pair(name, value), escaped for an HTML attribute, for a value the index counted
    (a small, bounded set: taxonomy codes, languages, call slugs): a page links ~330 of them."""
    return str(escape(_pair(name, value)))


class _CountTexts(dict[int, str]):
    """"N practices" for each count, in the page's language, each translated once a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ngettext = get_translations().ungettext  # the render's catalog

    def __missing__(self, count: int) -> str:
        self[count] = text = self.ngettext("%(num)d practice", "%(num)d practices", count) % {
            "num": count}
        return text


def _listed_values(name: str, values: list[FacetLink],
                   counts: _CountTexts | None = None) -> Markup:
    """Return the list items of a facet's first values: a link with a check box and a count.

    A page lists about a hundred: built here, each text escaped, at a fraction of the cost of
    a template loop (the indentation is the one the template loop wrote). ``counts``: the
    page's count texts, shared by its facets.
    """
    counts = _CountTexts() if counts is None else counts
    items = []
    for v in values:
        count = int(v.count)
        number = f"{escape(v.value)}. " if name == "objective" else ""
        items.append(
            f'\n              <li><a href="{v.href}" {_SELECTED if v.selected else ""}>'
            f'\n                <span class="facet-box" aria-hidden="true">'
            f'{"☑" if v.selected else "☐"}</span>'
            f'\n                {number}{escaped_label(v.label)}'
            f'\n                <span class="count"><span aria-hidden="true">({count})</span>'
            f'<span class="visually-hidden">{counts[count]}</span></span></a></li>\n            ')
    return Markup("".join(items))


def _more_values(values: list[FacetLink]) -> Markup:
    """Return the list items of the values behind a facet's "N more", each one link.

    Hundreds for countries: built here, each text escaped, at a fraction of the cost of a
    template loop (the same markup as the listed values' links, without the check box).
    """
    return Markup("".join(
        f'<li><a href="{v.href}" '
        f'{_SELECTED if v.selected else ""}>{escaped_label(v.label)} '
        f'<span class="count">({int(v.count)})</span></a></li>' for v in values))


def _with_links(facets: dict[str, list[dict[str, Any]]]) -> dict[str, list[FacetLink]]:
    """Give every shown facet value the URL that adds or removes it, back on page 1.

    The parameters the link keeps are encoded once per facet (a page links hundreds of
    values); the result is what toggling the value in a copy of request.args would encode:
    the other parameters in their order, then this facet's values, escaped for the page.
    """
    linked = {}
    path = _with_query("")
    for name in taxonomy.FACETS:
        current = request.args.getlist(name)
        others = urlencode([(k, v) for k, v in request.args.items(multi=True)
                            if k not in (name, "page")], safe=QUERY_SAFE)
        pairs = [(v, str(escape(_pair(name, v)))) for v in current]
        # What every link keeps, and the link that removes the only value; escaped for the
        # page once here (escaping works character by character, so pieces can be joined).
        start = str(escape(f"{path}?{others}&" if others else f"{path}?"))
        bare = str(escape(f"{path}?{others}" if others else path))
        values = []
        for f in facets[name]:
            text = str(f["value"])
            # Most facets have no value chosen: the link then only adds its own.
            chosen = [pair for v, pair in pairs if v != text] if pairs else []
            if len(chosen) == len(pairs):
                chosen.append(_value_pair(name, text))
            values.append(FacetLink(f["value"], f["label"], f["count"], f["selected"],
                                    start + "&amp;".join(chosen) if chosen else bare))
        linked[name] = values
    return linked
