"""The foundation: configuration, schema migrations, demo data, base pages and error pages."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from kb import config, create_app, db
from kb.db import Base
from kb.models import Practice, User


def test_app_refuses_to_start_without_a_secret_key_outside_debug(tmp_path):
    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
                "INDEX_DIR": str(tmp_path / "index")}
    with pytest.raises(config.ConfigError, match="KB_SECRET_KEY is not set"):
        create_app(settings)
    assert create_app({**settings, "SECRET_KEY": "from-the-environment"}).secret_key


def test_kb_environment_variables_override_defaults_with_their_types():
    found = config.from_environment({"KB_INDEX_SYNC_INTERVAL": "0.5", "KB_MAIL_USE_TLS": "yes",
                                     "KB_SECRET_KEY": "s3", "OTHER": "x"})
    assert found == {"INDEX_SYNC_INTERVAL": 0.5, "MAIL_USE_TLS": True, "SECRET_KEY": "s3"}


def test_a_malformed_boolean_setting_is_refused_with_its_name():
    with pytest.raises(config.ConfigError, match="KB_MAIL_USE_TLS"):
        config.from_environment({"KB_MAIL_USE_TLS": "perhaps"})


def test_migrations_on_an_empty_database_match_the_models(app):
    with app.app_context(), db.get_engine().connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def _counts(app):
    with app.app_context():
        session = db.get_session()
        return (session.scalar(select(func.count()).select_from(Practice)),
                session.scalar(select(func.count()).select_from(User)))


# The one test that loads the demo from scratch (the `demo` mark copies what it leaves).
def test_demo_init_twice_creates_everything_once(app, runner):
    first = runner.invoke(args=["kb", "init", "--demo", "--url", "http://127.0.0.1:5000"])
    assert first.exit_code == 0, first.output
    _check_the_closing_block(first.output)
    assert "calls for practices added: 2; featured collections added: 2" in first.output
    counts = _counts(app)
    second = runner.invoke(args=["kb", "init", "--demo"])
    assert second.exit_code == 0, second.output
    assert _counts(app) == counts
    assert "password:" not in second.output
    assert "already present" in second.output
    assert "calls for practices added: 0; featured collections added: 0" in second.output


def _check_the_closing_block(output: str) -> None:
    """The output ends with the address and the three accounts in one ruled block."""
    block = output.rstrip().split("=" * 72)
    assert len(block) == 3, "the block must be ruled above and below"
    assert block[2] == "", "the block must close the output"
    lines = block[1].strip().splitlines()
    assert lines[0].strip() == "Open http://127.0.0.1:5000"
    accounts = [line.split() for line in lines if "password:" in line]
    assert {(role, email) for role, email, *_ in accounts} == {
        ("admin", "admin@example.org"), ("reviewer", "reviewer@example.org"),
        ("submitter", "submitter@example.org")}
    assert "Search index ready" in block[0]


@pytest.mark.demo
def test_demo_repository_is_searchable_and_covers_every_objective(client):
    body = client.get("/api/v1/practices").get_json()
    assert body["total"] >= 40
    covered = {f["value"] for f in body["facets"]["objective"] if f["count"] > 0}
    assert covered == set(range(1, 24))
    assert {f["value"] for f in body["facets"]["region"] if f["count"]} == {
        "africa", "arab-states", "asia-pacific", "europe-north-america",
        "latin-america-caribbean"}
    assert {f["value"] for f in body["facets"]["language"] if f["count"]} >= {"en", "fr", "es"}


@pytest.mark.demo
def test_demo_keeps_practices_in_every_workflow_state(app):
    with app.app_context():
        states = set(db.get_session().scalars(select(Practice.state).distinct()))
    assert {"published", "submitted", "in_review", "changes_requested", "draft"} <= states


@pytest.mark.demo
def test_the_main_pages_serve(client):
    slug = client.get("/api/v1/practices?per_page=1").get_json()["results"][0]["slug"]
    for url in ("/", "/practices", "/login", "/register", f"/practices/{slug}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "text/html"


def test_taxonomy_api_lists_23_objectives_10_principles_5_regions(client):
    body = client.get("/api/v1/taxonomy").get_json()
    assert len(body["objectives"]) == 23
    assert len(body["principles"]) == 10
    assert len(body["regions"]) == 5
    assert body["objectives"][12]["short"] == "Alternatives to detention"


def test_unknown_page_is_a_friendly_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_an_unpublished_practice_is_not_found(client, make_practice):
    make_practice(state="draft", title="Hidden draft practice")
    assert client.get("/practices/hidden-draft-practice").status_code == 404
    assert client.get("/api/v1/practices/hidden-draft-practice").status_code == 404


@pytest.mark.own_app  # adds routes
def test_a_server_error_is_a_page_for_people_and_json_for_the_api(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("boom")

    app.testing = False  # let the error handler answer instead of re-raising
    client = app.test_client()
    page = client.get("/boom")
    assert page.status_code == 500
    assert "Something went wrong" in page.get_data(as_text=True)
    api = client.get("/api/v1/boom")
    assert api.status_code == 500
    assert api.get_json()["error"]["code"] == "server_error"


class _ControlAudit(HTMLParser):
    """Collect form controls, labels, landmarks."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "label" and attributes.get("for"):
            self.label_for.add(attributes["for"])
        if tag in ("select", "textarea") or (
                tag == "input" and attributes.get("type") not in ("hidden", "submit", "button")):
            self.controls.append(attributes)


@pytest.mark.parametrize("url", ["/", "/practices", "/login", "/register"])
def test_every_form_control_has_a_visible_label(client, url):
    audit = _ControlAudit()
    audit.feed(client.get(url).get_data(as_text=True))
    assert audit.controls
    unlabelled = [c for c in audit.controls if c.get("id") not in audit.label_for]
    assert unlabelled == []


def test_pages_have_landmarks_a_skip_link_and_the_language(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<html lang="en">', html)
    assert '<a class="skip-link" href="#main">' in html
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_pages_load_no_external_assets(client):
    html = client.get("/").get_data(as_text=True)
    # Links to the page in other languages (hreflang) are absolute by rule and load nothing.
    html = re.sub(r'<link rel="alternate" hreflang=[^>]*>', "", html)
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not src.startswith(("http://", "https://", "//")), src

