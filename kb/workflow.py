"""The review state machine of DESIGN.md section 4: states, actions, who may act. Pure data."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kb.errors import InvalidTransition, PermissionDenied

DRAFT, SUBMITTED, IN_REVIEW = "draft", "submitted", "in_review"
CHANGES_REQUESTED, PUBLISHED, REJECTED = "changes_requested", "published", "rejected"
WITHDRAWN, ARCHIVED = "withdrawn", "archived"
STATES = (DRAFT, SUBMITTED, IN_REVIEW, CHANGES_REQUESTED, PUBLISHED, REJECTED, WITHDRAWN,
          ARCHIVED)
# The submitter may change the content only in these states.
EDITABLE_STATES = (DRAFT, CHANGES_REQUESTED)
# A revision in one of these is finished: it was merged, refused or given up.
CLOSED_STATES = (PUBLISHED, REJECTED, WITHDRAWN, ARCHIVED)
REVIEWER_ROLES = ("reviewer", "admin")


@dataclass(frozen=True)
class Actor:
    """Who acts, described by their relation to one practice (computed by the services)."""

    role: str  # submitter | reviewer | admin
    is_submitter: bool = False  # submitted this practice
    same_organization: bool = False  # belongs to the practice's organization
    is_claimer: bool = False  # has claimed this practice for review


def _is_submitter(actor: Actor) -> bool:
    return actor.is_submitter


def _is_independent_reviewer(actor: Actor) -> bool:
    # Never one's own submission, never a practice of one's own organization.
    return (actor.role in REVIEWER_ROLES and not actor.is_submitter
            and not actor.same_organization)


def _is_claimer(actor: Actor) -> bool:
    return actor.is_claimer and _is_independent_reviewer(actor)


def _is_claimer_or_admin(actor: Actor) -> bool:
    return _is_claimer(actor) or actor.role == "admin"


def _is_admin(actor: Actor) -> bool:
    return actor.role == "admin"


def _is_staff_not_submitter(actor: Actor) -> bool:
    # Asking for an update is not a decision: any reviewer may, but not about their own entry.
    return actor.role in REVIEWER_ROLES and not actor.is_submitter


@dataclass(frozen=True)
class Transition:
    """One row of the table: ``action`` moves a practice from any of ``sources`` to ``target``."""

    action: str
    sources: tuple[str, ...]
    target: str
    may_act: Callable[[Actor], bool]
    who: str  # for messages and documentation
    needs_comment: bool = False
    needs_declaration: bool = False  # claim: "I have no conflict of interest"
    needs_checklist: bool = False


TABLE: tuple[Transition, ...] = (
    Transition("submit", (DRAFT, CHANGES_REQUESTED), SUBMITTED, _is_submitter, "the submitter"),
    Transition("claim", (SUBMITTED,), IN_REVIEW, _is_independent_reviewer,
               "a reviewer not of the submitter's organization", needs_declaration=True),
    Transition("unclaim", (IN_REVIEW,), SUBMITTED, _is_claimer_or_admin,
               "the claiming reviewer or an admin"),
    Transition("request_changes", (IN_REVIEW,), CHANGES_REQUESTED, _is_claimer,
               "the claiming reviewer", needs_comment=True),
    Transition("approve", (IN_REVIEW,), PUBLISHED, _is_claimer, "the claiming reviewer",
               needs_checklist=True),
    Transition("reject", (IN_REVIEW,), REJECTED, _is_claimer, "the claiming reviewer",
               needs_comment=True),
    Transition("withdraw", (DRAFT, SUBMITTED, CHANGES_REQUESTED), WITHDRAWN, _is_submitter,
               "the submitter"),
    Transition("archive", (PUBLISHED,), ARCHIVED, _is_admin, "an admin", needs_comment=True),
    Transition("unarchive", (ARCHIVED,), PUBLISHED, _is_admin, "an admin"),
    # Living practices: the entry stays published; an open request is a flag on the practice.
    Transition("request_update", (PUBLISHED,), PUBLISHED, _is_staff_not_submitter,
               "a reviewer or an admin", needs_comment=True),
    Transition("confirm_current", (PUBLISHED,), PUBLISHED, _is_submitter, "the submitter"),
)
TRANSITIONS: dict[str, Transition] = {t.action: t for t in TABLE}
ACTIONS: tuple[str, ...] = tuple(TRANSITIONS)
# The actions of the write API (archiving is an admin page) and their bodies: kb.schemas.ACTIONS.

# The Hub's screening checklist, recorded on approval.
CHECKLIST = (
    ("relates_to_objectives", "Relates to one or more of the 23 GCM objectives"),
    ("adheres_to_principles", "Adheres to the 10 guiding principles"),
    ("implemented", "Was implemented (not a proposal), ideally after December 2018"),
    ("completed", "Is fully or mostly completed"),
    ("innovative_replicable", "Is innovative and replicable"),
)
CHECKLIST_KEYS = tuple(key for key, _ in CHECKLIST)


def transition(action: str) -> Transition:
    """Return the table row of ``action``. Raises InvalidTransition for an unknown action."""
    try:
        return TRANSITIONS[action]
    except KeyError:
        raise InvalidTransition(f"Unknown action {action!r}.") from None


def next_state(state: str, action: str, actor: Actor) -> str:
    """Return the state ``action`` leads to from ``state`` when ``actor`` takes it.

    Raises InvalidTransition when the action does not apply to this state (HTTP 409) and
    PermissionDenied when it applies but this actor may not take it (HTTP 403).
    """
    row = transition(action)
    if state not in row.sources:
        raise InvalidTransition(
            f"'{action}' is not possible while the practice is {state.replace('_', ' ')}.")
    if not row.may_act(actor):
        raise PermissionDenied(f"Only {row.who} may {action.replace('_', ' ')} this practice.")
    return row.target


def can(state: str, action: str, actor: Actor) -> bool:
    """Return True if ``actor`` may take ``action`` on a practice in ``state``."""
    row = TRANSITIONS.get(action)
    return row is not None and state in row.sources and row.may_act(actor)


def allowed_actions(state: str, actor: Actor) -> list[str]:
    """Return the actions ``actor`` may take now, in table order (drives the buttons shown)."""
    return [row.action for row in TABLE if state in row.sources and row.may_act(actor)]


def needs_comment(action: str) -> bool:
    return transition(action).needs_comment


def can_edit(state: str, actor: Actor) -> bool:
    """Return True if ``actor`` may change the content of a practice in ``state``."""
    return actor.is_submitter and state in EDITABLE_STATES
