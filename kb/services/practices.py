"""Reading practices: what the public, submitters and reviewers may open."""
from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    inspect,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session, lazyload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from kb import db, workflow
from kb.errors import NotFound
from kb.models import Practice
from kb.models.practices import CODE_TABLES, PracticeLink, PracticeObjective
from kb.services.messages import _

_COLLECTIONS = {"objective_rows": CODE_TABLES["objectives"],
                "principle_rows": CODE_TABLES["principles"],
                "region_rows": CODE_TABLES["regions"], "country_rows": CODE_TABLES["countries"],
                "stakeholder_rows": CODE_TABLES["stakeholders"]}
"""Practice's code collections and the table of each."""


def _collections_query() -> CompoundSelect[Any]:
    """Return the one query of a practice's codes and links (parameter ``practice_id``).

    Built once: building and keying a statement of six parts costs more than running it.
    """
    practice_id = bindparam("practice_id", type_=Integer)
    no_number, no_text = cast(null(), Integer), cast(null(), String)
    parts: list[Select[Any]] = [
        select(literal("links").label("kind"), PracticeLink.position.label("number"),
               no_text.label("text"), PracticeLink.id.label("link_id"),
               PracticeLink.title.label("title"), PracticeLink.url.label("url"))
        .where(PracticeLink.practice_id == practice_id)]
    for name, table in _COLLECTIONS.items():
        numeric = table is PracticeObjective
        parts.append(select(
            literal(name).label("kind"), (table.code if numeric else no_number).label("number"),
            (no_text if numeric else table.code).label("text"), no_number.label("link_id"),
            no_text.label("title"), no_text.label("url"))
            .where(table.practice_id == practice_id))
    return union_all(*parts).order_by("kind", "number", "text", "link_id")


_BY_SLUG = (select(Practice)
            .where(Practice.slug == bindparam("slug", type_=String),
                   Practice.revision_of_id.is_(None))
            .options(*(lazyload(getattr(Practice, name)) for name in (*_COLLECTIONS, "links"))))
_COLLECTIONS_QUERY = _collections_query()


def get_published(slug: str, include_archived: bool = False) -> Practice:
    """Return the published (or, if asked, archived) practice with ``slug``. Raises NotFound.

    Its codes and links come with it in one more query (not one per collection: a practice
    page is read far more often than anything else).
    """
    session = db.get_session()
    practice = session.scalar(_BY_SLUG, {"slug": slug})
    if practice is None or not (practice.is_public or (include_archived
                                                       and practice.state == workflow.ARCHIVED)):
        raise NotFound(_("No published practice has this address."))
    _load_collections(session, practice)
    return practice


def _load_collections(session: Session, practice: Practice) -> None:
    """Fill the code and link collections of ``practice`` not loaded yet, from one query.

    Each row becomes a persistent, unmodified instance in ``session``, as a query would have
    loaded it, in the order the relationship gives (codes by code, links by position).
    """
    unloaded = inspect(practice).unloaded
    found: dict[str, list[Any]] = {name: [] for name in (*_COLLECTIONS, "links")
                                   if name in unloaded}
    if not found:
        return
    for row in session.execute(_COLLECTIONS_QUERY, {"practice_id": practice.id}):
        if row.kind not in found:
            continue
        if row.kind == "links":
            item: Any = PracticeLink(id=row.link_id, practice_id=practice.id,
                                     position=row.number, title=row.title, url=row.url)
        else:
            code = row.number if row.text is None else row.text
            item = _COLLECTIONS[row.kind](practice_id=practice.id, code=code)
        make_transient_to_detached(item)
        session.add(item)
        found[row.kind].append(item)
    for name, items in found.items():
        set_committed_value(practice, name, items)
