"""Featured collections: admins curate ordered, annotated lists of published practices."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, defaultload, lazyload

from kb import db, sanitize, workflow
from kb.errors import NotFound, ValidationFailed
from kb.i18n import N_
from kb.models import Collection, CollectionItem, Practice, User
from kb.services.calls import clean_title_texts, free_slug, is_slug
from kb.services.messages import _
from kb.services.permissions import require_admin

_PRACTICE_SLUG = re.compile(r"^[a-z0-9-]{1,220}$")
MAX_ITEMS = 100
MAX_NOTE = 300
MAX_INTRO = 20_000
ADMINS_ONLY = N_("Only administrators may curate collections.")


@dataclass(frozen=True)
class Card:
    """One practice of a collection as a reader sees it (``hidden_reason`` for admins)."""

    item: CollectionItem
    practice: Practice
    outcome: str
    hidden_reason: str | None = None


def cards(collection: Collection, public: bool = True) -> list[Card]:
    """Return the collection's practices in order; the public never sees unpublished ones."""
    out = []
    for item in collection.items:
        practice = item.practice
        hidden = None
        if not practice.is_public:
            if public:
                continue
            hidden = (_("Archived: %(reason)s", reason=practice.decision_reason or "")
                      if practice.state == workflow.ARCHIVED
                      else _("Not published (%(state)s).", state=practice.state))
        out.append(Card(item, practice, item.note or practice.outcome, hidden))
    return out


_PUBLISHED = (select(Collection).where(Collection.published.is_(True))
              .order_by(Collection.published_at.desc(), Collection.id.desc()))


def list_published() -> list[Collection]:
    """Return the published collections, newest first."""
    return list(db.get_session().scalars(_PUBLISHED))


def list_all(user: User) -> list[Collection]:
    """Return every collection for the admin page. Raises PermissionDenied."""
    require_admin(user, ADMINS_ONLY)
    return list(db.get_session().scalars(
        select(Collection).order_by(Collection.updated_at.desc(), Collection.id.desc())))


_PRACTICES = defaultload(Collection.items).defaultload(CollectionItem.practice)
_NEWEST = _PUBLISHED.limit(1).options(*[
    _PRACTICES.lazyload(codes) for codes in (Practice.principle_rows, Practice.region_rows,
                                             Practice.stakeholder_rows, Practice.links)])


def newest_published() -> Collection | None:
    """Return the most recently published collection, if any. The home page shows its cards
    (collections/_card.html): its practices come with their objectives and countries, their
    other codes and links load only if asked for, and no other collection is loaded."""
    return db.get_session().scalar(_NEWEST)


def get_public(slug: str) -> Collection:
    """Return a published collection. Raises NotFound."""
    found = _find(db.get_session(), slug)
    if found is None or not found.published:
        raise NotFound(_("No collection has this address."))
    return found


def get_for_admin(user: User, slug: str) -> Collection:
    """Return any collection for its curator. Raises PermissionDenied, NotFound."""
    require_admin(user, ADMINS_ONLY)
    found = _find(db.get_session(), slug)
    if found is None:
        raise NotFound(_("No collection has this address."))
    return found


_HOLDING = (select(Collection).join(CollectionItem)
            .where(CollectionItem.practice_id == bindparam("practice_id"),
                   Collection.published.is_(True))
            .order_by(Collection.published_at.desc(), Collection.id.desc())
            .options(lazyload(Collection.items)))


def holding(practice_id: int) -> list[Collection]:
    """Return the published collections that hold a practice, newest first (every practice
    page asks: the statement is built once). The page names them; their items load only if
    asked for (eagerly, they took 7 of a practice page's 11 queries: every item's practice with
    its codes and links)."""
    return list(db.get_session().scalars(_HOLDING, {"practice_id": practice_id}))


def _find(session: Session, slug: str, lock: bool = False) -> Collection | None:
    if not is_slug(slug):
        return None
    query = select(Collection).where(Collection.slug == slug)
    return session.scalar(query.with_for_update() if lock else query)


def _load(session: Session, slug: str) -> Collection:
    found = _find(session, slug, lock=True)
    if found is None:
        raise NotFound(_("No collection has this address."))
    return found


def validate_collection(body: Any, partial: bool) -> dict[str, Any]:
    """Return the cleaned keys of a collection body or raise ValidationFailed per key."""
    if not isinstance(body, dict):
        raise ValidationFailed(_("Send a JSON object."), {"": [_("Expected an object.")]})
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    clean_title_texts(body, clean, errors, ("intro", MAX_INTRO), partial)
    if "published" in body:
        if isinstance(body["published"], bool):
            clean["published"] = body["published"]
        else:
            errors["published"] = [_("true or false.")]
    if "items" in body:
        clean["items"] = _items(body["items"], errors)
    if errors:
        raise ValidationFailed(_("Some fields need attention."), errors)
    return clean


def _items(items: Any, errors: dict[str, list[str]]) -> list[tuple[str, str]]:
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        errors["items"] = [_("A list of at most %(count)d practices.", count=MAX_ITEMS)]
        return []
    out: list[tuple[str, str]] = []
    for i, item in enumerate(items):
        slug = item.get("practice") if isinstance(item, dict) else None
        note = (item.get("note") or "") if isinstance(item, dict) else ""
        if not isinstance(slug, str) or not slug:
            errors[f"items.{i}.practice"] = [_("The slug of a published practice.")]
        elif not isinstance(note, str) or len(note) > MAX_NOTE:
            errors[f"items.{i}.note"] = [_("Text of at most %(limit)d characters.",
                                           limit=MAX_NOTE)]
        else:
            out.append((slug, sanitize.clean_text(note).strip()))
    return out


def _published_practice(session: Session, slug: str, field: str) -> Practice:
    practice = session.scalar(select(Practice).where(
        Practice.slug == slug, Practice.revision_of_id.is_(None))) if _PRACTICE_SLUG.match(
        slug) else None
    if practice is None or not practice.is_public:
        raise ValidationFailed(_("Only published practices may be added to a collection."),
                               {field: [_("Not a published practice: %(slug)s.",
                                          slug=slug[:80])]})
    return practice


def _apply(session: Session, collection: Collection, clean: dict[str, Any]) -> None:
    if "title" in clean:
        collection.title = clean["title"]
    if "intro" in clean:
        collection.intro = clean["intro"]
        collection.intro_html = sanitize.render_markdown(clean["intro"])
    if "published" in clean:
        if clean["published"] and not collection.published:
            collection.published_at = db.utcnow()
        collection.published = clean["published"]
    if "items" in clean:
        _replace_items(session, collection, clean["items"])


def _replace_items(session: Session, collection: Collection,
                   items: list[tuple[str, str]]) -> None:
    kept = {item.practice.slug: item for item in collection.items}
    new_items: list[CollectionItem] = []
    seen: set[str] = set()
    for i, (slug, note) in enumerate(items):
        if slug in seen:
            raise ValidationFailed(_("Some fields need attention."),
                                   {f"items.{i}.practice": [_("Listed twice.")]})
        seen.add(slug)
        item = kept.get(slug)
        if item is None:  # members already there may stay even if since archived
            item = CollectionItem(practice=_published_practice(session, slug,
                                                               f"items.{i}.practice"))
        item.position, item.note = i, note
        new_items.append(item)
    collection.items = new_items


def create_collection(user: User, body: Any) -> Collection:
    """Create a collection. Raises PermissionDenied, ValidationFailed."""
    require_admin(user, ADMINS_ONLY)
    clean = validate_collection(body, partial=False)
    with db.write_transaction() as session:
        slug = clean.get("slug") or free_slug(session, Collection.slug, clean["title"],
                                              "collection")
        if _find(session, slug) is not None:
            raise ValidationFailed(_("Some fields need attention."),
                                   {"slug": [_("Another collection uses this slug.")]})
        collection = Collection(slug=slug, title="", intro="", intro_html="", published=False)
        session.add(collection)
        _apply(session, collection, clean)
    return collection


def update_collection(user: User, slug: str, body: Any) -> Collection:
    """Change a collection; ``items`` replaces the list. Raises NotFound, PermissionDenied,
    ValidationFailed."""
    require_admin(user, ADMINS_ONLY)
    clean = validate_collection(body, partial=True)
    if clean.get("slug", slug) != slug:
        raise ValidationFailed(_("Some fields need attention."),
                               {"slug": [_("The slug of a collection cannot change.")]})
    with db.write_transaction() as session:
        collection = _load(session, slug)
        _apply(session, collection, clean)
    return collection


def add_practice(user: User, slug: str, practice_slug: str, note: str = "") -> Collection:
    """Append a published practice. Raises NotFound, PermissionDenied, ValidationFailed."""
    require_admin(user, ADMINS_ONLY)
    with db.write_transaction() as session:
        collection = _load(session, slug)
        current = [(item.practice.slug, item.note) for item in collection.items]
        if practice_slug in {s for s, _n in current}:
            raise ValidationFailed(_("This practice is already in the collection."),
                                   {"practice": [_("Already in the collection.")]})
        _published_practice(session, practice_slug, "practice")
        clean = validate_collection({"items": [
            *({"practice": s, "note": n} for s, n in current),
            {"practice": practice_slug, "note": note}]}, partial=True)
        _replace_items(session, collection, clean["items"])
    return collection


def edit_item(user: User, slug: str, item_id: int, move: int = 0,
              note: str | None = None, remove: bool = False) -> Collection:
    """Move an item up (-1) or down (+1), change its note, or remove it.

    Raises NotFound, PermissionDenied, ValidationFailed.
    """
    require_admin(user, ADMINS_ONLY)
    with db.write_transaction() as session:
        collection = _load(session, slug)
        items = list(collection.items)
        index = next((i for i, item in enumerate(items) if item.id == item_id), None)
        if index is None:
            raise NotFound(_("This practice is not in the collection."))
        if note is not None and len(note) > MAX_NOTE:
            raise ValidationFailed(_("Some fields need attention."), {"note": [
                _("Text of at most %(limit)d characters.", limit=MAX_NOTE)]})
        if note is not None:
            items[index].note = sanitize.clean_text(note).strip()
        if remove:
            items.pop(index)
        elif move and 0 <= index + move < len(items):
            items[index], items[index + move] = items[index + move], items[index]
        for position, item in enumerate(items):
            item.position = position
        collection.items = items
        collection.updated_at = db.utcnow()
    return collection


def collection_to_record(collection: Collection, practice_url: Any,
                         public: bool = True) -> dict[str, Any]:
    """Return the API shape of a collection; ``practice_url(slug)`` makes each item's URL."""
    published_at = collection.published_at
    return {
        "slug": collection.slug, "title": collection.title, "intro": collection.intro,
        "intro_html": collection.intro_html, "published": collection.published,
        "published_at": published_at.isoformat().replace("+00:00", "Z") if published_at
        else None,
        "items": [{"practice": card.practice.slug, "note": card.item.note or None,
                   "title": card.practice.title, "implemented_by": card.practice.implemented_by,
                   "outcome": card.outcome, "objectives": list(card.practice.objectives),
                   "countries": list(card.practice.countries),
                   "url": practice_url(card.practice.slug),
                   **({} if public else {"hidden_reason": card.hidden_reason})}
                  for card in cards(collection, public=public)],
    }
