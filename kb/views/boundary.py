"""What a request is allowed to be before any view sees it (installed by kb.views.init_app).

- ``<int:...>`` in a route takes only ids a database row can have (at most 2**63 - 1): a
  20-digit id is a 404 rather than an overflow in the database driver.
- JSON nested too deeply for the parser is a 400 like any other malformed JSON.
- A chunked body over MAX_CONTENT_LENGTH is a 413, not a truncated body.
- A query parameter of an operation of the OpenAPI document is checked against the document.
- NUL characters never reach a view from a form: PostgreSQL cannot store them and no person
  types them.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal, overload

from flask import Flask, Request, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from kb.errors import BadParameters
from kb.services.messages import _

MAX_ROW_ID = 2**63 - 1


class RowIdConverter(IntegerConverter):
    """The default ``int`` converter: an id no database row can have is a 404.

    (Not ``max=``: Werkzeug then answers 405 to the other methods of the same path.)
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ROW_ID:
            raise NotFound()
        return number


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, with a body nested past the recursion limit treated as malformed."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


class KbRequest(Request):
    """A request whose form values carry no NUL characters and whose streamed body is never
    silently cut at MAX_CONTENT_LENGTH."""

    @overload
    def get_data(self, cache: bool = True, as_text: Literal[False] = False,
                 parse_form_data: bool = False) -> bytes: ...

    @overload
    def get_data(self, cache: bool = True, as_text: Literal[True] = ...,
                 parse_form_data: bool = False) -> str: ...

    def get_data(self, cache: bool = True, as_text: bool = False,
                 parse_form_data: bool = False) -> bytes | str:
        data = super().get_data(cache=cache, parse_form_data=parse_form_data)
        limit = self.max_content_length
        if limit is not None and self.content_length is None and len(data) >= limit:
            # A chunked body: Werkzeug's stream stops at the limit without a word; asking for
            # one more byte makes it raise 413 (Request Entity Too Large).
            self.stream.read(1)
        return data.decode(errors="replace") if as_text else data

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form and any("\x00" in key or "\x00" in value
                        for key, value in form.items(multi=True)):
            self.__dict__["form"] = ImmutableMultiDict(
                [(key.replace("\x00", ""), value.replace("\x00", ""))
                 for key, value in form.items(multi=True)])


def whole_number(raw: str | None, maximum: int = MAX_ROW_ID) -> int | None:
    """Return the query value ``raw`` as an int from 1 to ``maximum``, else None.

    Only ASCII digits count: "²" and "١" are digits to str.isdigit() but not numbers to int().
    """
    if not raw or not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(maximum)):
        return None
    value = int(raw)
    return value if 1 <= value <= maximum else None


@lru_cache(maxsize=1)
def _documented_queries() -> list[tuple[re.Pattern[str], str, dict[str, dict[str, Any]]]]:
    """(path regex, method, {query parameter: schema}) of each operation of the OpenAPI
    document."""
    from kb.views import openapi

    found = []
    for path, item in openapi.document()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path)) + "$")
        for method, operation in item.items():
            params = {p["name"]: p["schema"] for p in operation.get("parameters", [])
                      if p["in"] == "query"}
            found.append((pattern, method.upper(), params))
    return found


def _value_problem(raw: str, schema: dict[str, Any]) -> str | None:
    if "enum" in schema and raw not in [str(v) for v in schema["enum"]]:
        choices = [str(v) for v in schema["enum"]]
        if len(choices) <= 8:  # Short lists are worth naming; taxonomy codes are not.
            return _("One of %(choices)s.", choices=", ".join(choices))
        return _("Not one of the allowed values.")
    if schema.get("type") == "integer":
        number = raw[1:] if raw.startswith("-") else raw
        if not (number.isascii() and number.isdigit()) or len(number) > 19:
            return _("A whole number is expected.")
        value = int(raw)
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            return _("Out of range.")
    if len(raw) > schema.get("maxLength", len(raw)):
        return _("Too long.")
    return None


def check_documented_query() -> None:
    """Refuse (400, naming it) a query parameter the OpenAPI document says is not valid.

    The document is the declaration: a value outside its enum or bounds, or a single-valued
    parameter given twice, is refused the way the document promises, for every operation it
    lists (the JSON API and the feed).
    """
    errors: dict[str, list[str]] = {}
    asked, path = request.method, request.path  # read once: each is a context lookup
    for pattern, method, params in _documented_queries():
        if method != asked or not pattern.match(path):
            continue
        for name, schema in params.items():
            values = request.args.getlist(name)
            if not values:
                continue
            if schema.get("type") == "array":
                problems = [_value_problem(v, schema.get("items", {})) for v in values]
            elif len(values) > 1:
                problems = [_("Give this parameter once.")]
            else:
                problems = [_value_problem(values[0], schema)]
            if any(problems):
                errors[name] = [next(p for p in problems if p)]
        break
    if errors:
        raise BadParameters(_("Some parameters are not valid."), errors)


def init_app(app: Flask) -> None:
    """Install the bounded ids, the JSON provider, the request class (before routes) and the
    check of documented query parameters."""
    app.url_map.converters["int"] = RowIdConverter
    app.json = JSONProvider(app)
    app.request_class = KbRequest
    app.before_request(check_documented_query)
