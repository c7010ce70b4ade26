"""Request and result shapes of the search API."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

SORTS = ("relevance", "newest", "title", "start_year")  # the one list: API, OpenAPI, search form
MAX_PER_PAGE = 100  # the largest page a search returns (the API refuses more)


@dataclass
class SearchRequest:
    """A search: query string, facet filters (facet -> validated codes), years, sort, page.

    ``sort`` None means relevance when ``q`` has terms, newest otherwise. ``start_year`` sorts
    ascending (unknown years last). ``lang`` is the interface language: matching always uses
    each entry's own analyzer, and entries in ``lang`` rank a little higher. ``ids``, when
    set, keeps only those practice ids (a filter the database computed, e.g. review dates).
    """

    q: str = ""
    filters: dict[str, list[Any]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str | None = None
    page: int = 1
    per_page: int = 20
    lang: str | None = None
    ids: tuple[int, ...] | None = None

    def key(self) -> tuple[object, ...]:
        """Return a hashable key identifying this request (for result caching)."""
        filters = tuple(sorted((k, tuple(sorted(map(str, v)))) for k, v in self.filters.items()
                               if v))
        return (self.q, filters, self.year_from, self.year_to, self.sort, self.page,
                self.per_page, self.lang, self.ids)


@dataclass
class Hit:
    id: int
    slug: str
    title: str
    summary: str
    objective: list[int]
    level: str | None
    region: list[str]
    country: list[str]
    start_year: int | None
    end_year: int | None
    published_at: dt.datetime | None
    language: str
    highlights: dict[str, str]
    score: float
    match: str = "all"
    """"all" when the practice contains every word of the query, "some" for a partial match."""


@dataclass
class FacetCount:
    value: int | str
    count: int
    selected: bool


@dataclass(frozen=True)
class Notice:
    """Something the reader should know about their search, as a code with parameters.

    Codes (kb.services.search translates them): ``query_shortened`` (``limit``),
    ``operators_repaired``, ``no_searchable_words``, ``timed_out``.
    """

    code: str
    params: tuple[tuple[str, object], ...] = ()


@dataclass
class SearchResults:
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    suggestion: str | None = None
    full_total: int | None = None
    """Practices containing every word (filters applied); the rest of total matched some."""
    expanded: dict[str, list[str]] = field(default_factory=dict)
    """The user's words -> the variants, synonyms and translations also looked for."""
    query_language: str | None = None
    notices: list[Notice] = field(default_factory=list)
