"""Demo calls for practices and featured collections, linked to the demo practices by title."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb import db, sanitize
from kb.models import Call, Collection, CollectionItem, Practice

OPEN_CALL: dict[str, Any] = {
    "slug": "domestic-workers-agents-of-change",
    "title": "Migrant domestic workers as agents of change (illustrative)",
    "description": (
        "An illustrative call run for **International Domestic Workers Day**.\n\n"
        "Who may submit: any actor implementing the Global Compact: local authorities, "
        "governments, regional bodies, civil society, trade unions and UN entities.\n\n"
        "Criteria:\n\n"
        "- the practice improves the working and living conditions of migrant domestic "
        "workers, or gives them a voice;\n"
        "- it was implemented, ideally after December 2018;\n"
        "- a focal point can answer the reviewers' questions."),
    "objectives": [6, 7, 16], "contact": "calls@example.org",
    "answers": ("Ethical recruitment helpdesk for small employers in Malaysia",
                "Remittance-linked micro-insurance for families of migrant workers in Nepal"),
}
CLOSED_CALL: dict[str, Any] = {
    "slug": "migration-data", "title": "Migration Data (illustrative)",
    "description": (
        "An illustrative call framed around **Objective 1**: collect and use accurate and "
        "disaggregated data as a basis for evidence-based policies.\n\n"
        "We looked for surveys, statistics modules, data platforms and indicator toolkits "
        "that others can reuse."),
    "objectives": [1], "contact": "data-call@example.org",
    "opens_on": dt.date(2025, 1, 6), "closes_on": dt.date(2025, 3, 31),
    "answers": ("Harmonised labour migration statistics module",
                "National migration profile and inter-agency data working group",
                "East and Horn of Africa returnee panel survey",
                "Open-source migrant inclusion indicators toolkit for cities"),
}
COLLECTIONS = (
    {"slug": "migrant-domestic-workers", "title": "Migrant domestic workers (illustrative)",
     "intro": "Practices that protect migrant domestic workers before departure, at work "
              "and when things go wrong.",
     "published_at": dt.datetime(2025, 6, 16, 9, 0, tzinfo=dt.UTC),
     "items": (("Pre-departure orientation app for migrant domestic workers", ""),
               ("Mobile consular clinics for migrant domestic workers in the Gulf",
                "Consular staff travel to where domestic workers live and work."),
               ("Shelter and legal aid for migrant domestic workers in Lebanon", ""),
               ("Electronic wage protection system for migrant workers", ""))},
    {"slug": "cities-welcoming-newcomers", "title": "Cities welcoming newcomers (illustrative)",
     "intro": "Local authorities lead on inclusion: one-stop shops, identity cards for all "
              "residents, libraries and advisory councils.",
     "published_at": dt.datetime(2025, 9, 1, 9, 0, tzinfo=dt.UTC),
     "items": (("Ghent Newcomers' One-Stop Shop", ""),
               ("Municipal identity card open to all residents", ""),
               ("Public libraries as newcomer settlement hubs in Winnipeg", ""),
               ("Migrant residents' advisory council to the Ghent city council", ""),
               ("Jumelage interculturel entre Montréalais", ""))},
)


def _practice(session: Session, title_start: str) -> Practice | None:
    return session.scalar(select(Practice).where(Practice.title.startswith(title_start),
                                                 Practice.revision_of_id.is_(None))
                          .order_by(Practice.id).limit(1))


def _call(session: Session, spec: dict, opens_on: dt.date, closes_on: dt.date) -> bool:
    if session.scalar(select(Call.id).where(Call.slug == spec["slug"])) is not None:
        return False
    call = Call(slug=spec["slug"], title=spec["title"], description=spec["description"],
                description_html=sanitize.render_markdown(spec["description"]),
                objectives=spec["objectives"], opens_on=opens_on, closes_on=closes_on,
                contact=spec["contact"])
    session.add(call)
    session.flush()
    for title in spec["answers"]:
        practice = _practice(session, title)
        if practice is not None:
            practice.call_slug = call.slug
    return True


def _collection(session: Session, spec: dict) -> bool:
    if session.scalar(select(Collection.id).where(Collection.slug == spec["slug"])):
        return False
    collection = Collection(slug=spec["slug"], title=spec["title"], intro=spec["intro"],
                            intro_html=sanitize.render_markdown(spec["intro"]), published=True,
                            published_at=spec["published_at"])
    items: list[CollectionItem] = []
    for title, note in spec["items"]:
        practice = _practice(session, title)
        if practice is not None and practice.is_public:
            items.append(CollectionItem(practice_id=practice.id, position=len(items),
                                        note=note))
    collection.items = items
    session.add(collection)
    return True


def load(session: Session) -> tuple[int, int]:
    """Add the demo calls and collections that are missing; return (calls, collections) added.

    The open call opens ten days before the first run and closes three weeks after it.
    """
    today = db.utcnow().date()
    calls_added = _call(session, OPEN_CALL, today - dt.timedelta(days=10),
                        today + dt.timedelta(days=21))
    closed_added = _call(session, CLOSED_CALL, CLOSED_CALL["opens_on"],
                         CLOSED_CALL["closes_on"])
    if closed_added:
        # The demo's past call was announced long ago: no closing mail for it.
        session.scalars(select(Call).where(Call.slug == CLOSED_CALL["slug"])
                        ).one().closing_notified_at = db.utcnow()
    collections_added = sum(_collection(session, spec) for spec in COLLECTIONS)
    return int(calls_added) + int(closed_added), collections_added
