"""The user's query language: a small, total parser from any string to a query tree.

Grammar: words are AND-ed; ``"a phrase"``; ``OR``; ``AND``; ``NOT x`` and ``-x``; ``(...)``;
``pre*`` (at least 2 characters before ``*``); ``title:word`` / ``title:"a phrase"``. Any
other ``field:`` is read as plain words. Nothing raises: unbalanced quotes and parentheses are
closed or dropped, lone operators are ignored, control characters become spaces, and the input
is cut at MAX_QUERY characters.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kb.search.analysis import STOPWORDS, fold, words
from kb.search.results import Notice

MAX_QUERY = 256
MAX_DEPTH = 16
MIN_PREFIX = 2
FIELD_ALLOWLIST = frozenset({"title"})


@dataclass(frozen=True)
class Word:
    """A word; ``lang`` limits it to one language's fields, ``weight`` scales its score
    (both set only on the alternatives a query is widened with, kb.search.expand)."""

    text: str
    title_only: bool = False
    lang: str | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class Phrase:
    text: str
    title_only: bool = False
    lang: str | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class Prefix:
    text: str
    title_only: bool = False


@dataclass(frozen=True)
class And:
    children: tuple


@dataclass(frozen=True)
class Or:
    children: tuple


@dataclass(frozen=True)
class Not:
    child: object


@dataclass(frozen=True)
class ParsedQuery:
    node: object | None
    text: str
    notices: tuple[Notice, ...] = ()


_TOKEN = re.compile(
    r'(?P<fphrase>(?P<fp>\w+):"(?P<fptext>[^"]*)"?)'
    r'|(?P<phrase>"(?P<ptext>[^"]*)"?)'
    r"|(?P<paren>[()])"
    r"|(?P<neg>-(?=[^\s\-]))"
    r'|(?P<word>[^\s()"]+)'
)


def clean(q: str) -> tuple[str, tuple[Notice, ...]]:
    """Return q without control characters and cut to MAX_QUERY characters, with a notice."""
    notices: tuple[Notice, ...] = ()
    if len(q) > MAX_QUERY:
        q = q[:MAX_QUERY]
        notices = (Notice("query_shortened", (("limit", MAX_QUERY),)),)
    q = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in q)
    return q.strip(), notices


def _lex(q: str) -> list[tuple[str, object]]:
    tokens: list[tuple[str, object]] = []
    for m in _TOKEN.finditer(q):
        if m.group("fphrase"):
            field = m.group("fp").lower()
            if field in FIELD_ALLOWLIST:
                tokens.append(("leaf", Phrase(m.group("fptext"), True)))
            else:
                tokens.append(("leaf", Phrase(f"{m.group('fp')} {m.group('fptext')}")))
        elif m.group("phrase"):
            tokens.append(("leaf", Phrase(m.group("ptext"))))
        elif m.group("paren"):
            tokens.append((m.group("paren"), None))
        elif m.group("neg"):
            tokens.append(("NOT", None))
        else:
            tokens.append(_word_token(m.group("word")))
    return tokens


def _word_token(raw: str) -> tuple[str, object]:
    if raw in ("AND", "OR", "NOT"):
        return raw, None
    if raw in ("&&",):
        return "AND", None
    if raw in ("||",):
        return "OR", None
    title_only = False
    field, sep, rest = raw.partition(":")
    if sep and field.lower() in FIELD_ALLOWLIST and rest:
        title_only, raw = True, rest
    if raw.endswith("*"):
        stem = raw.rstrip("*")
        if len(stem) >= MIN_PREFIX and re.fullmatch(r"\w+", stem):
            return "leaf", Prefix(fold(stem), title_only)
    return "leaf", Word(raw, title_only)


class _Parser:
    def __init__(self, tokens: list[tuple[str, object]]):
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        self.repaired = False

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def parse(self) -> object | None:
        nodes = []
        while self.peek() is not None:
            node = self.parse_or()
            if node is not None:
                nodes.append(node)
            if self.peek() == ")":
                self.repaired = True
                self.i += 1
        return _and(nodes)

    def parse_or(self) -> object | None:
        alternatives = []
        while True:
            node = self.parse_and()
            if node is not None:
                alternatives.append(node)
            if self.peek() != "OR":
                break
            self.i += 1
        if len(alternatives) == 1:
            return alternatives[0]
        return Or(tuple(alternatives)) if alternatives else None

    def parse_and(self) -> object | None:
        items = []
        while self.peek() not in (None, ")", "OR"):
            if self.peek() == "AND":
                self.i += 1
                continue
            node = self.parse_unary()
            if node is not None:
                items.append(node)
        return _and(items)

    def parse_unary(self) -> object | None:
        negations = 0
        while self.peek() == "NOT":
            negations += 1
            self.i += 1
        if self.peek() in (None, ")", "OR", "AND"):
            self.repaired = self.repaired or negations > 0
            return None
        node = self.parse_primary()
        if node is None or negations % 2 == 0:
            return node
        return Not(node)

    def parse_primary(self) -> object | None:
        kind, value = self.tokens[self.i]
        self.i += 1
        if kind == "leaf":
            return value
        # kind == "(": nested group, flattened beyond MAX_DEPTH to bound recursion.
        if self.depth >= MAX_DEPTH:
            self.repaired = True
            return None
        self.depth += 1
        node = self.parse_or()
        self.depth -= 1
        if self.peek() == ")":
            self.i += 1
        else:
            self.repaired = True
        return node


def _and(nodes: list) -> object | None:
    if not nodes:
        return None
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))


def parse(q: str) -> ParsedQuery:
    """Parse a user query string into a query tree; never raises."""
    text, notices = clean(q or "")
    if not text:
        return ParsedQuery(None, "", notices)
    parser = _Parser(_lex(text))
    try:
        node = parser.parse()
    except Exception:  # noqa: BLE001  last resort (parse never raises): a defect -> plain words
        node = _and([Word(w) for w in words(text)])
        parser.repaired = True
    if parser.repaired:
        notices += (Notice("operators_repaired"),)
    return ParsedQuery(node, text, notices)


def has_positive_terms(node: object | None) -> bool:
    """Return whether the tree contains a term that is not under a NOT."""
    if node is None or isinstance(node, Not):
        return False
    if isinstance(node, And | Or):
        return any(has_positive_terms(c) for c in node.children)
    if isinstance(node, Word | Phrase | Prefix):
        return any(fold(w) not in STOPWORDS for w in words(node.text))
    return False
