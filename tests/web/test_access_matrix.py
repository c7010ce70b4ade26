"""Every route of the app, as anonymous, submitter, reviewer and admin: who may do what.

Routes are discovered from app.url_map; each endpoint must be declared in ACCESS below, so a
new route fails here until someone decides who may use it.
"""
from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.test import Cookie

from kb import create_app
from tests.conftest import (
    PASSWORD,
    add_practice,
    cheap_passwords,
    copy_files,
    empty_database,
    private_app,
)
from tests.web.review_support import make_member

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = ("submitter", "reviewer", "admin")
STAFF = ("reviewer", "admin")
ADMIN = ("admin",)
TOKEN = "token"  # the JSON API with a bearer token: any active account; cookies never count
ADMIN_TOKEN = "admin-token"  # the JSON API with an admin's bearer token

ACCESS: dict[str, object] = {
    # public pages and the read API
    "static": PUBLIC, "public.home": PUBLIC, "public.practices": PUBLIC,
    "public.practice": PUBLIC, "public.coverage": PUBLIC, "public.feed": PUBLIC,
    "public.robots": PUBLIC, "public.sitemap": PUBLIC, "public.api_docs": PUBLIC,
    "api.openapi_document": PUBLIC, "api.practices": PUBLIC, "api.export_csv": PUBLIC,
    "api.export_json": PUBLIC, "api.practice": PUBLIC, "api.stats": PUBLIC,
    "api.taxonomy_view": PUBLIC, "public.contact_focal_point": PUBLIC,
    # the site's frame
    "public.about": PUBLIC, "public.privacy": PUBLIC, "public.accessibility": PUBLIC,
    "public.contact": PUBLIC, "public.favicon": PUBLIC,
    # calls for practices and featured collections
    "calls.index": PUBLIC, "calls.detail": PUBLIC, "calls.feed": PUBLIC,
    "collections.index": PUBLIC, "collections.detail": PUBLIC, "api.list_calls": PUBLIC,
    "api.get_call": PUBLIC, "api.list_collections": PUBLIC, "api.get_collection": PUBLIC,
    # signing in and recovering an account
    "auth.login": PUBLIC, "auth.login_two_factor": PUBLIC, "auth.register": PUBLIC,
    "auth.forgot_password": PUBLIC, "auth.reset_password": PUBLIC,
    "auth.confirm_email": PUBLIC,
    # one's own account
    "auth.logout": SIGNED_IN, "auth.account": SIGNED_IN, "auth.change_email": SIGNED_IN,
    "auth.change_password": SIGNED_IN, "auth.api_tokens": SIGNED_IN,
    "auth.create_api_token": SIGNED_IN, "auth.revoke_api_token": SIGNED_IN,
    "auth.two_factor": SIGNED_IN, "auth.two_factor_confirm": SIGNED_IN,
    "auth.two_factor_disable": SIGNED_IN, "auth.recovery_codes": SIGNED_IN,
    # submitting practices
    "submit.index": SIGNED_IN, "submit.new": SIGNED_IN, "submit.detail": SIGNED_IN,
    "submit.edit": SIGNED_IN, "submit.preview": SIGNED_IN, "submit.action": SIGNED_IN,
    "submit.withdraw": SIGNED_IN, "submit.delete": SIGNED_IN,
    "submit.confirm_current": SIGNED_IN,
    # reviewing
    "review.queue": STAFF, "review.mine": STAFF, "review.detail": STAFF, "review.claim": STAFF,
    "review.unclaim": STAFF, "review.decide": STAFF, "review.request_update": STAFF,
    "review.add_reviewer": ADMIN,
    # administration
    "admin.index": ADMIN, "admin.users": ADMIN, "admin.change_role": ADMIN,
    "admin.deactivate": ADMIN, "admin.reactivate": ADMIN, "admin.mark_internal": ADMIN,
    "admin.mark_external": ADMIN, "admin.practices": ADMIN,
    "admin.audit": ADMIN, "admin.archive_practice": ADMIN, "admin.unarchive_practice": ADMIN,
    "admin.updates": ADMIN,
    "admin.calls_list": ADMIN, "admin.new_call": ADMIN, "admin.edit_call": ADMIN,
    "admin.close_call": ADMIN, "admin.collections_list": ADMIN, "admin.new_collection": ADMIN,
    "admin.edit_collection": ADMIN, "admin.add_collection_item": ADMIN,
    "admin.edit_collection_item": ADMIN, "admin.search_index": ADMIN,
    "admin.rebuild_search_index": ADMIN,
    # the write API
    "api.list_submissions": TOKEN, "api.create_submission": TOKEN, "api.get_submission": TOKEN,
    "api.patch_submission": TOKEN, "api.submission_action": TOKEN,
    # admin writes of calls and collections
    "api.create_call": ADMIN_TOKEN, "api.patch_call": ADMIN_TOKEN,
    "api.create_collection": ADMIN_TOKEN, "api.patch_collection": ADMIN_TOKEN,
}


def _endpoints() -> list[tuple[str, str, str]]:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    return sorted((rule.endpoint, rule.rule, method) for rule in app.url_map.iter_rules()
                  for method in rule.methods - {"HEAD", "OPTIONS"})


ROUTES = _endpoints()
PROTECTED = [r for r in ROUTES if ACCESS.get(r[0], PUBLIC) != PUBLIC]


def test_every_route_is_declared_in_the_access_table():
    undeclared = sorted({endpoint for endpoint, _rule, _method in ROUTES
                         if endpoint not in ACCESS})
    assert not undeclared, f"declare who may use these endpoints in ACCESS: {undeclared}"


def test_the_table_names_no_route_that_is_gone():
    assert not set(ACCESS) - {endpoint for endpoint, _rule, _method in ROUTES}


@pytest.fixture(scope="module")
def template(tmp_path_factory, migrated_database) -> tuple[Path, dict] | None:
    """On SQLite, the world built once in a database and index that each test copies (building
    it took ~70% of a test's time); None on PostgreSQL, where each test builds its own."""
    if migrated_database.startswith("postgresql"):
        return None
    folder = tmp_path_factory.mktemp("matrix-world")
    with cheap_passwords(), private_app(folder, migrated_database) as app:
        built = _build_world(app, functools.partial(add_practice, app))
    return folder, built


@pytest.fixture
def database_url(template, migrated_database, tmp_path) -> str:
    """This test's own copy of the template's database and index (on PostgreSQL: an empty
    database, in which the world fixture builds the world)."""
    if template is None:
        return empty_database(migrated_database, tmp_path)
    return copy_files(template[0], tmp_path)


@pytest.fixture
def world(app, template, request) -> dict:
    """One account per role (each in its own organization), their tokens and the session
    cookies their sign-ins set, a draft of each, a practice submitted and one published by
    another account, a call and a collection; the practices and the call or collection the
    route under test names."""
    built = template[1] if template else _build_world(app, functools.partial(add_practice, app))
    endpoint, rule = request.node.callspec.params["endpoint"], request.node.callspec.params["rule"]
    practices: dict[str, object] = {}
    if "practice_id" in rule:
        if endpoint.startswith("review."):
            practices["all"] = built["submitted"]
        elif endpoint.startswith("admin."):
            practices["all"] = built["published"]
        else:
            practices = built["drafts"]
    slug = "no-such-practice"
    if "/calls/<slug>" in rule:
        slug = built["call"]
    elif "/collections/<slug>" in rule:
        slug = built["collection"]
    return {**built, "practices": practices, "slug": slug}


def _build_world(app, make_practice) -> dict:
    from kb.services import calls, collections, tokens

    people = {role: make_member(app, role) for role in SIGNED_IN}
    target = make_member(app)
    with app.app_context():
        keys = {role: tokens.create_token(user, user, "matrix") for role, user in people.items()}
        token_ids = {role: tokens.list_tokens(user)[0].id for role, user in people.items()}
        call = calls.create_call(people["admin"], {
            "title": "Matrix call", "opens_on": "2020-01-01", "closes_on": "2099-12-31"})
    drafts = {role: make_practice(state="draft", submitter=user) for role, user in people.items()}
    submitted = make_practice(state="submitted", submitter=target)
    published = make_practice(state="published", submitter=target)
    make_practice(state="published", title="Matrix member")
    with app.app_context():
        collection = collections.create_collection(people["admin"], {
            "title": "Matrix collection", "published": True,
            "items": [{"practice": "matrix-member"}]})
    return {"people": people, "target": target, "keys": keys, "token_ids": token_ids,
            "drafts": drafts, "submitted": submitted, "published": published,
            "call": call.slug, "collection": collection.slug,
            "cookies": {role: _sign_in(app, user) for role, user in people.items()}}


def _sign_in(app, user) -> Cookie:
    """Sign in through the login form; return the session cookie it set."""
    client = app.test_client()
    assert client.post("/login", data={"email": user.email,
                                       "password": PASSWORD}).status_code == 302
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"],
                               domain=app.config["SERVER_NAME"])
    assert cookie is not None
    return cookie


def _url(rule: str, endpoint: str, role: str, world: dict) -> str:
    role = role if role in SIGNED_IN else "submitter"
    practices = world["practices"]
    values = {"practice_id": practices.get("all", practices.get(role)),
              "user_id": world["target"].id, "token_id": world["token_ids"][role],
              "slug": world["slug"], "token": "not-a-token", "item_id": 1}
    for name, value in values.items():
        rule = rule.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    assert "<" not in rule, f"add a value for the parameter in {rule}"
    return rule


@pytest.mark.parametrize(("endpoint", "rule", "method"), PROTECTED,
                         ids=[f"{m} {r}" for _e, r, m in PROTECTED])
def test_each_role_gets_what_the_table_says(app, world, endpoint, rule, method):
    required = ACCESS[endpoint]
    for role in (None, *SIGNED_IN):
        client = app.test_client()
        url = _url(rule, endpoint, role, world)
        headers = {}
        if required in (TOKEN, ADMIN_TOKEN) and role:
            headers["Authorization"] = f"Bearer {world['keys'][role]}"
        elif role:
            cookie = world["cookies"][role]  # as the role's sign-in left it
            client.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
        kwargs = {"json": {}} if url.startswith("/api/") and method != "GET" else {"data": {}}
        response = client.open(url, method=method, headers=headers, **kwargs)
        _check(response, required, role, url, method)


def _check(response, required, role, url: str, method: str) -> None:
    status, where = response.status_code, f"{method} {url} as {role or 'anonymous'}"
    if role is None and required in (TOKEN, ADMIN_TOKEN):
        assert status == 401, where
        assert response.get_json()["error"]["code"] == "unauthenticated", where
    elif role is None:
        assert status == 302, where
        location = urlsplit(response.headers["Location"])
        assert location.path == "/login", where
        assert parse_qs(location.query)["next"][0] == urlsplit(url).path, where
    elif required == ADMIN_TOKEN and role != "admin":
        assert status == 403, where
        assert response.get_json()["error"]["code"] == "forbidden", where
    elif required not in (TOKEN, ADMIN_TOKEN) and role not in required:
        assert status == 403, where
    else:
        assert status not in (401, 403), f"{where}: {status}"
        assert status < 500, f"{where}: {status}"
        assert not response.headers.get("Location", "").startswith("/login"), where
        if method == "GET" and "<" not in url and url.count("/") <= 2:
            assert status == 200, where
