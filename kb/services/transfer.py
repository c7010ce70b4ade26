"""Bulk import and export of practice records (the API shape)."""
from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kb import db, sanitize
from kb.models import AuditEvent, Call, Organization, Practice, User
from kb.models.practices import title_key
from kb.search import build
from kb.services import exports, indexing, practice_rows
from kb.services.practice_rows import PracticeRows, Prepared, Preparer
from kb.services.records import RecordOptions, apply_record, practice_to_record, unique_slug

Progress = Callable[[int, int | None], None]
log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    """What an import did: the titles stored, and each skipped record with all its reasons."""

    imported: list[str] = field(default_factory=list)
    skipped: list[tuple[str, list[str]]] = field(default_factory=list)  # (label, reasons)

    def skip(self, label: str, fields: dict[str, list[str]]) -> None:
        reasons = [f"{name}: {message}" if name else message
                   for name, messages in fields.items() for message in messages]
        self.skipped.append((label, reasons))

    def lines(self) -> list[str]:
        """The summary: counts, then each reason with how many records it skipped, then each
        skipped record. (Printable: lone surrogates and controls come out escaped.)"""
        out = [f"Imported {len(self.imported)} practice(s); skipped {len(self.skipped)}."]
        reasons = Counter(reason for _label, why in self.skipped for reason in why)
        if reasons:
            out.append("Reasons (records skipped for each; a record may have several):")
        out += [f"  {count:>6}  {reason}" for reason, count in
                sorted(reasons.items(), key=lambda item: (-item[1], item[0]))]
        out += [f"  skipped {label}: {'; '.join(why)}" for label, why in self.skipped]
        return [_printable(line) for line in out]


def _printable(line: str) -> str:
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in line)


def create_practice(session: Session, record: dict[str, Any], state: str,
                    submitter: User | None, organization: Organization | None,
                    when: dt.datetime | None = None, kept: Kept | None = None) -> Practice:
    """Add a practice in ``state`` built from a validated record, with its audit event.

    ``kept`` carries a slug and dates from an export, reused when valid and free.
    """
    when = when or db.utcnow()
    kept = kept or Kept()
    practice = Practice(state=state, submitter_id=submitter.id if submitter else None,
                        organization_id=organization.id if organization else None,
                        created_at=when, updated_at=when)
    apply_record(practice, record)
    practice.slug = (kept.slug if kept.slug and slug_is_free(session, kept.slug)
                     else unique_slug(session, practice.title or "practice"))
    if state not in ("draft",):
        practice.submitted_at = kept.published_at or when
    if state in ("published", "archived"):
        practice.published_at = kept.published_at or when
        practice.last_reviewed_at = kept.last_reviewed_at or practice.published_at
    session.add(practice)
    # Before the audit event, which needs the id its flush gives: the row is inserted with
    # its final updated_at, not updated a second time.
    indexing.record_change(session, practice)
    session.add(AuditEvent(practice_id=practice.id, actor_id=submitter.id if submitter else None,
                           action="import", to_state=state, created_at=when))
    return practice


@dataclass(frozen=True)
class Kept:
    """Read-only values of an exported record that an import keeps when they are usable."""

    slug: str | None = None
    published_at: dt.datetime | None = None
    last_reviewed_at: dt.datetime | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Kept:
        slug = record.get("slug")
        good_slug = (isinstance(slug, str) and bool(SLUG.fullmatch(slug)) and len(slug) <= 200)
        return cls(slug=slug if good_slug else None,
                   published_at=_parse_time(record.get("published_at")),
                   last_reviewed_at=_parse_time(record.get("last_reviewed_at")))


SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed if parsed <= db.utcnow() + dt.timedelta(days=1) else None


def slug_is_free(session: Session, slug: str) -> bool:
    return session.scalar(select(func.count()).select_from(Practice)
                          .where(Practice.slug == slug)) == 0


def title_exists(session: Session, title: str) -> bool:
    """Tell whether a practice (not a pending revision) has this title, ignoring case."""
    key = title_key(sanitize.clean_text(title))
    return session.scalar(_TITLE_TAKEN, {"key": key}) is not None


# Built once (the demo and record-by-record imports ask for each record).
_TITLE_TAKEN = select(Practice.id).where(Practice.title_key == bindparam("key"),
                                         Practice.revision_of_id.is_(None)).limit(1)


BATCH = 250  # records per transaction: commits are the slow part of an import on SQLite
PARALLEL_MIN = 1000
"""Imports of fewer records prepare them in-process (starting workers costs more than it saves)."""
INDEX_EVERY = 1000
"""Practices per search-index update during an import: segments this big are never merged
again (kb.search.merging), so an import leaves a few large segments, not many small ones."""
DUPLICATE = {"title": ["a practice with this title exists"]}


@dataclass
class _Batch:
    """Records read together, and their rows or reasons (being prepared)."""

    records: list[tuple[int, Any]]  # (position, record)
    prepared: Future[list[Prepared]]


def import_records(records: Iterable[Any], total: int | None = None,
                   progress: Progress | None = None) -> ImportReport:
    """Import records as published practices; skip invalid ones and titles already present.

    Each record is validated with the schema of kb.schemas; a batch of BATCH valid records is
    stored in one savepoint with one insert per table, and when the database refuses the batch
    each of its records is stored in a savepoint of its own: a record that fails is skipped
    with its reason and never takes another with it, and the import always reads every record.
    Large imports validate and render records in worker processes while batches are stored.
    """
    report = ImportReport()
    session = db.get_session()
    call_slugs = frozenset(session.scalars(select(Call.slug)))
    session.commit()
    pending: deque[_Batch] = deque()
    index = _IndexAsWeGo()
    with Preparer(call_slugs, workers=_workers(total)) as preparer:
        for batch in _batches(records):
            pending.append(_Batch(batch, preparer.submit([record for _p, record in batch])))
            while len(pending) > preparer.ahead:
                index.add(_finish(pending.popleft(), preparer, report, total, progress))
        while pending:
            index.add(_finish(pending.popleft(), preparer, report, total, progress))
    index.add([], last=True)
    return report


class _IndexAsWeGo:
    """Put stored practices in the search index every INDEX_EVERY, after their commits.

    The main process has time for it while workers prepare the next batches, which map the
    documents too. Off when there is no index yet (the sync after the import builds one, in
    parallel) and after an update fails (IndexBusy...: the sync after the import catches up).
    """

    def __init__(self) -> None:
        self.live = indexing.get_index().exists()
        self.documents: list[dict[str, Any]] = []

    def add(self, documents: list[dict[str, Any]], last: bool = False) -> None:
        self.documents += documents
        if self.live and self.documents and (last or len(self.documents) >= INDEX_EVERY):
            self.live = indexing.apply_documents(self.documents)
            self.documents = []


def _workers(total: int | None) -> int:
    """Worker processes for an import of ``total`` records: as for an index build."""
    parallel = (total or 0) >= PARALLEL_MIN and build.procs() > 1 and build.can_fork()
    return build.procs() if parallel else 0


def _batches(records: Iterable[Any]) -> Iterator[list[tuple[int, Any]]]:
    batch: list[tuple[int, Any]] = []
    for position, record in enumerate(records, start=1):
        batch.append((position, record))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _finish(batch: _Batch, preparer: Preparer, report: ImportReport, total: int | None,
            progress: Progress | None) -> list[dict[str, Any]]:
    """Store a prepared batch, report on each of its records; return the search documents
    of those stored."""
    prepared = preparer.result(batch.prepared, [record for _p, record in batch.records])
    problems: dict[str, dict[str, list[str]] | None] = {}
    items = []
    for (position, record), rows in zip(batch.records, prepared, strict=True):
        label = _label(record, position)
        if isinstance(rows, PracticeRows):
            items.append(_Item(label, record["title"], rows, Kept.from_record(record)))
        else:
            problems[label] = rows
    try:
        with db.write_transaction() as session:
            problems.update(_store_batch(session, items))
    except SQLAlchemyError:
        # The batch could not commit (a locked or lost database): none of it was stored.
        # Each record then gets a transaction, and an answer, of its own.
        log.exception("import batch failed; storing its records one by one")
        problems.update((item.label, _store_alone(item)) for item in items)
    stored = [item for item in items if problems.get(item.label) is None]
    report.imported += [item.title for item in stored]
    for label in sorted((label for label, why in problems.items() if why), key=_position):
        report.skip(label, problems[label] or {})
    if progress:
        progress(batch.records[-1][0], total)
    return [item.rows.document for item in stored]


@dataclass
class _Item:
    label: str
    title: str
    rows: PracticeRows
    kept: Kept


def _store_batch(session: Session, items: list[_Item]) -> dict[str, dict[str, list[str]] | None]:
    """Store items in one savepoint; if the database refuses, each in a savepoint of its own."""
    taken = practice_rows.taken_title_keys(session, [item.rows.title_key for item in items])
    problems: dict[str, dict[str, list[str]] | None] = {}
    fresh = []
    for item in items:
        if item.rows.title_key in taken:
            problems[item.label] = DUPLICATE
        else:
            taken.add(item.rows.title_key)
            fresh.append(item)
    try:
        with session.begin_nested():
            _insert(session, fresh)
        return problems
    except Exception:  # whatever the database refused, the records are tried one by one
        log.warning("import: a batch was refused; storing its records one by one",
                    exc_info=True)
    return {item.label: _store_one(session, item) for item in items}


def _store_one(session: Session, item: _Item) -> dict[str, list[str]] | None:
    """Store one item in a savepoint; return why it was not stored, or None."""
    if practice_rows.taken_title_keys(session, [item.rows.title_key]):
        return DUPLICATE
    try:
        with session.begin_nested():
            _insert(session, [item])
    except Exception as exc:  # noqa: BLE001  one bad record must not stop a bulk load; reported
        log.warning("import: %s not stored: %s", item.label, _reason(exc))
        return {"": [f"not stored: {_reason(exc)}"]}
    return None


def _insert(session: Session, items: list[_Item]) -> None:
    if not items:
        return
    rows = [item.rows for item in items]
    practice_rows.assign_slugs(session, rows, [item.kept.slug for item in items])
    practice_rows.insert_published(
        session, rows, [(item.kept.published_at, item.kept.last_reviewed_at) for item in items],
        db.utcnow())


def _store_alone(item: _Item) -> dict[str, list[str]] | None:
    try:
        with db.write_transaction() as session:
            return _store_one(session, item)
    except SQLAlchemyError as exc:
        return {"": [f"not stored: {_reason(exc)}"]}


def _position(label: str) -> int:
    return int(label[1:].split(" ", 1)[0])


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return f"{type(orig).__name__}: {str(orig).splitlines()[0][:200] if str(orig) else ''}"


def _label(record: Any, position: int) -> str:
    title = record.get("title") if isinstance(record, dict) else None
    return f"#{position} {str(title)[:60]!r}" if title else f"#{position}"


def export_records(include_states: Iterable[str] = ("published",)) -> Iterable[dict[str, Any]]:
    """Yield the full record (private contact included) of each practice in these states.

    Read as plain rows, 200 at a time: see kb.services.exports on why not ORM practices.
    """
    session = db.get_session()
    ids = list(session.scalars(select(Practice.id).where(
        Practice.state.in_(list(include_states)), Practice.revision_of_id.is_(None))
        .order_by(Practice.id)))
    for start in range(0, len(ids), 200):
        for practice in exports.plain_practices(session, ids[start:start + 200]):
            yield practice_to_record(practice, RecordOptions(include_private_contact=True))
