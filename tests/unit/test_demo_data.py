"""Checks on the illustrative demo data loaded by `kb init --demo`.

The code sets are hard-coded from /work/shared/reference/gcm-taxonomy.md so that this test
does not depend on the application package.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

DATA_FILE = Path(__file__).resolve().parents[2] / "kb" / "data" / "demo_practices.json"

OBJECTIVES = set(range(1, 24))
PRINCIPLES = {
    "people-centred", "international-cooperation", "national-sovereignty", "rule-of-law",
    "sustainable-development", "human-rights", "gender-responsive", "child-sensitive",
    "whole-of-government", "whole-of-society",
}
LEVELS = {"local", "national", "regional", "global"}
REGIONS = {
    "africa", "arab-states", "asia-pacific", "europe-north-america", "latin-america-caribbean",
}
STAKEHOLDERS = {
    "migrants", "civil-society", "migrant-diaspora-organizations", "faith-based-organizations",
    "local-authorities", "private-sector", "trade-unions", "parliamentarians", "nhri",
    "red-cross-red-crescent", "academia", "media", "national-government",
    "regional-organization", "un-entity", "other",
}
PRACTICE_TYPES = {"policy", "programme", "project", "service", "tool", "partnership", "other"}
STATUSES = {"ongoing", "mostly-completed", "completed"}
LANGUAGES = {"en", "fr", "es"}
STATES = {"published", "submitted", "in_review", "changes_requested", "draft"}

# Regions of every country the demo data uses (mapping of the taxonomy reference).
# A new country in the data must be added here with its regions.
_COUNTRIES_BY_REGION = {
    "africa": "BFA CIV EGY ETH GHA KEN LBY MAR MLI NER NGA RWA SEN SOM TUN TZA UGA ZAF",
    "arab-states": "ARE EGY IRQ JOR KWT LBN LBY MAR QAT SAU SOM TUN",
    "asia-pacific": "AUS BGD FJI GEO IDN KGZ LKA MYS NPL NZL PAK PHL THA TJK TON TUR VUT WSM",
    "europe-north-america": "BEL BGR CAN DEU ESP FRA GBR GEO GRC IRL ITA KGZ MDA NLD TJK TUR USA",
    "latin-america-caribbean": (
        "ARG ATG BOL BRB CHL COL CRI DMA ECU GRD GTM GUY HND JAM KNA LCA MEX NIC PRY SLV TTO VCT"
    ),
}
COUNTRY_REGIONS: dict[str, set[str]] = {}
for _region, _codes in _COUNTRIES_BY_REGION.items():
    for _code in _codes.split():
        COUNTRY_REGIONS.setdefault(_code, set()).add(_region)

PRACTICE_KEYS = {
    "title", "summary", "description", "objectives", "principles", "level", "regions",
    "countries", "practice_type", "implemented_by", "partners", "stakeholders", "start_year",
    "end_year", "implementation_status", "outcome", "results", "lessons", "funding", "contact",
    "links", "language", "organization", "state",
}
TEXT_KEYS = (
    "title", "summary", "description", "implemented_by", "partners", "outcome", "results",
    "lessons", "funding",
)
LAST_YEAR = 2026
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
EMAIL_RE = re.compile(r"^[^@\s]+@(?:[a-z0-9-]+\.)*example\.(?:org|com)$")

DATA = json.loads(DATA_FILE.read_text(encoding="utf-8"))
PRACTICES = DATA["practices"]
PUBLISHED = [p for p in PRACTICES if p["state"] == "published"]


def _ids(practices):
    return [p["title"][:40] for p in practices]


def test_file_is_utf8_json_with_the_three_sections():
    assert set(DATA) == {"notice", "organizations", "practices"}
    assert "illustrative" in DATA["notice"].lower()
    assert len(PRACTICES) >= 64


def test_titles_are_unique():
    dupes = [t for t, n in Counter(p["title"] for p in PRACTICES).items() if n > 1]
    assert dupes == []


def test_organizations_are_valid_and_unique():
    names = [o["name"] for o in DATA["organizations"]]
    assert 10 <= len(names) <= 16
    assert len(set(names)) == len(names)
    for org in DATA["organizations"]:
        assert set(org) == {"name", "type", "level", "country"}, org
        assert org["type"] in STAKEHOLDERS, org
        assert org["level"] in LEVELS, org
        assert org["country"] is None or org["country"] in COUNTRY_REGIONS, org
        assert len(org["name"]) <= 200


@pytest.mark.parametrize("p", PRACTICES, ids=_ids(PRACTICES))
def test_practice_keys_and_texts(p):
    assert set(p) == PRACTICE_KEYS
    for key in TEXT_KEYS:
        assert isinstance(p[key], str), key
        assert p[key].strip(), key
    assert len(p["title"]) <= 200
    assert len(p["summary"]) <= 600
    assert 2 <= len(SENTENCE_END.findall(p["summary"])) <= 3, "summary: 2-3 sentences"
    paragraphs = [b for b in p["description"].split("\n\n") if b.strip()]
    assert 2 <= len(paragraphs) <= 4, "description: 2-4 paragraphs"
    assert p["language"] in LANGUAGES
    assert p["state"] in STATES


@pytest.mark.parametrize("p", PRACTICES, ids=_ids(PRACTICES))
def test_practice_codes(p):
    assert 1 <= len(p["objectives"]) <= 4
    assert set(p["objectives"]) <= OBJECTIVES
    assert all(type(o) is int for o in p["objectives"])
    assert 2 <= len(p["principles"]) <= 5
    assert set(p["principles"]) <= PRINCIPLES
    assert p["stakeholders"]
    assert set(p["stakeholders"]) <= STAKEHOLDERS
    assert p["practice_type"] in PRACTICE_TYPES
    assert p["implementation_status"] in STATUSES
    for values in (p["objectives"], p["principles"], p["stakeholders"], p["regions"],
                   p["countries"]):
        assert len(set(values)) == len(values)


@pytest.mark.parametrize("p", PRACTICES, ids=_ids(PRACTICES))
def test_scope_is_consistent(p):
    assert p["level"] in LEVELS
    assert set(p["regions"]) <= REGIONS
    if p["level"] == "global":
        assert p["regions"] == []
        assert p["countries"] == []
        return
    assert p["regions"]
    if p["level"] in {"local", "national"}:
        assert p["countries"]
    for code in p["countries"]:
        assert code in COUNTRY_REGIONS, f"{code}: unknown here, add it to COUNTRY_REGIONS"
        assert COUNTRY_REGIONS[code] & set(p["regions"]), code
    if p["countries"]:
        covered = set().union(*(COUNTRY_REGIONS[c] for c in p["countries"]))
        assert set(p["regions"]) <= covered


@pytest.mark.parametrize("p", PRACTICES, ids=_ids(PRACTICES))
def test_years(p):
    start, end = p["start_year"], p["end_year"]
    assert type(start) is int
    assert 2010 <= start <= 2025
    assert end is None or (type(end) is int and start <= end <= LAST_YEAR)
    if p["implementation_status"] == "ongoing":
        assert end is None or end >= LAST_YEAR
    if p["implementation_status"] == "completed":
        assert end is not None


@pytest.mark.parametrize("p", PRACTICES, ids=_ids(PRACTICES))
def test_contact_links_and_organization(p):
    contact = p["contact"]
    assert set(contact) == {"name", "email", "public", "contactable"}
    assert contact["name"].strip()
    assert EMAIL_RE.match(contact["email"]), contact["email"]
    assert isinstance(contact["public"], bool)
    assert isinstance(contact["contactable"], bool)
    assert len(p["links"]) <= 2
    for link in p["links"]:
        assert set(link) == {"title", "url"}
        assert link["title"].strip()
        assert link["url"].startswith("https://example.org/"), link["url"]
    assert p["organization"] in {o["name"] for o in DATA["organizations"]}


def test_contacts_are_mixed_public_and_private():
    flags = Counter(p["contact"]["public"] for p in PRACTICES)
    assert flags[True] >= 5
    assert flags[False] >= 5
    consent = Counter((p["contact"]["public"], p["contact"]["contactable"]) for p in PUBLISHED)
    assert all(consent[pair] >= 2 for pair in ((True, True), (False, True), (False, False)))


def test_states():
    states = Counter(p["state"] for p in PRACTICES)
    assert states["published"] >= 46
    for state in ("submitted", "in_review", "changes_requested", "draft"):
        assert states[state] >= 3, state


def test_published_coverage():
    assert {o for p in PUBLISHED for o in p["objectives"]} == OBJECTIVES
    assert {r for p in PUBLISHED for r in p["regions"]} == REGIONS
    assert {p["level"] for p in PUBLISHED} == LEVELS
    assert {p["practice_type"] for p in PUBLISHED} == PRACTICE_TYPES


def test_languages():
    every = Counter(p["language"] for p in PRACTICES)
    published = Counter(p["language"] for p in PUBLISHED)
    for lang in ("fr", "es"):
        assert every[lang] >= 8, lang
        assert published[lang] >= 6, lang


def _text(p):
    return " ".join(p[k] for k in TEXT_KEYS).lower()


# Cheap sanity check that a text is written in its declared language: its own function words
# must outnumber those of the other two languages.
STOPWORDS = {
    "en": {"the", "and", "of", "to", "with", "for", "is", "are"},
    "fr": {"les", "des", "et", "du", "une", "pour", "est", "aux"},
    "es": {"los", "las", "el", "y", "del", "una", "para", "con"},
}


@pytest.mark.parametrize("p", PRACTICES, ids=_ids(PRACTICES))
def test_text_matches_declared_language(p):
    words = Counter(re.findall(r"\w+", _text(p)))
    scores = {lang: sum(words[w] for w in stop) for lang, stop in STOPWORDS.items()}
    assert max(scores, key=scores.get) == p["language"], scores


@pytest.mark.parametrize("term", [
    "remittances", "trafficking", "one-stop shop", "detention", "reintegration",
    "travailleurs migrants", "intégration", "personnes migrantes",
    "migración laboral", "migraciones", "reintegración", "inclusión", "migrantes",
])
def test_distinctive_search_terms_are_published(term):
    assert any(term in _text(p) for p in PUBLISHED), term
