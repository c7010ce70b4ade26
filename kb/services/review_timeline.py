"""A practice's review timeline as one person may see it: with several reviewers, a
recommendation's verdict and comment stay hidden from those who may not read them yet.

The rule is kb.services.peer_review.visible_reviews's: a reviewer reads the others'
recommendations of a round once they recorded their own (or the round is over); the submitter
reads them once the round is over, without the reviewers' names; an admin who does not review
the round reads everything. With one reviewer (the default) every event shows as before.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kb.errors import NotFound
from kb.models import AuditEvent, Practice, User
from kb.services import peer_review, review_counts, submissions, transitions
from kb.services.messages import _

# Actions by reviewers whose author the submitter does not learn when several review.
REVIEWER_ACTIONS = ("claim", "unclaim", "recommend")


@dataclass(frozen=True)
class Entry:
    """One timeline event as shown to one person (``hidden``: the verdict and comment are not
    theirs to read yet; ``actor`` None with ``anonymous``: a reviewer they may not name)."""

    action: str
    from_state: str | None
    to_state: str | None
    actor: User | None
    anonymous: bool
    created_at: dt.datetime
    comment: str | None
    data: dict[str, Any] | None
    hidden: bool = False


def visible_timeline(user: User, practice: Practice) -> list[Entry]:
    """Return the practice's events, newest first, as ``user`` may see them.

    Raises NotFound when the user may not open the practice (the check of submissions.get_for,
    on the practice the page has just read that way: reading it again took 7 queries).
    """
    if not transitions.can_view(user, practice):
        raise NotFound(_("No practice of yours has this number."))
    events = submissions.timeline(practice.id)
    several = review_counts.required() > 1 or any(e.action == "recommend" for e in events)
    if not several:
        return [_entry(e) for e in events]
    is_submitter = practice.submitter_id == user.id
    rounds = _rounds(events)
    current = rounds[0] if rounds else 0
    recorded = {(rounds[i], e.actor_id) for i, e in enumerate(events) if e.action == "recommend"}
    claimed = {(rounds[i], e.actor_id) for i, e in enumerate(events) if e.action == "claim"}
    entries = []
    for number, event in zip(rounds, events, strict=True):
        anonymous = (is_submitter and event.action in REVIEWER_ACTIONS
                     and event.actor_id != user.id)
        if event.action != "recommend":
            entries.append(_entry(event, anonymous=anonymous))
            continue
        shown = peer_review.may_read(user, practice, event.actor_id, number,
                                     recorded_now=(current, user.id) in recorded,
                                     reviews_round=(number, user.id) in claimed)
        entries.append(_entry(event, anonymous=anonymous, hidden=not shown))
    return entries


def _rounds(events: list[AuditEvent]) -> list[int]:
    """Number each event (newest first) by the review round it belongs to: each submission
    opens a round, so the events since the latest `submit` are the current round's."""
    submits = sum(e.action == "submit" for e in events)
    numbers = []
    for event in events:
        numbers.append(submits)
        if event.action == "submit":
            submits -= 1
    return numbers


def _entry(event: AuditEvent, anonymous: bool = False, hidden: bool = False) -> Entry:
    return Entry(action=event.action, from_state=event.from_state, to_state=event.to_state,
                 actor=None if anonymous else event.actor, anonymous=anonymous,
                 created_at=event.created_at, comment=None if hidden else event.comment,
                 data=None if hidden else event.data, hidden=hidden)
