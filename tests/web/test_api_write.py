"""The write API: the review stories with bearer tokens, and its 401/403/404/409/422 answers."""
from __future__ import annotations

import pytest

from kb.workflow import CHECKLIST_KEYS
from tests.conftest import valid_record
from tests.web.review_support import api_client, mails_to, make_member

ALL_TICKED = dict.fromkeys(CHECKLIST_KEYS, True)


@pytest.fixture(autouse=True)
def baseline(make_practice):
    """One unrelated published practice, so the index is never empty."""
    make_practice(state="published", title="Unrelated baseline practice")


@pytest.fixture
def api(app):
    """Return a function: api(user) -> a callable (method, path, json) -> response."""
    return lambda user: api_client(app, user)


@pytest.fixture
def actors(app, api):
    submitter = make_member(app, "submitter", "City of Api")
    reviewer = make_member(app, "reviewer", "Api Review Network")
    return submitter, api(submitter), reviewer, api(reviewer)


def search(client, q):
    return [r["title"] for r in client.get("/api/v1/practices",
                                           query_string={"q": q}).get_json()["results"]]


def test_submit_claim_request_changes_edit_resubmit_approve_through_the_api(app, actors):
    submitter, sub, _, rev = actors
    r = sub("POST", "/api/v1/submissions", valid_record(title="Narwhal data hub"))
    assert r.status_code == 201
    practice = r.get_json()
    assert practice["state"] == "draft"
    assert practice["allowed_actions"] == ["submit", "withdraw"]
    pid = practice["id"]
    assert sub("POST", f"/api/v1/submissions/{pid}/actions",
               {"action": "submit"}).get_json()["state"] == "submitted"
    assert [p["id"] for p in rev("GET", "/api/v1/submissions").get_json()["results"]] == [pid]
    r = rev("POST", f"/api/v1/submissions/{pid}/actions", {"action": "claim"})
    assert r.status_code == 422
    assert "no_conflict" in r.get_json()["error"]["fields"]
    assert rev("POST", f"/api/v1/submissions/{pid}/actions",
               {"action": "claim", "no_conflict": True}).status_code == 200
    r = rev("POST", f"/api/v1/submissions/{pid}/actions", {"action": "request_changes"})
    assert r.status_code == 422
    assert "comment" in r.get_json()["error"]["fields"]
    rev("POST", f"/api/v1/submissions/{pid}/actions",
        {"action": "request_changes", "comment": "Name the partner NGOs."})
    assert sub("PATCH", f"/api/v1/submissions/{pid}",
               {"partners": "Two NGOs"}).get_json()["partners"] == "Two NGOs"
    sub("POST", f"/api/v1/submissions/{pid}/actions", {"action": "submit"})
    rev("POST", f"/api/v1/submissions/{pid}/actions", {"action": "claim", "no_conflict": True})
    r = rev("POST", f"/api/v1/submissions/{pid}/actions",
            {"action": "approve", "checklist": ALL_TICKED})
    assert r.status_code == 200
    assert r.get_json()["state"] == "published"
    assert search(app.test_client(), "narwhal") == ["Narwhal data hub"]
    assert any("published" in m["Subject"] for m in mails_to(app, submitter.email))


def test_reject_and_withdraw_through_the_api(app, actors):
    _, sub, _, rev = actors
    first = sub("POST", "/api/v1/submissions",
                {**valid_record(title="Ibex border post"), "submit": True}).get_json()
    assert first["state"] == "submitted"
    rev("POST", f"/api/v1/submissions/{first['id']}/actions",
        {"action": "claim", "no_conflict": True})
    r = rev("POST", f"/api/v1/submissions/{first['id']}/actions",
            {"action": "reject", "comment": "Not implemented yet."})
    assert r.get_json()["state"] == "rejected"
    assert search(app.test_client(), "ibex") == []
    second = sub("POST", "/api/v1/submissions",
                 {**valid_record(title="Ibex second try"), "submit": True}).get_json()
    r = sub("POST", f"/api/v1/submissions/{second['id']}/actions", {"action": "withdraw"})
    assert r.get_json()["state"] == "withdrawn"
    assert sub("POST", f"/api/v1/submissions/{second['id']}/actions",
               {"action": "submit"}).status_code == 409


def test_an_update_through_the_api_replaces_the_live_text_only_on_approval(app, actors,
                                                                          make_practice):
    submitter, sub, _, rev = actors
    live_id = make_practice(state="published", submitter=submitter, title="Walrus fund",
                            summary="About the heron scheme.")
    r = sub("POST", f"/api/v1/submissions/{live_id}/actions", {"action": "propose_update"})
    assert r.status_code == 201
    rid = r.get_json()["id"]
    assert r.get_json()["revision_of"] == live_id
    sub("PATCH", f"/api/v1/submissions/{rid}", {"summary": "About the pelican scheme."})
    sub("POST", f"/api/v1/submissions/{rid}/actions", {"action": "submit"})
    public = app.test_client()
    assert search(public, "heron") == ["Walrus fund"]
    assert search(public, "pelican") == []
    rev("POST", f"/api/v1/submissions/{rid}/actions", {"action": "claim", "no_conflict": True})
    rev("POST", f"/api/v1/submissions/{rid}/actions",
        {"action": "approve", "checklist": ALL_TICKED})
    assert search(public, "pelican") == ["Walrus fund"]
    assert search(public, "heron") == []


def test_archive_of_an_api_published_practice_removes_it_from_search(app, actors, api,
                                                                    make_practice):
    from kb.services import reviews

    admin = make_member(app, "admin", "Api Secretariat")
    pid = make_practice(state="published", title="Marten archive test")
    with app.test_request_context():
        reviews.archive(admin, pid, "Duplicate entry.")
    assert search(app.test_client(), "marten") == []


def test_the_api_refuses_with_the_right_status(app, actors, api):
    submitter, sub, reviewer, rev = actors
    colleague = make_member(app, "reviewer", "City of Api")  # same organization as submitter
    pid = sub("POST", "/api/v1/submissions",
              {**valid_record(), "submit": True}).get_json()["id"]
    assert app.test_client().post("/api/v1/submissions", json={}).status_code == 401
    r = api(colleague)("POST", f"/api/v1/submissions/{pid}/actions",
                       {"action": "claim", "no_conflict": True})
    assert r.status_code == 403
    assert sub("POST", f"/api/v1/submissions/{pid}/actions",
               {"action": "approve"}).status_code == 409
    assert sub("PATCH", f"/api/v1/submissions/{pid}", {"title": "x"}).status_code == 409
    other = api(make_member(app, "submitter"))
    assert other("GET", f"/api/v1/submissions/{pid}").status_code == 404
    assert other("GET", "/api/v1/submissions").get_json()["total"] == 0
    r = sub("POST", "/api/v1/submissions", {**valid_record(start_year=1800), "submit": True})
    assert r.status_code == 422
    assert "start_year" in r.get_json()["error"]["fields"]
    r = sub("POST", "/api/v1/submissions", ["not", "an", "object"])
    assert r.status_code == 422
    r = sub("POST", f"/api/v1/submissions/{pid}/actions", {"action": "explode"})
    assert r.status_code == 422
    assert "action" in r.get_json()["error"]["fields"]
