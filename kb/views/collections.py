"""Public pages of featured collections: /collections and /collections/<slug>."""
from __future__ import annotations

from flask import Blueprint, render_template

from kb.models import Collection
from kb.services import collections

bp = Blueprint("collections", __name__, url_prefix="/collections")


@bp.get("/")
def index():
    return render_template("collections/index.html", items=collections.list_published())


@bp.get("/<slug>")
def detail(slug: str):
    collection = collections.get_public(slug)
    return render_template("collections/detail.html", collection=collection,
                           cards=collections.cards(collection))


@bp.app_template_global("featured_collection")
def featured_collection() -> Collection | None:
    """Return the newest published collection (the home page shows it)."""
    return collections.newest_published()


@bp.app_template_global("collections_holding")
def collections_holding(practice_id: int) -> list[Collection]:
    """Return the published collections holding a practice (its page lists them)."""
    return collections.holding(practice_id)


@bp.app_template_global("collection_cards")
def collection_cards(collection: Collection) -> list[collections.Card]:
    """Return the public cards of a collection."""
    return collections.cards(collection)
