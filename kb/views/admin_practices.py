"""Admin pages for practices: archive and unarchive with a reason, and the audit log."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kb.errors import ValidationFailed
from kb.forms import add_field_errors
from kb.forms.practices import ActionForm, ArchiveForm
from kb.services import reviews
from kb.views.admin import bp
from kb.views.boundary import whole_number


def _require_admin() -> None:
    if current_user.role != "admin":
        abort(403)


@bp.get("/practices")
@login_required
def practices():
    _require_admin()
    state = request.args.get("state") or None
    return render_template("admin/practices.html", items=reviews.practices_for_admin(state),
                           state=state, archive_form=ArchiveForm(), action_form=ActionForm())


@bp.post("/practices/<int:practice_id>/archive")
@login_required
def archive_practice(practice_id: int):
    _require_admin()
    form = ArchiveForm()
    form.validate_on_submit()
    try:
        reviews.archive(current_user, practice_id, form.reason.data or "")
    except ValidationFailed as exc:
        add_field_errors(form, exc.fields)
        flash(_("Give a reason to archive a practice."), "error")
        return render_template("admin/practices.html", items=reviews.practices_for_admin(),
                               state=None, archive_form=form, action_form=ActionForm(),
                               failed_id=practice_id), 422
    flash(_("Archived: the practice left search; its page says why."), "success")
    return redirect(url_for("admin.practices"))


@bp.post("/practices/<int:practice_id>/unarchive")
@login_required
def unarchive_practice(practice_id: int):
    _require_admin()
    form = ActionForm()
    form.validate_on_submit()
    reviews.unarchive(current_user, practice_id, form.comment.data or "")
    flash(_("Published again."), "success")
    return redirect(url_for("admin.practices"))


@bp.get("/audit")
@login_required
def audit():
    _require_admin()
    args = request.args
    filters = reviews.AuditFilter(
        action=args.get("action") or None,
        actor_id=whole_number(args.get("actor")),
        practice_id=whole_number(args.get("practice")))
    return render_template("admin/audit.html", events=reviews.audit_log(current_user, filters),
                           filters=filters)
