"""The bulk import stores exactly what the per-record ORM path stores, hostile text included,
and preparing records in worker processes changes nothing (issue 11 part 6)."""
from __future__ import annotations

import json
import multiprocessing

from sqlalchemy import select

from kb import create_app, db, migrate
from kb.errors import ValidationFailed
from kb.models import Practice
from kb.services import indexing, practice_rows, transfer
from kb.services.validation import validate_record
from tests.conftest import shared_path, valid_record

PER_RECORD = 12  # hostile strings per record
SKIP_COLUMNS = {"id", "created_at", "updated_at", "submitted_at", "published_at",
                "last_reviewed_at"}


def _corpus() -> list[str]:
    blns = shared_path("corpora", "blns", "blns.json")
    xss = shared_path("corpora", "xss", "core-vectors.jsonl")
    vectors = [json.loads(line)["vector"] for line in xss.read_text("utf-8").split("\n")
               if line.strip()]
    return [s for s in json.loads(blns.read_text("utf-8")) if s.strip()] + vectors


def _hostile_records() -> list[dict]:
    strings = _corpus()
    records = []
    for n, start in enumerate(range(0, len(strings), PER_RECORD)):
        chunk = strings[start:start + PER_RECORD]
        records.append(valid_record(
            title=f"Hostile {n} {chunk[0][:150]}",
            summary=" ".join(chunk)[:590],
            description="\n\n".join(chunk),
            results="\n".join(f"- {s}" for s in chunk),
            lessons=" ".join(f"[{s}](https://example.org/{n})" for s in chunk[:4]),
            partners=chunk[-1][:500],
            contact={"name": chunk[1][:190], "email": f"hostile{n}@example.org",
                     "public": n % 2 == 0},
            links=[{"title": s[:200], "url": f"https://example.org/{n}/{i}"}
                   for i, s in enumerate(chunk[:3])],
            countries=["FRA", "KEN", "FRA"][:1 + n % 3], regions=["africa"] * (n % 2)))
    # Exported records carry slugs: one kept, one taken by an earlier record, one repeated.
    records[0]["slug"] = "kept-slug"
    records[1]["slug"] = "kept-slug"
    records[2]["slug"] = "hostile-0-kept"
    return records


def _valid(records: list[dict]) -> list[dict]:
    def ok(record: dict) -> bool:
        try:
            validate_record(record, complete=True, call_slugs=frozenset())
        except ValidationFailed:
            return False
        return True

    return [record for record in records if ok(record)]


def _stored(application) -> list[dict]:
    """Every stored practice as its full record and its raw columns, in slug order."""
    with application.app_context():
        session = db.get_session()
        rows = {row.slug: {key: value for key, value in row._asdict().items()
                           if key not in SKIP_COLUMNS}
                for row in session.execute(select(Practice.__table__))}
        records = {record["slug"]: {key: value for key, value in record.items()
                                    if key not in SKIP_COLUMNS | {"review_due"}}
                   for record in transfer.export_records()}
        return [(slug, rows[slug], records[slug]) for slug in sorted(rows)]


def test_a_bulk_import_stores_what_the_per_record_path_stores(app, runner, tmp_path):
    records = _valid(_hostile_records())
    assert len(records) > 50
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    result = runner.invoke(args=["kb", "import", str(path)])
    assert f"Imported {len(records)} practice(s); skipped 0." in result.output, result.output

    # The plain reference: each record through the ORM, one flush after another.
    reference = create_app({**app.config,
                            "DATABASE_URL": f"sqlite:///{tmp_path / 'reference.sqlite'}",
                            "INDEX_DIR": str(tmp_path / "reference-index")})
    with reference.app_context():
        migrate.upgrade(reference)
        with db.write_transaction() as session:
            for record in records:
                clean = validate_record(record, complete=True)
                if not transfer.title_exists(session, clean["title"]):
                    transfer.create_practice(session, clean, "published", None, None,
                                             kept=transfer.Kept.from_record(record))
                    session.flush()

    bulk, plain = _stored(app), _stored(reference)
    assert [slug for slug, _row, _record in bulk] == [slug for slug, _row, _record in plain]
    assert "kept-slug" in dict((slug, 1) for slug, _r, _x in bulk)
    for mine, theirs in zip(bulk, plain, strict=True):
        assert mine == theirs


def test_workers_prepare_records_as_this_process_does():
    records = _hostile_records() + [{"title": "Only a title"}, "not an object"]
    batches = [records[:len(records) // 2], records[len(records) // 2:]]
    # spawn, not fork: this test process may run threads (pytest-xdist), which fork must not.
    # One worker: each spawned interpreter imports kb again (~1 s of CPU); two batches still
    # cross the process boundary as an import's do.
    with practice_rows.Preparer(frozenset(), workers=1,
                                context=multiprocessing.get_context("spawn")) as preparer:
        futures = [preparer.submit(batch) for batch in batches]
        parallel = [preparer.result(future, batch)
                    for future, batch in zip(futures, batches, strict=True)]
    serial = practice_rows.prepare_all(records, frozenset())
    assert parallel[0] + parallel[1] == serial
    assert sum(isinstance(item, dict) for item in serial) >= 2  # reasons for the invalid ones


def test_the_documents_an_import_indexes_are_those_of_the_stored_practices(app, monkeypatch):
    records = _valid(_hostile_records())[:40]
    records[3]["published_at"] = "2021-03-04T05:06:07.123456+02:00"
    records[4]["published_at"] = "2020-01-02T03:04:05Z"
    monkeypatch.setattr(transfer, "INDEX_EVERY", 10)
    indexed = []
    real = indexing.apply_documents

    def keep(documents, *args, **kwargs):
        indexed.extend(dict(document) for document in documents)
        return real(documents, *args, **kwargs)

    monkeypatch.setattr(indexing, "apply_documents", keep)
    with app.app_context():
        report = transfer.import_records(records, total=len(records))
        assert len(report.imported) == len(records)
        stored = {practice.id: indexing.to_document(practice)
                  for practice in db.get_session().scalars(select(Practice))}
        assert indexing.check().clean  # nothing left for the sync after the import
    assert {document["id"]: document for document in indexed} == stored
