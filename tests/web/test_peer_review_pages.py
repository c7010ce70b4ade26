"""Peer review by several reviewers through the pages (KB_REVIEWS_REQUIRED=3, one internal):
claims, recommendations, what each person sees, the admin's decision, the timeline."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from kb import db
from kb.models import Practice
from tests.web.review_support import CHECKLIST_ALL, form_data, mails_to, signed_in


@pytest.fixture
def three(app):
    """The app with three reviews per practice, one of them by an internal reviewer."""
    app.config.update(REVIEWS_REQUIRED=3, REVIEWS_INTERNAL_REQUIRED=1)
    return app


def submit(app, submitter, title="Harbour welcome desk") -> int:
    client = signed_in(app, submitter)
    response = client.post("/submissions/new", data={**form_data(title=title), "send": "y"})
    assert response.status_code == 302
    with app.app_context():
        return db.get_session().scalar(select(Practice.id).where(Practice.title == title))


def state_of(app, pid: int) -> str:
    with app.app_context():
        return db.get_session().get(Practice, pid).state


def claim(client, pid: int):
    return client.post(f"/review/{pid}/claim", data={"no_conflict": "y"})


def recommend(client, pid: int, value: str, comment: str = ""):
    data = {"decision": value, "comment": comment}
    if value == "approve":
        data.update(CHECKLIST_ALL)
    return client.post(f"/review/{pid}/decide", data=data)


@pytest.fixture
def people(three, make_user):
    """A submitter, an internal reviewer, three external reviewers and an admin."""
    return {
        "submitter": make_user(organization="Harbour City", name="Sam Submitter"),
        "internal": make_user(role="reviewer", internal=True, name="Ines Internal",
                              organization="UN Agency"),
        "ext1": make_user(role="reviewer", name="Edda External", organization="Think tank"),
        "ext2": make_user(role="reviewer", name="Femi External", organization="University"),
        "ext3": make_user(role="reviewer", name="Gus External", organization="NGO"),
        "admin": make_user(role="admin", name="Ada Admin", organization="Hub secretariat"),
    }


def reviewing(app, people, pid, names=("internal", "ext1", "ext2")):
    clients = {}
    for name in names:
        clients[name] = signed_in(app, people[name])
        assert claim(clients[name], pid).status_code == 302
    return clients


def test_three_approvals_one_internal_publish_and_each_reads_the_others_only_after_recording(
        three, people):
    pid = submit(three, people["submitter"])
    queue = signed_in(three, people["ext3"]).get("/review/").get_data(as_text=True)
    assert "0 of 3 reviews" in queue
    assert "1 internal reviewer needed" in queue
    clients = reviewing(three, people, pid)
    page = clients["internal"].get(f"/review/{pid}").get_data(as_text=True)
    assert "Your recommendation" in page
    assert 'id="decision"' in page
    assert "Withdraw from this review" in page
    assert "3 claimed" in page
    assert page.count("Hidden until you record your recommendation") == 2  # not their own
    assert page.count("Not recorded yet") == 1

    response = recommend(clients["internal"], pid, "approve", "Sound evidence from the city.")
    assert response.status_code == 302
    assert state_of(three, pid) == "in_review"
    other = clients["ext1"].get(f"/review/{pid}").get_data(as_text=True)
    assert "Sound evidence from the city." not in other
    assert "Hidden until you record your recommendation" in other
    assert "1 of 3 reviews" in other
    assert recommend(clients["ext1"], pid, "approve", "Agreed.").status_code == 302
    after = clients["ext1"].get(f"/review/{pid}").get_data(as_text=True)
    assert "Sound evidence from the city." in after
    assert "Ines Internal" in after
    assert "Record recommendation" not in after  # recorded once: no second form

    assert recommend(clients["ext2"], pid, "approve").status_code == 302
    assert state_of(three, pid) == "published"
    assert any("approved" in m["Subject"].lower() or "published" in m["Subject"].lower()
               for m in mails_to(three, people["submitter"].email))
    timeline = clients["ext2"].get(f"/review/{pid}").get_data(as_text=True)
    assert timeline.count("Recommendation recorded: Approve") == 3


def test_the_last_slot_is_kept_for_an_internal_reviewer_until_an_admin_marks_one(three,
                                                                               people):
    pid = submit(three, people["submitter"])
    reviewing(three, people, pid, names=("ext1", "ext2"))
    third = signed_in(three, people["ext3"])
    response = claim(third, pid)
    assert response.status_code == 409
    assert "kept for internal reviewers" in response.get_data(as_text=True)
    admin = signed_in(three, people["admin"])
    assert admin.post(f"/admin/users/{people['ext3'].id}/internal").status_code == 302
    assert claim(third, pid).status_code == 302  # marked internal on the users page: counts
    page = third.get(f"/review/{pid}").get_data(as_text=True)
    assert "3 claimed" in page
    assert "internal reviewer needed" not in page


def test_a_fourth_claim_is_refused_with_a_clear_message(three, people):
    pid = submit(three, people["submitter"])
    reviewing(three, people, pid)
    fourth = signed_in(three, people["ext3"])
    assert "Harbour welcome desk" not in fourth.get("/review/").get_data(as_text=True).split(
        "Waiting for a reviewer")[1]
    response = claim(fourth, pid)
    assert response.status_code == 409
    assert "Every review slot of this practice is taken." in response.get_data(as_text=True)


def test_a_reviewer_withdraws_before_recording_and_frees_the_slot(three, people):
    pid = submit(three, people["submitter"])
    clients = reviewing(three, people, pid)
    assert clients["ext2"].post(f"/review/{pid}/unclaim", data={}).status_code == 302
    assert claim(signed_in(three, people["ext3"]), pid).status_code == 302
    assert recommend(clients["ext1"], pid, "approve").status_code == 302
    page = clients["ext1"].get(f"/review/{pid}").get_data(as_text=True)
    assert "Withdraw from this review" not in page  # recorded: too late to withdraw


def test_a_same_organization_reviewer_is_refused(three, people, make_user):
    colleague = make_user(role="reviewer", internal=True, organization="Harbour City")
    pid = submit(three, people["submitter"])
    client = signed_in(three, colleague)
    assert "Claim for review" not in client.get(f"/review/{pid}").get_data(as_text=True)
    assert claim(client, pid).status_code == 403
    queue = client.get("/review/").get_data(as_text=True)
    assert "Your organization: you cannot review it" in queue


def test_one_request_for_changes_sends_it_back_with_every_comment(three, people):
    pid = submit(three, people["submitter"])
    clients = reviewing(three, people, pid)
    recommend(clients["internal"], pid, "approve", "Fine by the UN agency.")
    recommend(clients["ext1"], pid, "request_changes", "Add the 2023 figures.")
    mine = signed_in(three, people["submitter"]).get(f"/submissions/{pid}").get_data(
        as_text=True)
    assert "Add the 2023 figures." not in mine  # the round is still open
    assert recommend(clients["ext2"], pid, "reject", "Too early to tell.").status_code == 302
    assert state_of(three, pid) == "changes_requested"
    mine = signed_in(three, people["submitter"]).get(f"/submissions/{pid}").get_data(
        as_text=True)
    for comment in ("Fine by the UN agency.", "Add the 2023 figures.", "Too early to tell."):
        assert comment in mine
    assert "Edda External" not in mine
    assert "Ines Internal" not in mine


def test_a_comment_is_required_to_request_changes_and_the_error_names_the_field(three,
                                                                                people):
    pid = submit(three, people["submitter"])
    clients = reviewing(three, people, pid)
    response = recommend(clients["ext1"], pid, "request_changes", "  ")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#comment"' in html
    assert 'aria-describedby="comment-hint comment-error"' in html
    response = clients["ext1"].post(f"/review/{pid}/decide", data={"comment": "x"})
    assert response.status_code == 422
    assert 'aria-describedby="decision-error"' in response.get_data(
        as_text=True)


def split(three, people) -> int:
    pid = submit(three, people["submitter"])
    clients = reviewing(three, people, pid)
    recommend(clients["internal"], pid, "approve", "Yes.")
    recommend(clients["ext1"], pid, "approve", "Yes, too.")
    recommend(clients["ext2"], pid, "reject", "Not a practice yet.")
    assert state_of(three, pid) == "needs_decision"
    return pid


def test_a_split_waits_for_an_admin_who_publishes(three, people):
    pid = split(three, people)
    admin = signed_in(three, people["admin"])
    queue = admin.get("/review/").get_data(as_text=True)
    assert "Waiting for an administrator" in queue
    assert "Harbour welcome desk" in queue.split(
        "Waiting for an administrator")[1].split("Waiting for a reviewer")[0]
    assert 'href="/review/"' in admin.get("/admin/").get_data(as_text=True)
    page = admin.get(f"/review/{pid}").get_data(as_text=True)
    assert "Not a practice yet." in page
    assert "Yes, too." in page
    assert 'value="request_changes"' not in page  # an admin publishes or rejects
    assert "Add this reviewer" in page
    response = admin.post(f"/review/{pid}/decide", data={"decision": "approve",
                                                         **CHECKLIST_ALL})
    assert response.status_code == 302
    assert state_of(three, pid) == "published"


def test_a_split_can_be_rejected_by_an_admin_with_a_reason(three, people):
    pid = split(three, people)
    submitter = signed_in(three, people["submitter"])
    waiting = submitter.get(f"/submissions/{pid}").get_data(as_text=True)
    assert "Not a practice yet." not in waiting  # recommendations come with the outcome
    admin = signed_in(three, people["admin"])
    response = admin.post(f"/review/{pid}/decide", data={"decision": "reject", "comment": ""})
    assert response.status_code == 422
    assert state_of(three, pid) == "needs_decision"
    admin.post(f"/review/{pid}/decide", data={"decision": "reject",
                                              "comment": "Outside the repository's scope."})
    assert state_of(three, pid) == "rejected"
    mine = signed_in(three, people["submitter"]).get(f"/submissions/{pid}").get_data(
        as_text=True)
    assert "Outside the repository&#39;s scope." in mine
    assert "Not a practice yet." in mine


def test_an_added_reviewer_counts_toward_the_approvals(three, people):
    pid = split(three, people)
    admin = signed_in(three, people["admin"])
    page = admin.get(f"/review/{pid}").get_data(as_text=True)
    assert f'<option value="{people["ext3"].id}">Gus External</option>' in page
    assert f'value="{people["submitter"].id}"' not in page  # a submitter is no reviewer
    response = admin.post(f"/review/{pid}/reviewers", data={"reviewer": "abc"})
    assert response.status_code == 422
    assert 'id="reviewer-error"' in response.get_data(
        as_text=True)
    response = admin.post(f"/review/{pid}/reviewers", data={"reviewer": str(people["ext3"].id)})
    assert response.status_code == 302
    assert state_of(three, pid) == "in_review"
    added = signed_in(three, people["ext3"])
    assert claim(added, pid).status_code == 302
    assert "3 of 4 reviews" in added.get(f"/review/{pid}").get_data(as_text=True)
    assert recommend(added, pid, "approve", "Convinced.").status_code == 302
    assert state_of(three, pid) == "published"


def test_reviewers_may_not_add_a_reviewer(three, people):
    pid = split(three, people)
    client = signed_in(three, people["ext3"])
    response = client.post(f"/review/{pid}/reviewers", data={"reviewer": str(people["ext3"].id)})
    assert response.status_code == 403
    assert state_of(three, pid) == "needs_decision"


def test_the_timeline_hides_a_recommendation_from_a_reviewer_who_has_not_recorded(three,
                                                                                  people):
    pid = submit(three, people["submitter"])
    clients = reviewing(three, people, pid)
    recommend(clients["ext1"], pid, "reject", "Secret verdict <b>text</b>")
    page = clients["ext2"].get(f"/review/{pid}").get_data(as_text=True)
    assert "Recommendation recorded" in page
    assert "Secret verdict" not in page
    assert "Recommendation recorded: Reject" not in page
    admin_page = signed_in(three, people["admin"]).get(f"/review/{pid}").get_data(as_text=True)
    assert "Recommendation recorded: Reject" in admin_page
    assert "Secret verdict &lt;b&gt;text&lt;/b&gt;" in admin_page
