"""Reviewer and admin use cases: the queue, claim, unclaim, decisions, archiving, the audit log."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb import db, workflow
from kb.errors import PermissionDenied, ValidationFailed
from kb.models import AuditEvent, Practice, PracticeObjective, PracticeRegion, User
from kb.services import indexing, living
from kb.services.messages import _
from kb.services.records import (
    WRITABLE_FIELDS,
    RecordOptions,
    apply_record,
    practice_to_record,
    unique_slug,
)
from kb.services.submissions import Change, perform


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
    """Return submitted practices, oldest submission first (ties by id: a stable order).

    Raises PermissionDenied for non-reviewers.
    """
    _require_reviewer(user)
    query = select(Practice).where(Practice.state == workflow.SUBMITTED)
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
    return list(db.get_session().scalars(
        query.order_by(Practice.submitted_at.asc(), Practice.id.asc())))


def claimed_by(user: User) -> list[Practice]:
    """Return the practices ``user`` has claimed and not yet decided. Raises PermissionDenied."""
    _require_reviewer(user)
    return list(db.get_session().scalars(
        select(Practice).where(Practice.state == workflow.IN_REVIEW,
                               Practice.claimed_by_id == user.id)
        .order_by(Practice.submitted_at.asc(), Practice.id.asc())))


def claim(user: User, practice_id: int, no_conflict: bool) -> Practice:
    """Take a submitted practice for review, declaring no conflict of interest.

    Raises NotFound, PermissionDenied, InvalidTransition, ValidationFailed (no declaration).
    """
    if not no_conflict:
        raise ValidationFailed(_("Declare that you have no conflict of interest to claim it."),
                               {"no_conflict": [_("Tick this box to claim the practice.")]})
    return perform(user, practice_id, "claim",
                   Change(values={"claimed_by_id": user.id}, data={"no_conflict": True}))


def unclaim(user: User, practice_id: int, comment: str = "") -> Practice:
    """Return a claimed practice to the queue. Raises as ``perform``."""
    return perform(user, practice_id, "unclaim",
                   Change(comment=comment or "", values={"claimed_by_id": None}))


def request_changes(user: User, practice_id: int, comment: str) -> Practice:
    """Send the practice back to its submitter with a comment. Raises as ``perform``."""
    return perform(user, practice_id, "request_changes", Change(comment=comment or ""))


def reject(user: User, practice_id: int, reason: str) -> Practice:
    """Refuse the practice with a reason the submitter sees. Raises as ``perform``."""
    return perform(user, practice_id, "reject",
                   Change(comment=reason or "", values={"decision_reason": reason}))


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
    screening checklist. Every criterion must be ticked, or ``override_reason`` say why not;
    the reason is recorded on the audit event. Raises as ``perform``, and ValidationFailed."""
    answers = clean_checklist(checklist)
    data: dict[str, Any] = {"checklist": answers}
    now = db.utcnow()

    def publish(session: Session, practice: Practice, actor: User) -> list[int]:
        # Checked here, after the transition table: a reviewer who may not approve gets 403.
        reason = clean_override(answers, override_reason)
        if reason:
            data["override_reason"] = reason
        if practice.revision_of_id:
            return [_merge_revision(session, practice, actor, answers)]
        if practice.published_at is None:
            practice.slug = unique_slug(session, practice.title, exclude_id=practice.id)
            practice.published_at = now
        return []

    return perform(user, practice_id, "approve",
                   Change(comment=comment or "", data=data,
                          values={"checklist": answers, "last_reviewed_at": now}),
                   before=publish)


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
