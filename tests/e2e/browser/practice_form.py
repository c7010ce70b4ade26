"""Walk the stepped submission form in a browser by its visible labels, as a person would."""
from __future__ import annotations

import re
from collections.abc import Callable

from tests.e2e.production_data import PASSWORD


def field(page, label: str):
    """The control whose visible label is exactly ``label``."""
    return page.get_by_label(label, exact=True)


def next_step(page, step: str) -> None:
    """Press "Next" and wait for the step named ``step``."""
    page.get_by_role("button", name="Next", exact=True).click()
    page.wait_for_url(re.compile(rf".*/submissions/\d+/edit\?step={step}$"))


def sign_in(context, base: str, email: str):
    """Open a page in ``context`` signed in as ``email``."""
    page = context.new_page()
    page.goto(base + "/login")
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/(\?.*)?$"))
    return page


def fill_steps(page, title: str, visit: Callable[[str], None] = lambda step: None) -> int:
    """Fill every step of a new submission (on /submissions/new); return the draft's id.

    ``visit(step)`` runs as each step opens (screenshots, checks). Ends on the "Review and
    submit" step.
    """
    visit("basics")
    field(page, "Title").fill(title)
    field(page, "Summary").fill("Evening classes in language, rights and work skills.")
    field(page, "Description").fill("Classes run **four evenings** a week.")
    field(page, "Type of practice").select_option(label="Programme")
    field(page, "Language of the entry").select_option(label="English")
    next_step(page, "alignment")
    visit("alignment")
    page.get_by_label(re.compile(r"^15\. ")).check()
    page.get_by_label(re.compile(r"^16\. ")).check()
    field(page, "People-centred").check()
    next_step(page, "where")
    visit("where")
    field(page, "Level of implementation").select_option(label="Local")
    page.get_by_role("group", name="Regions").get_by_label("Africa", exact=True).check()
    pick_country(page, "Kenya")
    next_step(page, "who")
    visit("who")
    field(page, "Implemented by").fill("Nairobi City County")
    field(page, "Partners").fill("Adult education centres")
    field(page, "Regional organization").check()
    field(page, "Focal point: name").fill("Wanjiru Focal")
    field(page, "Focal point: email").fill("focal@example.org")
    next_step(page, "when")
    visit("when")
    field(page, "Start year").fill("2020")
    field(page, "End year").fill("2024")
    field(page, "Implementation status").select_option(label="Completed")
    next_step(page, "what")
    visit("what")
    field(page, "Outcome in one sentence").fill("Adults found work after the course.")
    field(page, "Results").fill("- 900 graduates")
    field(page, "Lessons learned and pitfalls").fill("Childcare decides attendance.")
    field(page, "Funding source").fill("County budget")
    next_step(page, "resources")
    visit("resources")
    field(page, "Title of the resource").first.fill("Annual report")
    field(page, "Web address (http:// or https://)").first.fill("https://example.org/r")
    next_step(page, "review")
    visit("review")
    return int(re.search(r"/submissions/(\d+)/", page.url).group(1))


def pick_country(page, name: str) -> None:
    """Tick a country: through the search box when scripts run, else by opening its region."""
    search = page.get_by_label("Find a country")
    if search.is_visible():
        search.fill(name)
    else:
        page.locator("details.country-group", has_text=name).locator("summary").click()
    page.get_by_role("group", name="Countries").get_by_label(name, exact=True).check()
