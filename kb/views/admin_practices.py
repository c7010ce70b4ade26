"""Admin pages for practices: archive and unarchive with a reason, and the audit log."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kb.errors import ValidationFailed
from kb.forms import add_field_errors
from kb.forms.practices import ActionForm, ArchiveForm
from kb.security import roles_required
from kb.services import reviews
from kb.views.admin import bp
from kb.views.boundary import whole_number


@bp.get("/practices")
@roles_required("admin")
def practices():
    state = request.args.get("state") or None
    return render_template("admin/practices.html", items=reviews.practices_for_admin(state),
                           state=state, archive_form=ArchiveForm(), action_form=ActionForm())


@bp.post("/practices/<int:practice_id>/archive")
@roles_required("admin")
def archive_practice(practice_id: int):
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
@roles_required("admin")
def unarchive_practice(practice_id: int):
    form = ActionForm()
    form.validate_on_submit()
    reviews.unarchive(current_user, practice_id, form.comment.data or "")
    flash(_("Published again."), "success")
    return redirect(url_for("admin.practices"))


@bp.get("/audit")
@roles_required("admin")
def audit():
    args = request.args
    filters = reviews.AuditFilter(
        action=args.get("action") or None,
        actor_id=whole_number(args.get("actor")),
        practice_id=whole_number(args.get("practice")))
    return render_template("admin/audit.html", events=reviews.audit_log(current_user, filters),
                           filters=filters)
