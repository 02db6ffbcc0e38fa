"""OptionStrategyTemplate on an engine that implements OptionEngine itself (as the backtester does):
engine resolution, greeks of the holdings against vnpy_optionmaster, price helpers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from vnpy.trader.constant import Direction, Exchange, Offset, OptionType, Product
from vnpy.trader.object import BarData, ContractData, TickData
from vnpy_optionmaster.pricing import black_scholes as om

from vnpy_ctpsopt.strategy import OptionEngine, OptionStrategyTemplate, resolve_option_engine

NOW = datetime(2026, 12, 1, 10, 30)
EXPIRY = datetime(2026, 12, 23)


def contract(symbol: str, product: Product, **option: Any) -> ContractData:
    c = ContractData(symbol=symbol, exchange=Exchange.SSE, name=symbol, product=product,
                     size=10000 if product == Product.OPTION else 1,
                     pricetick=0.0001 if product == Product.OPTION else 0.001,
                     gateway_name="BT")  # fmt: skip
    for key, value in option.items():
        setattr(c, key, value)
    return c


def tick(symbol: str, bid: float, ask: float, up: float = 0.0, down: float = 0.0) -> TickData:
    return TickData(gateway_name="BT", symbol=symbol, exchange=Exchange.SSE, datetime=NOW,
                    bid_price_1=bid, ask_price_1=ask, last_price=(bid + ask) / 2,
                    limit_up=up, limit_down=down)  # fmt: skip


class BookEngine:
    """A minimal engine with the OptionEngine methods and the StrategyTemplate surface."""

    def __init__(self) -> None:
        self.contracts = {
            "510050.SSE": contract("510050", Product.ETF),
            "10000001.SSE": contract("10000001", Product.OPTION, option_portfolio="510050_O",
                                     option_type=OptionType.CALL, option_strike=3.0,
                                     option_expiry=EXPIRY, option_index="3.000-M"),
            "10000002.SSE": contract("10000002", Product.OPTION, option_portfolio="510050_O",
                                     option_type=OptionType.PUT, option_strike=2.9,
                                     option_expiry=EXPIRY, option_index="2.900-M"),
        }  # fmt: skip
        self.ticks: dict[str, TickData] = {}
        self.sent: list[tuple[Any, ...]] = []

    def send_covered_order(self, strategy: Any, vt_symbol: str, direction: Direction,
                           offset: Offset, price: float, volume: float) -> list[str]:  # fmt: skip
        self.sent.append(("covered", vt_symbol, direction, offset, price, volume))
        return [f"BT.{len(self.sent)}"]

    def send_lock(self, strategy: Any, vt_symbol: str, lock: bool, volume: int) -> str:
        self.sent.append(("lock", vt_symbol, lock, volume))
        return f"BT.L{len(self.sent)}"

    def send_exercise(self, strategy: Any, vt_symbol: str, volume: int) -> str:
        self.sent.append(("exercise", vt_symbol, volume))
        return f"BT.E{len(self.sent)}"

    def get_option_contracts(self, underlying: str) -> list[ContractData]:
        return [c for c in self.contracts.values() if c.product == Product.OPTION]

    def get_tick(self, vt_symbol: str) -> TickData | None:
        return self.ticks.get(vt_symbol)

    def get_position_detail(self, strategy: Any) -> dict[str, dict[str, float]]:
        return {}

    def get_contract(self, vt_symbol: str) -> ContractData | None:
        return self.contracts.get(vt_symbol)

    def get_pricetick(self, strategy: Any, vt_symbol: str) -> float:
        return self.contracts[vt_symbol].pricetick


class Strategy(OptionStrategyTemplate):
    def on_init(self) -> None:
        pass

    def on_bars(self, bars: dict[str, BarData]) -> None:
        pass


@pytest.fixture
def setup() -> tuple[BookEngine, Strategy]:
    engine = BookEngine()
    strategy = Strategy(engine, "s", list(engine.contracts), {})
    strategy.trading = True
    return engine, strategy


def test_an_option_engine_is_used_as_is(setup: tuple[BookEngine, Strategy]) -> None:
    engine, strategy = setup
    assert isinstance(engine, OptionEngine)
    assert strategy.option_engine is engine
    assert resolve_option_engine(engine) is engine
    assert not isinstance(object(), OptionEngine)


def test_requests_go_to_the_engine_only_while_trading(setup: tuple[BookEngine, Strategy]) -> None:
    engine, strategy = setup
    assert strategy.sell_covered("10000001.SSE", 0.05, 2) == ["BT.1"]
    assert "BT.1" in strategy.active_orderids
    strategy.buy_covered("10000001.SSE", 0.04, 1)
    strategy.lock("510050.SSE", 20000)
    strategy.unlock("510050.SSE", 10000)
    strategy.exercise("10000001.SSE", 1)
    assert engine.sent == [
        ("covered", "10000001.SSE", Direction.SHORT, Offset.OPEN, 0.05, 2),
        ("covered", "10000001.SSE", Direction.LONG, Offset.CLOSE, 0.04, 1),
        ("lock", "510050.SSE", True, 20000),
        ("lock", "510050.SSE", False, 10000),
        ("exercise", "10000001.SSE", 1),
    ]
    strategy.trading = False
    assert strategy.sell_covered("10000001.SSE", 0.05, 1) == [] and strategy.lock("510050.SSE", 1) == ""
    assert len(engine.sent) == 5


def test_update_position_moves_pos(setup: tuple[BookEngine, Strategy]) -> None:
    _, strategy = setup
    strategy.update_position("10000001.SSE", -1)
    strategy.update_position("510050.SSE", 10000)
    assert strategy.get_pos("10000001.SSE") == -1 and strategy.get_pos("510050.SSE") == 10000


def test_greeks_of_holdings_match_optionmaster(setup: tuple[BookEngine, Strategy]) -> None:
    engine, strategy = setup
    s, r = 3.05, strategy.option_rate
    t = (datetime(2026, 12, 23, 15) - NOW).total_seconds() / (365 * 86400)
    legs = {"10000001.SSE": (3.0, 1, 0.21, 3), "10000002.SSE": (2.9, -1, 0.25, -2)}
    engine.ticks["510050.SSE"] = tick("510050", s - 0.0005, s + 0.0005)
    expected = {"delta": 500.0, "gamma": 0.0, "vega": 0.0, "theta": 0.0}
    for vt_symbol, (k, cp, v, pos) in legs.items():
        price = om.calculate_price(s, k, r, t, v, cp)
        engine.ticks[vt_symbol] = tick(vt_symbol.split(".")[0], price - 0.0001, price + 0.0001)
        strategy.pos_data[vt_symbol] = pos
        _, d, g, th, ve = om.calculate_greeks(s, k, r, t, v, cp)
        expected["delta"] += pos * d * 10000
        expected["gamma"] += pos * g * 10000
        expected["vega"] += pos * ve * 100
        expected["theta"] += pos * th * 10000 / 240
    strategy.pos_data["510050.SSE"] = 500
    greeks = strategy.get_greeks()
    assert greeks.delta == pytest.approx(expected["delta"], abs=1e-3)
    assert greeks.gamma == pytest.approx(expected["gamma"], abs=1e-3)
    assert greeks.vega == pytest.approx(expected["vega"], abs=1e-3)
    assert greeks.theta == pytest.approx(expected["theta"], abs=1e-3)
    assert greeks.legs["510050.SSE"] == (500.0, 0.0, 0.0, 0.0)


def test_chain_from_the_engine(setup: tuple[BookEngine, Strategy]) -> None:
    engine, strategy = setup
    engine.ticks["510050.SSE"] = tick("510050", 3.0, 3.001)
    chain = strategy.get_chain("510050.SSE")
    assert chain.vt_symbols == ["10000002.SSE", "10000001.SSE"]
    assert chain.days_to_expiry(EXPIRY.date()) == 22


def test_price_helpers(setup: tuple[BookEngine, Strategy]) -> None:
    engine, strategy = setup
    assert strategy.round_price("10000001.SSE", 0.12346) == pytest.approx(0.1235)
    assert strategy.round_price("10000001.SSE", 0.12346, Direction.LONG) == pytest.approx(0.1234)
    assert strategy.round_price("10000001.SSE", 0.12341, Direction.SHORT) == pytest.approx(0.1235)
    assert strategy.round_price("10000001.SSE", 0.1234, Direction.SHORT) == pytest.approx(0.1234)
    assert strategy.clamp_price("10000001.SSE", 0.5) == 0.5  # no tick yet
    engine.ticks["10000001.SSE"] = tick("10000001", 0.1, 0.11, up=0.3, down=0.0001)
    assert strategy.clamp_price("10000001.SSE", 0.5) == 0.3
    assert strategy.clamp_price("10000001.SSE", -0.1) == 0.0001
    assert strategy.clamp_price("10000001.SSE", 0.2) == 0.2
