"""Machine-readable pages for followers and crawlers: /feed.atom, /sitemap.xml, /robots.txt."""
from __future__ import annotations

from flask import Response, make_response, render_template, request, url_for
from sqlalchemy import select

from kb import db
from kb.i18n import current_locale
from kb.models import Practice
from kb.sanitize import xml_text
from kb.services import exports
from kb.services import search as search_service
from kb.views.caching import conditional, etag_for
from kb.views.public import bp

FEED_ENTRIES = 30
ATOM = "application/atom+xml"


def _feed_title(search_request) -> str:
    locale = current_locale()
    parts = [search_service.filter_label(facet, value, locale)
             for facet, values in search_request.filters.items() for value in values]
    if search_request.q:
        parts.append(f"“{search_request.q[:80]}”")
    return " · ".join(parts)


@bp.get("/feed.atom")
def feed():
    search_request = search_service.parse_request(request.args)
    entries = exports.latest_practices(search_request, FEED_ENTRIES)
    updated = max((p.updated_at for p in entries), default=None)
    args = request.args.to_dict(flat=False)
    # Every text in it (titles, summaries, the search words echoed in its title) may hold
    # characters XML forbids: one such practice must not break the feed for everyone.
    body = xml_text(render_template(
        "public/feed.xml", entries=entries, updated=updated, subtitle=_feed_title(search_request),
        self_url=url_for("public.feed", _external=True, **args),
        search_url=url_for("public.practices", _external=True, **args)))
    etag = etag_for(request.query_string, current_locale(),
                    *[(p.id, p.updated_at) for p in entries])
    return conditional(make_response(body, 200, {"Content-Type": f"{ATOM}; charset=utf-8"}),
                       etag, updated)


@bp.get("/sitemap.xml")
def sitemap():
    rows = db.get_session().execute(
        select(Practice.slug, Practice.updated_at)
        .where(Practice.is_public)
        .order_by(Practice.id)).all()
    body = render_template("public/sitemap.xml", practices=rows)
    return Response(body, mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    # Facet combinations are endless; crawlers get practice pages through the sitemap.
    lines = ["User-agent: *", "Disallow: /practices?", "Disallow: /feed.atom?",
             "Disallow: /api/", "Disallow: /submissions", "Disallow: /review",
             "Disallow: /admin", "Disallow: /account", "Disallow: /login",
             "Disallow: /register", "Disallow: /*?*lang=", "Allow: /practices/",
             f"Sitemap: {url_for('public.sitemap', _external=True)}", ""]
    return Response("\n".join(lines), mimetype="text/plain")
