"""With one reviewer (the default), the second round after a resubmission offers the same
decision form as the first: "Approve and publish" and "Record decision"."""
from tests.web.review_support import CHECKLIST_ALL, api_client, make_member, signed_in, valid_record


def test_the_same_reviewer_decides_the_second_round_on_the_page(app):
    submitter = make_member(app, "submitter", "City of Rounds")
    reviewer = make_member(app, "reviewer", "Rounds Review Network")
    sub = api_client(app, submitter)
    pid = sub("POST", "/api/v1/submissions",
              {**valid_record(title="Second round desk"), "submit": True}).get_json()["id"]
    page = signed_in(app, reviewer)
    assert page.post(f"/review/{pid}/claim", data={"no_conflict": "y"}).status_code == 302
    first = page.get(f"/review/{pid}").get_data(as_text=True)
    assert "Record decision" in first
    assert page.post(f"/review/{pid}/decide", data={
        "decision": "request_changes", "comment": "Add the figures."}).status_code == 302
    sub("PATCH", f"/api/v1/submissions/{pid}", {"partners": "Two NGOs"})
    assert sub("POST", f"/api/v1/submissions/{pid}/actions",
               {"action": "submit"}).get_json()["state"] == "submitted"
    assert page.post(f"/review/{pid}/claim", data={"no_conflict": "y"}).status_code == 302
    second = page.get(f"/review/{pid}").get_data(as_text=True)
    assert "Approve and publish" in second
    assert "Record decision" in second
    response = page.post(f"/review/{pid}/decide", data={"decision": "approve", **CHECKLIST_ALL})
    assert response.status_code == 302
    assert sub("GET", f"/api/v1/submissions/{pid}").get_json()["state"] == "published"
