"""Only a live published practice is public: never a draft, an archived one or a proposed update.

"Public" has one definition, ``Practice.is_public``; these tests look at every place a reader
meets practices (home, practice page, search, API, feed, sitemap, collections).
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from kb import db
from kb.models import Practice


@pytest.fixture
def shelf(app, make_practice):
    """A live practice, a draft, an archived one and an approved update's record.

    The update is a practice row of its own that points at the live one and stays, after the
    approval, closed as "published": it is the record of the update, not a second public page.
    """
    from kb.services import indexing

    ids = {
        "live": make_practice(title="Live desk for newcomers"),
        "draft": make_practice(state="draft", title="Draft desk for newcomers"),
        "archived": make_practice(state="archived", title="Archived desk for newcomers"),
        "update": make_practice(title="Update desk for newcomers"),
    }
    with app.app_context():
        with db.write_transaction() as session:
            update = session.get(Practice, ids["update"])
            update.revision_of_id = ids["live"]
            indexing.record_change(session, update)
        indexing.apply_changes([ids["update"]])
        slugs = {name: db.get_session().get(Practice, pid).slug for name, pid in ids.items()}
    return ids, slugs


def test_the_condition_reads_the_same_on_a_row_and_in_sql(app, shelf):
    ids, _slugs = shelf
    with app.app_context():
        session = db.get_session()
        in_sql = set(session.scalars(select(Practice.id).where(Practice.is_public)))
        on_rows = {p.id for p in session.scalars(select(Practice)) if p.is_public}
    assert in_sql == on_rows == {ids["live"]}


def test_readers_meet_only_the_live_practice(app, client, shelf):
    _ids, slugs = shelf
    pages = {
        "home": client.get("/").get_data(as_text=True),
        "search": client.get("/practices?q=desk").get_data(as_text=True),
        "api": client.get("/api/v1/practices?q=desk").get_data(as_text=True),
        "feed": client.get("/feed.atom").get_data(as_text=True),
        "sitemap": client.get("/sitemap.xml").get_data(as_text=True),
    }
    for name, body in pages.items():
        assert "Live desk for newcomers" in body or slugs["live"] in body, name
        for hidden in ("draft", "update"):
            assert slugs[hidden] not in body, (name, hidden)
            assert f"{hidden.capitalize()} desk" not in body, (name, hidden)
        assert "Archived desk" not in body, name
    assert client.get(f"/practices/{slugs['live']}").status_code == 200
    assert client.get(f"/practices/{slugs['draft']}").status_code == 404
    assert client.get(f"/practices/{slugs['update']}").status_code == 404
    assert client.get(f"/api/v1/practices/{slugs['update']}").status_code == 404
