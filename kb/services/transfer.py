"""Bulk import and export of practice records (the API shape)."""
from __future__ import annotations

import datetime as dt
import re
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
        reasons: dict[str, int] = {}
        for _what, why in self.skipped:
            key = why.split(":")[0]
            reasons[key] = reasons.get(key, 0) + 1
        out += [f"  {count} skipped: {why}" for why, count in sorted(reasons.items())]
        out += [f"  skipped {what}: {why}" for what, why in self.skipped]
        return out


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
    session.flush()
    session.add(AuditEvent(practice_id=practice.id, actor_id=submitter.id if submitter else None,
                           action="import", to_state=state, created_at=when))
    indexing.record_change(session, practice)
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
                    create_practice(session, clean, "published", None, None,
                                    kept=Kept.from_record(record))
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
