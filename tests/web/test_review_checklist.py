"""Approving needs every screening criterion ticked or an override reason (page and API); the
review page shows every public field, and an update's changes by field label."""
from __future__ import annotations

from kb import db
from kb.models import AuditEvent, Practice
from kb.services import tokens
from kb.workflow import CHECKLIST_KEYS
from tests.web.review_support import CHECKLIST_ALL, make_member, signed_in


def state_of(app, pid: int) -> str:
    with app.app_context():
        return db.get_session().get(Practice, pid).state


def claimed(app, make_practice, **overrides) -> tuple[int, object]:
    pid = make_practice(state="submitted", submitter=make_member(app), **overrides)
    reviewer = signed_in(app, make_member(app, "reviewer"))
    assert reviewer.post(f"/review/{pid}/claim", data={"no_conflict": "y"}).status_code == 302
    return pid, reviewer


def test_approve_with_an_unticked_criterion_and_no_reason_is_refused_in_the_page(
        app, make_practice):
    pid, reviewer = claimed(app, make_practice)
    partial = {k: v for k, v in CHECKLIST_ALL.items() if k != "check_completed"}
    r = reviewer.post(f"/review/{pid}/decide", data={"decision": "approve", **partial})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'id="override_reason-error"' in page
    assert 'href="#override_reason"' in page
    assert "completed" in page
    assert state_of(app, pid) == "in_review"
    r = reviewer.post(f"/review/{pid}/decide", data={"decision": "approve"})
    assert r.status_code == 422
    assert state_of(app, pid) == "in_review"


def test_an_override_reason_publishes_and_shows_in_the_timeline(app, make_practice):
    pid, reviewer = claimed(app, make_practice)
    r = reviewer.post(f"/review/{pid}/decide", data={
        "decision": "approve", "override_reason": "A pilot: completion expected in March."})
    assert r.status_code == 302
    assert state_of(app, pid) == "published"
    with app.app_context():
        event = db.get_session().query(AuditEvent).filter_by(practice_id=pid,
                                                             action="approve").one()
        assert event.data["override_reason"] == "A pilot: completion expected in March."
        assert not any(event.data["checklist"].values())
    page = reviewer.get(f"/review/{pid}").get_data(as_text=True)
    assert "Approved without a complete checklist" in page
    assert "A pilot: completion expected in March." in page


def test_every_ticked_criterion_approves_without_a_reason(app, make_practice):
    pid, reviewer = claimed(app, make_practice)
    r = reviewer.post(f"/review/{pid}/decide", data={"decision": "approve", **CHECKLIST_ALL})
    assert r.status_code == 302
    assert state_of(app, pid) == "published"


def test_the_api_refuses_an_incomplete_checklist_without_override_reason(app, make_practice):
    pid = make_practice(state="submitted", submitter=make_member(app))
    reviewer = make_member(app, "reviewer")
    with app.app_context():
        token = tokens.create_token(reviewer, reviewer)
    client = app.test_client()

    def act(body: dict):
        return client.post(f"/api/v1/submissions/{pid}/actions", json=body,
                           headers={"Authorization": f"Bearer {token}"})

    assert act({"action": "claim", "no_conflict": True}).status_code == 200
    r = act({"action": "approve", "checklist": {"completed": True}})
    assert r.status_code == 422
    assert "override_reason" in r.get_json()["error"]["fields"]
    assert act({"action": "approve", "override_reason": 12}).status_code == 422
    assert state_of(app, pid) == "in_review"
    r = act({"action": "approve", "checklist": {"completed": True},
             "override_reason": "Replicable; evaluation pending."})
    assert r.status_code == 200
    assert r.get_json()["state"] == "published"


def test_the_openapi_document_declares_override_reason(client):
    action = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Action"]
    approve = next(a for a in action["oneOf"] if a["title"] == "approve")
    assert "string" in approve["properties"]["override_reason"]["type"]
    assert set(approve["properties"]["checklist"]["properties"]) == set(CHECKLIST_KEYS)


def test_the_review_page_shows_every_field_the_public_will_see(app, make_practice):
    pid, reviewer = claimed(app, make_practice, partners="Partner Zeta NGO",
                            funding="Fund Omega", stakeholders=["civil-society"])
    page = reviewer.get(f"/review/{pid}").get_data(as_text=True)
    for text in ("Partner Zeta NGO", "Fund Omega", "Type of practice",
                 "Implementation status", "Guiding principles", "Stakeholders involved"):
        assert text in page, text


def test_the_review_of_an_update_shows_what_changes_by_field_label(app, make_practice):
    submitter = make_member(app)
    live_id = make_practice(state="published", submitter=submitter, title="Live text",
                            countries=["KEN"])
    client = signed_in(app, submitter)
    r = client.post(f"/submissions/{live_id}/action", data={"action": "propose_update"})
    revision_id = int(r.headers["Location"].split("/")[-2])
    client.post(f"/submissions/{revision_id}/edit", data={
        "step": "where", "level": "local", "countries": ["KEN", "MEX"], "save": "y"})
    client.post(f"/submissions/{revision_id}/action", data={"action": "submit"})
    reviewer = signed_in(app, make_member(app, "reviewer"))
    page = reviewer.get(f"/review/{revision_id}").get_data(as_text=True)
    diff = page[page.index('<table class="diff">'):page.index("</table>")]
    assert '<th scope="row">Countries</th>' in diff
    assert "<ins>Kenya, Mexico</ins>" in diff
    assert "<del>Kenya</del>" in diff
