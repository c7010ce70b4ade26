"""``{% constant %}``: stretches of a template rendered once per language and kept.

Every page's frame (base.html) is mostly translated texts and links to fixed pages: ~30 calls
through Jinja, ~0.2 ms of a page's CPU, the same on every request in a language. A stretch
between ``{% constant %}`` and ``{% endconstant %}`` is rendered the first time it is met for
a (language, site root path) and its markup reused after that; ``{% constant expr %}`` adds
the value of ``expr`` to what it is kept by (``current_user.role``: a navigation per role; the
coverage page's counts: its body is drawn again only when they change).

Only what the key names may vary in such a stretch: its translated texts (the request's
language) and links from url_for to fixed endpoints, without arguments or with constant ones
(built from the site's root path alone, as Flask builds them when subdomains are not
matched). Nothing of a user, a record, a CSRF token or the request's URL goes in one.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, has_request_context, request
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from markupsafe import Markup

from kb.i18n import current_locale

MAX_KEPT = 256
"""Fragments kept per app, the oldest dropped first: the frame's (a handful of stretches x 3
languages x 4 roles) and the coverage page's (~60 KB each, one per language and counts)."""


class ConstantFragments(Extension):
    """The ``constant`` tag (see the module docstring); one store per Jinja environment."""

    tags = {"constant"}

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self.kept: dict[tuple[Any, ...], Markup] = {}
        self._storing = threading.Lock()

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        where = nodes.Const(f"{parser.name}:{lineno}")
        extra = (nodes.Const(None) if parser.stream.current.test("block_end")
                 else parser.parse_expression())
        body = parser.parse_statements(("name:endconstant",), drop_needle=True)
        call = self.call_method("_fragment", [where, extra])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _fragment(self, where: str, extra: Any, caller: Callable[[], Markup]) -> Markup:
        if not has_request_context():
            return caller()
        key = (where, current_locale(), request.script_root, extra)
        found = self.kept.get(key)
        if found is None:
            found = caller()
            with self._storing:  # one thread at a time makes room (threaded servers)
                if len(self.kept) >= MAX_KEPT:
                    del self.kept[next(iter(self.kept))]
                self.kept[key] = found
        return found


def init_app(app: Flask) -> None:
    """Give the app's templates the ``constant`` tag."""
    app.jinja_env.add_extension(ConstantFragments)
