"""The site's frame: /about and its siblings, the favicon, meta tags, compression, caching."""
from __future__ import annotations

import gzip
import re
import struct

import pytest

from kb import db
from kb.models import Practice
from tests.web.review_support import make_member, signed_in

FRAME_PAGES = {"/about": {"en": "About the repository", "fr": "À propos du répertoire",
                          "es": "Acerca del repositorio"},
               "/privacy": {"en": "Privacy", "fr": "Confidentialité", "es": "Privacidad"},
               "/accessibility": {"en": "Accessibility statement",
                                  "fr": "Déclaration d'accessibilité",
                                  "es": "Declaración de accesibilidad"},
               "/contact": {"en": "Contact", "fr": "Contact", "es": "Contacto"}}
LANGUAGE_DEPENDENT = ["/", "/practices", "/coverage", "/api", "/no-such-page", "/feed.atom",
                      "/api/v1/practices", "/api/v1/taxonomy", "/api/v1/stats",
                      "/api/v1/practices.csv"]


def _slug(app, practice_id: int) -> str:
    with app.app_context():
        return db.get_session().get(Practice, practice_id).slug


def _h1(html: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)).strip()


@pytest.mark.parametrize("path", FRAME_PAGES)
@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_frame_pages_answer_in_each_language_and_the_footer_links_them(client, path, lang):
    response = client.get(path, query_string={"lang": lang})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _h1(html).replace("&#39;", "'") == FRAME_PAGES[path][lang]
    footer = html.split('class="site-footer"', 1)[1]
    for linked in FRAME_PAGES:
        assert f'href="{linked}"' in footer


def test_about_lists_the_criteria_and_contact_gives_the_configured_address(app, client):
    app.config["CONTACT_EMAIL"] = "hub@example.org"
    about = client.get("/about").get_data(as_text=True)
    assert "Is innovative and replicable" in about
    assert "conflict of interest" in about
    for path in ("/contact", "/privacy", "/accessibility"):
        assert '<a href="mailto:hub@example.org">hub@example.org</a>' in \
            client.get(path).get_data(as_text=True)


def test_the_favicon_is_served_and_every_page_links_an_icon(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/vnd.microsoft.icon"
        reserved, kind, count = struct.unpack("<HHH", response.data[:6])
    assert (reserved, kind) == (0, 1)
    assert count >= 1
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/practices", "/coverage", "/api", "/about", "/privacy",
                                  "/accessibility", "/contact", "/login", "practice"])
def test_public_pages_have_a_description_and_alternates_in_the_three_languages(
        app, client, make_practice, path):
    if path == "practice":
        path = f"/practices/{_slug(app, make_practice(summary='A desk for newcomers.'))}"
    html = client.get(path).get_data(as_text=True)
    descriptions = re.findall(r'<meta name="description" content="([^"]*)"', html)
    assert len(descriptions) == 1
    assert len(descriptions[0]) > 20
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="(\w+)" href="([^"]+)"', html))
    assert set(alternates) == {"en", "fr", "es"}
    for code, href in alternates.items():
        assert href.startswith("http://kb.test" + path.split("?")[0])
        assert f"lang={code}" in href


def test_a_practice_page_description_is_its_summary(app, client, make_practice):
    slug = _slug(app, make_practice(summary="A desk where newcomers register."))
    html = client.get(f"/practices/{slug}").get_data(as_text=True)
    assert '<meta name="description" content="A desk where newcomers register.">' in html


@pytest.mark.parametrize(("lang", "locale"), [("en", "en_GB"), ("fr", "fr_FR"), ("es", "es_ES")])
def test_practice_pages_carry_a_site_image_and_the_locale_of_the_page(app, client,
                                                                     make_practice, lang,
                                                                     locale):
    slug = _slug(app, make_practice())
    html = client.get(f"/practices/{slug}", query_string={"lang": lang}).get_data(as_text=True)
    assert f'<meta property="og:locale" content="{locale}">' in html
    alternates = set(re.findall(r'og:locale:alternate" content="(\w+)"', html))
    assert alternates == {"en_GB", "fr_FR", "es_ES"} - {locale}
    image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert image.startswith("http://kb.test/")
    response = client.get(image.removeprefix("http://kb.test"))
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    response.close()


@pytest.mark.parametrize("path", ["/practices", "/static/css/kb.css", "/api/v1/practices",
                                  "/api/v1/practices.csv", "/api/v1/practices.json", "/"])
def test_text_answers_are_gzipped_for_clients_that_accept_it(client, make_practice, path):
    for n in range(3):
        make_practice(title=f"Compressible practice number {n}")
    with client.get(path) as plain:
        body = plain.data
    with client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"}) as packed:
        packed.get_data()
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == body
    assert len(packed.data) * 3 < len(body)


def test_a_gzipped_answer_keeps_validating_with_its_etag(client, make_practice):
    make_practice(title="A practice for the feed")
    first = client.get("/feed.atom", headers={"Accept-Encoding": "gzip"})
    assert first.headers["ETag"].startswith('W/"')
    again = client.get("/feed.atom", headers={"Accept-Encoding": "gzip",
                                              "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_small_and_binary_answers_are_not_compressed(client):
    icon = client.get("/favicon.ico", headers={"Accept-Encoding": "gzip"})
    assert icon.headers.get("Content-Encoding") is None
    icon.close()
    head = client.head("/practices", headers={"Accept-Encoding": "gzip"})
    assert head.headers.get("Content-Encoding") is None


@pytest.mark.parametrize("path", LANGUAGE_DEPENDENT)
def test_answers_that_follow_the_language_say_so_to_caches(client, make_practice, path):
    make_practice()
    # Closed unread: an open streamed answer (the CSV export) keeps its request's context,
    # which the garbage collector would pop again in the middle of a later test's request.
    with client.get(path) as response:
        assert "Accept-Language" in response.headers.get("Vary", "")
        assert response.headers.get("Cache-Control")
        assert "public" not in response.headers["Cache-Control"]


@pytest.mark.parametrize("path", ["/login", "/register", "/forgot-password"])
def test_sign_in_and_registration_pages_are_never_stored(client, path):
    assert "no-store" in client.get(path).headers["Cache-Control"]


def test_signed_in_pages_and_token_answers_are_private(app, client):
    user = make_member(app, "submitter")
    member = signed_in(app, user)
    assert member.get("/").headers["Cache-Control"] == "private, no-store"
    from kb.services import tokens

    with app.app_context():
        token = tokens.create_token(user, user)
    listed = client.get("/api/v1/submissions", headers={"Authorization": f"Bearer {token}"})
    assert listed.headers["Cache-Control"] == "private, no-store"


def test_the_token_page_shows_the_header_to_send_escaped(app):
    member = signed_in(app, make_member(app, "submitter"))
    html = member.get("/account/tokens").get_data(as_text=True)
    assert "Authorization: Bearer &lt;token&gt;" in html
    assert "<token>" not in html


def test_registration_selects_label_their_empty_first_option(client):
    html = client.get("/register").get_data(as_text=True)
    assert not re.search(r'<option[^>]*value=""[^>]*>\s*</option>', html)
    assert re.search(r'<option[^>]*value=""[^>]*>Choose one</option>', html)


def test_the_account_page_labels_each_password_field_with_its_own_form(app):
    html = signed_in(app, make_member(app, "submitter")).get("/account").get_data(as_text=True)
    for_ids = re.findall(r'<label for="([^"]+)">Current password', html)
    assert len(for_ids) == 2
    assert len(set(for_ids)) == 2
    for target in for_ids:
        assert html.count(f'id="{target}"') == 1


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ["Publiée", "Soumise", "Se rapporte"]), ("es", ["Publicada", "Enviada", "Se relaciona"]),
])
def test_the_review_timeline_names_states_and_checklist_items_in_the_language(app, lang,
                                                                              words):
    from kb.services import reviews, submissions

    submitter = make_member(app, "submitter")
    reviewer = make_member(app, "reviewer")
    with app.app_context():
        from tests.conftest import valid_record

        practice = submissions.create_draft(submitter, valid_record(), submit=True)
        reviews.claim(reviewer, practice.id, no_conflict=True)
        reviews.approve(reviewer, practice.id, {key: True for key in (
            "relates_to_objectives", "adheres_to_principles", "implemented", "completed",
            "innovative_replicable")})
        practice_id = practice.id
    html = signed_in(app, submitter).get(f"/submissions/{practice_id}",
                                         query_string={"lang": lang}).get_data(as_text=True)
    assert "relates to objectives" not in html
    assert "in_review" not in html
    assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", html)
    for word in words:
        assert word in html


@pytest.mark.parametrize(("query", "lang", "summary"), [
    ("", "en", "Filters"), ("?region=africa", "en", "Filters (1 selected)"),
    ("?region=africa&objective=13&year_from=2019", "fr", "Filtres (3 sélectionnés)"),
    ("?region=africa", "es", "Filtros (1 seleccionado)"),
])
def test_search_filters_start_closed_behind_a_count_of_the_selected_ones(client, make_practice,
                                                                       query, lang, summary):
    make_practice(regions=["africa"], objectives=[13])
    html = client.get("/practices" + query, headers={"Accept-Language": lang}) \
        .get_data(as_text=True)
    details = re.search(r'<details class="facets-toggle"([^>]*)>\s*<summary>(.*?)</summary>',
                        html, re.S)
    assert "open" not in details.group(1)
    assert re.sub(r"<[^>]+>", "", details.group(2)).strip() == summary
    assert html.index('id="results-h"') > html.index("facets-toggle")  # one line above results
