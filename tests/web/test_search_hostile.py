"""Any string typed into the search box gives results or a friendly message, never an error."""
from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import add_practice, private_app, shared_path

HOSTILE = [
    '"unbalanced', "((a OR b", "a AND", "OR", "NOT", "NOT NOT NOT a", "*", "???*", "a*", "*a",
    "[a TO z]", "{a TO}", "title:", "status:pending", "contact:ana@example.org", "a^5", "a~2",
    "\x00\x01\x02", "\u202e\u200b", "x" * 10_000, "migración " * 500, "-", "--", "+", "\\",
    "title:(a OR", 'title:"a', ")(", "<script>alert(1)</script>", "%00", "\ud7ff", "🙂🙃",
]


def _blns() -> list[str]:
    path = shared_path("corpora", "blns", "blns.json")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def searchable(tmp_path_factory, migrated_database):
    """A client of an app of this module's own with two practices: its tests only search."""
    with private_app(tmp_path_factory.mktemp("hostile"), migrated_database) as app:
        add_practice(app, title="Remittance corridors made cheaper")
        add_practice(app, title="Migración laboral ordenada", language="es")
        yield app.test_client()


def _assert_answers(client, q: str) -> None:
    for url in ("/practices", "/api/v1/practices"):
        started = time.perf_counter()
        response = client.get(url, query_string={"q": q})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, q[:80], response.status_code)
        # A guard against unbounded expansion (which takes minutes), not a speed target (that
        # lives in bench/): the engine stops matching at 0.8 s; the budget stays far from it so
        # that a loaded machine or the first load of the search vocabulary cannot fail it.
        assert elapsed < 15.0, (url, q[:80], elapsed)


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_answer_through_the_page_and_the_api(searchable, q):
    _assert_answers(searchable, q)


# The whole corpus, 1,000 requests: with the other whole-corpus checks (make test-slow, CI).
@pytest.mark.slow
def test_every_naughty_string_answers_through_the_page_and_the_api(searchable):
    for q in _blns():
        _assert_answers(searchable, q)


@settings(max_examples=60, deadline=None)
@given(q=st.text(max_size=300))
def test_generated_text_answers_through_the_api(searchable, q):
    response = searchable.get("/api/v1/practices", query_string={"q": q})
    assert response.status_code == 200


def test_a_very_long_query_is_shortened_with_a_message(searchable):
    body = searchable.get("/api/v1/practices", query_string={"q": "remittance " * 100}).get_json()
    assert body["message"]


@pytest.mark.parametrize(('params', 'name'), [
    ({"objective": "24"}, "objective"), ({"region": "mars"}, "region"),
    ({"per_page": "101"}, "per_page"), ({"page": "0"}, "page"), ({"sort": "random"}, "sort"),
    ({"year_from": "abc"}, "year_from"), ({"country": "fra"}, "country"),
])
def test_bad_parameters_are_a_400_naming_the_parameter_in_the_api(searchable, params, name):
    response = searchable.get("/api/v1/practices", query_string=params)
    assert response.status_code == 400
    assert name in response.get_json()["error"]["fields"]


def test_bad_parameters_on_the_page_give_results_and_a_friendly_note(searchable):
    response = searchable.get("/practices", query_string={"objective": "99", "q": "remittance"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "were not understood" in html
    assert "/practices/remittance-corridors-made-cheaper" in html
