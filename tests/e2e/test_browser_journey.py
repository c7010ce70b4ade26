"""The whole review loop in a real browser, with axe-core checks and screenshots of each page."""
from __future__ import annotations

import re

import pytest

from tests.e2e import browser
from tests.e2e.browser.practice_form import field, fill_steps, sign_in
from tests.e2e.production_data import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.production]

TITLE = "Night school for newly arrived adults in Nairobi"
CHECKLIST = ["Relates to one or more of the 23 GCM objectives",
             "Adheres to the 10 guiding principles",
             "Was implemented (not a proposal), ideally after December 2018",
             "Is fully or mostly completed", "Is innovative and replicable"]


def test_a_practice_goes_from_registration_to_search_in_a_real_browser(review_site, chromium):
    base = f"http://127.0.0.1:{review_site.server.port}"
    axe = browser.axe_source()
    problems: list[str] = []

    submitter = chromium.new_context().new_page()
    submitter.goto(base + "/register")
    field(submitter, "Your name").fill("Amina Submitter")
    field(submitter, "Email").fill("amina@example.org")
    field(submitter, "Password").fill(PASSWORD)
    field(submitter, "Organization").fill("Nairobi City County")
    field(submitter, "Type of organization").select_option(index=1)
    field(submitter, "Level").select_option(index=1)
    submitter.get_by_role("button", name="Create account").click()
    submitter.wait_for_url(base + "/")

    submitter.goto(base + "/submissions/new")
    problems += browser.check_page(submitter, "submission-form", axe)
    practice_id = fill_steps(submitter, TITLE)
    problems += browser.check_page(submitter, "submission-review-step", axe)
    assert "Ready to submit" in submitter.content()
    submitter.get_by_role("button", name="Submit for review").click()
    submitter.wait_for_url(f"{base}/submissions/{practice_id}")
    problems += browser.check_page(submitter, "submission-detail", axe)

    reviewer = sign_in(chromium.new_context(), base, review_site.seed["reviewers"]["reviewer"])
    reviewer.goto(base + "/review/")
    problems += browser.check_page(reviewer, "review-queue", axe)
    reviewer.get_by_role("link", name=TITLE).first.click()
    reviewer.get_by_label(re.compile("I declare that I have no conflict of interest")).check()
    reviewer.get_by_role("button", name="Claim for review").click()
    problems += browser.check_page(reviewer, "review-detail", axe)
    field(reviewer, "Request changes (comment required)").check()
    field(reviewer, "Comment to the submitter").fill("Please add the number of classes.")
    reviewer.get_by_role("button", name="Record decision").click()
    reviewer.wait_for_url(re.compile(r".*/review/$"))

    submitter.goto(f"{base}/submissions/{practice_id}")
    assert "Please add the number of classes." in submitter.content()
    submitter.get_by_role("link", name="Edit", exact=True).click()
    field(submitter, "Summary").fill("Evening classes, 120 a year, in language and work.")
    submitter.get_by_role("button", name="Save draft").click()
    submitter.get_by_role("link", name="Review and submit").click()
    submitter.get_by_role("button", name="Submit for review").click()
    submitter.wait_for_url(f"{base}/submissions/{practice_id}")

    reviewer.goto(f"{base}/review/{practice_id}")
    reviewer.get_by_label(re.compile("I declare that I have no conflict of interest")).check()
    reviewer.get_by_role("button", name="Claim for review").click()
    for item in CHECKLIST:
        field(reviewer, item).check()
    field(reviewer, "Approve and publish").check()
    reviewer.get_by_role("button", name="Record decision").click()
    reviewer.wait_for_url(re.compile(r".*/review/$"))

    visitor = chromium.new_context().new_page()
    visitor.goto(base + "/")
    problems += browser.check_page(visitor, "home", axe)
    visitor.goto(base + "/practices")
    facets = visitor.locator("aside.facets")
    facets.get_by_role("link", name=re.compile(r"^\s*Africa")).first.click()
    visitor.wait_for_url(re.compile(r".*region=africa"))
    facets.get_by_role("link", name=re.compile(r"^\s*16\. ")).first.click()
    visitor.wait_for_url(re.compile(r".*objective=16"))
    problems += browser.check_page(visitor, "search", axe)
    visitor.get_by_role("link", name=TITLE).first.click()
    assert visitor.get_by_role("heading", name=TITLE).is_visible()
    assert "focal@example.org" not in visitor.content()  # the contact was not made public
    problems += browser.check_page(visitor, "practice", axe)
    visitor.goto(base + "/coverage")
    problems += browser.check_page(visitor, "coverage", axe)

    assert not problems, "\n".join(problems)
