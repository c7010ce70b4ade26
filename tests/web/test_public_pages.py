"""Practice pages and the home page as the public sees them."""
from __future__ import annotations

import json
import re

import pytest


def _slug(app, practice_id):
    from kb import db
    from kb.models import Practice

    with app.app_context():
        return db.get_session().get(Practice, practice_id).slug


PUBLIC_ORDER = [
    ("title", "Municipal one-stop shop for newcomers"),
    ("objectives", "Provide access to basic services for migrants"),
    ("timeframe", "2019 – 2023"),
    ("type", "Service"),
    ("summary", "A single desk where newly arrived migrants register"),
    ("description", "<strong>one desk</strong>"),
    ("outcome", "Newcomers reach services in days, not months."),
    ("results", "4,000 people served"),
    ("lessons", "Start with the reception staff."),
    ("implemented_by", "City of Example"),
    ("partners", "Civil society partners"),
    ("stakeholders", "Local authorities"),
    ("level", "Local"),
    ("regions", "Europe and North America"),
    ("countries", "Belgium"),
    ("principles", "People-centred"),
    ("links", "https://example.org/report"),
    ("contact", "pub@example.org"),
    ("dates", "Published"),
    ("language", "English"),
    ("related", "Related practices"),
    ("permalink", "JSON record"),
]


def test_practice_page_shows_every_public_field_in_the_hubs_order(app, client, make_practice):
    pid = make_practice(contact={"name": "Pat Public", "email": "pub@example.org",
                                 "public": True})
    make_practice(title="Another newcomers desk", objectives=[15])
    html = client.get(f"/practices/{_slug(app, pid)}").get_data(as_text=True)
    positions = []
    for field, text in PUBLIC_ORDER:
        start = html.find(f'data-field="{field}"')
        assert start != -1, f"{field} is missing"
        assert text in html[start:start + 3000], f"{field} does not show {text!r}"
        positions.append(start)
    assert positions == sorted(positions)
    assert "Another newcomers desk" in html


def test_practice_page_never_shows_a_private_contact_or_review_comments(app, client,
                                                                          make_practice):
    pid = make_practice(contact={"name": "Secret Person", "email": "secret@example.org",
                                 "public": False})
    html = client.get(f"/practices/{_slug(app, pid)}").get_data(as_text=True)
    assert "Secret Person" not in html
    assert "secret@example.org" not in html
    assert 'data-field="contact"' not in html


def test_practice_page_carries_open_graph_and_schema_org_metadata(app, client, make_practice):
    pid = make_practice(title="Skills passport </script><b>")
    html = client.get(f"/practices/{_slug(app, pid)}").get_data(as_text=True)
    assert '<meta property="og:title" content="Skills passport &lt;/script&gt;&lt;b&gt;">' in html
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(match.group(1))
    assert data["@type"] == "CreativeWork"
    assert data["name"] == "Skills passport </script><b>"
    assert data["url"].endswith(f"/practices/{_slug(app, pid)}")


def test_a_draft_practice_has_no_public_page(app, client, make_practice):
    pid = make_practice(state="draft")
    assert client.get(f"/practices/{_slug(app, pid)}").status_code == 404


def test_home_shows_objective_and_region_tiles_with_search_counts(client, make_practice):
    make_practice(objectives=[4], regions=["africa"], countries=["KEN"])
    make_practice(objectives=[4, 13], regions=["africa"], countries=["NGA"])
    html = client.get("/").get_data(as_text=True)
    tile = re.search(r'href="/practices\?objective=4">.*?tile-count">([^<]+)<', html, re.S)
    assert tile.group(1) == "2 practices"
    tile = re.search(r'href="/practices\?region=africa">.*?tile-count">([^<]+)<', html, re.S)
    assert tile.group(1) == "2 practices"


def test_practice_template_previews_an_unsaved_draft(app):
    from flask import render_template

    from kb.models import Practice

    draft = Practice(title="Draft title", summary="Draft summary", objectives=[3],
                     language="en", state="draft")
    with app.test_request_context("/submissions/1/preview"):
        html = render_template("public/practice.html", practice=draft, preview=True)
    assert "Draft title" in html
    assert "Preview" in html
    assert "Permalink" not in html
    assert "og:url" not in html


@pytest.mark.parametrize("url", ["/", "/practices/{slug}", "/coverage", "/api"])
def test_public_pages_have_headings_in_order(app, client, make_practice, url):
    pid = make_practice()
    make_practice(title="A related one", objectives=[15])
    html = client.get(url.format(slug=_slug(app, pid))).get_data(as_text=True)
    levels = [int(h) for h in re.findall(r"<h([1-6])[ >]", html)]
    assert levels[0] == 1
    assert levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels


def test_archived_practice_page_says_so_without_related_practices(app, client, make_practice):
    pid = make_practice(state="archived")
    html = client.get(f"/practices/{_slug(app, pid)}").get_data(as_text=True)
    assert "This practice is archived." in html
    assert 'data-field="related"' not in html
