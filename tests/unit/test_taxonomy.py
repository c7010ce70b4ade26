"""Tests for kb.taxonomy: code lists, region mapping, labels in three languages, parsing."""
from __future__ import annotations

import re

import pycountry
import pytest

from kb import taxonomy as tx
from kb.taxonomy import _ENGLISH, _TRANSLATIONS, Code, _sort_key  # the tables under test
from tests.conftest import shared_path

LABEL_FACETS = (*tx.FACETS, "objective_title")
ARAB_LEAGUE = {
    "DZA", "BHR", "COM", "DJI", "EGY", "IRQ", "JOR", "KWT", "LBN", "LBY", "MRT", "MAR", "OMN",
    "PSE", "QAT", "SAU", "SOM", "SDN", "SYR", "TUN", "ARE", "YEM",
}
AFRICAN_ARAB_LEAGUE = {"DZA", "COM", "DJI", "EGY", "LBY", "MRT", "MAR", "SOM", "SDN", "TUN"}
UN_NON_MEMBER_STATES = {"VAT", "PSE", "XKX"}
CAUCASUS_AND_CENTRAL_ASIA = {"ARM", "AZE", "GEO", "KAZ", "KGZ", "TJK", "TKM", "UZB"}


@pytest.mark.parametrize(("terms", "count"), [
    (tx.OBJECTIVES, 23),
    (tx.PRINCIPLES, 10),
    (tx.LEVELS, 4),
    (tx.REGIONS, 5),
    (tx.STAKEHOLDERS, 16),
    (tx.PRACTICE_TYPES, 7),
    (tx.IMPLEMENTATION_STATUSES, 3),
    (tx.LANGUAGES, 4),
])
def test_each_code_list_has_its_reference_size_and_unique_codes(terms, count):
    assert len(terms) == count
    assert len({t.code for t in terms}) == count


def test_objectives_are_numbered_1_to_23_in_order():
    assert [o.code for o in tx.OBJECTIVES] == list(range(1, 24))


def test_labels_are_the_reference_texts():
    assert tx.objective(13).title == (
        "Use migration detention only as a measure of last resort and work towards alternatives"
    )
    assert tx.objective(13).short == "Alternatives to detention"
    assert tx.label("objective", 13) == "Alternatives to detention"
    assert tx.label("objective_title", 1).startswith("Collect and utilize accurate")
    assert tx.label("principle", "rule-of-law") == "Rule of law and due process"
    assert tx.label("stakeholder", "un-entity") == "UN system or other international organization"
    assert tx.label("status", "mostly-completed") == "Mostly completed"
    assert tx.label("language", "other") == "Other language"
    assert tx.REGION_COMMISSIONS["latin-america-caribbean"] == "ECLAC"


def test_objective_lookup_raises_and_get_objective_returns_none_for_unknown_numbers():
    with pytest.raises(KeyError):
        tx.objective(24)
    assert tx.get_objective(0) is None
    assert tx.get_objective(4) == tx.OBJECTIVES[3]


def test_country_names_prefer_common_names_and_include_kosovo():
    assert tx.COUNTRIES["BOL"] == "Bolivia"
    assert tx.COUNTRIES["PSE"] == "State of Palestine"
    assert tx.COUNTRIES["TUR"] == "Türkiye"
    assert tx.COUNTRIES["XKX"] == "Kosovo"
    assert all(code.isupper() and len(code) == 3 for code in tx.COUNTRIES)


def test_every_iso_country_is_mapped_or_deliberately_unmapped_never_both():
    iso = {c.alpha_3 for c in pycountry.countries} | {"XKX"}
    mapped, unmapped = set(tx.COUNTRY_REGIONS), set(tx.UNMAPPED_COUNTRIES)
    assert mapped | unmapped == iso == set(tx.COUNTRIES)
    assert not mapped & unmapped
    assert all(tx.COUNTRY_REGIONS[code] for code in mapped)


def test_every_mapped_region_is_one_of_the_five():
    region_codes = {t.code for t in tx.REGIONS}
    assert set(tx.REGION_COMMISSIONS) == region_codes
    assert set().union(*tx.COUNTRY_REGIONS.values()) == region_codes


def test_states_and_territories_do_not_overlap():
    states = set().union(*tx.REGION_STATES.values())
    territories = set().union(*tx.REGION_TERRITORIES.values())
    assert not states & territories


def test_sovereign_lists_hold_the_193_un_member_states_plus_observers_and_kosovo():
    states = set().union(*tx.REGION_STATES.values())
    assert UN_NON_MEMBER_STATES <= states
    assert len(states - UN_NON_MEMBER_STATES) == 193


def test_arab_states_are_the_22_league_members_and_the_african_ones_are_in_africa_too():
    assert tx.REGION_STATES["arab-states"] == ARAB_LEAGUE
    assert {c for c in ARAB_LEAGUE if "africa" in tx.COUNTRY_REGIONS[c]} == AFRICAN_ARAB_LEAGUE
    assert "asia-pacific" not in tx.COUNTRY_REGIONS["SAU"]


def test_africa_has_the_54_african_states():
    assert len(tx.REGION_STATES["africa"]) == 54


def test_turkiye_russia_caucasus_and_central_asia_are_in_two_regions():
    for code in {"TUR", "RUS"} | CAUCASUS_AND_CENTRAL_ASIA:
        assert tx.COUNTRY_REGIONS[code] == {"europe-north-america", "asia-pacific"}, code


@pytest.mark.parametrize("code", ["ISR", "CYP"])
def test_israel_and_cyprus_are_in_europe_north_america_not_asia_pacific(code):
    assert tx.COUNTRY_REGIONS[code] == {"europe-north-america"}


def test_latin_america_caribbean_has_33_un_member_states():
    lac_states = tx.REGION_STATES["latin-america-caribbean"] - UN_NON_MEMBER_STATES
    assert len(lac_states) == 33
    assert {"BRA", "MEX", "HTI", "TTO"} <= lac_states
    assert "PRI" in tx.REGION_TERRITORIES["latin-america-caribbean"]


def test_kosovo_is_in_europe_and_needs_the_footnote():
    assert tx.COUNTRY_REGIONS["XKX"] == {"europe-north-america"}
    assert tx.needs_kosovo_footnote(["SRB", "XKX"])
    assert not tx.needs_kosovo_footnote(["SRB", "ALB"])
    assert not tx.needs_kosovo_footnote([])
    assert tx.KOSOVO_FOOTNOTE.endswith("resolution 1244 (1999).")


def test_regions_for_countries_unions_regions_and_ignores_unmapped_codes():
    assert tx.regions_for_countries(["EGY", "TUR"]) == {
        "africa", "arab-states", "europe-north-america", "asia-pacific",
    }
    assert tx.regions_for_countries(["ATA", "ZZZ"]) == set()
    assert tx.regions_for_countries([]) == set()


def test_french_objective_1_is_the_official_text():
    assert tx.label("objective_title", 1, "fr") == (
        "Collecter et utiliser des données précises et ventilées qui serviront à l’élaboration "
        "de politiques fondées sur la connaissance des faits"
    )


def _reference_rows() -> list[tuple[str, Code, str, str]]:
    """(facet, code, French, Spanish) for each row of ../shared/reference's official texts."""
    text = shared_path("reference", "gcm-taxonomy-fr-es.md").read_text(encoding="utf-8")
    principles = {t.label: t.code for t in tx.PRINCIPLES}
    rows = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3:
            continue
        if cells[0].isdigit():
            rows.append(("objective_title", int(cells[0]), cells[1], cells[2]))
        elif cells[0] in principles:
            rows.append(("principle", principles[cells[0]], cells[1], cells[2]))
    return rows


def _official(cell: str) -> str | None:
    """The official text of a reference cell without its source note; None when NOT FOUND."""
    return None if cell.startswith("NOT FOUND") else re.sub(r"\s*\[S[^\]]*\]$", "", cell)


def test_official_texts_are_the_reference_and_the_rest_stays_english():
    rows = _reference_rows()
    assert len(rows) == 23 + 10
    wrong = []
    for facet, code, *cells in rows:
        for language, cell in zip(("fr", "es"), cells, strict=True):
            # Entries the official sources lack fall back to English, never to our own wording.
            expected = _official(cell) or tx.label(facet, code)
            if tx.label(facet, code, language) != expected:
                wrong.append((facet, code, language, tx.label(facet, code, language), expected))
    assert wrong == []


def test_other_lists_and_countries_are_translated():
    assert tx.label("region", "arab-states", "fr") == "États arabes"
    assert tx.label("type", "tool", "es") == "Herramienta"
    assert tx.label("objective", 20, "es") == "Remesas"
    assert tx.label("country", "DEU", "fr") == "Allemagne"
    assert tx.label("country", "BOL", "es") == "Bolivia"
    assert tx.label("country", "PSE", "fr") == "État de Palestine"


@pytest.mark.parametrize(("code", "language", "name"), [
    ("CIV", "es", "Côte d’Ivoire"), ("BFA", "es", "Burkina Faso"), ("CIV", "fr", "Côte d’Ivoire"),
    ("XKX", "fr", "Kosovo"), ("GBR", "es", "Reino Unido"), ("VAT", "fr", "Saint-Siège"),
])
def test_french_and_spanish_country_names_come_from_cldr(code, language, name):
    # pycountry's Spanish catalog said "Costa de Marfíl" and "Burquina Faso".
    assert tx.label("country", code, language) == name


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_country_name_is_cldrs_unless_the_un_short_name_differs(language):
    from babel import Locale

    territories = Locale.parse(language).territories
    differ = {code for code in tx.COUNTRIES
              if tx.label("country", code, language) != territories.get(
                  "XK" if code == "XKX" else pycountry.countries.get(alpha_3=code).alpha_2)}
    assert differ == {"FSM", "PSE", "TWN", "VAT"} | ({"COD"} if language == "fr" else set())


def test_regional_variants_use_their_language_and_unknown_locales_use_english():
    assert tx.label("level", "global", "fr_CA") == "Mondial"
    assert tx.label("level", "global", "es-419") == "Mundial"
    assert tx.label("level", "global", "de") == "Global"
    assert tx.label("country", "DEU", "xx") == "Germany"


@pytest.mark.parametrize("locale", ["fr", "es"])
def test_translation_tables_only_name_known_codes(locale):
    for facet, table in _TRANSLATIONS[locale].items():
        assert set(table) <= set(_ENGLISH[facet]), facet


@pytest.mark.parametrize("locale", ["fr", "es"])
@pytest.mark.parametrize(
    "facet", ["objective", "level", "region", "stakeholder", "type", "status", "language"],
)
def test_application_owned_lists_are_fully_translated(locale, facet):
    assert set(_TRANSLATIONS[locale][facet]) == set(_ENGLISH[facet])


@pytest.mark.parametrize("locale", tx.LOCALES)
@pytest.mark.parametrize("facet", LABEL_FACETS)
def test_every_label_in_every_locale_is_a_non_empty_string(facet, locale):
    pairs = tx.choices(facet, locale)
    assert pairs
    for code, text in pairs:
        assert isinstance(text, str), (facet, code)
        assert text.strip(), (facet, code)


def test_choices_follow_canonical_order():
    assert [code for code, _ in tx.choices("objective")] == list(range(1, 24))
    assert [code for code, _ in tx.choices("level")] == ["local", "national", "regional", "global"]
    assert tx.choices("status", "fr")[0] == ("ongoing", "En cours")


@pytest.mark.parametrize("locale", tx.LOCALES)
def test_countries_are_sorted_by_label_ignoring_accents(locale):
    labels = [text for _, text in tx.choices("country", locale)]
    assert labels == sorted(labels, key=_sort_key)
    assert len(labels) == len(tx.COUNTRIES)


def test_french_country_list_sorts_accented_names_among_the_others():
    codes = [code for code, _ in tx.choices("country", "fr")]
    assert codes.index("EGY") < codes.index("ESP") < codes.index("FRA")


@pytest.mark.parametrize(("facet", "raw", "expected"), [
    ("objective", "1", 1),
    ("objective", "23", 23),
    ("principle", "human-rights", "human-rights"),
    ("region", "africa", "africa"),
    ("country", "KEN", "KEN"),
    ("country", "XKX", "XKX"),
    ("level", "local", "local"),
    ("stakeholder", "nhri", "nhri"),
    ("type", "tool", "tool"),
    ("status", "mostly-completed", "mostly-completed"),
    ("language", "other", "other"),
])
def test_parse_code_returns_the_typed_code(facet, raw, expected):
    assert tx.parse_code(facet, raw) == expected
    assert tx.is_valid(facet, raw)


@pytest.mark.parametrize(("facet", "raw"), [
    ("objective", "0"),
    ("objective", "24"),
    ("objective", "abc"),
    ("objective", ""),
    ("objective", "01"),
    ("objective", " 1"),
    ("objective", "-1"),
    ("country", "ken"),
    ("country", "KE"),
    ("country", ""),
    ("region", "Africa"),
    ("level", "abc"),
    ("status", ""),
])
def test_parse_code_rejects_bad_codes_with_a_message_naming_the_facet(facet, raw):
    with pytest.raises(ValueError, match=facet):
        tx.parse_code(facet, raw)
    assert not tx.is_valid(facet, raw)


def test_is_valid_accepts_objective_ints_only_in_range():
    assert tx.is_valid("objective", 1)
    assert tx.is_valid("objective", 23)
    assert not tx.is_valid("objective", 0)
    assert not tx.is_valid("objective", 24)
    assert not tx.is_valid("objective", True)
    assert not tx.is_valid("country", 1)


def test_unknown_facets_and_codes_are_errors():
    with pytest.raises(ValueError, match="unknown facet"):
        tx.label("colour", "red")
    with pytest.raises(ValueError, match="unknown facet"):
        tx.parse_code("colour", "red")
    with pytest.raises(KeyError):
        tx.label("region", "atlantis")
    assert tx.label("objective", "13") == "Alternatives to detention"


def test_facets_are_the_api_filter_parameters():
    assert tx.FACETS == (
        "objective", "principle", "region", "country", "level", "stakeholder", "type", "status",
        "language",
    )
