"""Two reviewers deciding the same practice at the same moment: exactly one wins."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from kb import db
from kb.errors import InvalidTransition, PermissionDenied
from kb.models import AuditEvent, Practice
from kb.services import reviews
from kb.workflow import CHECKLIST_KEYS
from tests.web.review_support import make_member

ROUNDS = 10  # per kind; the slow twin runs SLOW_ROUNDS
SLOW_ROUNDS = 50


def race(app, first, second) -> list[object]:
    """Run two callables at the same instant in separate app contexts; return their outcomes."""
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def run(slot: int, action) -> None:
        with app.app_context():
            barrier.wait()
            try:
                action()
                outcomes[slot] = "won"
            except (InvalidTransition, PermissionDenied) as exc:
                outcomes[slot] = exc

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate((first, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def audit_count(app, practice_id: int, action: str) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.practice_id == practice_id, AuditEvent.action == action))


@pytest.mark.parametrize("kind", ["claim", "decide"])
def test_concurrent_reviewers_never_both_win(app, make_practice, kind):
    race_rounds(app, make_practice, kind, ROUNDS)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["claim", "decide"])
def test_concurrent_reviewers_never_both_win_in_many_rounds(app, make_practice, kind):
    race_rounds(app, make_practice, kind, SLOW_ROUNDS)


def race_rounds(app, make_practice, kind: str, rounds: int) -> None:
    """Race two reviewers ``rounds`` times on new practices: exactly one wins each time."""
    submitter = make_member(app, "submitter", "Race City")
    alice = make_member(app, "reviewer", "Race Reviewers A")
    bob = make_member(app, "reviewer", "Race Reviewers B")
    started = time.monotonic()
    for n in range(rounds):
        pid = make_practice(state="submitted", submitter=submitter, title=f"Race {kind} {n}")
        if kind == "claim":
            outcomes = race(app, lambda p=pid: reviews.claim(alice, p, True),
                            lambda p=pid: reviews.claim(bob, p, True))
            actions = ("claim",)
        else:
            with app.app_context():
                reviews.claim(alice, pid, True)
            # The same reviewer in two tabs: approve in one, reject in the other.
            outcomes = race(app, lambda p=pid: reviews.approve(
                alice, p, dict.fromkeys(CHECKLIST_KEYS, True)),
                            lambda p=pid: reviews.reject(alice, p, "Out of scope."))
            actions = ("approve", "reject")
        winners = [o for o in outcomes if o == "won"]
        losers = [o for o in outcomes if isinstance(o, InvalidTransition)]
        assert len(winners) == 1, outcomes
        assert len(losers) == 1, outcomes
        assert sum(audit_count(app, pid, a) for a in actions) == 1
        with app.app_context():
            state = db.get_session().get(Practice, pid).state
        assert state in ("in_review", "published", "rejected")
    elapsed = time.monotonic() - started
    print(f"{rounds} {kind} races in {elapsed:.1f} s")


def test_a_lost_race_answers_409_through_the_api(app, make_practice):
    from kb.services import tokens

    submitter = make_member(app, "submitter", "Race City 2")
    alice = make_member(app, "reviewer", "Race Reviewers C")
    bob = make_member(app, "reviewer", "Race Reviewers D")
    pid = make_practice(state="submitted", submitter=submitter)
    with app.app_context():
        headers = [{"Authorization": f"Bearer {tokens.create_token(u, u)}"} for u in (alice, bob)]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def claim(h: dict) -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post(f"/api/v1/submissions/{pid}/actions", headers=h,
                                    json={"action": "claim", "no_conflict": True}).status_code)

    threads = [threading.Thread(target=claim, args=(h,)) for h in headers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses) == [200, 409]
    assert audit_count(app, pid, "claim") == 1
