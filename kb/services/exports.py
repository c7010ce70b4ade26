"""Exporting every practice that matches a search: hits page by page, rows for CSV and JSON."""
from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select

from kb import db, taxonomy
from kb.models import Practice
from kb.sanitize import html_to_text
from kb.search import Hit, SearchRequest
from kb.services import indexing

PAGE = 100  # the engine's largest page
SEPARATOR = "; "
CSV_COLUMNS = (
    "id", "slug", "url", "title", "summary", "objectives", "objective_titles", "level",
    "regions", "countries", "country_names", "practice_type", "implementation_status",
    "start_year", "end_year", "implemented_by", "partners", "stakeholders", "principles",
    "outcome", "description", "results", "lessons", "funding", "contact_name", "contact_email",
    "links", "language", "published_at", "updated_at", "last_reviewed_at",
)
# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def iter_hits(request: SearchRequest) -> Iterator[Hit]:
    """Yield every hit of ``request`` in rank order, whatever its page and per_page.

    Raises kb.search.IndexUnavailable when the index cannot be read.
    """
    index = indexing.get_index()
    seen: set[int] = set()
    page = 1
    while True:
        results = index.search(dataclasses.replace(request, page=page, per_page=PAGE))
        for hit in results.hits:
            # A publish between two pages shifts ranks; never give a practice twice.
            if hit.id not in seen:
                seen.add(hit.id)
                yield hit
        if not results.hits or page * PAGE >= results.total:
            return
        page += 1


def iter_practices(request: SearchRequest) -> Iterator[Practice]:
    """Yield the published practices matching ``request``, in rank order, a page at a time."""
    batch: list[int] = []
    for hit in iter_hits(request):
        batch.append(hit.id)
        if len(batch) == PAGE:
            yield from _load(batch)
            batch = []
    if batch:
        yield from _load(batch)


def _load(ids: list[int]) -> list[Practice]:
    rows = db.get_session().scalars(
        select(Practice).where(Practice.id.in_(ids), Practice.state == "published",
                               Practice.revision_of_id.is_(None))).all()
    by_id = {p.id: p for p in rows}
    return [by_id[i] for i in ids if i in by_id]


def _joined(values: Iterable[Any]) -> str:
    return SEPARATOR.join(str(v) for v in values)


def _stamp(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else ""


def practice_to_row(practice: Practice, url: str, locale: str = "en") -> dict[str, Any]:
    """Return one flat export row: codes and labels joined with '; ', no private contact."""
    public = bool(practice.contact_public)
    return {
        "id": practice.id, "slug": practice.slug, "url": url, "title": practice.title,
        "summary": practice.summary, "objectives": _joined(practice.objectives),
        "objective_titles": _joined(taxonomy.label("objective_title", o, locale)
                                    for o in practice.objectives),
        "level": taxonomy.label("level", practice.level, locale) if practice.level else "",
        "regions": _joined(taxonomy.label("region", r, locale) for r in practice.regions),
        "countries": _joined(practice.countries),
        "country_names": _joined(taxonomy.label("country", c, locale)
                                 for c in practice.countries),
        "practice_type": (taxonomy.label("type", practice.practice_type, locale)
                          if practice.practice_type else ""),
        "implementation_status": (taxonomy.label("status", practice.implementation_status,
                                                 locale)
                                  if practice.implementation_status else ""),
        "start_year": practice.start_year or "", "end_year": practice.end_year or "",
        "implemented_by": practice.implemented_by, "partners": practice.partners,
        "stakeholders": _joined(taxonomy.label("stakeholder", s, locale)
                                for s in practice.stakeholders),
        "principles": _joined(taxonomy.label("principle", p, locale)
                              for p in practice.principles),
        "outcome": practice.outcome,
        "description": html_to_text(practice.description_html or ""),
        "results": html_to_text(practice.results_html or ""),
        "lessons": html_to_text(practice.lessons_html or ""),
        "funding": practice.funding,
        "contact_name": practice.contact_name if public else "",
        "contact_email": practice.contact_email if public else "",
        "links": _joined(f"{link.title} <{link.url}>" if link.title else link.url
                         for link in practice.links),
        "language": practice.language,
        "published_at": _stamp(practice.published_at),
        "updated_at": _stamp(practice.updated_at),
        "last_reviewed_at": _stamp(practice.last_reviewed_at),
    }


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Yield a CSV document (header first) of ``rows``, one chunk per row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    # An empty result still yields its header.
    if buffer.getvalue():
        yield buffer.getvalue()


def latest_practices(request: SearchRequest, limit: int) -> list[Practice]:
    """Return the ``limit`` most recently published or updated practices matching ``request``."""
    query = (select(Practice)
             .where(Practice.state == "published", Practice.revision_of_id.is_(None))
             .order_by(Practice.updated_at.desc(), Practice.id.desc()).limit(limit))
    if request.q.strip() or request.filters or request.year_from or request.year_to:
        ids = [hit.id for hit in iter_hits(request)]
        if not ids:
            return []
        query = query.where(Practice.id.in_(ids))
    return list(db.get_session().scalars(query))
