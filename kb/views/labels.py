"""Stored codes (states, roles, checklist keys, sorts) and timestamps as readers see them."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from flask import Flask
from flask_babel import format_date, format_time
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from kb import workflow
from kb.search import SORTS

STATE_LABELS = {
    workflow.DRAFT: _l("Draft"), workflow.SUBMITTED: _l("Submitted"),
    workflow.IN_REVIEW: _l("In review"), workflow.NEEDS_DECISION: _l("Waiting for a decision"),
    workflow.CHANGES_REQUESTED: _l("Changes requested"),
    workflow.PUBLISHED: _l("Published"), workflow.REJECTED: _l("Rejected"),
    workflow.WITHDRAWN: _l("Withdrawn"), workflow.ARCHIVED: _l("Archived"),
}

# The search form's sort menu, in kb.search.SORTS order (zip refuses a list of another length).
SORT_LABELS = dict(zip(SORTS, (_l("Relevance"), _l("Newest"), _l("Title"), _l("Start year")),
                       strict=True))


# The review timeline's and audit log's name of each recorded action.
ACTION_LABELS = {
    "create": _l("Created"), "edit": _l("Edited"), "submit": _l("Submitted"),
    "claim": _l("Claimed for review"), "unclaim": _l("Returned to the queue"),
    "request_changes": _l("Changes requested"), "approve": _l("Approved"),
    "reject": _l("Rejected"), "withdraw": _l("Withdrawn"), "archive": _l("Archived"),
    "unarchive": _l("Unarchived"), "import": _l("Imported"),
    "propose_update": _l("Update proposed"), "update_approved": _l("Update approved"),
    "delete_draft": _l("Draft deleted"), "request_update": _l("Update requested"),
    "confirm_current": _l("Confirmed as current"),
    "update_request_closed": _l("Update request answered by the approved update"),
    "review_reminder": _l("Review reminder sent"),
    "marked_internal": _l("Marked internal reviewer"),
    "marked_external": _l("No longer internal reviewer"),
    "recommend": _l("Recommendation recorded"), "add_reviewer": _l("Reviewer added"),
}


def state_label(state: str | None) -> str:
    """Return the name of a review state in the interface language ("" for none)."""
    return str(STATE_LABELS[state]) if state in STATE_LABELS else (state or "")


def action_label(action: str) -> str:
    """Return the name of a recorded action in the interface language (an unknown one as is).

    (A template macro built the 23 names for each event shown: ~0.6 ms an event, most of an
    audit log page of 70 events.)"""
    return Markup(str(ACTION_LABELS[action])) if action in ACTION_LABELS else action


def role_label(role: str) -> str:
    """Return the name of an account role in the interface language."""
    from kb.forms.accounts import ROLE_LABELS

    return str(dict(ROLE_LABELS).get(role, role))


def checklist_label(key: str) -> str:
    """Return the text of a screening checklist item in the interface language."""
    from kb.forms.practices import CHECKLIST_LABELS

    return str(CHECKLIST_LABELS.get(key, key))


@lru_cache(maxsize=8192)
def escaped_label(label: str) -> str:
    """Return a label escaped for HTML, kept: taxonomy labels and call titles are a bounded
    set, and a search page escapes several hundred (its facet values and result cards)."""
    return str(escape(label))


def format_timestamp(value: dt.datetime | None) -> str:
    """Return a UTC timestamp the way the interface language writes dates and times."""
    if value is None:
        return ""
    return f"{format_date(value, 'medium')}, {format_time(value, 'short')} UTC"


def machine_time(value: dt.datetime) -> str:
    """Return a <time datetime> value: ISO 8601 to the second (HTML allows 3 decimals, not 6)."""
    return value.replace(microsecond=0).isoformat()


def init_app(app: Flask) -> None:
    """Make the label helpers available to every template."""
    app.jinja_env.globals.update(state_label=state_label, action_label=action_label,
                                 role_label=role_label,
                                 sort_labels=SORT_LABELS,
                                 checklist_label=checklist_label,
                                 format_timestamp=format_timestamp, machine_time=machine_time)
