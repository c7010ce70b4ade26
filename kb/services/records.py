"""The practice record (API, import and export shape) to and from the Practice model."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from kb import sanitize, taxonomy
from kb.models import Practice, PracticeLink
from kb.services import review_dates

TEXT_FIELDS = ("title", "summary", "implemented_by", "partners", "outcome", "funding")
MARKDOWN_FIELDS = ("description", "results", "lessons")
CODE_FIELDS = ("level", "practice_type", "implementation_status", "language")
LIST_FIELDS = ("objectives", "principles", "regions", "countries", "stakeholders")
YEAR_FIELDS = ("start_year", "end_year")
WRITABLE_FIELDS = (*TEXT_FIELDS, *MARKDOWN_FIELDS, *CODE_FIELDS, *LIST_FIELDS, *YEAR_FIELDS,
                   "contact", "links", "call")
READ_ONLY_FIELDS = ("id", "slug", "state", "url", "published_at", "updated_at",
                    "last_reviewed_at", "review_due", "update_requested", "description_html",
                    "results_html", "lessons_html")


@dataclass(frozen=True)
class RecordOptions:
    """How much of a practice a reader may see."""

    include_private_contact: bool = False
    include_state: bool = True


def apply_record(practice: Practice, record: dict[str, Any]) -> None:
    """Copy the writable keys present in ``record`` onto ``practice``, sanitizing rich text.

    Read-only keys (id, slug, state, timestamps, *_html) are ignored: mass assignment changes
    nothing. Values must already be validated (kb.services.validation).
    """
    for name, value in column_values(record).items():
        setattr(practice, name, value)
    for name, codes in list_values(record, practice).items():
        setattr(practice, name, codes)
    if "links" in record:
        practice.links = [PracticeLink(**link) for link in link_values(record)]


def column_values(record: dict[str, Any]) -> dict[str, Any]:
    """Return the practice columns that the writable keys present in ``record`` set.

    Text is cleaned and each Markdown field rendered and sanitized here, once: apply_record
    and the bulk import (kb.services.bulk_import) both store what this returns.
    """
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in record:
            values[name] = sanitize.clean_text(record[name] or "")
    for name in MARKDOWN_FIELDS:
        if name in record:
            text = sanitize.clean_text(record[name] or "")
            values[name] = text
            values[f"{name}_html"] = sanitize.render_markdown(text)
    for name in (*CODE_FIELDS, *YEAR_FIELDS):
        if name in record:
            if name == "language" and not record[name]:
                continue  # every entry has a language: a blank choice keeps the current one
            values[name] = record[name]
    if "contact" in record:
        contact = record["contact"] or {}
        values["contact_name"] = sanitize.clean_text(contact.get("name") or "")
        values["contact_email"] = (contact.get("email") or "").strip()
        values["contact_public"] = bool(contact.get("public"))
        values["contact_contactable"] = bool(contact.get("contactable"))
    if "call" in record:
        values["call_slug"] = record["call"] or None
    return values


def list_values(record: dict[str, Any], current: Practice | None = None
                ) -> dict[str, list[Any]]:
    """Return the coded lists that ``record`` sets, without repeats, in their given order.

    Regions are stored as those named plus those of the countries (taxonomy mapping), so
    that every reader (record, page, index and facets, coverage, stats, exports, feed, the
    review queue's filter) sees the same regions. When only the countries of ``current``
    change, the regions its old countries implied are recomputed and those named on their
    own are kept.
    """
    values = {name: list(dict.fromkeys(record[name] or []))
              for name in LIST_FIELDS if name in record}
    if "regions" in values or "countries" in values:
        old_countries = list(current.countries) if current is not None else []
        named = values.get("regions")
        if named is None:
            implied_before = taxonomy.regions_for_countries(old_countries)
            named = [code for code in (current.regions if current is not None else [])
                     if code not in implied_before]
        countries = values.get("countries", old_countries)
        values["regions"] = sorted(set(named) | taxonomy.regions_for_countries(countries))
    return values


def link_values(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the link rows (position, title, url) of ``record``'s links."""
    return [{"position": i, "title": sanitize.clean_text(link.get("title") or ""),
             "url": link["url"].strip()}
            for i, link in enumerate(record.get("links") or [])]


def practice_to_record(practice: Practice | SimpleNamespace,
                       options: RecordOptions = RecordOptions(),
                       url: str | None = None) -> dict[str, Any]:
    """Return the record of ``practice``; a private contact only when ``options`` allow it.

    ``practice`` may be a plain row of kb.services.exports.plain_practices (same attributes).
    """
    record: dict[str, Any] = {"id": practice.id, "slug": practice.slug}
    if options.include_state:
        record["state"] = practice.state
    if url is not None:
        record["url"] = url
    for name in (*TEXT_FIELDS, *MARKDOWN_FIELDS, *CODE_FIELDS, *YEAR_FIELDS):
        record[name] = getattr(practice, name)
    for name in MARKDOWN_FIELDS:
        record[f"{name}_html"] = getattr(practice, f"{name}_html")
    for name in LIST_FIELDS:
        record[name] = list(getattr(practice, name))
    if practice.contact_public or options.include_private_contact:
        record["contact"] = {"name": practice.contact_name, "email": practice.contact_email,
                             "public": practice.contact_public,
                             "contactable": practice.contact_contactable}
    else:
        record["contact"] = None
    record["links"] = [{"title": link.title, "url": link.url} for link in practice.links]
    record["call"] = practice.call_slug
    for name in ("published_at", "updated_at", "last_reviewed_at"):
        value = getattr(practice, name)
        record[name] = value.isoformat().replace("+00:00", "Z") if value else None
    record["review_due"] = review_dates.is_review_due(practice)
    record["update_requested"] = practice.update_requested_at is not None
    return record


def slugify(text: str) -> str:
    """Return a lower-case ASCII slug of at most 80 characters ('practice' if nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
    return slug or "practice"


def unique_slug(session: Session, title: str, exclude_id: int | None = None) -> str:
    """Return a slug for ``title`` that no other practice uses."""
    base = slugify(title)
    taken = set(session.scalars(_SLUGS_OF, {"base": base, "after": f"{base}-",
                                            "before": f"{base}."}))
    if exclude_id is not None:
        own = session.get(Practice, exclude_id)
        taken.discard(own.slug if own else None)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


# base itself and base-2, base-3...: a range the slug index answers ("." follows "-"). Built
# once (every practice created or renamed runs it): building and keying it cost more than
# running it.
_SLUGS_OF = select(Practice.slug).where(
    (Practice.slug == bindparam("base"))
    | ((Practice.slug > bindparam("after")) & (Practice.slug < bindparam("before"))))
