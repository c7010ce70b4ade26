"""Reviewer and admin use cases: the queue, claim, unclaim, decisions (one reviewer) and
recommendations (several: DESIGN.md section 8), an admin adding a reviewer, archiving, the
audit log."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from kb import db, workflow
from kb.errors import PermissionDenied, ValidationFailed
from kb.models import AuditEvent, Practice, PracticeObjective, PracticeRegion, Review, User
from kb.services import indexing, living, peer_review, review_counts
from kb.services.messages import _
from kb.services.records import (
    WRITABLE_FIELDS,
    RecordOptions,
    apply_record,
    practice_to_record,
    unique_slug,
)
from kb.services.transitions import Change, perform


@dataclass(frozen=True)
class QueueFilter:
    """Narrow the review queue."""

    objective: int | None = None
    region: str | None = None
    language: str | None = None
    call: str | None = None  # a call's slug


def _require_reviewer(user: User) -> None:
    if user.role not in workflow.REVIEWER_ROLES:
        raise PermissionDenied(_("Only reviewers may open the review queue."))


def queue(user: User, filters: QueueFilter = QueueFilter()) -> list[Practice]:
    """Return the practices waiting for a reviewer, oldest submission first (ties by id: a
    stable order): submitted ones and, with several reviewers, those in review with a slot
    left (kb.services.peer_review.counts gives each one's counts).

    Raises PermissionDenied for non-reviewers.
    """
    _require_reviewer(user)
    query = select(Practice).where(Practice.state == workflow.SUBMITTED)
    if review_counts.required() > 1:
        query = select(Practice).where(Practice.state.in_((workflow.SUBMITTED,
                                                           workflow.IN_REVIEW)))
    if filters.objective:
        query = query.where(Practice.id.in_(select(PracticeObjective.practice_id).where(
            PracticeObjective.code == filters.objective)))
    if filters.region:
        query = query.where(Practice.id.in_(select(PracticeRegion.practice_id).where(
            PracticeRegion.code == filters.region)))
    if filters.language:
        query = query.where(Practice.language == filters.language)
    if filters.call:
        query = query.where(Practice.call_slug == filters.call)
    found = list(db.get_session().scalars(
        query.order_by(Practice.submitted_at.asc(), Practice.id.asc())))
    if review_counts.required() == 1:
        return found
    return [p for p in found if p.state == workflow.SUBMITTED
            or workflow.can(p.state, "claim", *_standing(user, p))]


def _standing(user: User, practice: Practice) -> tuple[workflow.Actor, workflow.Tally]:
    standing = review_counts.standing(user, practice)
    return standing.actor, standing.tally


def claimed_by(user: User) -> list[Practice]:
    """Return the practices ``user`` has claimed and not yet decided or recommended on.

    Raises PermissionDenied.
    """
    _require_reviewer(user)
    open_claim = exists().where(Review.practice_id == Practice.id,
                                Review.round == Practice.review_round,
                                Review.reviewer_id == user.id, Review.claimed_at.is_not(None),
                                Review.withdrawn_at.is_(None), Review.recommendation.is_(None))
    return list(db.get_session().scalars(
        select(Practice).where(Practice.state == workflow.IN_REVIEW,
                               (Practice.claimed_by_id == user.id) | open_claim)
        .order_by(Practice.submitted_at.asc(), Practice.id.asc())))


def claim(user: User, practice_id: int, no_conflict: bool) -> Practice:
    """Take a submitted practice for review, declaring no conflict of interest.

    Raises NotFound, PermissionDenied, InvalidTransition, ValidationFailed (no declaration).
    """
    if not no_conflict:
        raise ValidationFailed(_("Declare that you have no conflict of interest to claim it."),
                               {"no_conflict": [_("Tick this box to claim the practice.")]})
    change = Change(data={"no_conflict": True})

    def take(session: Session, practice: Practice, actor: User) -> list[int]:
        peer_review.claim_row(session, practice, actor)
        if change.tally.single:
            change.values["claimed_by_id"] = actor.id
        return []

    return perform(user, practice_id, "claim", change, before=take)


def unclaim(user: User, practice_id: int, comment: str = "") -> Practice:
    """Give back one's claim before recording (the slot is free again); an admin frees the
    unrecorded claims. Raises as ``perform``."""
    def give_back(session: Session, practice: Practice, actor: User) -> list[int]:
        peer_review.release_rows(session, practice, actor)
        return []

    return perform(user, practice_id, "unclaim",
                   Change(comment=comment or "", values={"claimed_by_id": None}),
                   before=give_back)


def _recorded_as(recommendation: str, comment: str) -> Any:
    # With one reviewer the decision is also their recommendation of the round.
    def write(session: Session, practice: Practice, actor: User) -> list[int]:
        peer_review.record(session, practice, actor, recommendation, comment)
        return []

    return write


def request_changes(user: User, practice_id: int, comment: str) -> Practice:
    """Send the practice back to its submitter with a comment (one reviewer).

    Raises as ``perform``.
    """
    return perform(user, practice_id, "request_changes", Change(comment=comment or ""),
                   before=_recorded_as("request_changes", comment or ""))


def reject(user: User, practice_id: int, reason: str) -> Practice:
    """Refuse the practice with a reason the submitter sees: the reviewer's decision (one
    reviewer) or an admin's (reviewers disagreed). Raises as ``perform``."""
    def write(session: Session, practice: Practice, actor: User) -> list[int]:
        if practice.state == workflow.IN_REVIEW:
            peer_review.record(session, practice, actor, "reject", reason or "")
        return []

    return perform(user, practice_id, "reject",
                   Change(comment=reason or "", values={"decision_reason": reason}),
                   before=write)


def clean_checklist(checklist: Any) -> dict[str, bool]:
    """Return the Hub's screening checklist as {key: bool}. Raises ValidationFailed."""
    if checklist is None:
        checklist = {}
    if not isinstance(checklist, dict):
        raise ValidationFailed(_("The checklist must be an object."),
                               {"checklist": [_("Expected an object of true/false answers.")]})
    unknown = sorted(set(checklist) - set(workflow.CHECKLIST_KEYS))
    if unknown:
        raise ValidationFailed(_("Unknown checklist items."),
                               {"checklist": ["Unknown: " + ", ".join(unknown)[:200] + "."]})
    return {key: checklist.get(key) is True for key in workflow.CHECKLIST_KEYS}


def clean_override(answers: dict[str, bool], override_reason: Any) -> str:
    """Return the reason to approve despite unticked criteria ("" when all are ticked).

    Raises ValidationFailed naming ``override_reason`` (and the unticked ``checklist`` items)
    when a criterion is unticked and no reason is given.
    """
    if override_reason is None:
        override_reason = ""
    if not isinstance(override_reason, str):
        raise ValidationFailed(_("The override reason must be text."),
                               {"override_reason": [_("Must be text.")]})
    unticked = [key for key, ticked in answers.items() if not ticked]
    if not unticked:
        return ""
    if not override_reason.strip():
        raise ValidationFailed(
            _("Tick every screening criterion, or give the reason to approve without them."),
            {"checklist": [_("Not ticked: %(items)s.", items=", ".join(unticked))],
             "override_reason": [_("Required when a screening criterion is not ticked: say "
                                   "why this practice is approved anyway.")]})
    return override_reason.strip()


def approve(user: User, practice_id: int, checklist: Any = None, comment: str = "",
            override_reason: Any = "") -> Practice:
    """Publish the practice (or merge an approved update into the live one), recording the
    screening checklist: the reviewer's decision (one reviewer) or an admin's (reviewers
    disagreed). Every criterion must be ticked, or ``override_reason`` say why not; the
    reason is recorded on the audit event. Raises as ``perform``, and ValidationFailed."""
    answers = clean_checklist(checklist)
    data: dict[str, Any] = {"checklist": answers}

    def write(session: Session, practice: Practice, actor: User) -> list[int]:
        # Checked here, after the transition table: a reviewer who may not approve gets 403.
        reason = clean_override(answers, override_reason)
        if reason:
            data["override_reason"] = reason
        if practice.state == workflow.IN_REVIEW:
            peer_review.record(session, practice, actor, "approve", comment or "", answers,
                               reason)
        return publish(session, practice, actor, answers)

    return perform(user, practice_id, "approve",
                   Change(comment=comment or "", data=data,
                          values={"checklist": answers, "last_reviewed_at": db.utcnow()}),
                   before=write)


def publish(session: Session, practice: Practice, actor: User,
            answers: dict[str, bool]) -> list[int]:
    """Make an approved practice public (or merge an approved update into the live one);
    returns the ids of other practices whose index entry changed. Inside ``perform``."""
    if practice.revision_of_id:
        return [_merge_revision(session, practice, actor, answers)]
    if practice.published_at is None:
        practice.slug = unique_slug(session, practice.title, exclude_id=practice.id)
        practice.published_at = db.utcnow()
    return []


def recommend(user: User, practice_id: int, recommendation: Any, checklist: Any = None,
              comment: str = "", override_reason: Any = "") -> Practice:
    """Record a reviewer's recommendation; the last one of the round settles the outcome
    (published, changes_requested, rejected or needs_decision) by the workflow table.

    An approval follows the approve rule: every checklist criterion ticked, or a reason.
    Raises NotFound, PermissionDenied, InvalidTransition, ValidationFailed.
    """
    if recommendation not in workflow.RECOMMENDATIONS:
        raise ValidationFailed(_("Choose a recommendation."), {"recommendation": [_(
            "One of: %(choices)s.", choices=", ".join(workflow.RECOMMENDATIONS))]})
    comment = comment or ""
    if recommendation != "approve" and not comment.strip():
        raise ValidationFailed(_("Say why: a comment is required for this recommendation."),
                               {"comment": [_("A comment is required.")]})
    answers = clean_checklist(checklist) if recommendation == "approve" else None
    change = Change(comment=comment, recommendation=recommendation,
                    data={"recommendation": recommendation})

    def write(session: Session, practice: Practice, actor: User) -> list[int]:
        reason = clean_override(answers, override_reason) if answers is not None else ""
        if answers is not None:
            change.data = {**(change.data or {}), "checklist": answers,
                           **({"override_reason": reason} if reason else {})}
        peer_review.record(session, practice, actor, recommendation, comment, answers, reason)
        if change.target == workflow.PUBLISHED:
            rows = review_counts.round_rows(session, practice)
            agreed = {key: all((r.checklist or {}).get(key) for r in rows
                               if r.active and r.recommendation == "approve")
                      for key in workflow.CHECKLIST_KEYS}
            change.values.update(checklist=agreed, last_reviewed_at=db.utcnow())
            return publish(session, practice, actor, agreed)
        if change.target == workflow.REJECTED:
            change.values["decision_reason"] = _round_comments(session, practice, "reject")
        return []

    return perform(user, practice_id, "recommend", change, before=write)


def _round_comments(session: Session, practice: Practice, recommendation: str) -> str:
    rows = review_counts.round_rows(session, practice)
    return "\n\n".join(r.comment for r in rows
                       if r.active and r.recommendation == recommendation and r.comment)


def add_reviewer(user: User, practice_id: int, reviewer_id: Any) -> Practice:
    """An admin adds a reviewer to a practice that needs a decision: one more slot, kept for
    them (they still declare no conflict when they claim it); their recommendation counts
    toward the approvals required. Raises as ``perform``."""
    if isinstance(reviewer_id, bool) or not isinstance(reviewer_id, int):
        raise ValidationFailed(_("Choose the reviewer to add."),
                               {"reviewer": [_("Choose a reviewer.")]})

    change = Change()

    def add(session: Session, practice: Practice, _admin: User) -> list[int]:
        reviewer = session.get(User, reviewer_id)
        if reviewer is None or not reviewer.is_active or reviewer.role not in \
                workflow.REVIEWER_ROLES:
            raise ValidationFailed(_("Choose the reviewer to add."),
                                   {"reviewer": [_("No active reviewer has this number.")]})
        who = review_counts.actor(reviewer, practice, review_counts.round_rows(session,
                                                                               practice))
        if who.is_submitter or who.same_organization:
            raise ValidationFailed(_("Choose the reviewer to add."), {"reviewer": [_(
                "A reviewer of the submitter's organization cannot review this practice.")]})
        if who.is_claimer or who.reserved:
            raise ValidationFailed(_("Choose the reviewer to add."), {"reviewer": [_(
                "This reviewer already reviews this practice.")]})
        until = db.utcnow() + review_counts.RESERVATION
        row = review_counts.row_of(review_counts.round_rows(session, practice), reviewer)
        if row is None:
            session.add(Review(practice_id=practice.id, reviewer_id=reviewer.id,
                               round=practice.review_round, reserved_until=until,
                               internal=review_counts.is_internal(reviewer)))
        else:  # gave back a claim earlier in this round: asked again
            row.reserved_until, row.claimed_at, row.withdrawn_at = until, None, None
            row.internal = review_counts.is_internal(reviewer)
        practice.reviewers_added += 1
        change.data = {"reviewer_id": reviewer.id}
        return []

    return perform(user, practice_id, "add_reviewer", change, before=add)



def _merge_revision(session: Session, revision: Practice, actor: User,
                    answers: dict[str, bool]) -> int:
    # The live row keeps its id, slug and publication date; only the content is replaced.
    # The revision row stays, closed as "published", as the record of this update.
    live = db.get_or_404(session, Practice, revision.revision_of_id)
    record = practice_to_record(revision, RecordOptions(include_private_contact=True))
    apply_record(live, {name: record[name] for name in WRITABLE_FIELDS})
    live.last_reviewed_at = db.utcnow()
    live.checklist = answers
    session.add(AuditEvent(practice_id=live.id, actor_id=actor.id, action="update_approved",
                           from_state=live.state, to_state=live.state,
                           data={"revision_id": revision.id}))
    living.close_request_on_update(session, live, actor, revision.id)
    indexing.record_change(session, live)
    return live.id


def archive(user: User, practice_id: int, reason: str) -> Practice:
    """Take a published practice out of search, keeping its page with the reason (admin).

    Raises as ``perform``.
    """
    return perform(user, practice_id, "archive",
                   Change(comment=reason or "", values={"decision_reason": reason}))


def unarchive(user: User, practice_id: int, comment: str = "") -> Practice:
    """Publish an archived practice again (admin). Raises as ``perform``."""
    return perform(user, practice_id, "unarchive",
                   Change(comment=comment or "", values={"decision_reason": None}))


@dataclass(frozen=True)
class AuditFilter:
    """Narrow the audit log."""

    action: str | None = None
    actor_id: int | None = None
    practice_id: int | None = None
    limit: int = 200


def audit_log(user: User, filters: AuditFilter = AuditFilter()) -> list[AuditEvent]:
    """Return audit events, newest first. Raises PermissionDenied unless the user is an admin."""
    if user.role != "admin":
        raise PermissionDenied(_("Only admins may read the audit log."))
    query = select(AuditEvent)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor_id:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.practice_id:
        query = query.where(AuditEvent.practice_id == filters.practice_id)
    return list(db.get_session().scalars(
        query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(max(1, min(filters.limit, 1000)))))


def practices_for_admin(state: str | None = None) -> list[Practice]:
    """Return published and archived practices (not revisions) for the archive page."""
    states = [state] if state in (workflow.PUBLISHED, workflow.ARCHIVED) else [
        workflow.PUBLISHED, workflow.ARCHIVED]
    return list(db.get_session().scalars(
        select(Practice).where(Practice.state.in_(states), Practice.revision_of_id.is_(None))
        .order_by(Practice.title)))
