"""practice_to_document: the one boundary between practices and the index."""
from __future__ import annotations

import datetime as dt
import sys
import types
from types import SimpleNamespace

import pytest

from kb.search import practice_to_document


@pytest.fixture(autouse=True)
def fake_sanitize(monkeypatch):
    module = types.ModuleType("kb.sanitize")
    module.html_to_text = lambda html: html.replace("<p>", "").replace("</p>", "")
    monkeypatch.setitem(sys.modules, "kb.sanitize", module)


def make_practice(**overrides):
    values = dict(
        id=7, slug="p-7", language="fr", title="Titre", summary="Résumé",
        description_html="<p>Texte</p>", outcome="Issue", results_html="<p>R</p>",
        lessons_html="<p>L</p>", implemented_by="Ville", partners="OIM",
        objectives=[13, 4], principles=["rule-of-law"], regions=["africa"], countries=["SEN"],
        stakeholders=["civil-society"], level="local", practice_type="project",
        implementation_status="ongoing", start_year=2020, end_year=None,
        published_at=dt.datetime(2024, 5, 1, 12, 0), updated_at=dt.datetime(2024, 5, 2),
        contact_email="secret@example.org", contact_name="Secret", decision_reason="x",
    )
    values.update(overrides)
    return SimpleNamespace(**values)


def test_mapping_gives_codes_plain_text_and_aware_utc_times():
    doc = practice_to_document(make_practice())
    assert doc["description"] == "Texte"
    assert doc["results"] == "R"
    assert doc["lessons"] == "L"
    assert doc["objective"] == [4, 13]
    assert doc["type"] == "project"
    assert doc["status"] == "ongoing"
    assert doc["published_at"].tzinfo is not None
    assert doc["language"] == "fr"


def test_mapping_never_carries_private_data():
    doc = practice_to_document(make_practice())
    text = repr(doc)
    assert "secret@example.org" not in text
    assert "Secret" not in text


def test_unknown_language_maps_to_other():
    assert practice_to_document(make_practice(language="de"))["language"] == "other"
