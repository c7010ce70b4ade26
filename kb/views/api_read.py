"""Read API beside the search: coverage stats, streamed CSV/JSON exports, the OpenAPI document."""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

from flask import Response, jsonify, request, stream_with_context, url_for

from kb import taxonomy
from kb.search import SearchRequest
from kb.services import exports
from kb.services import search as search_service
from kb.services import stats as stats_service
from kb.services.records import RecordOptions, practice_to_record
from kb.views import openapi
from kb.views.api import _locale, bp


def _export_request() -> SearchRequest:
    """Parse the search parameters of an export; page and per_page are ignored."""
    args = request.args.copy()
    args.poplist("page")
    args.poplist("per_page")
    return search_service.parse_request(args)


def _practice_url(slug: str) -> str:
    return url_for("public.practice", slug=slug, _external=True)


@bp.get("/stats")
def stats():
    locale = _locale()
    cov = stats_service.coverage()
    return jsonify({
        "total": cov.total,
        "objectives": [{"code": code, "label": taxonomy.label("objective", code, locale),
                        "count": count, "few": code in cov.few,
                        "less_attention": code in cov.less_attention,
                        "regions": cov.matrix.get(code, {})}
                       for code, count in cov.objectives.items()],
        "regions": [{"code": code, "label": taxonomy.label("region", code, locale),
                     "count": count} for code, count in cov.regions.items()],
        "levels": [{"code": code, "label": taxonomy.label("level", code, locale),
                    "count": count} for code, count in cov.levels.items()],
        "start_years": [{"year": year, "count": count}
                        for year, count in cov.start_years.items()],
        "no_start_year": cov.no_start_year,
    })


@bp.get("/practices.csv")
def export_csv():
    search_request, locale = _export_request(), _locale()
    rows = (exports.practice_to_row(p, _practice_url(p.slug), locale)
            for p in exports.iter_practices(search_request))
    response = Response(stream_with_context(exports.csv_lines(rows)),
                        mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="practices.csv"'
    return response


@bp.get("/practices.json")
def export_json():
    search_request = _export_request()
    total = search_service.search(dataclasses.replace(search_request, per_page=1)).total
    response = Response(stream_with_context(_json_chunks(search_request, total)),
                        mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="practices.json"'
    return response


def _json_chunks(search_request: SearchRequest, total: int) -> Iterator[str]:
    yield f'{{"total": {total:d}, "results": ['
    separator = ""
    for practice in exports.iter_practices(search_request):
        record = practice_to_record(practice, RecordOptions(include_state=False),
                                    url=_practice_url(practice.slug))
        yield separator + json.dumps(record, ensure_ascii=False)
        separator = ", "
    yield "]}"


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())
