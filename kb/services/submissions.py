"""Submitter use cases: drafts, submit, withdraw, delete a draft, propose an update, the
timeline. State changes go through kb.services.transitions.perform."""
from __future__ import annotations

import logging
import secrets
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kb import db, workflow
from kb.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from kb.models import AuditEvent, Practice, User
from kb.services import calls, peer_review, review_counts
from kb.services.messages import _
from kb.services.records import (
    LIST_FIELDS,
    WRITABLE_FIELDS,
    RecordOptions,
    apply_record,
    practice_to_record,
    unique_slug,
)
from kb.services.transitions import Change, load, perform
from kb.services.validation import validate_record

log = logging.getLogger("kb.security")


def actor_for(user: User, practice: Practice) -> workflow.Actor:
    """Describe ``user`` by their relation to ``practice`` for the transition table."""
    return review_counts.standing(user, practice).actor


def get_for(user: User, practice_id: int) -> Practice:
    """Return a practice the user may open (submitter: own; reviewers: all but drafts)."""
    return load(db.get_session(), user, practice_id)


def _audit(session: Session, practice: Practice, user: User, action: str,
           data: dict[str, Any] | None = None) -> None:
    session.add(AuditEvent(practice_id=practice.id, actor_id=user.id, action=action,
                           from_state=practice.state, to_state=practice.state, data=data))


def create_draft(user: User, record: Any, submit: bool = False) -> Practice:
    """Create a draft owned by ``user``; with ``submit`` check completeness first, then submit.

    Raises ValidationFailed (nothing is created when a requested submission is incomplete).
    """
    clean = validate_record(record, complete=submit, with_submit=True)
    with db.write_transaction() as session:
        practice = Practice(state=workflow.DRAFT, submitter_id=user.id,
                            organization_id=user.organization_id)
        apply_record(practice, clean)
        if submit:
            calls.check_answerable(session, practice.call_slug)
        practice.slug = unique_slug(session, practice.title or "practice")
        session.add(practice)
        session.flush()
        _audit(session, practice, user, "create")
    return submit_practice(user, practice.id) if submit else practice


def problems(record: Any, complete: bool = True) -> dict[str, list[str]]:
    """Return every per-field problem of ``record`` (empty when it could be submitted)."""
    try:
        validate_record(record, complete=complete)
    except ValidationFailed as exc:
        return exc.fields
    return {}


def update_draft(user: User, practice_id: int, record: Any) -> Practice:
    """Save changes to a draft or a practice sent back for changes.

    Raises NotFound, InvalidTransition (not editable now), PermissionDenied, ValidationFailed.
    """
    clean = validate_record(record, complete=False)
    with db.write_transaction() as session:
        practice = load(session, user, practice_id)
        if not actor_for(user, practice).is_submitter:
            raise PermissionDenied(_("Only the submitter may edit this practice."))
        result = session.execute(
            update(Practice).where(Practice.id == practice.id,
                                   Practice.state.in_(workflow.EDITABLE_STATES))
            .values(updated_at=db.utcnow()).execution_options(synchronize_session=False))
        if db.rowcount(result) != 1:
            raise InvalidTransition(_not_editable_message(practice))
        before = _comparable(practice)
        apply_record(practice, clean)
        if practice.published_at is None and not practice.revision_of_id and practice.title:
            practice.slug = unique_slug(session, practice.title, exclude_id=practice.id)
        changed = sorted(k for k, v in _comparable(practice).items() if before.get(k) != v)
        if changed:
            _audit(session, practice, user, "edit", {"fields": changed})
    return practice


def _not_editable_message(practice: Practice) -> str:
    if practice.state == workflow.PUBLISHED:
        return "This practice is published: propose an update instead."
    return (f"A practice that is {practice.state.replace('_', ' ')} cannot be edited; "
            "withdraw it or wait for the reviewer.")


def _content(practice: Practice) -> dict[str, Any]:
    record = practice_to_record(practice, RecordOptions(include_private_contact=True))
    return {name: record[name] for name in WRITABLE_FIELDS}


def _comparable(practice: Practice) -> dict[str, Any]:
    # Lists of codes are sets: the form sends them in label order, the database in code order.
    content = _content(practice)
    for name in LIST_FIELDS:
        content[name] = sorted(map(str, content[name]))
    return content


def missing(practice: Practice) -> dict[str, list[str]]:
    """Return what the saved practice still lacks before it can be submitted, per field."""
    return problems(_content(practice), complete=True)


def submit_practice(user: User, practice_id: int) -> Practice:
    """Send a complete draft to the review queue.

    Raises NotFound, PermissionDenied, InvalidTransition, ValidationFailed (per field).
    """
    def check_complete(session: Session, practice: Practice, _user: User) -> list[int]:
        validate_record(_content(practice), complete=True)
        _check_call(session, practice)
        peer_review.start_round(session, practice)
        return []

    return perform(user, practice_id, "submit",
                   Change(values={"submitted_at": db.utcnow(), "claimed_by_id": None}),
                   before=check_complete)


def _check_call(session: Session, practice: Practice) -> None:
    """Refuse a submission to a call that is not open (an update keeps its live link)."""
    live = session.get(Practice, practice.revision_of_id) if practice.revision_of_id else None
    if live is not None and live.call_slug == practice.call_slug:
        return
    earlier = practice.submitted_at.date() if practice.submitted_at else None
    calls.check_answerable(session, practice.call_slug, earlier)


def withdraw(user: User, practice_id: int, comment: str = "") -> Practice:
    """Withdraw one's own practice before a decision. Raises as ``perform``."""
    return perform(user, practice_id, "withdraw", Change(comment=comment or ""))


def can_delete(user: User, practice: Practice) -> bool:
    """Return True if ``user`` may delete ``practice``: their own draft, never submitted."""
    return (actor_for(user, practice).is_submitter and practice.state == workflow.DRAFT
            and practice.submitted_at is None)


def delete_draft(user: User, practice_id: int) -> None:
    """Delete one's own draft that was never submitted; its audit events stay, unlinked, with
    a "delete_draft" event naming it.

    Raises NotFound, PermissionDenied, InvalidTransition.
    """
    with db.write_transaction() as session:
        practice = load(session, user, practice_id)
        if not actor_for(user, practice).is_submitter:
            raise PermissionDenied(_("Only the submitter may delete this draft."))
        # Conditional, like every state change: a submit racing this delete wins or loses whole.
        result = session.execute(
            update(Practice).where(Practice.id == practice.id, Practice.state == workflow.DRAFT,
                                   Practice.submitted_at.is_(None))
            .values(updated_at=db.utcnow()).execution_options(synchronize_session=False))
        if db.rowcount(result) != 1:
            raise InvalidTransition(_("Only a draft that was never submitted can be deleted; "
                                      "withdraw it instead."))
        session.execute(update(AuditEvent).where(AuditEvent.practice_id == practice.id)
                        .values(practice_id=None).execution_options(synchronize_session=False))
        session.add(AuditEvent(practice_id=None, actor_id=user.id, action="delete_draft",
                               from_state=workflow.DRAFT, to_state=None,
                               data={"practice_id": practice.id, "title": practice.title}))
        session.delete(practice)
    log.info("practice %s: draft deleted by user %s", practice_id, user.id)


def propose_update(user: User, practice_id: int) -> Practice:
    """Open (or return the open) pending revision of one's published practice.

    The published version stays live until the revision is approved.
    Raises NotFound, PermissionDenied, InvalidTransition.
    """
    with db.write_transaction() as session:
        live = session.get(Practice, practice_id, populate_existing=True)
        if live is None or live.revision_of_id is not None:
            raise NotFound(_("No published practice has this number."))
        if live.submitter_id != user.id:
            raise PermissionDenied(_("Only the submitter may propose an update."))
        if live.state != workflow.PUBLISHED:
            raise InvalidTransition(_("Only a published practice can be updated."))
        existing = open_revision(session, live.id)
        if existing is not None:
            return existing
        revision = Practice(state=workflow.DRAFT, revision_of_id=live.id,
                            submitter_id=live.submitter_id, organization_id=live.organization_id,
                            slug=f"{live.slug[:180]}-revision-{secrets.token_hex(4)}")
        apply_record(revision, _content(live))
        session.add(revision)
        session.flush()
        _audit(session, revision, user, "propose_update", {"revision_of": live.id})
    return revision


def open_revision(session: Session, live_id: int) -> Practice | None:
    """Return the pending (not yet closed) revision of a published practice, if any."""
    return session.scalar(select(Practice).where(
        Practice.revision_of_id == live_id,
        Practice.state.not_in(workflow.CLOSED_STATES)).order_by(Practice.id.desc()).limit(1))


def list_mine(user: User) -> list[Practice]:
    """Return the user's practices (and pending updates), newest change first."""
    return list(db.get_session().scalars(
        select(Practice).where(Practice.submitter_id == user.id)
        .order_by(Practice.updated_at.desc(), Practice.id.desc())))


def timeline(practice_id: int) -> list[AuditEvent]:
    """Return the practice's review events, newest first (never shown to the public)."""
    return list(db.get_session().scalars(
        select(AuditEvent).where(AuditEvent.practice_id == practice_id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())))
