"""The app lent to every test of a process (tests/shared_app.py) carries nothing from one test
to the next: not a row, an index document, a mail, a setting or a switched-on rate limiter."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest
from flask import Flask, has_request_context

from kb import db, mail
from kb.models import Practice, User
from kb.services import indexing
from tests import shared_app, template_cache, url_builders
from tests.conftest import empty_database, make_app, paths, valid_record


def _lend(migrated_database: str, folder: Path) -> Flask:
    folder.mkdir()
    url = empty_database(migrated_database, folder)
    app = shared_app.lend(lambda: make_app(folder, url), paths(folder, url))
    with app.app_context():
        indexing.get_index()
    return app


def _leave_traces(app: Flask) -> None:
    """Everything one test may leave behind: a user, a published practice in the index, a
    mail, changed settings."""
    from kb.services import accounts
    from kb.services.transfer import create_practice
    from kb.services.validation import validate_record

    with app.app_context():
        with db.write_transaction() as session:
            accounts.create_user("left@example.org", "Left Behind", "a long enough password")
            practice = create_practice(session, validate_record(valid_record(
                title="Left behind practice"), complete=False), "published", None, None)
            practice_id = practice.id
        indexing.apply_changes([practice_id])
        mail.send("left@example.org", "password_changed", user=SimpleNamespace(name="Left"))
    app.config["REQUIRE_2FA_FOR_STAFF"] = True
    app.config["REVIEWS_REQUIRED"] = 3


def _rate_limited(app: Flask) -> bool:
    """Whether a second wrong sign-in is refused, under a limit of one an hour."""
    app.config["RATELIMIT_LOGIN_ADDRESS"] = "1 per hour"
    client = app.test_client()
    wrong = {"email": "nobody@example.org", "password": "wrong password"}
    statuses = [client.post("/login", data=wrong).status_code for _ in range(2)]
    return statuses[-1] == 429


def _traces(app: Flask) -> dict[str, object]:
    client = app.test_client()
    found = client.get("/api/v1/practices?q=left+behind").get_json()
    with app.app_context():
        session = db.get_session()
        rows = (session.query(User).count(), session.query(Practice).count())
        documents = indexing.get_index().doc_count()
    return {"rows": rows, "found": found["total"], "documents": documents,
            "mails": len(list(Path(app.config["MAIL_DIR"]).glob("*.eml"))),
            "settings": (app.config["REQUIRE_2FA_FOR_STAFF"], app.config["REVIEWS_REQUIRED"]),
            "rate limited": _rate_limited(app)}


@pytest.mark.usefixtures("cheap_password_hashing")
def test_the_next_test_finds_nothing_the_previous_one_left(migrated_database, tmp_path):
    first = _lend(migrated_database, tmp_path / "first")
    clean = _traces(first)
    assert clean == {"rows": (0, 0), "found": 0, "documents": 0, "mails": 0,
                     "settings": (False, 1), "rate limited": False}
    _leave_traces(first)
    assert _traces(first) == {"rows": (1, 1), "found": 1, "documents": 1, "mails": 1,
                              "settings": (True, 3), "rate limited": False}
    shared_app.give_back(first)

    # A test of the rate limits builds its own app, which switches the one limiter on.
    limited = make_app(tmp_path, empty_database(migrated_database, tmp_path),
                       RATELIMIT_ENABLED=True)
    assert _rate_limited(limited)
    shared_app.close(limited)

    second = _lend(migrated_database, tmp_path / "second")
    assert second is first  # the same app, lent again: that is what is checked here
    assert _traces(second) == clean
    shared_app.give_back(second)


def test_an_app_a_test_added_to_is_not_lent_again(migrated_database, tmp_path):
    first = _lend(migrated_database, tmp_path / "first")
    first.jinja_env.globals["left_behind"] = "a global added by a test"
    shared_app.give_back(first)
    second = _lend(migrated_database, tmp_path / "second")
    assert second is not first
    assert "left_behind" not in second.jinja_env.globals
    shared_app.give_back(second)


def test_every_route_builds_with_its_cached_builder_what_werkzeug_compiles(migrated_database,
                                                                          tmp_path):
    first = make_app(tmp_path, empty_database(migrated_database, tmp_path))
    second = make_app(tmp_path, empty_database(migrated_database, tmp_path))
    rules = list(second.url_map.iter_rules())
    assert len(rules) > 50
    for rule in rules:
        for held, fresh in url_builders.builds(rule):
            assert held == fresh, rule.rule
    # The second app's rules hold the builders compiled for the first's.
    assert url_builders.held(first) == url_builders.held(second)
    for app in (first, second):
        shared_app.close(app)


def test_a_streamed_answer_the_test_leaves_open_is_closed_when_it_ends(app, client):
    response = client.get("/api/v1/practices.csv")  # neither read to the end nor closed
    assert response.status_code == 200
    assert response.is_streamed
    assert has_request_context()  # the export's generator keeps its request context pushed
    shared_app.close_responses()  # what tests/fixtures.py does when each test ends
    assert not has_request_context()
    assert not shared_app.ClosingClient.streamed


def test_templates_compiled_by_an_earlier_process_are_loaded_unless_their_source_changed(
        tmp_path, monkeypatch):
    (tmp_path / "page.html").write_text("Hello {{ name }}")

    def render(expected_compiles: int) -> str:
        """Render page.html in a new environment with a new process's cache."""
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path))
        env.bytecode_cache = template_cache.SharedTemplateCache(tmp_path / "cache")
        compiled = []
        monkeypatch.setattr(env, "compile", lambda *a, **k: compiled.append(a) or
                            jinja2.Environment.compile(env, *a, **k))
        text = env.get_template("page.html").render(name="you")
        assert len(compiled) == expected_compiles
        return text

    assert render(expected_compiles=1) == "Hello you"
    assert render(expected_compiles=0) == "Hello you"  # from the disk, as another process
    (tmp_path / "page.html").write_text("Bonjour {{ name }}")
    assert render(expected_compiles=1) == "Bonjour you"
    # Environments whose settings change the compiled code share no folder.
    assert template_cache.for_environment(jinja2.Environment(autoescape=True)) is not \
        template_cache.for_environment(jinja2.Environment(autoescape=False))
