"""Living practices in the pages: review notices, update requests and the submitter's answer.

Routes register on the submit, review and admin blueprints (imported before registration).
"""
from __future__ import annotations

from typing import Any

from flask import Flask, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kb import workflow
from kb.errors import ValidationFailed
from kb.forms import add_field_errors
from kb.forms.living import ContactForm, UpdateRequestForm
from kb.forms.practices import ActionForm
from kb.models import Practice
from kb.security import roles_required
from kb.services import contact, living, review_dates, submissions
from kb.views import admin, review, submit


def init_app(app: Flask) -> None:
    """Let templates ask whether a practice is due for review, since when, and whether its
    submitter is asked to answer."""
    app.jinja_env.tests["review_due"] = review_dates.is_review_due
    app.jinja_env.tests["answer_awaited"] = living.awaits_answer
    app.jinja_env.globals["since_review"] = review_dates.years_since_review


def practice_page_extras(practice: Practice, contact_form: ContactForm | None = None,
                         update_form: UpdateRequestForm | None = None) -> dict[str, Any]:
    """Return what the public practice page shows beyond the content: notices and forms."""
    can_request = False
    if current_user.is_authenticated and practice.is_public:
        actor = submissions.actor_for(current_user, practice)
        can_request = bool(living.offered(
            practice, [a for a in workflow.allowed_actions(practice.state, actor)
                       if a == "request_update"]))
    contactable = contact.is_contactable(practice)
    return {
        "review_due": review_dates.is_review_due(practice),
        "contactable": contactable,
        "contact_form": (contact_form or ContactForm()) if contactable else None,
        "update_form": (update_form or UpdateRequestForm()) if can_request else None,
        "show_update_request": (current_user.is_authenticated
                                and current_user.role in workflow.REVIEWER_ROLES
                                and practice.update_requested_at is not None),
    }


@review.bp.post("/<int:practice_id>/request-update")
def request_update(practice_id: int):
    form = UpdateRequestForm()
    form.validate_on_submit()
    try:
        practice = living.request_update(current_user, practice_id, form.comment.data or "")
    except ValidationFailed as exc:
        from kb.views.public import render_practice

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
