"""The submission form and the submitter's pages."""
from __future__ import annotations

from kb import db
from kb.models import Practice
from tests.web.review_support import form_data, make_member, signed_in


def practice_titled(app, title: str) -> Practice:
    with app.app_context():
        return db.get_session().query(Practice).filter_by(title=title).one()


def test_save_draft_works_with_almost_nothing_filled_in(app):
    client = signed_in(app, make_member(app))
    r = client.post("/submissions/new", data={"title": "Half-written idea", "save": "y"})
    assert r.status_code == 302
    assert practice_titled(app, "Half-written idea").state == "draft"
    assert "Half-written idea" in client.get("/submissions/").get_data(as_text=True)


def test_submit_shows_a_message_next_to_each_field_and_keeps_what_was_typed(app):
    client = signed_in(app, make_member(app))
    data = {**form_data(title="Typed title kept", summary="S" * 601, start_year="2020",
                        end_year="2015", contact={"name": "Ana", "email": "not-an-email",
                                                  "public": False}),
            "objectives": [], "links-0-url": "javascript:alert(1)", "send": "y"}
    r = client.post("/submissions/new", data=data)
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    for fragment in ('id="objectives-error"', 'id="summary-error"', 'id="end_year-error"',
                     'id="contact_email-error"', 'id="links-0-url-error"',
                     "Choose at least one GCM objective", "At most 600 characters",
                     "Only web addresses starting with http"):
        assert fragment in page, fragment
    assert 'value="Typed title kept"' in page
    assert "not-an-email" in page


def test_submit_of_a_saved_draft_with_gaps_keeps_the_draft_and_names_the_fields(app):
    client = signed_in(app, make_member(app))
    data = {**form_data(title="Draft then submit"), "objectives": [], "send": "y"}
    r = client.post("/submissions/new", data=data)
    practice = practice_titled(app, "Draft then submit")
    assert practice.state == "draft"
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'role="alert"' in page
    assert f'href="/submissions/{practice.id}/edit?step=alignment#objectives"' in page


def test_the_preview_is_the_public_page_of_the_draft(app):
    client = signed_in(app, make_member(app))
    r = client.post("/submissions/new", data={**form_data(title="Preview me"), "preview": "y"})
    assert r.status_code == 302
    assert r.headers["Location"].endswith("/preview")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert ">Preview me</h1>" in page
    assert "Preview:" in page
    assert 'name="robots" content="noindex"' in page


def test_the_submitter_cannot_edit_while_submitted_and_sees_the_actions_allowed(app):
    client = signed_in(app, make_member(app))
    client.post("/submissions/new", data={**form_data(title="Locked one"), "send": "y"})
    practice = practice_titled(app, "Locked one")
    r = client.post(f"/submissions/{practice.id}/edit", data=form_data(title="Changed"))
    assert r.status_code == 409
    detail = client.get(f"/submissions/{practice.id}").get_data(as_text=True)
    assert f'href="/submissions/{practice.id}/withdraw"' in detail
    assert 'value="submit"' not in detail


def test_nobody_else_can_open_a_draft(app):
    owner = make_member(app)
    signed_in(app, owner).post("/submissions/new", data={"title": "Mine only", "save": "y"})
    practice = practice_titled(app, "Mine only")
    for role in ("submitter", "reviewer", "admin"):
        other = signed_in(app, make_member(app, role))
        assert other.get(f"/submissions/{practice.id}").status_code == 404
        assert other.get(f"/submissions/{practice.id}/preview").status_code == 404


def test_pages_need_a_signed_in_user(app):
    r = app.test_client().get("/submissions/new")
    assert r.status_code == 302
    assert "/login" in r.headers["Location"]
