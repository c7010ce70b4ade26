"""Public pages of calls for practices: /calls, /calls/<slug> and the Atom feed of calls."""
from __future__ import annotations

from flask import Blueprint, make_response, render_template, url_for

from kb.i18n import current_locale
from kb.models import Call
from kb.services import calls
from kb.views.caching import conditional, etag_for

bp = Blueprint("calls", __name__, url_prefix="/calls")
ATOM = "application/atom+xml"


@bp.get("/")
def index():
    return render_template("calls/index.html", listing=calls.list_calls(), today=calls.today())


@bp.get("/<slug>")
def detail(slug: str):
    call = calls.get_call(slug)
    return render_template("calls/detail.html", call=call, today=calls.today(),
                           status=call.status_on(calls.today()),
                           days_left=calls.days_left(call), answers=calls.answers(call))


@bp.get("/feed.atom")
def feed():
    items = calls.list_calls().all()
    updated = max((c.updated_at for c in items), default=None)
    body = render_template("calls/feed.xml", items=items, updated=updated, today=calls.today(),
                           self_url=url_for("calls.feed", _external=True),
                           page_url=url_for("calls.index", _external=True))
    etag = etag_for(current_locale(), *[(c.id, c.updated_at, c.status_on(calls.today()))
                                       for c in items])
    return conditional(make_response(body, 200, {"Content-Type": f"{ATOM}; charset=utf-8"}),
                       etag, updated)


@bp.app_template_global("open_calls")
def open_calls() -> list[Call]:
    """Return the calls open today (the home page lists them)."""
    return calls.list_calls().open


@bp.app_template_global("today_utc")
def today_utc():
    """Return today's UTC date (call statuses are computed on UTC calendar days)."""
    return calls.today()


@bp.app_template_global("call_title")
def call_title(slug: str) -> str:
    """Return the title of the call with ``slug`` (the slug itself if it is gone)."""
    return calls.titles([slug]).get(slug, slug)
