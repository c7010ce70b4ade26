"""Read-only keys sent in a form or a JSON body change nothing."""
from __future__ import annotations

from kb import db
from kb.models import Practice
from kb.services import tokens
from tests.conftest import valid_record
from tests.web.review_support import form_data, make_member, signed_in

FORGED = {"state": "published", "id": 999, "slug": "forged-slug", "submitter_id": 1,
          "submitter": 1, "organization_id": 1, "claimed_by_id": 1, "reviewer": 1,
          "published_at": "2001-01-01T00:00:00Z", "created_at": "2001-01-01T00:00:00Z",
          "updated_at": "2001-01-01T00:00:00Z", "last_reviewed_at": "2001-01-01T00:00:00Z",
          "submitted_at": "2001-01-01T00:00:00Z", "revision_of_id": 1,
          "description_html": "<script>alert(1)</script>", "checklist": {"completed": True}}


def check_untouched(app, practice_id: int, owner_id: int) -> None:
    with app.app_context():
        p = db.get_session().get(Practice, practice_id)
        assert p.id == practice_id
        assert p.state == "draft"
        assert p.slug != "forged-slug"
        assert p.submitter_id == owner_id
        assert p.claimed_by_id is None
        assert p.published_at is None
        assert p.revision_of_id is None
        assert p.last_reviewed_at is None
        assert p.submitted_at is None
        assert p.checklist is None
        assert p.created_at.year > 2001
        assert "<script" not in p.description_html


def test_read_only_keys_in_a_json_body_change_nothing(app):
    owner = make_member(app, "submitter")
    with app.app_context():
        token = tokens.create_token(owner, owner)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    r = client.post("/api/v1/submissions", json={**valid_record(), **FORGED}, headers=headers)
    assert r.status_code == 201
    pid = r.get_json()["id"]
    check_untouched(app, pid, owner.id)
    r = client.patch(f"/api/v1/submissions/{pid}", json=FORGED, headers=headers)
    assert r.status_code == 200
    check_untouched(app, pid, owner.id)


def test_read_only_keys_in_a_form_change_nothing(app):
    owner = make_member(app, "submitter")
    client = signed_in(app, owner)
    r = client.post("/submissions/new", data={**form_data(title="Forged form"), **FORGED,
                                              "save": "y"})
    assert r.status_code == 302
    with app.app_context():
        pid = db.get_session().query(Practice).filter_by(title="Forged form").one().id
    client.post(f"/submissions/{pid}/edit", data={**form_data(title="Forged form"), **FORGED})
    check_untouched(app, pid, owner.id)
