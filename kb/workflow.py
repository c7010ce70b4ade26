"""The review state machine of DESIGN.md sections 4 and 8: states, actions, who may act, and
the counts of peer review (how many reviewers claimed, recorded, approved). Pure data: no
Flask, no database, no clock; the services describe the actor and the counts.

Reading the table: ``next_state`` looks up the rows of an action that start from the current
state; the counts are those the action would leave (``Tally.after``). A broken ``limit`` is a
409 naming it; the first row whose ``when`` holds gives the new state; its ``who`` decides
whether this actor may take it (403 otherwise).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from kb.errors import InvalidTransition, PermissionDenied

DRAFT, SUBMITTED, IN_REVIEW = "draft", "submitted", "in_review"
CHANGES_REQUESTED, PUBLISHED, REJECTED = "changes_requested", "published", "rejected"
WITHDRAWN, ARCHIVED = "withdrawn", "archived"
# Peer review (N > 1): the reviewers split between approve and reject; an admin decides.
NEEDS_DECISION = "needs_decision"
STATES = (DRAFT, SUBMITTED, IN_REVIEW, NEEDS_DECISION, CHANGES_REQUESTED, PUBLISHED, REJECTED,
          WITHDRAWN, ARCHIVED)
# A review round is open (its recommendations not yet for the submitter or for reviewers who
# have not recorded theirs) until its outcome: waiting for an admin's decision is not one.
ROUND_OPEN_STATES = (SUBMITTED, IN_REVIEW, NEEDS_DECISION)
# The submitter may change the content only in these states.
EDITABLE_STATES = (DRAFT, CHANGES_REQUESTED)
# A revision in one of these is finished: it was merged, refused or given up.
CLOSED_STATES = (PUBLISHED, REJECTED, WITHDRAWN, ARCHIVED)
REVIEWER_ROLES = ("reviewer", "admin")
# What one reviewer recommends; with one reviewer each is also the decision (same names).
RECOMMENDATIONS = ("approve", "request_changes", "reject")


@dataclass(frozen=True)
class Actor:
    """Who acts, described by their relation to one practice (computed by the services)."""

    role: str  # submitter | reviewer | admin
    is_submitter: bool = False  # submitted this practice
    same_organization: bool = False  # belongs to the practice's organization
    is_claimer: bool = False  # holds a claim on this practice in the current review round
    internal: bool = False  # an internal (UN) reviewer: counts toward the internal quota
    has_recorded: bool = False  # recorded a recommendation in the current round
    reserved: bool = False  # a slot of the current round is kept for them (asked again, added)


@dataclass(frozen=True)
class Tally:
    """Where the current review round of one practice stands (what the rules count)."""

    required: int = 1  # approvals that publish (KB_REVIEWS_REQUIRED)
    internal_required: int = 0  # of which by internal reviewers (KB_REVIEWS_INTERNAL_REQUIRED)
    added: int = 0  # reviewers an admin added in this round: slots = required + added
    claimed: int = 0  # claims held (recorded or not)
    internal_claimed: int = 0
    reserved: int = 0  # slots kept for other reviewers (asked again or added), not yet claimed
    internal_reserved: int = 0  # of which for internal reviewers
    recorded: int = 0  # recommendations recorded
    approvals: int = 0
    internal_approvals: int = 0
    changes: int = 0  # request_changes recommendations
    rejections: int = 0

    @property
    def slots(self) -> int:
        return self.required + self.added

    @property
    def single(self) -> bool:
        """One reviewer decides alone (the default): approve/request_changes/reject apply."""
        return self.slots == 1

    def after(self, action: str, actor: Actor, recommendation: str | None = None) -> Tally:
        """Return the counts as ``action`` by ``actor`` would leave them."""
        if action == "claim":
            return replace(self, claimed=self.claimed + 1,
                           internal_claimed=self.internal_claimed + actor.internal)
        if action == "unclaim":
            # A reviewer gives back their own claim; an admin frees every unrecorded one.
            mine = actor.is_claimer and not actor.has_recorded
            claimed = self.claimed - 1 if mine else self.recorded
            return replace(self, claimed=max(claimed, 0),
                           internal_claimed=min(self.internal_claimed, max(claimed, 0)))
        if action == "recommend" and recommendation in RECOMMENDATIONS:
            approve = recommendation == "approve"
            return replace(self, recorded=self.recorded + 1,
                           approvals=self.approvals + approve,
                           internal_approvals=self.internal_approvals + (approve
                                                                         and actor.internal),
                           changes=self.changes + (recommendation == "request_changes"),
                           rejections=self.rejections + (recommendation == "reject"))
        if action == "add_reviewer":
            return replace(self, added=self.added + 1, reserved=self.reserved + 1)
        return self


# --- who may act -------------------------------------------------------------------------

def _is_submitter(actor: Actor) -> bool:
    return actor.is_submitter


def _is_independent_reviewer(actor: Actor) -> bool:
    # Never one's own submission, never a practice of one's own organization.
    return (actor.role in REVIEWER_ROLES and not actor.is_submitter
            and not actor.same_organization)


def _is_new_reviewer(actor: Actor) -> bool:
    return _is_independent_reviewer(actor) and not actor.is_claimer


def _is_claimer(actor: Actor) -> bool:
    return actor.is_claimer and _is_independent_reviewer(actor)


def _is_unrecorded_claimer(actor: Actor) -> bool:
    return _is_claimer(actor) and not actor.has_recorded


def _is_unrecorded_claimer_or_admin(actor: Actor) -> bool:
    return _is_unrecorded_claimer(actor) or actor.role == "admin"


def _is_admin(actor: Actor) -> bool:
    return actor.role == "admin"


def _is_independent_admin(actor: Actor) -> bool:
    return _is_admin(actor) and _is_independent_reviewer(actor)


def _is_staff_not_submitter(actor: Actor) -> bool:
    # Asking for an update is not a decision: any reviewer may, but not about their own entry.
    return actor.role in REVIEWER_ROLES and not actor.is_submitter


# --- the counts ----------------------------------------------------------------------------

def N_(text: str) -> str:
    """Mark a message for the catalogs; kb.services.transitions translates it when raised."""
    return text


@dataclass(frozen=True)
class Limit:
    """A count the action must respect (checked on the counts it would leave): 409 otherwise."""

    holds: Callable[[Tally], bool]
    message: str


SLOT_FREE = Limit(lambda t: t.claimed + t.reserved <= t.slots,
                  N_("Every review slot of this practice is taken."))
INTERNAL_SLOT = Limit(
    lambda t: (t.internal_claimed + t.internal_reserved + (t.slots - t.claimed - t.reserved)
               >= t.internal_required),
    N_("The remaining review slots are kept for internal reviewers."))
SEVERAL_SLOTS = Limit(lambda t: t.slots > 1, N_("Another reviewer is reviewing this practice."))
SINGLE = Limit(lambda t: t.single,
               N_("This practice is reviewed by several reviewers: record a recommendation."))


def _always(_t: Tally) -> bool:
    return True


def _waiting(t: Tally) -> bool:
    return t.recorded < t.slots  # some reviewers have not recorded yet


def _publishes(t: Tally) -> bool:
    return t.approvals >= t.required and t.internal_approvals >= t.internal_required


@dataclass(frozen=True)
class Transition:
    """One row of the table: ``action`` moves a practice from any of ``sources`` to ``target``
    when the counts it leaves satisfy ``when`` (rows of one action are tried in order)."""

    action: str
    sources: tuple[str, ...]
    target: str
    may_act: Callable[[Actor], bool]
    who: str  # for messages and documentation
    when: Callable[[Tally], bool] = _always
    limits: tuple[Limit, ...] = ()
    needs_comment: bool = False
    needs_declaration: bool = False  # claim: "I have no conflict of interest"
    needs_checklist: bool = False


T = Transition
REVIEWER = "a reviewer not of the submitter's organization"
CLAIMER = "a reviewer who claimed it and has not recorded a recommendation"
TABLE: tuple[Transition, ...] = (
    T("submit", (DRAFT, CHANGES_REQUESTED), SUBMITTED, _is_submitter, "the submitter"),
    T("claim", (SUBMITTED,), IN_REVIEW, _is_independent_reviewer, REVIEWER,
      limits=(SLOT_FREE, INTERNAL_SLOT), needs_declaration=True),
    T("claim", (IN_REVIEW,), IN_REVIEW, _is_new_reviewer, REVIEWER,
      limits=(SEVERAL_SLOTS, SLOT_FREE, INTERNAL_SLOT), needs_declaration=True),
    T("unclaim", (IN_REVIEW,), SUBMITTED, _is_unrecorded_claimer_or_admin,
      "the claiming reviewer or an admin", when=lambda t: t.claimed == 0),
    T("unclaim", (IN_REVIEW,), IN_REVIEW, _is_unrecorded_claimer_or_admin,
      "the claiming reviewer or an admin"),
    # One reviewer (N = 1): their decision is the outcome.
    T("request_changes", (IN_REVIEW,), CHANGES_REQUESTED, _is_claimer, "the claiming reviewer",
      limits=(SINGLE,), needs_comment=True),
    T("approve", (IN_REVIEW,), PUBLISHED, _is_claimer, "the claiming reviewer",
      limits=(SINGLE,), needs_checklist=True),
    T("reject", (IN_REVIEW,), REJECTED, _is_claimer, "the claiming reviewer",
      limits=(SINGLE,), needs_comment=True),
    # Several reviewers: the round ends when every slot has recorded a recommendation.
    T("recommend", (IN_REVIEW,), IN_REVIEW, _is_unrecorded_claimer, CLAIMER, when=_waiting),
    T("recommend", (IN_REVIEW,), CHANGES_REQUESTED, _is_unrecorded_claimer, CLAIMER,
      when=lambda t: t.changes > 0),
    T("recommend", (IN_REVIEW,), PUBLISHED, _is_unrecorded_claimer, CLAIMER, when=_publishes),
    T("recommend", (IN_REVIEW,), REJECTED, _is_unrecorded_claimer, CLAIMER,
      when=lambda t: t.approvals == 0),
    T("recommend", (IN_REVIEW,), NEEDS_DECISION, _is_unrecorded_claimer, CLAIMER),
    # A split (or an unmet internal quota): an admin decides, or adds a reviewer.
    T("approve", (NEEDS_DECISION,), PUBLISHED, _is_independent_admin,
      "an admin not of the submitter's organization", needs_checklist=True),
    T("reject", (NEEDS_DECISION,), REJECTED, _is_independent_admin,
      "an admin not of the submitter's organization", needs_comment=True),
    T("add_reviewer", (NEEDS_DECISION,), IN_REVIEW, _is_independent_admin,
      "an admin not of the submitter's organization"),
    T("withdraw", (DRAFT, SUBMITTED, CHANGES_REQUESTED), WITHDRAWN, _is_submitter,
      "the submitter"),
    T("archive", (PUBLISHED,), ARCHIVED, _is_admin, "an admin", needs_comment=True),
    T("unarchive", (ARCHIVED,), PUBLISHED, _is_admin, "an admin"),
    # Living practices: the entry stays published; an open request is a flag on the practice.
    T("request_update", (PUBLISHED,), PUBLISHED, _is_staff_not_submitter,
      "a reviewer or an admin", needs_comment=True),
    T("confirm_current", (PUBLISHED,), PUBLISHED, _is_submitter, "the submitter"),
)
TRANSITIONS: dict[str, Transition] = {}
for _row in TABLE:
    TRANSITIONS.setdefault(_row.action, _row)  # the first row of each action
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
    """Return the first table row of ``action``. Raises InvalidTransition for an unknown one."""
    try:
        return TRANSITIONS[action]
    except KeyError:
        raise InvalidTransition(f"Unknown action {action!r}.") from None


def _rows(state: str, action: str) -> list[Transition]:
    transition(action)
    return [row for row in TABLE if row.action == action and state in row.sources]


def _broken_limit(rows: list[Transition], counts: Tally) -> Limit | None:
    return next((limit for row in rows for limit in row.limits if not limit.holds(counts)),
                None)


def next_state(state: str, action: str, actor: Actor, tally: Tally = Tally(),
               recommendation: str | None = None) -> str:
    """Return the state ``action`` leads to from ``state`` when ``actor`` takes it.

    ``tally`` holds the counts before the action (``recommendation`` is what ``recommend``
    records). Raises InvalidTransition when the action does not apply to this state or would
    break a count (HTTP 409) and PermissionDenied when this actor may not take it (HTTP 403).
    """
    rows = _rows(state, action)
    if not rows:
        raise InvalidTransition(
            f"'{action}' is not possible while the practice is {state.replace('_', ' ')}.")
    counts = tally.after(action, actor, recommendation)
    broken = _broken_limit(rows, counts)
    if broken is not None:
        raise InvalidTransition(broken.message)
    row = next(row for row in rows if row.when(counts))  # the last row of each has no `when`
    if not row.may_act(actor):
        raise PermissionDenied(f"Only {row.who} may {action.replace('_', ' ')} this practice.")
    return row.target


def can(state: str, action: str, actor: Actor, tally: Tally = Tally()) -> bool:
    """Return True if ``actor`` may take ``action`` on a practice in ``state``."""
    rows = [row for row in TABLE if row.action == action and state in row.sources]
    return (bool(rows) and _broken_limit(rows, tally.after(action, actor, "approve")) is None
            and rows[0].may_act(actor))


def allowed_actions(state: str, actor: Actor, tally: Tally = Tally()) -> list[str]:
    """Return the actions ``actor`` may take now, in table order (drives the buttons shown)."""
    return [action for action in ACTIONS if can(state, action, actor, tally)]


def needs_comment(action: str) -> bool:
    return transition(action).needs_comment


def can_edit(state: str, actor: Actor) -> bool:
    """Return True if ``actor`` may change the content of a practice in ``state``."""
    return actor.is_submitter and state in EDITABLE_STATES


def can_propose_update(state: str, actor: Actor, is_revision: bool) -> bool:
    """Return True if ``actor`` may open an update of a practice (its submitter, published,
    not itself a pending update)."""
    return actor.is_submitter and state == PUBLISHED and not is_revision
