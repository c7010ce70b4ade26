"""What a pending update changes in a published practice, field by field."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kb import db
from kb.models import Practice
from kb.services.records import WRITABLE_FIELDS, RecordOptions, practice_to_record


@dataclass(frozen=True)
class FieldChange:
    """One field whose value differs between the live practice and its revision."""

    name: str
    old: Any
    new: Any


def _content(practice: Practice) -> dict[str, Any]:
    record = practice_to_record(practice, RecordOptions(include_private_contact=True))
    return {name: record[name] for name in WRITABLE_FIELDS}


def diff(live: Practice, revision: Practice) -> list[FieldChange]:
    """Return the fields the revision changes, in record order."""
    old, new = _content(live), _content(revision)
    return [FieldChange(name, old[name], new[name]) for name in WRITABLE_FIELDS
            if old[name] != new[name]]


def live_of(revision: Practice) -> Practice | None:
    """Return the published practice a revision would update (None for a first submission)."""
    if not revision.revision_of_id:
        return None
    return db.get_session().get(Practice, revision.revision_of_id)
