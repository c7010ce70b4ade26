"""Turn user Markdown into safe HTML and sanitized HTML into plain text; the only bleach user.

Sanitizing is bleach's public ``bleach.sanitizer.Cleaner`` (allowed tags, attributes and link
protocols). One bleach name beyond it is used, here only: ``bleach.html5lib_shim.Filter``, the
base class of ``_LinkRelFilter``, which gives every kept link rel="nofollow noopener" and
unwraps a link whose href the Cleaner removed. It is what ``Cleaner(filters=...)`` expects
and what bleach's own documentation of filters subclasses; types-bleach does not list it.

Why not bleach's public link hook, ``bleach.linkifier.LinkifyFilter`` with a callback (tried):
it re-reads character references in all text, so "&amp;lt;" typed by an author shows as "<"
instead of "&lt;", and an unwrapped link's text loses its escaped "<" and ">" and its inline
markup. The filter below changes only the <a> tags.
"""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import bleach
import markdown

# bleach re-exports html5lib's Filter here (see the module docstring).
from bleach.html5lib_shim import Filter  # type: ignore[attr-defined]
from markdown import inlinepatterns as ip

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "em", "strong", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
        "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "a", "hr",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": ["href"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"

# Markdown uses \x02 and \x03 as placeholders for stashed HTML; dropping every C0 control but
# tab and newline also keeps user text from forging those placeholders.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Lone surrogates can arrive from JSON (\ud800) and would break UTF-8 encoding on output.
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_HEADING_LEVELS = {"h1": "h2", "h5": "h4", "h6": "h4"}


def _normalize(text: str) -> str:
    """Normalize newlines and drop control characters and lone surrogates, without stripping."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATES.sub("\ufffd", text)
    return _CONTROL_CHARS.sub("", text)


def clean_text(s: str) -> str:
    """Return a plain-text field value without control characters, with \\n newlines, stripped."""
    return _normalize(s).strip()


class _ShiftHeadings(markdown.treeprocessors.Treeprocessor):
    """Keep headings within h2-h4 (the page owns h1) and turn images into plain links."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag in _HEADING_LEVELS:
                element.tag = _HEADING_LEVELS[element.tag]
            elif element.tag == "img":
                # An image would be stripped silently; a link to it keeps the author's intent.
                src, alt = element.get("src", ""), element.get("alt", "")
                element.attrib.clear()
                element.tag = "a"
                element.set("href", src)
                element.text = alt or src


# python-markdown scans to the end of the block for each "[" or "(" that might open a link,
# which is quadratic: 100 kB of "[" took over an hour. Nesting deeper than this is not a link.
_MAX_LINK_NESTING = 4
_MAX_LINK_DESTINATION = 2048
_BRACKET = re.compile(r"[\[\]]")
_PAREN = re.compile(r"[()]")


def _nesting_end(data: str, index: int, pattern: re.Pattern[str]) -> int | None:
    """Return the index just past the closer that balances an opener before index, or None."""
    depth = 1
    for match in pattern.finditer(data, index):
        depth += 1 if match.group() in "[(" else -1
        if depth == 0:
            return match.end()
        if depth > _MAX_LINK_NESTING:
            return None
    return None


class _BoundedLinks:
    """Give up on over-nested link text or destinations instead of rescanning the block."""

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        end = _nesting_end(data, index, _BRACKET)
        if end is None:
            return "", index, False
        return data[index : end - 1], end, True

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        if not data.startswith("(", index) or _nesting_end(data, index + 1, _PAREN) is None:
            return "", None, index, False
        window = data[index : index + _MAX_LINK_DESTINATION]
        # A mixin: getLink is the LinkInlineProcessor's it is mixed into, unknown to mypy here.
        href, title, end, handled = super().getLink(window, 0)  # type: ignore[misc]
        return href, title, index + end, handled


def _bounded(cls: type) -> type:
    return type(f"Bounded{cls.__name__}", (_BoundedLinks, cls), {})


# Names, patterns and priorities as registered by markdown.inlinepatterns.build_inlinepatterns.
_LINK_PATTERNS = {
    "reference": (_bounded(ip.ReferenceInlineProcessor), ip.REFERENCE_RE, 170),
    "link": (_bounded(ip.LinkInlineProcessor), ip.LINK_RE, 160),
    "image_link": (_bounded(ip.ImageInlineProcessor), ip.IMAGE_LINK_RE, 150),
    "image_reference": (_bounded(ip.ImageReferenceInlineProcessor), ip.IMAGE_REFERENCE_RE, 140),
    "short_reference": (_bounded(ip.ShortReferenceInlineProcessor), ip.REFERENCE_RE, 130),
    "short_image_ref": (
        _bounded(ip.ShortImageReferenceInlineProcessor), ip.IMAGE_REFERENCE_RE, 125
    ),
}


class _SafeMarkdown(markdown.Extension):
    """Disable raw HTML (it is escaped as text) and apply the heading/image tree changes."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        for name, (processor, pattern, priority) in _LINK_PATTERNS.items():
            md.inlinePatterns.register(processor(pattern, md), name, priority)
        md.treeprocessors.register(_ShiftHeadings(md), "kb_shift_headings", 5)


class _LinkRelFilter(Filter):
    """Give every kept link rel="nofollow noopener"; unwrap links whose href was removed."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        open_links: list[bool] = []
        for token in super().__iter__():
            kind, name = token["type"], token.get("name")
            if name == "a" and kind in ("StartTag", "EmptyTag"):
                has_href = (None, "href") in token["data"]
                open_links.append(has_href)
                if not has_href:
                    continue
                token["data"] = {(None, "href"): token["data"][(None, "href")],
                                 (None, "rel"): LINK_REL}
            elif name == "a" and kind == "EndTag" and open_links and not open_links.pop():
                continue
            yield token


_CLEANER = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[_LinkRelFilter],
)


_RENDERERS = threading.local()


def _markdown() -> markdown.Markdown:
    """This thread's Markdown converter: building one costs more than converting a field."""
    md = getattr(_RENDERERS, "md", None)
    if md is None:
        md = _RENDERERS.md = markdown.Markdown(
            extensions=["tables", "fenced_code", "sane_lists", _SafeMarkdown()],
            output_format="html",
        )
    return md


def render_markdown(text: str) -> str:
    """Render user Markdown to sanitized HTML that may be marked safe in templates."""
    md = _markdown()
    try:
        html = md.convert(_normalize(text))
    finally:
        md.reset()  # no reference definition or state carries over to the next text
    return _CLEANER.clean(html)


_BLOCK_TAGS = frozenset(
    {
        "p", "div", "br", "hr", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "pre", "table", "thead", "tbody", "tfoot", "tr", "section", "article",
        "header", "footer", "dl", "dt", "dd", "figure", "figcaption", "address",
    }
)  # fmt: skip
_WHITESPACE = re.compile(r"\s+")
_CELL_TAGS = frozenset({"td", "th"})
_SKIP_TAGS = frozenset({"script", "style", "template"})


class _TextExtractor(HTMLParser):
    """Collect text as a browser lays it out: blocks on their own lines, cells spaced apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._depth = {"pre": 0, "skip": 0}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._track(tag, 1)
        self._boundary(tag)

    def handle_endtag(self, tag: str) -> None:
        self._track(tag, -1)
        self._boundary(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._boundary(tag)

    def handle_data(self, data: str) -> None:
        if not self._depth["skip"]:
            # Source newlines are layout only, except inside <pre>.
            self.parts.append(data if self._depth["pre"] else _WHITESPACE.sub(" ", data))

    def _track(self, tag: str, step: int) -> None:
        key = "pre" if tag == "pre" else "skip" if tag in _SKIP_TAGS else None
        if key:
            self._depth[key] = max(0, self._depth[key] + step)

    def _boundary(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" ")


def html_to_text(html: str) -> str:
    """Return the text of sanitized HTML: a line per block, entities unescaped, spaces collapsed."""
    parser = _TextExtractor()  # convert_charrefs=True unescapes entities exactly once
    parser.feed(html)
    parser.close()
    text = _normalize("".join(parser.parts))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# XML 1.0 allows tab, newline, CR and the planes minus surrogates and U+FFFE/U+FFFF; the other
# C0 controls, DEL and the C1 controls (allowed but discouraged) go too.
_NOT_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Return ``text`` without the characters an XML 1.0 document may not carry."""
    return _NOT_XML.sub("", text)
