"""Reading practices: what the public, submitters and reviewers may open."""
from __future__ import annotations

from sqlalchemy import select

from kb import db, workflow
from kb.errors import NotFound
from kb.models import Practice
from kb.services.messages import _


def get_published(slug: str, include_archived: bool = False) -> Practice:
    """Return the published (or, if asked, archived) practice with ``slug``. Raises NotFound."""
    practice = db.get_session().scalar(
        select(Practice).where(Practice.slug == slug, Practice.revision_of_id.is_(None)))
    if practice is None or not (practice.is_public or (include_archived
                                                       and practice.state == workflow.ARCHIVED)):
        raise NotFound(_("No published practice has this address."))
    return practice
