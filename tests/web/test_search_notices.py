"""Search notices and parameter problems reach the reader in their language (codes inside)."""
from __future__ import annotations

import html

import pytest

FRENCH = {"shortened": "Votre recherche a été raccourcie à ses 256 premiers caractères.",
          "repaired": "Certains opérateurs de recherche ont été ignorés ou corrigés.",
          "sort": "L’une des valeurs suivantes : relevance, newest, title, start_year.",
          "bad": "Certains paramètres ne sont pas valides."}
SPANISH = {"shortened": "Su búsqueda se acortó a sus primeros 256 caracteres.",
           "repaired": "Algunos operadores de búsqueda se ignoraron o se corrigieron.",
           "sort": "Uno de estos valores: relevance, newest, title, start_year.",
           "bad": "Algunos parámetros no son válidos."}


@pytest.fixture
def searchable(client, make_practice):
    make_practice(title="Remittance corridors made cheaper")
    return client


@pytest.mark.parametrize(("lang", "texts"), [("fr", FRENCH), ("es", SPANISH)])
def test_notices_are_codes_in_the_api_and_translated_text_on_page_and_api(searchable, lang,
                                                                          texts):
    params = {"q": "((" + "remittance " * 30, "lang": lang}
    body = searchable.get("/api/v1/practices", query_string=params,
                          headers={"Accept-Language": lang}).get_json()
    assert [n["code"] for n in body["notices"]] == ["query_shortened", "operators_repaired"]
    assert [n["message"] for n in body["notices"]] == [texts["shortened"], texts["repaired"]]
    page = html.unescape(searchable.get("/practices", query_string=params,
                                        headers={"Accept-Language": lang}).get_data(as_text=True))
    assert texts["shortened"] in page
    assert texts["repaired"] in page


@pytest.mark.parametrize(("lang", "texts"), [("fr", FRENCH), ("es", SPANISH)])
def test_parameter_problems_are_translated_in_the_api_and_on_the_page(searchable, lang, texts):
    params = {"sort": "random", "lang": lang}
    response = searchable.get("/api/v1/practices", query_string=params,
                              headers={"Accept-Language": lang})
    assert response.status_code == 400
    error = response.get_json()["error"]
    # The documented-parameter check answers before the search service does.
    assert error["message"] == texts["bad"]
    assert error["fields"]["sort"] == [texts["sort"]]
    page = searchable.get("/practices", query_string=params, headers={"Accept-Language": lang})
    assert page.status_code == 200
    assert texts["sort"] in html.unescape(page.get_data(as_text=True))


def test_english_is_the_default(searchable):
    body = searchable.get("/api/v1/practices", query_string={"q": "NOT"}).get_json()
    assert body["notices"] == [{"code": "operators_repaired",
                                "message": "Some search operators were ignored or repaired."}]
    assert body["message"] == "Some search operators were ignored or repaired."
