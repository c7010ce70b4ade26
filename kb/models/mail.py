"""The mail outbox: each message is a row written in the transaction of the change it reports."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kb.db import Base, UTCDateTime, utcnow


class OutboxMessage(Base):
    """One message to send. Pending while ``sent_at`` is empty; the outbox is the truth.

    ``next_attempt_at`` is when a sender may take it: a sender moves it forward when it takes
    the message (so no two senders deliver it twice) and again, with backoff, on failure.
    """

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    # Answers go here instead of to the sender (a reader writing to a practice's focal point).
    reply_to: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
