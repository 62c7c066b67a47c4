"""The rhythm of follow-up: monthly, quarterly or on chosen dates, and the review dates it
gives (pure: no Qt, no database).

A monthly or quarterly rhythm runs from an anchor date (the next review as last set): every
month, or every third month, on the same day of the month (the last day where a month is
shorter). Without an anchor a review falls on the 15th, after the month or quarter it follows
up.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from kpidesk.domain.periods import Period, PeriodKind

DEFAULT_DAY = 15


class Rhythm(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    DATES = "dates"


def _add_months(day: date, months: int, wanted_day: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(wanted_day, last))


def parse_dates(text: str) -> list[date]:
    """The ISO dates in ``text`` (separated by spaces, commas or semicolons), sorted; any
    other word is ignored."""
    found = set()
    for word in text.replace(",", " ").replace(";", " ").split():
        try:
            found.add(date.fromisoformat(word))
        except ValueError:
            continue
    return sorted(found)


def _step(rhythm: Rhythm) -> int:
    return 1 if rhythm is Rhythm.MONTHLY else 3


def _anchor(rhythm: Rhythm, anchor: date | None, today: date) -> date:
    if anchor is not None:
        return anchor
    if rhythm is Rhythm.MONTHLY:
        return date(today.year, today.month, DEFAULT_DAY)
    quarter_start = (today.month - 1) // 3 * 3 + 1
    return date(today.year, quarter_start, DEFAULT_DAY)


def review_dates(
    rhythm: Rhythm, first: date, last: date, *, anchor: date | None, dates: Iterable[date] = ()
) -> list[date]:
    """Every review day from ``first`` to ``last`` (both included)."""
    if rhythm is Rhythm.DATES:
        return [day for day in sorted(dates) if first <= day <= last]
    start = _anchor(rhythm, anchor, first)
    step = _step(rhythm)
    months = (first.year - start.year) * 12 + first.month - start.month
    k = months // step - 1
    result: list[date] = []
    while True:
        day = _add_months(start, k * step, start.day)
        if day > last:
            return result
        if day >= first:
            result.append(day)
        k += 1


def next_review(
    rhythm: Rhythm, today: date, *, anchor: date | None, dates: Iterable[date] = ()
) -> date | None:
    """The first review day from ``today`` on, or None (dates all past)."""
    horizon = date(today.year + 2, today.month, 1)
    found = review_dates(rhythm, today, horizon, anchor=anchor, dates=dates)
    return found[0] if found else None


def period_for_review(rhythm: Rhythm, day: date) -> Period:
    """The period a review on ``day`` follows up: the month before (monthly or on dates), or
    the quarter before (quarterly)."""
    if rhythm is Rhythm.QUARTERLY:
        return Period.of(day, PeriodKind.QUARTER).previous()
    return Period.of(day, PeriodKind.MONTH).previous()
