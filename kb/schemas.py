"""The one declaration of the JSON kb accepts: practice records and workflow action bodies.

The write API, `kb import` and the submission form validate records with these JSON Schemas
(kb.services.validation); the write API validates action bodies with them (kb.views.api_write);
the OpenAPI document publishes the very same schemas (kb.views.openapi). The document and the
server therefore cannot drift.

Extending:

- a record field: one ``Field`` in ``record_fields()`` (its schema and the kind of message shown
  when it is wrong), then copy it onto the model in kb.services.records;
- an API action: one ``Action`` in ``ACTIONS`` (the body keys it takes), then its service call in
  kb.views.api_write (a unit test checks that the dispatch and ``ACTIONS`` name the same ones).

Everything the server checks that JSON Schema cannot say (a valid email address, a web address
with a host, the end year not before the start year, completeness on submission, workflow rules)
stays in the services and answers 422 or 409 naming the field.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from kb import taxonomy, workflow
from kb.i18n import N_

FIRST_YEAR = 1990
MAX_LINKS = 20
MAX_LENGTHS = {"title": 200, "summary": 600, "outcome": 600, "implemented_by": 2000,
               "partners": 2000, "funding": 2000, "description": 50_000, "results": 20_000,
               "lessons": 20_000}
MAX_URL = 2000
MAX_LINK_TITLE = 300
MAX_CONTACT_NAME = 200
MAX_EMAIL = 254
MAX_COMMENT = 20_000
# Text a database can store: no NUL. (A lone UTF-16 surrogate, which no database can store
# either, is refused by unpaired_surrogates(): Rust and ECMAScript regex engines of other
# validators, Schemathesis's among them, cannot compile a surrogate range in a pattern.)
CLEAN = r"^[^\x00]*$"
MAX_SLUG = 80
SLUG_OR_EMPTY = r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*)?$"
WEB_ADDRESS = r"^(?:[hH][tT][tT][pP][sS]?://[^\s\x00]+)?$"


def last_year() -> int:
    """The latest start or end year accepted: next year (a practice may be about to start)."""
    return dt.datetime.now(dt.UTC).year + 1


def text(max_length: int | None = None, nullable: bool = True) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": ["string", "null"] if nullable else "string",
                              "pattern": CLEAN}
    if max_length:
        schema["maxLength"] = max_length
    return schema


def _codes(facet: str) -> list[Any]:
    return [code for code, _label in taxonomy.choices(facet)]


def _objective() -> dict[str, Any]:
    top = len(taxonomy.OBJECTIVES)
    return {"anyOf": [{"type": "integer", "minimum": 1, "maximum": top},
                      {"type": "string", "enum": [str(n) for n in range(1, top + 1)]}],
            "description": "GCM objective number (1-23), as a number or its decimal string."}


def _code(facet: str) -> dict[str, Any]:
    return {"type": ["string", "null"], "enum": [*_codes(facet), "", None]}


def _code_list(facet: str) -> dict[str, Any]:
    item = _objective() if facet == "objective" else {"type": "string", "enum": _codes(facet)}
    return {"type": ["array", "null"], "items": item}


def _year(top: int) -> dict[str, Any]:
    return {"anyOf": [{"type": "integer", "minimum": FIRST_YEAR, "maximum": top},
                      {"type": ["string", "null"],
                       "enum": [*(str(y) for y in range(FIRST_YEAR, top + 1)), "", None]}],
            "description": f"A year from {FIRST_YEAR} to {top} (a number or its decimal "
                           "string); empty or null when unknown."}


def contact_schema() -> dict[str, Any]:
    return {"type": ["object", "null"], "additionalProperties": False,
            "properties": {"name": text(MAX_CONTACT_NAME),
                           "email": {**text(MAX_EMAIL), "description": "An email address "
                                     "(may be empty in a draft)."},
                           "public": {"type": ["boolean", "null"]},
                           "contactable": {"type": ["boolean", "null"], "description": "Readers "
                                           "may write to the focal point through the form of "
                                           "the practice page (the address stays hidden unless "
                                           "public)."}}}


def link_schema() -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False,
            "properties": {"title": text(MAX_LINK_TITLE),
                           "url": {"type": ["string", "null"], "maxLength": MAX_URL,
                                   "pattern": WEB_ADDRESS,
                                   "description": "An http:// or https:// address (required "
                                                  "when the link has a title)."}}}


def call_schema() -> dict[str, Any]:
    return {"type": ["string", "null"], "maxLength": MAX_SLUG, "pattern": SLUG_OR_EMPTY,
            "description": "Slug of the call for practices the entry answers (null: none). A "
                           "submission to a call that is not open is refused (422 naming "
                           "call); a draft may keep the link."}


@dataclass(frozen=True)
class Field:
    """One writable key of a practice record: its JSON Schema and how its errors read.

    ``kind`` picks the message (kb.services.validation): text, code, codes, year, contact,
    links, call.
    """

    schema: dict[str, Any]
    kind: str


def record_fields(top_year: int | None = None) -> dict[str, Field]:
    """Return every writable key of a practice record, in the order of the form (read-only)."""
    return _record_fields(top_year or last_year())


@lru_cache(maxsize=4)
def _record_fields(top: int) -> dict[str, Field]:
    fields: dict[str, Field] = {
        name: Field(text(MAX_LENGTHS.get(name)), "text")
        for name in ("title", "summary", "description", "implemented_by", "partners",
                     "outcome", "results", "lessons", "funding")}
    for name, facet in (("level", "level"), ("practice_type", "type"),
                        ("implementation_status", "status"), ("language", "language")):
        fields[name] = Field(_code(facet), "code")
    for name, facet in (("objectives", "objective"), ("principles", "principle"),
                        ("regions", "region"), ("countries", "country"),
                        ("stakeholders", "stakeholder")):
        fields[name] = Field(_code_list(facet), "codes")
    fields["start_year"] = Field(_year(top), "year")
    fields["end_year"] = Field(_year(top), "year")
    fields["contact"] = Field(contact_schema(), "contact")
    fields["links"] = Field({"type": ["array", "null"], "maxItems": MAX_LINKS,
                             "items": link_schema()}, "links")
    fields["call"] = Field(call_schema(), "call")
    return fields


def record_schema(top_year: int | None = None) -> dict[str, Any]:
    """The writable keys of a practice record; other keys (id, slug, *_html...) are ignored."""
    return {"type": "object",
            "properties": {name: f.schema for name, f in record_fields(top_year).items()},
            "description": N_("Writable keys of a practice record; read-only keys are "
                              "ignored.")}


def create_schema(top_year: int | None = None) -> dict[str, Any]:
    """The body of POST /api/v1/submissions: a record, and whether to submit it at once."""
    schema = record_schema(top_year)
    schema["properties"]["submit"] = {"type": "boolean",
                                      "description": "Submit at once instead of saving a draft."}
    return schema


@dataclass(frozen=True)
class Action:
    """One workflow action of the write API and the keys of its body besides ``action``."""

    summary: str
    properties: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    status: int = 200  # 201 when the action creates a resource


def _comment(description: str = "Optional note kept in the practice's history.") -> dict:
    return {**text(MAX_COMMENT), "description": description}


def _checklist() -> dict[str, Any]:
    return {"type": ["object", "null"], "additionalProperties": False,
            "properties": {key: {"type": "boolean", "description": label}
                           for key, label in workflow.CHECKLIST},
            "description": "The screening checklist, recorded on approval."}


ACTIONS: dict[str, Action] = {
    "submit": Action("Send a complete draft to the review queue."),
    "withdraw": Action("Give up a draft or submission.", {"comment": _comment()}),
    "claim": Action("Take a submitted practice for review.",
                    {"no_conflict": {"const": True, "description": "I have no conflict "
                                     "of interest (must be true)."}},
                    required=("no_conflict",)),
    "unclaim": Action("Put a claimed practice back in the queue.", {"comment": _comment()}),
    "request_changes": Action("Send the practice back to its submitter.",
                              {"comment": _comment("What to change (required, not blank).")}),
    "approve": Action("Publish the practice.",
                      {"checklist": _checklist(), "comment": _comment(),
                       "override_reason": {**text(MAX_COMMENT), "description": N_(
                           "Why the practice is approved although a checklist criterion is "
                           "not true: required then, or the answer is 422; recorded in the "
                           "timeline.")}}),
    "reject": Action("Refuse the practice.",
                     {"comment": _comment("Why (required, not blank).")}),
    "recommend": Action(
        "Record one reviewer's recommendation (several reviewers, KB_REVIEWS_REQUIRED > 1; "
        "with one it is that reviewer's decision). The last one of the round settles the "
        "outcome: published, changes_requested, rejected or needs_decision.",
        {"recommendation": {"type": "string", "enum": list(workflow.RECOMMENDATIONS),
                            "description": "approve (checklist complete or override_reason), "
                                           "request_changes or reject (comment required)."},
         "checklist": _checklist(), "comment": _comment(
             "What the submitter and the other reviewers read (required unless approving)."),
         "override_reason": {**text(MAX_COMMENT), "description": N_(
             "Why the practice is approved although a checklist criterion is not true: "
             "required then, or the answer is 422; recorded in the timeline.")}},
        required=("recommendation",)),
    "add_reviewer": Action(
        "An admin adds a reviewer to a practice whose reviewers disagree (needs_decision); "
        "their recommendation counts toward the approvals required.",
        {"reviewer": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1,
                      "description": "The id of an active reviewer not of the submitter's "
                                     "organization."}},
        required=("reviewer",)),
    "propose_update": Action("Open a revision of a published practice (201 with the new "
                             "revision).", status=201),
    "request_update": Action("Ask the submitter to check a published practice; it stays "
                             "published (reviewer or admin).",
                             {"comment": _comment("What to check or update (required, not "
                                                  "blank).")}),
    "confirm_current": Action("The submitter confirms the published practice is still "
                              "current: sets last_reviewed_at, closes an update request.",
                              {"comment": _comment()}),
}


def action_schema(name: str) -> dict[str, Any]:
    """The body of one action: ``{"action": name, ...its keys}``."""
    spec = ACTIONS[name]
    return {"type": "object", "title": name, "description": spec.summary,
            "required": ["action", *spec.required],
            "properties": {"action": {"const": name}, **spec.properties}}


def action_name_schema() -> dict[str, Any]:
    return {"type": "object", "required": ["action"],
            "properties": {"action": {"type": "string", "enum": list(ACTIONS)}}}


def actions_schema() -> dict[str, Any]:
    """The body of POST .../actions: exactly one of the action bodies."""
    return {"oneOf": [action_schema(name) for name in ACTIONS],
            "description": N_("One object per action: \"action\" names it; the other keys "
                              "depend on it.")}


@lru_cache(maxsize=4)
def _record_validator(top_year: int) -> Draft202012Validator:
    return Draft202012Validator(record_schema(top_year))


@lru_cache(maxsize=4)
def _create_validator(top_year: int) -> Draft202012Validator:
    return Draft202012Validator(create_schema(top_year))


@cache
def _action_validator(name: str | None) -> Draft202012Validator:
    return Draft202012Validator(action_schema(name) if name else action_name_schema())


def record_errors(record: Any, with_submit: bool = False) -> Iterator[ValidationError]:
    """Yield the schema errors of a practice record (the create body with ``with_submit``)."""
    validator = (_create_validator if with_submit else _record_validator)(last_year())
    return validator.iter_errors(record)


def action_errors(body: Any) -> list[ValidationError]:
    """Return the schema errors of an action body: its name first, then its own keys."""
    errors = list(_action_validator(None).iter_errors(body))
    if errors:
        return errors
    return list(_action_validator(body["action"]).iter_errors(body))


def unpaired_surrogates(value: Any) -> list[str]:
    """Return the dotted key of every string holding a lone UTF-16 surrogate ("" for the body).

    JSON lets a body spell one (``"\\ud800"``); it is not a character, cannot be stored or
    encoded, and is refused naming the field. (Iterative: a body may nest deeply.)
    """
    found, stack = [], [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if _has_surrogate(item):
                found.append(path)
        elif isinstance(item, dict):
            for key, child in item.items():
                key = str(key)
                if _has_surrogate(key):
                    found.append(path)
                else:
                    stack.append((f"{path}.{key}" if path else key, child))
        elif isinstance(item, list):
            stack.extend((f"{path}.{i}" if path else str(i), child)
                         for i, child in enumerate(item))
    return sorted(set(found))


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def field_path(error: ValidationError) -> str:
    """The dotted key an error is about (``links.0.url``), or "" for the whole body."""
    path = [str(part) for part in error.absolute_path]
    if error.validator == "required" and isinstance(error.validator_value, list):
        # "'comment' is a required property": name the missing key itself.
        missing = next((name for name in error.validator_value
                        if isinstance(error.instance, dict) and name not in error.instance), None)
        if missing:
            path.append(missing)
    elif (error.validator == "additionalProperties" and isinstance(error.instance, dict)
          and isinstance(error.schema, dict)):
        allowed = error.schema.get("properties", {})
        extra = next((str(k) for k in error.instance if k not in allowed), None)
        if extra is not None:
            path.append(extra)
    return ".".join(path)
