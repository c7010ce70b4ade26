"""Admin pages under /admin: the dashboard and user management (roles, deactivation, internal
reviewers).

Practice archiving, the audit log, calls, collections, update requests and the search index
pages add their routes to the same ``bp`` from their own modules (kb.views.ROUTES lists them).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kb.errors import ValidationFailed
from kb.forms.accounts import ActionForm, RoleForm, UserSearchForm
from kb.security import roles_required
from kb.services import users as user_service
from kb.views.boundary import whole_number

MAX_PAGE = 100_000

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@roles_required("admin")
def index():
    return render_template("admin/index.html")


@bp.get("/users")
@roles_required("admin")
def users():
    form = UserSearchForm(request.args)
    result = user_service.search_users(current_user, form.q.data or "", form.role.data or "",
                                       form.status.data or "",
                                       whole_number(request.args.get("page"), MAX_PAGE) or 1)
    return render_template("admin/users.html", form=form, result=result,
                           role_form=RoleForm(formdata=None), action_form=ActionForm())


@bp.post("/users/<int:user_id>/role")
@roles_required("admin")
def change_role(user_id: int):
    form = RoleForm()
    if form.validate_on_submit():
        user = user_service.change_role(current_user, user_id, form.role.data)
        flash(_("%(name)s is now %(role)s.", name=user.name, role=user.role), "success")
    return redirect(url_for("admin.users", q=request.args.get("q") or None))


@bp.post("/users/<int:user_id>/deactivate")
@roles_required("admin")
def deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/reactivate")
@roles_required("admin")
def reactivate(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    if ActionForm().validate_on_submit():
        user = user_service.set_active(current_user, user_id, active)
        flash(_("%(name)s can sign in again.", name=user.name) if active else
              _("%(name)s is deactivated: signed out, tokens refused.", name=user.name),
              "success")
    return redirect(url_for("admin.users", q=request.args.get("q") or None))


@bp.post("/users/<int:user_id>/internal")
@roles_required("admin")
def mark_internal(user_id: int):
    return _set_internal(user_id, True)


@bp.post("/users/<int:user_id>/external")
@roles_required("admin")
def mark_external(user_id: int):
    return _set_internal(user_id, False)


def _set_internal(user_id: int, internal: bool):
    if ActionForm().validate_on_submit():
        try:
            user = user_service.set_internal(current_user, user_id, internal)
        except ValidationFailed as exc:
            flash(exc.message, "error")
        else:
            flash(_("%(name)s is now an internal reviewer.", name=user.name) if internal else
                  _("%(name)s is no longer an internal reviewer.", name=user.name), "success")
    return redirect(url_for("admin.users", q=request.args.get("q") or None))
