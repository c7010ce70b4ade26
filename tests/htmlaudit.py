"""Audit HTML fragments rendered from user content for markup that could run script."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements that run script, load active content, change the document's base or submit data,
# or whose raw-text parsing enables mutation XSS.
DANGEROUS_TAGS = frozenset(
    {
        "script", "iframe", "object", "embed", "svg", "math", "style", "link", "meta",
        "base", "form", "frame", "frameset", "applet", "template", "noscript", "noembed",
        "noframes", "xmp", "plaintext", "portal", "xml", "import",
    }
)  # fmt: skip
# Attributes whose value a browser may load or navigate to as a URL.
URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "action", "formaction", "xlink:href", "data", "background",
        "poster", "lowsrc", "dynsrc", "codebase", "cite", "longdesc", "ping", "manifest",
    }
)  # fmt: skip
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# Browsers ignore ASCII whitespace and control characters in and around a URL's scheme.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME_END = re.compile(r"[:/?#]")


def url_scheme(value: str) -> str | None:
    """Return the lower-cased scheme a browser would see in an (already unescaped) URL."""
    cleaned = _IGNORED_IN_URL.sub("", value)
    end = _SCHEME_END.search(cleaned)
    if end is None or end.group() != ":":
        return None  # relative URL
    return cleaned[: end.start()].lower()


class _Auditor(HTMLParser):
    """Record each problem found while parsing."""

    def __init__(self) -> None:
        # convert_charrefs and attribute parsing unescape entities as a browser does.
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS or ":" in tag:
            self.problems.append(f"<{tag}>: script-capable element")
        for name, value in attrs:
            problem = _attribute_problem(name, value or "")
            if problem:
                self.problems.append(f"<{tag} {name}={value!r}>: {problem}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def _attribute_problem(name: str, value: str) -> str | None:
    """Return why an attribute is unsafe, or None."""
    if name.startswith("on"):
        return "event handler attribute"
    if name == "style":
        return "style attribute"
    if name == "srcdoc":
        return "srcdoc attribute"
    if name in URL_ATTRIBUTES:
        scheme = url_scheme(value)
        if scheme is not None and scheme not in SAFE_SCHEMES:
            return f"URL scheme {scheme!r} is not http, https, mailto or relative"
    return None


def audit_html(html: str) -> list[str]:
    """Return the problems in an HTML fragment rendered from user content; [] means none found.

    Flags event handlers (on*), style attributes, srcdoc, script-capable or namespaced
    elements, and URL attributes whose scheme is not http, https, mailto or relative.
    """
    auditor = _Auditor()
    auditor.feed(html)
    auditor.close()
    return auditor.problems
