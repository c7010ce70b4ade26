"""The one place where a practice changes state: the transition engine.

``perform`` takes an action in one transaction: it locks the practice with a conditional
``UPDATE ... WHERE state`` (two concurrent deciders: exactly one goes on, the other gets a 409;
on PostgreSQL the second waits for the first, so the counts it reads afterwards are current),
reads the review round, asks kb.workflow for the new state, runs the use case's own writes,
records the audit event and queues the mail in the same transaction, and updates the search
index after the commit (kb.mail delivers the mail after the commit).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, inspect, select, update
from sqlalchemy.orm import Session, lazyload

from kb import db, workflow
from kb.errors import InvalidTransition, NotFound, ValidationFailed
from kb.models import AuditEvent, Practice, User
from kb.services import indexing, notifications, review_counts
from kb.services.messages import _

log = logging.getLogger("kb.security")


@dataclass
class Change:
    """What a state change asks for besides the new state."""

    comment: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # extra columns to set with the state
    data: dict[str, Any] | None = None  # recorded on the audit event (e.g. the checklist)
    recommendation: str | None = None  # what `recommend` records (the table's counts use it)
    # Filled in by perform before `before` runs: the state the action leads to, and the counts.
    target: str = ""
    tally: workflow.Tally = field(default_factory=workflow.Tally)


# before(session, practice, user) -> ids of other practices whose index entry changed.
Before = Callable[[Session, Practice, User], list[int]]


def can_view(user: User, practice: Practice) -> bool:
    """Return True if ``user`` may open ``practice`` outside the public site."""
    return _may_view(user, practice.submitter_id, practice.state)


def _may_view(user: User, submitter_id: int | None, state: str) -> bool:
    if submitter_id == user.id:
        return True
    return user.role in workflow.REVIEWER_ROLES and state != workflow.DRAFT


def load(session: Session, user: User, practice_id: int, options: Sequence[Any] = ()
         ) -> Practice:
    """Re-read the practice inside the transaction (with loader ``options``, if any). Raises
    NotFound if the user may not see it."""
    practice = session.get(Practice, practice_id, populate_existing=True, options=options)
    if practice is None or not can_view(user, practice):
        raise NotFound(_("No practice of yours has this number."))
    return practice


def _visible_state(session: Session, user: User, practice_id: int) -> str:
    """Return the practice's state, read with the two columns that say whether ``user`` may
    see it (the whole practice is read after the lock). Raises NotFound as ``load``."""
    row = session.execute(_VISIBILITY, {"practice_id": practice_id}).first()
    if row is None or not _may_view(user, row.submitter_id, row.state):
        raise NotFound(_("No practice of yours has this number."))
    return str(row.state)


def perform(user: User, practice_id: int, action: str, change: Change | None = None,
            before: Before | None = None) -> Practice:
    """Take ``action`` on the practice in one transaction (mail queued in it); index after.

    ``before(session, practice, user)`` runs checks or extra writes inside the transaction,
    once the new state is known (``change.target``). Raises NotFound, PermissionDenied,
    InvalidTransition, ValidationFailed.
    """
    change = change or Change()
    with db.write_transaction() as session:
        actor = session.get(User, user.id, populate_existing=True)
        if actor is None:
            raise NotFound(_("No practice of yours has this number."))
        user = actor
        from_state = _visible_state(session, user, practice_id)  # a 404 before any lock
        _lock(session, practice_id, from_state)
        practice = load(session, user, practice_id, _COLLECTIONS_ON_USE)  # the row is ours
        standing = review_counts.standing(user, practice, session)
        try:
            to_state = workflow.next_state(from_state, action, standing.actor, standing.tally,
                                           change.recommendation)
        except InvalidTransition as exc:  # a count's refusal reads in the user's language
            raise InvalidTransition(_(exc.message)) from None
        if workflow.needs_comment(action) and not change.comment.strip():
            raise ValidationFailed(_("Say why: a comment is required for this decision."),
                                   {"comment": [_("A comment is required.")]})
        change.target, change.tally = to_state, standing.tally
        index_ids = before(session, practice, user) if before else []
        session.flush()
        _set_state(session, practice, from_state, to_state, change.values)
        session.add(AuditEvent(practice_id=practice.id, actor_id=user.id, action=action,
                               from_state=from_state, to_state=to_state,
                               comment=change.comment.strip() or None, data=change.data))
        # Any change to a live published practice (or to whether it is published) reaches
        # the index: its document carries updated_at.
        if workflow.PUBLISHED in (from_state, to_state) and not practice.revision_of_id:
            indexing.record_change(session, practice)
            index_ids = [*index_ids, practice.id]
        notifications.state_changed(practice, action, user, change.comment.strip(),
                                    standing.tally)
    log.info("practice %s: %s by user %s (%s -> %s)", practice.id, action, user.id, from_state,
             to_state)
    if index_ids:
        indexing.apply_changes(index_ids)
    return practice


def _lock(session: Session, practice_id: int, expected: str) -> None:
    # The WHERE on the state makes two concurrent deciders safe on any database: exactly one
    # update matches, the other sees 0 rows and gets a 409. It comes first, so the practice
    # and the review rows read after it are those the previous holder of the row lock
    # committed.
    result = session.execute(_LOCK, {"practice_id": practice_id, "expected": expected,
                                     "now": db.utcnow()})
    if db.rowcount(result) != 1:
        raise InvalidTransition(
            _("Someone else changed this practice a moment ago; reload it."))


# Built once, as every action runs them: building and keying a statement costs more than
# running it.
_VISIBILITY = select(Practice.submitter_id, Practice.state).where(
    Practice.id == bindparam("practice_id"))
_LOCK = (update(Practice)
         .where(Practice.id == bindparam("practice_id"), Practice.state == bindparam("expected"))
         .values(updated_at=bindparam("now"))
         .execution_options(synchronize_session=False))


def _set_state(session: Session, practice: Practice, expected: str, new: str,
               values: dict[str, Any]) -> None:
    result = session.execute(
        update(Practice).where(Practice.id == practice.id, Practice.state == expected)
        .values(state=new, updated_at=db.utcnow(), **values)
        .execution_options(synchronize_session=False))
    if db.rowcount(result) != 1:
        raise InvalidTransition(
            _("Someone else changed this practice a moment ago; reload it."))
    # Only the row's columns can have changed since the practice was read after the lock
    # (this UPDATE, and those of ``before``): they are read again in one query; its code and
    # link rows, which no ``before`` changes, stay as they are (read, or read on use); its
    # many-to-one relationships expire, as a full refresh leaves them (loaded again on use).
    session.refresh(practice, _COLUMNS)
    session.expire(practice, _MANY_TO_ONE)


# The practice's code and link collections, read when used: most actions use none of them.
_COLLECTIONS_ON_USE = [lazyload(getattr(Practice, relation.key))
                       for relation in inspect(Practice).relationships
                       if relation.lazy == "selectin"]
_COLUMNS = [attribute.key for attribute in inspect(Practice).column_attrs]
_MANY_TO_ONE = [relation.key for relation in inspect(Practice).relationships
                if not relation.uselist]
