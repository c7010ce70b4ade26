"""The public blueprint: the home page and practice pages.

The other read-only pages anyone may open add their routes to ``bp`` from their own modules
(kb.views.ROUTES lists them).
"""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from kb import db, taxonomy
from kb.models import Practice
from kb.search import SearchRequest
from kb.services import indexing
from kb.services import practices as practice_service
from kb.views.practice_page import render_practice

bp = Blueprint("public", __name__)

# The home page's newest practices, as cards (kb.views.cards): their objectives, regions and
# countries come with them; their other codes and links load only if asked for.
_NEWEST = (select(Practice).where(Practice.is_public)
           .order_by(Practice.published_at.desc(), Practice.id.desc()).limit(6)
           .options(lazyload(Practice.principle_rows), lazyload(Practice.stakeholder_rows),
                    lazyload(Practice.links)))


@bp.get("/")
def home():
    # Tile counts are the search's facet counts, so a tile's number is what its click returns.
    results = indexing.get_index().search(SearchRequest(per_page=1))
    counts = {name: {fc.value: fc.count for fc in results.facets.get(name, [])}
              for name in ("objective", "region")}
    newest = db.get_session().scalars(_NEWEST).all()
    regions = [(code, counts["region"].get(code, 0)) for code, _ in taxonomy.choices("region")]
    return render_template("public/home.html", objectives=taxonomy.OBJECTIVES,
                           objective_counts=counts["objective"], regions=regions,
                           newest=newest, total=results.total)


@bp.get("/practices/<slug>")
def practice(slug: str):
    item = practice_service.get_published(slug, include_archived=True)
    return render_practice(item)
