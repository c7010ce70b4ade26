"""Review-date arithmetic, against a plain reference: whole calendar months, month ends clipped."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from kb.services.review_dates import months_before, years_since_review

UTC = dt.UTC


def _at(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(("moment", "months", "expected"), [
    (_at(2026, 11, 29, 16), 24, _at(2024, 11, 29, 16)),
    (_at(2026, 3, 31), 1, _at(2026, 2, 28)),
    (_at(2024, 3, 31), 1, _at(2024, 2, 29)),
    (_at(2026, 1, 15), 13, _at(2024, 12, 15)),
    (_at(2026, 5, 10), 0, _at(2026, 5, 10)),
])
def test_months_before_counts_calendar_months(moment, months, expected):
    assert months_before(moment, months) == expected


def _reference_months(when: dt.date, now: dt.date) -> int:
    """Count whole months one at a time: k months have passed once the calendar reaches the
    same day of the month k months later."""
    count = 0
    while True:
        year, month = divmod(when.month - 1 + count + 1, 12)
        if (now.year, now.month, now.day) < (when.year + year, month + 1, when.day):
            return count
        count += 1


@pytest.mark.parametrize("days", [0, 1, 29, 30, 31, 364, 365, 366, 700, 760, 800, 1100])
def test_time_since_review_matches_the_reference(days):
    now = dt.datetime(2026, 11, 29, 12, tzinfo=UTC)
    when = now - dt.timedelta(days=days)
    practice = SimpleNamespace(last_reviewed_at=when, published_at=None)
    years, months = years_since_review(practice, now)
    assert months == _reference_months(when.date(), now.date())
    assert years == months // 12


def test_the_publication_date_stands_in_for_a_missing_review():
    now = dt.datetime(2026, 11, 29, tzinfo=UTC)
    practice = SimpleNamespace(last_reviewed_at=None, published_at=_at(2024, 10, 1))
    assert years_since_review(practice, now) == (2, 25)
