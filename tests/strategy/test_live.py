"""OptionStrategyTemplate live: vnpy_portfoliostrategy's own StrategyEngine in a MainEngine with the
gateway on the simulated counter (seed and start instant pinned, an SSE expiry day).

Lock, covered open and exercise reach the counter and move the strategy's pos; a plain
StrategyTemplate from vnpy_portfoliostrategy gets on_tick in the same engine.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from vnpy.event import EventEngine
from vnpy.trader.constant import Direction, Exchange, OptionType, Product
from vnpy.trader.engine import MainEngine
from vnpy.trader.object import BarData, ContractData, TickData
from vnpy_portfoliostrategy import PortfolioStrategyApp, StrategyEngine, StrategyTemplate

from vnpy_ctpsopt import CtpsoptGateway
from vnpy_ctpsopt.sim.exchange import get_sim_exchange
from vnpy_ctpsopt.strategy import (
    DETAIL_COVERED,
    DETAIL_EXERCISING,
    DETAIL_LOCKED,
    LiveOptionEngine,
    OptionStrategyTemplate,
)

TIMEOUT = 20.0
ETF = "510050.SSE"
EXPIRY = "20261223"  # 4th Wednesday of December 2026: SSE expiry day
_names = itertools.count(1)


def poll(predicate: Callable[[], Any], timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            return False
        pause.wait(0.01)
    return True


class Recorder(OptionStrategyTemplate):
    """Records what reaches it; the test drives its orders."""

    def on_init(self) -> None:
        self.ticks: list[TickData] = []
        self.locks: list[tuple[str, float]] = []
        self.moves: list[tuple[str, float]] = []

    def on_tick(self, tick: TickData) -> None:
        self.ticks.append(tick)

    def on_bars(self, bars: dict[str, BarData]) -> None:
        pass

    def on_lock(self, vt_symbol: str, volume: float) -> None:
        self.locks.append((vt_symbol, volume))

    def on_position(self, vt_symbol: str, delta: float) -> None:
        self.moves.append((vt_symbol, delta))


class PlainTicks(StrategyTemplate):
    """A plain vnpy_portfoliostrategy strategy."""

    def on_init(self) -> None:
        self.ticks: list[TickData] = []

    def on_tick(self, tick: TickData) -> None:
        self.ticks.append(tick)

    def on_bars(self, bars: dict[str, BarData]) -> None:
        pass


@pytest.fixture
def live() -> Iterator[tuple[MainEngine, StrategyEngine, CtpsoptGateway, str]]:
    event_engine = EventEngine()
    main_engine = MainEngine(event_engine)
    sim = f"strat{next(_names)}x{threading.get_ident() % 10000}"
    gateway = main_engine.add_gateway(CtpsoptGateway, "CTPSOPT")
    assert isinstance(gateway, CtpsoptGateway)
    gateway.td.scheduler.interval = 0.02  # query pacing of the tests' counters (qps=100)
    address = f"sim://{sim}?seed=7&state=memory&qps=100&start={EXPIRY}T100000"
    main_engine.connect(
        {"用户名": "u1", "密码": "pw", "交易服务器": address, "行情服务器": address},
        "CTPSOPT",
    )
    engine = main_engine.add_app(PortfolioStrategyApp)
    assert isinstance(engine, StrategyEngine)
    engine.init_engine()  # what vn.py's UI does when the app opens: event handlers, classes
    try:
        assert poll(lambda: main_engine.get_contract(ETF) and main_engine.get_all_accounts())
        assert poll(lambda: gateway.td.resync_done)
        yield main_engine, engine, gateway, sim
    finally:
        main_engine.close()


def options(main_engine: MainEngine, expiring: bool) -> list[ContractData]:
    """Standard 50ETF calls expiring today (or later), strikes ascending."""
    return sorted(
        (
            c
            for c in main_engine.get_all_contracts()
            if c.product == Product.OPTION
            and c.option_portfolio == "510050_O"
            and c.option_type == OptionType.CALL
            and c.size == 10000
            and c.option_expiry is not None
            and (c.option_expiry.strftime("%Y%m%d") == EXPIRY) == expiring
        ),
        key=lambda c: (c.option_expiry, c.option_strike),
    )


def start(engine: StrategyEngine, cls: type, name: str, vt_symbols: list[str]) -> Any:
    engine.classes[cls.__name__] = cls
    engine.add_strategy(cls.__name__, name, vt_symbols, {})
    engine.init_strategy(name)
    strategy = engine.strategies[name]
    assert poll(lambda: strategy.inited)
    engine.start_strategy(name)
    assert strategy.trading
    return strategy


def test_lock_covered_exercise_reach_the_counter(
    live: tuple[MainEngine, StrategyEngine, CtpsoptGateway, str],
) -> None:
    main_engine, engine, gateway, sim = live
    covered = options(main_engine, expiring=False)[4]  # a later month: not settled by the roll
    expiring = options(main_engine, expiring=True)
    exercised = expiring[len(expiring) // 2]
    strategy: Recorder = start(engine, Recorder, "rec", [ETF, covered.vt_symbol, exercised.vt_symbol])
    assert isinstance(strategy.option_engine, LiveOptionEngine)
    assert poll(lambda: {t.vt_symbol for t in strategy.ticks} >= {ETF, covered.vt_symbol, exercised.vt_symbol})

    # lock 20000 shares: no trade, the lock hook and the detail say so
    vt_lockid = strategy.lock(ETF, 20000)
    assert vt_lockid.startswith("CTPSOPT.")
    assert poll(lambda: strategy.locks == [(ETF, 20000)])
    assert strategy.get_position_detail()[ETF] == {DETAIL_LOCKED: 20000}
    assert strategy.get_pos(ETF) == 0

    # covered open at the bid: the trade reaches the strategy through orderid_strategy_map
    bid = main_engine.get_tick(covered.vt_symbol).bid_price_1
    vt_orderids = strategy.sell_covered(covered.vt_symbol, bid, 1)
    assert len(vt_orderids) == 1 and engine.orderid_strategy_map[vt_orderids[0]] is strategy
    assert poll(lambda: strategy.get_pos(covered.vt_symbol) == -1)
    assert strategy.orders[vt_orderids[0]].status.name == "ALLTRADED"
    assert strategy.get_position_detail()[covered.vt_symbol] == {DETAIL_COVERED: 1}
    # the counter holds it as a covered position (vn.py's position id "<symbol>-COVERED")
    covered_id = f"CTPSOPT.{covered.symbol}-COVERED.SSE.{Direction.SHORT.value}"
    assert poll(lambda: (p := main_engine.get_position(covered_id)) is not None and p.volume == 1)

    # buy two expiring calls, exercise one: declared, then executed by the day's settlement
    ask = main_engine.get_tick(exercised.vt_symbol).ask_price_1
    strategy.buy(exercised.vt_symbol, ask, 2)
    assert poll(lambda: strategy.get_pos(exercised.vt_symbol) == 2)
    vt_exerciseid = strategy.exercise(exercised.vt_symbol, 1)
    assert vt_exerciseid
    assert poll(lambda: strategy.get_position_detail().get(exercised.vt_symbol) == {DETAIL_EXERCISING: 1})
    exchange = get_sim_exchange(sim)
    assert exchange is not None
    exchange.roll_day()
    # one contract exercised: the option goes, 10000 shares of the ETF arrive
    assert poll(lambda: strategy.get_pos(exercised.vt_symbol) == 1), strategy.moves
    assert strategy.get_pos(ETF) == 10000
    assert strategy.moves == [(exercised.vt_symbol, -1), (ETF, 10000)]
    assert exercised.vt_symbol not in strategy.get_position_detail()


def test_plain_strategy_gets_ticks_next_to_an_option_strategy(
    live: tuple[MainEngine, StrategyEngine, CtpsoptGateway, str],
) -> None:
    main_engine, engine, _, _ = live
    call = options(main_engine, expiring=False)[0]
    plain: PlainTicks = start(engine, PlainTicks, "plain", [ETF])
    option: Recorder = start(engine, Recorder, "opt", [call.vt_symbol])
    assert poll(lambda: len(plain.ticks) >= 2 and option.ticks)
    assert {t.vt_symbol for t in plain.ticks} == {ETF}
    assert {t.vt_symbol for t in option.ticks} == {call.vt_symbol}
    chain = option.get_chain(ETF)
    assert call in chain.contracts
    assert all(c.option_portfolio == "510050_O" for c in chain.contracts)
    assert chain.today.strftime("%Y%m%d") == EXPIRY
    # the chain is what the gateway listed for 510050 on that day (others excluded)
    listed = {c.vt_symbol for c in main_engine.get_all_contracts()
              if c.product == Product.OPTION and c.option_portfolio == "510050_O"}
    assert set(chain.vt_symbols) == listed
    assert Exchange.SSE in {c.exchange for c in chain.contracts}
