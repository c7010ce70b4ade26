"""Each bad input of issue 11 part 3 gets a 4xx naming the field, never a 500 or a silent store.

The API answers JSON whose ``fields`` names the key; pages answer the form with a message or a
404. Every case here answered 500 (or was stored as sent) before kb.schemas.
"""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from kb import db
from kb.models import AuditEvent, Practice
from kb.services import tokens
from tests.conftest import PASSWORD, valid_record
from tests.web.review_support import make_member, signed_in
from tests.web.test_account import turn_on_two_factor

HUGE = "99999999999999999999"  # 20 digits: above 2**63 - 1, the largest row id


@pytest.fixture
def api(app):
    """A client and the headers of a submitter's bearer token."""
    user = make_member(app, "submitter", "City of Bad Inputs")
    with app.app_context():
        token = tokens.create_token(user, user)
    return app.test_client(), {"Authorization": f"Bearer {token}"}


def _draft(api) -> int:
    client, headers = api
    response = client.post("/api/v1/submissions", json=valid_record(), headers=headers)
    assert response.status_code == 201
    return response.get_json()["id"]


def _fields(response) -> dict:
    assert response.status_code in (400, 422), (response.status_code, response.data[:300])
    return response.get_json()["error"]["fields"]


@pytest.mark.parametrize(("change", "field"), [
    ({"links": [{"title": "Report", "url": 5}]}, "links.0.url"),
    ({"links": [{"title": ["Report"], "url": "https://example.org"}]}, "links.0.title"),
    ({"contact": {"name": "Ana", "email": 5, "public": False}}, "contact.email"),
    ({"contact": {"name": {}, "email": "ana@example.org"}}, "contact.name"),
    ({"contact": []}, "contact"),
    ({"links": ["text"]}, "links.0"),
    ({"links": [None]}, "links.0"),
    ({"start_year": "²"}, "start_year"),
    ({"end_year": "２０２０"}, "end_year"),
    ({"objectives": ["³"]}, "objectives.0"),
    ({"title": "a\x00b"}, "title"),
    ({"contact": {"name": "Ana\x00", "email": "ana@example.org"}}, "contact.name"),
    ({"submit": "yes"}, "submit"),
])
def test_a_wrongly_shaped_record_is_refused_naming_the_field(app, api, change, field):
    client, headers = api
    response = client.post("/api/v1/submissions", json=valid_record(**change), headers=headers)
    assert response.status_code == 422
    assert field in _fields(response)
    with app.app_context():
        assert db.get_session().scalar(select(Practice.id).where(
            Practice.title == valid_record()["title"])) is None


@pytest.mark.parametrize("key", ["title", "summary", "description"])
def test_a_lone_surrogate_in_any_string_is_refused(api, key):
    client, headers = api
    body = json.dumps({**valid_record(), key: "x"})[:-1] + f', "{key}": "a\\ud800b"}}'
    response = client.post("/api/v1/submissions", data=body, headers=headers,
                           content_type="application/json")
    assert key in _fields(response)


def test_a_lone_surrogate_in_a_patch_and_an_action_comment_is_refused(api):
    client, headers = api
    pid = _draft(api)
    response = client.patch(f"/api/v1/submissions/{pid}", data='{"funding": "\\udfff"}',
                            headers=headers, content_type="application/json")
    assert "funding" in _fields(response)
    response = client.post(f"/api/v1/submissions/{pid}/actions",
                           data='{"action": "withdraw", "comment": "\\ud83d"}',
                           headers=headers, content_type="application/json")
    assert "comment" in _fields(response)


@pytest.mark.parametrize(("body", "field"), [
    ({"action": ["submit"]}, "action"),
    ({"action": {"name": "submit"}}, "action"),
    ({"action": "fly"}, "action"),
    ({}, "action"),
    ({"action": "withdraw", "comment": {}}, "comment"),
    ({"action": "withdraw", "comment": ["no"]}, "comment"),
    ({"action": "claim", "no_conflict": "yes"}, "no_conflict"),
    ({"action": "claim"}, "no_conflict"),
    ({"action": "approve", "checklist": {"implemented": "yes"}}, "checklist.implemented"),
])
def test_a_wrongly_shaped_action_is_refused_naming_the_field(app, api, body, field):
    client, headers = api
    pid = _draft(api)
    response = client.post(f"/api/v1/submissions/{pid}/actions", json=body, headers=headers)
    assert response.status_code == 422
    assert field in _fields(response)
    with app.app_context():
        assert db.get_session().get(Practice, pid).state == "draft"
        assert db.get_session().scalar(select(AuditEvent.id).where(
            AuditEvent.practice_id == pid, AuditEvent.action != "create")) is None


def test_propose_update_is_a_documented_action(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    actions = {variant["properties"]["action"]["const"]: variant
               for variant in doc["components"]["schemas"]["Action"]["oneOf"]}
    assert "propose_update" in actions
    assert "no_conflict" in actions["claim"]["required"]


def test_json_nested_fifty_thousand_deep_is_a_400(api):
    client, headers = api
    body = '{"title": ' + "[" * 50_000 + "]" * 50_000 + "}"
    response = client.post("/api/v1/submissions", data=body, headers=headers,
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_an_id_above_the_largest_row_id_is_a_404(api, method):
    client, headers = api
    response = client.open(f"/api/v1/submissions/{HUGE}", method=method, json={},
                           headers=headers)
    assert response.status_code == 404
    response = client.post(f"/api/v1/submissions/{HUGE}/actions", json={"action": "submit"},
                           headers=headers)
    assert response.status_code == 404


def test_a_chunked_body_over_the_limit_is_a_413(app, api):
    client, headers = api
    limit = app.config["MAX_CONTENT_LENGTH"]
    payload = json.dumps({"title": "x" * (limit + 10)}).encode()

    # gunicorn (and Werkzeug's server) de-chunk the body and say so with input_terminated.
    response = client.post("/api/v1/submissions", input_stream=io.BytesIO(payload),
                           headers={**headers, "Transfer-Encoding": "chunked",
                                    "Content-Type": "application/json"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("DELETE", "/api/v1/submissions", {"GET", "POST"}),
    ("PUT", "/api/v1/practices", {"GET"}),
    ("DELETE", "/login", {"GET", "POST"}),
])
def test_a_405_says_which_methods_are_allowed(client, method, path, allowed):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


# --- pages ---------------------------------------------------------------------------------

def test_a_two_factor_code_of_non_ascii_digits_is_a_wrong_code(app, client, make_user, login):
    user = make_user()
    login(user)
    turn_on_two_factor(app, client, user)
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    for code in ("²²²²²²", "١٢٣٤٥٦", "１２３４５６"):
        response = other.post("/login/two-factor", data={"code": code})
        assert response.status_code == 200
        assert "That code is not right." in response.get_data(as_text=True)


def test_two_factor_setup_with_non_ascii_digits_is_refused(app, client, make_user, login):
    user = make_user()
    login(user)
    client.get("/account/two-factor")
    response = client.post("/account/two-factor", data={"code": "٠١٢٣٤٥"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "That code is not right." in response.get_data(as_text=True)


@pytest.mark.parametrize("query", [
    "objective=²", f"objective={HUGE}", "objective=-1", "region=%00", "language=xx",
])
def test_reviewer_queue_filters_never_fail(app, query):
    client = signed_in(app, make_member(app, "reviewer", "Queue Review Network"))
    assert client.get(f"/review/?{query}").status_code == 200


@pytest.mark.parametrize("path", [
    "/admin/users?page=²", f"/admin/users?page={HUGE}", f"/admin/audit?actor={HUGE}",
    f"/admin/audit?practice={HUGE}", "/admin/audit?actor=²&practice=³",
    "/admin/practices?state=%00",
])
def test_admin_query_parameters_never_fail(app, path):
    client = signed_in(app, make_member(app, "admin", "Admin Org"))
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(("role", "path"), [
    ("reviewer", f"/review/{HUGE}"), ("submitter", f"/submissions/{HUGE}"),
    ("submitter", f"/submissions/{HUGE}/edit"), ("admin", f"/review/{HUGE}"),
])
def test_pages_with_an_id_above_the_largest_row_id_are_a_404(app, role, path):
    client = signed_in(app, make_member(app, role))
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(("path", "field"), [
    ("/api/v1/taxonomy?lang=xx", "lang"), ("/api/v1/stats?lang=en&lang=fr", "lang"),
    ("/api/v1/practices?qlang=de", "qlang"), ("/feed.atom?qlang=null", "qlang"),
    ("/api/v1/practices?page=²", "page"), (f"/api/v1/practices?per_page={HUGE}", "per_page"),
    ("/api/v1/practices?sort=newest&sort=relevance", "sort"),
])
def test_a_query_value_the_document_refuses_is_a_400_naming_it(client, path, field):
    response = client.get(path)
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert field in response.get_json()["error"]["fields"]


def test_a_submitter_list_refuses_an_unknown_mine_value(api):
    client, headers = api
    response = client.get("/api/v1/submissions?mine=2", headers=headers)
    assert "mine" in _fields(response)


def test_a_lone_surrogate_in_a_key_or_deep_inside_is_refused(api):
    client, headers = api
    body = json.dumps(valid_record())[:-1] + ', "links": [{"title": "x\\udc00", "url": ' \
        '"https://example.org"}]}'
    response = client.post("/api/v1/submissions", data=body, headers=headers,
                           content_type="application/json")
    assert "links.0.title" in _fields(response)
