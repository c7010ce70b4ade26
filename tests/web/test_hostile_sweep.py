"""A standing guard (issue 11 part 8): every route of ``app.url_map``, HTML and API, as
anonymous, submitter, reviewer and admin, with hostile values in every path and query parameter
and every form and JSON field, answers without a 5xx and stores no NUL character.

Hostile values: the naughty strings of ../shared/corpora (blns), non-ASCII digits, huge
integers, lone surrogates, NUL, and nested and wrong-typed JSON. The default run samples the
corpus per route deterministically, the roles taking turns; the ``slow`` run (CI) sends every
string to every route.
"""
from __future__ import annotations

import json
import random
import re
import zlib
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from kb import db
from kb.db import Base
from kb.models import User
from kb.services import tokens
from tests.conftest import shared_path, valid_record
from tests.web.review_support import make_member

ROLES = (None, "submitter", "reviewer", "admin")
EXTRA = ["²", "١٢٣", "１２", "99999999999999999999", "-1", "0", "1e999", "NaN", "\ud800",
         "a\udfffb", "\x00", "a\x00b", "%00", "", " ", "../../etc/passwd", "x" * 5000]
JSON_VALUES = [None, True, 0, -1, 2**64, 1.5, [], {}, ["text"], [None], {"a": {"b": []}},
               [[[[[]]]]], "\ud800", "a\x00b", "²"]
HUGE_ID = "99999999999999999999"
FAST_SAMPLE = 3
VIEWS = Path(__file__).resolve().parents[2] / "kb" / "views"


def hostile_strings() -> list[str]:
    path = shared_path("corpora", "blns", "blns.json")
    return [*json.loads(path.read_text(encoding="utf-8")), *EXTRA]


def query_names() -> list[str]:
    """Every query parameter a view reads (found in the views' source) or the API declares."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in VIEWS.glob("*.py"))
    names = set(re.findall(r"""args(?:\.get|\.getlist|\.to_dict)?\(?\[?["'](\w+)["']""",
                           source))
    from kb.views import openapi

    for item in openapi.document()["paths"].values():
        for operation in item.values():
            names |= {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    return sorted(names | {"next", "page", "q"})


def form_names() -> list[str]:
    """Every field of every form class in kb.forms (list fields as their first row)."""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm
    from wtforms.fields.core import UnboundField

    import kb.forms

    names: set[str] = set()
    for info in pkgutil.iter_modules(kb.forms.__path__):
        module = importlib.import_module(f"kb.forms.{info.name}")
        for cls in vars(module).values():
            if isinstance(cls, type) and issubclass(cls, FlaskForm):
                for name in dir(cls):
                    if isinstance(getattr(cls, name, None), UnboundField):
                        names.add(name)
    return sorted(names | {"links-0-title", "links-0-url", "action", "decision", "step"})


def _routes(app) -> list[tuple[str, str, str]]:
    return sorted((rule.rule, method, rule.endpoint) for rule in app.url_map.iter_rules()
                  for method in rule.methods - {"HEAD", "OPTIONS"})


def _encode(value: str) -> str:
    """Percent-encode like a browser, lone surrogates included (as the bytes a client sends)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


@pytest.fixture
def world(app, make_practice):
    people = {role: make_member(app, role, f"Sweep org {role}") for role in ROLES if role}
    target = make_member(app, "submitter", "Sweep target org")
    ids = {
        "draft": make_practice(state="draft", submitter=people["submitter"]),
        "submitted": make_practice(state="submitted", submitter=target, title="Sweep queued"),
        "published": make_practice(state="published", submitter=target, title="Sweep live"),
    }
    with app.app_context():
        keys = {role: tokens.create_token(user, user, "sweep") for role, user in people.items()}
        token_ids = {role: tokens.list_tokens(user)[0].id for role, user in people.items()}
    return {"people": people, "target": target, "ids": ids, "keys": keys,
            "token_ids": token_ids}


def _session_cookies(app, world) -> dict:
    """Each role's signed-in session cookie, made once: each request gets a new client (an
    answer may set or clear cookies) with a copy, which costs far less than a new session."""
    cookies = {}
    for role, person in world["people"].items():
        client = app.test_client()
        with app.app_context():
            user_id = db.get_session().get(User, person.id).get_id()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        cookies[role] = client.get_cookie(app.config["SESSION_COOKIE_NAME"],
                                          domain=app.config["SERVER_NAME"])
        assert _client(app, {"cookies": cookies}, role).get("/account").status_code == 200
    return cookies


def _client(app, world, role):
    client = app.test_client()
    if role:
        cookie = world["cookies"][role]
        client.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    return client


def _path(rule: str, value: str, world: dict, role: str | None, n: int) -> str:
    """Fill the rule's parameters: ints with a real id, a huge one or 0; strings with value."""
    ids = world["ids"]
    real_ints = {"practice_id": [ids["draft"], ids["submitted"], ids["published"]],
                 "user_id": [world["target"].id],
                 "token_id": [world["token_ids"].get(role or "submitter")]}

    def fill(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if converter == "int":
            choices = [*real_ints.get(name, [1]), HUGE_ID, 0]
            return str(choices[n % len(choices)])
        return _encode(value)

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", fill, rule)


def _json_body(value, n: int) -> object:
    """A record or action with hostile values in its fields, or a hostile body."""
    shapes = [
        lambda: valid_record(**dict.fromkeys(("title", "summary", "description", "funding"),
                                             value)),
        lambda: {**valid_record(), "contact": {"name": value, "email": value, "public": value},
                 "links": [{"title": value, "url": value}], "start_year": value,
                 "objectives": [value]},
        lambda: {"action": value, "comment": value, "no_conflict": value, "checklist": value},
        lambda: {"action": "claim", "no_conflict": True, "comment": value},
        lambda: value,
    ]
    return shapes[n % len(shapes)]()


def _send(client, method: str, path: str, value, world, role, n: int):
    text = value if isinstance(value, str) else json.dumps(value)
    query = "&".join(f"{name}={_encode(text)}" for name in world["query_names"])
    headers = {}
    if path.startswith("/api/") and role:
        headers["Authorization"] = f"Bearer {world['keys'][role]}"
    url = f"{path}?{query}"
    if method == "GET":
        return client.get(url, headers=headers)
    if path.startswith("/api/"):
        body = json.dumps(_json_body(value, n))
        return client.open(url, method=method, data=body, headers=headers,
                           content_type="application/json")
    form = "&".join(f"{_encode(name)}={_encode(text)}" for name in world["form_names"])
    return client.open(url, method=method, data=form.encode("ascii"), headers=headers,
                       content_type="application/x-www-form-urlencoded")


def _stored_nul(app) -> list[str]:
    found = []
    with app.app_context(), db.get_engine().connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                for column, value in zip(table.columns, row, strict=True):
                    text = value if isinstance(value, str) else (
                        json.dumps(value) if isinstance(value, dict | list) else "")
                    if "\x00" in text or "\\u0000" in text:
                        found.append(f"{table.name}.{column.name}")
    return found


def sweep(app, world, values_for, roles_for) -> tuple[int, list[str]]:
    """Send every route its hostile values, the n-th value as each role of roles_for(n);
    return (requests, failures)."""
    world["query_names"], world["form_names"] = query_names(), form_names()
    world["cookies"] = _session_cookies(app, world)
    failures, count = [], 0
    for rule, method, endpoint in _routes(app):
        for n, value in enumerate(values_for(rule, method)):
            for role in roles_for(n):
                client = _client(app, world, role)
                path = _path(rule, value if isinstance(value, str) else "x", world, role, n)
                response = _send(client, method, path, value, world, role, n)
                response.close()  # a streamed file (favicon, static) holds it open otherwise
                count += 1
                if response.status_code >= 500:
                    failures.append(f"{response.status_code} {method} {rule} ({endpoint}) as "
                                    f"{role or 'anonymous'} with {value!r:.80}")
    return count, failures


def _sampled(strings: list[str], size: int):
    def values_for(rule: str, method: str) -> list:
        rng = random.Random(zlib.crc32(f"{method} {rule}".encode()))
        json_value = JSON_VALUES[rng.randrange(len(JSON_VALUES))]
        return [*rng.sample(strings, size), json_value, "\ud800", "²", HUGE_ID]

    return values_for


# The roles take turns over each route's sampled values, as in the whole-corpus run (slow):
# every route meets every role and every kind of value. One test per role, run in parallel.
@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "anonymous")
def test_no_route_answers_5xx_or_stores_nul_on_a_sample(app, world, role):
    turn = ROLES.index(role)
    count, failures = sweep(app, world, _sampled(hostile_strings(), FAST_SAMPLE),
                            lambda n: (role,) if n % len(ROLES) == turn else ())
    values = FAST_SAMPLE + 4
    assert count == len(_routes(app)) * len(range(turn, values, len(ROLES)))
    assert count > 100
    assert not failures, "\n".join(failures)
    assert not _stored_nul(app)


# Every string to every route; the four roles take turns (each meets every route often). One
# test per role, so that the workers of make test-slow share them.
@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "anonymous")
def test_no_route_answers_5xx_or_stores_nul_on_the_whole_corpus(app, world, role):
    turn = ROLES.index(role)
    values = [*hostile_strings(), *JSON_VALUES]
    count, failures = sweep(app, world, lambda rule, method: values,
                            lambda n: (role,) if n % len(ROLES) == turn else ())
    assert count == len(_routes(app)) * len(range(turn, len(values), len(ROLES)))
    assert count > 30_000 // len(ROLES)
    assert not failures, "\n".join(failures[:200])
    assert not _stored_nul(app)
