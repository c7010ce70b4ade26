"""Keep the Whoosh index in step with the database, which is the truth.

A change to a practice inserts an IndexChange row in the same transaction. After the commit the
process that made the change applies it at once; every process also polls recent change rows
(at most every KB_INDEX_SYNC_INTERVAL seconds, on its next request), so a change committed
anywhere reaches every index directory. Applying is idempotent: re-read the practice; published
means upsert, anything else means delete.

Nothing heavy runs on a request: the whole-index reconciliation (every FULL_CHECK_EVERY
seconds) and the repair of a missing or damaged index (verify, then rebuild from the database)
run in a background thread, one at a time per process, while requests are answered from the
index as it is or get 503 with Retry-After (kb.views.errors). Rebuilds hold the index
directory's rebuild lock, so one runs at a time across processes.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Select, bindparam, delete, func, inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from kb import db
from kb.models import IndexChange, Practice
from kb.search import IndexBusy, IndexUnavailable, RebuildRunning, SearchIndex
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
    background: threading.Lock = field(default_factory=threading.Lock)
    worker: threading.Thread | None = None  # the latest background job (tests join it)
    last_poll_started: dt.datetime | None = None
    polled_changes: set[int] = field(default_factory=set)  # change rows of the last window
    last_poll_monotonic: float = 0.0
    last_full_check: float = field(default_factory=time.monotonic)  # first one after a while


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
    """Return the search index of the current app; it may be missing or damaged.

    A missing index is created here only when there is nothing to put in it (a new site):
    that is cheap. Otherwise searching it raises IndexUnavailable (see schedule_repair).
    """
    state = _state()
    if not state.index.exists() and not _has_published():
        try:
            state.index.create(wait=False)
        except RebuildRunning:
            pass
    return state.index


def _has_published() -> bool:
    session = db.get_session()
    found = session.scalar(select(Practice.id).where(Practice.is_public).limit(1))
    session.commit()
    return found is not None


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


def to_document(practice: Practice) -> dict[str, Any]:
    """Map ``practice`` to its search document, stamped with its version."""
    document = practice_to_document(practice)
    document["version"] = version_stamp(practice.updated_at)
    return document


def apply_changes(practice_ids: Iterable[int], timeout: float = 5.0) -> bool:
    """Bring the index up to date for these practices now; False if it has to wait for a poll."""
    ids = sorted(set(practice_ids))
    if not ids:
        return True
    return _applying(len(ids), lambda: _apply(get_index(), db.get_session(), ids, timeout))


def apply_documents(documents: list[dict[str, Any]], timeout: float = 5.0) -> bool:
    """Upsert documents of committed practices, mapped and stamped as to_document does, now.

    For a caller that has them at hand (the bulk import maps them in its workers). False if
    the index is busy or unwritable: the change rows stay for the next sync.
    """
    return _applying(len(documents), lambda: get_index().apply(documents, [], timeout=timeout))


def _applying(count: int, write: Callable[[], object]) -> bool:
    try:
        write()
        return True
    except IndexBusy:
        log.warning("index busy; %d change(s) will be applied by the next sync", count)
    except (IndexUnavailable, OSError) as exc:
        log.error("index not writable (%s); %d change(s) wait in the database", exc, count)
    return False


def _apply(index: SearchIndex, session: Session, ids: list[int], timeout: float) -> None:
    if not ids:
        return
    # Versions first, from three columns: a poll re-reads every change of the last GRACE
    # seconds (thousands after an import), and only the stale practices are loaded whole.
    stamps: dict[int, str] = {}
    for chunk in _chunks(ids):  # bounded IN lists: a full sync may name every id
        stamps.update((row.id, version_stamp(row.updated_at))
                      for row in session.execute(_PUBLIC_STAMPS, {"ids": chunk}))
    current = index.versions()
    stale = [i for i in ids if i in stamps and current.get(i) != stamps[i]]
    deletes = [i for i in ids if i not in stamps and i in current]
    # A practice the session holds (the one a use case just changed, usually) is mapped as it
    # is, as a query would return it, without the query: it would ask the database for the
    # six code and link collections again only to keep those already loaded (those not loaded
    # are read as the mapping uses them).
    practices = _held(session, stale)
    for chunk in _chunks([i for i in stale if i not in practices]):
        practices.update((p.id, p) for p in session.scalars(_PUBLIC_PRACTICES, {"ids": chunk}))
    upserts = [to_document(practices[i]) for i in stamps if i in practices]
    if upserts or deletes:
        index.apply(upserts, deletes, timeout=timeout)
        log.info("index updated: %d upserted, %d deleted", len(upserts), len(deletes))


# Built once (every change runs them): building and keying them cost more than running them.
_PUBLIC_STAMPS = select(Practice.id, Practice.updated_at).where(
    Practice.id.in_(bindparam("ids", expanding=True)), Practice.is_public)
_PUBLIC_PRACTICES = select(Practice).where(
    Practice.id.in_(bindparam("ids", expanding=True)), Practice.is_public)


def _held(session: Session, ids: list[int]) -> dict[int, Practice]:
    """Return the practices of ``ids`` that ``session`` holds with no column expired (a column
    never set since the insert reads as None, as the database holds it)."""
    held = {}
    for practice_id in ids:
        practice = session.identity_map.get(session.identity_key(Practice, practice_id))
        if practice is not None and not inspect(practice).expired_attributes & _COLUMNS:
            held[practice_id] = practice
    return held


_COLUMNS = frozenset(attribute.key for attribute in inspect(Practice).column_attrs)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    return (ids[start:start + CHUNK] for start in range(0, len(ids), CHUNK))


def poll() -> None:
    """Apply change rows committed recently by any process; reconcile fully now and then.

    The reconciliation (and any repair) runs in a background thread, not in the caller.
    """
    state = _state()
    if not state.lock.acquire(blocking=False):
        return  # another thread of this process is already syncing
    try:
        _poll_recent(state)
        state.last_poll_monotonic = time.monotonic()
    except IndexBusy:
        pass  # another process holds the writer; the next request tries again
    except (IndexUnavailable, OSError) as exc:
        log.error("index sync failed (%s); a repair is scheduled", exc)
        state.last_poll_monotonic = time.monotonic()
        schedule_repair()
    finally:
        state.lock.release()
    if time.monotonic() - state.last_full_check >= FULL_CHECK_EVERY:
        if _in_background(state, _reconcile):
            state.last_full_check = time.monotonic()


def schedule_repair() -> None:
    """Verify the index, and rebuild it if damaged, in a background thread of this process.

    One background job runs at a time per process; a rebuild already running in another
    process is left to finish.
    """
    _in_background(_state(), repair)


def _reconcile(index: SearchIndex) -> None:
    if index.exists():
        sync(index, timeout=0.5)
    else:
        repair(index)


def _in_background(state: SyncState, job: Callable[[SearchIndex], object]) -> bool:
    """Run job(index) in a thread with its own app context; False if one is running."""
    if not state.background.acquire(blocking=False):
        return False
    # current_app is a LocalProxy, which Flask's type hints present as the Flask app itself.
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        try:
            with app.app_context():
                job(state.index)
        except (IndexBusy, RebuildRunning):
            pass  # another process is writing; the next poll tries again
        except Exception:  # a background thread has no one else to report to
            log.exception("background index %s failed", job.__name__)
        finally:
            state.background.release()

    state.worker = threading.Thread(target=run, daemon=True, name=f"kb-index-{job.__name__}")
    state.worker.start()
    return True


def repair(index: SearchIndex | None = None, wait: bool = False) -> list[str]:
    """Rebuild the index from the database if it is missing, unreadable or damaged.

    Returns the damage found (empty: the index reads back whole). Without wait, a rebuild
    running in another process raises RebuildRunning instead of being waited for.
    """
    index = index or _state().index
    problems = index.verify()
    if problems:
        log.warning("search index at %s missing or damaged (%s): rebuilding from the database",
                    index.path, "; ".join(problems[:3]))
        rebuild(wait=wait)
    return problems


def _poll_recent(state: SyncState) -> None:
    """Apply the change rows of the last GRACE seconds this process has not applied yet.

    The window is read again on every poll (a late commit may carry an earlier time), but a
    row applied by an earlier poll is not: after an import, thousands of rows stay in the
    window for a minute, and checking their practices again on every poll of every worker
    cost ~0.1 s of CPU each time.
    """
    started = db.utcnow()
    since = (state.last_poll_started or started) - GRACE
    session = db.get_session()
    rows = session.execute(select(IndexChange.id, IndexChange.practice_id)
                           .where(IndexChange.created_at >= since)).all()
    ids = list(dict.fromkeys(practice_id for change_id, practice_id in rows
                             if change_id not in state.polled_changes))
    _apply(state.index, session, ids, timeout=0.5)
    session.commit()
    state.polled_changes = {change_id for change_id, _ in rows}
    state.last_poll_started = started


def _poll_before_request() -> None:
    interval = current_app.config["INDEX_SYNC_INTERVAL"]
    if interval and time.monotonic() - _state().last_poll_monotonic >= interval:
        poll()


def check(index: SearchIndex | None = None) -> Drift:
    """Compare every published practice with the index, both ways."""
    index = index or get_index()
    session = db.get_session()
    rows = session.execute(select(Practice.id, Practice.updated_at).where(Practice.is_public)).all()
    session.commit()  # end the read: a long-lived read transaction would hold SQLite's snapshot
    wanted = {practice_id: version_stamp(updated_at) for practice_id, updated_at in rows}
    have = index.versions()
    missing = sorted(set(wanted) - set(have))
    orphans = sorted(set(have) - set(wanted))
    stale = sorted(i for i in set(wanted) & set(have) if wanted[i] != have[i])
    return Drift(missing=missing, stale=stale, orphans=orphans)


def sync(index: SearchIndex | None = None, timeout: float = 10.0) -> Drift:
    """Repair every difference between the database and the index; return what was repaired.

    An index that is missing or cannot be opened is rebuilt first (kb.services.indexing.repair;
    this waits for a rebuild running elsewhere). Not for a request: use schedule_repair there.
    """
    index = index or get_index()
    if not index.is_healthy():
        repair(index, wait=True)
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


def rebuild(progress: Callable[[int, int | None], None] | None = None, wait: bool = True
            ) -> int:
    """Build a fresh index from the database and swap it in; searches keep working meanwhile.

    One rebuild at a time per index directory, across processes: without wait, raises
    RebuildRunning when another one is running.
    """
    state = _state()
    session = db.get_session()
    total = session.scalar(select(func.count()).select_from(_published().subquery()))
    documents = (to_document(p)
                 for p in session.scalars(_published().execution_options(yield_per=500)))
    count = state.index.rebuild(documents, total=total, wait=wait,
                                progress=(lambda done: progress(done, total)) if progress else None)
    if progress:
        progress(total or 0, total)
    # Changes applied to the old directory while the new one was being built are not in it.
    sync(state.index)
    return count


def rebuild_in_background() -> bool:
    """Start a rebuild in a background thread of this process (searches keep working).

    Returns False, starting nothing, when a rebuild is already running, here or in another
    process, or another background index job of this process (a repair) is.
    """
    if rebuild_running():
        return False
    return _in_background(_state(), _queued_rebuild)


def rebuild_running() -> bool:
    """Return whether a rebuild is under way: queued in this process or holding the lock."""
    state = _state()
    worker = state.worker
    queued = (worker is not None and worker.is_alive()
              and worker.name == f"kb-index-{_queued_rebuild.__name__}")
    return queued or state.index.rebuild_running()


def _queued_rebuild(_index: SearchIndex) -> None:
    count = rebuild(wait=False)
    log.info("search index rebuilt in the background with %d published practices", count)


def _published() -> Select[tuple[Practice]]:
    return select(Practice).where(Practice.is_public).order_by(Practice.id)


def _state() -> SyncState:
    state: SyncState = current_app.extensions["kb.index"]
    return state
