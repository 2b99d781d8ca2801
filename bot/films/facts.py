"""Release facts: which statement about a film's release is current, and which is history.

A newer statement (by when its source published it) supersedes the current
one for the same film and region; the old one is kept, so the bot can say
"moved from 12 June 2026 to 18 December 2026". A vaguer statement that agrees
with the current one ("2026" after "18 December 2026") changes nothing.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from bot.models import Precision


@dataclass(frozen=True, slots=True)
class Statement:
    release_date: date | None
    precision: Precision
    stated_at: datetime


class Verdict(Enum):
    CURRENT = "current"  # becomes the current fact; the old current one is superseded
    REDUNDANT = "redundant"  # says what the current fact says, or less: keep nothing
    HISTORY = "history"  # older than the current fact: kept as superseded history


def period(release_date: date, precision: Precision) -> tuple[date, date]:
    """The first and last day a (date, precision) can mean."""
    year, month = release_date.year, release_date.month
    if precision is Precision.DAY:
        return release_date, release_date
    if precision is Precision.MONTH:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    if precision is Precision.SEASON:
        last_month = month + 2
        end_year = year + (last_month - 1) // 12
        last_month = (last_month - 1) % 12 + 1
        return date(year, month, 1), date(
            end_year, last_month, calendar.monthrange(end_year, last_month)[1]
        )
    return date(year, 1, 1), date(year, 12, 31)


_RANK = {
    Precision.DAY: 0,
    Precision.MONTH: 1,
    Precision.SEASON: 2,
    Precision.YEAR: 3,
    Precision.UNKNOWN: 4,
}


def judge(current: Statement | None, new: Statement) -> Verdict:
    if new.release_date is None:
        return Verdict.REDUNDANT  # an unknown date never replaces a known one
    if current is None or current.release_date is None:
        return Verdict.CURRENT
    if new.stated_at < current.stated_at:
        return Verdict.HISTORY
    if (new.release_date, new.precision) == (current.release_date, current.precision):
        return Verdict.REDUNDANT
    start, end = period(new.release_date, new.precision)
    vaguer = _RANK[new.precision] > _RANK[current.precision]
    if vaguer and start <= current.release_date <= end:
        return Verdict.REDUNDANT
    return Verdict.CURRENT


def describe_date(release_date: date | None, precision: Precision) -> str:
    """'18 December 2026', 'December 2026', 'summer 2026', '2026', or 'date unknown'."""
    if release_date is None or precision is Precision.UNKNOWN:
        return "date unknown"
    if precision is Precision.DAY:
        return f"{release_date.day} {release_date:%B %Y}"
    if precision is Precision.MONTH:
        return f"{release_date:%B %Y}"
    if precision is Precision.SEASON:
        season = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
                  6: "summer", 7: "summer", 8: "summer"}.get(release_date.month, "fall")  # fmt: skip
        return f"{season} {release_date.year}"
    return str(release_date.year)
