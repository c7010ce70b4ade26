"""The index follows the database: same process at once, other processes soon, and repairs."""
from __future__ import annotations

import logging
import shutil
import time

from kb import create_app, db
from kb.models import Practice
from kb.services import indexing


def _titles(client, q):
    body = client.get("/api/v1/practices", query_string={"q": q}).get_json()
    return [r["title"] for r in body["results"]]


def test_a_published_practice_is_searchable_when_the_call_returns(client, make_practice):
    make_practice(title="Harbour welcome desk for seafarers")
    assert _titles(client, "seafarers") == ["Harbour welcome desk for seafarers"]


def test_a_draft_is_never_in_the_index(client, make_practice):
    make_practice(state="draft", title="Draft about lighthouse keepers")
    assert _titles(client, "lighthouse") == []


def test_two_instances_with_their_own_index_agree_after_a_publish(app, tmp_path, make_practice):
    other = create_app({**app.config, "INDEX_DIR": str(tmp_path / "index-b"),
                        "INDEX_SYNC_INTERVAL": 0.01})
    other_client = other.test_client()
    assert _titles(other_client, "cartographers") == []
    make_practice(title="Mobile clinic for cartographers")  # applied by the first instance only
    time.sleep(0.02)
    assert _titles(other_client, "cartographers") == ["Mobile clinic for cartographers"]
    other.extensions["kb.index"].index.close()


def _commit_without_index_write(app, **changes) -> int:
    """Change a practice and commit, as if the process died before touching the index."""
    from kb.services.transfer import create_practice
    from kb.services.validation import validate_record
    from tests.conftest import valid_record

    with app.app_context(), db.write_transaction() as session:
        practice = create_practice(session, validate_record(valid_record(**changes), False),
                                   "published", None, None)
        return practice.id


def test_a_crash_between_commit_and_index_write_is_repaired_by_sync(app, client, runner):
    assert _titles(client, "beekeepers") == []  # the index exists before the "crash"
    _commit_without_index_write(app, title="Crash-proof registry of beekeepers")
    assert _titles(client, "beekeepers") == []
    check = runner.invoke(args=["kb", "index", "check"])
    assert check.exit_code == 1
    assert "1 missing" in check.output
    sync = runner.invoke(args=["kb", "index", "sync"])
    assert sync.exit_code == 0, sync.output
    assert _titles(client, "beekeepers") == ["Crash-proof registry of beekeepers"]
    assert runner.invoke(args=["kb", "index", "check"]).exit_code == 0


def test_the_next_request_applies_changes_committed_elsewhere(app, client):
    app.config["INDEX_SYNC_INTERVAL"] = 0.01
    _commit_without_index_write(app, title="Polling finds the glassblowers")
    time.sleep(0.02)
    assert _titles(client, "glassblowers") == ["Polling finds the glassblowers"]


def test_a_poll_looks_at_each_change_row_once_and_still_finds_a_late_commit(app, client,
                                                                           monkeypatch):
    """Rows stay in the poll window for GRACE seconds (thousands after an import): a poll
    checks (against the index's versions) only the ones no earlier poll applied, including
    one committed late with an earlier time."""
    from kb.models import IndexChange
    from kb.search import SearchIndex

    checks = []
    versions = SearchIndex.versions
    monkeypatch.setattr(SearchIndex, "versions", lambda self: checks.append(1) or versions(self))
    app.config["INDEX_SYNC_INTERVAL"] = 0.01
    _commit_without_index_write(app, title="Polling finds the ropemakers")
    time.sleep(0.02)
    assert _titles(client, "ropemakers") == ["Polling finds the ropemakers"]
    assert len(checks) == 1
    time.sleep(0.02)
    assert _titles(client, "ropemakers") == ["Polling finds the ropemakers"]
    assert len(checks) == 1  # its row is still in the window, already applied
    late = _commit_without_index_write(app, title="A late commit of the sailmakers")
    with app.app_context():  # committed after the last poll, stamped before it
        session = db.get_session()
        for change in session.query(IndexChange).filter_by(practice_id=late):
            change.created_at = db.utcnow() - indexing.GRACE / 2
        session.commit()
    time.sleep(0.02)
    assert _titles(client, "sailmakers") == ["A late commit of the sailmakers"]
    assert len(checks) == 2


def test_index_check_reports_an_orphan_and_sync_removes_it(app, client, runner, make_practice):
    practice_id = make_practice(title="Orphaned notice about falconers")
    with app.app_context():
        session = db.get_session()
        session.get(Practice, practice_id).state = "draft"  # no change row: the index drifts
        session.commit()
    check = runner.invoke(args=["kb", "index", "check"])
    assert check.exit_code == 1
    assert "1 orphaned" in check.output
    assert runner.invoke(args=["kb", "index", "sync"]).exit_code == 0
    assert _titles(client, "falconers") == []


def _after_repair(app, client, q):
    """Search, expecting 503 + Retry-After first; wait for the background repair; search again."""
    first = client.get("/api/v1/practices", query_string={"q": q})
    assert first.status_code == 503
    assert int(first.headers["Retry-After"]) > 0
    worker = app.extensions["kb.index"].worker
    assert worker is not None
    worker.join(timeout=60)
    return _titles(client, q)


def test_a_deleted_index_directory_is_rebuilt_in_the_background(app, client, make_practice,
                                                                caplog):
    make_practice(title="Rebuilt index still knows the weavers")
    shutil.rmtree(app.config["INDEX_DIR"])
    with caplog.at_level(logging.WARNING, logger="kb.index"):
        assert _after_repair(app, client, "weavers") == ["Rebuilt index still knows the weavers"]
    assert "rebuilding from the database" in caplog.text


def test_a_corrupt_index_directory_is_rebuilt_in_the_background(app, client, make_practice):
    make_practice(title="Corruption cannot hide the potters")
    with app.app_context():
        index = indexing.get_index()
        for path in index.path.rglob("*"):
            if path.is_file() and path.name != "REBUILD.lock":
                path.write_bytes(b"\x00garbage")
        index.close()
    fresh = create_app(dict(app.config))
    client = fresh.test_client()
    assert _after_repair(fresh, client, "potters") == ["Corruption cannot hide the potters"]
    fresh.extensions["kb.index"].index.close()


def test_index_rebuild_command_swaps_in_a_complete_index(client, runner, make_practice):
    for n in range(3):
        make_practice(title=f"Rebuild keeps practice number {n} about tailors")
    result = runner.invoke(args=["kb", "index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "3 published practices" in result.output
    assert len(_titles(client, "tailors")) == 3
