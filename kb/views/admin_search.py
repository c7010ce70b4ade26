"""The admin page of the search index: status, damage and drift, and a rebuild button."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from kb.forms.accounts import ActionForm
from kb.security import roles_required
from kb.services import index_admin
from kb.views.admin import bp


@bp.get("/search-index")
@roles_required("admin")
def search_index() -> str:
    return render_template("admin/search_index.html",
                           report=index_admin.report(current_user), form=ActionForm())


@bp.post("/search-index/rebuild")
@roles_required("admin")
def rebuild_search_index() -> Response:
    if not ActionForm().validate_on_submit():
        flash(_("The form could not be read; reload the page."), "error")
    elif index_admin.request_rebuild(current_user):
        flash(_("A rebuild of the search index has started in the background. Searches keep "
                "working meanwhile; reload this page to see when it is done."), "success")
    else:
        flash(_("A rebuild or repair of the search index is already running; reload this page "
                "to see when it is done."), "info")
    return redirect(url_for("admin.search_index"))
