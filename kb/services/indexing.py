"""Keep the Whoosh index in step with the database, which is the truth.

A change to a practice inserts an IndexChange row in the same transaction. After the commit the
process that made the change applies it at once; every process also polls recent change rows
(at most every KB_INDEX_SYNC_INTERVAL seconds, on its next request) and periodically reconciles
the whole index, so a change committed anywhere reaches every index directory. Applying is
idempotent: re-read the practice; published means upsert, anything else means delete.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from kb import db
from kb.models import IndexChange, Practice
from kb.search import IndexBusy, IndexUnavailable, SearchIndex
from kb.search.mapping import practice_to_document

log = logging.getLogger("kb.index")

# A change row is looked at again for this long after its insert: transactions can commit out of
# order, so "after the newest id I saw" would skip a late commit.
GRACE = dt.timedelta(seconds=60)
FULL_CHECK_EVERY = 60.0  # seconds between whole-index reconciliations per process
KEEP_CHANGES = dt.timedelta(days=2)
CHUNK = 500


@dataclass
class SyncState:
    """Per-process bookkeeping for one index directory."""

    index: SearchIndex
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_poll_started: dt.datetime | None = None
    last_poll_monotonic: float = 0.0
    last_full_check: float = 0.0


@dataclass(frozen=True)
class Drift:
    """What differs between the database and the index."""

    missing: list[int]  # published, not in the index
    stale: list[int]  # in the index with an older version
    orphans: list[int]  # in the index, not published

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.orphans)


def init_app(app: Flask) -> None:
    """Open the index directory of this app and poll for changes before each request."""
    state = SyncState(index=SearchIndex(app.config["INDEX_DIR"]))
    app.extensions["kb.index"] = state
    app.before_request(_poll_before_request)
    # Close the index's open files with the app (short-lived apps: CLI runs, tests).
    weakref.finalize(app, state.index.close)


def get_index() -> SearchIndex:
    """Return the search index of the current app, rebuilding it first if it is unusable."""
    state = _state()
    if not state.index.is_healthy():
        _rebuild_unhealthy(state)
    return state.index


def record_change(session: Session, practice: Practice) -> None:
    """Note in the current transaction that ``practice`` changed (call before the commit)."""
    practice.updated_at = db.utcnow()
    session.flush()
    session.add(IndexChange(practice_id=practice.id))


def version_stamp(updated_at: dt.datetime) -> str:
    """Return the version a document carries in the index: the practice's updated_at.

    Every change goes through record_change, which sets updated_at, so comparing stamps finds
    drift from one cheap query instead of rebuilding every document.
    """
    return updated_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def to_document(practice: Practice) -> dict:
    """Map ``practice`` to its search document, stamped with its version."""
    document = practice_to_document(practice)
    document["version"] = version_stamp(practice.updated_at)
    return document


def is_indexable(practice: Practice | None) -> bool:
    return practice is not None and practice.state == "published" and not practice.revision_of_id


def apply_changes(practice_ids: Iterable[int], timeout: float = 5.0) -> bool:
    """Bring the index up to date for these practices now; False if it has to wait for a poll."""
    ids = sorted(set(practice_ids))
    if not ids:
        return True
    try:
        _apply(get_index(), db.get_session(), ids, timeout)
        return True
    except IndexBusy:
        log.warning("index busy; %d change(s) will be applied by the next sync", len(ids))
    except (IndexUnavailable, OSError) as exc:
        log.error("index not writable (%s); %d change(s) wait in the database", exc, len(ids))
    return False


def _apply(index: SearchIndex, session: Session, ids: list[int], timeout: float) -> None:
    practices: dict[int, Practice] = {}
    for start in range(0, len(ids), CHUNK):  # bounded IN lists: a full sync may name every id
        chunk = ids[start:start + CHUNK]
        practices.update((p.id, p) for p in
                         session.scalars(select(Practice).where(Practice.id.in_(chunk))))
    current = index.versions()
    upserts, deletes = [], []
    for practice_id in ids:
        practice = practices.get(practice_id)
        if is_indexable(practice):
            if current.get(practice_id) != version_stamp(practice.updated_at):
                upserts.append(to_document(practice))
        elif practice_id in current:
            deletes.append(practice_id)
    if upserts or deletes:
        index.apply(upserts, deletes, timeout=timeout)
        log.info("index updated: %d upserted, %d deleted", len(upserts), len(deletes))


def poll(force_full: bool = False) -> None:
    """Apply change rows committed recently by any process; reconcile fully now and then."""
    state = _state()
    if not state.lock.acquire(blocking=False):
        return  # another thread of this process is already syncing
    try:
        now_mono = time.monotonic()
        if not state.index.is_healthy():
            _rebuild_unhealthy(state, locked=True)
        if force_full or now_mono - state.last_full_check >= FULL_CHECK_EVERY:
            sync(state.index, timeout=0.5)
            state.last_full_check = now_mono
        else:
            _poll_recent(state)
        state.last_poll_monotonic = now_mono
    except IndexBusy:
        pass  # another process holds the writer; the next request tries again
    except (IndexUnavailable, OSError) as exc:
        log.error("index sync failed (%s); searches answer from the last good index", exc)
        state.last_poll_monotonic = time.monotonic()
    finally:
        state.lock.release()


def _poll_recent(state: SyncState) -> None:
    started = db.utcnow()
    since = (state.last_poll_started or started) - GRACE
    session = db.get_session()
    ids = list(session.scalars(
        select(IndexChange.practice_id).where(IndexChange.created_at >= since).distinct()))
    _apply(state.index, session, ids, timeout=0.5)
    session.commit()
    state.last_poll_started = started


def _poll_before_request() -> None:
    interval = current_app.config["INDEX_SYNC_INTERVAL"]
    if interval and time.monotonic() - _state().last_poll_monotonic >= interval:
        poll()


def check(index: SearchIndex | None = None) -> Drift:
    """Compare every published practice with the index, both ways."""
    index = index or get_index()
    session = db.get_session()
    rows = session.execute(select(Practice.id, Practice.updated_at).where(*_PUBLISHED)).all()
    session.commit()  # end the read: a long-lived read transaction would hold SQLite's snapshot
    wanted = {practice_id: version_stamp(updated_at) for practice_id, updated_at in rows}
    have = index.versions()
    missing = sorted(set(wanted) - set(have))
    orphans = sorted(set(have) - set(wanted))
    stale = sorted(i for i in set(wanted) & set(have) if wanted[i] != have[i])
    return Drift(missing=missing, stale=stale, orphans=orphans)


def sync(index: SearchIndex | None = None, timeout: float = 10.0) -> Drift:
    """Repair every difference between the database and the index; return what was repaired."""
    index = index or get_index()
    drift = check(index)
    if not drift.clean:
        _apply(index, db.get_session(), drift.missing + drift.stale + drift.orphans, timeout)
    _forget_old_changes()
    return drift


def _forget_old_changes() -> None:
    """Delete change rows older than KEEP_CHANGES; skipped when the database is busy."""
    try:
        with db.write_transaction() as session:
            session.execute(delete(IndexChange)
                            .where(IndexChange.created_at < db.utcnow() - KEEP_CHANGES))
    except OperationalError as exc:  # a locked SQLite: the next sync deletes them
        log.info("old index change rows kept for now: %s", exc.orig)


def rebuild(progress: Callable[[int, int | None], None] | None = None) -> int:
    """Build a fresh index from the database and swap it in; searches keep working meanwhile."""
    state = _state()
    session = db.get_session()
    total = session.scalar(select(func.count()).select_from(_published().subquery()))
    documents = (to_document(p)
                 for p in session.scalars(_published().execution_options(yield_per=500)))
    count = state.index.rebuild(documents, total=total,
                                progress=(lambda done: progress(done, total)) if progress else None)
    if progress:
        progress(total or 0, total)
    # Changes applied to the old directory while the new one was being built are not in it.
    sync(state.index)
    return count


def _rebuild_unhealthy(state: SyncState, locked: bool = False) -> None:
    if not locked:
        with state.lock:
            _rebuild_unhealthy(state, locked=True)
        return
    if state.index.is_healthy():
        return
    log.warning("search index at %s missing or unreadable: rebuilding from the database",
                state.index.path)
    rebuild()


_PUBLISHED = (Practice.state == "published", Practice.revision_of_id.is_(None))


def _published():  # noqa: ANN202
    return select(Practice).where(*_PUBLISHED).order_by(Practice.id)


def _state() -> SyncState:
    return current_app.extensions["kb.index"]
