"""Submitter pages under /submissions: drafts, submissions, their timelines and actions."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kb import taxonomy, workflow
from kb.errors import InvalidTransition, ValidationFailed
from kb.forms.practices import ActionForm, PracticeForm, practice_form_data
from kb.models import Practice
from kb.services import revisions, submissions
from kb.services.records import RecordOptions, practice_to_record

bp = Blueprint("submit", __name__, url_prefix="/submissions")

STATE_ORDER = ("changes_requested", "draft", "submitted", "in_review", "published", "rejected",
               "withdrawn", "archived")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in user."""


@bp.get("/")
def index():  # noqa: ANN201
    by_state: dict[str, list[Practice]] = {state: [] for state in STATE_ORDER}
    for practice in submissions.list_mine(current_user):
        by_state[practice.state].append(practice)
    return render_template("submit/index.html", by_state=by_state)


@bp.route("/new", methods=["GET", "POST"])
def new():  # noqa: ANN201
    form = PracticeForm()
    if form.validate_on_submit():
        try:
            practice = submissions.create_draft(current_user, form.to_record())
        except ValidationFailed as exc:
            _show_errors(form, exc.fields)
        else:
            return _after_save(form, practice)
    return render_template("submit/edit.html", form=form, practice=None)


@bp.route("/<int:practice_id>/edit", methods=["GET", "POST"])
def edit(practice_id: int):  # noqa: ANN201
    practice = submissions.get_for(current_user, practice_id)
    if request.method == "GET":
        if not workflow.can_edit(practice.state, submissions.actor_for(current_user, practice)):
            flash(_("This practice cannot be edited now."), "error")
            return redirect(url_for("submit.detail", practice_id=practice.id))
        record = practice_to_record(practice, RecordOptions(include_private_contact=True))
        form = PracticeForm(data=practice_form_data(record))
    else:
        form = PracticeForm()
    if form.validate_on_submit():
        try:
            practice = submissions.update_draft(current_user, practice_id, form.to_record())
        except ValidationFailed as exc:
            _show_errors(form, exc.fields)
        else:
            return _after_save(form, practice)
    return render_template("submit/edit.html", form=form, practice=practice)


def _show_errors(form: PracticeForm, fields: dict[str, list[str]]) -> None:
    """Show the save's errors; when the user asked to submit, show everything missing too."""
    if form.send.data:
        fields = submissions.problems(form.to_record(), complete=True) or fields
    form.show_errors(fields)


def _after_save(form: PracticeForm, practice: Practice):  # noqa: ANN202
    """The draft is saved; then submit it or show its preview, as the button asked."""
    if form.preview.data:
        return redirect(url_for("submit.preview", practice_id=practice.id))
    if not form.send.data:
        flash(_("Draft saved."), "success")
        return redirect(url_for("submit.edit", practice_id=practice.id))
    try:
        submissions.submit_practice(current_user, practice.id)
    except ValidationFailed as exc:
        form.show_errors(exc.fields)
        flash(_("Your draft is saved, but some fields need attention before it can be "
                "submitted."), "error")
        return render_template("submit/edit.html", form=form, practice=practice), 422
    flash(_("Submitted. You will get an email when a reviewer decides."), "success")
    return redirect(url_for("submit.detail", practice_id=practice.id))


@bp.get("/<int:practice_id>/preview")
def preview(practice_id: int):  # noqa: ANN201
    practice = submissions.get_for(current_user, practice_id)
    return render_template("submit/preview.html", practice=practice, preview=True,
                           kosovo_footnote=(taxonomy.KOSOVO_FOOTNOTE
                                            if taxonomy.needs_kosovo_footnote(practice.countries)
                                            else None))


@bp.get("/<int:practice_id>")
def detail(practice_id: int):  # noqa: ANN201
    practice = submissions.get_for(current_user, practice_id)
    actor = submissions.actor_for(current_user, practice)
    actions = [a for a in workflow.allowed_actions(practice.state, actor)
               if a in ("submit", "withdraw")]
    return render_template(
        "submit/detail.html", practice=practice, actions=actions, form=ActionForm(),
        can_edit=workflow.can_edit(practice.state, actor),
        can_propose=actor.is_submitter and practice.state == "published"
        and not practice.revision_of_id,
        live=revisions.live_of(practice), events=submissions.timeline(practice.id))


@bp.post("/<int:practice_id>/action")
def action(practice_id: int):  # noqa: ANN201
    form = ActionForm()
    name = request.form.get("action", "")
    if not form.validate_on_submit():
        raise InvalidTransition(_("The form could not be read; reload the page."))
    if name == "propose_update":
        revision = submissions.propose_update(current_user, practice_id)
        flash(_("Edit your update below. The published version stays online until a reviewer "
                "approves the update."), "success")
        return redirect(url_for("submit.edit", practice_id=revision.id))
    try:
        if name == "submit":
            submissions.submit_practice(current_user, practice_id)
        elif name == "withdraw":
            submissions.withdraw(current_user, practice_id, form.comment.data or "")
        else:
            raise InvalidTransition(_("Unknown action."))
    except ValidationFailed as exc:
        flash(_("Some fields need attention before this can be submitted: %(fields)s",
                fields=", ".join(exc.fields)), "error")
        return redirect(url_for("submit.edit", practice_id=practice_id))
    flash(_("Done."), "success")
    return redirect(url_for("submit.detail", practice_id=practice_id))
