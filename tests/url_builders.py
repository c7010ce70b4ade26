"""Each URL builder compiled once per test process, not once per app.

Building an app compiles two URL-builder functions for each of its ~100 routes (Werkzeug writes
Python code for each and compiles it): ~33 ms of the ~44 ms of CPU create_app takes, and the
suite builds ~50 apps. A builder's code depends only on its rule's text, its parsed parts
(``Rule._trace``), its defaults (those the rule names turned into text by their converters,
``Rule._converters``) and whether it appends unknown arguments; it calls its own rule's
converters at each build, through the rule it is bound to. So ``install()`` wraps Werkzeug's
``Rule._compile_builder`` to compile each such builder once and bind it to every rule alike.
These private Werkzeug names are used here alone (ruff.toml); tests/web/test_shared_app.py
checks that every route builds with a cached builder what a freshly compiled one builds.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter, PathConverter

Builder = Callable[..., tuple[str, str]]
compile_builder = Rule._compile_builder  # Werkzeug's own, the reference
_BUILDERS: dict[tuple[Any, ...], Builder] = {}


def _cached(rule: Rule, append_unknown: bool = True) -> Builder:
    defaults = rule.defaults or {}
    constants = tuple((name, rule._converters[name].to_url(defaults[name]))
                      for dynamic, name in rule._trace if dynamic and name in defaults)
    key = (rule.rule, tuple(rule._trace), repr(sorted(defaults.items())), constants,
           append_unknown)
    if key not in _BUILDERS:
        _BUILDERS[key] = compile_builder(rule, append_unknown)
    return _BUILDERS[key]


def install() -> None:
    Rule._compile_builder = _cached  # type: ignore[method-assign]


def builds(rule: Rule) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """Build ``rule`` with sample values (and an unknown argument), with the builders the rule
    holds and with builders freshly compiled by Werkzeug: [(held, fresh), ...]."""
    values = {name: 7 if isinstance(converter, NumberConverter)
              else "a/b c" if isinstance(converter, PathConverter) else "x y"
              for name, converter in rule._converters.items()
              if name not in (rule.defaults or {})}
    pairs = []
    for append_unknown, held, extra in ((False, rule._build, {}),
                                        (True, rule._build_unknown, {"q": "a&b"})):
        fresh = compile_builder(rule, append_unknown).__get__(rule, None)
        pairs.append((held(**values, **extra), fresh(**values, **extra)))
    return pairs


def held(app: Flask) -> dict[str, list[Builder]]:
    """The builder functions the app's rules hold (unbound), by rule."""
    return {rule.rule: [rule._build.__func__, rule._build_unknown.__func__]  # type: ignore[attr-defined]
            for rule in app.url_map.iter_rules()}
