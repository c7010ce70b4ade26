"""Living practices: review dates, update requests and the submitters' answers, reminders."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from kb import db
from kb.errors import InvalidTransition
from kb.models import AuditEvent, Practice, User
from kb.services import notifications
from kb.services.messages import _
from kb.services.review_dates import (
    due_condition,
    is_review_due,
    review_cutoff,
)
from kb.services.transitions import Change, perform

log = logging.getLogger("kb.living")


def open_update_requests() -> list[Practice]:
    """Return published practices with an open update request, the oldest request first."""
    return list(db.get_session().scalars(
        select(Practice).where(Practice.is_public, Practice.update_requested_at.is_not(None))
        .order_by(Practice.update_requested_at.asc(), Practice.id.asc())))


def _live_only(session: Session, practice: Practice, _user: User) -> list[int]:
    if practice.revision_of_id:
        raise InvalidTransition(_("This is a proposed update; act on the published practice."))
    return []


def awaits_answer(practice: Practice) -> bool:
    """Return True when the submitter is asked to confirm or update a published practice."""
    return practice.is_public and (practice.update_requested_at is not None
                                   or is_review_due(practice))


LIVING_ACTIONS = ("request_update", "confirm_current")


def offered(practice: Practice, actions: list[str]) -> list[str]:
    """Drop the living actions the table allows but this practice's flags rule out."""
    def fits(action: str) -> bool:
        if action not in LIVING_ACTIONS:
            return True
        if practice.revision_of_id:
            return False
        return action != "request_update" or practice.update_requested_at is None

    return [a for a in actions if fits(a)]


CLOSED_REQUEST = {"update_requested_at": None, "update_requested_by_id": None,
                  "update_request_comment": None}


def request_update(user: User, practice_id: int, comment: str) -> Practice:
    """Ask the submitter to check a published practice; it stays live meanwhile.

    Raises NotFound, PermissionDenied, InvalidTransition (not published, or a request is
    already open), ValidationFailed (no comment).
    """
    text = (comment or "").strip()

    def open_request(session: Session, practice: Practice, actor: User) -> list[int]:
        _live_only(session, practice, actor)
        # Conditional on no open request: of two reviewers asking at once, one wins.
        opened = session.execute(
            update(Practice).where(Practice.id == practice.id,
                                   Practice.update_requested_at.is_(None))
            .values(update_requested_at=db.utcnow(), update_requested_by_id=actor.id,
                    update_request_comment=text or None)
            .execution_options(synchronize_session=False))
        if db.rowcount(opened) != 1:
            raise InvalidTransition(_("An update of this practice has already been requested."))
        return []

    return perform(user, practice_id, "request_update", Change(comment=text),
                   before=open_request)


def confirm_current(user: User, practice_id: int, comment: str = "") -> Practice:
    """Record the submitter's word that the content is still right; close any open request.

    Raises NotFound, PermissionDenied, InvalidTransition.
    """
    return perform(user, practice_id, "confirm_current",
                   Change(comment=comment or "", values={**CLOSED_REQUEST,
                                                         "last_reviewed_at": db.utcnow()}),
                   before=_live_only)


def close_request_on_update(session: Session, live: Practice, actor: User,
                            revision_id: int) -> None:
    """Inside an approval's transaction: an approved update answers the open request."""
    if live.update_requested_at is None:
        return
    for name, value in CLOSED_REQUEST.items():
        setattr(live, name, value)
    session.add(AuditEvent(practice_id=live.id, actor_id=actor.id, action="update_request_closed",
                           from_state=live.state, to_state=live.state,
                           data={"revision_id": revision_id}))


@dataclass
class ReminderReport:
    """What one run of ``remind`` did."""

    reminded: list[int] = field(default_factory=list)
    without_submitter: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"Reminded the submitters of {len(self.reminded)} practice(s) due for review."]
        if self.without_submitter:
            out.append(f"  {len(self.without_submitter)} due practice(s) have no active "
                       "submitter to remind: see the admin page of update requests.")
        return out


def remind(now: dt.datetime | None = None) -> ReminderReport:
    """Email the submitter of each due practice, at most once per review period.

    Each practice is claimed by a conditional update in its own transaction, which also queues
    its mail (sent after the commit), so overlapping runs (cron on two machines) remind each
    submitter once and a reminder is never recorded without its mail.
    """
    report, now = ReminderReport(), now or db.utcnow()
    cutoff = review_cutoff(now)
    if cutoff is None:
        return report
    not_reminded = or_(Practice.review_reminded_at.is_(None), Practice.review_reminded_at < cutoff)
    candidates = list(db.get_session().scalars(
        select(Practice.id).where(Practice.is_public, due_condition(cutoff), not_reminded)
        .order_by(Practice.id)))
    for practice_id in candidates:
        with db.write_transaction() as session:
            practice = session.get(Practice, practice_id, populate_existing=True)
            if practice is None:  # deleted since the candidates were listed
                continue
            submitter = session.get(User, practice.submitter_id) if practice.submitter_id else None
            if submitter is None or not submitter.is_active:
                report.without_submitter.append(practice_id)
                continue
            claimed = session.execute(
                update(Practice).where(Practice.id == practice_id, Practice.is_public,
                                       due_condition(cutoff), not_reminded)
                .values(review_reminded_at=now).execution_options(synchronize_session=False))
            if db.rowcount(claimed) != 1:
                continue
            session.add(AuditEvent(practice_id=practice_id, action="review_reminder",
                                   from_state=practice.state, to_state=practice.state))
            notifications.review_due(practice, submitter)
        report.reminded.append(practice_id)
    log.info("review reminders: %d sent", len(report.reminded))
    return report
