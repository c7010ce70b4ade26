"""The one search boundary: a published practice -> the document the index stores."""
from __future__ import annotations

import datetime as dt
from typing import Any

from kb.search.analysis import LANGUAGES

_TEXT_ATTRS = ("slug", "title", "summary", "outcome", "implemented_by", "partners")


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _codes(values: Any) -> list:
    return sorted(values or [])


def practice_to_document(practice: Any) -> dict[str, Any]:
    """Map a published practice (any object with the Practice attributes) to a document.

    The caller adds the document's ``version`` (kb.services.indexing stamps ``updated_at``).
    """
    from kb.sanitize import html_to_text

    doc: dict[str, Any] = {"id": int(practice.id)}
    for attr in _TEXT_ATTRS:
        doc[attr] = getattr(practice, attr) or ""
    doc["language"] = practice.language if practice.language in LANGUAGES else "other"
    doc["description"] = html_to_text(practice.description_html or "")
    doc["results"] = html_to_text(practice.results_html or "")
    doc["lessons"] = html_to_text(practice.lessons_html or "")
    doc["objective"] = sorted(int(o) for o in practice.objectives or [])
    doc["principle"] = _codes(practice.principles)
    doc["region"] = _codes(practice.regions)
    doc["country"] = _codes(practice.countries)
    doc["stakeholder"] = _codes(practice.stakeholders)
    doc["level"] = practice.level or None
    doc["type"] = practice.practice_type or None
    doc["status"] = practice.implementation_status or None
    doc["start_year"] = practice.start_year
    doc["end_year"] = practice.end_year
    if getattr(practice, "call_slug", None):
        # Only set when present, so the version of a practice without a call is unchanged.
        doc["call"] = practice.call_slug
    doc["published_at"] = _utc(practice.published_at)
    doc["updated_at"] = _utc(practice.updated_at)
    return doc
