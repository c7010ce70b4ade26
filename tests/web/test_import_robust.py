"""`kb import` always reads every record, reports skips by their real reasons, syncs the index
and says with its exit status whether anything was skipped (issue 11 part 6)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from kb import db
from kb.models import AuditEvent, IndexChange, Practice, PracticeCountry, PracticeLink
from kb.services import practice_rows, transfer
from tests.conftest import valid_record


def _import(runner, tmp_path, records):
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"practices": records}), encoding="utf-8")
    return runner.invoke(args=["kb", "import", str(path)])


def _titles(app) -> set[str]:
    with app.app_context():
        return set(db.get_session().scalars(select(Practice.title)))


def _search(client, q: str) -> list[str]:
    return [hit["title"] for hit in
            client.get("/api/v1/practices", query_string={"q": q}).get_json()["results"]]


@pytest.mark.parametrize("bad", [
    {"links": [{"title": "Report", "url": 12345}]},
    {"links": [{"title": 7, "url": "https://example.org"}]},
    {"contact": {"name": "Ana", "email": 42, "public": False}},
    {"contact": []},
    {"start_year": "²"},
    {"links": [None]},
])
def test_a_wrongly_typed_record_is_skipped_and_the_import_goes_on(app, runner, client,
                                                                   tmp_path, bad):
    records = [valid_record(title="Before the bad one"),
               valid_record(title="The bad one", **bad),
               valid_record(title="Zebrafish after the bad one")]
    result = _import(runner, tmp_path, records)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1
    assert "Imported 2 practice(s); skipped 1." in result.output
    assert "#2 'The bad one'" in result.output
    assert _titles(app) == {"Before the bad one", "Zebrafish after the bad one"}
    assert _search(client, "zebrafish") == ["Zebrafish after the bad one"]  # index synced


def test_the_summary_groups_skips_by_each_real_reason(runner, tmp_path):
    incomplete = [{"title": f"Only a title {n}"} for n in range(6)]
    bad_year = [valid_record(title=f"Old practice {n}", start_year=1700) for n in range(2)]
    result = _import(runner, tmp_path, [*incomplete, *bad_year, valid_record()])
    lines = result.output.splitlines()
    assert "Imported 1 practice(s); skipped 8." in lines

    def count(reason: str) -> int:
        [line] = [line for line in lines if line.strip().endswith(reason)
                  and not line.strip().startswith("skipped")]
        return int(line.split()[0])

    # Each missing field is a reason of its own, counted over the six records.
    for field in ("summary", "description", "level", "practice_type", "implemented_by",
                  "start_year", "implementation_status", "contact.email"):
        assert count(f"{field}: Required to submit.") == 6, field
    assert count("objectives: Choose at least one GCM objective.") == 6
    assert count("start_year: A year between 1990 and "
                 f"{__import__('kb.schemas').schemas.last_year()}.") == 2


def test_everything_imported_exits_zero(runner, tmp_path):
    result = _import(runner, tmp_path, [valid_record(title=f"Fine {n}") for n in range(3)])
    assert result.exit_code == 0, result.output
    assert "Imported 3 practice(s); skipped 0." in result.output


def test_duplicate_titles_are_found_whatever_their_case_and_spacing(app, runner, tmp_path,
                                                                   make_practice):
    make_practice(title="Migración laboral ordenada")
    result = _import(runner, tmp_path, [valid_record(title="MIGRACIÓN  laboral ordenada"),
                                        valid_record(title="New one"),
                                        valid_record(title="new ONE")])
    assert "Imported 1 practice(s); skipped 2." in result.output
    assert result.output.count("a practice with this title exists") == 3  # 2 lines + reason


def test_a_record_that_fails_while_stored_is_skipped_alone(app, runner, tmp_path,
                                                           monkeypatch):
    real = practice_rows.insert_published

    def flaky(session, rows, *args, **kwargs):
        ids = real(session, rows, *args, **kwargs)
        if any(row.columns["title"] == "Breaks in the database" for row in rows):
            session.execute(select(func.no_such_function()))
        return ids

    monkeypatch.setattr(practice_rows, "insert_published", flaky)
    records = [valid_record(title=f"Neighbour {n}") for n in range(3)]
    records.insert(1, valid_record(title="Breaks in the database"))
    result = _import(runner, tmp_path, records)
    assert result.exit_code == 1
    assert "Imported 3 practice(s); skipped 1." in result.output
    # The database's own error class differs by backend (OperationalError on SQLite,
    # UndefinedFunction on PostgreSQL); what counts is that the reason names it.
    assert "skipped #2 'Breaks in the database': not stored:" in result.output
    assert "no_such_function" in result.output
    # The refused batch left nothing behind: its good records are stored once, in full.
    with app.app_context():
        session = db.get_session()
        assert sorted(session.scalars(select(Practice.title))) == [
            "Neighbour 0", "Neighbour 1", "Neighbour 2"]
        for model in (PracticeLink, PracticeCountry, AuditEvent, IndexChange):
            assert session.scalar(select(func.count()).select_from(model)) == 3, model


def test_records_are_committed_in_batches_and_progress_is_shown(app, runner, tmp_path,
                                                               monkeypatch):
    monkeypatch.setattr(transfer, "BATCH", 4)
    commits = []
    from kb import db as kb_db

    real = kb_db.write_transaction

    def counting():
        commits.append(1)
        return real()

    monkeypatch.setattr(kb_db, "write_transaction", counting)
    result = _import(runner, tmp_path, [valid_record(title=f"Batch {n}") for n in range(10)])
    assert "Imported 10 practice(s); skipped 0." in result.output
    assert 3 <= len(commits) < 10  # 3 batches (plus the index sync's own), not 10
    assert "Importing" in result.output or "Importing" in (result.stderr or "")


def test_a_long_import_makes_its_practices_searchable_as_it_goes(app, client, monkeypatch):
    monkeypatch.setattr(transfer, "BATCH", 3)
    monkeypatch.setattr(transfer, "INDEX_EVERY", 6)
    searchable = []

    def total(q: str) -> int:
        return client.get("/api/v1/practices", query_string={"q": q}).get_json()["total"]

    def progress(done: int, _total: int | None) -> None:
        searchable.append((done, total("wombat")))

    records = [valid_record(title=f"Wombat crossing {n}") for n in range(14)]
    records[4] = {"title": "Wombat without anything else"}
    with app.app_context():
        report = transfer.import_records(records, total=len(records), progress=progress)
    assert len(report.imported) == 13
    # The index is updated once 6 stored practices wait, after their batch's commit (batch
    # 2 stored only 2: record 5 is invalid), and with the rest at the end of the import.
    assert searchable == [(3, 0), (6, 0), (9, 0), (12, 8), (14, 8)]
    assert total("wombat") == 13
