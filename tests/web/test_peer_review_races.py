"""Thirty reviewers at the same instant: exactly the right number of claims win, and no
recommendation is lost (SQLite here; PostgreSQL in CI through KB_TEST_DATABASE_URL)."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from kb import db
from kb.errors import InvalidTransition, PermissionDenied
from kb.models import AuditEvent, Practice, Review
from kb.services import reviews
from kb.workflow import CHECKLIST_KEYS
from tests.web.review_support import make_member

CROWD = 30


def at_once(app, calls) -> list[object]:
    """Run the callables at the same instant, each in its own app context; return outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(slot: int, call) -> None:
        with app.app_context():
            barrier.wait()
            try:
                call()
                outcomes[slot] = "won"
            except (InvalidTransition, PermissionDenied) as exc:
                outcomes[slot] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.get_session().scalar(query)


def crowd(app, size: int) -> list:
    return [make_member(app, "reviewer", f"Crowd org {n}") for n in range(size)]


def test_thirty_concurrent_claims_fill_exactly_the_three_slots(app, make_practice):
    app.config.update(REVIEWS_REQUIRED=3, REVIEWS_INTERNAL_REQUIRED=0)
    submitter = make_member(app, "submitter", "Crowd City")
    pid = make_practice(state="submitted", submitter=submitter, title="Crowded claim")
    people = crowd(app, CROWD)
    outcomes = at_once(app, [lambda u=u: reviews.claim(u, pid, True) for u in people])
    assert outcomes.count("won") == 3, outcomes
    assert all(isinstance(o, InvalidTransition) for o in outcomes if o != "won")
    assert count(app, Review, practice_id=pid) == 3
    assert count(app, AuditEvent, practice_id=pid, action="claim") == 3


def test_thirty_concurrent_recommendations_are_all_recorded_and_settle_once(app,
                                                                          make_practice):
    app.config.update(REVIEWS_REQUIRED=CROWD, REVIEWS_INTERNAL_REQUIRED=0)
    submitter = make_member(app, "submitter", "Crowd Town")
    pid = make_practice(state="submitted", submitter=submitter, title="Crowded recommend")
    people = crowd(app, CROWD)
    with app.app_context():
        for person in people:
            reviews.claim(person, pid, True)
    ticked = dict.fromkeys(CHECKLIST_KEYS, True)
    outcomes = at_once(app, [lambda u=u: reviews.recommend(u, pid, "approve", ticked)
                             for u in people])
    assert outcomes == ["won"] * CROWD
    with app.app_context():
        rows = db.get_session().scalars(select(Review).where(Review.practice_id == pid)).all()
        assert sorted(r.recommendation for r in rows) == ["approve"] * CROWD
        assert db.get_session().get(Practice, pid).state == "published"
    assert count(app, AuditEvent, practice_id=pid, action="recommend") == CROWD
    assert count(app, AuditEvent, practice_id=pid, to_state="published") == 1


def test_the_same_reviewer_recommending_twice_at_once_is_recorded_once(app, make_practice):
    app.config.update(REVIEWS_REQUIRED=3, REVIEWS_INTERNAL_REQUIRED=0)
    submitter = make_member(app, "submitter", "Crowd Village")
    pid = make_practice(state="submitted", submitter=submitter, title="Double click")
    [alice] = crowd(app, 1)
    with app.app_context():
        reviews.claim(alice, pid, True)
    outcomes = at_once(app, [lambda: reviews.recommend(alice, pid, "reject", None, "No."),
                             lambda: reviews.recommend(alice, pid, "request_changes", None,
                                                       "Fix.")])
    assert outcomes.count("won") == 1, outcomes
    assert count(app, AuditEvent, practice_id=pid, action="recommend") == 1
