"""Hand-made contracts, ticks and a scripted strategy for the backtester's tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from vnpy.trader.constant import Exchange
from vnpy.trader.object import BarData, TickData
from vnpy_portfoliostrategy import StrategyTemplate

from vnpy_ctpsopt.backtesting import BacktestingEngine, BtContract
from vnpy_ctpsopt.core.fees import FeeSchedule

EXPIRY = date(2026, 12, 23)
DAY1 = date(2026, 12, 22)
CALL = BtContract("10000001.SSE", "10000001", "SSE", "50ETF购12月3000", True, True, 3.0, 10000,
                  0.0001, EXPIRY, "510050")  # fmt: skip
CALL_OTM = BtContract("10000002.SSE", "10000002", "SSE", "50ETF购12月3100", True, True, 3.1,
                      10000, 0.0001, EXPIRY, "510050")  # fmt: skip
PUT = BtContract("10000003.SSE", "10000003", "SSE", "50ETF沽12月3000", True, False, 3.0, 10000,
                 0.0001, EXPIRY, "510050")  # fmt: skip
ETF = BtContract("510050.SSE", "510050", "SSE", "50ETF", False, False, 0.0, 1, 0.001, None,
                 "510050", 1_000_000, 1_000_000)  # fmt: skip
CONTRACTS = [CALL, CALL_OTM, PUT, ETF]


def tick(
    vt_symbol: str,
    dt: datetime,
    bids: list[tuple[float, int]] = (),  # type: ignore[assignment]
    asks: list[tuple[float, int]] = (),  # type: ignore[assignment]
    last: float = 0.0,
    limits: tuple[float, float] = (0.0001, 0.5),
    pre_close: float = 0.0,
) -> TickData:
    symbol, _, exchange = vt_symbol.partition(".")
    t = TickData(
        gateway_name="TEST",
        symbol=symbol,
        exchange=Exchange(exchange),
        datetime=dt,
        last_price=last or (bids[0][0] if bids else 0.0),
        limit_down=limits[0],
        limit_up=limits[1],
        pre_close=pre_close,
    )
    for i, (p, v) in enumerate(bids, 1):
        setattr(t, f"bid_price_{i}", p)
        setattr(t, f"bid_volume_{i}", v)
    for i, (p, v) in enumerate(asks, 1):
        setattr(t, f"ask_price_{i}", p)
        setattr(t, f"ask_volume_{i}", v)
    return t


Script = dict[int, Callable[["ScriptStrategy"], Any]]


class ScriptStrategy(StrategyTemplate):
    """Runs ``script[n]`` on its n-th tick (0-based, counted over subscribed ticks) and keeps
    every order and trade update it receives."""

    parameters: list[str] = []
    variables: list[str] = []

    def __init__(self, engine: Any, name: str, vt_symbols: list[str], setting: dict) -> None:
        super().__init__(engine, name, vt_symbols, setting)
        self.script: Script = setting.get("script", {})
        self.n = 0
        self.order_updates: list[Any] = []
        self.trade_updates: list[Any] = []
        self.ids: list[str] = []

    def on_init(self) -> None:
        pass

    def on_tick(self, tick: TickData) -> None:
        action = self.script.get(self.n)
        self.n += 1
        if action is not None:
            result = action(self)
            if isinstance(result, list):
                self.ids.extend(result)

    def on_bars(self, bars: dict[str, BarData]) -> None:
        pass

    def update_order(self, order: Any) -> None:
        super().update_order(order)
        self.order_updates.append(order)

    def update_trade(self, trade: Any) -> None:
        super().update_trade(trade)
        self.trade_updates.append(trade)


def run(
    ticks: list[TickData],
    script: Script,
    vt_symbols: list[str] | None = None,
    capital: float = 1_000_000.0,
    **kwargs: Any,
) -> tuple[BacktestingEngine, ScriptStrategy]:
    engine = BacktestingEngine()
    engine.show_progress = False
    engine.set_parameters(
        vt_symbols or [CALL.vt_symbol],
        start=datetime(2026, 12, 1),
        end=datetime(2026, 12, 31),
        capital=capital,
        fees=kwargs.pop("fees", FeeSchedule()),
        hours=kwargs.pop("hours", "24x7"),
        **kwargs,
    )
    engine.set_history(ticks, CONTRACTS)
    engine.add_strategy(ScriptStrategy, {"script": script})
    engine.run_backtesting()
    assert isinstance(engine.strategy, ScriptStrategy)
    return engine, engine.strategy
