"""Trading days and ETF-option expiries (SSE and SZSE share one calendar).

Pure functions. A trading day is a weekday not in ``holidays`` (empty by default; pass the
exchange's holiday dates to be exact). Expiry is the 4th Wednesday of the month, rolled forward
to the next trading day when that Wednesday is a holiday. Four months are listed at any time:
the current month (the next one once this month's expiry has passed), the next month, and the
two quarter months (3/6/9/12) after those.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import date, timedelta

NO_HOLIDAYS: frozenset[date] = frozenset()
QUARTER_MONTHS: tuple[int, ...] = (3, 6, 9, 12)


def is_trading_day(day: date, holidays: AbstractSet[date] = NO_HOLIDAYS) -> bool:
    """A weekday that is not a holiday."""
    return day.weekday() < 5 and day not in holidays


def next_trading_day(day: date, holidays: AbstractSet[date] = NO_HOLIDAYS) -> date:
    """The first trading day strictly after ``day``."""
    nxt = day + timedelta(days=1)
    while not is_trading_day(nxt, holidays):
        nxt += timedelta(days=1)
    return nxt


def previous_trading_day(day: date, holidays: AbstractSet[date] = NO_HOLIDAYS) -> date:
    """The last trading day strictly before ``day``."""
    prev = day - timedelta(days=1)
    while not is_trading_day(prev, holidays):
        prev -= timedelta(days=1)
    return prev


def trading_day_on_or_after(day: date, holidays: AbstractSet[date] = NO_HOLIDAYS) -> date:
    """``day`` itself when it is a trading day, else the next one."""
    return day if is_trading_day(day, holidays) else next_trading_day(day, holidays)


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    """(year, month) shifted by ``n`` months."""
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def fourth_wednesday(year: int, month: int) -> date:
    """The 4th Wednesday of the month (calendar only, no holiday roll)."""
    first = date(year, month, 1)
    offset = (2 - first.weekday()) % 7  # Wednesday is weekday 2
    return first + timedelta(days=offset + 21)


def expiry_date(year: int, month: int, holidays: AbstractSet[date] = NO_HOLIDAYS) -> date:
    """Expiry (= last trading day = exercise day) of the month's contracts."""
    return trading_day_on_or_after(fourth_wednesday(year, month), holidays)


def listed_months(
    trading_day: date, holidays: AbstractSet[date] = NO_HOLIDAYS
) -> list[tuple[int, int]]:
    """The four (year, month) contract months listed on ``trading_day``, nearest first."""
    year, month = trading_day.year, trading_day.month
    if trading_day > expiry_date(year, month, holidays):
        year, month = add_months(year, month, 1)
    months = [(year, month), add_months(year, month, 1)]
    y, m = months[-1]
    while len(months) < 4:
        y, m = add_months(y, m, 1)
        if m in QUARTER_MONTHS:
            months.append((y, m))
    return months


def listed_expiries(trading_day: date, holidays: AbstractSet[date] = NO_HOLIDAYS) -> list[date]:
    """Expiry dates of the four listed months on ``trading_day``, nearest first."""
    return [expiry_date(y, m, holidays) for y, m in listed_months(trading_day, holidays)]


def listing_date(year: int, month: int, holidays: AbstractSet[date] = NO_HOLIDAYS) -> date:
    """The first trading day on which the (year, month) contracts are listed.

    New months are listed on the trading day after an expiry, so the candidates are the days
    after each of the previous twelve expiries; the earliest one that lists the month wins.
    """
    for back in range(12, 0, -1):
        y, m = add_months(year, month, -back)
        candidate = next_trading_day(expiry_date(y, m, holidays), holidays)
        if (year, month) in listed_months(candidate, holidays):
            return candidate
    raise ValueError(f"{year}-{month:02d} is never listed")  # pragma: no cover - unreachable


def calendar_days(start: date, end: date) -> int:
    """Calendar days from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    return (end - start).days
