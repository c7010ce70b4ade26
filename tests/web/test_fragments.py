"""Kept template fragments ({% constant %}) give the pages rendering them afresh would give."""
from __future__ import annotations

import itertools
import re

import pytest

from kb.views.fragments import ConstantFragments
from tests.conftest import PASSWORD

ROLES = ("anonymous", "submitter", "reviewer", "admin")
CSRF = re.compile(r'name="csrf_token" value="[^"]*"')


def _page(client, path: str, lang: str, root: str) -> str:
    response = client.get(path, base_url=f"http://kb.test{root}", query_string={"lang": lang})
    return CSRF.sub('name="csrf_token" value=""', response.get_data(as_text=True))


@pytest.fixture
def clients(app, make_user):
    found = {"anonymous": app.test_client()}
    for role in ROLES[1:]:
        user = make_user(role)
        found[role] = client = app.test_client()
        assert client.post("/login", data={"email": user.email, "password": PASSWORD},
                           base_url="http://kb.test").status_code == 302
    return found


def test_kept_fragments_follow_language_role_and_root_path(app, clients, monkeypatch):
    store = app.jinja_env.extensions[ConstantFragments.identifier]
    store.kept.clear()
    seen = []
    # Interleaved, so a fragment kept for one language, role or root path would show in another.
    for lang, role, root, path in itertools.product(("en", "fr", "es"), ROLES, ("", "/kb"),
                                                    ("/about", "/no-such-page")):
        seen.append(((lang, role, root, path), _page(clients[role], path, lang, root)))
    assert store.kept
    with monkeypatch.context() as patch:
        patch.setattr(ConstantFragments, "_fragment",
                      lambda self, where, extra, caller: caller())
        for (lang, role, root, path), html in seen:
            assert html == _page(clients[role], path, lang, root), (lang, role, root, path)
    assert 'href="/kb/about"' in seen[-1][1]
    assert "Accesibilidad" in seen[-1][1]


def test_outside_a_request_a_fragment_is_rendered_not_kept(app):
    store = app.jinja_env.extensions[ConstantFragments.identifier]
    store.kept.clear()
    template = app.jinja_env.from_string("{% constant %}<b>{{ 1 + 1 }}</b>{% endconstant %}")
    with app.app_context():
        assert template.render() == "<b>2</b>"
    assert not store.kept


def test_the_coverage_page_follows_its_counts(app, client, make_practice, monkeypatch):
    before = client.get("/coverage").get_data(as_text=True)
    make_practice(objectives=[5], regions=["africa"])
    after = client.get("/coverage").get_data(as_text=True)
    assert after != before
    assert re.search(r'aria-label="1 practice for objective 5 in Africa">1</a>', after)
    with monkeypatch.context() as patch:
        patch.setattr(ConstantFragments, "_fragment",
                      lambda self, where, extra, caller: caller())
        assert client.get("/coverage").get_data(as_text=True) == after


def test_the_oldest_fragments_make_room(app, client, monkeypatch):
    from kb.views import fragments

    store = app.jinja_env.extensions[ConstantFragments.identifier]
    store.kept.clear()
    monkeypatch.setattr(fragments, "MAX_KEPT", 3)
    pages = {lang: _page(client, "/about", lang, "") for lang in ("en", "fr", "es")}
    assert len(store.kept) == 3
    for lang, html in pages.items():
        assert _page(client, "/about", lang, "") == html
