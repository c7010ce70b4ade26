"""Review dates: when a published practice is due for a fresh look (KB_REVIEW_AFTER_MONTHS)."""
from __future__ import annotations

import datetime as dt
from calendar import monthrange
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import ColumnElement, func, select

from kb import db
from kb.models import Practice


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """Return ``moment`` minus whole calendar months (the 31st becomes the month's last day)."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    day = min(moment.day, monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def review_after_months() -> int:
    """Return KB_REVIEW_AFTER_MONTHS (0 turns review dates off)."""
    return max(0, int(current_app.config["REVIEW_AFTER_MONTHS"]))


def review_cutoff(now: dt.datetime | None = None) -> dt.datetime | None:
    """Return the moment before which a review is out of date (None: review dates are off)."""
    months = review_after_months()
    return months_before(now or db.utcnow(), months) if months else None


def reviewed_at(practice: Practice | SimpleNamespace) -> dt.datetime | None:
    """Return when the content was last confirmed: its last review, else its publication."""
    return practice.last_reviewed_at or practice.published_at


def is_review_due(practice: Practice | SimpleNamespace, now: dt.datetime | None = None
                  ) -> bool:
    """Return True for a live published practice whose last review is older than the period."""
    cutoff = review_cutoff(now)
    when = reviewed_at(practice)
    return (cutoff is not None and when is not None and practice.is_public
            and when < cutoff)


def years_since_review(practice: Practice, now: dt.datetime | None = None) -> tuple[int, int]:
    """Return (whole years, whole months) since the last review, for the page's notice."""
    when, now = reviewed_at(practice), now or db.utcnow()
    if when is None:
        return 0, 0
    months = (now.year - when.year) * 12 + now.month - when.month - (now.day < when.day)
    return max(0, months) // 12, max(0, months)


def due_condition(cutoff: dt.datetime) -> ColumnElement[bool]:
    """Return the SQL condition 'last reviewed (or published) before ``cutoff``'."""
    return func.coalesce(Practice.last_reviewed_at, Practice.published_at) < cutoff


def practice_ids_by_review(due: bool) -> list[int]:
    """Return the ids of live published practices whose review is (or is not) due."""
    cutoff = review_cutoff()
    query = select(Practice.id).where(Practice.is_public)
    if cutoff is None:
        return [] if due else list(db.get_session().scalars(query))
    condition = due_condition(cutoff)
    return list(db.get_session().scalars(query.where(condition if due else ~condition)))


def due_practices() -> list[Practice]:
    """Return the practices whose review is due, the longest unreviewed first."""
    cutoff = review_cutoff()
    if cutoff is None:
        return []
    reviewed = func.coalesce(Practice.last_reviewed_at, Practice.published_at)
    return list(db.get_session().scalars(
        select(Practice).where(Practice.is_public, due_condition(cutoff))
        .order_by(reviewed.asc(), Practice.id.asc())))
