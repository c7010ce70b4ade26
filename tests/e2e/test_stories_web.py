"""Whole review journeys through the browser-facing HTTP pages, one test per path."""
from __future__ import annotations

import pytest

from kb import db
from kb.models import AuditEvent, Practice
from tests.web.review_support import CHECKLIST_ALL, form_data, mails_to, make_member, signed_in


@pytest.fixture(autouse=True)
def baseline(make_practice):
    """One unrelated published practice, so the index is never empty."""
    make_practice(state="published", title="Unrelated baseline practice")


@pytest.fixture
def people(app):
    """A submitter, a reviewer of another organization and an admin, each signed in."""
    submitter = make_member(app, "submitter", "City of Example")
    reviewer = make_member(app, "reviewer", "Review Network")
    admin = make_member(app, "admin", "Secretariat")
    return {name: (user, signed_in(app, user))
            for name, user in (("submitter", submitter), ("reviewer", reviewer),
                               ("admin", admin))}


def latest_practice(app, title: str) -> Practice:
    with app.app_context():
        return db.get_session().query(Practice).filter_by(title=title).order_by(
            Practice.id.desc()).first()


def search_titles(client, q: str) -> tuple[str, list[str]]:
    page = client.get("/practices", query_string={"q": q}).get_data(as_text=True)
    api = client.get("/api/v1/practices", query_string={"q": q}).get_json()
    return page, [r["title"] for r in api["results"]]


def claim_and_decide(client, practice_id: int, decision: str, comment: str = "") -> None:
    r = client.post(f"/review/{practice_id}/claim", data={"no_conflict": "y"})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    data = {"decision": decision, "comment": comment, **CHECKLIST_ALL}
    r = client.post(f"/review/{practice_id}/decide", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:600]


def test_submit_claim_request_changes_edit_resubmit_approve_and_find_it(app, people):
    submitter, sc = people["submitter"]
    _, rc = people["reviewer"]
    anonymous = app.test_client()
    title = "Zebrafinch welcome desk"
    r = sc.post("/submissions/new", data={**form_data(title=title), "send": "y"})
    assert r.status_code == 302
    practice = latest_practice(app, title)
    assert practice.state == "submitted"
    assert title in rc.get("/review/").get_data(as_text=True)

    claim_and_decide(rc, practice.id, "request_changes", "Please add the 2023 figures.")
    detail = sc.get(f"/submissions/{practice.id}").get_data(as_text=True)
    assert "Please add the 2023 figures." in detail
    assert any("Changes requested" in m["Subject"] for m in mails_to(app, submitter.email))

    r = sc.post(f"/submissions/{practice.id}/edit",
                data={**form_data(title=title, results="- 5,100 people served in 2023"),
                      "send": "y"})
    assert r.status_code == 302
    assert latest_practice(app, title).state == "submitted"
    page, titles = search_titles(anonymous, "zebrafinch")
    assert title not in titles

    claim_and_decide(rc, practice.id, "approve")
    live = latest_practice(app, title)
    assert live.state == "published"
    assert live.checklist["completed"] is True
    page, titles = search_titles(anonymous, "zebrafinch")
    assert f"/practices/{live.slug}" in page
    assert titles == [title]
    public = anonymous.get(f"/practices/{live.slug}").get_data(as_text=True)
    assert "5,100 people served" in public
    assert "Please add the 2023 figures." not in public
    assert any("published" in m["Subject"] for m in mails_to(app, submitter.email))
    page = sc.get(f"/submissions/{practice.id}").get_data(as_text=True)
    timeline = page[page.index('id="timeline-h"'):]
    assert timeline.index("Approved") < timeline.index("Changes requested")  # newest first


def test_reject_with_reason_keeps_the_practice_out_of_public_view(app, people):
    submitter, sc = people["submitter"]
    _, rc = people["reviewer"]
    anonymous = app.test_client()
    title = "Quokka housing pilot"
    sc.post("/submissions/new", data={**form_data(title=title), "send": "y"})
    practice = latest_practice(app, title)
    rc.post(f"/review/{practice.id}/claim", data={"no_conflict": "y"})
    r = rc.post(f"/review/{practice.id}/decide", data={"decision": "reject", "comment": ""})
    assert r.status_code == 422
    assert "A comment is required" in r.get_data(as_text=True)
    r = rc.post(f"/review/{practice.id}/decide",
                data={"decision": "reject", "comment": "Out of scope: not about migration."})
    assert r.status_code == 302
    assert latest_practice(app, title).state == "rejected"
    assert anonymous.get(f"/practices/{practice.slug}").status_code == 404
    assert anonymous.get(f"/api/v1/practices/{practice.slug}").status_code == 404
    _, titles = search_titles(anonymous, "quokka")
    assert titles == []
    assert "Out of scope" in sc.get(f"/submissions/{practice.id}").get_data(as_text=True)
    assert any("not accepted" in m["Subject"] for m in mails_to(app, submitter.email))


def test_withdraw_takes_a_submission_out_of_the_queue(app, people):
    _, sc = people["submitter"]
    _, rc = people["reviewer"]
    title = "Pangolin legal clinic"
    sc.post("/submissions/new", data={**form_data(title=title), "send": "y"})
    practice = latest_practice(app, title)
    assert "Withdraw this practice?" in sc.get(
        f"/submissions/{practice.id}/withdraw").get_data(as_text=True)
    r = sc.post(f"/submissions/{practice.id}/withdraw", data={"comment": ""})
    assert r.status_code == 302
    assert latest_practice(app, title).state == "withdrawn"
    assert title not in rc.get("/review/").get_data(as_text=True)
    assert sc.post(f"/submissions/{practice.id}/action",
                   data={"action": "submit"}).status_code == 409


def test_an_update_stays_pending_until_approved_then_replaces_the_live_text(app, people,
                                                                           make_practice):
    submitter, sc = people["submitter"]
    _, rc = people["reviewer"]
    anonymous = app.test_client()
    live_id = make_practice(state="published", submitter=submitter, title="Axolotl job fair",
                            summary="Original wording about the marmoset exchange.")
    r = sc.post(f"/submissions/{live_id}/action", data={"action": "propose_update"})
    assert r.status_code == 302
    revision = latest_practice(app, "Axolotl job fair")
    assert revision.revision_of_id == live_id
    sc.post(f"/submissions/{revision.id}/edit",
            data={**form_data(title="Axolotl job fair",
                              summary="New wording about the capybara exchange."), "send": "y"})
    assert search_titles(anonymous, "marmoset")[1] == ["Axolotl job fair"]
    assert search_titles(anonymous, "capybara")[1] == []
    review_page = rc.get(f"/review/{revision.id}").get_data(as_text=True)
    # the field-by-field diff
    assert "capybara" in review_page
    assert "marmoset" in review_page

    claim_and_decide(rc, revision.id, "approve")
    assert search_titles(anonymous, "capybara")[1] == ["Axolotl job fair"]
    assert search_titles(anonymous, "marmoset")[1] == []
    with app.app_context():
        live = db.get_session().get(Practice, live_id)
        assert live.state == "published"
        assert live.last_reviewed_at is not None
        assert live.summary.startswith("New wording")
    assert "capybara" in anonymous.get(f"/practices/{live.slug}").get_data(as_text=True)


def test_archive_removes_a_practice_from_search_and_its_page_says_why(app, people,
                                                                     make_practice):
    _, ac = people["admin"]
    anonymous = app.test_client()
    practice_id = make_practice(state="published", title="Okapi remittance app")
    assert search_titles(anonymous, "okapi")[1] == ["Okapi remittance app"]
    with app.app_context():
        slug = db.get_session().get(Practice, practice_id).slug
    r = ac.post(f"/admin/practices/{practice_id}/archive", data={"reason": ""})
    assert r.status_code == 422
    r = ac.post(f"/admin/practices/{practice_id}/archive",
                data={"reason": "Superseded by the national programme."})
    assert r.status_code == 302
    page, titles = search_titles(anonymous, "okapi")
    assert titles == []
    assert f"/practices/{slug}" not in page
    public = anonymous.get(f"/practices/{slug}").get_data(as_text=True)
    assert "archived" in public
    assert "Superseded by the national programme." in public
    audit = ac.get("/admin/audit", query_string={"practice": practice_id}).get_data(as_text=True)
    assert "Superseded by the national programme." in audit
    ac.post(f"/admin/practices/{practice_id}/unarchive", data={})
    assert search_titles(anonymous, "okapi")[1] == ["Okapi remittance app"]
    with app.app_context():
        actions = [e.action for e in db.get_session().query(AuditEvent).filter_by(
            practice_id=practice_id)]
    assert actions.count("archive") == 1
    assert actions.count("unarchive") == 1
