"""What a data source hands the engine: one trading day at a time.

A ``DayFeed`` is the day's contracts, its snapshots in time order across instruments (vn.py
``TickData``), and, when the source knows them, the exchange's previous settlement prices and
today's settlement prices (else the engine settles at each instrument's last price).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from numpy.typing import NDArray
from vnpy.trader.object import TickData

from .contracts import BtContract


class BacktestError(Exception):
    """Bad input or a failing strategy; the message is Chinese and meant for the trader."""


@dataclass(eq=False)
class SnapshotBlock:
    """Consecutive snapshots of a set of instruments, as arrays: ``times`` one per step (row),
    ``vt_symbols`` one per column. Books are (level, step, column), best level first, price 0
    for an empty level; ``last``/``volume`` are (step, column); ``limit_down``/``limit_up``/
    ``pre_close`` per column. Every instrument has a snapshot at every step."""

    times: list[datetime]
    vt_symbols: list[str]
    bid_price: NDArray[np.float64]
    bid_volume: NDArray[np.int64]
    ask_price: NDArray[np.float64]
    ask_volume: NDArray[np.int64]
    last: NDArray[np.float64]
    volume: NDArray[np.float64]
    limit_down: NDArray[np.float64]
    limit_up: NDArray[np.float64]
    pre_close: NDArray[np.float64]


@dataclass
class DayFeed:
    """One trading day. ``contracts`` keyed by vt_symbol (options listed that day and ETFs);
    snapshots as ``ticks`` (TickData in time order) or as ``blocks`` (arrays, consecutive);
    ``pre_settlements``/``settlements`` keyed by vt_symbol (ETFs: previous close / close)."""

    trading_day: date
    contracts: dict[str, BtContract]
    ticks: Iterable[TickData] = ()
    pre_settlements: dict[str, float] = field(default_factory=dict)
    settlements: dict[str, float] = field(default_factory=dict)
    blocks: Iterable[SnapshotBlock] = ()


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
