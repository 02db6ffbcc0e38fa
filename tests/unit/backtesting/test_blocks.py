"""The synthetic market in numpy blocks (``sim.stream``): the block path gives what the tick
path gives for the same snapshots, and the same seed gives the same results."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import numpy as np
import pytest
from vnpy.trader.object import BarData, TickData
from vnpy_portfoliostrategy import StrategyTemplate

from vnpy_ctpsopt.backtesting import BacktestingEngine, DayFeed
from vnpy_ctpsopt.backtesting.data import SimBlockSource

stream = pytest.importorskip("vnpy_ctpsopt.sim.stream")

DAY = date(2026, 12, 1)
ETF = "510050.SSE"


class Straddler(StrategyTemplate):
    """Every 300th ETF snapshot: buys the nearest-to-the-money front call at the ask and
    writes the put at the bid, alternately closing them (exercises fills and margin)."""

    n = 0

    def on_init(self) -> None:
        self.n = 0

    def on_tick(self, tick: TickData) -> None:
        self.n += 1
        if self.n % 300:
            return
        engine: Any = self.strategy_engine
        options = sorted(
            (c for c in engine.contracts.values() if c.is_option),
            key=lambda c: (c.expiry, abs(c.strike - tick.last_price)),
        )
        call = next(c.vt_symbol for c in options if c.is_call)
        put = next(c.vt_symbol for c in options if not c.is_call)
        ct, pt = engine.get_tick(call), engine.get_tick(put)
        if self.get_pos(call) > 0:
            self.sell(call, ct.bid_price_1, 1)
            self.cover(put, pt.ask_price_1, 1)
        else:
            self.buy(call, ct.ask_price_1, 2)
            self.short(put, pt.bid_price_1, 2)

    def on_bars(self, bars: dict[str, BarData]) -> None:
        pass


BLOCKS = 6  # the first 6 blocks of 240 steps: 12 minutes of the morning


class FirstBlocks:
    """The first BLOCKS blocks of each day of ``SimBlockSource`` (as blocks, or as TickData
    with the ETF last in each step, so that at its tick every option is at the same step)."""

    def __init__(self, source: SimBlockSource, as_ticks: bool) -> None:
        self.source, self.as_ticks = source, as_ticks

    def days(self, start: date, end: date) -> Iterator[DayFeed]:
        for feed in self.source.days(start, end):
            blocks = []
            for i, block in enumerate(feed.blocks):
                if i < BLOCKS:
                    blocks.append(block)
            if self.as_ticks:
                yield DayFeed(feed.trading_day, feed.contracts, list(_ticks(blocks)),
                              feed.pre_settlements, feed.settlements)  # fmt: skip
            else:
                yield DayFeed(feed.trading_day, feed.contracts, (), feed.pre_settlements,
                              feed.settlements, blocks)  # fmt: skip


def _ticks(blocks: list[Any]) -> Iterator[TickData]:
    for block in blocks:
        order = sorted(range(len(block.vt_symbols)), key=lambda c: block.vt_symbols[c] == ETF)
        for row, when in enumerate(block.times):
            for col in order:
                yield _tick(block, row, col, when)


def _tick(block: Any, row: int, col: int, when: datetime) -> TickData:
    symbol, _, exchange = block.vt_symbols[col].partition(".")
    from vnpy.trader.constant import Exchange

    t = TickData("T", symbol, Exchange(exchange), when,
                 last_price=float(block.last[row, col]),
                 limit_down=float(block.limit_down[col]), limit_up=float(block.limit_up[col]),
                 pre_close=float(block.pre_close[col]))  # fmt: skip
    for k in range(5):
        setattr(t, f"bid_price_{k + 1}", float(block.bid_price[k, row, col]))
        setattr(t, f"bid_volume_{k + 1}", int(block.bid_volume[k, row, col]))
        setattr(t, f"ask_price_{k + 1}", float(block.ask_price[k, row, col]))
        setattr(t, f"ask_volume_{k + 1}", int(block.ask_volume[k, row, col]))
    return t


def _run(source: Any) -> BacktestingEngine:
    engine = BacktestingEngine()
    engine.show_progress = False
    engine.set_parameters(["510050.SSE"], start=datetime(2026, 12, 1),
                          end=datetime(2026, 12, 1))  # fmt: skip
    engine.set_source(source)
    engine.add_strategy(Straddler, {})
    engine.run_backtesting()
    engine.calculate_result()
    return engine


def test_blocks_and_ticks_of_the_same_snapshots_give_the_same_backtest() -> None:
    by_blocks = _run(FirstBlocks(SimBlockSource("510050", seed=11), as_ticks=False))
    by_ticks = _run(FirstBlocks(SimBlockSource("510050", seed=11), as_ticks=True))
    trades = [[(t.vt_symbol, t.direction, t.price, t.volume) for t in e.get_all_trades()]
              for e in (by_blocks, by_ticks)]  # fmt: skip
    assert len(trades[0]) >= 6
    assert trades[0] == trades[1]
    a, b = by_blocks.daily_df, by_ticks.daily_df
    assert a is not None and b is not None
    assert np.allclose(a.to_numpy(dtype=float), b.to_numpy(dtype=float))


def test_same_seed_same_series_and_results() -> None:
    first, second = _run(SimBlockSource("510050", seed=3)), _run(SimBlockSource("510050", seed=3))
    other = _run(SimBlockSource("510050", seed=4))
    key = [[(t.datetime, t.price, t.volume) for t in e.get_all_trades()]
           for e in (first, second, other)]  # fmt: skip
    assert key[0] == key[1] and key[0] != key[2]
    assert first.daily_df is not None and first.daily_df.equals(second.daily_df)
