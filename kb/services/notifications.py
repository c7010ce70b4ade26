"""Who gets mail when a practice changes state: queued inside the transaction of the change
(kb.mail delivers it after the commit, so a committed change never reports a mail failure).

With several reviewers (KB_REVIEWS_REQUIRED > 1) each reviewer is mailed when it is their
turn (the practice can be claimed, they are asked again after a resubmission, an admin added
them), admins when reviewers disagree, and the submitter only at outcomes (sent back for
changes with every reviewer's comment, published, rejected)."""
from __future__ import annotations

import logging
from typing import Any

from flask import url_for
from sqlalchemy import select
from werkzeug.routing import BuildError

from kb import db, mail, workflow
from kb.models import Call, Practice, Review, User

log = logging.getLogger("kb.mail")

# action -> template under kb/templates/mail/ sent to the submitter.
SUBMITTER_TEMPLATES = {
    "submit": "practice_submitted", "claim": "practice_claimed",
    "unclaim": "practice_unclaimed", "request_changes": "practice_changes_requested",
    "approve": "practice_approved", "reject": "practice_rejected",
    "withdraw": "practice_withdrawn", "archive": "practice_archived",
    "unarchive": "practice_unarchived", "request_update": "practice_update_requested",
}


def _url(endpoint: str, **values: Any) -> str | None:
    try:
        return url_for(endpoint, _external=True, **values)
    except (BuildError, RuntimeError):
        return None  # no server name outside a request (e.g. some CLI runs): mail without link


# With several reviewers the submitter hears of these only through the outcome.
REVIEW_STEPS = ("claim", "unclaim", "recommend", "add_reviewer")
# The state a round ends in -> the template sent to the submitter.
OUTCOME_TEMPLATES = {workflow.CHANGES_REQUESTED: "practice_changes_requested",
                     workflow.PUBLISHED: "practice_approved",
                     workflow.REJECTED: "practice_rejected"}


def state_changed(practice: Practice, action: str, actor: User, comment: str,
                  tally: workflow.Tally | None = None) -> None:
    """Mail the people concerned by ``action``, which just moved ``practice`` (its state is
    the new one); ``tally`` holds the review counts before it. Call it inside the write
    transaction of the change.
    """
    session = db.get_session()
    single = tally is None or tally.single
    template = SUBMITTER_TEMPLATES.get(action)
    review_step = not single and action in REVIEW_STEPS
    if review_step:
        template = OUTCOME_TEMPLATES.get(practice.state) if action == "recommend" else None
    submitter = session.get(User, practice.submitter_id) if practice.submitter_id else None
    if submitter is not None and submitter.is_active and template:
        # Read only for a mail that shows them (a round's outcome), not at every claim.
        reviews = _recorded(practice) if review_step else []
        mail.queue(submitter.email, template, locale=submitter.locale, practice=practice,
                  recipient=submitter, actor=actor, comment=comment, reviews=reviews,
                  url=_url("submit.detail", practice_id=practice.id),
                  public_url=_url("public.practice", slug=practice.slug))
    if action == "submit":
        asked = _asked_again(practice)
        if len(asked) < (tally.required if tally else 1):
            _tell_reviewers(practice)
        for reviewer in asked:
            _tell_reviewer(practice, reviewer, "practice_review_again")
    elif action == "add_reviewer":
        for reviewer in _asked_again(practice):
            _tell_reviewer(practice, reviewer, "practice_review_added")
    elif action == "recommend" and practice.state == workflow.NEEDS_DECISION:
        _tell_admins(practice)


def _recorded(practice: Practice) -> list[Review]:
    return [r for r in db.get_session().scalars(
        select(Review).where(Review.practice_id == practice.id,
                             Review.round == practice.review_round,
                             Review.recommendation.is_not(None),
                             Review.withdrawn_at.is_(None)).order_by(Review.id))]


def _asked_again(practice: Practice) -> list[User]:
    """The reviewers a slot of the current round is kept for (not yet claimed)."""
    return list(db.get_session().scalars(
        select(User).join(Review, Review.reviewer_id == User.id)
        .where(Review.practice_id == practice.id, Review.round == practice.review_round,
               Review.claimed_at.is_(None), Review.withdrawn_at.is_(None),
               Review.reserved_until.is_not(None), User.is_active.is_(True))
        .order_by(Review.id)))


def _tell_reviewer(practice: Practice, reviewer: User, template: str) -> None:
    mail.queue(reviewer.email, template, locale=reviewer.locale, practice=practice,
              recipient=reviewer, url=_url("review.detail", practice_id=practice.id))


def _tell_admins(practice: Practice) -> None:
    # Admins of the submitter's organization could not decide: they are not told.
    query = select(User).where(User.role == "admin", User.is_active.is_(True),
                               User.id != (practice.submitter_id or 0))
    if practice.organization_id is not None:
        query = query.where((User.organization_id.is_(None))
                            | (User.organization_id != practice.organization_id))
    for admin in db.get_session().scalars(query):
        _tell_reviewer(practice, admin, "practice_needs_decision")


def _tell_reviewers(practice: Practice) -> None:
    # Reviewers of the submitter's organization could never claim it: they are not told.
    session = db.get_session()
    query = select(User).where(User.role == "reviewer", User.is_active.is_(True))
    if practice.organization_id is not None:
        query = query.where((User.organization_id.is_(None))
                            | (User.organization_id != practice.organization_id))
    url = _url("review.detail", practice_id=practice.id)
    for reviewer in session.scalars(query.where(User.id != (practice.submitter_id or 0))):
        mail.queue(reviewer.email, "practice_queue", locale=reviewer.locale, practice=practice,
                  recipient=reviewer, url=url)


def review_due(practice: Practice, submitter: User) -> None:
    """Remind the submitter that the practice's review date has passed (inside the
    transaction that records the reminder)."""
    mail.queue(submitter.email, "practice_review_due", locale=submitter.locale, practice=practice,
              recipient=submitter, url=_url("submit.detail", practice_id=practice.id),
              public_url=_url("public.practice", slug=practice.slug))


def call_closed(call: Call, waiting: int, staff: list[User]) -> None:
    """Mail each reviewer and admin once: the call closed, this many submissions wait.

    Call it inside the write transaction that marks the call as announced.
    """
    url = _url("review.queue", call=call.slug)
    for person in staff:
        mail.queue(person.email, "call_closed", locale=person.locale, call=call,
                  waiting=waiting, recipient=person, url=url)
