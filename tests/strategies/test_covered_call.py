"""Covered call in the backtester: covered positions (no margin), lock, roll, unlock, and the
books recomputed from the fills."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from strategy_kit import SELL_OPEN, LiveDesk, backtest, check_books, poll
from vnpy.trader.constant import Direction, Exchange, Offset
from vnpy.trader.object import TickData

from backtests.common import ETF_SHARES
from strategies.covered_call import CoveredCallStrategy
from vnpy_ctpsopt.backtesting import BacktestError, BacktestingEngine, BtContract
from vnpy_ctpsopt.backtesting.book import COVERED

ETF = "510050.SSE"


class LotsToZero(CoveredCallStrategy):
    """The trader edits ``lots`` to 0 on the given day (as in vn.py's strategy window)."""

    stop_day = date(2026, 12, 21)

    def on_tick(self, tick: TickData) -> None:
        if tick.datetime.date() >= self.stop_day:
            self.lots = 0
        super().on_tick(tick)


def test_writes_covered_calls_on_locked_shares_and_rolls_before_expiry() -> None:
    # 12-18 (Fri) .. 12-22 (Tue): the December calls (expiry 12-23) are written, then rolled
    setting = {"underlying": ETF, "lots": 3, "min_days": 3, "roll_days": 2, "interval": 60}
    engine = backtest(CoveredCallStrategy, setting, date(2026, 12, 18), date(2026, 12, 22),
                      etf_shares=ETF_SHARES)  # fmt: skip
    trades = engine.get_all_trades()
    opens = [t for t in trades if t.offset == Offset.OPEN]
    closes = [t for t in trades if t.offset == Offset.CLOSE]
    assert opens and closes, engine.logs[-20:]
    assert all(t.direction == Direction.SHORT and t.extra["covered"] for t in opens)
    assert all(t.direction == Direction.LONG and t.extra["covered"] for t in closes)
    first, last = opens[0].vt_symbol, opens[-1].vt_symbol
    assert engine.contracts[first].expiry == date(2026, 12, 23)
    assert engine.contracts[last].expiry > date(2026, 12, 23)  # rolled to a later month
    assert {t.vt_symbol for t in closes} == {first}
    # every written call is out of the money at the spot it was written at (3% above)
    net = check_books(engine)
    assert net[first] == 0 and net[last] == -3
    # the account holds them as covered positions, with no margin at any close
    row = engine.account.positions[(last, COVERED)]
    assert row.volume == 3 and row.use_margin == 0.0
    assert engine.account.curr_margin == 0.0
    assert engine.daily_df is not None and (engine.daily_df["peak_margin"] == 0.0).all()
    stock = engine.account.stocks["510050"]
    assert stock.locked == 30000 and stock.lock_frozen == 30000
    assert engine.strategy.get_position_detail()[last] == {"covered": 3}
    # premium received: sell-open fills at the bid side, fee only the sell-open schedule
    fees = sum(SELL_OPEN * t.volume for t in opens)
    assert fees == pytest.approx(sum(t.extra["fee"] for t in opens))


def test_lots_edited_to_zero_buys_back_and_unlocks() -> None:
    setting = {"underlying": ETF, "lots": 2, "min_days": 3, "roll_days": 0, "interval": 60}
    engine = backtest(LotsToZero, setting, date(2026, 12, 18), date(2026, 12, 21),
                      etf_shares=ETF_SHARES)  # fmt: skip
    net = check_books(engine)
    assert all(volume == 0 for volume in net.values())
    stock = engine.account.stocks["510050"]
    assert stock.locked == 0 and stock.lock_frozen == 0
    assert any("解锁不再需要的 20000 份" in log for log in engine.logs)


def test_refuses_an_underlying_without_options() -> None:
    # the replay has the ETF and no option on it: the first tick stops the run with the message
    etf = BtContract("510050.SSE", "510050", "SSE", "50ETF", False, False, 0.0, 1, 0.001, None,
                     "510050", 1_000_000, 1_000_000)  # fmt: skip
    tick = TickData(gateway_name="T", symbol="510050", exchange=Exchange.SSE,
                    datetime=datetime(2026, 12, 18, 10, 0), last_price=3.1, bid_price_1=3.1,
                    ask_price_1=3.101, bid_volume_1=100, ask_volume_1=100)  # fmt: skip
    engine = BacktestingEngine()
    engine.show_progress = False
    engine.set_parameters([ETF], start=datetime(2026, 12, 18), end=datetime(2026, 12, 18))
    engine.set_history([tick], [etf])
    engine.add_strategy(CoveredCallStrategy, {"underlying": ETF})
    with pytest.raises(BacktestError, match="标的 510050.SSE 没有期权链.*策略拒绝启动"):
        engine.run_backtesting()
    assert not engine.get_all_orders()


@pytest.mark.slow
def test_live_on_the_sim_locks_and_writes_covered_calls() -> None:
    desk = LiveDesk("20261218T100000")
    try:
        strategy = desk.start(CoveredCallStrategy, {"underlying": ETF, "lots": 2, "min_days": 3,
                                                    "roll_days": 2, "interval": 20})  # fmt: skip
        assert strategy.vt_symbols == [ETF] and strategy.trading
        assert poll(lambda: strategy.call_symbol and strategy.get_pos(strategy.call_symbol) == -2,
                    60), desk.logs[-15:]  # fmt: skip
        call = desk.main_engine.get_contract(strategy.call_symbol)
        covered_id = f"{call.gateway_name}.{call.symbol}-COVERED.SSE.{Direction.SHORT.value}"
        assert poll(lambda: (p := desk.position(covered_id)) is not None and p.volume == 2, 30)
        assert poll(lambda: desk.account().extra.get("margin", None) == 0.0, 30)  # covered: none
        assert strategy.get_position_detail()[ETF] == {"locked": 20000}
        assert call.option_strike >= desk.main_engine.get_tick(ETF).last_price * 1.0  # OTM
        orders = [o for o in strategy.orders.values() if o.vt_symbol == call.vt_symbol]
        assert all(o.status.name == "ALLTRADED" for o in orders)
    finally:
        desk.close()


@pytest.mark.slow
def test_live_refuses_an_underlying_without_options() -> None:
    desk = LiveDesk("20261218T100000")
    try:
        strategy = desk.start(CoveredCallStrategy, {"underlying": "510051.SSE"})
        assert "标的 510051.SSE 没有期权链" in strategy.refused
        assert poll(lambda: any("策略拒绝启动" in log for log in desk.logs), 10)
        assert not strategy.orders
    finally:
        desk.close()
