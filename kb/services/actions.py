"""The one action-to-service dispatch: the service call of each action of kb.schemas.ACTIONS
(which declares their bodies), used by the write API and the review pages."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kb.models import Practice, User
from kb.services import living, reviews, submissions

HANDLERS: dict[str, Callable[[User, int, dict[str, Any]], Practice]] = {
    "submit": lambda user, pid, body: submissions.submit_practice(user, pid),
    "withdraw": lambda user, pid, body: submissions.withdraw(user, pid, body.get("comment") or ""),
    "claim": lambda user, pid, body: reviews.claim(user, pid, body["no_conflict"]),
    "unclaim": lambda user, pid, body: reviews.unclaim(user, pid, body.get("comment") or ""),
    "request_changes": lambda user, pid, body: reviews.request_changes(
        user, pid, body.get("comment") or ""),
    "approve": lambda user, pid, body: reviews.approve(user, pid, body.get("checklist"),
                                                       body.get("comment") or "",
                                                       body.get("override_reason") or ""),
    "reject": lambda user, pid, body: reviews.reject(user, pid, body.get("comment") or ""),
    "recommend": lambda user, pid, body: reviews.recommend(
        user, pid, body["recommendation"], body.get("checklist"), body.get("comment") or "",
        body.get("override_reason") or ""),
    "add_reviewer": lambda user, pid, body: reviews.add_reviewer(user, pid, body["reviewer"]),
    "propose_update": lambda user, pid, body: submissions.propose_update(user, pid),
    "request_update": lambda user, pid, body: living.request_update(
        user, pid, body.get("comment") or ""),
    "confirm_current": lambda user, pid, body: living.confirm_current(
        user, pid, body.get("comment") or ""),
}
