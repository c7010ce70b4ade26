"""Calls for practices and featured collections (curated, ordered lists of practices)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.db import Base, UTCDateTime, utcnow


class Call(Base):
    """A time-boxed thematic call; ``opens_on`` and ``closes_on`` are inclusive UTC dates."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[list[int]] = mapped_column(JSON, default=list)
    opens_on: Mapped[dt.date] = mapped_column(Date)
    closes_on: Mapped[dt.date] = mapped_column(Date, index=True)
    contact: Mapped[str] = mapped_column(String(254), default="")
    # Set when an admin closes the call before its deadline.
    closed_early_on: Mapped[dt.date | None] = mapped_column(Date)
    # Set once reviewers and admins were told that the call closed (the mail goes out once).
    closing_notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def status_on(self, today: dt.date) -> str:
        """Return ``upcoming``, ``open`` or ``closed`` on the UTC date ``today``."""
        if today > self.closes_on or (self.closed_early_on is not None
                                      and today >= self.closed_early_on):
            return "closed"
        return "upcoming" if today < self.opens_on else "open"

    def __repr__(self) -> str:
        return f"<Call {self.slug}>"


class CollectionItem(Base):
    """A practice in a collection, at a position, with the curator's optional note."""

    __tablename__ = "collection_items"
    __table_args__ = (UniqueConstraint("collection_id", "practice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(
        ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(String(300), default="")

    practice: Mapped[Any] = relationship("Practice", lazy="joined")


class Collection(Base):
    """A curated showcase of published practices, in the curator's order."""

    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    intro: Mapped[str] = mapped_column(Text, default="")
    intro_html: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    items: Mapped[list[CollectionItem]] = relationship(
        cascade="all, delete-orphan", order_by=CollectionItem.position, lazy="selectin")

    def __repr__(self) -> str:
        return f"<Collection {self.slug}>"
