"""Search finds the practices people mean in the words their authors used (issue 18, recall).

Each test publishes a small repository of generated practices and checks, through the API,
that a query finds a practice written in other words than the query's (a usual synonym of
the migration vocabulary, another language, another inflection) without bringing in
practices that are not about it.
"""
from __future__ import annotations

import pytest

FILLERS = {
    "clinic": dict(title="Mobile clinics for families in border towns",
                   summary="Nurses visit border towns every week with medicines."),
    "radio": dict(title="Community radio on safe journeys",
                  summary="Weekly programmes explain the risks of the journey north."),
    "savings": dict(title="Savings groups for families left at home",
                    summary="Families open savings accounts at the post office."),
    "school": dict(title="After-school tutoring for refugee children",
                   summary="Volunteers help children with homework twice a week."),
}


BLANK = dict(description="", outcome="", results="", lessons="", implemented_by="",
             partners="", funding="")
"""The fields of the test record that its practices leave empty (its outcome mentions
newcomers: every practice would)."""


def publish(make_practice, table: dict[str, dict], **common) -> None:
    """Publish each practice of table (in Kenya, unless its fields or common say otherwise)."""
    for fields in table.values():
        make_practice(**{"countries": ["KEN"], "regions": [], **BLANK, **common, **fields})


def results(client, q: str) -> list[dict]:
    response = client.get("/api/v1/practices", query_string={"q": q, "per_page": 50})
    assert response.status_code == 200
    return response.get_json()["results"]


def found(client, q: str) -> list[str]:
    return [r["title"] for r in results(client, q)]


def each_finds_only(client, queries: tuple[str, ...], title: str) -> None:
    """Assert that each query finds the practice titled title and nothing else."""
    for q in queries:
        assert found(client, q) == [title], q


def full_matches(client, q: str) -> list[str]:
    """Return the titles of the practices matching every word of q (not "some")."""
    return [r["title"] for r in results(client, q) if r["match"] == "all"]


@pytest.fixture
def fillers(make_practice):
    publish(make_practice, FILLERS)


PRIOR_LEARNING = dict(
    title="Recognition of prior learning for returning welders",
    summary="Returning workers show their skills on the job and receive a national "
            "vocational qualification.")


def test_recognition_of_diplomas_finds_recognition_of_prior_learning(client, make_practice,
                                                                    fillers):
    # Recognising what migrants learnt abroad is one need, however the text names it: the
    # glossary's concept already had the French term ("validation des acquis"), not the
    # English and Spanish ones.
    publish(make_practice, {"rpl": PRIOR_LEARNING})
    each_finds_only(client, ("recognition of diplomas", "reconnaissance des diplômes",
                             "reconocimiento de títulos", "credential recognition"),
                    PRIOR_LEARNING["title"])


SEASONAL = {
    "es": dict(title="Programa binacional de trabajo agrícola", language="es",
               countries=["CRI", "NIC"],
               summary="Los dos países organizan la contratación de trabajadores agrícolas "
                       "temporales para las cosechas de café, con contrato y seguro social."),
    "fr": dict(title="Accueil des travailleurs agricoles saisonniers", language="fr",
               countries=["FRA"],
               summary="Les exploitations logent les saisonniers venus pour les vendanges."),
    "factory": dict(title="Contratos para trabajadores temporales de fábrica", language="es",
                    countries=["MEX"],
                    summary="Trabajadores temporales de las maquilas firman contratos "
                            "registrados."),
}


def test_seasonal_agricultural_workers_in_every_language(client, make_practice, fillers):
    # Canada's Seasonal Agricultural Worker Program is the "Programme des travailleurs
    # agricoles saisonniers" and the "Programa de Trabajadores Agrícolas Temporales".
    publish(make_practice, SEASONAL)
    titles = full_matches(client, "seasonal agricultural workers")
    assert SEASONAL["es"]["title"] in titles
    assert SEASONAL["fr"]["title"] in titles
    assert SEASONAL["factory"]["title"] not in found(client, "seasonal agricultural workers")


FORENSIC = dict(title="Red de identificación forense de restos en la frontera", language="es",
                countries=["MEX"],
                summary="Los equipos forenses cruzan datos genéticos de las familias con los "
                        "restos hallados en el desierto.")


def test_identifying_the_dead_in_other_words_and_languages(client, make_practice, fillers):
    # "identify" is not "identification" to the stemmer; the glossary lists the verb phrase
    # beside the nouns, as it lists "died" beside "death".
    publish(make_practice, {"forensic": FORENSIC})
    each_finds_only(client, ("identify the dead", "identification of the dead",
                             "identification des morts"), FORENSIC["title"])


FEMININE = {
    "flood": dict(title="Logement des familles déplacées par les inondations", language="fr",
                  countries=["FRA"],
                  summary="Les communes relogent les familles déplacées dans des logements "
                          "vacants."),
    "newcomers": dict(title="Accueil des jeunes arrivés seuls à Marseille", language="fr",
                      countries=["FRA"],
                      summary="Des éducateurs accompagnent les jeunes arrivés seuls vers "
                              "l'école."),
}


def test_french_feminine_participles_are_the_masculine_word(client, make_practice, fillers):
    # Accents were folded before stemming, so the stemmer missed -ée/-ées and kept "déplacées"
    # (deplace) apart from "déplacés" (deplac).
    publish(make_practice, FEMININE)
    assert found(client, "familles déplacés") == [FEMININE["flood"]["title"]]
    assert found(client, "jeunes arrivées seules") == [FEMININE["newcomers"]["title"]]


def test_newcomers_in_the_french_irregular_plural(client, make_practice, fillers):
    # "nouvel arrivant", plural "nouveaux arrivants": the stemmer keeps nouvel and nouveau
    # apart, so the glossary lists the irregular plural.
    office = dict(title="Bureau d'accueil des nouveaux arrivants", language="fr",
                  countries=["CAN"],
                  summary="Le bureau oriente les nouveaux arrivants vers les cours de français.")
    publish(make_practice, {"office": office})
    assert found(client, "newcomers") == [office["title"]]


def test_spanish_plurals_in_iones_are_the_singular_word(client, make_practice, fillers):
    # Accents are folded before stemming: "regularización" (regularizacion) kept its ending
    # while the stemmer cut "regularizaciones" to regulariz.
    publish(make_practice, {
        "regularisation": dict(title="Regularización migratoria en línea", language="es",
                               countries=["ECU"],
                               summary="Las personas se registran en línea y reciben una "
                                       "visa temporal."),
        "unions": dict(title="Red de organizaciones de trabajadoras del hogar", language="es",
                       countries=["PER"],
                       summary="Las organizaciones asesoran a trabajadoras del hogar "
                               "migrantes."),
    })
    assert found(client, "regularizaciones") == ["Regularización migratoria en línea"]
    assert found(client, "organización") == ["Red de organizaciones de trabajadoras del hogar"]


def test_demonyms_of_smaller_states_and_territories(client, make_practice, fillers):
    # Demonyms were listed for 174 of the 250 countries and territories: Korea, Malta,
    # Taiwan, Hong Kong, Kiribati or Western Sahara could be searched by name only.
    publish(make_practice, {
        "eps": dict(title="Employment permit system for migrant workers", countries=["KOR"],
                    summary="Workers from sixteen countries are hired through public "
                            "agencies."),
        "arrivals": dict(title="Reception of people rescued at sea", countries=["MLT"],
                         summary="Arrivals are housed in open centres."),
        "camps": dict(title="Education in the Tindouf camps", countries=["ESH", "DZA"],
                      summary="Teachers are trained in the camps."),
    })
    for q, title in (("Korean", "Employment permit system for migrant workers"),
                     ("trabajadores coreanos", "Employment permit system for migrant workers"),
                     ("Maltese", "Reception of people rescued at sea"),
                     ("sahraouis", "Education in the Tindouf camps")):
        assert title in found(client, q), q


def test_a_hyphenated_title_names_its_joined_word(client, make_practice, fillers):
    # The index holds "psychosocial" for "Psycho-social"; the check that a translation's
    # match is about the query read the title without it, so "apoyo psicosocial" found the
    # practice only if its summary also wrote the word joined.
    first_aid = dict(title="Psycho-social first aid after shipwrecks",
                     summary="Counsellors assist survivors on arrival.")
    publish(make_practice, {"first_aid": first_aid})
    each_finds_only(client, ("apoyo psicosocial", "soutien psychosocial", "psychosocial"),
                    first_aid["title"])


def test_two_words_written_apart_find_the_joined_word(client, make_practice, fillers):
    # "psycho social" and "home town" are "psychosocial" and "hometown" written apart: a
    # practice writing the word joined (or hyphenated) is what the user means.
    publish(make_practice, {
        "counselling": dict(title="Psychosocial counselling for survivors of shipwrecks",
                            summary="Counsellors meet survivors in the reception centre."),
        "associations": dict(title="Hometown associations rebuild village schools",
                             summary="Emigrants fund classrooms in their villages."),
        "inspections": dict(title="Workplace inspections on farms",
                            summary="Inspectors check housing and wages."),
    })
    assert found(client, "psycho social") == [
        "Psychosocial counselling for survivors of shipwrecks"]
    assert found(client, "home town") == ["Hometown associations rebuild village schools"]
    assert found(client, "work place inspections") == ["Workplace inspections on farms"]


def suggestion(client, q: str) -> str | None:
    response = client.get("/api/v1/practices", query_string={"q": q})
    assert response.status_code == 200
    return response.get_json().get("suggestion")


def test_did_you_mean_corrects_a_word_that_only_looks_inflected(client, make_practice,
                                                                fillers):
    # "refugess" is not "refuges" + s, nor "retunees" "retune" + es: no word takes its
    # ending twice, so they are misspellings, corrected to the repository's words.
    publish(make_practice, {
        "refugees": dict(title="Language classes for refugees in Nairobi",
                         summary="Refugees learn Swahili and English."),
        "returnees": dict(title="Business grants for returnees",
                          summary="Returnees receive a grant and mentoring."),
    })
    assert suggestion(client, "refugess") == "refugees"
    assert suggestion(client, "retunees") == "returnees"


def test_did_you_mean_prefers_the_word_with_letters_left_out(client, make_practice,
                                                             fillers):
    # "trafiking" is two edits from "trafficking" and from "training": typists drop letters
    # (a doubled f, the c of ck) more often than they change them.
    publish(make_practice, {
        "hotline": dict(title="Hotline for victims of trafficking",
                        summary="Trafficking victims call a free number."),
        "training": dict(title="Training for labour inspectors",
                         summary="Inspectors follow a training on farm visits."),
        "training2": dict(title="Training of trainers in border towns",
                          summary="Trainers follow a training on first aid."),
    })
    assert suggestion(client, "trafiking") == "trafficking"


def test_cheaper_remittances_and_climate_displacement_in_french_and_spanish(
        client, make_practice, fillers):
    # The English terms had their French and Spanish equivalents missing ("cheaper
    # remittances" is the GCM's objective 20, "remesas más baratas"); "baratas" alone is in
    # no practice, so the query found nothing at all.
    publish(make_practice, {
        "corridor": dict(title="Mobile wallets cutting remittance costs",
                         summary="Cheaper remittances between Kenya and Uganda through "
                                 "interoperable wallets."),
        "relocation": dict(title="Planned relocation of villages after floods",
                           summary="Communities facing climate displacement move inland "
                                   "with land and services."),
    })
    each_finds_only(client, ("remesas más baratas", "envois de fonds moins chers"),
                    "Mobile wallets cutting remittance costs")
    each_finds_only(client, ("déplacés climatiques", "desplazados por el clima",
                             "climate refugees"), "Planned relocation of villages after floods")


def test_french_and_spanish_names_of_recruitment_return_and_screening_terms(
        client, make_practice, fillers):
    # Each concept named the practice in English only: "recrutement sans frais" and
    # "contratación sin comisiones", "conseil au retour" and "asesoramiento para el retorno",
    # "dépistage des vulnérabilités" found nothing.
    publish(make_practice, {
        "fees": dict(title="No-fee recruitment pledge by manpower agencies",
                     summary="Agencies sign a no-fee recruitment pledge: employers pay."),
        "counselling": dict(title="Return counselling desks at the airport",
                            summary="Counsellors offer return counselling before departure."),
        "screening": dict(title="Vulnerability screening at reception centres",
                          summary="Staff run a vulnerability screening within three days."),
    })
    for q, title in (
            ("recrutement sans frais", "No-fee recruitment pledge by manpower agencies"),
            ("contratación sin comisiones", "No-fee recruitment pledge by manpower agencies"),
            ("conseil au retour", "Return counselling desks at the airport"),
            ("asesoramiento para el retorno", "Return counselling desks at the airport"),
            ("dépistage des vulnérabilités", "Vulnerability screening at reception centres")):
        assert found(client, q) == [title], q


def test_manpower_agencies_and_labour_brokers_are_recruitment_agencies(client, make_practice,
                                                                       fillers):
    agencies = dict(title="Licensing of recruitment agencies in Dhaka",
                    summary="Recruitment agencies must renew their licence every year.")
    publish(make_practice, {"agencies": agencies})
    each_finds_only(client, ("manpower agencies", "labour brokers", "intermediarios laborales"),
                    agencies["title"])


def test_american_spellings_find_british_ones(client, make_practice, fillers):
    # UN texts spell "centre", "programme", "neighbourhood", "licence"; a query typed with
    # the American spelling missed them where the two spellings stem differently.
    publish(make_practice, {
        "centres": dict(title="Migrant resource centres in neighbourhood libraries",
                        summary="The programme licences volunteer advisers."),
    })
    each_finds_only(client, ("migrant resource centers", "neighborhood", "program licenses"),
                    "Migrant resource centres in neighbourhood libraries")


def test_personas_before_the_people_is_not_a_word_texts_must_contain(client, make_practice,
                                                                     fillers):
    # "personas migrantes", "personnes réfugiées": inclusive Spanish and French for
    # "migrants" and "refugees"; an English practice never says "personas".
    publish(make_practice, {
        "tracing": dict(title="Tracing network for missing migrants",
                        summary="Families of missing migrants give DNA samples."),
        "jobs": dict(title="Work permits for refugees in Kampala",
                     summary="Refugees obtain work permits within a month."),
    })
    assert full_matches(client, "personas migrantes desaparecidas") == [
        "Tracing network for missing migrants"]
    assert "Work permits for refugees in Kampala" in full_matches(client, "personnes réfugiées")
    # Alone, or last, it is a word like any other ("trata de personas" is a concept).
    assert found(client, "personas") == []


BORDER_POST = dict(
    title="One-stop border post with joint processing",
    summary="Officers of two countries check travellers and goods once, at a single post on "
            "the border.")


def test_a_concept_found_nowhere_keeps_the_translations_of_its_words(client, make_practice,
                                                                     fillers):
    # No practice names "border management" as such, so each of its words is searched
    # alone. A French or Spanish word alone keeps its translations ("frontières" is
    # "border"), as the English word reaches the French and Spanish texts: the query finds
    # what its English twin finds, not nothing. (Management alone, "gestion" of a water
    # committee, is no answer in either language.)
    publish(make_practice, {"post": BORDER_POST, "cases": dict(
        title="Case management for unaccompanied children",
        summary="Social workers follow each child from arrival to a durable solution."),
        "gestion": dict(title="Gestion communautaire des points d'eau", language="fr",
                        summary="Les comités de quartier entretiennent les fontaines.")})
    english = found(client, "border management")
    assert BORDER_POST["title"] in english
    assert found(client, "gestion des frontières") == english
    assert found(client, "gestión de fronteras") == english
