"""Check a practice record: its declared shape (kb.schemas) always, completeness on submission.

The JSON Schema of kb.schemas decides types, lengths, known codes and years; this module turns
its errors into one message per field and adds what a schema cannot say: a valid email address,
a web address with a host, the end year not before the start year, completeness.
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from jsonschema.exceptions import ValidationError

from kb import schemas
from kb.errors import ValidationFailed
from kb.services import calls
from kb.services.messages import _

REQUIRED_ON_SUBMIT = ("title", "summary", "description", "objectives", "level", "practice_type",
                      "implemented_by", "start_year", "implementation_status", "language")


def validate_record(record: Any, complete: bool, with_submit: bool = False,
                    call_slugs: Collection[str] | None = None) -> dict[str, Any]:
    """Return a cleaned copy of ``record``'s writable keys or raise ValidationFailed.

    ``complete`` demands everything a submission needs; drafts may be partial. Unknown and
    read-only keys are dropped, never applied. ``with_submit`` also accepts the create body's
    ``submit`` flag. ``call_slugs``, when given, are the calls that exist (read once by a
    caller checking many records, or one with no database at hand); else the database says.
    """
    if not isinstance(record, dict):
        raise ValidationFailed(_("The practice must be a JSON object."),
                               {"": [_("Expected an object.")]})
    errors = shape_errors(record, with_submit)
    for name in schemas.unpaired_surrogates(record):
        errors.setdefault(name or "record", [_("Contains a character that cannot be stored "
                                               "(NUL or an unpaired surrogate).")])
    clean = _clean(record, errors, call_slugs)
    if complete:
        _completeness(clean, errors)
    if errors:
        raise ValidationFailed(_("Some fields need attention."), errors)
    return clean


def shape_errors(record: dict[str, Any], with_submit: bool = False) -> dict[str, list[str]]:
    """Return the schema errors of ``record`` as {field: [one message]}."""
    fields = schemas.record_fields()
    errors: dict[str, list[str]] = {}
    for error in schemas.record_errors(record, with_submit):
        name = schemas.field_path(error) or "record"
        top = name.split(".")[0]
        if name in errors or top in errors:
            continue
        kind = fields[top].kind if top in fields else "text"
        errors[name] = [_message(kind, name, error)]
    return errors


def _message(kind: str, name: str, error: ValidationError) -> str:
    if error.validator == "pattern" and error.validator_value == schemas.CLEAN:
        return _("Contains a character that cannot be stored (NUL or an unpaired surrogate).")
    return _MESSAGES[kind](name, error)


def _text_message(_name: str, error: ValidationError) -> str:
    if error.validator == "maxLength":
        return _("At most %(limit)d characters (this has %(count)d).",
                 limit=error.validator_value, count=len(str(error.instance)))
    return _("Must be text.")


def _codes_message(_name: str, error: ValidationError) -> str:
    if error.validator == "type" and len(error.absolute_path) == 1:
        return _("Must be a list.")
    return _("Not known: %(values)s.", values=str(error.instance)[:40])


def _contact_message(name: str, _error: ValidationError) -> str:
    return {"contact.name": _("Text of at most 200 characters."),
            "contact.email": _("Not a valid email address."),
            "contact.public": _("Must be true or false.")}.get(
        name, _("Must be an object with name, email, public."))


def _links_message(name: str, _error: ValidationError) -> str:
    if name.endswith(".url"):
        return _("Only web addresses starting with http:// or https://.")
    if name.endswith(".title"):
        return _("Text of at most %(limit)d characters.", limit=schemas.MAX_LINK_TITLE)
    if name.count(".") == 1:
        return _("Each link is an object with a title and a url.")
    return _("A list of at most %(count)d links.", count=schemas.MAX_LINKS)


_MESSAGES: dict[str, Callable[[str, ValidationError], str]] = {
    "text": _text_message,
    "code": lambda _name, error: _("Not a known value: %(value)s.",
                                   value=repr(str(error.instance)[:40])),
    "codes": _codes_message,
    "year": lambda _name, _error: _("A year between %(first)d and %(last)d.",
                                    first=schemas.FIRST_YEAR, last=schemas.last_year()),
    "contact": _contact_message,
    "links": _links_message,
    "call": lambda _name, _error: _("No call for practices has this slug."),
}


def _clean(record: dict[str, Any], errors: dict[str, list[str]],
           call_slugs: Collection[str] | None) -> dict[str, Any]:
    """Return the writable keys of a schema-checked record in the shapes the model stores."""
    clean: dict[str, Any] = {}
    for name, spec in schemas.record_fields().items():
        if name not in record or any(key.split(".")[0] == name for key in errors):
            continue
        value = record[name]
        if spec.kind == "text":
            clean[name] = value or ""
        elif spec.kind == "code":
            clean[name] = value or None
        elif spec.kind == "codes":
            clean[name] = list(dict.fromkeys(int(v) if name == "objectives" else v
                                             for v in value or []))
        elif spec.kind == "year":
            clean[name] = int(value) if value not in (None, "") else None
        elif spec.kind == "contact":
            clean[name] = _contact(value or {}, errors)
        elif spec.kind == "call":
            clean[name] = _call(value, errors, call_slugs)
        else:
            clean[name] = _links(value or [], errors)
    start, end = clean.get("start_year"), clean.get("end_year")
    if start and end and end < start:
        errors.setdefault("end_year", []).append(
            _("The end year cannot be before the start year."))
    return clean


def _contact(contact: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    email = (contact.get("email") or "").strip()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors.setdefault("contact.email", []).append(_("Not a valid email address."))
    return {"name": contact.get("name") or "", "email": email,
            "public": contact.get("public") is True,
            "contactable": contact.get("contactable") is True}


def is_web_url(url: str) -> bool:
    """Return True for an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url


def _links(links: list[dict[str, Any]], errors: dict[str, list[str]]) -> list[dict[str, str]]:
    cleaned = []
    for i, link in enumerate(links):
        url = (link.get("url") or "").strip()
        title = (link.get("title") or "").strip()
        if not url and not title:
            continue  # an empty row of the form
        if not is_web_url(url):
            errors.setdefault(f"links.{i}.url", []).append(
                _("Only web addresses starting with http:// or https://."))
        cleaned.append({"title": title or url, "url": url})
    return cleaned


def _call(slug: str | None, errors: dict[str, list[str]],
          call_slugs: Collection[str] | None) -> str | None:
    if slug and slug not in (calls.titles([slug]) if call_slugs is None else call_slugs):
        errors.setdefault("call", []).append(_("No call for practices has this slug."))
    return slug or None


def _completeness(clean: dict[str, Any], errors: dict[str, list[str]]) -> None:
    for name in REQUIRED_ON_SUBMIT:
        if clean.get(name) in (None, "", []) and name not in errors:
            message = (_("Choose at least one GCM objective.") if name == "objectives"
                       else _("Required to submit."))
            errors.setdefault(name, []).append(message)
    contact = clean.get("contact") or {}
    if not (contact.get("name") or "").strip() and "contact" not in errors:
        errors.setdefault("contact.name", []).append(
            _("A focal point of the implementer is required."))
    if not contact.get("email") and not {"contact", "contact.email"} & set(errors):
        errors.setdefault("contact.email", []).append(_("Required to submit."))
    if clean.get("level") not in (None, "global") and not (clean.get("regions")
                                                            or clean.get("countries")):
        errors.setdefault("regions", []).append(
            _("Name at least one region or country."))
