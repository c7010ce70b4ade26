"""Reviewer pages under /review: the queue, claimed items, decisions and, with several
reviewers (KB_REVIEWS_REQUIRED > 1), recommendations and an admin adding a reviewer."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kb import taxonomy, workflow
from kb.errors import ValidationFailed
from kb.forms import add_field_errors, choices
from kb.forms.practices import (
    CHECKLIST_LABELS,
    ActionForm,
    AddReviewerForm,
    ClaimForm,
    DecisionForm,
    checklist_from,
    field_labels,
)
from kb.i18n import current_locale
from kb.models import Practice
from kb.schemas import ACTIONS
from kb.security import roles_required
from kb.services import (
    calls,
    peer_review,
    review_counts,
    review_timeline,
    reviews,
    revisions,
    submissions,
)
from kb.services import users as user_service
from kb.services.actions import HANDLERS
from kb.views.boundary import whole_number

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.before_request
@login_required
def _reviewers_only() -> None:
    """Every page here is for reviewers and admins."""
    if current_user.role not in workflow.REVIEWER_ROLES:
        abort(403)


def _queue_filter() -> reviews.QueueFilter:
    objective = whole_number(request.args.get("objective"), len(taxonomy.OBJECTIVES))
    region = request.args.get("region", "")
    language = request.args.get("language", "")
    return reviews.QueueFilter(
        objective=objective,
        region=region if taxonomy.is_valid("region", region) else None,
        language=language if taxonomy.is_valid("language", language) else None,
        call=request.args["call"] if calls.is_slug(request.args.get("call")) else None)


@bp.get("/")
def queue():
    filters = _queue_filter()
    items, mine = reviews.queue(current_user, filters), reviews.claimed_by(current_user)
    several = review_counts.required() > 1
    return render_template(
        "review/queue.html", items=items, filters=filters, mine=mine,
        progress=peer_review.counts([*items, *mine]) if several else {},
        deciding=peer_review.waiting_decision(current_user)
        if several and current_user.role == "admin" else [],
        objective_choices=[(str(code), f"{code}. {name}")
                           for code, name in taxonomy.choices("objective", current_locale())],
        region_choices=choices("region"), language_choices=choices("language"),
        call_choices=[(c.slug, c.title) for c in calls.list_calls().all()],
        actor_for=submissions.actor_for)


@bp.get("/mine")
def mine():
    return render_template("review/mine.html", items=reviews.claimed_by(current_user))


@bp.get("/<int:practice_id>")
def detail(practice_id: int):
    return _render_detail(practice_id)


def _render_detail(practice_id: int, claim_form: ClaimForm | None = None,
                   decision_form: DecisionForm | None = None,
                   add_form: AddReviewerForm | None = None, status: int = 200):
    practice = submissions.get_for(current_user, practice_id)
    live = revisions.live_of(practice)
    standing = review_counts.standing(current_user, practice)
    allowed = standing.allowed(practice.state)
    several = not standing.tally.single
    return render_template(
        "review/detail.html", practice=practice, live=live,
        changes=revisions.diff(live, practice) if live else [],
        allowed=allowed, standing=standing,
        decisions=[d for d in workflow.RECOMMENDATIONS if d in allowed or "recommend" in allowed],
        # With one reviewer the claimer decides ("Approve and publish", "Record decision"),
        # although the table also accepts a recommendation from them.
        recommending=several and "recommend" in allowed,
        reviews=peer_review.visible_reviews(current_user, practice) if several else [],
        progress=peer_review.counts([practice])[practice.id] if several else None,
        add_form=_with_candidates(add_form or AddReviewerForm(), practice, allowed),
        claim_form=claim_form or ClaimForm(), decision_form=decision_form or DecisionForm(),
        action_form=ActionForm(), checklist_labels=CHECKLIST_LABELS,
        field_labels=field_labels(),
        events=review_timeline.visible_timeline(current_user, practice)), status


def _with_candidates(form: AddReviewerForm, practice: Practice,
                     allowed: list[str]) -> AddReviewerForm:
    """Offer the reviewers an admin may add (only when adding one is allowed now)."""
    found = (user_service.eligible_reviewers(current_user, practice.organization_id)
             if "add_reviewer" in allowed else [])
    form.reviewer.choices = [("", _("Choose a reviewer"))] + [
        (str(u.id), _("%(name)s (internal)", name=u.name) if u.internal else u.name)
        for u in found]
    return form


@bp.post("/<int:practice_id>/claim")
def claim(practice_id: int):
    form = ClaimForm()
    form.validate_on_submit()
    try:
        reviews.claim(current_user, practice_id, bool(form.no_conflict.data))
    except ValidationFailed as exc:
        add_field_errors(form, exc.fields)
        return _render_detail(practice_id, claim_form=form, status=422)
    flash(_("You claimed this practice. Record your recommendation once you have reviewed it.")
          if review_counts.required() > 1 else
          _("You claimed this practice. Nobody else can decide on it while you review it."),
          "success")
    return redirect(url_for("review.detail", practice_id=practice_id))


@bp.post("/<int:practice_id>/unclaim")
def unclaim(practice_id: int):
    form = ActionForm()
    form.validate_on_submit()
    reviews.unclaim(current_user, practice_id, form.comment.data or "")
    flash(_("The practice is back in the queue."), "success")
    return redirect(url_for("review.queue"))


# The decisions the page offers: the actions of kb.schemas.ACTIONS named like the
# recommendations, dispatched as the write API dispatches them.
DECISIONS = {name: HANDLERS[name] for name in workflow.RECOMMENDATIONS if name in ACTIONS}


def _action_for(practice_id: int, decision: str) -> str:
    """The decision itself (one reviewer, or an admin settling a split), or, when several
    reviewers review the practice, the reviewer's recommendation."""
    practice = submissions.get_for(current_user, practice_id)
    allowed = review_counts.standing(current_user, practice).allowed(practice.state)
    return "recommend" if decision not in allowed and "recommend" in allowed else decision


@bp.post("/<int:practice_id>/decide")
def decide(practice_id: int):
    form = DecisionForm()
    form.validate_on_submit()
    decision = form.decision.data
    body = {"recommendation": decision, "checklist": checklist_from(form),
            "comment": form.comment.data or "", "override_reason": form.override_reason.data}
    try:
        if decision not in DECISIONS:
            raise ValidationFailed(_("Choose a decision."),
                                   {"decision": [_("Choose a decision.")]})
        action = _action_for(practice_id, decision)
        HANDLERS[action](current_user, practice_id, body)
    except ValidationFailed as exc:
        add_field_errors(form, exc.fields)
        return _render_detail(practice_id, decision_form=form, status=422)
    if action == "recommend":
        flash(_("Your recommendation is recorded. The other reviewers' recommendations are "
                "shown with it."), "success")
        return redirect(url_for("review.detail", practice_id=practice_id))
    flash(_("Decision saved; the submitter has been told."), "success")
    return redirect(url_for("review.queue"))


@bp.post("/<int:practice_id>/reviewers")
@roles_required("admin")
def add_reviewer(practice_id: int):
    form = AddReviewerForm()
    form.validate_on_submit()
    try:
        practice = reviews.add_reviewer(current_user, practice_id,
                                        whole_number(form.reviewer.data))
    except ValidationFailed as exc:
        add_field_errors(form, exc.fields)
        return _render_detail(practice_id, add_form=form, status=422)
    flash(_("Reviewer added: they have been asked to review “%(title)s”.",
            title=practice.title), "success")
    return redirect(url_for("review.detail", practice_id=practice_id))
