"""The demo repository's calls for practices and featured collections."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from kb import db
from kb.models import Call, Collection, CollectionItem


# That a second `kb init --demo` adds none: tests/web/test_foundation.py.
@pytest.mark.demo
def test_demo_has_an_open_and_a_closed_call_and_two_collections(app):
    with app.app_context():
        session = db.get_session()
        assert session.scalar(select(func.count()).select_from(Call)) == 2
        assert session.scalar(select(func.count()).select_from(CollectionItem)) == 9
        today = db.utcnow().date()
        statuses = {c.slug: c.status_on(today) for c in session.scalars(select(Call))}
        open_call = session.scalar(select(Call).where(Call.slug == next(
            s for s, status in statuses.items() if status == "open")))
        assert dt.timedelta(days=14) <= open_call.closes_on - today <= dt.timedelta(days=35)
        assert sorted(statuses.values()) == ["closed", "open"]
        assert session.scalar(select(func.count()).select_from(Collection)
                              .where(Collection.published.is_(True))) == 2

    client = app.test_client()
    api = client.get("/api/v1/calls").get_json()
    assert [c["status"] for c in api["results"]] == ["open", "closed"]
    closed = client.get("/api/v1/calls/migration-data").get_json()
    assert len(closed["practices"]) == 4
    found = client.get("/api/v1/practices?call=migration-data").get_json()
    assert found["total"] == 4
    home = client.get("/").get_data(as_text=True)
    assert "Migrant domestic workers as agents of change" in home
    assert "Cities welcoming newcomers" in home  # the newest published collection
    assert client.get("/collections/migrant-domestic-workers").status_code == 200


@pytest.mark.demo
def test_demo_open_call_has_submissions_waiting_for_review(app, make_user):
    from kb.services import reviews

    reviewer = make_user(role="reviewer")
    with app.app_context():
        waiting = reviews.queue(reviewer, reviews.QueueFilter(
            call="domestic-workers-agents-of-change"))
    assert [p.title for p in waiting] == [
        "Ethical recruitment helpdesk for small employers in Malaysia"]
