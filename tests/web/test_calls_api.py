"""Calls and collections through the API: an admin opens a call and curates a collection with a
token; a submitter answers the call; the practice shows under call=<slug>; after the deadline
the API refuses a submission with 422 naming ``call``."""
from __future__ import annotations

import datetime as dt

import pytest

from kb.db import utcnow
from kb.services import reviews
from tests.conftest import valid_record
from tests.web import test_api_write
from tests.web.review_support import make_member

api = test_api_write.api  # the fixture: api(user) -> a caller with that user's token
CHECKLIST = dict.fromkeys(("relates_to_objectives", "adheres_to_principles", "implemented",
                           "completed", "innovative_replicable"), True)


def _day(offset: int) -> str:
    return (utcnow().date() + dt.timedelta(days=offset)).isoformat()


@pytest.fixture
def people(app, api):
    return {role: api(make_member(app, role, f"{role} org")) for role in
            ("admin", "reviewer", "submitter")}


def test_an_admin_opens_a_call_a_submitter_answers_and_it_is_published(app, people):
    admin, reviewer, submitter = people["admin"], people["reviewer"], people["submitter"]
    r = admin("POST", "/api/v1/calls", {"title": "Domestic workers as agents of change",
                                         "objectives": [6, 16], "opens_on": _day(0),
                                         "closes_on": _day(10),
                                         "contact": "ilo@example.org",
                                         "description": "Run with the *ILO*."})
    assert r.status_code == 201, r.get_json()
    call = r.get_json()
    assert call["slug"] == "domestic-workers-as-agents-of-change"
    assert call["status"] == "open"
    assert call["days_left"] == 10
    assert call["description_html"] == "<p>Run with the <em>ILO</em>.</p>"
    assert call["submit_url"].endswith("/submissions/new?call=" + call["slug"])
    assert submitter("POST", "/api/v1/calls", {"title": "Mine"}).status_code == 403

    r = submitter("POST", "/api/v1/submissions", {**valid_record(title="Care work"),
                                                   "call": call["slug"], "submit": True})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["call"] == call["slug"]
    pid = r.get_json()["id"]
    assert reviewer("POST", f"/api/v1/submissions/{pid}/actions",
                    {"action": "claim", "no_conflict": True}).status_code == 200
    assert reviewer("POST", f"/api/v1/submissions/{pid}/actions",
                    {"action": "approve", "checklist": CHECKLIST}).status_code == 200

    public = app.test_client()
    found = public.get(f"/api/v1/practices?call={call['slug']}").get_json()
    assert [h["title"] for h in found["results"]] == ["Care work"]
    assert public.get("/api/v1/practices/care-work").get_json()["call"] == call["slug"]
    detail = public.get(f"/api/v1/calls/{call['slug']}").get_json()
    assert [p["slug"] for p in detail["practices"]] == ["care-work"]
    listed = public.get("/api/v1/calls").get_json()
    assert [c["slug"] for c in listed["results"]] == [call["slug"]]


def test_after_closes_on_the_api_refuses_a_submission_naming_call(app, people):
    admin, submitter = people["admin"], people["submitter"]
    admin("POST", "/api/v1/calls", {"title": "Migration Data", "opens_on": _day(-20),
                                     "closes_on": _day(5)})
    r = admin("PATCH", "/api/v1/calls/migration-data", {"closes_on": _day(-1)})
    assert r.status_code == 200
    assert r.get_json()["status"] == "closed"
    r = submitter("POST", "/api/v1/submissions", {**valid_record(title="Late"),
                                                   "call": "migration-data", "submit": True})
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert _day(-1) in error["fields"]["call"][0]
    assert submitter("GET", "/api/v1/submissions").get_json()["total"] == 0  # nothing saved
    draft = submitter("POST", "/api/v1/submissions", {**valid_record(title="Late"),
                                                       "call": "migration-data"})
    assert draft.status_code == 201
    assert draft.get_json()["call"] == "migration-data"
    r = submitter("POST", f"/api/v1/submissions/{draft.get_json()['id']}/actions",
                  {"action": "submit"})
    assert r.status_code == 422
    assert "call" in r.get_json()["error"]["fields"]
    unknown = submitter("POST", "/api/v1/submissions", {**valid_record(), "call": "nope"})
    assert unknown.status_code == 422
    assert "call" in unknown.get_json()["error"]["fields"]


@pytest.mark.parametrize("body", [
    {"title": "x", "opens_on": "2026-13-01", "closes_on": "2026-12-01"},
    {"title": "x", "opens_on": "2026-12-05", "closes_on": "2026-12-01"},
    {"title": "x", "opens_on": 5, "closes_on": None},
    {"title": ["x"], "opens_on": "2026-12-01", "closes_on": "2026-12-05"},
    {"title": "x", "slug": "Not A Slug", "opens_on": "2026-12-01", "closes_on": "2026-12-05"},
    {"title": "x", "objectives": [24], "opens_on": "2026-12-01", "closes_on": "2026-12-05"},
    {"title": "x", "contact": "not-mail", "opens_on": "2026-12-01", "closes_on": "2026-12-05"},
])
def test_a_bad_call_body_gets_422_naming_the_key(people, body):
    r = people["admin"]("POST", "/api/v1/calls", body)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["error"]["fields"]


def test_a_collection_is_built_through_the_api_and_drops_archived_members(app, people,
                                                                          make_practice):
    admin = people["admin"]
    ids = {title: make_practice(state="published", title=title, outcome=f"{title} worked.")
           for title in ("First one", "Second one", "Third one")}
    make_practice(state="draft", title="A draft")
    r = admin("POST", "/api/v1/collections", {"title": "Showcase", "intro": "Our *picks*.",
                                               "items": [{"practice": "a-draft"}]})
    assert r.status_code == 422
    assert "items.0.practice" in r.get_json()["error"]["fields"]
    r = admin("POST", "/api/v1/collections", {
        "title": "Showcase", "intro": "Our *picks*.",
        "items": [{"practice": "second-one", "note": "The curator's sentence."},
                  {"practice": "first-one"}]})
    assert r.status_code == 201, r.get_json()
    public = app.test_client()
    assert public.get("/api/v1/collections/showcase").status_code == 404  # not published yet
    r = admin("PATCH", "/api/v1/collections/showcase", {
        "published": True, "items": [{"practice": "first-one"},
                                     {"practice": "second-one", "note": "Kept note."},
                                     {"practice": "third-one"}]})
    assert r.status_code == 200, r.get_json()
    got = public.get("/api/v1/collections/showcase").get_json()
    assert [i["practice"] for i in got["items"]] == ["first-one", "second-one", "third-one"]
    assert [i["outcome"] for i in got["items"]] == ["First one worked.", "Kept note.",
                                                    "Third one worked."]
    assert got["intro_html"] == "<p>Our <em>picks</em>.</p>"
    assert [c["slug"] for c in public.get("/api/v1/collections").get_json()["results"]] == [
        "showcase"]

    boss = make_member(app, "admin", "Boss org")
    with app.app_context():
        reviews.archive(boss, ids["Second one"], "Outdated figures")
    got = public.get("/api/v1/collections/showcase").get_json()
    assert [i["practice"] for i in got["items"]] == ["first-one", "third-one"]
    page = public.get("/collections/showcase").get_data(as_text=True)
    assert "Second one" not in page
    assert "First one" in page
