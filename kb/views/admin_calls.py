"""Admin pages for calls for practices: list, create, edit and close early (/admin/calls)."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from kb.errors import ValidationFailed
from kb.forms import add_field_errors, choices
from kb.forms.calls import CallForm
from kb.forms.practices import ActionForm
from kb.models import Call
from kb.security import roles_required
from kb.services import calls
from kb.views.admin import bp


def _form(**kwargs: object) -> CallForm:
    form = CallForm(**kwargs)
    form.objectives.choices = choices("objective")
    return form


@bp.get("/calls")
@roles_required("admin")
def calls_list():
    return render_template("admin/calls.html", listing=calls.list_calls(),
                           today=calls.today())


@bp.route("/calls/new", methods=["GET", "POST"])
@roles_required("admin")
def new_call():
    form = _form()
    return _edit_page(form, None, lambda: calls.create_call(current_user,
                                                            form.to_body(include_slug=True)))


@bp.route("/calls/<slug>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit_call(slug: str):
    call = calls.get_call(slug)
    form = _form(obj=call)
    if request.method == "GET":
        form.objectives.data = [str(o) for o in call.objectives or []]
    return _edit_page(form, call, lambda: calls.update_call(current_user, slug,
                                                            form.to_body(include_slug=False)))


def _edit_page(form: CallForm, call: Call | None, save: Callable[[], Call]
               ) -> ResponseReturnValue:
    """Save a valid posted form with ``save`` and go back to the list; else show the form."""
    if form.validate_on_submit():
        try:
            saved = save()
        except ValidationFailed as exc:
            add_field_errors(form, exc.fields)
        else:
            flash(_("Call “%(title)s” saved.", title=saved.title), "success")
            return redirect(url_for("admin.calls_list"))
    status = 422 if form.errors else 200
    return render_template("admin/call_edit.html", form=form, call=call), status


@bp.post("/calls/<slug>/close")
@roles_required("admin")
def close_call(slug: str):
    if ActionForm().validate_on_submit():
        call = calls.close_call(current_user, slug)
        flash(_("Call “%(title)s” is closed.", title=call.title), "success")
    return redirect(url_for("admin.calls_list"))
