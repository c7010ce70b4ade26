"""The submission form and its pages in a real browser, by visible labels: with scripts at
1280 px (live counters, the country search, focus on the error summary) and without scripts
at 375 px (every step still works). Every page is screenshotted at 1280 and 375 px into
artifacts/browser/forms-*.png and, where scripts run, checked by axe-core (axe needs them: the
script-less walk visits the same templates the first test checks)."""
from __future__ import annotations

import re

import pytest

from tests.e2e import browser
from tests.e2e.browser.practice_form import field, fill_steps, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.production]

SUBMITTER = "submitter@example.org"  # seeded by tests/e2e/production_data.py


def test_the_stepped_form_with_scripts_then_review_with_an_override(review_site, chromium):
    base = f"http://127.0.0.1:{review_site.server.port}"
    axe = browser.axe_source()
    problems: list[str] = []

    def check(page, name: str) -> None:
        problems.extend(browser.check_page(page, f"forms-{name}", axe))

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = sign_in(context, base, SUBMITTER)
    page.goto(base + "/submissions/new")
    assert page.get_by_text("Step 1 of 8").is_visible()
    field(page, "Title").fill("T" * 201)
    counter = page.locator("#title-count")
    assert counter.text_content() == "201 of 200 characters"
    assert "over" in counter.get_attribute("class")
    page.get_by_role("button", name="Next", exact=True).click()
    summary = page.locator("#error-summary")
    assert "At most 200 characters (this has 201)" in summary.text_content()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    check(page, "error-summary")
    summary.get_by_role("link", name=re.compile("^Title")).click()
    assert page.evaluate("document.activeElement.id") == "title"
    assert field(page, "Title").input_value() == "T" * 201  # kept, never cut

    practice_id = fill_steps(page, "Language cafés in Lyon", lambda step: check(page, step))
    assert page.get_by_role("heading", name="Ready to submit").is_visible()

    page.goto(f"{base}/submissions/{practice_id}/edit?step=where")
    picker = page.get_by_role("group", name="Countries")
    assert "Chosen: Kenya" in picker.text_content()
    page.get_by_label("Find a country").fill("fran")
    assert picker.get_by_label("France", exact=True).is_visible()
    assert not picker.get_by_label("Kenya", exact=True).is_visible()
    assert not picker.get_by_label("Germany", exact=True).is_visible()
    check(page, "country-search")

    page.goto(f"{base}/submissions/{practice_id}/edit?step=resources")
    page.get_by_role("button", name="Add another link").click()
    page.get_by_role("group", name="Link 2").get_by_label("Title of the resource").fill("Video")
    page.get_by_role("group", name="Link 2").get_by_label(
        "Web address (http:// or https://)").fill("https://example.org/v")
    page.get_by_role("button", name="Remove link 1").click()
    assert page.get_by_role("group", name="Link 1").get_by_label(
        "Title of the resource").input_value() == "Video"
    check(page, "resources-rows")

    page.get_by_role("link", name="Review and submit").click()
    page.get_by_role("link", name="Preview as the public will see it").click()
    bar = page.get_by_role("navigation", name="Preview actions")
    assert bar.get_by_role("link", name="Edit").is_visible()
    assert bar.get_by_role("link", name="Back to my practices").is_visible()
    check(page, "preview")
    bar.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(f"{base}/submissions/{practice_id}")
    check(page, "detail-submitted")

    reviewer = sign_in(chromium.new_context(), base, review_site.seed["reviewers"]["reviewer"])
    reviewer.goto(f"{base}/review/{practice_id}")
    reviewer.get_by_label(re.compile("I declare that I have no conflict of interest")).check()
    reviewer.get_by_role("button", name="Claim for review").click()
    field(reviewer, "Approve and publish").check()
    field(reviewer, "Comment to the submitter").fill("Published: a clear, useful entry.")
    reviewer.get_by_role("button", name="Record decision").click()
    assert "Required when a screening criterion is not ticked" in reviewer.content()
    problems.extend(browser.check_page(reviewer, "forms-review-refused", axe))
    field(reviewer, "Reason to approve without every criterion").fill(
        "A pilot whose evaluation is due next year.")
    reviewer.get_by_role("button", name="Record decision").click()
    reviewer.wait_for_url(re.compile(r".*/review/$"))

    page.goto(f"{base}/submissions/{practice_id}")
    latest = page.get_by_role("region", name="The reviewer's latest comment")
    assert "Published: a clear, useful entry." in latest.text_content()
    assert "Approved without a complete checklist. Reason: A pilot whose evaluation" in (
        page.get_by_role("region", name="Review timeline").text_content())
    check(page, "detail-published")

    # A draft deleted after confirmation; another withdrawn after confirmation.
    for title, link, confirm, name in (
            ("Draft to delete", "Delete draft", "Yes, delete the draft", "delete-confirm"),
            ("Draft to withdraw", "Withdraw", "Yes, withdraw it", "withdraw-confirm")):
        page.goto(base + "/submissions/new")
        field(page, "Title").fill(title)
        page.get_by_role("button", name="Save draft").click()
        draft_id = int(re.search(r"/submissions/(\d+)/", page.url).group(1))
        page.goto(f"{base}/submissions/{draft_id}")
        page.get_by_role("link", name=link, exact=True).click()
        check(page, name)
        page.get_by_role("button", name=confirm).click()
    page.wait_for_url(f"{base}/submissions/{draft_id}")
    assert page.get_by_text("Withdrawn", exact=True).first.is_visible()
    page.goto(base + "/submissions/")
    assert "Draft to delete" not in page.content()
    check(page, "my-practices")

    assert not problems, "\n".join(problems)


def test_every_step_works_without_scripts_on_a_phone(review_site, chromium):
    base = f"http://127.0.0.1:{review_site.server.port}"
    context = chromium.new_context(java_script_enabled=False,
                                   viewport={"width": 375, "height": 740})
    page = sign_in(context, base, SUBMITTER)
    page.goto(base + "/submissions/new")
    assert page.get_by_text("At most 600 characters.").is_visible()  # the limit, without JS
    field(page, "Title").fill("Phone-typed practice")
    field(page, "Summary").fill("s" * 700)
    page.get_by_role("button", name="Next", exact=True).click()
    summary = page.locator("#error-summary")
    assert "Nothing was saved" in summary.text_content()
    assert "this has 700" in summary.text_content()
    assert field(page, "Summary").input_value() == "s" * 700
    browser.screenshots(page, "forms-nojs-error-summary")

    def visit(step: str) -> None:
        browser.screenshots(page, f"forms-nojs-{step}")
        if step == "where":  # no search box: the countries are grouped by region
            assert not page.get_by_label("Find a country").is_visible()
        if step == "resources":  # rows are added by a button that saves first
            page.get_by_role("button", name="Add another link").click()
            assert page.get_by_role("group", name="Link 2").is_visible()

    practice_id = fill_steps(page, "Phone-typed practice", visit)
    assert page.get_by_role("heading", name="Ready to submit").is_visible()
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(f"{base}/submissions/{practice_id}")
    browser.screenshots(page, "forms-nojs-detail")
    page.goto(f"{base}/submissions/{practice_id}/edit?step=what")
    assert page.url.endswith(f"/submissions/{practice_id}")  # submitted: no longer editable
