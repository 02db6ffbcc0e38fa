"""Trade ids are unique across exchanges (issue 13 item 1): an SSE and an SZSE trade with the same
exchange TradeID both reach vn.py's OMS and a vnpy_portfoliostrategy strategy, each exactly once,
also after a reconnect whose RESTART private flow replays the day."""

from __future__ import annotations

from typing import Any

from vnpy.trader.constant import Exchange
from vnpy.trader.event import EVENT_TRADE
from vnpy.trader.object import BarData
from vnpy_portfoliostrategy import PortfolioStrategyApp, StrategyTemplate
from vnpy_portfoliostrategy.engine import StrategyEngine

from .harness import Harness, counter_rows, exchange_of, poll


class TwoLegs(StrategyTemplate):
    """Does nothing by itself: the test sends its orders and reads its pos_data."""

    def on_init(self) -> None:
        return

    def on_start(self) -> None:
        return

    def on_bars(self, bars: dict[str, BarData]) -> None:
        return


def strategy_engine(harness: Harness) -> StrategyEngine:
    engine: Any = harness.main_engine.add_app(PortfolioStrategyApp)
    assert isinstance(engine, StrategyEngine)
    engine.init_engine()
    engine.classes["TwoLegs"] = TwoLegs
    return engine


def test_first_sse_and_first_szse_trade_both_reach_oms_and_strategy(
    harness: Harness, sim: str
) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim, resume="RESTART")
    sse, _ = harness.liquid_call(gateway, Exchange.SSE)
    szse, _ = harness.liquid_call(gateway, Exchange.SZSE)

    engine = strategy_engine(harness)
    engine.add_strategy("TwoLegs", "legs", [sse.vt_symbol, szse.vt_symbol], {})
    engine.init_strategy("legs")
    strategy = engine.strategies["legs"]
    assert poll(lambda: strategy.inited)
    engine.start_strategy("legs")

    for contract in (sse, szse):
        start = harness.mark()
        tick = harness.tick(contract.vt_symbol, start)
        (vt_orderid,) = strategy.buy(contract.vt_symbol, tick.ask_price_1, 1)
        harness.wait_order(vt_orderid, {"ALLTRADED"}, start)

    # the premise: the counter numbers trades per exchange, so both first trades share a TradeID
    rows = counter_rows(sim, "u1", "trade")
    assert sorted(r["ExchangeID"] for r in rows) == ["SSE", "SZSE"]
    assert len({str(r["TradeID"]).strip() for r in rows}) == 1

    def check() -> None:
        pushed = [t for t in harness.of(EVENT_TRADE) if t.gateway_name == gateway.gateway_name]
        # each trade pushed exactly once, under distinct ids
        assert sorted(t.vt_symbol for t in pushed) == sorted([sse.vt_symbol, szse.vt_symbol])
        assert len({t.vt_tradeid for t in pushed}) == 2
        oms = harness.main_engine.get_all_trades()
        assert sorted(t.vt_symbol for t in oms) == sorted([sse.vt_symbol, szse.vt_symbol])
        assert dict(strategy.pos_data) == {sse.vt_symbol: 1, szse.vt_symbol: 1}

    assert poll(lambda: len(harness.main_engine.get_all_trades()) >= 2)
    check()
    ids_before = {t.vt_tradeid for t in harness.main_engine.get_all_trades()}

    # the td connection drops; RESTART makes the counter replay the day's private flow at re-login
    start = harness.mark()
    exchange_of(sim).drop(gateway.td.sessionid, reconnect_delay=0.2)
    harness.wait_log("交易服务器登录成功", gateway.gateway_name, start)
    harness.wait_resync(gateway)
    check()
    assert {t.vt_tradeid for t in harness.main_engine.get_all_trades()} == ids_before
