"""The sorts, the page size limit and the site's languages are what every surface offers.

Each has one definition (kb.search.SORTS, kb.search.MAX_PER_PAGE, kb.taxonomy.LOCALES); the
search form, the API, its OpenAPI document and the language switcher follow it.
"""
from __future__ import annotations

import re

from kb.search import MAX_PER_PAGE, SORTS
from kb.taxonomy import LOCALES


def _parameter(document: dict, path: str, name: str) -> dict:
    return next(p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name)


def test_the_search_form_offers_every_sort_and_each_one_works(client, make_practice):
    make_practice(title="Desk for newcomers")
    html = client.get("/practices").get_data(as_text=True)
    menu = re.search(r'<select[^>]*name="sort".*?</select>', html, re.S)
    assert menu, "no sort menu"
    assert tuple(re.findall(r'<option value="([^"]+)"', menu.group(0))) == SORTS
    for sort in SORTS:
        assert client.get(f"/practices?sort={sort}").status_code == 200
        assert client.get(f"/api/v1/practices?sort={sort}").status_code == 200
    assert client.get("/api/v1/practices?sort=oldest").status_code == 400


def test_the_api_and_its_document_share_the_limits(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert _parameter(document, "/api/v1/practices", "sort")["schema"]["enum"] == list(SORTS)
    per_page = _parameter(document, "/api/v1/practices", "per_page")["schema"]
    assert per_page["maximum"] == MAX_PER_PAGE
    assert client.get(f"/api/v1/practices?per_page={MAX_PER_PAGE}").status_code == 200
    assert client.get(f"/api/v1/practices?per_page={MAX_PER_PAGE + 1}").status_code == 400
    for name in ("qlang", "lang"):
        assert _parameter(document, "/api/v1/practices", name)["schema"]["enum"] == list(LOCALES)


def test_the_language_switcher_offers_the_sites_languages(client):
    html = client.get("/").get_data(as_text=True)
    switcher = re.search(r'class="lang-switch".*?</ul>', html, re.S)
    assert switcher, "no language switcher"
    assert tuple(re.findall(r'hreflang="([a-z]+)"', switcher.group(0))) == LOCALES
    for code in LOCALES:
        assert f'<html lang="{code}"' in client.get(f"/?lang={code}").get_data(as_text=True)
