"""Trading-day helpers and ETF-option expiries."""

from __future__ import annotations

from datetime import date

import pytest

from vnpy_ctpsopt.sim.calendar import (
    add_months,
    expiry_date,
    fourth_wednesday,
    is_trading_day,
    listed_expiries,
    listed_months,
    listing_date,
    next_trading_day,
    previous_trading_day,
)


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 12, date(2026, 12, 23)),
        (2024, 12, date(2024, 12, 25)),
        (2025, 1, date(2025, 1, 22)),
        (2026, 4, date(2026, 4, 22)),  # month starting on a Wednesday
        (2026, 9, date(2026, 9, 23)),
    ],
)
def test_fourth_wednesday(year: int, month: int, expected: date) -> None:
    assert fourth_wednesday(year, month) == expected
    assert expected.weekday() == 2
    assert expiry_date(year, month) == expected


def test_expiry_rolls_over_holidays() -> None:
    wed = fourth_wednesday(2026, 9)
    holidays = frozenset({wed, date(2026, 9, 24)})
    assert expiry_date(2026, 9, holidays) == date(2026, 9, 25)


def test_trading_days() -> None:
    assert is_trading_day(date(2026, 11, 27))  # Friday
    assert not is_trading_day(date(2026, 11, 28))
    assert next_trading_day(date(2026, 11, 27)) == date(2026, 11, 30)
    assert previous_trading_day(date(2026, 11, 30)) == date(2026, 11, 27)
    holidays = frozenset({date(2026, 11, 30)})
    assert not is_trading_day(date(2026, 11, 30), holidays)
    assert next_trading_day(date(2026, 11, 27), holidays) == date(2026, 12, 1)


def test_add_months() -> None:
    assert add_months(2026, 11, 1) == (2026, 12)
    assert add_months(2026, 12, 1) == (2027, 1)
    assert add_months(2027, 1, -2) == (2026, 11)


@pytest.mark.parametrize(
    ("day", "months"),
    [
        (date(2026, 11, 10), [(2026, 11), (2026, 12), (2027, 3), (2027, 6)]),
        (date(2026, 11, 25), [(2026, 11), (2026, 12), (2027, 3), (2027, 6)]),  # expiry day
        (date(2026, 11, 26), [(2026, 12), (2027, 1), (2027, 3), (2027, 6)]),
        (date(2027, 1, 5), [(2027, 1), (2027, 2), (2027, 3), (2027, 6)]),
        (date(2027, 1, 28), [(2027, 2), (2027, 3), (2027, 6), (2027, 9)]),
        (date(2026, 2, 2), [(2026, 2), (2026, 3), (2026, 6), (2026, 9)]),
    ],
)
def test_listed_months(day: date, months: list[tuple[int, int]]) -> None:
    assert listed_months(day) == months
    expiries = listed_expiries(day)
    assert expiries == sorted(expiries) and len(set(expiries)) == 4
    assert all(e >= day and e.weekday() == 2 for e in expiries)


def test_listing_date_is_day_after_an_expiry() -> None:
    # September 2027 is first listed after the January 2027 expiry.
    assert listing_date(2027, 9) == date(2027, 1, 28)
    # A quarter month is listed as the far quarter: December 2026 after the April expiry
    # (May, June, September, December).
    assert listing_date(2026, 12) == next_trading_day(expiry_date(2026, 4))
    # A non-quarter month is listed as "next month".
    assert listing_date(2026, 8) == next_trading_day(expiry_date(2026, 6))
    for y, m in [(2027, 9), (2026, 12), (2026, 8)]:
        first = listing_date(y, m)
        assert (y, m) in listed_months(first)
        assert (y, m) not in listed_months(previous_trading_day(first))
