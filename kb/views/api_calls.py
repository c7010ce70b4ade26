"""API for calls for practices and featured collections: public reads, admin-token writes."""
from __future__ import annotations

from typing import Any

from flask import g, jsonify, url_for

from kb.models import Call, Collection
from kb.services import calls, collections
from kb.views.api import bp
from kb.views.api_auth import token_required


def _body() -> dict[str, Any]:
    # Imported when called: kb.views.api loads this module while api_write may be loading.
    from kb.views.api_write import _body as json_body

    return json_body()


def _call(call: Call) -> dict[str, Any]:
    record = calls.call_to_record(call)
    record["url"] = url_for("calls.detail", slug=call.slug, _external=True)
    record["submit_url"] = url_for("submit.new", call=call.slug, _external=True)
    return record


def _practice_url(slug: str) -> str:
    return url_for("public.practice", slug=slug, _external=True)


def _collection(collection: Collection, public: bool = True) -> dict[str, Any]:
    record = collections.collection_to_record(collection, _practice_url, public=public)
    record["url"] = url_for("collections.detail", slug=collection.slug, _external=True)
    return record


@bp.get("/calls")
def list_calls():
    items = calls.list_calls().all()
    return jsonify({"total": len(items), "results": [_call(c) for c in items]})


@bp.get("/calls/<slug>")
def get_call(slug: str):
    call = calls.get_call(slug)
    record = _call(call)
    record["practices"] = [{"slug": p.slug, "title": p.title, "url": _practice_url(p.slug)}
                           for p in calls.answers(call)]
    return jsonify(record)


@bp.post("/calls")
@token_required
def create_call():
    call = calls.create_call(g.api_user, _body())
    response = jsonify(_call(call))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_call", slug=call.slug)
    return response


@bp.patch("/calls/<slug>")
@token_required
def patch_call(slug: str):
    return jsonify(_call(calls.update_call(g.api_user, slug, _body())))


@bp.get("/collections")
def list_collections():
    items = collections.list_published()
    return jsonify({"total": len(items), "results": [_collection(c) for c in items]})


@bp.get("/collections/<slug>")
def get_collection(slug: str):
    return jsonify(_collection(collections.get_public(slug)))


@bp.post("/collections")
@token_required
def create_collection():
    collection = collections.create_collection(g.api_user, _body())
    response = jsonify(_collection(collection, public=False))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_collection", slug=collection.slug)
    return response


@bp.patch("/collections/<slug>")
@token_required
def patch_collection(slug: str):
    collection = collections.update_collection(g.api_user, slug, _body())
    return jsonify(_collection(collection, public=False))
