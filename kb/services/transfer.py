"""Bulk import and export of practice records (the API shape)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb import db
from kb.errors import ValidationFailed
from kb.models import AuditEvent, Organization, Practice, User
from kb.services import indexing
from kb.services.records import RecordOptions, apply_record, practice_to_record, unique_slug
from kb.services.validation import validate_record

Progress = Callable[[int, int | None], None]


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (title or position, reason)

    def lines(self) -> list[str]:
        out = [f"Imported {len(self.imported)} practice(s); skipped {len(self.skipped)}."]
        out += [f"  skipped {what}: {why}" for what, why in self.skipped]
        return out


def create_practice(session: Session, record: dict[str, Any], state: str,
                    submitter: User | None, organization: Organization | None,
                    when: dt.datetime | None = None) -> Practice:
    """Add a practice in ``state`` built from a validated record, with its audit event."""
    when = when or db.utcnow()
    practice = Practice(state=state, submitter_id=submitter.id if submitter else None,
                        organization_id=organization.id if organization else None,
                        created_at=when, updated_at=when)
    apply_record(practice, record)
    practice.slug = unique_slug(session, practice.title or "practice")
    if state not in ("draft",):
        practice.submitted_at = when
    if state in ("published", "archived"):
        practice.published_at = practice.last_reviewed_at = when
    session.add(practice)
    session.flush()
    session.add(AuditEvent(practice_id=practice.id, actor_id=submitter.id if submitter else None,
                           action="import", to_state=state, created_at=when))
    indexing.record_change(session, practice)
    return practice


def title_exists(session: Session, title: str) -> bool:
    return session.scalar(select(func.count()).select_from(Practice).where(
        func.lower(Practice.title) == title.strip().lower(),
        Practice.revision_of_id.is_(None))) > 0


def import_records(records: Iterable[Any], total: int | None = None,
                   progress: Progress | None = None) -> ImportReport:
    """Import records as published practices; skip invalid ones and titles already present.

    Each record commits on its own so that one bad record never loses the others.
    """
    report = ImportReport()
    for position, record in enumerate(records, start=1):
        label = _label(record, position)
        try:
            clean = validate_record(record, complete=True)
            with db.write_transaction() as session:
                if title_exists(session, clean["title"]):
                    report.skipped.append((label, "a practice with this title exists"))
                else:
                    create_practice(session, clean, "published", None, None)
                    report.imported.append(clean["title"])
        except ValidationFailed as exc:
            detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
            report.skipped.append((label, detail or exc.message))
        if progress:
            progress(position, total)
    return report


def _label(record: Any, position: int) -> str:
    title = record.get("title") if isinstance(record, dict) else None
    return f"#{position} {str(title)[:60]!r}" if title else f"#{position}"


def export_records(include_states: Iterable[str] = ("published",)) -> Iterable[dict[str, Any]]:
    """Yield the full record (private contact included) of each practice in these states."""
    session = db.get_session()
    query = (select(Practice).where(Practice.state.in_(list(include_states)),
                                    Practice.revision_of_id.is_(None)).order_by(Practice.id)
             .execution_options(yield_per=200))
    for practice in session.scalars(query):
        yield practice_to_record(practice, RecordOptions(include_private_contact=True))
