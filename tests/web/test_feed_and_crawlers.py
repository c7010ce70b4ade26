"""The Atom feed follows a search; the sitemap lists practice pages; robots.txt spares facets."""
from __future__ import annotations

import functools
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import add_practice, private_app

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def practices(tmp_path_factory, migrated_database):
    """A client of an app of this module's own with three published practices and a draft:
    the tests that use it only read."""
    with private_app(tmp_path_factory.mktemp("feed"), migrated_database) as app:
        _add_practices(functools.partial(add_practice, app))
        yield app.test_client()


def _add_practices(make_practice) -> None:
    make_practice(title="Alternatives to detention in Kenya", objectives=[13],
                  regions=["africa"], countries=["KEN"])
    make_practice(title="Detention monitoring in Manila", objectives=[13],
                  regions=["asia-pacific"], countries=["PHL"])
    make_practice(title="Remittance app for Senegal <&>", objectives=[20], regions=["africa"],
                  countries=["SEN"])
    make_practice(state="draft", title="Unpublished draft", objectives=[13], regions=["africa"],
                  countries=["KEN"])


def _feed(client, **params):
    response = client.get("/feed.atom", query_string=params)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.data)


def _titles(root):
    return sorted(e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry"))


def test_feed_parses_as_atom_with_the_required_elements(practices):
    root = _feed(practices)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    for entry in entries:
        for name in ("id", "title", "updated", "summary", "content"):
            assert entry.find(f"{ATOM}{name}") is not None
        assert entry.find(f"{ATOM}link").get("href").startswith("http://kb.test/practices/")
    assert "Remittance app for Senegal <&>" in _titles(root)
    assert "Unpublished draft" not in _titles(root)


@pytest.mark.parametrize(("params", "expected"), [
    ({"objective": "13", "region": "africa"}, ["Alternatives to detention in Kenya"]),
    ({"objective": "13"}, ["Alternatives to detention in Kenya",
                           "Detention monitoring in Manila"]),
    ({"region": "africa"}, ["Alternatives to detention in Kenya",
                            "Remittance app for Senegal <&>"]),
    ({"q": "remittance"}, ["Remittance app for Senegal <&>"]),
    ({"objective": "8"}, []),
])
def test_feed_follows_the_search_parameters(practices, params, expected):
    assert _titles(_feed(practices, **params)) == expected


def test_feed_refuses_an_unknown_filter_value(practices):
    assert practices.get("/feed.atom?objective=99").status_code == 400


def test_search_page_offers_its_own_feed_and_exports(practices):
    html = practices.get("/practices?objective=13&region=africa").get_data(as_text=True)
    assert ('<link rel="alternate" type="application/atom+xml"' in html)
    assert ("/feed.atom?objective=13&amp;region=africa" in html)
    assert "/api/v1/practices.csv?objective=13&amp;region=africa" in html


def test_sitemap_lists_published_practice_pages_only(practices):
    root = ET.fromstring(practices.get("/sitemap.xml").data)
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    practice_urls = [u for u in locs if "/practices/" in u]
    assert len(practice_urls) == 3
    assert not any("unpublished" in u for u in locs)


def test_robots_keeps_crawlers_off_facet_urls_and_names_the_sitemap(client):
    text = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /practices?" in text.splitlines()
    assert "Sitemap: http://kb.test/sitemap.xml" in text


# Characters XML 1.0 forbids (PostgreSQL stores no NUL in text: NUL only where SQLite runs).
FORBIDDEN = "\uffff\ufffe\x01\x08\x0b\x0c\x1b\x7f"


def test_a_practice_with_characters_xml_forbids_leaves_the_feed_valid(app, client,
                                                                       make_practice):
    from sqlalchemy import update

    from kb import db
    from kb.models import Practice
    from kb.services import indexing

    practice_id = make_practice(title="Harbour desk zqxmlw", summary="Newcomers meet zqxmlw.")
    nul = "" if db_url(app).startswith("postgresql") else "\x00"
    with app.app_context():
        with db.write_transaction() as session:
            # As older data or another writer could have stored it.
            session.execute(update(Practice).where(Practice.id == practice_id).values(
                title=f"Harbour{FORBIDDEN}{nul} desk zqxmlw",
                summary=f"Newcomers{nul}{FORBIDDEN} meet zqxmlw."))
        indexing.apply_changes([practice_id])
    queries = {"": "", f"zqxmlw{FORBIDDEN}\x00": "zqxmlw", "\x00\x02harbour\uffff": "harbour"}
    for query, echoed in queries.items():
        root = _feed(client, q=query)  # ElementTree refuses a document XML forbids
        assert _titles(root) == ["Harbour desk zqxmlw"], repr(query)
        [entry] = root.findall(f"{ATOM}entry")
        assert entry.findtext(f"{ATOM}summary") == "Newcomers meet zqxmlw."
        if echoed:  # the search words echoed in the feed's title, cleaned
            assert f"“{echoed}”" in root.findtext(f"{ATOM}title")


def db_url(app) -> str:
    return app.config["DATABASE_URL"]
