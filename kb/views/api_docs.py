"""The /api page: the OpenAPI document rendered for people, without external assets."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import render_template, url_for
from flask_babel import gettext
from markupsafe import Markup

from kb.i18n import current_locale
from kb.views import openapi
from kb.views.public import bp

METHODS = ("get", "post", "patch", "put", "delete")


def type_of(schema: dict[str, Any] | None) -> str:
    """Return a short readable type for a JSON schema ("array of integer", "Practice"...).

    JSON Schema's own type names (integer, string...) stay as they are, like parameter names.
    """
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return gettext(" or ").join(type_of(s) for s in schema["anyOf"])
    if "allOf" in schema:
        return " + ".join(type_of(s) for s in schema["allOf"])
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = gettext(" or ").join(kind)
    if kind == "array":
        return gettext("array of %(type)s", type=type_of(schema.get("items")))
    return kind


def constraints(schema: dict[str, Any] | None) -> Markup:
    """Return the allowed values (as code) or bounds of a parameter schema, readably."""
    schema = schema or {}
    if schema.get("type") == "array":
        schema = schema.get("items") or {}
    if "enum" in schema:
        values = [Markup("<code>%s</code>") % v for v in schema["enum"]]
        shown = Markup(", ").join(values[:12])
        more = gettext("%(num)d values", num=len(values))
        return shown + (Markup(" … (%s)") % more if len(values) > 12 else "")
    bounds = [f"{name} {schema[key]}" for key, name in (("minimum", "≥"), ("maximum", "≤"),
                                                         ("maxLength", gettext("length ≤")))
              if key in schema]
    return Markup(", ").join(bounds)


def describe(text: str | None) -> str:
    """Return a description of the OpenAPI document in the interface language."""
    if not text:
        return ""
    if text.endswith(" " + openapi.REPEATABLE):
        return f"{gettext(text[:-len(openapi.REPEATABLE) - 1])} {gettext(openapi.REPEATABLE)}"
    return gettext(text)


def located_in(where: str) -> str:
    """Return where a parameter goes (query, path, header), in the interface language."""
    return {"query": gettext("query string"), "path": gettext("path"),
            "header": gettext("header")}.get(where, where)


@bp.get("/api")
def api_docs():
    reference = _reference(current_locale(), url_for("api.openapi_document"))
    return render_template("public/api.html", reference=reference)


@lru_cache(maxsize=32)
def _reference(locale: str, document_url: str) -> Markup:
    """Return the page's body in the interface language ``locale``, linking the document at
    ``document_url``. It is made of constants (the OpenAPI document, the catalogs), and
    rendering it took ~40 ms: each language's is rendered once per process."""
    doc = openapi.document()
    operations = [(path, method, op) for path, item in doc["paths"].items()
                  for method, op in item.items() if method in METHODS]
    return Markup(render_template("public/api_reference.html", doc=doc, operations=operations,
                                  document_url=document_url, type_of=type_of,
                                  constraints=constraints, describe=describe,
                                  located_in=located_in))
