"""The JSON API under /api/v1: public reads; token-authenticated writes live beside them."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from kb import taxonomy
from kb.i18n import current_locale
from kb.services import practices as practice_service
from kb.services import search as search_service
from kb.services.records import RecordOptions, practice_to_record
from kb.views.caching import conditional, etag_for

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _locale() -> str:
    lang = request.args.get("lang")
    return lang if lang in taxonomy.LOCALES else current_locale()


@bp.get("/taxonomy")
def taxonomy_view():
    locale = _locale()
    return jsonify({
        "objectives": [{"code": o.code, "title": taxonomy.label("objective_title", o.code, locale),
                        "short": taxonomy.label("objective", o.code, locale)}
                       for o in taxonomy.OBJECTIVES],
        **{name: [{"code": code, "label": label} for code, label in taxonomy.choices(facet, locale)]
           for name, facet in (("principles", "principle"), ("levels", "level"),
                               ("regions", "region"), ("stakeholders", "stakeholder"),
                               ("practice_types", "type"),
                               ("implementation_statuses", "status"), ("languages", "language"),
                               ("countries", "country"))},
    })


@bp.get("/practices")
def practices():
    search_request = search_service.parse_request(request.args, query_language=_locale())
    results = search_service.search(search_request)
    return jsonify({
        "total": results.total, "page": results.page, "per_page": results.per_page,
        "results": [search_service.hit_to_dict(
            hit, url_for("public.practice", slug=hit.slug, _external=True))
            for hit in results.hits],
        "facets": search_service.labelled_facets(results, _locale()),
        "suggestion": results.suggestion,
        "message": " ".join(search_service.notice_text(n) for n in results.notices) or None,
        "notices": [{"code": n.code, "message": search_service.notice_text(n)}
                    for n in results.notices],
        "total_all_words": results.full_total, "expanded": results.expanded,
        "query_language": results.query_language,
    })


@bp.get("/practices/<slug>")
def practice(slug: str):
    item = practice_service.get_published(slug)
    record = practice_to_record(item, RecordOptions(include_state=False),
                                url=url_for("public.practice", slug=item.slug, _external=True))
    # review_due turns true with the clock alone, so it is part of the validator.
    return conditional(jsonify(record), etag_for(item.id, item.updated_at, record["review_due"]),
                       item.updated_at)
