"""The submission form's steps: which fields each step shows, which are required, their limits,
and where a service's error about a record key ("contact.email", "links.2.url") is shown."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from kb import taxonomy
from kb.schemas import MAX_CONTACT_NAME, MAX_LENGTHS, MAX_LINK_TITLE
from kb.services.validation import REQUIRED_ON_SUBMIT


@dataclass(frozen=True)
class Step:
    """One page of the stepped submission form."""

    slug: str
    label: object  # a lazy translated string
    fields: tuple[str, ...]  # form field names shown on this step


STEPS: tuple[Step, ...] = (
    Step("basics", _l("Basics"), ("title", "summary", "description", "practice_type",
                                  "language")),
    Step("alignment", _l("GCM alignment"), ("objectives", "principles")),
    Step("where", _l("Where"), ("level", "regions", "countries")),
    Step("who", _l("Who"), ("implemented_by", "partners", "stakeholders", "contact_name",
                            "contact_email", "contact_public",
                            "contact_contactable")),
    Step("when", _l("When"), ("start_year", "end_year", "implementation_status")),
    Step("what", _l("What happened"), ("outcome", "results", "lessons", "funding")),
    Step("resources", _l("Resources"), ("links",)),
    Step("review", _l("Review and submit"), ()),
)
STEP_SLUGS = tuple(step.slug for step in STEPS)
BY_SLUG = {step.slug: step for step in STEPS}
FIELD_STEP = {name: step.slug for step in STEPS for name in step.fields}

# Form field name -> the limit the service enforces (shown as a hint and a live counter).
LIMITS = {**MAX_LENGTHS, "contact_name": MAX_CONTACT_NAME}
LINK_TITLE_LIMIT = MAX_LINK_TITLE
# Marked "required to submit"; a draft may leave them empty.
REQUIRED = frozenset((*REQUIRED_ON_SUBMIT, "contact_name", "contact_email"))


def step(slug: str | None) -> Step:
    """Return the step named ``slug`` (the first one for anything unknown)."""
    return BY_SLUG.get(slug or "", STEPS[0])


def neighbours(slug: str) -> tuple[str | None, str | None]:
    """Return the slugs of the steps before and after ``slug``."""
    i = STEP_SLUGS.index(slug)
    return (STEP_SLUGS[i - 1] if i else None,
            STEP_SLUGS[i + 1] if i + 1 < len(STEP_SLUGS) else None)


def record_keys(fields: tuple[str, ...]) -> set[str]:
    """Return the practice record keys that a step's form fields write."""
    return {"contact" if name.startswith("contact_") else name for name in fields}


def field_of(key: str) -> str:
    """Return the form field id a record error key is about ("" for the whole record)."""
    parts = key.split(".")
    if parts[0] == "links" and len(parts) == 3:
        return f"links-{parts[1]}-{parts[2]}"
    return "_".join(parts)


def step_of(key: str) -> str:
    """Return the slug of the step showing the field a record error key is about."""
    name = key.split(".")[0]
    if name == "contact":
        return "who"
    return FIELD_STEP.get(name, "review")


def country_groups(selected: list[str], locale: str) -> list[tuple[str, str, list]]:
    """Return (region code, region label, [(code, label, checked)]) for the country list.

    Each country appears once, under the first region (in the taxonomy's order) it belongs to;
    territories in no region come last, under "Other territories".
    """
    chosen = set(selected)
    groups: dict[str, list[tuple[str, str, bool]]] = {}
    for code, name in taxonomy.choices("country", locale):
        regions = [r for r in taxonomy.REGION_COMMISSIONS
                   if r in taxonomy.COUNTRY_REGIONS.get(str(code), ())]
        groups.setdefault(regions[0] if regions else "", []).append(
            (str(code), name, str(code) in chosen))
    ordered = [(r, taxonomy.label("region", r, locale), groups[r])
               for r in taxonomy.REGION_COMMISSIONS if r in groups]
    if "" in groups:
        ordered.append(("other", str(_l("Other territories")), groups[""]))
    return ordered
