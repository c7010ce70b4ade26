"""Peer review: one row per (practice, reviewer, round) with the claim and the recommendation."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.db import Base, UTCDateTime
from kb.models.users import User


class Review(Base):
    """A reviewer's part in one review round of a practice.

    A row is *claimed* (``claimed_at``, with the no-conflict declaration), *reserved* (asked
    again after a resubmission, or added by an admin: ``reserved_until`` and no claim yet) or
    *withdrawn* (``withdrawn_at``: the slot is free again). ``recommendation`` is set once.
    """

    __tablename__ = "reviews"
    # One row per reviewer and round: a second claim by the same reviewer cannot slip in.
    __table_args__ = (UniqueConstraint("practice_id", "round", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    no_conflict: Mapped[bool] = mapped_column(Boolean, default=False)
    recommendation: Mapped[str | None] = mapped_column(String(20))
    checklist: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    override_reason: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    # Whether the reviewer counted as internal when recording (the flag may change later).
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    reserved_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    recommended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])

    @property
    def active(self) -> bool:
        """Holds a claim (recorded or not)."""
        return self.claimed_at is not None and self.withdrawn_at is None
