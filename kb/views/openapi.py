"""The OpenAPI 3 document of the JSON API, the exports and the feed (built from the taxonomy)."""
from __future__ import annotations

from typing import Any

from kb import schemas, taxonomy
from kb.i18n import N_
from kb.search import MAX_PER_PAGE, SORTS
from kb.services.search import MAX_PAGE, YEAR_RANGE
from kb.views import openapi_calls

JSON = "application/json"
MAX_ID = 2**63 - 1  # the largest id a database row can have (kb.urls bounds the <int:> routes)
FACET_PARAMETERS = {
    "objective": N_("GCM objective number (1-23)."), "principle": N_("Guiding principle code."),
    "region": N_("Region code."), "country": N_("Country, ISO 3166-1 alpha-3 code."),
    "level": N_("Level of implementation."), "stakeholder": N_("Stakeholder type involved."),
    "type": N_("Type of practice."), "status": N_("Implementation status."),
    "language": N_("Language of the entry."),
    "call": N_("Call for practices the entry answered (the call's slug)."),
}
REPEATABLE = N_("Repeatable: OR within one parameter, AND across parameters.")


def _codes(facet: str) -> list:
    return [code for code, _label in taxonomy.choices(facet)]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _facet_item(facet: str) -> dict[str, Any]:
    if facet == "objective":
        return {"type": "integer", "minimum": 1, "maximum": len(taxonomy.OBJECTIVES)}
    if facet == "call":
        return openapi_calls.SLUG
    return {"type": "string", "enum": _codes(facet)}


def _search_parameters() -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": "q", "in": "query", "description": N_(
            "Full-text query: words, \"phrases\", OR, NOT or -word, prefix*, title:word."),
         "schema": {"type": "string"}},
    ]
    for facet, text in FACET_PARAMETERS.items():
        params.append({"name": facet, "in": "query", "description": f"{text} {REPEATABLE}",
                       "style": "form", "explode": True,
                       "schema": {"type": "array", "items": _facet_item(facet)}})
    low, high = YEAR_RANGE
    params += [
        {"name": "year_from", "in": "query", "description": N_("Earliest start year."),
         "schema": {"type": "integer", "minimum": low, "maximum": high}},
        {"name": "year_to", "in": "query",
         "description": N_("Latest start year (not before year_from)."),
         "schema": {"type": "integer", "minimum": low, "maximum": high}},
        {"name": "sort", "in": "query", "description": N_("Relevance with a query, else newest."),
         "schema": {"type": "string", "enum": list(SORTS)}},
        {"name": "review_due", "in": "query", "description": N_(
            "true: only practices whose last review is older than KB_REVIEW_AFTER_MONTHS; "
            "false: only the others."),
         "schema": {"type": "boolean"}},
        {"name": "qlang", "in": "query", "description": N_(
            "Language the query is written in (default: the interface language); entries of "
            "that language rank a little higher. Entries in every language still match, each "
            "analysed with its own stemmer."),
         "schema": {"type": "string", "enum": list(taxonomy.LOCALES)}},
    ]
    return params


def _page_parameters() -> list[dict[str, Any]]:
    return [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                    "maximum": MAX_PAGE, "default": 1}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                        "maximum": MAX_PER_PAGE,
                                                        "default": 20}},
    ]


LANG_PARAMETER = {"name": "lang", "in": "query", "description": N_("Language of labels."),
                  "schema": {"type": "string", "enum": list(taxonomy.LOCALES)}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref("Error")}}}


def _ok(description: str, schema: dict[str, Any], media: str = JSON) -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": schema}}}


def _schemas() -> dict[str, Any]:
    text = {"type": "string"}
    year = _nullable({"type": "integer"})
    stamp = _nullable({"type": "string", "format": "date-time"})
    codes = {"type": "array", "items": {"type": "string"}}
    record_props: dict[str, Any] = {
        **{name: text for name in ("title", "summary", "description", "implemented_by",
                                   "partners", "outcome", "results", "lessons", "funding")},
        "objectives": {"type": "array", "items": {"type": "integer", "minimum": 1,
                                                  "maximum": 23}},
        "principles": codes, "regions": codes, "countries": codes, "stakeholders": codes,
        "level": _nullable(text), "practice_type": _nullable(text),
        "implementation_status": _nullable(text), "language": text,
        "start_year": year, "end_year": year,
        "contact": _nullable(_ref("Contact")),
        "links": {"type": "array", "items": _ref("Link")},
        "call": _nullable({**openapi_calls.SLUG, "description": "Slug of the call for "
                           "practices the entry answers; a submission to a call that is "
                           "not open is refused (422 naming call)."}),
    }
    read_only = {"id": {"type": "integer"}, "slug": text, "url": {"type": "string"},
                 "description_html": text, "results_html": text, "lessons_html": text,
                 "published_at": stamp, "updated_at": stamp, "last_reviewed_at": stamp,
                 "review_due": {"type": "boolean", "description": "Last reviewed longer ago "
                                "than KB_REVIEW_AFTER_MONTHS (a notice shows on its page)."},
                 "update_requested": {"type": "boolean", "description": "A reviewer or admin "
                                      "asked the submitter to check it; it stays published."}}
    facet_value = {"type": "object", "required": ["value", "label", "count", "selected"],
                   "properties": {"value": {"type": ["integer", "string"]}, "label": text,
                                  "count": {"type": "integer", "minimum": 0},
                                  "selected": {"type": "boolean"}}}
    coded = {"type": "object", "required": ["code", "label"],
             "properties": {"code": text, "label": text}}
    counted = {"type": "object", "required": ["code", "label", "count"],
               "properties": {"code": text, "label": text, "count": {"type": "integer"}}}
    return {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message", "fields"],
            "properties": {"code": text, "message": text, "fields": {
                "type": "object", "additionalProperties": {"type": "array", "items": text}}}}}},
        # Request bodies: the very schemas the server validates with (kb.schemas).
        "RecordInput": schemas.record_schema(),
        "CreateInput": schemas.create_schema(),
        "Action": schemas.actions_schema(),
        "Contact": {"type": "object", "properties": {
            "name": text, "email": text, "public": {"type": "boolean"},
            "contactable": {"type": "boolean", "description": "Readers may write to the focal "
                            "point through the form of the practice page (the address stays "
                            "hidden unless public)."}}},
        "Link": {"type": "object", "required": ["url"],
                 "properties": {"title": text, "url": text}},
        "Practice": {"type": "object", "properties": {**record_props, **read_only},
                     "required": ["id", "slug", "title", "objectives", "contact", "links"],
                     "description": N_("A published practice; never a private contact.")},
        "Submission": {"type": "object",
                       "properties": {**record_props, **read_only, "state": {
                           "type": "string", "enum": ["draft", "submitted", "in_review",
                                                      "changes_requested", "published",
                                                      "rejected", "withdrawn", "archived"]},
                           "update_request": _nullable({
                               "type": "object", "properties": {"comment": text,
                                                                "requested_at": stamp}})},
                       "required": ["id", "state"]},
        "SubmissionList": {"type": "object", "required": ["total", "results"],
                           "properties": {"total": {"type": "integer", "minimum": 0},
                                          "results": {"type": "array",
                                                      "items": _ref("Submission")}}},
        "Hit": {"type": "object", "required": ["id", "slug", "url", "title", "objectives"],
                "properties": {"id": {"type": "integer"}, "slug": text, "url": text,
                               "title": text, "summary": text,
                               "objectives": {"type": "array", "items": {"type": "integer"}},
                               "level": _nullable(text), "regions": codes,
                               "countries": codes, "start_year": year, "end_year": year,
                               "language": text, "published_at": stamp,
                               "highlights": {"type": "object",
                                              "additionalProperties": text},
                               "match": {"type": "string", "enum": ["all", "some"]}}},
        "SearchResults": {
            "type": "object", "required": ["total", "page", "per_page", "results", "facets"],
            "properties": {
                "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "results": {"type": "array", "items": _ref("Hit")},
                "facets": {"type": "object", "required": list(FACET_PARAMETERS),
                           "properties": {f: {"type": "array", "items": facet_value}
                                          for f in FACET_PARAMETERS}},
                "suggestion": _nullable(text), "message": _nullable(text),
                "total_all_words": {"type": "integer", "minimum": 0},
                "expanded": {"type": "object",
                             "additionalProperties": {"type": "array", "items": text}},
                "query_language": _nullable(text)}},
        "Export": {"type": "object", "required": ["total", "results"],
                   "properties": {"total": {"type": "integer"},
                                  "results": {"type": "array", "items": _ref("Practice")}}},
        "Taxonomy": {
            "type": "object", "required": ["objectives", "regions", "countries"],
            "properties": {
                "objectives": {"type": "array", "items": {
                    "type": "object", "required": ["code", "title", "short"],
                    "properties": {"code": {"type": "integer"}, "title": text,
                                   "short": text}}},
                **{name: {"type": "array", "items": coded}
                   for name in ("principles", "levels", "regions", "stakeholders",
                                "practice_types", "implementation_statuses", "languages",
                                "countries")}}},
        "Stats": {
            "type": "object",
            "required": ["total", "objectives", "regions", "levels", "start_years"],
            "properties": {
                "total": {"type": "integer"},
                "objectives": {"type": "array", "items": {
                    "type": "object",
                    "required": ["code", "label", "count", "few", "less_attention",
                                 "regions"],
                    "properties": {"code": {"type": "integer"}, "label": text,
                                   "count": {"type": "integer"}, "few": {"type": "boolean"},
                                   "less_attention": {"type": "boolean"},
                                   "regions": {"type": "object", "additionalProperties":
                                               {"type": "integer"}}}}},
                "regions": {"type": "array", "items": counted},
                "levels": {"type": "array", "items": counted},
                "start_years": {"type": "array", "items": {
                    "type": "object", "required": ["year", "count"],
                    "properties": {"year": {"type": "integer"},
                                   "count": {"type": "integer"}}}},
                "no_start_year": {"type": "integer"}}},
    }


def _read_paths() -> dict[str, Any]:
    bad = _error(N_("A parameter is not valid; `fields` names it."))
    conditional = [{"name": "If-None-Match", "in": "header", "required": False,
                    "schema": {"type": "string"}}]
    return {
        "/api/v1/practices": {"get": {
            "operationId": "searchPractices", "tags": ["read"],
            "summary": N_("Search published practices with facet counts."),
            "parameters": [*_search_parameters(), *_page_parameters(), LANG_PARAMETER],
            "responses": {"200": _ok(N_("A page of results."), _ref("SearchResults")),
                          "400": bad}}},
        "/api/v1/practices/{slug}": {"get": {
            "operationId": "getPractice", "tags": ["read"],
            "summary": N_("Return the record of one published practice."),
            "parameters": [{"name": "slug", "in": "path", "required": True,
                            "schema": {"type": "string", "pattern": "^[a-z0-9-]{1,220}$"}},
                           *conditional],
            "responses": {"200": _ok(N_("The practice record (with ETag and Last-Modified)."),
                                     _ref("Practice")),
                          "304": {"description": N_("Not modified since the given ETag.")},
                          "404": _error(N_("No published practice has this slug."))}}},
        "/api/v1/practices.csv": {"get": {
            "operationId": "exportPracticesCsv", "tags": ["read"],
            "summary": N_("Export every practice matching the search as CSV (streamed)."),
            "description": N_("One row per practice; lists joined with '; '. Opens in "
                              "spreadsheets and with Python's csv module."),
            "parameters": [*_search_parameters(), LANG_PARAMETER],
            "responses": {"200": _ok(N_("CSV with a header row."), {"type": "string"},
                                     "text/csv"), "400": bad}}},
        "/api/v1/practices.json": {"get": {
            "operationId": "exportPracticesJson", "tags": ["read"],
            "summary": N_("Export every practice matching the search as JSON (streamed)."),
            "parameters": _search_parameters(),
            "responses": {"200": _ok(N_("All matching records."), _ref("Export")), "400": bad}}},
        "/api/v1/taxonomy": {"get": {
            "operationId": "getTaxonomy", "tags": ["read"],
            "summary": N_("Return every code list with labels."), "parameters": [LANG_PARAMETER],
            "responses": {"200": _ok(N_("Code lists."), _ref("Taxonomy"))}}},
        "/api/v1/stats": {"get": {
            "operationId": "getStats", "tags": ["read"],
            "summary": N_("Count published practices by objective x region, level, start year."),
            "description": N_("The numbers of the /coverage page; each equals a search "
                              "facet count."), "parameters": [LANG_PARAMETER],
            "responses": {"200": _ok(N_("Coverage counts."), _ref("Stats"))}}},
        "/api/v1/openapi.json": {"get": {
            "operationId": "getOpenapi", "tags": ["read"], "summary": N_("This document."),
            "responses": {"200": _ok(N_("OpenAPI 3.1 document."), {"type": "object"})}}},
        "/practices/{slug}/contact": {"post": _contact_operation()},
        "/feed.atom": {"get": {
            "operationId": "getFeed", "tags": ["read"],
            "summary": N_("Atom feed of newly published and updated practices."),
            "parameters": [*_search_parameters(), LANG_PARAMETER, *conditional],
            "responses": {"200": _ok(N_("An Atom 1.0 feed."), {"type": "string"},
                                     "application/atom+xml"),
                          "304": {"description": N_("Not modified.")},
                          "400": _ok(N_("A parameter is not valid (an HTML page: the feed "
                                        "is not under /api/)."), {"type": "string"},
                                     "text/html")}}},
    }


def _contact_operation() -> dict[str, Any]:
    html = {"type": "string"}
    return {
        "operationId": "contactFocalPoint", "tags": ["read"],
        "summary": N_("Send a message to the focal point of a practice (the form of its page)."),
        "description": N_(
            "Only when its contact is contactable. The message is relayed by email with the "
            "sender as Reply-To; the focal point's address is never shown. Needs the page's "
            "CSRF token; limited per sender address, per client address and per practice."),
        "parameters": [{"name": "slug", "in": "path", "required": True,
                        "schema": {"type": "string", "pattern": "^[a-z0-9-]{1,220}$"}}],
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "required": ["csrf_token", "name", "email", "message"],
                       "properties": {"csrf_token": html, "name": {"type": "string",
                                                                   "maxLength": 200},
                                      "email": {"type": "string", "format": "email"},
                                      "message": {"type": "string", "maxLength": 5000},
                                      "copy": {"type": "string", "description": "Any value: "
                                               "send the sender a copy."}}}}}},
        "responses": {
            "302": {"description": N_("Sent; back to the practice page.")},
            "400": _ok(N_("The CSRF token is missing or stale."), html, "text/html"),
            "403": _ok(N_("This practice takes no messages."), html, "text/html"),
            "404": _ok(N_("No published practice has this slug."), html, "text/html"),
            "422": _ok(N_("The form again, with each field's problem."), html, "text/html"),
            "429": _ok(N_("Too many messages; the page says when to retry."), html,
                       "text/html")}}


def _submission_links() -> dict[str, Any]:
    """OpenAPI links: what a client (and Schemathesis's stateful phase) can do with a new id."""
    ident = {"id": "$response.body#/id"}
    return {"GetSubmission": {"operationId": "getSubmission", "parameters": ident},
            "UpdateSubmission": {"operationId": "updateSubmission", "parameters": ident},
            "ActOnSubmission": {"operationId": "actOnSubmission", "parameters": ident}}


def _write_paths() -> dict[str, Any]:
    secured: list[dict[str, list[str]]] = [{"bearerToken": []}]
    errors = {"401": _error(N_("No valid bearer token.")),
              "403": _error(N_("This user may not do that.")),
              "404": _error(N_("No such submission visible to this user."))}
    invalid = _error(N_("The record is not valid; `fields` maps keys to messages."))
    not_json = _error(N_("The body is not valid JSON."))
    ident = {"name": "id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
    body = {"required": True, "content": {JSON: {"schema": _ref("CreateInput")}}}
    return {
        "/api/v1/submissions": {"get": {
            "operationId": "listSubmissions", "tags": ["write"], "security": secured,
            "summary": N_("List your submissions; for a reviewer, the review queue and the "
                          "practices they claimed."),
            "parameters": [{"name": "mine", "in": "query", "description": N_(
                "1: a reviewer's own submissions instead of the queue."),
                "schema": {"type": "string", "enum": ["1"]}}],
            "responses": {"200": _ok(N_("The submissions."), _ref("SubmissionList")),
                          "401": errors["401"]}}, "post": {
            "operationId": "createSubmission", "tags": ["write"], "security": secured,
            "summary": N_("Create a draft (or submit it with \"submit\": true)."),
            "requestBody": body,
            "responses": {"201": {**_ok(N_("The new submission with its id."),
                                        _ref("Submission")), "links": _submission_links()},
                          "400": not_json, "401": errors["401"], "403": errors["403"],
                          "422": invalid}}},
        "/api/v1/submissions/{id}": {
            "get": {"operationId": "getSubmission", "tags": ["write"], "security": secured,
                    "summary": N_("Return a submission of yours (or in your review queue)."),
                    "parameters": [ident],
                    "responses": {"200": _ok(N_("The submission."), _ref("Submission")),
                                  **errors}},
            "patch": {"operationId": "updateSubmission", "tags": ["write"],
                      "security": secured, "parameters": [ident],
                      "summary": N_("Change keys of a draft or of a submission returned "
                                    "for changes."),
                      "requestBody": {"required": True, "content": {JSON: {
                          "schema": _ref("RecordInput")}}},
                      "responses": {"200": _ok(N_("The updated submission."), _ref("Submission")),
                                    **errors, "400": not_json,
                                    "409": _error(N_("Not editable in its current state.")),
                                    "422": invalid}}},
        "/api/v1/submissions/{id}/actions": {"post": {
            "operationId": "actOnSubmission", "tags": ["write"], "security": secured,
            "summary": N_("Take a workflow action; the Action schema gives each action's "
                          "body."),
            "parameters": [ident],
            "requestBody": {"required": True, "content": {JSON: {"schema": _ref("Action")}}},
            "responses": {"200": _ok(N_("The submission in its new state."), _ref("Submission")),
                          "201": _ok(N_("propose_update: the new revision."),
                                     _ref("Submission")),
                          **errors, "400": not_json,
                          "409": _error(N_("The action is not possible from this state.")),
                          "422": _error(N_("A required comment, reason or declaration is "
                                           "missing."))}}},
    }


def _with_parameter_errors(paths: dict[str, Any]) -> dict[str, Any]:
    """Document the 400 of every operation with query parameters (kb.views.boundary checks
    them against this document) or a JSON body (which may not parse)."""
    for item in paths.values():
        for operation in item.values():
            if any(p["in"] == "query" for p in operation.get("parameters", [])):
                operation["responses"].setdefault(
                    "400", _error(N_("A parameter is not valid; `fields` names it.")))
            if JSON in operation.get("requestBody", {}).get("content", {}):
                operation["responses"].setdefault(
                    "400", _error(N_("The body is not valid JSON.")))
    return paths


def document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document describing every public and token endpoint."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "GCM Repository of Practices API", "version": "1.0.0",
                 "description": "Read published practices of the Global Compact for Migration "
                                "repository; submit and review them with a bearer token."},
        "servers": [{"url": "/"}],
        "tags": [{"name": "read", "description": "Public, no token."},
                 {"name": "write", "description": "Bearer token of an account."}],
        "paths": _with_parameter_errors({**_read_paths(), **_write_paths(),
                                         **openapi_calls.paths()}),
        "components": {
            "schemas": {**_schemas(), **openapi_calls.schemas()},
            "securitySchemes": {"bearerToken": {
                "type": "http", "scheme": "bearer",
                "description": "A token from the account page or `kb users token EMAIL`."}},
        },
    }
