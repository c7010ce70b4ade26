"""A damaged index (one postings file truncated) is noticed, reported and repaired."""
from __future__ import annotations

from pathlib import Path

import pytest

from kb import db
from kb.services import indexing
from tests.conftest import valid_record


@pytest.fixture
def damaged(app, client, runner):
    """Forty practices in one rebuilt segment, then its postings file cut in half."""
    from kb.services.transfer import create_practice
    from kb.services.validation import validate_record

    with app.app_context(), db.write_transaction() as session:
        for n in range(40):  # one transaction, indexed by the rebuild below
            record = validate_record(valid_record(
                title=f"Seasonal workers scheme number {n}",
                summary="Orchards, vineyards and greenhouses hire seasonal workers."),
                complete=False)
            create_practice(session, record, "published", None, None)
    assert runner.invoke(args=["kb", "index", "rebuild"]).exit_code == 0
    with app.app_context():
        index = indexing.get_index()
        assert client.get("/api/v1/practices", query_string={"q": "vineyards"}).status_code == 200
        live = index.path / (index.path / "CURRENT").read_text().strip()
        postings = [p for p in Path(live).iterdir() if p.suffix == ".pst"]
        assert postings
        for path in postings:
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
        index.close()  # as a process started after the damage would see it
    return app


def test_index_check_reports_a_truncated_postings_file_and_sync_repairs_it(damaged, runner):
    check = runner.invoke(args=["kb", "index", "check"])
    assert check.exit_code == 1, check.output
    assert "Damaged" in check.output
    sync = runner.invoke(args=["kb", "index", "sync"])
    assert sync.exit_code == 0, sync.output
    assert "Rebuilt the index" in sync.output
    again = runner.invoke(args=["kb", "index", "check"])
    assert again.exit_code == 0, again.output


def test_a_search_that_hits_damage_gets_503_and_schedules_the_repair(damaged, client):
    statuses = []
    for q in ("seasonal workers", "vineyards", "greenhouses", "orchards", "scheme"):
        for url in ("/api/v1/practices", "/practices"):
            response = client.get(url, query_string={"q": q})
            statuses.append(response.status_code)
            if response.status_code == 503:
                assert int(response.headers["Retry-After"]) > 0
    assert 500 not in statuses
    assert 503 in statuses
    worker = damaged.extensions["kb.index"].worker
    assert worker is not None
    worker.join(timeout=60)
    response = client.get("/api/v1/practices", query_string={"q": "vineyards"})
    assert response.status_code == 200
    assert response.get_json()["total"] == 40
