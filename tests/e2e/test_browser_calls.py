"""Calls for practices and featured collections in a real browser: an admin opens a call and
builds a collection; a submitter answers the call from its page; visitors read the call and
collection pages. Every page is screenshotted at 1280 and 375 px and checked with axe-core."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.e2e import browser, servers
from tests.e2e.browser.practice_form import field, sign_in
from tests.e2e.production_data import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.production]

ADMIN = "curator@example.org"


@pytest.fixture
def site(demo_site):
    """The demo site (tests/e2e/conftest.py) with an admin who curates calls and collections."""
    servers.kb_cli(demo_site.env(), "users", "create", ADMIN, "--role", "admin", "--name",
                   "Curator", "--password-stdin", stdin=PASSWORD + "\n")
    return demo_site


def test_calls_and_collections_pages_work_in_a_real_browser(site, chromium):
    base = site.base
    axe = browser.axe_source()
    problems: list[str] = []
    today = dt.datetime.now(dt.UTC).date()

    admin = sign_in(chromium.new_context(), base, ADMIN)
    admin.goto(base + "/admin/calls/new")
    problems += browser.check_page(admin, "admin-call-form", axe)
    field(admin, "Title").fill("Skills for the green transition")
    field(admin, "Description: who may submit, criteria (Markdown)").fill(
        "Who may submit: **training providers** and cities.")
    admin.locator('input[name="objectives"][value="18"]').check()
    field(admin, "Opens on (UTC date, inclusive)").fill(today.isoformat())
    field(admin, "Closes on (UTC date, inclusive)").fill(
        (today + dt.timedelta(days=30)).isoformat())
    field(admin, "Contact address (public)").fill("green@example.org")
    admin.get_by_role("button", name="Save the call").click()
    admin.wait_for_url(base + "/admin/calls")
    assert admin.get_by_role("link", name="Skills for the green transition",
                             exact=True).is_visible()
    problems += browser.check_page(admin, "admin-calls", axe)

    admin.goto(base + "/admin/collections/new")
    field(admin, "Title").fill("Labour mobility that works")
    field(admin, "Introduction (Markdown)").fill("Chosen for **International Migrants Day**.")
    admin.get_by_role("button", name="Save the collection").click()
    admin.wait_for_url(re.compile(r".*/admin/collections/labour-mobility-that-works$"))
    for title_start in ("Portable pension accounts", "Flexible seasonal work permits"):
        visitor_search = admin.context.new_page()
        visitor_search.goto(base + "/practices?q=" + title_start.replace(" ", "+"))
        slug = visitor_search.get_by_role("link", name=re.compile("^" + title_start)).first \
            .get_attribute("href").rsplit("/", 1)[-1]
        visitor_search.close()
        field(admin, "Practice address (slug) or its page's URL").fill(slug)
        admin.get_by_role("button", name="Add the practice").click()
    admin.get_by_role("button", name=re.compile("^Move down")).first.click()
    field(admin, "Published (shown to the public)").check()
    admin.get_by_role("button", name="Save the collection").click()
    problems += browser.check_page(admin, "admin-collection", axe)

    submitter = chromium.new_context().new_page()
    submitter.goto(base + "/register")
    field(submitter, "Your name").fill("Ravi Submitter")
    field(submitter, "Email").fill("ravi@example.org")
    field(submitter, "Password").fill(PASSWORD)
    field(submitter, "Organization").fill("Green Skills Institute")
    field(submitter, "Type of organization").select_option(index=1)
    field(submitter, "Level").select_option(index=1)
    submitter.get_by_role("button", name="Create account").click()
    submitter.wait_for_url(base + "/")
    submitter.goto(base + "/calls/")
    problems += browser.check_page(submitter, "calls", axe)
    submitter.get_by_role("link", name="Skills for the green transition", exact=True).click()
    assert "30 days left." in submitter.content()
    problems += browser.check_page(submitter, "call", axe)
    submitter.get_by_role("link", name="Submit a practice to this call").click()
    submitter.wait_for_url(re.compile(r".*/submissions/new\?call=skills-for-the-green-"))
    assert "Answering the call:" in submitter.content()
    problems += browser.check_page(submitter, "submission-form-call", axe)
    field(submitter, "Title").fill("Solar technician apprenticeships for newcomers")
    submitter.get_by_role("button", name="Save draft").click()
    submitter.wait_for_url(re.compile(r".*/submissions/\d+/edit(\?.*)?$"))
    assert "Skills for the green transition" in submitter.content()  # the draft keeps it

    visitor = chromium.new_context().new_page()
    visitor.goto(base + "/")
    assert visitor.get_by_role("heading", name="Open calls for practices").is_visible()
    problems += browser.check_page(visitor, "home-calls", axe)
    visitor.goto(base + "/collections/")
    problems += browser.check_page(visitor, "collections", axe)
    visitor.get_by_role("link", name="Labour mobility that works", exact=True).click()
    titles = visitor.locator("h3.card-title").all_inner_texts()
    assert titles[0].startswith("Flexible seasonal work permits"), titles
    problems += browser.check_page(visitor, "collection", axe)
    visitor.goto(base + "/calls/migration-data")
    problems += browser.check_page(visitor, "call-closed", axe)

    assert not problems, "\n".join(problems)
