"""Language-aware search and labels: French and Spanish entries found by stem and without
accents, and taxonomy labels in the language asked for (facets, coverage, API, exports)."""
from __future__ import annotations

import csv
import html as html_lib
import io
import re

import pytest

from kb import db, taxonomy
from tests.i18n_support import dispose, make_demo_app

SPANISH_LABOUR = "Programa binacional de migración laboral temporal agrícola"
SPANISH_INCLUSION = "Programa municipal de inclusión laboral de personas migrantes"
FRENCH_SKILLS = "Valorisation des compétences des travailleurs migrants à Liège"
FRENCH_PENSIONS = "Portabilité des droits à pension des travailleurs migrants"
FRENCH_RETURN = "Points d'accueil pour la réinsertion des migrants de retour"
SPANISH_PAPERS = "Ventanilla única de regularización migratoria y documentación en Ecuador"
SINGULAR_WORKER = "Permanence juridique pour chaque travailleur saisonnier à Perpignan"


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, demo_files):
    app = make_demo_app(tmp_path_factory.mktemp("i18n-search"), demo_files)
    _publish_french_entry(app)
    yield app
    dispose(app)


def _publish_french_entry(app) -> None:
    """Add one French entry that says "travailleur" only in the singular."""
    from kb.services import indexing
    from kb.services.transfer import create_practice
    from kb.services.validation import validate_record
    from tests.conftest import valid_record

    record = validate_record(valid_record(
        title=SINGULAR_WORKER, language="fr", countries=["FRA"],
        summary="Un juriste reçoit chaque semaine le travailleur saisonnier qui a une question "
                "sur son contrat.",
        description="Une permanence gratuite, sans rendez-vous.",
        outcome="Moins de litiges en fin de saison.", results="Des contrats régularisés.",
        lessons="Aller à la rencontre des exploitations.", implemented_by="Maison du droit",
        partners="Syndicats agricoles"), complete=False)
    with app.app_context():
        with db.write_transaction() as session:
            practice_id = create_practice(session, record, "published", None, None).id
        indexing.apply_changes([practice_id])


@pytest.fixture
def client(demo_app):
    return demo_app.test_client()


def _result_titles(client, query: str, lang: str = "en") -> str:
    html = client.get("/practices", query_string={"q": query, "lang": lang}).get_data(as_text=True)
    titles = re.findall(r'<h3 class="card-title"[^>]*>(.*?)</h3>', html, re.S)
    return "\n".join(html_lib.unescape(re.sub(r"<[^>]+>", "", t)) for t in titles)


@pytest.mark.parametrize(("query", "expected"), [
    ("migración", SPANISH_LABOUR),      # as written
    ("migracion", SPANISH_LABOUR),      # without the accent
    ("migraciones", SPANISH_LABOUR),    # plural; the entry has only the singular
    ("MIGRACIÓN", SPANISH_INCLUSION),   # capitals
    ("migraciones", SPANISH_INCLUSION),
    ("regularizacion", SPANISH_PAPERS),
    ("travailleurs", SINGULAR_WORKER),  # plural finds the singular
    ("travailleur", FRENCH_SKILLS),     # singular finds the plural
    ("travailleur", FRENCH_PENSIONS),
    ("reinsertion", FRENCH_RETURN),     # "réinsertion" without its accent
    ("saisonniers", SINGULAR_WORKER),
])
def test_french_and_spanish_words_find_entries_by_stem_and_without_accents(client, query,
                                                                           expected):
    assert expected in _result_titles(client, query)


@pytest.mark.parametrize("interface", ["en", "fr", "es"])
def test_spanish_entries_are_found_whatever_the_interface_language(client, interface):
    titles = _result_titles(client, "migraciones", lang=interface)
    assert SPANISH_LABOUR in titles
    assert SPANISH_INCLUSION in titles


def test_a_word_that_is_not_in_an_entry_does_not_find_it(client):
    assert SPANISH_LABOUR not in _result_titles(client, "travailleurs")
    assert SINGULAR_WORKER not in _result_titles(client, "migraciones")


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_search_facets_show_taxonomy_labels_in_the_interface_language(client, lang):
    html = client.get("/practices", query_string={"lang": lang}).get_data(as_text=True)
    pairs = _differing_labels(lang, [
        ("objective", 6), ("region", "africa"), ("level", "global"), ("level", "regional"),
        ("status", "completed"), ("type", "tool")])
    for facet, code, translated, english in pairs:
        assert translated in html, (facet, code)
        assert f">{english}<" not in html, (facet, code)


def _differing_labels(lang: str, codes: list) -> list[tuple]:
    """The (facet, code, label, English label) of the codes whose label is not the English one."""
    pairs = [(facet, code, taxonomy.label(facet, code, lang), taxonomy.label(facet, code))
             for facet, code in codes]
    pairs = [p for p in pairs if p[2] != p[3]]
    assert len(pairs) >= 4, "pick codes whose labels differ from English"
    return pairs


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_selected_filter_chips_use_the_interface_language(client, lang):
    html = client.get("/practices", query_string={"lang": lang, "region": "africa"}) \
        .get_data(as_text=True)
    chips = html.split("Selected filters")[-1] if "Selected filters" in html else html
    assert taxonomy.label("region", "africa", lang) in chips


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_coverage_page_labels_objectives_and_regions_in_the_interface_language(client, lang):
    response = client.get("/coverage", query_string={"lang": lang})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    pairs = _differing_labels(lang, [
        ("objective", 13), ("objective", 20), ("region", "arab-states"),
        ("region", "latin-america-caribbean"), ("level", "global"), ("level", "regional")])
    for facet, code, translated, english in pairs:
        assert translated in html, (facet, code)
        assert english not in html, (facet, code)


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_api_facets_carry_labels_in_the_language_asked_for(client, lang):
    body = client.get("/api/v1/practices", query_string={"lang": lang}).get_json()
    checked = 0
    for facet, values in body["facets"].items():
        if facet == "call":
            continue  # labelled with the call's own title, which is not translated
        for value in values:
            assert value["label"] == taxonomy.label(facet, value["value"], lang), (facet, value)
            checked += value["label"] != taxonomy.label(facet, value["value"])
    assert checked > 20  # most labels differ from English, so the check means something
    english = client.application.test_client().get("/api/v1/practices").get_json()["facets"]
    assert english["region"][0]["label"] == taxonomy.label("region", english["region"][0]["value"])


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_api_taxonomy_gives_objective_titles_in_the_language_asked_for(client, lang):
    body = client.get("/api/v1/taxonomy", query_string={"lang": lang}).get_json()
    titles = {o["code"]: o["title"] for o in body["objectives"]}
    assert titles[1] == taxonomy.label("objective_title", 1, lang)
    assert titles[1] != taxonomy.label("objective_title", 1)


def test_api_follows_the_accept_language_header_when_no_lang_is_given(client):
    body = client.get("/api/v1/practices",
                      headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}).get_json()
    regions = {v["value"]: v["label"] for v in body["facets"]["region"]}
    assert regions["africa"] == taxonomy.label("region", "africa", "es")


def test_csv_export_labels_follow_the_language_asked_for(client):
    response = client.get("/api/v1/practices.csv", query_string={"lang": "fr", "region": "africa"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows
    assert all(taxonomy.label("region", "africa", "fr") in row["regions"] for row in rows)
