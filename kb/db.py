"""The engine, the session lifecycle and the declarative Base."""
from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from kb.errors import NotFound
from kb.services.messages import _

RowT = TypeVar("RowT")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Store naive UTC, hand back aware UTC: SQLite keeps no zone, PostgreSQL gets none to shift."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use kb.db.utcnow()")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


def utcnow() -> dt.datetime:
    """Return the current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE for writes."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, future=True)
    engine = create_engine(url, connect_args={"timeout": 30}, future=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that the "begin" hook below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if ":memory:" not in url and "mode=memory" not in url:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred BEGIN lets two read-modify-write transactions read the same row and both
        # write; IMMEDIATE takes the write lock up front so the second waits and re-reads.
        immediate = conn.get_execution_options().get("kb_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def init_app(app: Flask) -> None:
    """Create the engine and session factory; close the session after each request."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["kb.engine"] = engine
    # Close pooled connections with the app (short-lived apps: CLI runs, tests).
    weakref.finalize(app, engine.dispose)
    app.extensions["kb.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    return current_app.extensions["kb.engine"]


def get_session() -> Session:
    """Return the session of the current app context, creating it on first use."""
    if "kb_session" not in g:
        g.kb_session = current_app.extensions["kb.sessionmaker"]()
    return g.kb_session


def get_or_404(session: Session, model: type[RowT], ident: Any) -> RowT:
    """Read the row of ``model`` with primary key ``ident`` afresh; raise NotFound if it is gone.

    For a row that was there a moment ago (the signed-in user, a practice just listed) but
    may have been deleted by another request since: the views answer 404, not a 500 from an
    attribute of None or an UPDATE that matches no row. The row is read from the database
    even when the session holds it (populate_existing), which is what sees a deletion.
    """
    row = session.get(model, ident, populate_existing=True)
    if row is None:
        raise NotFound(_("This item no longer exists: it may have just been deleted."))
    return row


def rowcount(result: Result[Any]) -> int:
    """Return how many rows the UPDATE or DELETE behind ``result`` matched.

    Session.execute is typed as returning Result; for those statements it is a CursorResult.
    """
    return cast(CursorResult[Any], result).rowcount


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("kb_session", None)
    if session is not None:
        session.close()


@contextmanager
def write_transaction() -> Iterator[Session]:
    """Run one use case's writes in one transaction: commit on success, roll back on error."""
    session = get_session()
    if session.in_transaction():
        # End the read transaction the request opened (loading the user, say): a write must
        # start fresh so that SQLite takes its write lock before anything is read.
        session.commit()
    session.connection(execution_options={"kb_write": True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
