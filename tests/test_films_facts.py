"""Release facts: supersede, history, vaguer statements, and how dates are told."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.films.facts import Statement, Verdict, describe_date, judge, period
from bot.models import Precision

MARCH = datetime(2025, 3, 1, tzinfo=UTC)
NOVEMBER = datetime(2025, 11, 10, tzinfo=UTC)
D, M, S, Y = Precision.DAY, Precision.MONTH, Precision.SEASON, Precision.YEAR


@pytest.mark.parametrize(
    ("current", "new", "verdict"),
    [
        (None, Statement(date(2026, 12, 18), D, MARCH), Verdict.CURRENT),
        (
            Statement(date(2026, 6, 12), D, MARCH),
            Statement(date(2026, 12, 18), D, NOVEMBER),
            Verdict.CURRENT,
        ),
        (
            Statement(date(2026, 6, 12), D, NOVEMBER),
            Statement(date(2026, 12, 18), D, MARCH),
            Verdict.HISTORY,
        ),
        (
            Statement(date(2026, 12, 18), D, MARCH),
            Statement(date(2026, 12, 18), D, NOVEMBER),
            Verdict.REDUNDANT,
        ),
        (
            Statement(date(2026, 12, 18), D, MARCH),
            Statement(date(2026, 1, 1), Y, NOVEMBER),
            Verdict.REDUNDANT,
        ),
        (
            Statement(date(2026, 12, 18), D, MARCH),
            Statement(date(2026, 12, 1), M, NOVEMBER),
            Verdict.REDUNDANT,
        ),
        (
            Statement(date(2026, 12, 18), D, MARCH),
            Statement(date(2027, 1, 1), Y, NOVEMBER),
            Verdict.CURRENT,
        ),
        (
            Statement(date(2026, 1, 1), Y, MARCH),
            Statement(date(2026, 12, 18), D, NOVEMBER),
            Verdict.CURRENT,
        ),
        (
            Statement(date(2026, 7, 4), D, MARCH),
            Statement(date(2026, 6, 1), S, NOVEMBER),
            Verdict.REDUNDANT,
        ),
        (
            Statement(date(2026, 12, 18), D, MARCH),
            Statement(None, Precision.UNKNOWN, NOVEMBER),
            Verdict.REDUNDANT,
        ),
    ],
)
def test_judge(current: Statement | None, new: Statement, verdict: Verdict) -> None:
    assert judge(current, new) is verdict


def test_periods() -> None:
    assert period(date(2026, 2, 1), M) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period(date(2026, 12, 1), S) == (date(2026, 12, 1), date(2027, 2, 28))
    assert period(date(2026, 1, 1), Y) == (date(2026, 1, 1), date(2026, 12, 31))


@pytest.mark.parametrize(
    ("value", "precision", "text"),
    [
        (date(2026, 12, 18), D, "18 December 2026"),
        (date(2026, 12, 1), M, "December 2026"),
        (date(2026, 6, 1), S, "summer 2026"),
        (date(2026, 9, 1), S, "fall 2026"),
        (date(2026, 1, 1), Y, "2026"),
        (None, Precision.UNKNOWN, "date unknown"),
    ],
)
def test_describe_date(value: date | None, precision: Precision, text: str) -> None:
    assert describe_date(value, precision) == text
