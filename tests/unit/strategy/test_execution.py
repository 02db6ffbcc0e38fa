"""Pricing orders against five levels: hand-computed walks, limits, tick rounding, splits."""

from __future__ import annotations

from datetime import datetime

import pytest
from vnpy.trader.constant import Direction, Exchange
from vnpy.trader.object import TickData

from vnpy_ctpsopt.strategy import execution as ex


def book(bids: list[tuple[float, int]], asks: list[tuple[float, int]],
         up: float = 0.0, down: float = 0.0) -> TickData:  # fmt: skip
    t = TickData(gateway_name="T", symbol="10000001", exchange=Exchange.SSE,
                 datetime=datetime(2026, 12, 1, 10), limit_up=up, limit_down=down)  # fmt: skip
    for i, (p, v) in enumerate(bids, 1):
        setattr(t, f"bid_price_{i}", p)
        setattr(t, f"bid_volume_{i}", v)
    for i, (p, v) in enumerate(asks, 1):
        setattr(t, f"ask_price_{i}", p)
        setattr(t, f"ask_volume_{i}", v)
    return t


TICK = book([(0.0500, 3), (0.0498, 5), (0.0495, 10)], [(0.0503, 2), (0.0505, 4)], 0.2, 0.0001)


def test_walk_takes_levels_in_order() -> None:
    got = ex.take(TICK, Direction.LONG, 5)  # 2 @ 0.0503 + 3 @ 0.0505
    assert got.volume == 5 and got.price == 0.0505
    assert got.vwap == pytest.approx((2 * 0.0503 + 3 * 0.0505) / 5)
    thin = ex.take(TICK, Direction.LONG, 10)  # only 6 shown
    assert thin.volume == 6 and thin.price == 0.0505
    sell = ex.take(TICK, Direction.SHORT, 9)  # 3 @ .0500, 5 @ .0498, 1 @ .0495
    assert (sell.volume, sell.price) == (9, 0.0495)
    assert ex.take(book([], []), Direction.SHORT, 1).volume == 0


def test_order_price_inside_limits_and_on_tick() -> None:
    assert ex.order_price(TICK, Direction.LONG, 3, 0.0001) == 0.0505
    assert ex.order_price(TICK, Direction.SHORT, 1, 0.0001, extra_ticks=2) == 0.0498
    capped = book([(0.1990, 5)], [(0.1999, 5)], up=0.2000, down=0.1900)
    assert ex.order_price(capped, Direction.LONG, 1, 0.0001, extra_ticks=5) == 0.2
    floor = book([(0.1901, 5)], [(0.1910, 5)], up=0.2000, down=0.1900)
    assert ex.order_price(floor, Direction.SHORT, 1, 0.0001, extra_ticks=5) == 0.19
    assert ex.order_price(book([], [(0.1, 1)]), Direction.SHORT, 1, 0.0001) == 0.0
    # off-grid prices go to the passive side: a buy never pays more than asked
    assert ex.on_tick(0.05037, 0.0001, Direction.LONG) == 0.0503
    assert ex.on_tick(0.05031, 0.0001, Direction.SHORT) == 0.0504
    assert ex.on_tick(0.0503, 0.0001, Direction.SHORT) == 0.0503


def test_split_to_the_per_order_maximum() -> None:
    assert ex.split_volume(120) == [50, 50, 20]
    assert ex.split_volume(50) == [50]
    assert ex.split_volume(7, 3) == [3, 3, 1]
    assert ex.split_volume(0) == []
