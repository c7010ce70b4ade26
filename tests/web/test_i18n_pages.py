"""Every page in French and Spanish: no English interface text left, <html lang>, the language
switcher and how the choice is remembered (cookie, account, Accept-Language), dates."""
from __future__ import annotations

import re
from collections.abc import Mapping

import pytest

from kb import db, workflow
from kb.models import Practice, User
from tests.conftest import PASSWORD, valid_record
from tests.i18n_support import (
    dispose,
    english_fragments,
    html_lang,
    interface_chunks,
    make_demo_app,
    reference_chunks,
)

ROLES = ("anonymous", "submitter", "reviewer", "admin")
NOT_PAGES = ("/api/", "/static/", "/feed.atom", "/sitemap.xml", "/robots.txt")


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, demo_files):
    app = make_demo_app(tmp_path_factory.mktemp("i18n-pages"), demo_files)
    from kb.services import accounts

    with app.app_context(), db.write_transaction():
        org = accounts.get_or_create_organization("Ville de Test")
        other = accounts.get_or_create_organization("Autre organisation")
        for role, organization in (("submitter", org), ("reviewer", other), ("admin", other)):
            accounts.create_user(f"{role}@i18n.test", f"Test {role}", PASSWORD, role=role,
                                 organization=organization)
    _create_draft(app)
    yield app
    dispose(app)


def _create_draft(app) -> None:
    from kb.services.transfer import create_practice
    from kb.services.validation import validate_record

    record = validate_record(valid_record(title="Brouillon de test"), complete=False)
    with app.app_context(), db.write_transaction() as session:
        submitter = session.query(User).filter_by(email="submitter@i18n.test").one()
        create_practice(session, record, "draft", submitter, submitter.organization)


def _client_as(app, role: str):
    client = app.test_client()
    if role != "anonymous":
        response = client.post("/login", data={"email": f"{role}@i18n.test",
                                               "password": PASSWORD})
        assert response.status_code in (302, 303), role
    return client


def _pages(app, role: str) -> list[str]:
    """The site's GET pages without parameters, plus pages about one practice."""
    paths = sorted({rule.rule for rule in app.url_map.iter_rules()
                    if "GET" in rule.methods and not rule.arguments
                    and not rule.rule.startswith(NOT_PAGES)})
    paths.append("/no-such-page")
    with app.app_context():
        session = db.get_session()
        published = session.query(Practice).filter_by(state="published", language="en").first()
        paths.append(f"/practices/{published.slug}")
        if role == "submitter":
            draft = session.query(Practice).filter_by(title="Brouillon de test").one()
            paths += [f"/submissions/{draft.id}", f"/submissions/{draft.id}/edit",
                      f"/submissions/{draft.id}/preview"]
        if role in ("reviewer", "admin"):
            waiting = session.query(Practice).filter_by(state="submitted").first()
            paths.append(f"/review/{waiting.id}")
    return paths


# English that no catalog entry holds: stored codes printed as they are and the English names
# of states, roles and checklist items (too short for the fragment list) standing alone in a
# text, a badge or a "state → state" line; ISO timestamps; "1 practices".
ENGLISH_NAMES = {
    "draft", "submitted", "in review", "in_review", "changes requested", "changes_requested",
    "published", "rejected", "withdrawn", "archived", "submitter", "reviewer", "admin",
    "administrator", *(key.replace("_", sep) for key in workflow.CHECKLIST_KEYS
                       for sep in ("_", " ")),
}
SEPARATORS = re.compile(r"\s*[→()✓✗·:,]\s*")
RAW_ENGLISH = re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|\b1 practices\b")


def _untranslated(html: str, lang: str, fragments: Mapping[str, str]) -> list[str]:
    # The page is parsed once, in two parts: the fragments are looked for in the whole page's
    # text; meta tags in the <head> carry machine dates and a practice's own words, so the
    # English names and raw forms are looked for in the body's alone.
    head, _, body = html.rpartition("</head>")
    body_chunks = interface_chunks(f'<html lang="{lang}">' + body, lang)
    text = " ".join([*interface_chunks(head, lang), *body_chunks])
    found = {fragment for fragment in fragments if fragment in text}
    for chunk in body_chunks:
        found |= {part for part in SEPARATORS.split(chunk) if part.lower() in ENGLISH_NAMES}
    return sorted(found | set(RAW_ENGLISH.findall(" ".join(body_chunks))))


# The same walk checks that no page repeats an id (ids do not depend on the language; a walk of
# the English pages for that alone rendered every page a third time).
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("lang", ["fr", "es"])
def test_every_page_shows_its_interface_in_the_chosen_language(demo_app, lang, role):
    fragments = english_fragments(lang)
    client = _client_as(demo_app, role)
    problems, repeated, seen = [], [], 0
    for path in _pages(demo_app, role):
        response = client.get(path, query_string={"lang": lang})
        if 300 <= response.status_code < 400 or response.mimetype != "text/html":
            response.close()
            continue
        seen += 1
        html = response.get_data(as_text=True)
        if html_lang(html) != lang:
            problems.append(f"{path}: <html lang={html_lang(html)!r}>")
        problems += [f"{path}: {fragment!r}" for fragment in _untranslated(html, lang, fragments)]
        repeated += [f"{path}: id={i!r}" for i in _repeated_ids(html)]
    assert seen >= (7 if role == "anonymous" else 15)
    assert not problems, f"English interface text on {lang} pages:\n" + "\n".join(problems)
    assert not repeated, "\n".join(repeated)


def _repeated_ids(html: str) -> list[str]:
    ids = re.findall(r"""<[a-zA-Z][^>]*?\sid=["']([^"']+)["']""", html)
    return sorted({i for i in ids if ids.count(i) > 1})


def test_the_id_check_notices_a_repeated_id():
    html = ('<form><input type="hidden" id="csrf_token"></form>'
            '<form><input id="csrf_token"><label for="x" id="y">x</label></form>')
    assert _repeated_ids(html) == ["csrf_token"]


def test_the_page_walk_notices_english_interface_text(demo_app):
    fragments = english_fragments("fr")
    html = ('<html lang="fr"><body><p>No practice matches this search.</p>'
            '<div lang="en"><p>Search the practices</p></div>'
            '<input type="submit" value="Submit for review"></body></html>')
    assert _untranslated(html, "fr", fragments) == ["No practice matches this search.",
                                                    "Submit for review"]
    html = ('<html lang="fr"><body><dl><dt>Rôle</dt><dd>reviewer</dd></dl>'
            '<p>(in review → published)</p><p>2026-11-29 16:13 UTC</p><p>1 practices</p>'
            '<ul><li>✓ relates to objectives</li></ul><p>Demo Reviewer</p>'
            '<p lang="en">Draft</p><code>in_review</code></body></html>')
    assert _untranslated(html, "fr", fragments) == [
        "1 practices", "2026-11-29 16:13", "in review", "published", "relates to objectives",
        "reviewer"]


# interface_chunks reads a page with one regular expression (the standard library's parser cost
# 2.5 times as much); reference_chunks, that parser with the same rules, is the plain reference
# it must agree with: on the demo's pages and on markup the templates seldom use.
TRICKY_HTML = (
    '<!DOCTYPE html><html lang="en"><head><title>A &amp; B</title>'
    '<script>if (a<b) { x = "</div>"; }</script><style>p > a {}</style></head>'
    '<body><!-- a comment <p>Hidden</p> --><p title=\'It&#39;s\' data-title="no">One'
    '<br/>two &lt;three&gt;<span lang="fr-CA">Bonjour <b>toi</b></span> four</p>'
    '<div lang=en-GB><input type=submit value="Send &amp; go"><button type="button">'
    'Click</button><img alt="Logo" src=x.png></div><code>in_review <i title="Code">'
    '</i></code> 1 < 2 <p>mis<em>nested</p> after</em><X-Custom Aria-Label="Big">Custom'
    '</X-Custom><input type="text" value="not a button" placeholder="Type here"/>'
    '<p lang>no value</p><p lang="fr">Non</p><a title="">empty</a>&nbsp;&#32;'
    '<div title="a > b" TITLE="last">x</div></ p> tail</body></html>\n\n')


def test_the_page_reader_reads_as_the_html_parser_does(demo_app):
    for lang in ("en", "fr"):
        assert interface_chunks(TRICKY_HTML, lang) == reference_chunks(TRICKY_HTML, lang)
    client = _client_as(demo_app, "admin")
    pages, read = _pages(demo_app, "admin"), 0
    for path in [*pages[::4], *pages[-2:]]:  # every fourth page, a practice's, a review's
        with client.get(path, query_string={"lang": "fr"}) as response:
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            html = response.get_data(as_text=True)
        assert interface_chunks(html, "fr") == reference_chunks(html, "fr"), path
        read += 1
    assert read >= 8


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Search practices"), ("fr", "Rechercher des pratiques"), ("es", "Buscar prácticas"),
])
def test_html_lang_and_navigation_follow_the_chosen_language(demo_app, lang, expected):
    html = demo_app.test_client().get("/", query_string={"lang": lang}).get_data(as_text=True)
    assert html_lang(html) == lang
    assert expected in html


def test_language_switcher_links_to_the_same_page_in_each_language(demo_app):
    html = demo_app.test_client().get("/practices?q=migration&region=africa") \
        .get_data(as_text=True)
    switcher = html.split('class="lang-switch"', 1)[1].split("</nav>", 1)[0]
    links = dict((code, href) for href, code in
                 re.findall(r'href="([^"]+)"\s+lang="(\w+)"', switcher))
    assert set(links) == {"en", "fr", "es"}
    for code, href in links.items():
        href = href.replace("&amp;", "&")
        assert href.startswith("/practices?")
        assert "q=migration" in href
        assert "region=africa" in href
        assert f"lang={code}" in href
    assert "<script" not in switcher


def test_a_chosen_language_is_remembered_in_a_cookie(demo_app):
    client = demo_app.test_client()
    client.get("/?lang=es")
    html = client.get("/coverage").get_data(as_text=True)
    assert html_lang(html) == "es"
    assert "Cobertura" in html


def test_the_browser_language_is_the_default(demo_app):
    client = demo_app.test_client()
    html = client.get("/", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"}) \
        .get_data(as_text=True)
    assert html_lang(html) == "fr"
    html = client.get("/", headers={"Accept-Language": "de, ja"}).get_data(as_text=True)
    assert html_lang(html) == "en"


def test_a_signed_in_users_choice_is_stored_in_the_account_and_follows_them(demo_app):
    _client_as(demo_app, "reviewer").get("/practices?lang=es")
    with demo_app.app_context():
        user = db.get_session().query(User).filter_by(email="reviewer@i18n.test").one()
        assert user.locale == "es"
    other_device = _client_as(demo_app, "reviewer")  # no language cookie here
    html = other_device.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert html_lang(html) == "es"


def test_a_user_who_never_chose_gets_the_language_the_site_showed_them(demo_app):
    from kb.services import accounts

    with demo_app.app_context(), db.write_transaction():
        accounts.create_user("newcomer@i18n.test", "Newcomer", PASSWORD, role="submitter",
                             organization=accounts.get_or_create_organization("Org i18n"))
    client = demo_app.test_client()
    client.post("/login", data={"email": "newcomer@i18n.test", "password": PASSWORD},
                headers={"Accept-Language": "fr"})
    client.get("/", headers={"Accept-Language": "fr"})
    with demo_app.app_context():
        user = db.get_session().query(User).filter_by(email="newcomer@i18n.test").one()
        assert user.locale == "fr"


@pytest.mark.parametrize(("lang", "pattern"), [
    ("en", r"Published [A-Z][a-z]{2} \d{1,2}, \d{4}\."),
    ("fr", r"Publiée le \d{1,2} (janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)\.? \d{4}"),
    ("es", r"Publicada el \d{1,2} (ene|feb|mar|abr|may|jun|jul|ago|sept?|oct|nov|dic)\.? \d{4}"),
])
def test_practice_dates_are_written_the_way_the_language_writes_them(demo_app, lang, pattern):
    with demo_app.app_context():
        practice = db.get_session().query(Practice).filter_by(state="published").first()
        slug = practice.slug
    html = demo_app.test_client().get(f"/practices/{slug}", query_string={"lang": lang}) \
        .get_data(as_text=True)
    assert re.search(pattern, html), re.findall(r'data-field="dates">[^<]*', html)


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_a_practice_keeps_its_own_language_marked_on_its_content(demo_app, lang):
    with demo_app.app_context():
        practice = db.get_session().query(Practice).filter_by(state="published",
                                                              language="es").first()
        slug, title = practice.slug, practice.title
    html = demo_app.test_client().get(f"/practices/{slug}", query_string={"lang": lang}) \
        .get_data(as_text=True)
    assert html_lang(html) == lang
    assert re.search(r'<h1[^>]*lang="es"[^>]*>' + re.escape(title), html) or \
        re.search(r'lang="es"[^>]*>\s*<h1[^>]*>' + re.escape(title), html), \
        "the entry's title is not marked as Spanish"


@pytest.mark.parametrize(("lang", "required"), [("fr", "Ce champ est requis"),
                                               ("es", "Este campo es obligatorio")])
def test_form_errors_and_flash_messages_are_in_the_chosen_language(demo_app, lang, required):
    fragments = english_fragments(lang)
    client = demo_app.test_client()
    client.get("/", query_string={"lang": lang})
    html = client.post("/register", data={}).get_data(as_text=True)
    assert _untranslated(html, lang, fragments) == []
    assert required.lower() in html.lower()
    html = client.post("/login", data={"email": "nobody@i18n.test", "password": "wrong"},
                       follow_redirects=True).get_data(as_text=True)
    assert html_lang(html) == lang
    assert _untranslated(html, lang, fragments) == []
    assert "Email or password is not right." not in html


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "12,345.5 · Jan 28, 2026"), ("fr", "12 345,5 · 28 janv. 2026"),
    ("es", "12.345,5 · 28 ene 2026"),
])
def test_template_helpers_write_numbers_and_dates_the_way_the_language_does(demo_app, lang,
                                                                            expected):
    import datetime as dt

    from flask import render_template_string

    with demo_app.test_request_context("/", query_string={"lang": lang}):
        text = render_template_string("{{ format_number(12345.5) }} · {{ format_date(day) }}",
                                      day=dt.datetime(2026, 1, 28, 12, tzinfo=dt.UTC))
    assert text.replace("\u202f", " ").replace("\xa0", " ") == expected


def test_the_page_walk_reads_interface_text_nested_inside_an_entry(demo_app):
    fragments = english_fragments("es")
    html = ('<html lang="es"><body><article lang="fr"><h1>Titre</h1>'
            '<h2 lang="es">Lessons learned and pitfalls</h2><p>Search the practices</p>'
            '</article></body></html>')
    assert _untranslated(html, "es", fragments) == ["Lessons learned and pitfalls"]


def test_an_explicit_choice_beats_the_cookie_and_an_unknown_language_is_ignored(demo_app):
    client = demo_app.test_client()
    client.get("/?lang=es")
    assert html_lang(client.get("/?lang=fr").get_data(as_text=True)) == "fr"
    assert html_lang(client.get("/coverage?lang=de").get_data(as_text=True)) == "fr"
    fresh = demo_app.test_client()
    html = fresh.get("/?lang=xx", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert html_lang(html) == "es"
