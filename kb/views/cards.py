"""A practice's card (search results, related practices, the home page, a call's answers).

Built in Python: a search page shows twenty cards, and as a template include each cost about
two dozen calls through Jinja (labels, translations, its URL), ~0.1 ms a card. This writes
the same markup (the include's, blank lines included) with every text escaped, for a search
hit (``highlights`` holds marked, already escaped title, summary and snippets) or a Practice
row. Templates call ``practice_card(p)``; its texts are in the language of the render.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app, url_for
from flask_babel import get_translations
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

from kb import taxonomy
from kb.i18n import N_, current_locale
from kb.views.labels import escaped_label

SNIPPET_LABELS = {"description": N_("Description"), "outcome": N_("Outcome"),
                  "results": N_("Results"), "lessons": N_("Lessons learned and pitfalls"),
                  "implemented_by": N_("Implemented by"), "partners": N_("Partners")}
"""The label of each field a hit's snippet may come from."""
OBJECTIVES_LABEL = N_("GCM objectives")
_PLAIN_SLUG = re.compile(r"[A-Za-z0-9_.~-]+")
"""Characters Werkzeug's path converter does not quote."""
SUMMARY_LENGTH = 300


class CardWriter:
    """Writes cards in one language; made for each render (a context processor)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self._texts: dict[str, Markup] = {}
        self._prefix: str | None = None  # a practice page's path, up to its slug

    def _(self, msgid: str) -> Markup:
        """Return the translation as trusted markup, as the templates' gettext does."""
        text = self._texts.get(msgid)
        if text is None:
            text = Markup(get_translations().ugettext(msgid))
            self._texts[msgid] = text = text % {} if "%" in text else text
        return text

    def _label(self, facet: str, code: taxonomy.Code) -> str:
        return escaped_label(taxonomy.label(facet, code, self.locale))

    def _url(self, slug: str) -> str:
        """Return url_for("public.practice", slug=slug): for a slug the route's converter
        leaves as it is (any generated one), the path before it is built once a render."""
        if self._prefix is None:
            built = url_for("public.practice", slug="x")
            self._prefix = built[:-1] if built.endswith("/x") else ""
        if self._prefix and _PLAIN_SLUG.fullmatch(slug):
            return self._prefix + slug
        return url_for("public.practice", slug=slug)

    def __call__(self, p: Any) -> Markup:
        hit = hasattr(p, "highlights")
        objectives = p.objective if hit else p.objectives
        regions = p.region if hit else p.regions
        countries = p.country if hit else p.countries
        lang = f' lang="{escape(p.language)}"' if p.language in taxonomy.ENDONYMS else ""
        highlights = p.highlights if hit else {}
        title = Markup(highlights["title"]) if highlights.get("title") else escape(p.title)
        summary = (Markup(highlights["summary"]) if highlights.get("summary") else
                   escape(do_truncate(current_app.jinja_env, p.summary, SUMMARY_LENGTH)))
        snippets = "".join(
            f'<p class="card-snippet"><span class="snippet-field">'
            f'{self._(SNIPPET_LABELS[name]) if name in SNIPPET_LABELS else escape(name)}:'
            f'</span> <span{lang}>{Markup(snippet)}</span></p>'
            for name, snippet in highlights.items() if name not in ("title", "summary"))
        badges = "".join(
            f'<li class="badge" title="{self._label("objective_title", o)}">{escape(o)} · '
            f'{self._label("objective", o)}</li>' for o in objectives)
        url = escape(self._url(p.slug))
        meta = []
        if p.level:
            meta.append(f"<span>{self._label('level', p.level)}</span>")
        meta.append("\n    ")
        if countries:
            meta.append(f"<span>{', '.join(self._label('country', c) for c in countries)}"
                        f"</span>\n    ")
        elif regions:
            meta.append(f"<span>{', '.join(self._label('region', r) for r in regions)}</span>")
        meta.append("\n    ")
        if p.start_year:
            end = (f"–{escape(p.end_year)}" if p.end_year and p.end_year != p.start_year
                   else "" if p.end_year else "–")
            meta.append(f"<span>{escape(p.start_year)}{end}</span>")
        return Markup(
            f'\n\n\n\n\n\n<article class="card">\n'
            f'  <h3 class="card-title"{lang}><a href="{url}">{title}</a></h3>\n'
            f'  <p class="card-summary"{lang}>{summary}</p>\n'
            f'  {snippets}\n'
            f'  <ul class="badges" aria-label="{self._(OBJECTIVES_LABEL)}">\n'
            f'    {badges}\n'
            f'  </ul>\n'
            f'  <p class="card-meta">\n'
            f'    {"".join(meta)}\n'
            f'  </p>\n'
            f'</article>')


def _card_writer() -> dict[str, CardWriter]:
    return {"practice_card": CardWriter(current_locale())}


def init_app(app: Flask) -> None:
    """Give every template ``practice_card``."""
    app.context_processor(_card_writer)
