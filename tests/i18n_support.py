"""Helpers for the language tests: compiled catalogs, fresh extraction, a demo app, page text."""
from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from types import MappingProxyType

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "kb" / "translations"
LOCALES = ("fr", "es")
KEYWORDS = {
    "_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3), "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%%")


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def load_catalog(locale: str) -> Catalog:
    """Read the .po catalog of ``locale``."""
    with po_path(locale).open("rb") as fh:
        return read_po(fh, locale=locale)


def ensure_compiled() -> None:
    """Compile each .po to .mo when the .mo is missing or older (.mo files are not in git)."""
    for locale in LOCALES:
        po, mo = po_path(locale), po_path(locale).with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            catalog = load_catalog(locale)
            with mo.open("wb") as fh:
                write_mo(fh, catalog, use_fuzzy=False)


def extract_messages() -> Catalog:
    """Extract the interface strings from the sources now, with the project's babel.cfg."""
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(ROOT / "babel.cfg"))
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@functools.cache
def english_fragments(locale: str, min_length: int = 12) -> Mapping[str, str]:
    """Map each English interface text a page in ``locale`` must not show to its msgid.

    A message with placeholders contributes its literal pieces; pieces shorter than
    ``min_length``, or that some translation keeps in English on purpose, are left out.
    (Read once per process: the catalogs do not change while the tests run.)
    """
    catalog = [m for m in load_catalog(locale) if m.id]
    kept = normalize(" ".join(s for m in catalog for s in _strings(m.string) if s))
    fragments: dict[str, str] = {}
    for message in catalog:
        ids = _strings(message.id)
        for msgid in ids:
            for piece in PLACEHOLDER.split(msgid):
                piece = normalize(piece or "")
                if len(piece) >= min_length and piece not in kept:
                    fragments[piece] = ids[0]
    return MappingProxyType(fragments)


def _strings(value: str | tuple) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _InterfaceText(HTMLParser):
    """Collect the text and the readable attributes a user meets in the interface language.

    Content whose nearest ``lang`` differs from the page's (a practice's own text, the
    language switcher's "English") is left out: it keeps its language on purpose.
    """

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}
    ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "content")
    # Scripts, styles and code (parameter names, enum values) are in no human language.
    NOT_LANGUAGE = ("script", "style", "code")

    def __init__(self, page_lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_lang = page_lang
        self.stack: list[tuple[str, str]] = []  # (tag, language in effect inside it)
        self.chunks: list[str] = []
        self.skip_tags = 0

    def _lang(self) -> str:
        return self.stack[-1][1] if self.stack else self.page_lang

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        lang = (values.get("lang") or self._lang()).split("-")[0] if tag != "html" \
            else self.page_lang
        if tag in self.NOT_LANGUAGE:
            self.skip_tags += 1
        if lang == self.page_lang:
            self.chunks.extend(values[a] for a in self.ATTRIBUTES if values.get(a))
            if tag in ("input", "button") and values.get("type") in ("submit", "button"):
                self.chunks.append(values.get("value") or "")
        if tag not in self.VOID:
            self.stack.append((tag, lang))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in self.NOT_LANGUAGE:
            self.skip_tags = max(0, self.skip_tags - 1)
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self.skip_tags and self._lang() == self.page_lang:
            self.chunks.append(data)


def reference_chunks(html: str, page_lang: str) -> list[str]:
    """interface_chunks as the standard library's HTML parser reads the page (the plain
    reference interface_chunks is checked against)."""
    parser = _InterfaceText(page_lang)
    parser.feed(html)
    parser.close()
    return [normalize(chunk) for chunk in parser.chunks if chunk.strip()]


# The same reading in one regular expression, a token at a time (the HTML parser's events as
# Python calls cost 2.5 times as much, ~1 s of CPU for the French and Spanish page walks).
# White space before a token is skipped with it: a text of white space alone is no chunk.
_TOKEN = re.compile(r"""
    \s*(?:
      </\s*(?P<end>[a-zA-Z][^\t\n\r\f />\x00]*)[^>]*>
    | <(?P<start>[a-zA-Z][^\t\n\r\f />\x00]*)(?P<attrs>(?:[^>"']|"[^"]*"|'[^']*')*)>
    | (?P<text>[^<\s][^<]*)
    | <!--.*?--> | <[!?][^>]*>
    | (?P<lt><)
    )""", re.S | re.X)
_ATTRIBUTE = re.compile(r"""((?<=['"\s/])[^\s/>][^\s/=>]*)"""
                        r"""(\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?""")
_RAW_TEXT_END = {tag: re.compile(rf"</\s*{tag}\s*>", re.I) for tag in ("script", "style")}
_NOT_LANGUAGE, _VOID = frozenset(_InterfaceText.NOT_LANGUAGE), frozenset(_InterfaceText.VOID)


def interface_chunks(html: str, page_lang: str) -> list[str]:
    """Return each piece of interface text (a text node or a readable attribute), folded.

    Reads as reference_chunks does (_InterfaceText's rules; tests/web/test_i18n_pages.py
    compares the two on the demo's pages).
    """
    stack = [("", page_lang)]  # (tag, language in effect inside it)
    chunks: list[str] = []
    skip, pos, end = 0, 0, len(html)
    while pos < end:
        token = _TOKEN.match(html, pos)
        if token is None:  # white space alone up to the end
            break
        pos, kind = token.end(), token.lastgroup
        if kind in ("text", "lt"):
            if not skip and stack[-1][1] == page_lang:
                chunks.append(unescape(token[kind]))
        elif kind == "end":
            tag = token[kind].lower()
            skip -= bool(skip and tag in _NOT_LANGUAGE)
            _close(stack, tag)
        elif kind in ("start", "attrs"):
            tag, raw = token["start"].lower(), token["attrs"]
            skip += tag in _NOT_LANGUAGE
            inside = _start_tag(tag, raw, stack[-1][1], page_lang, chunks)
            if tag not in _VOID and not raw.endswith("/"):
                stack.append((tag, inside))
                if tag in _RAW_TEXT_END:  # raw text up to its end tag, as the parser reads it
                    closing = _RAW_TEXT_END[tag].search(html, pos)
                    pos = closing.start() if closing else end
    return [normalize(chunk) for chunk in chunks if chunk.strip()]


def _start_tag(tag: str, raw: str, lang: str, page_lang: str, chunks: list[str]) -> str:
    """Add a start tag's readable attributes to chunks; return the language inside it."""
    values = _attributes(raw) if raw else {}
    inside = (values.get("lang") or lang).split("-")[0] if tag != "html" else page_lang
    if inside == page_lang and values:
        chunks.extend(v for name in _InterfaceText.ATTRIBUTES if (v := values.get(name)))
        if tag in ("input", "button") and values.get("type") in ("submit", "button"):
            chunks.append(values.get("value") or "")
    return inside


def _attributes(raw: str) -> dict[str, str | None]:
    """A start tag's attributes as HTMLParser gives them: names folded, values unescaped."""
    values: dict[str, str | None] = {}
    for name, assigned, value in _ATTRIBUTE.findall(" " + raw):
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        values[name.lower()] = (unescape(value) if value else value) if assigned else None
    return values


def _close(stack: list[tuple[str, str]], tag: str) -> None:
    """An end tag closes the innermost open element of its name and all inside it."""
    for i in range(len(stack) - 1, 0, -1):
        if stack[i][0] == tag:
            del stack[i:]
            return


def interface_text(html: str, page_lang: str) -> str:
    """Return the page's interface text (outside other-language content), whitespace folded."""
    return " ".join(interface_chunks(html, page_lang))


def html_lang(html: str) -> str | None:
    match = re.search(r"<html[^>]*\blang=\"([^\"]+)\"", html)
    return match.group(1) if match else None


def make_demo_app(tmp_path: Path, demo_files: Path):
    """Build an app on a copy of the demo repository as `kb init --demo` leaves it, on SQLite
    (``demo_files``: the conftest fixture)."""
    from tests.conftest import copy_files, make_app

    return make_app(tmp_path, copy_files(demo_files, tmp_path))


def dispose(app) -> None:
    """Close the demo app's search index and database connections."""
    from kb import db
    from kb.services import indexing

    with app.app_context():
        indexing.get_index().close()
        db.get_engine().dispose()
