"""Exporting every practice that matches a search: hits page by page, rows for CSV and JSON.

Exports read plain rows (Core selects of the practice and link tables), never ORM practices:
reading the association proxies (objectives, regions, ...) of ORM practices makes each one part
of a reference cycle (practice -> cached proxy -> practice), so every batch of hundreds of
them is freed by the cyclic garbage collector together with SQLAlchemy's weak-reference
callbacks, and under CPython 3.11 that killed gunicorn workers with SIGSEGV (issue 11).
"""
from __future__ import annotations

import csv
import dataclasses
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb import db, taxonomy
from kb.models import (
    Practice,
    PracticeLink,
)
from kb.models.practices import CODE_TABLES, is_public_row
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
    "links", "language", "published_at", "updated_at", "last_reviewed_at", "call",
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


def iter_practices(request: SearchRequest) -> Iterator[SimpleNamespace]:
    """Yield the published practices matching ``request``, in rank order, a page at a time.

    Each is a plain object with the attributes of a Practice (see ``plain_practices``).
    """
    batch: list[int] = []
    for hit in iter_hits(request):
        batch.append(hit.id)
        if len(batch) == PAGE:
            yield from _load(batch)
            batch = []
    if batch:
        yield from _load(batch)


def _load(ids: list[int]) -> list[SimpleNamespace]:
    return plain_practices(db.get_session(), ids, published_only=True)



def plain_practices(session: Session, ids: list[int],
                    published_only: bool = False) -> list[SimpleNamespace]:
    """Return the practices ``ids`` (in that order, missing ones left out) as plain objects.

    They carry every column of a Practice plus ``objectives``, ``principles``, ``regions``,
    ``countries``, ``stakeholders`` (lists of codes), ``links`` (objects with ``title`` and
    ``url``) and ``is_public`` (kb.models.practices.is_public_row), read with Core selects:
    no ORM instance, no proxy, no reference cycle.
    """
    if not ids:
        return []
    table = Practice.__table__
    query = select(table).where(table.c.id.in_(ids))
    if published_only:
        query = query.where(Practice.is_public)
    found = {row.id: SimpleNamespace(**row._asdict(), is_public=is_public_row(row))
             for row in session.execute(query)}
    for name, model in CODE_TABLES.items():
        codes: dict[int, list[Any]] = defaultdict(list)
        for practice_id, code in session.execute(
                select(model.practice_id, model.code)
                .where(model.practice_id.in_(list(found))).order_by(model.code)):
            codes[practice_id].append(code)
        for practice_id, practice in found.items():
            setattr(practice, name, codes[practice_id])
    links: dict[int, list[SimpleNamespace]] = defaultdict(list)
    for row in session.execute(
            select(PracticeLink.practice_id, PracticeLink.title, PracticeLink.url)
            .where(PracticeLink.practice_id.in_(list(found)))
            .order_by(PracticeLink.position, PracticeLink.id)):
        links[row.practice_id].append(SimpleNamespace(title=row.title, url=row.url))
    for practice_id, practice in found.items():
        practice.links = links[practice_id]
    return [found[i] for i in ids if i in found]


def _joined(values: Iterable[Any]) -> str:
    return SEPARATOR.join(str(v) for v in values)


def _stamp(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else ""


def practice_to_row(practice: Any, url: str, locale: str = "en") -> dict[str, Any]:
    """Return one flat export row: codes and labels joined with '; ', no private contact.

    ``practice`` is a Practice or one of ``plain_practices``.
    """
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
        "language": practice.language, "call": practice.call_slug or "",
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


def latest_practices(request: SearchRequest, limit: int) -> list[SimpleNamespace]:
    """Return the ``limit`` most recently published or updated practices matching ``request``.

    Plain objects, as ``plain_practices`` gives them.
    """
    query = (select(Practice.id)
             .where(Practice.is_public)
             .order_by(Practice.updated_at.desc(), Practice.id.desc()).limit(limit))
    if request.q.strip() or request.filters or request.year_from or request.year_to:
        ids = [hit.id for hit in iter_hits(request)]
        if not ids:
            return []
        query = query.where(Practice.id.in_(ids))
    session = db.get_session()
    return plain_practices(session, list(session.scalars(query)))
