"""Search finds what people mean (issue 18): every example of the issue, on generated practices.

Each test searches a small repository the way a reader would (the API and the page) and
checks what the reader would notice: which practices come back, whether they match every
word or only some, the "Did you mean" offered, and the snippet that says why.
"""
from __future__ import annotations

import pytest

from tests.conftest import add_practice, private_app

PRACTICES = {
    "domestic": dict(title="Shelter for domestic workers who fled abusive employers",
                     summary="Legal aid and safe accommodation for women domestic workers.",
                     description="Lawyers recover unpaid wages for workers abroad.",
                     countries=["LBN"], regions=[]),
    "returnees": dict(title="Job placement for returnees in Kyrgyzstan",
                      summary="Returnees get counselling and jobs at district centres.",
                      description="Employment centres register returning workers.",
                      countries=["KGZ"], regions=[]),
    "consulates": dict(title="Registration portal for nationals working abroad",
                       summary="Nationals abroad register online with their embassies and "
                               "consulates.",
                       description="The portal keeps contact details up to date.",
                       countries=["NPL"], regions=[]),
    "psychosocial": dict(title="Psychosocial aid for survivors of shipwrecks",
                         summary="Counsellors support people rescued at sea.",
                         description="Cultural mediators work beside the counsellors.",
                         countries=["ITA"], regions=[]),
    "venezuela": dict(title="Cash-for-work for refugees in Lima",
                      summary="Refugee families rebuild public spaces and earn an income.",
                      description="Participants are selected with the municipality.",
                      countries=["VEN", "PER"], regions=[]),
    "venezuelans": dict(title="Job fairs for newcomers in Bogotá",
                        summary="Venezuelans meet local employers at monthly job fairs.",
                        description="Employers publish vacancies in advance.",
                        countries=["COL"], regions=[]),
    "deaths": dict(title="Identifying migrants who died at sea",
                   summary="A forensic team documents the deaths of migrants on the route.",
                   description="Families are informed once a match is found.",
                   countries=["GRC"], regions=[]),
    "hyphens": dict(title="Hometown associations fund psycho-social care",
                    summary="Diaspora clubs from the same home-town pay for counselling.",
                    description="Each club reports its spending every year.",
                    countries=["MEX"], regions=[]),
    "remittances": dict(title="Cheaper remittances through mobile wallets",
                        summary="Remittances cost less than 2% of the amount sent.",
                        description="Wallets are interoperable across the corridor.",
                        countries=["KEN"], regions=[]),
    "qualifications": dict(title="Recognition of foreign qualifications for nurses",
                           summary="Nurses trained abroad have their qualifications assessed.",
                           description="A bridging course prepares them for the licence.",
                           countries=["DEU"], regions=[]),
    "irregular": dict(title="Health clinics open to migrants in an irregular situation",
                      summary="Clinics treat people with irregular status free of charge.",
                      description="Patient data are never shared with the police.",
                      countries=["NLD"], regions=[]),
    "nepalese": dict(title="Insurance for Nepalese workers in the Gulf",
                     summary="Workers buy health cover for their families at home.",
                     description="Unions present the product before departure.",
                     countries=["QAT"], regions=[]),
    "stranded": dict(title="Voluntary return for stranded migrants in the desert",
                     summary="Stranded migrants who wish to go home get shelter and a flight.",
                     description="Transit centres host migrants abandoned on the route.",
                     countries=["NER"], regions=[]),
    "description_only": dict(title="Community kitchens in Lyon",
                             summary="Neighbours cook together every week.",
                             description="The kitchens also host a weekly clinic on "
                                         "tenancy disputes.",
                             countries=["FRA"], regions=[], language="en"),
    # Words a one-word-at-a-time corrector proposed instead of right words of the query.
    "near_words": dict(title="West Africa funds for identity documents",
                       summary="Deployment of mobile teams; le déploiement des équipes.",
                       description="Teams visit border villages.",
                       countries=["SEN"], regions=[]),
    "french": dict(title="Accueil des réfugiés vénézuéliens à Paris",
                   summary="Des bénévoles accompagnent les réfugiés vénézuéliens.",
                   description="Les familles sont logées chez l'habitant.",
                   countries=["FRA"], regions=[], language="fr"),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory, migrated_database):
    """One app for this module: its tests only search the repository built once below."""
    with private_app(tmp_path_factory.mktemp("relevance"), migrated_database) as application:
        yield application


@pytest.fixture(scope="module")
def repo(app):
    return {key: add_practice(app, **fields) for key, fields in PRACTICES.items()}


def api(client, q: str, **params) -> dict:
    response = client.get("/api/v1/practices", query_string={"q": q, "per_page": 50, **params})
    assert response.status_code == 200
    return response.get_json()


def titles(found: dict, match: str | None = None) -> list[str]:
    return [r["title"] for r in found["results"] if match in (None, r["match"])]


def title_of(key: str) -> str:
    return PRACTICES[key]["title"]


# --- partial matches after full ones -------------------------------------------------------

@pytest.mark.parametrize(("q", "key"), [
    ("protect domestic workers abroad", "domestic"),
    ("help returnees find jobs", "returnees"),
])
def test_an_ordinary_extra_word_no_longer_empties_the_result(client, repo, q, key):
    found = api(client, q)
    assert title_of(key) in titles(found)


def test_partial_matches_come_after_full_ones_marked_some(client, repo):
    found = api(client, "remittances mobile wallets corridor")
    assert found["results"][0]["title"] == title_of("remittances")
    assert found["results"][0]["match"] == "all"
    kinds = [r["match"] for r in found["results"]]
    assert kinds == sorted(kinds)  # every "all" before any "some"


def test_the_page_heads_partial_matches(client, repo):
    page = client.get("/practices", query_string={"q": "protect domestic workers abroad"})
    html = page.get_data(as_text=True)
    assert "Practices matching some of your words" in html
    fr = client.get("/practices", query_string={"q": "protect domestic workers abroad",
                                                "lang": "fr"},
                    headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Pratiques contenant une partie de vos mots" in fr


def test_operators_keep_their_strict_meaning(client, repo):
    assert api(client, '"protect domestic workers abroad"')["total"] == 0
    assert api(client, "domestic AND workers AND abroad AND protect")["total"] == 0
    strict = api(client, "remittances -wallets")
    assert title_of("remittances") not in titles(strict)


def test_facet_counts_equal_what_a_click_returns_with_partial_matches(client, repo):
    found = api(client, "protect domestic workers abroad")
    for facet in found["facets"]["country"]:
        clicked = api(client, "protect domestic workers abroad", country=facet["value"])
        assert clicked["total"] == facet["count"], facet


# --- variants --------------------------------------------------------------------------------

@pytest.mark.parametrize(("q", "key"), [
    ("consular assistance", "consulates"),
    ("mental health psychosocial support migrants", "psychosocial"),
    ("Venezuela", "venezuela"), ("Venezuela", "venezuelans"),
    ("Venezuelan", "venezuela"), ("Venezuelan", "venezuelans"),
    ("venezolanos", "venezuelans"), ("vénézuéliens", "venezuelans"),
    ("died", "deaths"), ("deaths", "deaths"), ("deceased", "deaths"),
    ("psycho-social", "psychosocial"), ("psychosocial", "hyphens"),
    ("home-town", "hyphens"), ("hometown", "hyphens"),
    ("cheaper money transfers home", "remittances"),
    ("diplomas", "qualifications"),
    ("undocumented", "irregular"),
    ("Nepali", "nepalese"), ("consular", "consulates"),
])
def test_variants_synonyms_and_demonyms_are_the_same_term(client, repo, q, key):
    assert title_of(key) in titles(api(client, q))


# --- cross-language --------------------------------------------------------------------------

def test_a_french_query_finds_english_practices_french_ones_first(client, repo):
    found = api(client, "réfugiés vénézuéliens")
    found_titles = titles(found)
    assert found_titles[0] == title_of("french")
    assert title_of("venezuela") in found_titles
    assert found["query_language"] == "fr"
    assert any("refugee" in terms for terms in found["expanded"].values())


def test_a_spanish_query_finds_an_english_practice(client, repo):
    found = api(client, "retorno voluntario migrantes varados")
    assert titles(found)[0] == title_of("stranded")
    assert found["expanded"]


def test_the_page_says_in_one_line_that_the_search_was_widened(client, repo):
    html = client.get("/practices", query_string={"q": "remesas"}).get_data(as_text=True)
    assert "Also searched for variants, synonyms and translations" in html
    assert "through mobile wallets" in html


# --- did you mean ----------------------------------------------------------------------------

def test_did_you_mean_corrects_the_whole_query_keeping_case(client, repo):
    found = api(client, "Venezuala refugees")
    assert found["suggestion"] == "Venezuela refugees"
    assert api(client, found["suggestion"])["total"] > 0


@pytest.mark.parametrize("q", ["went", "déplacement", "fonds", "documentos",
                               "retorno voluntario", "remittances"])
def test_did_you_mean_never_replaces_right_words_nor_follows_full_results(client, repo, q):
    assert api(client, q)["suggestion"] is None


def test_did_you_mean_is_offered_only_when_the_correction_finds_something(client, repo):
    assert api(client, "remitances")["suggestion"] == "remittances"
    assert api(client, "zqxwvy")["suggestion"] is None


# --- show why --------------------------------------------------------------------------------

def test_a_description_only_match_shows_a_labelled_highlighted_snippet(client, repo):
    found = api(client, "tenancy disputes")
    result = next(r for r in found["results"] if r["title"] == title_of("description_only"))
    assert "<mark>tenancy</mark>" in result["highlights"]["description"]
    html = client.get("/practices", query_string={"q": "tenancy disputes"}).get_data(
        as_text=True)
    assert "<mark>tenancy</mark>" in html
    assert '<span class="snippet-field">Description:</span>' in html


def test_every_result_shows_why_it_matched(client, repo):
    for q in ("consular assistance", "diplomas", "tenancy", "undocumented"):
        for result in api(client, q)["results"]:
            assert any("<mark>" in h for h in result["highlights"].values()), (q, result)
