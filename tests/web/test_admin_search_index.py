"""The admin page of the search index: status, drift, last rebuild, and the rebuild button."""
from __future__ import annotations

import re

import pytest

from kb.errors import PermissionDenied
from kb.search import integrity
from tests.conftest import PASSWORD, csrf_token_from

PAGE = "/admin/search-index"


def _field(html: str, name: str) -> str:
    match = re.search(rf'data-field="{name}"[^>]*>(.*?)</(?:dd|p)>', html, re.S)
    assert match, f"{name} is not on the page"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def _state(app):
    return app.extensions["kb.index"]


def _drop_from_index(app, practice_id: int) -> None:
    """Make the index miss a published practice, as a lost write would."""
    with app.app_context():
        _state(app).index.apply([], [practice_id])


@pytest.fixture
def admin_client(client, make_user, login):
    login(make_user(role="admin"))
    return client


def test_the_page_shows_the_indexs_status(app, admin_client, make_practice):
    for n in range(3):
        make_practice(title=f"Desk number {n} for newcomers")
    make_practice(state="draft", title="Unpublished desk")
    html = admin_client.get(PAGE).get_data(as_text=True)
    assert _field(html, "documents") == "3"
    assert int(_field(html, "segments")) >= 1
    assert _field(html, "schema-version").isdigit()
    assert re.search(r'data-field="rebuilt-at"><time datetime="\d{4}-', html)
    assert _field(html, "drift") == "The index matches the database."
    assert 'action="/admin/search-index/rebuild"' in html


def test_the_page_reports_drift_as_kb_index_check_does(app, admin_client, make_practice, runner):
    kept = make_practice(title="Desk kept in the index")
    lost = make_practice(title="Desk lost from the index")
    _drop_from_index(app, lost)
    html = admin_client.get(PAGE).get_data(as_text=True)
    assert "differs from the database" in _field(html, "drift")
    row = re.search(r"<tr><td>Published, missing from the index</td><td>(\d+)</td><td>([^<]*)",
                    html)
    assert row
    assert row.groups() == ("1", str(lost))
    assert str(kept) not in row.group(2)
    result = runner.invoke(args=["kb", "index", "check"])
    assert result.exit_code == 1
    assert "1 missing" in result.output


def test_rebuild_queues_a_background_rebuild_that_repairs_the_drift(app, admin_client,
                                                                     make_practice):
    lost = make_practice(title="Desk lost from the index")
    _drop_from_index(app, lost)
    assert "desk-lost-from-the-index" not in admin_client.get("/practices?q=desk").get_data(
        as_text=True)
    response = admin_client.post(f"{PAGE}/rebuild", follow_redirects=True)
    assert response.status_code == 200
    assert "has started in the background" in response.get_data(as_text=True)
    worker = _state(app).worker
    assert worker is not None
    worker.join(timeout=60)
    html = admin_client.get(PAGE).get_data(as_text=True)
    assert _field(html, "drift") == "The index matches the database."
    assert _field(html, "documents") == "1"
    assert "desk-lost-from-the-index" in admin_client.get("/practices?q=desk").get_data(
        as_text=True)


def test_a_rebuild_already_running_is_said_and_not_doubled(app, admin_client, make_practice):
    make_practice()
    with integrity.rebuild_lock(_state(app).index.path, wait=False):  # another process
        html = admin_client.get(PAGE).get_data(as_text=True)
        assert "A rebuild is running" in _field(html, "rebuilding")
        assert 'action="/admin/search-index/rebuild"' not in html
        worker_before = _state(app).worker
        response = admin_client.post(f"{PAGE}/rebuild", follow_redirects=True)
        assert "already running" in response.get_data(as_text=True)
        assert _state(app).worker is worker_before
    html = admin_client.get(PAGE).get_data(as_text=True)
    assert 'data-field="rebuilding"' not in html


def test_a_missing_index_is_reported_damaged(app, admin_client, make_practice):
    make_practice()
    (_state(app).index.path / "CURRENT").unlink()
    html = admin_client.get(PAGE).get_data(as_text=True)
    assert "damaged or missing" in _field(html, "problems")
    assert _field(html, "documents") == "—"


def test_only_admins_see_or_rebuild_and_the_service_checks_it(app, client, make_user, login):
    from kb.services import index_admin

    reviewer = make_user(role="reviewer")
    login(reviewer)
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}/rebuild").status_code == 403
    with app.test_request_context():
        with pytest.raises(PermissionDenied):
            index_admin.request_rebuild(reviewer)
        with pytest.raises(PermissionDenied):
            index_admin.report(reviewer)
    assert _state(app).worker is None


def test_the_rebuild_button_needs_its_csrf_token(app, csrf_client, make_user):
    admin = make_user(role="admin")
    page = csrf_client.get("/login").get_data(as_text=True)
    csrf_client.post("/login", data={"email": admin.email, "password": PASSWORD,
                                     "csrf_token": csrf_token_from(page)})
    assert csrf_client.post(f"{PAGE}/rebuild").status_code == 400
    assert _state(app).worker is None
    token = csrf_token_from(csrf_client.get(PAGE).get_data(as_text=True))
    response = csrf_client.post(f"{PAGE}/rebuild", data={"csrf_token": token})
    assert response.status_code == 302
    _state(app).worker.join(timeout=60)


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ("Index de recherche", "Reconstruire l’index de recherche")),
    ("es", ("Índice de búsqueda", "Reconstruir el índice de búsqueda")),
])
def test_the_page_speaks_the_readers_language(admin_client, lang, words):
    html = admin_client.get(f"{PAGE}?lang={lang}").get_data(as_text=True)
    for text in words:
        assert text in html
