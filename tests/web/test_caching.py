"""ETag and Last-Modified on practice pages, API records and the feed; 304 when unchanged."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from kb import db
from kb.models import Practice


@pytest.fixture
def slug(app, make_practice):
    pid = make_practice(title="Cached practice")
    with app.app_context():
        return db.get_session().get(Practice, pid).slug


URLS = ["/practices/{slug}", "/api/v1/practices/{slug}", "/feed.atom", "/feed.atom?objective=15"]


@pytest.mark.parametrize("url", URLS)
def test_a_repeated_request_with_the_etag_gets_304(client, slug, url):
    first = client.get(url.format(slug=slug))
    assert first.status_code == 200
    assert first.headers["ETag"]
    assert first.last_modified
    again = client.get(url.format(slug=slug), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    since = client.get(url.format(slug=slug),
                       headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304


@pytest.mark.parametrize("url", URLS)
def test_a_changed_practice_gets_a_new_etag(app, client, slug, url):
    from kb.services import indexing

    first = client.get(url.format(slug=slug))
    with app.app_context():
        with db.write_transaction() as session:
            practice = session.scalar(select(Practice).where(Practice.slug == slug))
            practice.summary = "A new summary."
            indexing.record_change(session, practice)
            practice_id = practice.id
        indexing.apply_changes([practice_id])
    again = client.get(url.format(slug=slug), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]


def test_practice_page_etag_depends_on_the_interface_language(client, slug):
    english = client.get(f"/practices/{slug}?lang=en")
    french = client.get(f"/practices/{slug}?lang=fr",
                        headers={"If-None-Match": english.headers["ETag"]})
    assert french.status_code == 200
    assert "Accept-Language" in french.headers["Vary"]


def test_signed_in_readers_always_get_a_fresh_page(client, slug, make_user, login):
    login(make_user())
    response = client.get(f"/practices/{slug}")
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "private, no-cache"
