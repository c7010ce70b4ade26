"""Check a practice record: types and formats always, completeness when it is submitted."""
from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from kb import taxonomy
from kb.errors import ValidationFailed
from kb.services.messages import _
from kb.services.records import CODE_FIELDS, LIST_FIELDS, MARKDOWN_FIELDS, TEXT_FIELDS

MAX_LENGTHS = {"title": 200, "summary": 600, "outcome": 600, "implemented_by": 2000,
               "partners": 2000, "funding": 2000, "description": 50_000, "results": 20_000,
               "lessons": 20_000}
FIRST_YEAR = 1990
MAX_LINKS = 20
# Record key -> taxonomy facet name.
CODE_FACETS = {"level": "level", "practice_type": "type", "implementation_status": "status",
               "language": "language", "objectives": "objective", "principles": "principle",
               "regions": "region", "countries": "country", "stakeholders": "stakeholder"}
REQUIRED_ON_SUBMIT = ("title", "summary", "description", "objectives", "level", "practice_type",
                      "implemented_by", "start_year", "implementation_status", "language")


def last_year() -> int:
    return dt.datetime.now(dt.UTC).year + 1


def validate_record(record: Any, complete: bool) -> dict[str, Any]:
    """Return a cleaned copy of ``record``'s writable keys or raise ValidationFailed.

    ``complete`` demands everything a submission needs; drafts may be partial. Unknown and
    read-only keys are dropped, never applied.
    """
    if not isinstance(record, dict):
        raise ValidationFailed(_("The practice must be a JSON object."),
                               {"": [_("Expected an object.")]})
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for check in (_texts, _codes, _lists, _years, _contact, _links):
        check(record, clean, errors)
    if complete:
        _completeness(clean, record, errors)
    if errors:
        raise ValidationFailed(_("Some fields need attention."), errors)
    return clean


def _texts(record: dict, clean: dict, errors: dict) -> None:
    for name in (*TEXT_FIELDS, *MARKDOWN_FIELDS):
        if name not in record:
            continue
        value = record[name]
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors.setdefault(name, []).append(_("Must be text."))
            continue
        limit = MAX_LENGTHS.get(name)
        if limit and len(value.strip()) > limit:
            errors.setdefault(name, []).append(_("At most %(limit)d characters (this has "
                                                 "%(count)d).", limit=limit,
                                                 count=len(value.strip())))
        clean[name] = value


def _codes(record: dict, clean: dict, errors: dict) -> None:
    for name in CODE_FIELDS:
        if name not in record:
            continue
        value = record[name]
        if value in (None, ""):
            clean[name] = None
        elif isinstance(value, str) and taxonomy.is_valid(CODE_FACETS[name], value):
            clean[name] = value
        else:
            errors.setdefault(name, []).append(_("Not a known value: %(value)s.",
                                                 value=repr(str(value)[:40])))


def _lists(record: dict, clean: dict, errors: dict) -> None:
    for name in LIST_FIELDS:
        if name not in record:
            continue
        values = record[name] or []
        if not isinstance(values, list):
            errors.setdefault(name, []).append(_("Must be a list."))
            continue
        facet = CODE_FACETS[name]
        good, bad = [], []
        for value in values:
            try:
                good.append(taxonomy.parse_code(facet, str(value)))
            except ValueError:
                bad.append(str(value)[:40])
        if bad:
            errors.setdefault(name, []).append(_("Not known: %(values)s.",
                                                 values=", ".join(bad)))
        clean[name] = list(dict.fromkeys(good))


def _years(record: dict, clean: dict, errors: dict) -> None:
    top = last_year()
    for name in ("start_year", "end_year"):
        if name not in record:
            continue
        value = record[name]
        if value in (None, ""):
            clean[name] = None
            continue
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not FIRST_YEAR <= value <= top:
            errors.setdefault(name, []).append(_("A year between %(first)d and %(last)d.",
                                                 first=FIRST_YEAR, last=top))
            continue
        clean[name] = value
    start, end = clean.get("start_year"), clean.get("end_year")
    if start and end and end < start:
        errors.setdefault("end_year", []).append(
            _("The end year cannot be before the start year."))


def _contact(record: dict, clean: dict, errors: dict) -> None:
    if "contact" not in record:
        return
    contact = record["contact"] or {}
    if not isinstance(contact, dict):
        errors.setdefault("contact", []).append(
            _("Must be an object with name, email, public."))
        return
    email = (contact.get("email") or "").strip()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors.setdefault("contact.email", []).append(_("Not a valid email address."))
    name = contact.get("name") or ""
    if not isinstance(name, str) or len(name) > 200:
        errors.setdefault("contact.name", []).append(_("Text of at most 200 characters."))
    clean["contact"] = {"name": name if isinstance(name, str) else "", "email": email,
                        "public": contact.get("public") is True}


def is_web_url(url: str) -> bool:
    """Return True for an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url


def _links(record: dict, clean: dict, errors: dict) -> None:
    if "links" not in record:
        return
    links = record["links"] or []
    if not isinstance(links, list) or len(links) > MAX_LINKS:
        errors.setdefault("links", []).append(_("A list of at most %(count)d links.",
                                                       count=MAX_LINKS))
        return
    cleaned = []
    for i, link in enumerate(links):
        url = (link.get("url") or "").strip() if isinstance(link, dict) else ""
        title = (link.get("title") or "").strip() if isinstance(link, dict) else ""
        if not url and not title:
            continue
        if not is_web_url(url) or len(url) > 2000:
            errors.setdefault(f"links.{i}.url", []).append(
                _("Only web addresses starting with http:// or https://."))
        cleaned.append({"title": title[:300] or url, "url": url})
    clean["links"] = cleaned


def _completeness(clean: dict, record: dict, errors: dict) -> None:
    for name in REQUIRED_ON_SUBMIT:
        if clean.get(name) in (None, "", []) and name not in errors:
            message = (_("Choose at least one GCM objective.") if name == "objectives"
                       else _("Required to submit."))
            errors.setdefault(name, []).append(message)
    contact = clean.get("contact") or {}
    if not (contact.get("name") or "").strip():
        errors.setdefault("contact.name", []).append(
            _("A focal point of the implementer is required."))
    if not contact.get("email") and "contact.email" not in errors:
        errors.setdefault("contact.email", []).append(_("Required to submit."))
    if clean.get("level") not in (None, "global") and not (clean.get("regions")
                                                            or clean.get("countries")):
        errors.setdefault("regions", []).append(
            _("Name at least one region or country."))
