"""Living practices: review dates and reminders, update requests and the submitter's answers."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from kb import db, workflow
from kb.models import AuditEvent, Practice
from kb.services import tokens
from tests.web.review_support import CHECKLIST_ALL, mails_to, make_member, signed_in


def _age(app, practice_id: int, months: int) -> None:
    """Pretend the practice was last reviewed ``months`` months ago (30.5 days each)."""
    when = db.utcnow() - dt.timedelta(days=round(months * 30.5))
    with app.app_context(), db.write_transaction() as session:
        session.execute(update(Practice).where(Practice.id == practice_id)
                        .values(last_reviewed_at=when, published_at=when))


def _slug(app, practice_id: int) -> str:
    with app.app_context():
        return db.get_session().get(Practice, practice_id).slug


def _practice(app, practice_id: int) -> Practice:
    with app.app_context():
        return db.get_session().get(Practice, practice_id)


def _events(app, practice_id: int) -> list[str]:
    with app.app_context():
        return [e.action for e in db.get_session().query(AuditEvent)
                .filter_by(practice_id=practice_id).order_by(AuditEvent.id)]


def _api(app, user):
    with app.app_context():
        token = tokens.create_token(user, user)
    client = app.test_client()
    return lambda method, path, json=None: client.open(
        path, method=method, json=json, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def due(app, make_practice):
    """A practice whose last review is 25 months old, and its submitter."""
    submitter = make_member(app, "submitter", "Old Town")
    pid = make_practice(state="published", submitter=submitter, title="Old harbour shelter")
    _age(app, pid, 25)
    return submitter, pid


def test_a_practice_reviewed_25_months_ago_shows_the_notice_and_is_due(app, client, due,
                                                                       make_practice):
    _submitter, pid = due
    fresh = make_practice(state="published", title="Fresh practice")
    slug = _slug(app, pid)
    page = client.get(f"/practices/{slug}").get_data(as_text=True)
    assert "Last reviewed 2 years ago; details may have changed." in page
    fr = client.get(f"/practices/{slug}", headers={"Accept-Language": "fr"})
    assert "Dernière révision il y a 2 ans" in fr.get_data(as_text=True)
    assert client.get(f"/api/v1/practices/{slug}").get_json()["review_due"] is True
    fresh_slug = _slug(app, fresh)
    assert client.get(f"/api/v1/practices/{fresh_slug}").get_json()["review_due"] is False
    assert "details may have changed" not in client.get(
        f"/practices/{fresh_slug}").get_data(as_text=True)


def test_the_review_period_is_configurable(app, client, due):
    app.config["REVIEW_AFTER_MONTHS"] = 36
    slug = _slug(app, due[1])
    assert client.get(f"/api/v1/practices/{slug}").get_json()["review_due"] is False
    app.config["REVIEW_AFTER_MONTHS"] = 6
    assert client.get(f"/api/v1/practices/{slug}").get_json()["review_due"] is True


def test_search_filters_on_review_due_in_the_api_and_for_admins(app, client, due, make_practice):
    make_practice(state="published", title="Fresh practice")
    due_only = client.get("/api/v1/practices?review_due=true").get_json()
    assert [r["title"] for r in due_only["results"]] == ["Old harbour shelter"]
    assert due_only["total"] == 1
    not_due = client.get("/api/v1/practices?review_due=false").get_json()
    assert "Old harbour shelter" not in [r["title"] for r in not_due["results"]]
    assert not_due["total"] == 1
    bad = client.get("/api/v1/practices?review_due=perhaps")
    assert bad.status_code == 400
    assert "review_due" in bad.get_json()["error"]["fields"]
    admin = signed_in(app, make_member(app, "admin"))
    page = admin.get("/practices?review_due=true").get_data(as_text=True)
    assert "Old harbour shelter" in page
    assert "Fresh practice" not in page
    assert "Due for review" in admin.get("/practices").get_data(as_text=True)


def test_remind_emails_the_submitter_once_per_period(app, runner, due):
    submitter, pid = due
    result = runner.invoke(args=["kb", "practices", "remind"])
    assert result.exit_code == 0, result.output
    assert "Reminded the submitters of 1 practice(s)" in result.output
    reminders = mails_to(app, submitter.email)
    assert len(reminders) == 1
    body = reminders[0].get_payload(decode=True).decode()
    assert f"/submissions/{pid}#confirm-current" in body
    assert f"/submissions/{pid}#propose-update" in body
    again = runner.invoke(args=["kb", "practices", "remind"])
    assert again.exit_code == 0
    assert "of 0 practice(s)" in again.output
    assert len(mails_to(app, submitter.email)) == 1
    assert _events(app, pid).count("review_reminder") == 1


def test_a_reminder_from_an_earlier_period_does_not_block_the_next(app, runner, due):
    submitter, pid = due
    with app.app_context(), db.write_transaction() as session:
        session.execute(update(Practice).where(Practice.id == pid).values(
            review_reminded_at=db.utcnow() - dt.timedelta(days=800)))
    runner.invoke(args=["kb", "practices", "remind"])
    assert len(mails_to(app, submitter.email)) == 1


def test_request_update_then_confirm_current_through_the_pages(app, due):
    submitter, pid = due
    slug = _slug(app, pid)
    reviewer = signed_in(app, make_member(app, "reviewer"))
    page = reviewer.get(f"/practices/{slug}").get_data(as_text=True)
    assert "Request an update" in page
    refused = reviewer.post(f"/review/{pid}/request-update", data={"comment": "  "})
    assert refused.status_code == 422
    assert "A comment is required" in refused.get_data(
        as_text=True)
    sent = reviewer.post(f"/review/{pid}/request-update",
                         data={"comment": "The contact person has moved on."})
    assert sent.status_code == 302
    assert _practice(app, pid).state == "published"
    assert signed_in(app, make_member(app)).get(f"/practices/{slug}").status_code == 200
    mail = mails_to(app, submitter.email)[-1]
    assert "The contact person has moved on." in mail.get_payload(decode=True).decode()
    owner = signed_in(app, submitter)
    mine = owner.get("/submissions/").get_data(as_text=True)
    assert "Please check these practices" in mine
    assert "Old harbour shelter" in mine
    detail = owner.get(f"/submissions/{pid}").get_data(as_text=True)
    assert "The contact person has moved on." in detail
    assert "Confirm it is current" in detail
    before = _practice(app, pid).last_reviewed_at
    assert owner.post(f"/submissions/{pid}/confirm-current").status_code == 302
    after = _practice(app, pid)
    assert after.last_reviewed_at > before
    assert after.update_requested_at is None
    assert "Please check these practices" not in owner.get("/submissions/").get_data(
        as_text=True)
    assert "details may have changed" not in app.test_client().get(
        f"/practices/{slug}").get_data(as_text=True)
    assert _events(app, pid)[-2:] == ["request_update", "confirm_current"]
    admin = signed_in(app, make_member(app, "admin"))
    audit = admin.get(f"/admin/audit?practice={pid}").get_data(as_text=True)
    assert "Update requested" in audit
    assert "Confirmed as current" in audit
    timeline = owner.get(f"/submissions/{pid}").get_data(as_text=True)
    assert "Update requested" in timeline
    assert "Confirmed as current" in timeline


def test_request_update_then_confirm_current_through_the_api(app, due):
    submitter, pid = due
    reviewer_api, owner_api = _api(app, make_member(app, "reviewer")), _api(app, submitter)
    path = f"/api/v1/submissions/{pid}/actions"
    assert reviewer_api("POST", path, {"action": "request_update"}).status_code == 422
    r = reviewer_api("POST", path, {"action": "request_update", "comment": "Check the figures."})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["update_requested"] is True
    assert r.get_json()["state"] == "published"
    assert reviewer_api("POST", path, {"action": "request_update",
                                       "comment": "Again"}).status_code == 409
    record = owner_api("GET", f"/api/v1/submissions/{pid}").get_json()
    assert record["update_request"]["comment"] == "Check the figures."
    assert "confirm_current" in record["allowed_actions"]
    assert owner_api("POST", path, {"action": "request_update",
                                    "comment": "x"}).status_code == 403
    assert reviewer_api("POST", path, {"action": "confirm_current"}).status_code == 403
    before = record["last_reviewed_at"]
    done = owner_api("POST", path, {"action": "confirm_current"})
    assert done.status_code == 200
    assert done.get_json()["update_requested"] is False
    assert done.get_json()["review_due"] is False
    assert done.get_json()["last_reviewed_at"] > before
    public = app.test_client().get(f"/api/v1/practices/{_slug(app, pid)}").get_json()
    assert public["update_requested"] is False
    assert public["review_due"] is False


def test_an_approved_update_closes_the_request(app, due):
    submitter, pid = due
    reviewer = make_member(app, "reviewer")
    reviewer_api, owner_api = _api(app, reviewer), _api(app, submitter)
    reviewer_api("POST", f"/api/v1/submissions/{pid}/actions",
                 {"action": "request_update", "comment": "New figures for 2024?"})
    revision = owner_api("POST", f"/api/v1/submissions/{pid}/actions",
                         {"action": "propose_update"}).get_json()
    rid = revision["id"]
    assert "request_update" not in revision["allowed_actions"]
    owner_api("PATCH", f"/api/v1/submissions/{rid}", {"outcome": "Updated outcome."})
    owner_api("POST", f"/api/v1/submissions/{rid}/actions", {"action": "submit"})
    assert _practice(app, pid).update_requested_at is not None
    reviewer_api("POST", f"/api/v1/submissions/{rid}/actions",
                 {"action": "claim", "no_conflict": True})
    approved = reviewer_api("POST", f"/api/v1/submissions/{rid}/actions",
                            {"action": "approve", "checklist": dict.fromkeys(
                                workflow.CHECKLIST_KEYS, True)})
    assert approved.status_code == 200, approved.get_json()
    live = _practice(app, pid)
    assert live.update_requested_at is None
    assert live.outcome == "Updated outcome."
    assert "update_request_closed" in _events(app, pid)
    assert not _is_listed_for_admin(app, pid)


def test_an_approved_update_through_the_pages_closes_the_request(app, due):
    submitter, pid = due
    reviewer = make_member(app, "reviewer")
    signed_in(app, reviewer).post(f"/review/{pid}/request-update",
                                  data={"comment": "Please refresh."})
    owner = signed_in(app, submitter)
    edit = owner.post(f"/submissions/{pid}/action", data={"action": "propose_update"})
    rid = int(edit.headers["Location"].rstrip("/").split("/")[-2])
    owner.post(f"/submissions/{rid}/action", data={"action": "submit"})
    staff = signed_in(app, reviewer)
    staff.post(f"/review/{rid}/claim", data={"no_conflict": "y"})
    staff.post(f"/review/{rid}/decide", data={"decision": "approve", **CHECKLIST_ALL})
    assert _practice(app, pid).update_requested_at is None


def _is_listed_for_admin(app, pid: int) -> bool:
    admin = signed_in(app, make_member(app, "admin"))
    page = admin.get("/admin/updates").get_data(as_text=True)
    return f"/practices/{_slug(app, pid)}\"" in page.split("Practices due for review")[0]


def test_admins_list_open_requests_and_due_practices(app, due, make_practice):
    _submitter, pid = due
    fresh = make_practice(state="published", title="Fresh practice")
    signed_in(app, make_member(app, "reviewer")).post(
        f"/review/{fresh}/request-update", data={"comment": "Is the budget right?"})
    admin = signed_in(app, make_member(app, "admin"))
    page = admin.get("/admin/updates").get_data(as_text=True)
    requests, due_part = page.split("Practices due for review")
    assert "Fresh practice" in requests
    assert "Is the budget right?" in requests
    assert "Old harbour shelter" in due_part
    assert "Fresh practice" not in due_part
    assert signed_in(app, make_member(app, "reviewer")).get("/admin/updates").status_code == 403


def test_a_submitter_cannot_confirm_someone_elses_practice(app, due):
    _submitter, pid = due
    other = signed_in(app, make_member(app))
    assert other.post(f"/submissions/{pid}/confirm-current").status_code == 404
    assert _practice(app, pid).last_reviewed_at < db.utcnow() - dt.timedelta(days=700)


def test_the_openapi_document_describes_the_living_actions_and_fields(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    actions = {body["properties"]["action"]["const"] for body in schemas["Action"]["oneOf"]}
    assert {"request_update", "confirm_current"} <= actions
    assert {"review_due", "update_requested"} <= set(schemas["Practice"]["properties"])
    assert "contactable" in schemas["Contact"]["properties"]
    search = doc["paths"]["/api/v1/practices"]["get"]["parameters"]
    assert "review_due" in {p["name"] for p in search}
    assert "post" in doc["paths"]["/practices/{slug}/contact"]


def test_a_cached_record_is_not_revalidated_once_the_review_falls_due(app, client,
                                                                     make_practice):
    pid = make_practice(state="published", title="Ageing practice")
    slug = _slug(app, pid)
    first = client.get(f"/api/v1/practices/{slug}")
    page = client.get(f"/practices/{slug}")
    _age(app, pid, 25)
    again = client.get(f"/api/v1/practices/{slug}",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.get_json()["review_due"] is True
    page_again = client.get(f"/practices/{slug}", headers={"If-None-Match": page.headers["ETag"]})
    assert page_again.status_code == 200


def test_two_reviewers_requesting_at_once_open_one_request(app, make_practice):
    from kb.services import living
    from tests.web.test_races import audit_count, race

    alice, bob = make_member(app, "reviewer"), make_member(app, "reviewer")
    for n in range(10):
        pid = make_practice(state="published", title=f"Raced request {n}")
        outcomes = race(app, lambda p=pid: living.request_update(alice, p, "Alice asks"),
                        lambda p=pid: living.request_update(bob, p, "Bob asks"))
        assert sorted(map(str, outcomes)).count("won") == 1, outcomes
        assert audit_count(app, pid, "request_update") == 1
        winner = "Alice asks" if outcomes[0] == "won" else "Bob asks"
        assert _practice(app, pid).update_request_comment == winner
