"""CSV and JSON exports hold every practice matching a search, on all pages, and nothing private."""
from __future__ import annotations

import csv
import functools
import io

import pytest

from kb.services import exports
from tests.conftest import add_practice, private_app


@pytest.fixture(scope="module")
def many(tmp_path_factory, migrated_database):
    """A client of an app of this module's own with nine practices (one not public): the
    tests that use it only read."""
    with private_app(tmp_path_factory.mktemp("exports"), migrated_database) as app:
        _add_many(functools.partial(add_practice, app))
        yield app.test_client()


def _add_many(make_practice) -> None:
    for n in range(7):
        make_practice(title=f"Reception desk {n}", objectives=[15, 16] if n % 2 else [4],
                      regions=["africa"] if n % 3 else ["asia-pacific"],
                      countries=["KEN"] if n % 3 else ["PHL"], start_year=2018 + n, end_year=None,
                      contact={"name": "Hidden Person", "email": "hidden@example.org",
                               "public": False})
    make_practice(title="=HYPERLINK(\"http://evil\")", objectives=[13],
                  contact={"name": "Open Focal", "email": "open@example.org", "public": True})
    make_practice(state="in_review", title="Not yet public")


def _rows(client, query=""):
    response = client.get(f"/api/v1/practices.csv{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


FILTERS = ["", "?objective=15", "?objective=4&objective=13", "?region=africa&objective=16",
           "?q=reception", "?year_from=2020&year_to=2022", "?objective=8", "?page=2&per_page=1"]


@pytest.mark.parametrize("query", FILTERS)
def test_export_row_count_equals_the_search_total(many, query):
    search = many.get(f"/api/v1/practices{query.replace('page=2&per_page=1', 'x=1')}")
    total = search.get_json()["total"]
    assert len(_rows(many, query)) == total
    body = many.get(f"/api/v1/practices.json{query}").get_json()
    assert body["total"] == total == len(body["results"])


def test_export_goes_past_one_engine_page(app, client, make_practice, monkeypatch):
    for n in range(5):
        make_practice(title=f"Paged practice {n}")
    monkeypatch.setattr(exports, "PAGE", 2)
    rows = _rows(client)
    assert sorted(r["title"] for r in rows) == [f"Paged practice {n}" for n in range(5)]


def test_csv_joins_multiple_values_readably_and_has_no_private_contact(many):
    rows = _rows(many, "?objective=16")
    row = rows[0]
    assert row["objectives"] == "15; 16"
    assert row["objective_titles"] == ("Provide access to basic services for migrants; Empower "
                                       "migrants and societies to realize full inclusion and "
                                       "social cohesion")
    assert row["url"].startswith("http://kb.test/practices/reception-desk-")
    text = "".join(str(v) for r in _rows(many) for v in r.values())
    assert "Hidden Person" not in text
    assert "hidden@example.org" not in text
    assert "Not yet public" not in text
    assert "open@example.org" in text


def test_csv_cells_cannot_start_a_spreadsheet_formula(many):
    titles = [r["title"] for r in _rows(many, "?objective=13")]
    assert titles == ["'=HYPERLINK(\"http://evil\")"]


def test_json_export_gives_public_records(many):
    body = many.get("/api/v1/practices.json?objective=13").get_json()
    record = body["results"][0]
    assert record["contact"]["email"] == "open@example.org"
    assert "state" not in record
    assert record["objectives"] == [13]
    hidden = many.get("/api/v1/practices.json?objective=4").get_json()["results"]
    assert all(r["contact"] is None for r in hidden)


def test_export_with_a_bad_parameter_is_a_400_naming_it(many):
    response = many.get("/api/v1/practices.csv?region=atlantis")
    assert response.status_code == 400
    assert "region" in response.get_json()["error"]["fields"]
