"""A practice's regions are those it names plus those of its countries, everywhere."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import text

from kb import db, migrate
from kb.models import Practice
from kb.services import indexing


def _niger_only(make_practice) -> int:
    return make_practice(title="Birth certificates for children born in transit in Agadez",
                         regions=[], countries=["NER"])


def test_a_niger_only_practice_is_in_africa_in_search_coverage_and_stats(client, make_practice):
    _niger_only(make_practice)
    found = client.get("/api/v1/practices?region=africa").get_json()
    assert [r["title"] for r in found["results"]] == [
        "Birth certificates for children born in transit in Agadez"]
    assert found["results"][0]["regions"] == ["africa"]
    stats = client.get("/api/v1/stats").get_json()
    assert {r["code"]: r["count"] for r in stats["regions"]}["africa"] == 1
    objective = next(o for o in stats["objectives"] if o["code"] == 15)
    assert objective["regions"].get("africa") == 1
    page = client.get("/coverage").get_data(as_text=True)
    assert "region=africa" in page
    facets = client.get("/api/v1/practices").get_json()["facets"]["region"]
    assert {f["value"]: f["count"] for f in facets} == {"africa": 1}


def test_the_record_page_and_export_name_the_implied_region(client, make_practice):
    practice_id = _niger_only(make_practice)
    record = client.get(f"/api/v1/practices/{_slug(client, practice_id)}").get_json()
    assert record["regions"] == ["africa"]
    page = client.get(f"/practices/{record['slug']}").get_data(as_text=True)
    assert "Africa" in page.split('data-field="regions"')[1][:200]
    assert "Africa" in client.get("/api/v1/practices.csv").get_data(as_text=True)


def _slug(client, practice_id: int) -> str:
    for result in client.get("/api/v1/practices?per_page=100").get_json()["results"]:
        if result["id"] == practice_id:
            return result["slug"]
    raise AssertionError(practice_id)


def test_named_regions_stay_and_implied_ones_follow_country_changes(app, make_practice):
    from kb.services.records import apply_record

    practice_id = make_practice(regions=["latin-america-caribbean"], countries=["JOR"])
    with app.app_context(), db.write_transaction() as session:
        practice = session.get(Practice, practice_id)
        assert sorted(practice.regions) == ["arab-states", "latin-america-caribbean"]
        apply_record(practice, {"countries": ["KEN"]})
        assert sorted(practice.regions) == ["africa", "latin-america-caribbean"]
        apply_record(practice, {"regions": [], "countries": ["GHA"]})
        assert list(practice.regions) == ["africa"]


def test_the_migration_adds_the_regions_of_existing_practices_countries(app, make_practice):
    niger = make_practice(title="Niger", regions=[], countries=["NER"])
    turkey = make_practice(title="Turkey", regions=["asia-pacific"], countries=["TUR"])
    path = Path(migrate.MIGRATIONS_DIR) / "versions" / "0002_regions_from_countries.py"
    spec = importlib.util.spec_from_file_location("regions_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context(), db.get_engine().begin() as conn:
        # Rows as they were before regions followed countries.
        conn.execute(text("DELETE FROM practice_regions"))
        conn.execute(text("INSERT INTO practice_regions (practice_id, code) "
                          "VALUES (:p, 'asia-pacific')"), {"p": turkey})
        conn.execute(text("DELETE FROM index_changes"))
        migration.add_implied_regions(conn)
        rows = conn.execute(text(
            "SELECT practice_id, code FROM practice_regions ORDER BY 1, 2")).all()
        queued = conn.execute(text("SELECT practice_id FROM index_changes ORDER BY 1")).all()
    assert [tuple(r) for r in rows] == [(niger, "africa"), (turkey, "asia-pacific"),
                                       (turkey, "europe-north-america")]
    assert [r[0] for r in queued] == [niger, turkey]
    with app.app_context():
        indexing.apply_changes([niger, turkey])
        session = db.get_session()
        assert list(session.get(Practice, niger).regions) == ["africa"]
