"""The transition table: every (state, action, role) combination, allowed or refused."""
from __future__ import annotations

import itertools

import pytest

from kb import schemas, workflow
from kb.errors import InvalidTransition, PermissionDenied
from kb.workflow import Actor

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
          "request_update": "published", "confirm_current": "published"}

CASES = list(itertools.product(workflow.STATES, workflow.ACTIONS, ROLES))


@pytest.mark.parametrize(("state", "action", "role"), CASES)
def test_every_state_action_and_role_is_allowed_or_refused_as_the_table_says(state, action,
                                                                            role):
    actor = ROLES[role]
    applies = (state, action) in EXPECTED
    if applies and role in EXPECTED[(state, action)]:
        assert workflow.next_state(state, action, actor) == TARGET[action]
        assert action in workflow.allowed_actions(state, actor)
        assert workflow.can(state, action, actor)
    else:
        expected_error = PermissionDenied if applies else InvalidTransition
        with pytest.raises(expected_error):
            workflow.next_state(state, action, actor)
        assert action not in workflow.allowed_actions(state, actor)
        assert not workflow.can(state, action, actor)


def test_the_table_covers_exactly_the_design_transitions():
    rows = {(s, t.action) for t in workflow.TABLE for s in t.sources}
    assert rows == set(EXPECTED)


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
                                    "unarchive", "confirm_current"])
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
