"""Backtests of the sample strategies on a few synthetic days, and the checks every strategy's
run must pass: positions and cash recomputed from the fills with fees from this file's own
schedule (never from the engine's)."""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from vnpy.event import EventEngine
from vnpy.trader.constant import Direction, Offset
from vnpy.trader.engine import MainEngine
from vnpy.trader.event import EVENT_LOG
from vnpy.trader.object import AccountData, PositionData
from vnpy_portfoliostrategy import PortfolioStrategyApp, StrategyEngine, StrategyTemplate
from vnpy_portfoliostrategy.base import EVENT_PORTFOLIO_LOG

from backtests.common import run
from vnpy_ctpsopt import CtpsoptSimGateway
from vnpy_ctpsopt.backtesting import BacktestingEngine
from vnpy_ctpsopt.core.fees import FeeSchedule
from vnpy_ctpsopt.gateway.setting import ConnectSetting

# Fees of the test runs (CNY per contract), distinct so that a wrong action shows.
BUY_OPEN, SELL_OPEN, CLOSE, EXERCISE = 2.5, 0.3, 1.5, 1.0
FEES = FeeSchedule(buy_open=BUY_OPEN, sell_open=SELL_OPEN, close=CLOSE, exercise=EXERCISE)
CAPITAL = 1_000_000.0
_NAMES = itertools.count(1)


def backtest(
    cls: type[StrategyTemplate], setting: dict[str, Any], start: date, end: date,
    step: float = 60.0, seed: int = 7, etf_shares: int = 0,
) -> BacktestingEngine:  # fmt: skip
    return run(cls, setting, start=start, end=end, seed=seed, step=step, capital=CAPITAL,
               progress=False, fees=FEES, etf_shares=etf_shares)  # fmt: skip


def fee_of(direction: Direction, offset: Offset, volume: float, settlement: str) -> float:
    if settlement:
        return EXERCISE * volume if settlement == "exercised" else 0.0
    if offset == Offset.OPEN:
        return (BUY_OPEN if direction == Direction.LONG else SELL_OPEN) * volume
    return CLOSE * volume


def check_books(engine: BacktestingEngine) -> dict[str, float]:
    """Cash and positions recomputed from the fills agree with the account and the strategy;
    returns the net positions by vt_symbol."""
    strategy = engine.strategy
    assert strategy is not None
    # nothing the exchange refuses for a reason known before sending (limits, tick, volume)
    rejected = [o for o in engine.get_all_orders() if o.status.name == "REJECTED"]
    assert not rejected, [(o.vt_symbol, o.price, o.volume, o.extra) for o in rejected]
    cash = CAPITAL
    net: dict[str, float] = defaultdict(float)
    for trade in engine.get_all_trades():
        contract = engine.contracts[trade.vt_symbol]
        sign = 1.0 if trade.direction == Direction.LONG else -1.0
        kind = (trade.extra or {}).get("settlement", "")
        if kind and contract.is_option and trade.direction is not None:
            # the option leg of an exercise/assignment/expiry: no cash, the fee on exercised lots
            cash -= fee_of(trade.direction, trade.offset, trade.volume, kind)
        else:
            cash -= sign * trade.price * trade.volume * contract.size
            if contract.is_option:
                cash -= fee_of(trade.direction, trade.offset, trade.volume, "")  # type: ignore[arg-type]
        net[trade.vt_symbol] += sign * trade.volume
    assert engine.account.balance == pytest.approx(cash, abs=1e-6)
    held: dict[str, float] = defaultdict(float)
    for (vt_symbol, side), row in engine.account.positions.items():
        held[vt_symbol] += row.volume if side == "long" else -row.volume
    for vt_symbol, volume in net.items():
        contract = engine.contracts[vt_symbol]
        assert strategy.get_pos(vt_symbol) == volume, vt_symbol
        if contract.is_option:
            assert held.get(vt_symbol, 0.0) == volume, vt_symbol
        else:
            start = engine.stocks.get(contract.symbol, 0)
            assert engine.account.stocks[contract.symbol].volume == start + volume
    return dict(net)


# --- live: vnpy_portfoliostrategy's StrategyEngine on CtpsoptSimGateway ---------------------


def poll(predicate: Callable[[], Any], timeout: float) -> bool:
    """Wait (event-based, never a fixed sleep) until ``predicate()`` is truthy."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            return False
        pause.wait(0.02)
    return True


class LiveDesk:
    """A MainEngine with CtpsoptSimGateway on a pinned sim (seed, start instant, speed, memory
    state) and vnpy_portfoliostrategy's StrategyEngine, as run.py builds them."""

    def __init__(self, start: str, speed: float = 20.0, seed: int = 7) -> None:
        self.logs: list[str] = []
        self.event_engine = EventEngine()
        self.main_engine = MainEngine(self.event_engine)
        self.event_engine.register(EVENT_LOG, lambda e: self.logs.append(e.data.msg))
        self.event_engine.register(EVENT_PORTFOLIO_LOG, lambda e: self.logs.append(e.data.msg))
        gateway = self.main_engine.add_gateway(CtpsoptSimGateway)
        assert isinstance(gateway, CtpsoptSimGateway)
        self.gateway = gateway
        gateway.td.scheduler.interval = 0.02
        name = f"strategies{next(_NAMES)}x{os.getpid()}"
        address = f"sim://{name}?seed={seed}&state=memory&qps=100&speed={speed:g}&start={start}"
        self.sim_name = name
        gateway.connect_with(ConnectSetting("u1", "pw", "", address, address, "", ""))
        self.engine = self.main_engine.add_app(PortfolioStrategyApp)
        assert isinstance(self.engine, StrategyEngine)
        self.engine.init_engine()
        assert poll(lambda: self.main_engine.get_contract("510050.SSE")
                    and self.main_engine.get_all_accounts() and gateway.td.resync_done,
                    60), self.logs[-10:]  # fmt: skip

    def start(self, cls: type[StrategyTemplate], setting: dict[str, Any],
              vt_symbols: list[str] | None = None) -> Any:  # fmt: skip
        name = cls.__name__.lower()
        self.engine.classes[cls.__name__] = cls
        self.engine.add_strategy(cls.__name__, name, vt_symbols or [], setting)
        self.engine.init_strategy(name)
        strategy = self.engine.strategies[name]
        assert poll(lambda: strategy.inited, 30), self.logs[-10:]
        self.engine.start_strategy(name)
        return strategy

    def position(self, vt_positionid: str) -> PositionData | None:
        found: PositionData | None = self.main_engine.get_position(vt_positionid)
        return found

    def account(self) -> AccountData:
        return self.main_engine.get_all_accounts()[0]

    def close(self) -> None:
        self.engine.stop_all_strategies()
        self.main_engine.close()
