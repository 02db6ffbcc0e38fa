"""What a data source hands the engine: one trading day at a time.

A ``DayFeed`` is the day's contracts, its snapshots in time order across instruments (vn.py
``TickData``), and, when the source knows them, the exchange's previous settlement prices and
today's settlement prices (else the engine settles at each instrument's last price).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from vnpy.trader.object import TickData

from .contracts import BtContract


class BacktestError(Exception):
    """Bad input or a failing strategy; the message is Chinese and meant for the trader."""


@dataclass
class DayFeed:
    """One trading day. ``contracts`` keyed by vt_symbol (options listed that day and ETFs);
    ``pre_settlements``/``settlements`` keyed by vt_symbol (ETFs: previous close / close)."""

    trading_day: date
    contracts: dict[str, BtContract]
    ticks: Iterable[TickData]
    pre_settlements: dict[str, float] = field(default_factory=dict)
    settlements: dict[str, float] = field(default_factory=dict)


def split_days(ticks: Iterable[TickData], contracts: dict[str, BtContract]) -> Iterator[DayFeed]:
    """Preloaded ticks (time ordered) cut into DayFeeds by calendar date."""
    day: date | None = None
    bucket: list[TickData] = []
    for tick in ticks:
        d = tick.datetime.date()
        if d != day:
            if day is not None:
                yield DayFeed(day, contracts, bucket)
            day, bucket = d, []
        bucket.append(tick)
    if day is not None:
        yield DayFeed(day, contracts, bucket)
