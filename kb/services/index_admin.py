"""The search index as an admin sees it, and a rebuild on request (the admin index page).

The report reads the index back and compares it with the database, as ``kb index check``
does: an admin page, opened rarely, may take that time. The rebuild runs in a background
thread of the process that was asked (kb.services.indexing.rebuild_in_background); the
index directory's rebuild lock keeps it to one at a time across processes.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from kb.i18n import N_
from kb.models import User
from kb.search import SCHEMA_VERSION, IndexUnavailable
from kb.services import indexing
from kb.services.permissions import require_admin

log = logging.getLogger("kb.index")

ADMINS_ONLY = N_("Only administrators may check or rebuild the search index.")


@dataclass(frozen=True)
class IndexReport:
    """What the admin page shows; ``documents`` and ``segments`` are None when the index
    cannot be opened, ``drift`` is None when it is damaged (a rebuild repairs both)."""

    documents: int | None
    segments: int | None
    schema_version: int
    generation: int | None
    problems: list[str]
    drift: indexing.Drift | None
    rebuilt_at: dt.datetime | None
    rebuilding: bool


def report(user: User) -> IndexReport:
    """Return the index's status, damage and drift. Raises PermissionDenied for non-admins."""
    require_admin(user, ADMINS_ONLY)
    index = indexing.get_index()
    problems = index.verify()
    documents = segments = generation = None
    drift = None
    if not problems:
        try:
            documents, segments = index.doc_count(), len(index.segment_sizes())
            generation = index.generation()[1]
            drift = indexing.check(index)
        except IndexUnavailable as exc:  # swapped or damaged since verify()
            problems = [str(exc)]
    return IndexReport(documents=documents, segments=segments, schema_version=SCHEMA_VERSION,
                       generation=generation, problems=problems, drift=drift,
                       rebuilt_at=index.rebuilt_at(), rebuilding=indexing.rebuild_running())


def request_rebuild(user: User) -> bool:
    """Queue a rebuild of the index from the database; False if one is already running.

    Raises PermissionDenied for non-admins.
    """
    require_admin(user, ADMINS_ONLY)
    queued = indexing.rebuild_in_background()
    log.info("search index rebuild requested by user %s: %s", user.id,
             "queued" if queued else "one is already running")
    return queued
