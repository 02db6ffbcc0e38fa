"""ChainStrategyTemplate in the backtester on hand-made books: orders priced at the worst level
their volume needs, split to the per-order maximum, held inside the price limit, none on an
empty side or on yesterday's book; the chain refused when the underlying has none."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from vnpy.trader.constant import Direction, Offset
from vnpy.trader.object import TickData

from vnpy_ctpsopt.backtesting import BacktestError, BacktestingEngine
from vnpy_ctpsopt.strategy.chain_template import ChainStrategyTemplate

from ..backtesting.kit import CALL, CONTRACTS, ETF, tick

T0 = datetime(2026, 12, 1, 10, 0)


class Taker(ChainStrategyTemplate):
    """On its first underlying tick, buys ``volume`` of the call."""

    parameters = ["underlying", "volume"]
    volume = 120

    def on_init(self) -> None:
        super().on_init()
        self.sent: list[str] = []

    def on_tick(self, tick: TickData) -> None:
        if self.ready(tick) and not self.sent:
            self.sent = self.take(CALL.vt_symbol, Direction.LONG, Offset.OPEN, self.volume) or ["-"]


def run(ticks: list[TickData], setting: dict[str, Any],
        start: datetime = datetime(2026, 12, 1)) -> BacktestingEngine:  # fmt: skip
    engine = BacktestingEngine()
    engine.show_progress = False
    engine.set_parameters([ETF.vt_symbol], start=start,
                          end=datetime(2026, 12, 2), hours="24x7")  # fmt: skip
    engine.set_history(ticks, CONTRACTS)
    engine.add_strategy(Taker, {"underlying": ETF.vt_symbol, **setting})
    engine.run_backtesting()
    return engine


def etf(dt: datetime) -> TickData:
    return tick(ETF.vt_symbol, dt, [(3.0, 10**6)], [(3.001, 10**6)], limits=(2.7, 3.3))


def test_worst_level_split_to_fifty_and_filled() -> None:
    book = tick(CALL.vt_symbol, T0, [(0.05, 10)],
                [(0.0510, 30), (0.0512, 40), (0.0515, 60), (0.0520, 100)])  # fmt: skip
    engine = run([book, etf(T0)], {"volume": 120})
    orders = engine.get_all_orders()
    # 120 lots need 30 + 40 + 50 of the 0.0515 level: every part priced 0.0515
    assert [o.volume for o in orders] == [50, 50, 20]
    assert {o.price for o in orders} == {0.0515}
    assert all(o.status.name == "ALLTRADED" for o in orders)
    assert engine.strategy.get_pos(CALL.vt_symbol) == 120


def test_price_held_inside_the_limit_and_nothing_on_an_empty_side() -> None:
    capped = tick(CALL.vt_symbol, T0, [(0.05, 10)], [(0.0510, 5)], limits=(0.0001, 0.0510))
    engine = run([capped, etf(T0)], {"volume": 3})
    assert [(o.price, o.volume, o.status.name) for o in engine.get_all_orders()] == [
        (0.051, 3, "ALLTRADED")]
    empty = tick(CALL.vt_symbol, T0, [(0.05, 10)], [])
    assert not run([empty, etf(T0)], {"volume": 3}).get_all_orders()


def test_no_order_on_yesterdays_book() -> None:
    # the call traded on 11-30 only; at 12-01's first ETF tick its book is yesterday's
    yesterday = tick(CALL.vt_symbol, datetime(2026, 11, 30, 14, 0), [(0.05, 10)], [(0.051, 10)])
    engine = run([yesterday, etf(T0)], {"volume": 1}, start=datetime(2026, 11, 30))
    assert engine.strategy.sent == ["-"]  # it tried, and nothing went out
    assert not engine.get_all_orders()


def test_refused_without_a_chain() -> None:
    lone = [tick(ETF.vt_symbol, T0, [(3.0, 10)], [(3.001, 10)])]
    engine = BacktestingEngine()
    engine.show_progress = False
    engine.set_parameters([ETF.vt_symbol], start=datetime(2026, 12, 1), end=datetime(2026, 12, 2))
    engine.set_history(lone, [ETF])
    engine.add_strategy(Taker, {"underlying": ETF.vt_symbol})
    with pytest.raises(BacktestError, match="没有期权链"):
        engine.run_backtesting()
