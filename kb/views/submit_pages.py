"""The submitter's pages around the form: the list, a practice's page and timeline, the preview,
submit and propose-update actions, and the confirmation pages of withdraw and delete."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kb import taxonomy, workflow
from kb.errors import InvalidTransition, ValidationFailed
from kb.forms.practices import ActionForm
from kb.models import AuditEvent, Practice
from kb.services import peer_review, review_counts, review_timeline, revisions, submissions
from kb.views.submit import bp

STATE_ORDER = ("changes_requested", "draft", "submitted", "in_review", "published", "rejected",
               "withdrawn", "archived")
# Decisions whose comment the submitter must see first.
REVIEW_ACTIONS = ("request_changes", "reject", "approve", "unclaim", "claim")


@bp.get("/")
def index() -> str:
    by_state: dict[str, list[Practice]] = {state: [] for state in STATE_ORDER}
    for practice in submissions.list_mine(current_user):
        by_state[practice.state].append(practice)
    return render_template("submit/index.html", by_state=by_state)


@bp.get("/<int:practice_id>/preview")
def preview(practice_id: int):
    practice = submissions.get_for(current_user, practice_id)
    actor = submissions.actor_for(current_user, practice)
    return render_template(
        "submit/preview.html", practice=practice, preview=True, form=ActionForm(),
        can_edit=workflow.can_edit(practice.state, actor),
        can_submit=workflow.can(practice.state, "submit", actor),
        kosovo_footnote=(taxonomy.KOSOVO_FOOTNOTE
                         if taxonomy.needs_kosovo_footnote(practice.countries) else None))


def _latest_review_comment(practice: Practice, events: list[AuditEvent]) -> AuditEvent | None:
    return next((e for e in events if e.comment and e.action in REVIEW_ACTIONS
                 and e.actor_id != practice.submitter_id), None)


@bp.get("/<int:practice_id>")
def detail(practice_id: int):
    practice = submissions.get_for(current_user, practice_id)
    actor = submissions.actor_for(current_user, practice)
    events = submissions.timeline(practice.id)
    return render_template(
        "submit/detail.html", practice=practice, form=ActionForm(),
        can_submit=workflow.can(practice.state, "submit", actor),
        can_withdraw=workflow.can(practice.state, "withdraw", actor),
        can_delete=submissions.can_delete(current_user, practice),
        can_edit=workflow.can_edit(practice.state, actor),
        can_propose=workflow.can_propose_update(practice.state, actor,
                                                bool(practice.revision_of_id)),
        live=revisions.live_of(practice),
        events=review_timeline.visible_timeline(current_user, practice),
        reviews=peer_review.visible_reviews(current_user, practice)
        if review_counts.required() > 1 else [],
        review_comment=_latest_review_comment(practice, events))


@bp.post("/<int:practice_id>/action")
def action(practice_id: int):
    form = ActionForm()
    name = request.form.get("action", "")
    if not form.validate_on_submit():
        raise InvalidTransition(_("The form could not be read; reload the page."))
    if name == "propose_update":
        revision = submissions.propose_update(current_user, practice_id)
        flash(_("Edit your update below. The published version stays online until a reviewer "
                "approves the update."), "success")
        return redirect(url_for("submit.edit", practice_id=revision.id))
    if name != "submit":
        raise InvalidTransition(_("Unknown action."))
    try:
        submissions.submit_practice(current_user, practice_id)
    except ValidationFailed:
        flash(_("Some fields need attention before this can be submitted: see the list below."),
              "error")
        return redirect(url_for("submit.edit", practice_id=practice_id, step="review"))
    flash(_("Submitted. You will get an email when a reviewer decides."), "success")
    return redirect(url_for("submit.detail", practice_id=practice_id))


@bp.route("/<int:practice_id>/withdraw", methods=["GET", "POST"])
def withdraw(practice_id: int):
    practice = submissions.get_for(current_user, practice_id)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            raise InvalidTransition(_("The form could not be read; reload the page."))
        submissions.withdraw(current_user, practice_id, form.comment.data or "")
        flash(_("The practice is withdrawn."), "success")
        return redirect(url_for("submit.detail", practice_id=practice_id))
    if not workflow.can(practice.state, "withdraw",
                        submissions.actor_for(current_user, practice)):
        flash(_("This practice cannot be withdrawn now."), "error")
        return redirect(url_for("submit.detail", practice_id=practice_id))
    return render_template("submit/confirm.html", practice=practice, form=form,
                           kind="withdraw")


@bp.route("/<int:practice_id>/delete", methods=["GET", "POST"])
def delete(practice_id: int):
    practice = submissions.get_for(current_user, practice_id)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            raise InvalidTransition(_("The form could not be read; reload the page."))
        submissions.delete_draft(current_user, practice_id)
        flash(_("The draft is deleted."), "success")
        return redirect(url_for("submit.index"))
    if not submissions.can_delete(current_user, practice):
        flash(_("Only a draft that was never submitted can be deleted."), "error")
        return redirect(url_for("submit.detail", practice_id=practice_id))
    return render_template("submit/confirm.html", practice=practice, form=form, kind="delete")

