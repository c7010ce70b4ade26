"""Peer review counts: the review rows of a practice's current round read as the workflow's
``Actor`` and ``Tally`` (kb.workflow decides with them), and the settings they follow.

KB_REVIEWS_REQUIRED (default 1: one reviewer decides, as before) approvals publish;
KB_REVIEWS_INTERNAL_REQUIRED (default 0) of them by reviewers marked internal.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from kb import db, workflow
from kb.models import Practice, Review, User

# After a resubmission the reviewers of the round before are asked again first: their slots
# are kept for them this long, then any reviewer may take them.
RESERVATION = dt.timedelta(days=7)


def required() -> int:
    """Return KB_REVIEWS_REQUIRED (at least 1)."""
    return max(1, int(current_app.config["REVIEWS_REQUIRED"]))


def internal_required() -> int:
    """Return KB_REVIEWS_INTERNAL_REQUIRED (0 .. KB_REVIEWS_REQUIRED)."""
    return min(required(), max(0, int(current_app.config["REVIEWS_INTERNAL_REQUIRED"])))


def is_internal(user: User) -> bool:
    """Return True for a reviewer whose account an admin marked internal (UN)."""
    return user.internal


# Built once (a use case reads the round up to four times): building and keying the
# statement cost twice what running it does.
_ROUND_ROWS = (select(Review).where(Review.practice_id == bindparam("practice_id"),
                                    Review.round == bindparam("round"))
               .order_by(Review.id).execution_options(populate_existing=True))


def round_rows(session: Session, practice: Practice) -> list[Review]:
    """Return the review rows of the practice's current round, oldest first."""
    return list(session.scalars(_ROUND_ROWS, {"practice_id": practice.id,
                                              "round": practice.review_round}))


def is_reserved(row: Review, now: dt.datetime) -> bool:
    """A slot kept for this reviewer (asked again or added) that they have not claimed yet."""
    return (row.claimed_at is None and row.withdrawn_at is None
            and row.reserved_until is not None and row.reserved_until > now)


def tally(practice: Practice, rows: list[Review], user: User | None = None,
          now: dt.datetime | None = None) -> workflow.Tally:
    """Count the round; ``reserved`` leaves out a slot kept for ``user`` (theirs to take)."""
    now = now or db.utcnow()
    active = [r for r in rows if r.active]
    kept = [r for r in rows if is_reserved(r, now) and (user is None or r.reviewer_id != user.id)]
    recorded = [r for r in active if r.recommendation]
    approvals = [r for r in recorded if r.recommendation == "approve"]
    return workflow.Tally(
        required=required(), internal_required=internal_required(),
        added=practice.reviewers_added,
        claimed=max(len(active), 1 if practice.claimed_by_id and not active else 0),
        internal_claimed=sum(r.internal for r in active),
        reserved=len(kept), internal_reserved=sum(r.internal for r in kept),
        recorded=len(recorded), approvals=len(approvals),
        internal_approvals=sum(r.internal for r in approvals),
        changes=sum(r.recommendation == "request_changes" for r in recorded),
        rejections=sum(r.recommendation == "reject" for r in recorded))


def row_of(rows: list[Review], user: User) -> Review | None:
    return next((r for r in rows if r.reviewer_id == user.id), None)


def actor(user: User, practice: Practice, rows: list[Review],
          now: dt.datetime | None = None) -> workflow.Actor:
    """Describe ``user`` by their relation to ``practice`` for the transition table."""
    mine = row_of(rows, user)
    legacy_claim = practice.claimed_by_id is not None and practice.claimed_by_id == user.id
    return workflow.Actor(
        role=user.role,
        is_submitter=practice.submitter_id is not None and practice.submitter_id == user.id,
        same_organization=(user.organization_id is not None
                           and user.organization_id == practice.organization_id),
        is_claimer=(mine is not None and mine.active) or (legacy_claim and mine is None),
        internal=is_internal(user),
        has_recorded=mine is not None and mine.active and mine.recommendation is not None,
        reserved=mine is not None and is_reserved(mine, now or db.utcnow()))


@dataclass(frozen=True)
class Standing:
    """One user's view of a practice's review: how the table sees them, and the counts."""

    actor: workflow.Actor
    tally: workflow.Tally

    def allowed(self, state: str) -> list[str]:
        return workflow.allowed_actions(state, self.actor, self.tally)


def standing(user: User, practice: Practice, session: Session | None = None) -> Standing:
    """Return how the transition table sees ``user`` and the practice's round."""
    rows = round_rows(session or db.get_session(), practice)
    now = db.utcnow()
    return Standing(actor(user, practice, rows, now), tally(practice, rows, user, now))


def summary(practice: Practice, session: Session | None = None) -> dict[str, int]:
    """Return ``{"required", "done"}``: recommendations the round needs and has (records shown
    to the submitter and reviewers)."""
    rows = round_rows(session or db.get_session(), practice)
    counts = tally(practice, rows)
    return {"required": counts.slots, "done": counts.recorded}
