"""The OpenAPI paths and schemas of calls for practices and featured collections."""
from __future__ import annotations

from typing import Any

from kb.i18n import N_

JSON = "application/json"
SLUG = {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$", "maxLength": 80}
DATE = {"type": "string", "format": "date"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _ok(description, _ref("Error"))


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def schemas() -> dict[str, Any]:
    """Return the component schemas of calls and collections."""
    text = {"type": "string"}
    objectives = {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 23}}
    call_input = {"title": {"type": "string", "maxLength": 200},
                  "description": {"type": "string", "description": N_("Markdown: who may "
                                  "submit, criteria.")},
                  "objectives": objectives, "opens_on": DATE, "closes_on": DATE,
                  "contact": {"type": "string", "description": N_("A public email address.")}}
    item = {"type": "object", "required": ["practice", "title", "url"], "properties": {
        "practice": text, "note": _nullable(text), "title": text, "implemented_by": text,
        "outcome": {"type": "string", "description": N_("The curator's note, else the "
                    "practice's outcome.")},
        "objectives": objectives, "countries": {"type": "array", "items": text},
        "url": text, "hidden_reason": _nullable(text)}}
    collection = {"type": "object",
                  "required": ["slug", "title", "intro", "intro_html", "published", "items",
                               "url"],
                  "properties": {"slug": text, "title": text, "intro": text, "intro_html": text,
                                 "published": {"type": "boolean"},
                                 "published_at": _nullable({"type": "string",
                                                            "format": "date-time"}),
                                 "items": {"type": "array", "items": item}, "url": text}}
    return {
        "CallInput": {"type": "object", "properties": {"slug": SLUG, **call_input},
                      "description": N_("Writable keys of a call; POST needs title, opens_on "
                                     "and closes_on; the slug cannot change.")},
        "Call": {"type": "object",
                 "required": ["slug", "title", "objectives", "opens_on", "closes_on", "status",
                              "url", "submit_url"],
                 "properties": {"slug": text, **call_input, "description_html": text,
                                "closed_early_on": _nullable(DATE),
                                "status": {"type": "string",
                                           "enum": ["upcoming", "open", "closed"]},
                                "days_left": _nullable({"type": "integer", "minimum": 0}),
                                "url": text, "submit_url": text,
                                "practices": {"type": "array", "items": {
                                    "type": "object", "required": ["slug", "title", "url"],
                                    "properties": {"slug": text, "title": text,
                                                   "url": text}}}}},
        "CallList": {"type": "object", "required": ["total", "results"],
                     "properties": {"total": {"type": "integer", "minimum": 0},
                                    "results": {"type": "array", "items": _ref("Call")}}},
        "CollectionInput": {
            "type": "object",
            "properties": {"slug": SLUG, "title": {"type": "string", "maxLength": 200},
                           "intro": {"type": "string", "description": N_("Markdown.")},
                           "published": {"type": "boolean"},
                           "items": {"type": "array", "maxItems": 100, "items": {
                               "type": "object", "required": ["practice"],
                               "properties": {"practice": {"type": "string",
                                                           "description": N_("Slug of a "
                                                           "published practice.")},
                                              "note": {"type": "string",
                                                       "maxLength": 300}}}}},
            "description": N_("items replaces the whole ordered list.")},
        "Collection": collection,
        "CollectionList": {"type": "object", "required": ["total", "results"],
                           "properties": {"total": {"type": "integer", "minimum": 0},
                                          "results": {"type": "array",
                                                      "items": _ref("Collection")}}},
    }


def paths() -> dict[str, Any]:
    """Return the read and admin-write paths of calls and collections."""
    slug = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
    secured: list[dict[str, list[str]]] = [{"bearerToken": []}]
    write_errors = {"401": _error(N_("No valid bearer token.")),
                    "403": _error(N_("Only administrators may do that.")),
                    "422": _error(N_("The body is not valid; `fields` names each key."))}

    def body(name: str) -> dict[str, Any]:
        return {"required": True, "content": {JSON: {"schema": _ref(name)}}}

    return {
        "/api/v1/calls": {
            "get": {"operationId": "listCalls", "tags": ["read"],
                    "summary": N_("List calls for practices: open, then upcoming, then closed."),
                    "responses": {"200": _ok(N_("Every call."), _ref("CallList"))}},
            "post": {"operationId": "createCall", "tags": ["write"], "security": secured,
                     "summary": N_("Open a call (admin token)."), "requestBody": body("CallInput"),
                     "responses": {"201": _ok(N_("The new call."), _ref("Call")),
                                   **write_errors}}},
        "/api/v1/calls/{slug}": {
            "get": {"operationId": "getCall", "tags": ["read"], "parameters": [slug],
                    "summary": N_("Return a call and the published practices answering it."),
                    "responses": {"200": _ok(N_("The call."), _ref("Call")),
                                  "404": _error(N_("No call has this slug."))}},
            "patch": {"operationId": "updateCall", "tags": ["write"], "security": secured,
                      "parameters": [slug], "summary": N_("Change a call (admin token)."),
                      "requestBody": body("CallInput"),
                      "responses": {"200": _ok(N_("The changed call."), _ref("Call")),
                                    "404": _error(N_("No call has this slug.")), **write_errors}}},
        "/api/v1/collections": {
            "get": {"operationId": "listCollections", "tags": ["read"],
                    "summary": N_("List published featured collections, newest first."),
                    "responses": {"200": _ok(N_("Published collections."),
                                             _ref("CollectionList"))}},
            "post": {"operationId": "createCollection", "tags": ["write"],
                     "security": secured, "summary": N_("Create a collection (admin token)."),
                     "requestBody": body("CollectionInput"),
                     "responses": {"201": _ok(N_("The new collection."), _ref("Collection")),
                                   **write_errors}}},
        "/api/v1/collections/{slug}": {
            "get": {"operationId": "getCollection", "tags": ["read"], "parameters": [slug],
                    "summary": N_("Return a published collection: its published practices in "
                               "order."),
                    "responses": {"200": _ok(N_("The collection."), _ref("Collection")),
                                  "404": _error(N_("No published collection has this slug."))}},
            "patch": {"operationId": "updateCollection", "tags": ["write"],
                      "security": secured, "parameters": [slug],
                      "summary": N_("Change a collection; items replaces the list (admin token)."),
                      "requestBody": body("CollectionInput"),
                      "responses": {"200": _ok(N_("The changed collection."), _ref("Collection")),
                                    "404": _error(N_("No collection has this slug.")),
                                    **write_errors}}},
        "/calls/feed.atom": {"get": {
            "operationId": "getCallsFeed", "tags": ["read"],
            "summary": N_("Atom feed of calls for practices."),
            "responses": {"200": {"description": N_("An Atom 1.0 feed."), "content": {
                "application/atom+xml": {"schema": {"type": "string"}}}}}}},
    }
