"""Public pages: home, practice pages and the other read-only views anyone may open."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from kb import db, taxonomy
from kb.models import Practice, PracticeObjective
from kb.services import practices as practice_service

bp = Blueprint("public", __name__)


@bp.get("/")
def home():  # noqa: ANN201
    session = db.get_session()
    published = (Practice.state == "published") & Practice.revision_of_id.is_(None)
    counts = dict(session.execute(
        select(PracticeObjective.code, func.count())
        .join(Practice, Practice.id == PracticeObjective.practice_id)
        .where(published).group_by(PracticeObjective.code)).all())
    newest = session.scalars(select(Practice).where(published)
                             .order_by(Practice.published_at.desc(), Practice.id.desc())
                             .limit(6)).all()
    return render_template("public/home.html", objectives=taxonomy.OBJECTIVES,
                           objective_counts=counts, newest=newest)


@bp.get("/practices/<slug>")
def practice(slug: str):  # noqa: ANN201
    item = practice_service.get_published(slug, include_archived=True)
    return render_template("public/practice.html", practice=item,
                           kosovo_footnote=(taxonomy.KOSOVO_FOOTNOTE
                                            if taxonomy.needs_kosovo_footnote(item.countries)
                                            else None))


from kb.views import search as _search  # noqa: E402,F401  (registers /practices on bp)
