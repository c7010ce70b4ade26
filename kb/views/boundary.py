"""What a request is allowed to be before any view sees it (installed by kb.views.init_app).

- ``<int:...>`` in a route takes only ids a database row can have (at most 2**63 - 1): a
  20-digit id is a 404 rather than an overflow in the database driver.
- JSON nested too deeply for the parser is a 400 like any other malformed JSON.
- A chunked body over MAX_CONTENT_LENGTH is a 413, not a truncated body.
- NUL characters never reach a view from a form: PostgreSQL cannot store them and no person
  types them.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

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

    def get_data(self, cache: bool = True, as_text: bool = False,  # type: ignore[override]
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


def init_app(app: Flask) -> None:
    """Install the bounded ids, the JSON provider and the request class (before routes)."""
    app.url_map.converters["int"] = RowIdConverter
    app.json = JSONProvider(app)
    app.request_class = KbRequest
