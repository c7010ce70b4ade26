"""Living practices in the pages: review notices, update requests and the submitter's answer.

Its routes go on the submit, review and admin blueprints (kb.views.ROUTES names it for each).
"""
from __future__ import annotations

from flask import Flask, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kb.errors import ValidationFailed
from kb.forms import add_field_errors
from kb.forms.living import UpdateRequestForm
from kb.forms.practices import ActionForm
from kb.security import roles_required
from kb.services import living, review_dates, submissions
from kb.views import admin, review, submit
from kb.views.practice_page import render_practice


def init_app(app: Flask) -> None:
    """Let templates ask whether a practice is due for review, since when, and whether its
    submitter is asked to answer."""
    app.jinja_env.tests["review_due"] = review_dates.is_review_due
    app.jinja_env.tests["answer_awaited"] = living.awaits_answer
    app.jinja_env.globals["since_review"] = review_dates.years_since_review


@review.bp.post("/<int:practice_id>/request-update")
def request_update(practice_id: int):
    form = UpdateRequestForm()
    form.validate_on_submit()
    try:
        practice = living.request_update(current_user, practice_id, form.comment.data or "")
    except ValidationFailed as exc:
        add_field_errors(form, exc.fields)
        return render_practice(submissions.get_for(current_user, practice_id), status=422,
                               update_form=form)
    flash(_("Update requested: the submitter has been emailed. The practice stays published."),
          "success")
    return redirect(url_for("public.practice", slug=practice.slug))


@submit.bp.post("/<int:practice_id>/confirm-current")
@login_required
def confirm_current(practice_id: int):
    form = ActionForm()
    form.validate_on_submit()
    living.confirm_current(current_user, practice_id, form.comment.data or "")
    flash(_("Thank you: the practice is marked as reviewed today."), "success")
    return redirect(url_for("submit.detail", practice_id=practice_id))


@admin.bp.get("/updates")
@roles_required("admin")
def updates():
    return render_template("admin/updates.html", requests=living.open_update_requests(),
                           due=review_dates.due_practices())
