"""The stepped submission form: steps, error summary, limits, countries, resource rows, and the
pages after submitting (preview bar, timeline, withdraw and delete confirmations)."""
from __future__ import annotations

import re

from kb import db
from kb.models import AuditEvent, Practice
from tests.web.review_support import form_data, make_member, signed_in


def practice_titled(app, title: str) -> Practice | None:
    with app.app_context():
        return db.get_session().query(Practice).filter_by(title=title).one_or_none()


def summary_of(page: str) -> str:
    """The error summary's HTML, which must come before the form."""
    match = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert match, "no error summary on the page"
    assert match.start() < page.index("<form method=\"post\" novalidate class=\"stepped-form\"")
    return match.group(0)


def basics(**values) -> dict:
    data = {"step": "basics", "title": "", "summary": "", "description": "",
            "practice_type": "", "language": ""}
    data.update(values)
    return data


def test_a_title_of_201_characters_is_an_error_and_is_never_cut(app):
    client = signed_in(app, make_member(app))
    title = "T" * 200 + "Z"
    r = client.post("/submissions/new", data=basics(title=title, next="y"))
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    summary = summary_of(page)
    assert 'href="#title"' in summary
    assert "At most 200 characters (this has 201)" in summary
    assert f'value="{title}"' in page
    assert 'maxlength="200"' not in page
    assert practice_titled(app, title) is None
    assert practice_titled(app, title[:200]) is None


def test_a_60000_character_description_or_700_character_summary_keeps_the_typed_text(app):
    client = signed_in(app, make_member(app))
    description, summary = "d" * 60_000, "s" * 700
    r = client.post("/submissions/new", data=basics(title="Too long", description=description,
                                                    summary=summary, save="y"))
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    found = summary_of(page)
    assert 'href="#description"' in found
    assert "this has 60000" in found
    assert 'href="#summary"' in found
    assert "this has 700" in found
    assert "Nothing was saved" in found
    assert description in page
    assert summary in page
    assert 'value="Too long"' in page
    assert practice_titled(app, "Too long") is None


def test_next_saves_the_step_and_opens_the_following_one(app):
    client = signed_in(app, make_member(app))
    page = client.get("/submissions/new").get_data(as_text=True)
    assert 'aria-current="step"' in page
    assert "Step 1 of 8" in page
    assert 'name="objectives"' not in page  # one step per page
    r = client.post("/submissions/new", data=basics(title="Stepwise", next="y"))
    practice = practice_titled(app, "Stepwise")
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/submissions/{practice.id}/edit?step=alignment")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Step 2 of 8" in page
    assert 'name="objectives"' in page
    assert 'name="title"' not in page
    r = client.post(f"/submissions/{practice.id}/edit",
                    data={"step": "alignment", "objectives": ["3", "7"], "back": "y"})
    assert r.headers["Location"].endswith("step=basics")
    assert practice_titled(app, "Stepwise").objectives == [3, 7]
    assert practice_titled(app, "Stepwise").title == "Stepwise"  # other steps untouched


def test_required_fields_are_marked_and_limits_shown(app):
    client = signed_in(app, make_member(app))
    page = client.get("/submissions/new").get_data(as_text=True)
    label = re.search(r'<label for="title">.*?</p>', page, re.S).group(0)
    assert "required to submit" in label
    assert 'data-limit="200"' in page
    assert "At most 200 characters." in page
    assert 'src="/static/js/forms.js"' in page


def test_the_review_step_lists_what_is_missing_each_linked_to_its_step(app):
    client = signed_in(app, make_member(app))
    client.post("/submissions/new", data=basics(title="Half done", save="y"))
    practice = practice_titled(app, "Half done")
    page = client.get(f"/submissions/{practice.id}/edit?step=review").get_data(as_text=True)
    assert "Still missing before you can submit" in page
    for href in ("step=basics#summary", "step=alignment#objectives", "step=who#contact_name",
                 "step=when#start_year"):
        assert f'href="/submissions/{practice.id}/edit?{href}"' in page, href
    r = client.post(f"/submissions/{practice.id}/edit", data={"step": "review", "send": "y"})
    assert r.status_code == 422
    assert 'role="alert"' in r.get_data(as_text=True)
    assert practice_titled(app, "Half done").state == "draft"


def test_a_javascript_link_is_refused_with_the_error_at_the_top(app):
    client = signed_in(app, make_member(app))
    client.post("/submissions/new", data=basics(title="With links", save="y"))
    practice = practice_titled(app, "With links")
    r = client.post(f"/submissions/{practice.id}/edit", data={
        "step": "resources", "links-0-title": "Bad", "links-0-url": "javascript:alert(1)",
        "save": "y"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'href="#links-0-url"' in summary_of(page)
    assert "javascript:alert(1)" in page


def test_resource_rows_are_added_and_removed(app):
    client = signed_in(app, make_member(app))
    client.post("/submissions/new", data=basics(title="Rows", save="y"))
    pid = practice_titled(app, "Rows").id
    page = client.get(f"/submissions/{pid}/edit?step=resources").get_data(as_text=True)
    assert 'name="links-0-url"' in page
    assert 'name="links-1-url"' not in page
    r = client.post(f"/submissions/{pid}/edit", data={
        "step": "resources", "links-0-title": "Report", "links-0-url": "https://example.org/r",
        "add_link": "y"})
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'value="https://example.org/r"' in page
    assert 'name="links-1-url"' in page
    r = client.post(f"/submissions/{pid}/edit", data={
        "step": "resources", "links-0-title": "Report", "links-0-url": "https://example.org/r",
        "links-1-title": "Video", "links-1-url": "https://example.org/v", "remove_link": "0"})
    assert [link.url for link in practice_titled(app, "Rows").links] == ["https://example.org/v"]


def test_a_link_title_over_300_characters_is_an_error_not_cut(app):
    client = signed_in(app, make_member(app))
    client.post("/submissions/new", data=basics(title="Long link", save="y"))
    pid = practice_titled(app, "Long link").id
    r = client.post(f"/submissions/{pid}/edit", data={
        "step": "resources", "links-0-title": "L" * 301, "links-0-url": "https://example.org",
        "save": "y"})
    assert r.status_code == 422
    assert 'href="#links-0-title"' in r.get_data(as_text=True)
    assert practice_titled(app, "Long link").links == []


def test_countries_are_grouped_by_region_without_a_bare_multi_select(app):
    client = signed_in(app, make_member(app))
    client.post("/submissions/new", data=basics(title="Where", save="y"))
    pid = practice_titled(app, "Where").id
    client.post(f"/submissions/{pid}/edit", data={"step": "where", "countries": ["MEX"],
                                                  "save": "y"})
    page = client.get(f"/submissions/{pid}/edit?step=where").get_data(as_text=True)
    assert "<select multiple" not in page
    assert 'name="countries" multiple' not in page
    assert page.count('<details class="country-group"') >= 5
    group = re.search(r'<details class="country-group" open>.*?</details>', page, re.S).group(0)
    assert "Latin America" in group
    assert 'value="MEX" checked' in group


def test_a_save_that_changes_nothing_records_no_edit(app):
    client = signed_in(app, make_member(app))
    data = form_data(title="Unchanged")
    client.post("/submissions/new", data={**data, "save": "y"})
    pid = practice_titled(app, "Unchanged").id
    for step in ("alignment", "who"):
        r = client.post(f"/submissions/{pid}/edit", data={**data, "step": step, "save": "y"})
        assert r.status_code == 302
    with app.app_context():
        actions = [e.action for e in db.get_session().query(AuditEvent).filter_by(
            practice_id=pid)]
    assert actions == ["create"]
    page = client.get(f"/submissions/{pid}").get_data(as_text=True)
    assert "Changed:" not in page


def test_the_preview_has_an_action_bar(app):
    client = signed_in(app, make_member(app))
    client.post("/submissions/new", data={**form_data(title="Previewed"), "save": "y"})
    pid = practice_titled(app, "Previewed").id
    page = client.get(f"/submissions/{pid}/preview").get_data(as_text=True)
    bar = re.search(r'<nav class="action-bar".*?</nav>', page, re.S).group(0)
    assert f'href="/submissions/{pid}/edit"' in bar
    assert "Submit for review" in bar
    assert 'href="/submissions/"' in bar
    assert "Back to my practices" in bar


def test_withdraw_asks_for_confirmation_on_its_own_page(app):
    client = signed_in(app, make_member(app))
    client.post("/submissions/new", data={**form_data(title="Withdraw me"), "send": "y"})
    pid = practice_titled(app, "Withdraw me").id
    page = client.get(f"/submissions/{pid}/withdraw").get_data(as_text=True)
    assert "Withdraw this practice?" in page
    assert "final" in page
    assert practice_titled(app, "Withdraw me").state == "submitted"
    r = client.post(f"/submissions/{pid}/withdraw", data={"comment": "Duplicate."})
    assert r.status_code == 302
    assert practice_titled(app, "Withdraw me").state == "withdrawn"
    r = client.get(f"/submissions/{pid}/withdraw")
    assert r.status_code == 302  # nothing left to withdraw


def test_a_submitter_deletes_a_never_submitted_draft_and_the_audit_stays(app):
    owner = make_member(app)
    client = signed_in(app, owner)
    client.post("/submissions/new", data=basics(title="Delete me", save="y"))
    pid = practice_titled(app, "Delete me").id
    assert f'href="/submissions/{pid}/delete"' in client.get(f"/submissions/{pid}").get_data(
        as_text=True)
    other = signed_in(app, make_member(app))
    assert other.post(f"/submissions/{pid}/delete").status_code == 404
    page = client.get(f"/submissions/{pid}/delete").get_data(as_text=True)
    assert "Delete this draft?" in page
    assert practice_titled(app, "Delete me") is not None
    r = client.post(f"/submissions/{pid}/delete")
    assert r.status_code == 302
    assert r.headers["Location"].endswith("/submissions/")
    assert practice_titled(app, "Delete me") is None
    with app.app_context():
        events = db.get_session().query(AuditEvent).filter(
            AuditEvent.action.in_(("create", "delete_draft"))).all()
        deleted = [e for e in events if e.action == "delete_draft"]
        assert len(deleted) == 1
        assert deleted[0].data["practice_id"] == pid
        assert deleted[0].actor_id == owner.id
        assert any(e.action == "create" for e in events)  # the earlier event stays


def test_a_submitted_practice_cannot_be_deleted(app):
    client = signed_in(app, make_member(app))
    client.post("/submissions/new", data={**form_data(title="Sent"), "send": "y"})
    pid = practice_titled(app, "Sent").id
    assert "/delete" not in client.get(f"/submissions/{pid}").get_data(as_text=True)
    assert client.post(f"/submissions/{pid}/delete").status_code == 409
    assert practice_titled(app, "Sent").state == "submitted"


def test_the_reviewers_latest_comment_is_at_the_top_of_the_submitters_page(app):
    submitter = make_member(app)
    client = signed_in(app, submitter)
    client.post("/submissions/new", data={**form_data(title="Commented"), "send": "y"})
    pid = practice_titled(app, "Commented").id
    reviewer = signed_in(app, make_member(app, "reviewer"))
    reviewer.post(f"/review/{pid}/claim", data={"no_conflict": "y"})
    reviewer.post(f"/review/{pid}/decide", data={"decision": "request_changes",
                                                 "comment": "Please add the 2023 figures."})
    page = client.get(f"/submissions/{pid}").get_data(as_text=True)
    top = page.index("latest comment")
    assert top < page.index("Please add the 2023 figures.") < page.index('id="timeline-h"')
