"""Browsing on a phone and the site's frame in a real browser, at 1280 and 375 px wide.

Screenshots go to artifacts/browser/ (frame-*.png); axe-core checks each page and the Nu Html
Checker reads each page's source (tests/e2e/conftest.py).
"""
from __future__ import annotations

import re

import pytest

from tests.e2e import browser
from tests.e2e.production_data import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.production]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def shot(page, name: str) -> None:
    browser.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(browser.ARTIFACTS / f"{name}.png"), full_page=False)


def test_on_a_phone_results_come_first_and_filters_open_on_demand(demo_site, chromium):
    axe = browser.axe_source()
    phone = chromium.new_context(viewport=PHONE).new_page()
    phone.goto(demo_site.base + "/practices?region=africa")
    toggle = phone.get_by_text("Filters (1 selected)")
    results = phone.get_by_role("heading", name=re.compile(r"practices? found"))
    facet_link = phone.locator("aside.facets .facet").first.get_by_role("link").first
    assert toggle.is_visible()
    assert not facet_link.is_visible()
    assert results.bounding_box()["y"] < PHONE["height"] - 100  # today: 2,300-3,200 px down
    shot(phone, "frame-search-phone-closed-375")
    toggle.click()
    assert facet_link.is_visible()
    shot(phone, "frame-search-phone-open-375")
    facet_link.click()
    phone.wait_for_url(re.compile(r".*objective="))
    assert phone.get_by_text("Filters (2 selected)").is_visible()

    desktop = chromium.new_context(viewport=DESKTOP).new_page()
    desktop.goto(demo_site.base + "/practices?region=africa&lang=fr")
    assert desktop.get_by_text("Filtres (1 sélectionné)").is_visible()
    assert desktop.locator("aside.facets .facet").first.is_visible()  # no click needed
    shot(desktop, "frame-search-desktop-1280")
    problems = browser.check_page(desktop, "frame-search", axe)
    assert not problems, "\n".join(problems)


def _header_boxes(page) -> list[dict]:
    return page.eval_on_selector_all(
        ".heatmap-svg text.heat-head",
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {left: r.left, right: r.right, text: e.textContent}; })")


@pytest.mark.parametrize("width", [1280, 375])
def test_the_coverage_heat_map_is_readable_in_every_language(demo_site, chromium, width):
    axe = browser.axe_source()
    page = chromium.new_context(viewport={"width": width, "height": 900}).new_page()
    problems = []
    for lang in ("en", "fr", "es"):
        page.goto(f"{demo_site.base}/coverage?lang={lang}")
        boxes = _header_boxes(page)
        assert len(boxes) == 5
        for left, right in zip(boxes, boxes[1:], strict=False):
            assert left["right"] <= right["left"], f"{lang}: {left['text']!r} / {right['text']!r}"
        # Readable: the cell numbers keep at least 11 px of height on the screen.
        heights = page.eval_on_selector_all(
            ".heatmap-svg text.heat-count", "els => els.map(e => e.getBoundingClientRect().height)")
        assert min(heights) >= 11, (lang, min(heights))
        heatmap = page.locator(".heatmap-scroll")
        heatmap.scroll_into_view_if_needed()
        heatmap.screenshot(path=str(browser.ARTIFACTS / f"frame-heatmap-{lang}-{width}.png"))
        problems += browser.check_page(page, f"frame-coverage-{lang}", axe)
    if width == 375:
        scrollable = page.eval_on_selector(".heatmap-scroll", "e => e.scrollWidth > e.clientWidth")
        assert scrollable
        assert page.locator(".heatmap-scroll").get_attribute("tabindex") == "0"
    assert not problems, "\n".join(problems)


FRAME = [("About", "About the repository"), ("Privacy", "Privacy"),
         ("Accessibility", "Accessibility statement"), ("Contact", "Contact")]
FRAME_FR = [("À propos", "À propos du répertoire"), ("Confidentialité", "Confidentialité"),
            ("Accessibilité", "Déclaration d'accessibilité"), ("Contact", "Contact")]


def test_the_frame_pages_are_linked_from_every_footer_and_the_favicon_is_served(demo_site,
                                                                               chromium):
    axe = browser.axe_source()
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    problems = []
    for lang, links in (("en", FRAME), ("fr", FRAME_FR)):
        page.goto(f"{demo_site.base}/?lang={lang}")
        for link, heading in links:
            page.locator("footer").get_by_role("link", name=link, exact=True).click()
            assert page.get_by_role("heading", level=1, name=heading).is_visible()
            name = f"frame-{link.lower()}-{lang}".replace("à propos", "a-propos")
            problems += browser.check_page(page, re.sub(r"[^a-z-]", "", name), axe)
    assert context.request.get(demo_site.base + "/favicon.ico").status == 200
    assert not [url for url in missing if url.endswith("/favicon.ico")]
    assert page.evaluate("document.querySelector('link[rel=icon]').href").endswith("/favicon.ico")
    for path, name in (("/", "frame-home"), ("/api?lang=es", "frame-api-es"),
                       ("/login", "frame-login"), ("/register", "frame-register"),
                       ("/no-such-page", "frame-404")):
        page.goto(demo_site.base + path)
        problems += browser.check_page(page, name, axe)
    page.goto(demo_site.base + "/practices")
    page.locator("ol.cards a").first.click()
    problems += browser.check_page(page, "frame-practice", axe)
    assert page.locator('meta[property="og:image"]').count() == 1
    assert not problems, "\n".join(problems)


def test_account_pages_of_a_signed_in_user_pass_the_checks(demo_site, chromium):
    axe = browser.axe_source()
    page = chromium.new_context(viewport=DESKTOP).new_page()
    page.goto(demo_site.base + "/login?lang=es")
    email = demo_site.seed["reviewers"]["reviewer"]
    page.get_by_label("Correo electrónico", exact=True).fill(email)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url(re.compile(r".*/(\?.*)?$"))
    problems = []
    for path, name in (("/account", "frame-account-es"), ("/account/tokens", "frame-tokens-es")):
        page.goto(demo_site.base + path)
        problems += browser.check_page(page, name, axe)
    assert "Authorization: Bearer <token>" in page.locator("main").inner_text()
    assert not problems, "\n".join(problems)
