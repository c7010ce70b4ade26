"""The transition table: every (state, action, role) combination, allowed or refused, with one
reviewer (the default) and, against a plain reference of DESIGN.md section 8, with several
(every state, action, role and count)."""
from __future__ import annotations

import itertools

import pytest

from kb import schemas, workflow
from kb.errors import InvalidTransition, PermissionDenied
from kb.workflow import Actor, Tally

ROLES = {
    "submitter-owner": Actor(role="submitter", is_submitter=True, same_organization=True),
    "other submitter": Actor(role="submitter"),
    "reviewer same org": Actor(role="reviewer", same_organization=True),
    "reviewer other org": Actor(role="reviewer"),
    "claiming reviewer": Actor(role="reviewer", is_claimer=True),
    "admin": Actor(role="admin"),
}

# (state, action) -> roles allowed, straight from DESIGN.md section 4.
EXPECTED = {
    ("draft", "submit"): {"submitter-owner"},
    ("changes_requested", "submit"): {"submitter-owner"},
    ("submitted", "claim"): {"reviewer other org", "claiming reviewer", "admin"},
    ("in_review", "unclaim"): {"claiming reviewer", "admin"},
    ("in_review", "request_changes"): {"claiming reviewer"},
    ("in_review", "approve"): {"claiming reviewer"},
    ("in_review", "reject"): {"claiming reviewer"},
    ("in_review", "recommend"): {"claiming reviewer"},
    ("needs_decision", "approve"): {"admin"},
    ("needs_decision", "reject"): {"admin"},
    ("needs_decision", "add_reviewer"): {"admin"},
    ("draft", "withdraw"): {"submitter-owner"},
    ("submitted", "withdraw"): {"submitter-owner"},
    ("changes_requested", "withdraw"): {"submitter-owner"},
    ("published", "archive"): {"admin"},
    ("archived", "unarchive"): {"admin"},
    ("published", "request_update"): {"reviewer same org", "reviewer other org",
                                      "claiming reviewer", "admin"},
    ("published", "confirm_current"): {"submitter-owner"},
}
TARGET = {"submit": "submitted", "claim": "in_review", "unclaim": "submitted",
          "request_changes": "changes_requested", "approve": "published", "reject": "rejected",
          "withdraw": "withdrawn", "archive": "archived", "unarchive": "published",
          "request_update": "published", "confirm_current": "published",
          "recommend": "published", "add_reviewer": "in_review"}

CASES = list(itertools.product(workflow.STATES, workflow.ACTIONS, ROLES))


@pytest.mark.parametrize(("state", "action", "role"), CASES)
def test_every_state_action_and_role_is_allowed_or_refused_as_the_table_says(state, action,
                                                                            role):
    actor = ROLES[role]
    applies = (state, action) in EXPECTED
    if applies and role in EXPECTED[(state, action)]:
        assert workflow.next_state(state, action, actor, recommendation="approve") == \
            TARGET[action]
        assert action in workflow.allowed_actions(state, actor)
        assert workflow.can(state, action, actor)
    else:
        expected_error = PermissionDenied if applies else InvalidTransition
        with pytest.raises(expected_error):
            workflow.next_state(state, action, actor, recommendation="approve")
        assert action not in workflow.allowed_actions(state, actor)
        assert not workflow.can(state, action, actor)


def test_the_table_covers_exactly_the_design_transitions():
    rows = {(s, t.action) for t in workflow.TABLE for s in t.sources}
    # Several reviewers: a reviewer may also claim a practice already in review.
    assert rows == set(EXPECTED) | {("in_review", "claim")}


def test_nobody_reviews_their_own_submission_even_as_an_admin():
    own = Actor(role="admin", is_submitter=True, is_claimer=True)
    for action in ("claim", "approve", "reject", "request_changes"):
        state = "submitted" if action == "claim" else "in_review"
        with pytest.raises(PermissionDenied):
            workflow.next_state(state, action, own)


def test_an_admin_of_the_submitters_organization_cannot_claim_it():
    with pytest.raises(PermissionDenied):
        workflow.next_state("submitted", "claim", Actor(role="admin", same_organization=True))


def test_a_claimer_who_later_joins_the_submitters_organization_cannot_decide():
    actor = Actor(role="reviewer", is_claimer=True, same_organization=True)
    assert workflow.allowed_actions("in_review", actor) == []


def test_an_unknown_action_is_an_invalid_transition():
    with pytest.raises(InvalidTransition):
        workflow.next_state("draft", "publish_now", ROLES["admin"])


@pytest.mark.parametrize("action", ["request_changes", "reject", "archive", "request_update"])
def test_decisions_that_need_a_reason_say_so(action):
    assert workflow.needs_comment(action)


@pytest.mark.parametrize("action", ["submit", "claim", "unclaim", "approve", "withdraw",
                                    "unarchive", "confirm_current", "recommend",
                                    "add_reviewer"])
def test_other_actions_need_no_comment(action):
    assert not workflow.needs_comment(action)


@pytest.mark.parametrize(("state", "editable"), [(s, s in ("draft", "changes_requested"))
                                                 for s in workflow.STATES])
def test_the_submitter_edits_only_drafts_and_practices_sent_back_for_changes(state, editable):
    assert workflow.can_edit(state, ROLES["submitter-owner"]) is editable
    assert not workflow.can_edit(state, ROLES["other submitter"])


def test_a_reviewer_cannot_request_an_update_of_their_own_practice():
    own = Actor(role="reviewer", is_submitter=True)
    with pytest.raises(PermissionDenied):
        workflow.next_state("published", "request_update", own)
    assert "confirm_current" in workflow.allowed_actions("published", own)


def test_living_actions_keep_the_practice_published():
    for action in ("request_update", "confirm_current"):
        assert workflow.transition(action).sources == ("published",)
        assert workflow.transition(action).target == "published"
        assert action in schemas.ACTIONS


# --- several reviewers: every (state, action, role, count) against a plain reference --------

COUNT_ROLES = {
    **ROLES,
    "internal reviewer": Actor(role="reviewer", internal=True),
    "reserved reviewer": Actor(role="reviewer", reserved=True),
    "claimer who recorded": Actor(role="reviewer", is_claimer=True, has_recorded=True),
    "internal claimer": Actor(role="reviewer", is_claimer=True, internal=True),
    "admin claimer": Actor(role="admin", is_claimer=True),
}


def tallies(mixes: bool = True):
    """Every count a round can show for N in (1, 3), quotas 0..1, an added reviewer, kept
    slots and (``mixes``) each mix of recorded recommendations, else none recorded or all
    approvals."""
    for required, internal_required, added, (reserved, internal_reserved) in itertools.product(
            (1, 3), (0, 1), (0, 1), ((0, 0), (1, 0), (1, 1))):
        slots = required + added
        for claimed in range(slots + 1):
            for internal_claimed in range(min(claimed, 1) + 1):
                for approvals, changes, rejections in itertools.product(range(claimed + 1),
                                                                        repeat=3):
                    if approvals + changes + rejections > claimed or not mixes and (
                            changes or rejections or approvals not in (0, claimed)):
                        continue
                    for internal_approvals in range(min(approvals, internal_claimed) + 1):
                        yield Tally(required=required, internal_required=internal_required,
                                    added=added, claimed=claimed,
                                    internal_claimed=internal_claimed, reserved=reserved,
                                    internal_reserved=internal_reserved,
                                    recorded=approvals + changes + rejections,
                                    approvals=approvals, internal_approvals=internal_approvals,
                                    changes=changes, rejections=rejections)


def reference(state, action, a, t, recommendation):  # noqa: C901
    """DESIGN.md sections 4 and 8 written out plainly: a state, "409" or "403"."""
    slots = t.required + t.added
    independent = (a.role in ("reviewer", "admin") and not a.is_submitter
                   and not a.same_organization)
    admin_decides = a.role == "admin" and independent
    simple = {("submit", "draft"): ("submitted", a.is_submitter),
              ("submit", "changes_requested"): ("submitted", a.is_submitter),
              ("withdraw", "draft"): ("withdrawn", a.is_submitter),
              ("withdraw", "submitted"): ("withdrawn", a.is_submitter),
              ("withdraw", "changes_requested"): ("withdrawn", a.is_submitter),
              ("archive", "published"): ("archived", a.role == "admin"),
              ("unarchive", "archived"): ("published", a.role == "admin"),
              ("request_update", "published"): ("published", a.role in ("reviewer", "admin")
                                                and not a.is_submitter),
              ("confirm_current", "published"): ("published", a.is_submitter),
              ("approve", "needs_decision"): ("published", admin_decides),
              ("reject", "needs_decision"): ("rejected", admin_decides),
              ("add_reviewer", "needs_decision"): ("in_review", admin_decides)}
    if (action, state) in simple:
        target, allowed = simple[(action, state)]
        return target if allowed else "403"
    if action == "claim" and state in ("submitted", "in_review"):
        if state == "in_review" and slots == 1:
            return "409"
        if t.claimed + 1 + t.reserved > slots:
            return "409"  # every slot taken or kept for someone else
        free_after = slots - (t.claimed + 1) - t.reserved
        kept_for_internal = t.internal_claimed + a.internal + t.internal_reserved
        if kept_for_internal + free_after < t.internal_required:
            return "409"  # the last slots are kept for internal reviewers
        if not independent or (state == "in_review" and a.is_claimer):
            return "403"
        return "in_review"
    if action == "unclaim" and state == "in_review":
        own = a.is_claimer and independent and not a.has_recorded
        if not own and a.role != "admin":
            return "403"
        left = t.claimed - 1 if (a.is_claimer and not a.has_recorded) else t.recorded
        return "submitted" if left <= 0 else "in_review"
    if action in ("approve", "request_changes", "reject") and state == "in_review":
        if slots != 1:
            return "409"
        if not (a.is_claimer and independent):
            return "403"
        return {"approve": "published", "request_changes": "changes_requested",
                "reject": "rejected"}[action]
    if action == "recommend" and state == "in_review":
        if not (a.is_claimer and independent and not a.has_recorded):
            return "403"
        recorded = t.recorded + 1
        approvals = t.approvals + (recommendation == "approve")
        internal = t.internal_approvals + (recommendation == "approve" and a.internal)
        changes = t.changes + (recommendation == "request_changes")
        if recorded < slots:
            return "in_review"
        if changes:
            return "changes_requested"
        if approvals >= t.required and internal >= t.internal_required:
            return "published"
        if approvals == 0:
            return "rejected"
        return "needs_decision"
    return "409"


def outcome(state, action, actor, tally, recommendation):
    try:
        return workflow.next_state(state, action, actor, tally, recommendation)
    except InvalidTransition:
        return "409"
    except PermissionDenied:
        return "403"


def check_against_the_reference(state: str, every: int) -> int:
    """Compare next_state and can with the reference for every action, role and
    recommendation, on every ``every``-th count (each action starting at another offset);
    return how many cases were checked."""
    checked = 0
    for offset, action in enumerate(workflow.ACTIONS):
        counts = tallies(mixes=action in ("recommend", "unclaim"))
        for tally in itertools.islice(counts, offset % every, None, every):
            recommendations = workflow.RECOMMENDATIONS if action == "recommend" else (None,)
            for (role, actor), recommendation in itertools.product(COUNT_ROLES.items(),
                                                                   recommendations):
                expected = reference(state, action, actor, tally, recommendation)
                assert outcome(state, action, actor, tally, recommendation) == expected, (
                    state, action, role, tally, recommendation)
                allowed = workflow.can(state, action, actor, tally)
                assert allowed == (expected not in ("403", "409")) or action == "recommend"
                checked += 1
    return checked


@pytest.mark.parametrize("state", workflow.STATES)
def test_every_action_role_and_a_sample_of_counts_follow_the_reference(state):
    # Every action, role and recommendation, on one count in eight: a ninth of the time of
    # the exhaustive twin below (make test-slow), which checks every count.
    assert check_against_the_reference(state, every=8) > 10_000 // 8


@pytest.mark.slow
@pytest.mark.parametrize("state", workflow.STATES)
def test_every_action_role_and_count_follows_the_reference(state):
    assert check_against_the_reference(state, every=1) > 10_000


def test_the_buttons_offered_are_the_actions_allowed():
    counts = Tally(required=3, claimed=1, internal_claimed=0, recorded=1, approvals=1)
    claimer = Actor(role="reviewer", is_claimer=True)
    assert workflow.allowed_actions("in_review", claimer, counts) == ["unclaim", "recommend"]
    assert workflow.allowed_actions("in_review", Actor(role="reviewer"), counts) == ["claim"]


def test_three_approvals_with_an_internal_one_publish():
    counts = Tally(required=3, internal_required=1, claimed=3, internal_claimed=1, recorded=2,
                   approvals=2, internal_approvals=1)
    external = Actor(role="reviewer", is_claimer=True)
    assert workflow.next_state("in_review", "recommend", external, counts, "approve") == \
        "published"


def test_three_external_approvals_miss_the_internal_quota_and_need_a_decision():
    counts = Tally(required=3, internal_required=1, claimed=3, recorded=2, approvals=2)
    external = Actor(role="reviewer", is_claimer=True)
    assert workflow.next_state("in_review", "recommend", external, counts, "approve") == \
        "needs_decision"


def test_the_last_slot_is_kept_for_an_internal_reviewer():
    counts = Tally(required=3, internal_required=1, claimed=2)
    with pytest.raises(InvalidTransition, match="internal"):
        workflow.next_state("in_review", "claim", Actor(role="reviewer"), counts)
    assert workflow.next_state("in_review", "claim", Actor(role="reviewer", internal=True),
                               counts) == "in_review"


def test_a_fourth_claim_is_refused():
    counts = Tally(required=3, claimed=3)
    with pytest.raises(InvalidTransition, match="taken"):
        workflow.next_state("in_review", "claim", Actor(role="reviewer"), counts)


def test_a_split_goes_to_an_admin_and_an_added_reviewer_counts_toward_n():
    split = Tally(required=3, claimed=3, recorded=2, approvals=2)
    last = Actor(role="reviewer", is_claimer=True)
    assert workflow.next_state("in_review", "recommend", last, split, "reject") == \
        "needs_decision"
    added = Tally(required=3, added=1, claimed=4, recorded=3, approvals=2, rejections=1)
    assert workflow.next_state("in_review", "recommend", last, added, "approve") == "published"
