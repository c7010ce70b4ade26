"""The language links of a page equal what url_for builds from the page's own arguments."""
from __future__ import annotations

import random
from typing import Any
from urllib.parse import quote

from flask import request, url_for

from kb.i18n import lang_url


def _reference(code: str, external: bool = False) -> str:
    """The plain definition: url_for(endpoint, **view_args, **args with lang=code)."""
    args = request.args.copy()
    args["lang"] = code
    endpoint = request.endpoint if request.url_rule is not None and request.method == "GET" \
        else None
    if endpoint is None:
        return url_for("public.home", lang=code, _external=external)
    values: dict[str, Any] = {**(request.view_args or {}), **args.to_dict(flat=False)}
    return url_for(endpoint, _external=external, **values)


NAMES = ["q", "objective", "region", "lang", "page", "sort", "slug", "x y", "é", "a&b", "lang"]
VALUES = ["fr", "3", "", "migrants' rights", "<script>", "a=b&c", "100%", "é/ü?#", " ", "+"]


def _queries(count: int) -> list[str]:
    rng = random.Random(12)
    queries = ["", "lang=es", "q=x&lang=fr&lang=en&q=y", "lang=&lang=fr"]
    for _ in range(count):
        pairs = [(rng.choice(NAMES), rng.choice(VALUES)) for _ in range(rng.randint(0, 6))]
        queries.append("&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs))
    return queries


def test_language_links_equal_url_for_on_any_query(app):
    paths = ["/practices", "/practices/some-practice", "/about", "/no-such-page",
             "/practices/%C3%A9t%C3%A9"]
    for path in paths:
        for query in _queries(60):
            for method in ("GET", "POST"):
                with app.test_request_context(f"{path}?{query}", method=method,
                                              base_url="https://kb.example.org/root/"):
                    for code in ("en", "fr", "es"):
                        for external in (False, True):
                            assert lang_url(code, external) == _reference(code, external), \
                                (path, query, method, code, external)


def test_each_request_gets_its_own_links_inside_one_app_context(app):
    with app.app_context():  # request contexts pushed inside share the app context (and g)
        for query in ("q=a", "q=b&lang=fr", ""):
            with app.test_request_context(f"/practices?{query}"):
                assert lang_url("es") == _reference("es")
