"""The reviewer pages: queue order and filters, conflicts of interest, decisions."""
from __future__ import annotations

from tests.web.review_support import CHECKLIST_ALL, mails_to, make_member, signed_in


def test_the_queue_lists_oldest_first_and_filters(app, make_practice):
    submitter = make_member(app, "submitter", "Queue City")
    reviewer = make_member(app, "reviewer", "Queue Reviewers")
    make_practice(state="submitted", submitter=submitter, title="Alpha oldest", objectives=[1],
                  language="fr")
    make_practice(state="submitted", submitter=submitter, title="Beta newer", objectives=[2])
    client = signed_in(app, reviewer)
    page = client.get("/review/").get_data(as_text=True)
    assert page.index("Alpha oldest") < page.index("Beta newer")
    page = client.get("/review/?objective=2").get_data(as_text=True)
    assert "Beta newer" in page
    assert "Alpha oldest" not in page
    page = client.get("/review/?language=fr").get_data(as_text=True)
    assert "Alpha oldest" in page
    assert "Beta newer" not in page


def test_submitters_cannot_open_the_queue(app):
    assert signed_in(app, make_member(app)).get("/review/").status_code == 403


def test_a_reviewer_of_the_submitters_organization_cannot_claim(app, make_practice):
    submitter = make_member(app, "submitter", "Same Org")
    colleague = make_member(app, "reviewer", "Same Org")
    pid = make_practice(state="submitted", submitter=submitter)
    client = signed_in(app, colleague)
    assert "Claim for review" not in client.get(f"/review/{pid}").get_data(as_text=True)
    assert client.post(f"/review/{pid}/claim", data={"no_conflict": "y"}).status_code == 403


def test_claiming_needs_the_no_conflict_declaration(app, make_practice):
    pid = make_practice(state="submitted", submitter=make_member(app))
    client = signed_in(app, make_member(app, "reviewer"))
    r = client.post(f"/review/{pid}/claim", data={})
    assert r.status_code == 422
    assert "no_conflict-error" in r.get_data(as_text=True)
    assert client.post(f"/review/{pid}/claim", data={"no_conflict": "y"}).status_code == 302
    assert "Claim for review" not in client.get(f"/review/{pid}").get_data(as_text=True)


def test_request_changes_needs_a_comment_and_keeps_the_typed_checklist(app, make_practice):
    submitter = make_member(app)
    pid = make_practice(state="submitted", submitter=submitter)
    client = signed_in(app, make_member(app, "reviewer"))
    client.post(f"/review/{pid}/claim", data={"no_conflict": "y"})
    r = client.post(f"/review/{pid}/decide", data={"decision": "request_changes",
                                                   "comment": "  ", **CHECKLIST_ALL})
    assert r.status_code == 422
    assert "A comment is required" in r.get_data(as_text=True)
    r = client.post(f"/review/{pid}/decide", data={"decision": "request_changes",
                                                   "comment": "Add sources."})
    assert r.status_code == 302
    assert any("Changes requested" in m["Subject"] for m in mails_to(app, submitter.email))


def test_unclaim_returns_it_to_the_queue_for_others(app, make_practice):
    pid = make_practice(state="submitted", submitter=make_member(app), title="Unclaim me")
    first = signed_in(app, make_member(app, "reviewer"))
    second = signed_in(app, make_member(app, "reviewer"))
    first.post(f"/review/{pid}/claim", data={"no_conflict": "y"})
    assert "Unclaim me" not in second.get("/review/").get_data(as_text=True).split(
        "Waiting for a reviewer")[1]
    assert second.post(f"/review/{pid}/decide", data={"decision": "approve"}).status_code == 403
    first.post(f"/review/{pid}/unclaim", data={})
    assert "Unclaim me" in second.get("/review/").get_data(as_text=True)


def test_reviewers_get_mail_when_something_new_waits(app):
    from tests.web.review_support import form_data

    reviewer = make_member(app, "reviewer", "Mail Reviewers")
    colleague = make_member(app, "reviewer", "Mail City")
    submitter = make_member(app, "submitter", "Mail City")
    signed_in(app, submitter).post("/submissions/new", data={**form_data(), "send": "y"})
    assert any("waits for review" in m["Subject"] for m in mails_to(app, reviewer.email))
    assert mails_to(app, colleague.email) == []
