"""Practices as plain rows for the bulk import: built from records, inserted with executemany.

An ORM flush per practice (a practice, five coded lists, links, an audit event and an index
change: a dozen statements) was most of an import's time. Here a batch of practices is stored
with one executemany per table. The values come from the functions apply_record uses
(kb.services.records: text cleaned, Markdown rendered and sanitized once), so an imported
practice is stored exactly as one made through the ORM (kb.services.transfer.create_practice).
"""
from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cache
from multiprocessing.context import BaseContext
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from kb.db import Base
from kb.errors import ValidationFailed
from kb.models import (
    AuditEvent,
    IndexChange,
    Practice,
    PracticeLink,
)
from kb.models.practices import CODE_TABLES, title_key
from kb.search.mapping import practice_to_document
from kb.services.indexing import version_stamp
from kb.services.records import (
    CODE_FIELDS,
    YEAR_FIELDS,
    column_values,
    link_values,
    list_values,
    slugify,
)
from kb.services.validation import validate_record

CHUNK = 100  # bounded IN lists and OR chains
log = logging.getLogger(__name__)


@dataclass
class PracticeRows:
    """One practice to insert: its column values, coded lists and links (picklable)."""

    columns: dict[str, Any]
    lists: dict[str, list[Any]] = field(default_factory=dict)
    links: list[dict[str, Any]] = field(default_factory=list)
    # The search document, mapped here (its text extracted from the rendered HTML) and
    # completed with the id, slug and dates when inserted.
    document: dict[str, Any] = field(default_factory=dict)

    @property
    def title_key(self) -> str:
        key: str = self.columns["title_key"]
        return key


Prepared = PracticeRows | dict[str, list[str]]
"""A record's rows, or why it is skipped ({field: [reasons]})."""


def prepare_all(records: list[Any], call_slugs: frozenset[str]) -> list[Prepared]:
    """Validate each record (kb.schemas, kb.services.validation) and return its rows, or why
    it is skipped. Needs no database: ``call_slugs`` are the calls that exist."""
    prepared: list[Prepared] = []
    for record in records:
        try:
            prepared.append(prepare(validate_record(record, complete=True,
                                                    call_slugs=call_slugs)))
        except ValidationFailed as exc:
            prepared.append(exc.fields or {"": [exc.message]})
        except Exception as exc:  # noqa: BLE001  a record that cannot be rendered is skipped
            prepared.append({"": [f"not stored: {type(exc).__name__}: {str(exc)[:200]}"]})
    return prepared


class Preparer:
    """Run prepare_all on batches: in ``workers`` processes, or here when there are none.

    Workers are forked (as for an index build, see kb.search.build.can_fork) unless another
    ``context`` is given, and validate and render while the caller stores earlier batches;
    ``ahead`` is how many batches may be in flight. If a worker dies, that batch and every
    later one is prepared here instead.
    """

    def __init__(self, call_slugs: frozenset[str], workers: int = 0,
                 context: BaseContext | None = None) -> None:
        self.call_slugs = call_slugs
        self.pool: ProcessPoolExecutor | None = None
        if workers > 0:
            self.pool = ProcessPoolExecutor(
                workers, mp_context=context or multiprocessing.get_context("fork"))
        # Deep enough that workers keep busy while the caller updates the search index.
        self.ahead = 4 * workers

    def __enter__(self) -> Preparer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop()

    def submit(self, records: list[Any]) -> Future[list[Prepared]]:
        if self.pool is not None:
            try:
                return self.pool.submit(prepare_all, records, self.call_slugs)
            except (BrokenProcessPool, RuntimeError):
                log.warning("import workers stopped; preparing the records in this process")
                self._stop()
        future: Future[list[Prepared]] = Future()
        future.set_result(prepare_all(records, self.call_slugs))
        return future

    def result(self, future: Future[list[Prepared]], records: list[Any]) -> list[Prepared]:
        try:
            return future.result()
        except BrokenProcessPool:
            log.warning("an import worker died; preparing the records in this process")
            self._stop()
            return prepare_all(records, self.call_slugs)

    def _stop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def prepare(record: dict[str, Any]) -> PracticeRows:
    """Return the rows of a validated record (the costly part: rendering its Markdown).

    Needs no database or app context, so that worker processes can run it.
    """
    columns = {**_base_columns(), **column_values(record)}
    columns["title_key"] = title_key(columns["title"])
    lists = list_values(record)
    unsaved = SimpleNamespace(**columns, **lists, id=0, slug="", published_at=None,
                              updated_at=None)
    return PracticeRows(columns, lists, link_values(record), practice_to_document(unsaved))


@cache
def _base_columns() -> dict[str, Any]:
    """The model's scalar defaults, and NULL for the record columns a record may leave out.

    Every row of one executemany carries the same keys; a column left out altogether (the
    JSON checklist) stays SQL NULL, as with the ORM.
    """
    base: dict[str, Any] = {name: None for name in (*CODE_FIELDS, *YEAR_FIELDS, "call_slug")}
    for column in Practice.__table__.columns:
        if column.default is not None and column.default.is_scalar:
            base[column.name] = column.default.arg
    return base


def taken_title_keys(session: Session, keys: list[str]) -> set[str]:
    """Return which of these title keys a practice (not a pending revision) already has."""
    taken: set[str] = set()
    unique = sorted(set(keys))
    for start in range(0, len(unique), CHUNK):
        taken.update(session.scalars(select(Practice.title_key).where(
            Practice.title_key.in_(unique[start:start + CHUNK]),
            Practice.revision_of_id.is_(None))))
    return taken


def assign_slugs(session: Session, rows: list[PracticeRows],
                 kept: list[str | None]) -> None:
    """Give each row a slug no practice and no other row has: its kept slug when free, else
    the title's slug numbered as kb.services.records.unique_slug numbers it."""
    bases = [slugify(row.columns["title"] or "practice") for row in rows]
    wanted = sorted({*bases, *(slug for slug in kept if slug)})
    taken: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start:start + CHUNK]
        # Each base itself and base-2, base-3...: ranges the slug index answers.
        taken.update(session.scalars(select(Practice.slug).where(or_(
            Practice.slug.in_(chunk),
            *((Practice.slug > f"{base}-") & (Practice.slug < f"{base}.") for base in chunk)))))
    for row, base, slug in zip(rows, bases, kept, strict=True):
        if not slug or slug in taken:
            slug, n = base, 2
            while slug in taken:
                slug, n = f"{base}-{n}", n + 1
        row.columns["slug"] = slug
        taken.add(slug)


def insert_published(session: Session, rows: list[PracticeRows],
                     dates: list[tuple[dt.datetime | None, dt.datetime | None]],
                     when: dt.datetime) -> list[int]:
    """Insert rows (slugs assigned) as published practices with their lists, links, audit
    events and index changes; return their ids. ``dates`` are the (published_at,
    last_reviewed_at) to keep."""
    practices = Practice.metadata.tables[Practice.__tablename__]  # __table__: a FromClause
    params = []
    for row, (published_at, last_reviewed_at) in zip(rows, dates, strict=True):
        published = published_at or when
        row.document.update(slug=row.columns["slug"], published_at=published.astimezone(dt.UTC),
                            updated_at=when, version=version_stamp(when))
        params.append({**row.columns, "state": "published", "submitter_id": None,
                       "organization_id": None, "created_at": when, "updated_at": when,
                       "submitted_at": published, "published_at": published,
                       "last_reviewed_at": last_reviewed_at or published})
    ids = list(session.scalars(
        insert(practices).returning(practices.c.id, sort_by_parameter_order=True), params))
    for practice_id, row in zip(ids, rows, strict=True):
        row.document["id"] = practice_id
    for name, model in CODE_TABLES.items():
        _insert_many(session, model, [{"practice_id": practice_id, "code": code}
                                      for practice_id, row in zip(ids, rows, strict=True)
                                      for code in row.lists.get(name, ())])
    _insert_many(session, PracticeLink, [{**link, "practice_id": practice_id}
                                         for practice_id, row in zip(ids, rows, strict=True)
                                         for link in row.links])
    _insert_many(session, AuditEvent, [{"practice_id": practice_id, "actor_id": None,
                                        "action": "import", "to_state": "published",
                                        "created_at": when} for practice_id in ids])
    _insert_many(session, IndexChange, [{"practice_id": practice_id, "created_at": when}
                                        for practice_id in ids])
    return ids


def _insert_many(session: Session, model: type[Base], params: list[dict[str, Any]]) -> None:
    if params:
        session.execute(insert(model.metadata.tables[model.__tablename__]), params)
