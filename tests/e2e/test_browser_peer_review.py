"""Peer review on a phone (375 px) in a real browser with KB_REVIEWS_REQUIRED=3: the queue's
counts, the claim, the recommendation form's error linked to its field, no sideways scrolling.

axe-core checks each page and the Nu Html Checker reads each page's source
(tests/e2e/conftest.py); screenshots go to artifacts/browser/ (peer-*.png).
"""
from __future__ import annotations

import re

import pytest

from tests.e2e import browser
from tests.e2e.production_data import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.production]

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def site(make_site):
    # r1 claimed "Practice 0 for r1" before the setting changed: one of its three slots.
    found = make_site("sqlite", ["r1", "r2"], per_reviewer=1)
    found.server = found.serve(workers=2, KB_REVIEWS_REQUIRED="3")
    found.base = f"http://127.0.0.1:{found.server.port}"
    return found


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_reviewer_claims_and_recommends_on_a_phone(site, chromium):
    axe = browser.axe_source()
    page = chromium.new_context(viewport=PHONE).new_page()
    page.goto(site.base + "/login")
    page.get_by_label("Email", exact=True).fill(site.seed["reviewers"]["r2"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/(\?.*)?$"))

    page.goto(site.base + "/review/")
    row = page.locator("tr", has_text="Practice 0 for r1")
    assert "0 of 3 reviews · 1 claimed" in row.inner_text()
    problems = browser.check_page(page, "peer-queue", axe)
    row.get_by_role("link", name="Practice 0 for r1").click()
    page.get_by_label(re.compile("I declare that I have no conflict of interest")).check()
    page.get_by_role("button", name="Claim for review").click()
    assert page.get_by_role("group", name="Your recommendation").is_visible()
    assert fits_the_phone(page)

    page.get_by_label("Request changes (comment required)").check()
    page.get_by_role("button", name="Record recommendation").click()
    summary_link = page.locator(".error-summary a", has_text="A comment is required")
    assert summary_link.get_attribute("href") == "#comment"
    assert page.locator("#comment").get_attribute("aria-describedby").endswith("comment-error")
    problems += browser.check_page(page, "peer-recommend-error", axe)
    assert fits_the_phone(page)

    page.get_by_label("Comment to the submitter").fill("Please add the 2023 figures.")
    page.get_by_role("button", name="Record recommendation").click()
    assert page.get_by_text("Your recommendation is recorded.").is_visible()
    assert page.get_by_text("Recommendation recorded: Request changes").is_visible()
    problems += browser.check_page(page, "peer-recorded", axe)
    assert fits_the_phone(page)
    assert not problems, "\n".join(problems)
