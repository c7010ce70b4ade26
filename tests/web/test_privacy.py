"""Review comments and private contacts appear nowhere public."""
from __future__ import annotations

import pytest

from kb.services import reviews, submissions
from kb.workflow import CHECKLIST_KEYS
from tests.conftest import private_app, valid_record
from tests.web.review_support import make_member

SECRET_EMAIL = "hidden.focal@private.example"
SECRET_NAME = "Secretia Hiddenname"
COMMENT = "Reviewer-only remark kestrel"


@pytest.fixture(scope="module")
def published_app(tmp_path_factory, migrated_database):
    """An app of this module's own: one practice published after a round of changes, with a
    private contact and reviewer comments. The tests only read it."""
    with private_app(tmp_path_factory.mktemp("privacy"), migrated_database) as app:
        yield app, _publish(app)


def _publish(app):
    submitter = make_member(app, "submitter", "Privacy City")
    reviewer = make_member(app, "reviewer", "Privacy Reviewers")
    record = valid_record(title="Heron privacy practice",
                          contact={"name": SECRET_NAME, "email": SECRET_EMAIL, "public": False})
    with app.test_request_context():
        practice = submissions.create_draft(submitter, record, submit=True)
        reviews.claim(reviewer, practice.id, True)
        reviews.request_changes(reviewer, practice.id, COMMENT)
        submissions.submit_practice(submitter, practice.id)
        reviews.claim(reviewer, practice.id, True)
        practice = reviews.approve(reviewer, practice.id, dict.fromkeys(CHECKLIST_KEYS, True),
                                   COMMENT + " on approval")
    return practice


PUBLIC_URLS = ["/practices/{slug}", "/practices?q=heron", "/api/v1/practices?q=heron",
               "/api/v1/practices/{slug}", "/api/v1/practices.csv?q=heron",
               "/api/v1/practices.json?q=heron", "/feed.atom", "/"]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_private_contact_and_review_comments_never_reach_the_public(published_app, url):
    app, published = published_app
    response = app.test_client().get(url.format(slug=published.slug))
    assert response.status_code == 200, url
    body = response.get_data(as_text=True)
    for secret in (SECRET_EMAIL, SECRET_NAME, "kestrel"):
        assert secret not in body
    # The practice itself is public: a page that left it out would prove nothing.
    assert "Heron" in body, url


@pytest.mark.parametrize("q", ["kestrel", "Hiddenname", "hidden.focal", "remark"])
def test_searching_for_private_words_finds_nothing(published_app, q):
    app, _published = published_app
    found = app.test_client().get("/api/v1/practices", query_string={"q": q}).get_json()
    assert found["total"] == 0


def test_the_cli_export_keeps_no_review_comment(published_app, tmp_path):
    app, _published = published_app
    out = tmp_path / "export.json"
    result = app.test_cli_runner().invoke(args=["kb", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert "kestrel" not in out.read_text()
