"""Who gets mail when a practice changes state: queued inside the transaction of the change
(kb.mail delivers it after the commit, so a committed change never reports a mail failure)."""
from __future__ import annotations

import logging
from typing import Any

from flask import url_for
from sqlalchemy import select
from werkzeug.routing import BuildError

from kb import db, mail
from kb.models import Call, Practice, User

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


def state_changed(practice: Practice, action: str, actor: User, comment: str) -> None:
    """Mail the submitter about every state change; mail reviewers when the queue grows.

    Call it inside the write transaction of the change.
    """
    session = db.get_session()
    submitter = session.get(User, practice.submitter_id) if practice.submitter_id else None
    template = SUBMITTER_TEMPLATES.get(action)
    if submitter is not None and submitter.is_active and template:
        mail.queue(submitter.email, template, locale=submitter.locale, practice=practice,
                  recipient=submitter, actor=actor, comment=comment,
                  url=_url("submit.detail", practice_id=practice.id),
                  public_url=_url("public.practice", slug=practice.slug))
    if action == "submit":
        _tell_reviewers(practice)


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
