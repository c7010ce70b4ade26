"""Peer review by several reviewers (DESIGN.md section 8): the review rows behind claim,
unclaim and recommendations, a new round on resubmission, what each person may see of the
recommendations, and the counts the review queue shows.

The transition table (kb.workflow) decides every outcome from the counts
(kb.services.review_counts); the writers here run inside the transaction of
kb.services.transitions.perform, after its conditional update has locked the practice (the use
cases themselves, recommend and add_reviewer among them, are in kb.services.reviews).

After a resubmission the reviewers who recorded a recommendation in the round before are asked
again first: a slot of the new round is kept for each of them for
``review_counts.RESERVATION`` (7 days) and they are emailed; other reviewers may take a kept
slot once it expires.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kb import db, workflow
from kb.errors import InvalidTransition, NotFound
from kb.i18n import N_
from kb.models import Practice, Review, User
from kb.services import review_counts
from kb.services.messages import _
from kb.services.permissions import require_admin
from kb.services.transitions import can_view


def claim_row(session: Session, practice: Practice, user: User) -> None:
    """Record ``user``'s claim (no conflict declared) in the current round."""
    now = db.utcnow()
    values = {"claimed_at": now, "withdrawn_at": None, "no_conflict": True,
              "internal": review_counts.is_internal(user), "reserved_until": None}
    row = review_counts.row_of(review_counts.round_rows(session, practice), user)
    if row is None:
        session.add(Review(practice_id=practice.id, reviewer_id=user.id,
                           round=practice.review_round, recommendation=None, **values))
        return
    # A kept slot, or a claim given back earlier in this round: the same row again.
    result = session.execute(
        update(Review).where(Review.id == row.id, Review.recommendation.is_(None),
                             (Review.claimed_at.is_(None)) | (Review.withdrawn_at.is_not(None)))
        .values(**values).execution_options(synchronize_session=False))
    if db.rowcount(result) != 1:
        raise InvalidTransition(_("You already review this practice."))


def release_rows(session: Session, practice: Practice, user: User) -> None:
    """Give back ``user``'s unrecorded claim; an admin who holds none frees every unrecorded
    claim of the round."""
    query = update(Review).where(Review.practice_id == practice.id,
                                 Review.round == practice.review_round,
                                 Review.claimed_at.is_not(None), Review.withdrawn_at.is_(None),
                                 Review.recommendation.is_(None))
    rows = review_counts.round_rows(session, practice)
    mine = review_counts.row_of(rows, user)
    if mine is not None and mine.active:
        query = query.where(Review.reviewer_id == user.id)
    session.execute(query.values(withdrawn_at=db.utcnow())
                    .execution_options(synchronize_session=False))


def record(session: Session, practice: Practice, user: User, recommendation: str,
           comment: str, checklist: dict[str, bool] | None = None,
           override_reason: str = "") -> None:
    """Record ``user``'s recommendation on their claim, once (a second attempt is a 409)."""
    values: dict[str, Any] = {
        "recommendation": recommendation, "comment": comment.strip() or None,
        "checklist": checklist, "override_reason": override_reason or None,
        "recommended_at": db.utcnow()}
    row = review_counts.row_of(review_counts.round_rows(session, practice), user)
    if row is None and practice.claimed_by_id == user.id:
        # Claimed before review rows existed: the claim becomes a row now.
        session.add(Review(practice_id=practice.id, reviewer_id=user.id,
                           round=practice.review_round, no_conflict=True,
                           internal=review_counts.is_internal(user), claimed_at=db.utcnow(),
                           **values))
        return
    result = session.execute(
        update(Review).where(Review.id == (row.id if row else -1),
                             Review.claimed_at.is_not(None), Review.withdrawn_at.is_(None),
                             Review.recommendation.is_(None))
        .values(**values).execution_options(synchronize_session=False))
    if db.rowcount(result) != 1:
        raise InvalidTransition(_("Your recommendation on this practice is already recorded."))


def start_round(session: Session, practice: Practice) -> None:
    """Open a new review round on submission; with several reviewers, keep a slot for each
    reviewer who recorded a recommendation in the round before (kb.services.notifications
    mails them)."""
    before = review_counts.round_rows(session, practice) if practice.review_round else []
    practice.review_round += 1
    practice.reviewers_added = 0
    if review_counts.required() == 1:
        return
    until = db.utcnow() + review_counts.RESERVATION
    again = [r for r in before if r.active and r.recommendation]
    for row in again:
        session.add(Review(practice_id=practice.id, reviewer_id=row.reviewer_id,
                           round=practice.review_round, reserved_until=until,
                           internal=review_counts.is_internal(row.reviewer)))


@dataclass(frozen=True)
class ReviewView:
    """One review of a round as a given person may see it (None: hidden from them)."""

    round: int
    reviewer: str | None
    internal: bool
    claimed_at: Any
    recommendation: str | None
    comment: str | None
    checklist: dict[str, bool] | None
    override_reason: str | None
    recommended_at: Any
    mine: bool = False  # the reader's own review


def may_read(user: User, practice: Practice, author_id: int | None, number: int,
             recorded_now: bool, reviews_round: bool) -> bool:
    """Whether ``user`` may read the verdict and comment of a recommendation by ``author_id``
    in round ``number`` (``recorded_now``: the user recorded in the current round;
    ``reviews_round``: the user reviews round ``number``). The one rule of the review page
    and the timeline: the submitter reads a round once it has an outcome; its author always;
    an admin who does not review the round always; another reviewer once the round is over
    or once they recorded their own recommendation."""
    finished = (number != practice.review_round
                or practice.state not in workflow.ROUND_OPEN_STATES)
    if practice.submitter_id == user.id:
        return finished
    if author_id == user.id or (user.role == "admin" and not reviews_round):
        return True
    return finished or recorded_now


def visible_reviews(user: User, practice: Practice) -> list[ReviewView]:
    """Return the reviews of every round of ``practice`` as ``user`` may see them.

    A reviewer sees the others' recommendations of a round only once they recorded their own
    (or the round is over); the submitter sees recommendations and comments of finished rounds
    without the reviewers' names; an admin who does not review it sees everything.
    Raises NotFound when the user may not open the practice.
    """
    if not can_view(user, practice):
        raise NotFound(_("No practice of yours has this number."))
    rows = list(db.get_session().scalars(
        select(Review).where(Review.practice_id == practice.id, Review.claimed_at.is_not(None),
                             Review.withdrawn_at.is_(None))
        .order_by(Review.round, Review.id)))
    is_submitter = practice.submitter_id == user.id
    recorded_now = any(r.round == practice.review_round and r.reviewer_id == user.id
                       and r.recommendation for r in rows)
    views = []
    for r in rows:
        shown = may_read(user, practice, r.reviewer_id, r.round, recorded_now, reviews_round=any(
            x.reviewer_id == user.id for x in rows if x.round == r.round))
        if is_submitter and not shown:
            continue
        views.append(ReviewView(
            round=r.round, reviewer=None if is_submitter else r.reviewer.name,
            internal=r.internal, claimed_at=r.claimed_at,
            recommendation=r.recommendation if shown else None,
            comment=r.comment if shown else None,
            checklist=r.checklist if shown else None,
            override_reason=r.override_reason if shown else None,
            recommended_at=r.recommended_at if shown else None,
            mine=r.reviewer_id == user.id))
    return views


def counts(practices: list[Practice]) -> dict[int, dict[str, int]]:
    """Return ``{practice id: {"required", "claimed", "done", "internal_needed"}}`` for the
    review queue (``internal_needed``: internal reviewers still to claim it)."""
    session = db.get_session()
    found = {}
    for practice in practices:
        tally = review_counts.tally(practice, review_counts.round_rows(session, practice))
        found[practice.id] = {"required": tally.slots, "claimed": tally.claimed,
                              "done": tally.recorded,
                              "internal_needed": max(0, tally.internal_required
                                                     - tally.internal_claimed)}
    return found


ADMINS_ONLY = N_("Only admins settle practices whose reviewers disagree.")


def waiting_decision(user: User) -> list[Practice]:
    """Return the practices whose reviewers disagree, oldest submission first (admins)."""
    require_admin(user, ADMINS_ONLY)
    return list(db.get_session().scalars(
        select(Practice).where(Practice.state == workflow.NEEDS_DECISION)
        .order_by(Practice.submitted_at.asc(), Practice.id.asc())))
