"""`kb export` then `kb import` into an empty repository loses nothing."""
from __future__ import annotations

import json

from kb import create_app, migrate
from tests.conftest import valid_record


def test_a_round_trip_keeps_every_field_slug_and_dates(app, runner, make_practice, tmp_path):
    make_practice(state="published", title="Round trip one",
                  contact={"name": "Private Person", "email": "p@example.org", "public": False})
    make_practice(state="published", title="Round trip two", end_year=None, links=[])
    first = tmp_path / "first.json"
    assert runner.invoke(args=["kb", "export", str(first)]).exit_code == 0

    other = create_app({**app.config, "DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite'}",
                        "INDEX_DIR": str(tmp_path / "other-index")})
    with other.app_context():
        migrate.upgrade(other)
    other_runner = other.test_cli_runner()
    result = other_runner.invoke(args=["kb", "import", str(first)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 practice(s); skipped 0." in result.output
    second = tmp_path / "second.json"
    assert other_runner.invoke(args=["kb", "export", str(second)]).exit_code == 0

    def strip(path):
        records = json.loads(path.read_text())["practices"]
        return sorted(({k: v for k, v in r.items() if k not in ("id", "updated_at")}
                       for r in records), key=lambda r: r["slug"])

    assert strip(first) == strip(second)
    again = other_runner.invoke(args=["kb", "import", str(first)])
    assert "Imported 0 practice(s); skipped 2." in again.output
    assert "a practice with this title exists" in again.output


def test_import_reports_invalid_records_with_reasons(runner, tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps([valid_record(title="Good one"),
                                valid_record(title="Bad years", start_year=1700),
                                {"title": "No objectives"}]))
    result = runner.invoke(args=["kb", "import", str(path)])
    assert result.exit_code == 1, result.output  # something was skipped
    assert "Imported 1 practice(s); skipped 2." in result.output
    assert "start_year" in result.output
    assert "objectives" in result.output
