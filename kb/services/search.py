"""Searching published practices: request parsing, running the query, labelled facets.

Notices about a search (kb.search.Notice) and problems with its parameters come back as
codes; ``notice_text`` turns them into the reader's language where they are shown.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l

from kb import taxonomy
from kb.errors import BadParameters
from kb.search import (
    MAX_PER_PAGE,
    SORTS,
    Notice,
    SearchRequest,
    SearchResults,
)
from kb.services import calls, indexing, review_dates

MAX_PAGE = 10_000
YEAR_RANGE = (1900, 2100)


NOTICES = {
    "query_shortened": _l("Your search was shortened to its first %(limit)s characters."),
    "operators_repaired": _l("Some search operators were ignored or repaired."),
    "no_searchable_words": _l("Your search had no searchable words, so all practices are "
                              "shown."),
    "timed_out": _l("The search took too long and may be incomplete."),
    "bad_parameters": _l("Some search parameters are not valid."),
    "unknown_value": _l("Unknown value %(value)s."),
    "one_of": _l("One of %(choices)s."),
    "whole_number": _l("A whole number from %(low)s to %(high)s."),
    "not_before_year_from": _l("Must not be before year_from."),
    "not_a_call": _l("Not a call slug: %(value)s."),
    "true_or_false": _l("true or false."),
}
"""Every notice and parameter problem code, with its English text (translated when shown)."""


def notice_text(notice: Notice) -> str:
    """Return a notice in the current request's language."""
    return str(NOTICES[notice.code]) % dict(notice.params)


class SearchParameterError(BadParameters):
    """Search parameters that cannot be understood: ``problems`` maps each to its codes."""

    def __init__(self, problems: dict[str, list[Notice]]) -> None:
        super().__init__("Some search parameters are not valid.")
        self.problems = problems

    def translated(self) -> tuple[str, dict[str, list[str]]]:
        """Return the message and the per-parameter messages in the request's language."""
        return (notice_text(Notice("bad_parameters")),
                {name: [notice_text(n) for n in notices]
                 for name, notices in self.problems.items()})


@dataclass(frozen=True)
class LabelledFacet:
    name: str
    values: list[dict[str, Any]]  # {"value", "label", "count", "selected"}


def parse_request(args: Mapping[str, Any], per_page_default: int = 20,
                  query_language: str | None = None) -> SearchRequest:
    """Turn query parameters into a SearchRequest; raise SearchParameterError naming each.

    The query is analysed for ``query_language`` (the interface language) unless ``qlang``
    picks another; entries in every language still match, each with its own stemmer.
    """
    errors: dict[str, list[Notice]] = {}
    filters: dict[str, list[Any]] = {}
    for facet in taxonomy.FACETS:
        values = _getlist(args, facet)
        parsed = []
        for raw in values:
            try:
                parsed.append(taxonomy.parse_code(facet, raw))
            except ValueError:
                errors.setdefault(facet, []).append(
                    Notice("unknown_value", (("value", repr(raw[:40])),)))
        if parsed:
            filters[facet] = list(dict.fromkeys(parsed))
    call_slugs = _getlist(args, "call")
    bad_calls = [raw for raw in call_slugs if not calls.is_slug(raw)]
    if bad_calls:
        errors["call"] = [Notice("not_a_call", (("value", repr(bad_calls[0][:40])),))]
    elif call_slugs:
        filters["call"] = list(dict.fromkeys(call_slugs))
    sort = args.get("sort") or None
    if sort is not None and sort not in SORTS:
        errors["sort"] = [Notice("one_of", (("choices", ", ".join(SORTS)),))]
    page = _int_arg(args, "page", 1, 1, MAX_PAGE, errors)
    per_page = _int_arg(args, "per_page", per_page_default, 1, MAX_PER_PAGE, errors)
    year_from = _int_arg(args, "year_from", None, *YEAR_RANGE, errors)
    year_to = _int_arg(args, "year_to", None, *YEAR_RANGE, errors)
    if year_from and year_to and year_to < year_from:
        errors["year_to"] = [Notice("not_before_year_from")]
    review_due = _bool_arg(args, "review_due", errors)
    if errors:
        raise SearchParameterError(errors)
    lang = args.get("qlang") or query_language
    # Review dates move with the clock, so the database decides them, not the index.
    ids = (tuple(review_dates.practice_ids_by_review(review_due))
           if review_due is not None else None)
    return SearchRequest(q=str(args.get("q") or ""), filters=filters, year_from=year_from,
                         year_to=year_to, sort=sort, page=page, per_page=per_page,
                         lang=lang if lang in taxonomy.LOCALES else None, ids=ids)


BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _bool_arg(args: Mapping[str, Any], name: str, errors: dict[str, list[Notice]]
              ) -> bool | None:
    raw = args.get(name)
    if raw in (None, ""):
        return None
    value = BOOLEANS.get(str(raw).strip().lower())
    if value is None:
        errors[name] = [Notice("true_or_false")]
    return value


def _getlist(args: Mapping[str, Any], name: str) -> list[str]:
    if hasattr(args, "getlist"):
        values = args.getlist(name)
    else:
        value = args.get(name)
        values = value if isinstance(value, list) else ([] if value is None else [value])
    return [str(v) for v in values if str(v).strip() != ""]


DefaultT = TypeVar("DefaultT", bound=int | None)


def _int_arg(args: Mapping[str, Any], name: str, default: DefaultT, low: int, high: int,
             errors: dict[str, list[Notice]]) -> int | DefaultT:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    problem = Notice("whole_number", (("low", low), ("high", high)))
    try:
        value = int(str(raw))
    except ValueError:
        errors[name] = [problem]
        return default
    if not low <= value <= high:
        errors[name] = [problem]
        return default
    return value


def search(request: SearchRequest) -> SearchResults:
    """Run ``request`` against the index of this process.

    A hit whose title and summary do not show why it matched comes with a highlighted
    snippet of the first other field that does (description, outcome, results, lessons,
    implementer, partners): the index keeps their plain text (kb.search.schema.TextsField).
    """
    return indexing.get_index().search(request)


def labelled_facets(results: SearchResults, locale: str) -> dict[str, list[dict[str, Any]]]:
    """Return every facet's values with labels in ``locale``, in the API's shape."""
    facets: dict[str, list[dict[str, Any]]] = {}
    for name in taxonomy.FACETS:
        facets[name] = [
            {"value": fc.value, "label": taxonomy.label(name, fc.value, locale),
             "count": fc.count, "selected": fc.selected}
            for fc in results.facets.get(name, [])
        ]
    call_counts = results.facets.get("call", [])
    titles = calls.titles([str(fc.value) for fc in call_counts])
    facets["call"] = [{"value": fc.value, "label": titles.get(str(fc.value), str(fc.value)),
                       "count": fc.count, "selected": fc.selected} for fc in call_counts]
    return facets


def filter_label(facet: str, value: Any, locale: str) -> str:
    """Return the label of one selected filter value (a call's title for ``call``)."""
    if facet == "call":
        return calls.titles([str(value)]).get(str(value), str(value))
    return taxonomy.label(facet, value, locale)


def hit_to_dict(hit: Any, url: str) -> dict[str, Any]:
    """Return a search hit as an API result."""
    published = hit.published_at
    return {
        "id": hit.id, "slug": hit.slug, "url": url, "title": hit.title, "summary": hit.summary,
        "objectives": list(hit.objective), "level": hit.level, "regions": list(hit.region),
        "countries": list(hit.country), "start_year": hit.start_year, "end_year": hit.end_year,
        "language": hit.language,
        "published_at": published.isoformat().replace("+00:00", "Z") if published else None,
        "highlights": dict(hit.highlights), "match": hit.match,
    }
