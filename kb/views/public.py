"""Public pages: home, practice pages and the other read-only views anyone may open."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, make_response, render_template, session, url_for
from sqlalchemy import select

from kb import db, taxonomy
from kb.i18n import current_locale
from kb.models import Practice
from kb.search import SearchRequest
from kb.services import indexing
from kb.services import practices as practice_service
from kb.views import living as living_views
from kb.views.caching import conditional, etag_for

bp = Blueprint("public", __name__)
RELATED = 5


@bp.get("/")
def home():
    # Tile counts are the search's facet counts, so a tile's number is what its click returns.
    results = indexing.get_index().search(SearchRequest(per_page=1))
    counts = {name: {fc.value: fc.count for fc in results.facets.get(name, [])}
              for name in ("objective", "region")}
    newest = db.get_session().scalars(
        select(Practice).where(Practice.is_public)
        .order_by(Practice.published_at.desc(), Practice.id.desc()).limit(6)).all()
    regions = [(code, counts["region"].get(code, 0)) for code, _ in taxonomy.choices("region")]
    return render_template("public/home.html", objectives=taxonomy.OBJECTIVES,
                           objective_counts=counts["objective"], regions=regions,
                           newest=newest, total=results.total)


@bp.get("/practices/<slug>")
def practice(slug: str):
    item = practice_service.get_published(slug, include_archived=True)
    return render_practice(item)


def render_practice(item: Practice, status: int = 200, **forms: Any) -> Response:
    """Render a practice page; ``forms`` carry a contact or update form that has errors."""
    index = indexing.get_index()
    related = index.related(item.id, RELATED) if item.is_public else []
    flashed = bool(session.get("_flashes"))
    extras = living_views.practice_page_extras(item, **forms)
    html = render_template(
        "public/practice.html", practice=item, related=related, json_ld=_json_ld(item),
        kosovo_footnote=(taxonomy.KOSOVO_FOOTNOTE
                         if taxonomy.needs_kosovo_footnote(item.countries) else None), **extras)
    if status != 200:
        return make_response(html, status)
    # The review notice moves with the clock, a contact form carries the session's CSRF token
    # and a flash message shows once: each is part of the validator.
    etag = etag_for(item.id, item.state, item.updated_at, current_locale(), index.generation(),
                    extras["review_due"], flashed,
                    session.get("csrf_token") if extras["contact_form"] else None)
    return conditional(make_response(html), etag, item.updated_at, page=True)


def _json_ld(item: Practice) -> dict:
    """Return the schema.org description of a practice, for link previews and search engines."""
    url = url_for("public.practice", slug=item.slug, _external=True)
    data = {
        "@context": "https://schema.org", "@type": "CreativeWork", "@id": url, "url": url,
        "name": item.title, "abstract": item.summary, "inLanguage": item.language,
        "about": [{"@type": "Thing", "name": taxonomy.label("objective_title", o)}
                  for o in item.objectives],
        "spatialCoverage": [{"@type": "Place", "name": taxonomy.label("country", c)}
                            for c in item.countries],
        "keywords": [taxonomy.label("objective", o) for o in item.objectives],
        "creator": {"@type": "Organization", "name": item.implemented_by}
        if item.implemented_by else None,
        "datePublished": item.published_at.isoformat() if item.published_at else None,
        "dateModified": item.updated_at.isoformat() if item.updated_at else None,
        "temporalCoverage": (f"{item.start_year}/{item.end_year or '..'}"
                             if item.start_year else None),
        "isPartOf": {"@type": "Collection", "name": "GCM Repository of Practices",
                     "url": url_for("public.home", _external=True)},
    }
    return {k: v for k, v in data.items() if v not in (None, [])}


# Modules that add pages to this blueprint.
from kb.views import api_docs as _api_docs  # noqa: E402,F401
from kb.views import contact as _contact  # noqa: E402,F401
from kb.views import coverage as _coverage  # noqa: E402,F401
from kb.views import feeds as _feeds  # noqa: E402,F401
from kb.views import search as _search  # noqa: E402,F401  (registers /practices on bp)
from kb.views import site as _site  # noqa: E402,F401
