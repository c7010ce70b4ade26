"""A published practice is read with its codes and links in one query, exactly as its
relationships would load them, and stays an ordinary row of the session afterwards."""
from __future__ import annotations

from sqlalchemy import event, select

from kb import db
from kb.models import Practice
from kb.services import practices as practice_service

CODES = {"objectives": [23, 2, 10], "principles": ["whole-of-society", "people-centred"],
         "regions": ["europe-north-america", "africa"], "countries": ["SEN", "BEL", "FRA"],
         "stakeholders": ["local-authorities", "academia"]}
LINKS = [{"title": "Report", "url": "https://example.org/report"},
         {"title": "Annex", "url": "https://example.org/annex"},
         {"title": "Video", "url": "https://example.org/video"}]


def _contents(practice: Practice) -> dict:
    return {"objectives": list(practice.objectives), "principles": list(practice.principles),
            "regions": list(practice.regions), "countries": list(practice.countries),
            "stakeholders": list(practice.stakeholders),
            "links": [(link.id, link.position, link.title, link.url) for link in practice.links]}


def test_codes_and_links_equal_what_the_relationships_load(app, make_practice):
    practice_id = make_practice(links=LINKS, **CODES)
    with app.app_context():
        expected = _contents(db.get_session().get(Practice, practice_id))  # selectin loads
        slug = db.get_session().get(Practice, practice_id).slug
    with app.app_context():
        got = _contents(practice_service.get_published(slug))
    assert got == expected
    assert got["objectives"] == [2, 10, 23]  # by number, not as text
    assert [title for _, _, title, _ in got["links"]] == ["Report", "Annex", "Video"]


def test_one_query_reads_every_collection(app, make_practice):
    slug_id = make_practice(links=LINKS, **CODES)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.app_context():
        slug = db.get_session().get(Practice, slug_id).slug
    with app.app_context():
        engine = db.get_engine()
        event.listen(engine, "before_cursor_execute", count)
        try:
            _contents(practice_service.get_published(slug))
        finally:
            event.remove(engine, "before_cursor_execute", count)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 2, reads  # the practice, then its codes and links


def test_a_practice_read_this_way_can_be_changed_and_saved(app, make_practice):
    practice_id = make_practice(links=LINKS, **CODES)
    with app.app_context():
        slug = db.get_session().get(Practice, practice_id).slug
    with app.app_context():
        with db.write_transaction():
            practice = practice_service.get_published(slug)
            assert not db.get_session().new
            assert not db.get_session().dirty
            practice.objectives.remove(10)
            practice.objectives.append(7)
            practice.countries = ["KEN"]
            practice.links.pop(0)
    with app.app_context():
        saved = db.get_session().scalar(select(Practice).where(Practice.id == practice_id))
        assert sorted(saved.objectives) == [2, 7, 23]
        assert list(saved.countries) == ["KEN"]
        assert [link.title for link in saved.links] == ["Annex", "Video"]


def test_a_practice_already_in_the_session_keeps_its_loaded_collections(app, make_practice):
    practice_id = make_practice(links=LINKS, **CODES)
    with app.app_context():
        session = db.get_session()
        first = session.get(Practice, practice_id)
        before = _contents(first)
        again = practice_service.get_published(first.slug)
        assert again is first
        assert _contents(again) == before
        assert not session.new
        assert not session.dirty
