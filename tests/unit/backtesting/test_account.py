"""Margin and the open check, covered + lock, exercise, expiry of each kind and PnL, with
every figure computed by hand in the comments."""

from __future__ import annotations

from datetime import datetime

import pytest

from vnpy_ctpsopt.core.fees import FeeSchedule

from .kit import CALL, CALL_OTM, ETF, PUT, run, tick

D1 = datetime(2026, 12, 22, 10, 0, 0)
D2 = datetime(2026, 12, 23, 10, 0, 0)  # expiry day


def _etf(dt: datetime, price: float) -> object:
    return tick(ETF.vt_symbol, dt, [(price, 10**6)], [(round(price + 0.001, 3), 10**6)],
                last=price, limits=(2.7, 3.3), pre_close=3.0)  # fmt: skip


def _opt(vt: str, dt: datetime, bid: float, ask: float, pre_close: float = 0.05) -> object:
    return tick(vt, dt, [(bid, 100)], [(ask, 100)], last=bid, pre_close=pre_close)


def test_short_margin_with_markup_and_the_open_check() -> None:
    # call K=3.1, previous settlement 0.05, ETF previous close 3.0: OTM 0.1;
    # exchange margin (0.05 + max(0.12*3.0 - 0.1, 0.07*3.0)) * 10000 = 3100; broker x1.1 = 3410
    ticks = [_etf(D1.replace(second=0), 3.0), _opt(CALL_OTM.vt_symbol, D1.replace(second=1),
                                                    0.05, 0.0501)]  # fmt: skip
    engine, s = run(
        ticks,
        {0: lambda s: s.short(CALL_OTM.vt_symbol, 0.05, 2) + s.short(CALL_OTM.vt_symbol, 0.05, 1)},
        vt_symbols=[CALL_OTM.vt_symbol],
        capital=5000.0,
    )
    statuses = [o.status.name for o in s.order_updates]
    assert statuses[0] == "REJECTED"  # 2 lots need 6820 > 5000
    assert s.order_updates[0].extra["error_msg"] == "CTP:资金不足"
    assert statuses[-1] == "ALLTRADED"
    df = engine.calculate_result()
    assert df["peak_margin"].iloc[0] == pytest.approx(3410.0)
    # maintenance at the close: settlement = last 0.05, ETF close 3.0: same 3410
    assert engine.account.curr_margin == pytest.approx(3410.0)
    assert df["premium_received"].iloc[0] == pytest.approx(500.0)


def test_covered_needs_locked_shares_and_lock_unlock() -> None:
    def script(s):  # type: ignore[no-untyped-def]
        e = s.strategy_engine
        from vnpy.trader.constant import Direction, Offset

        ids = e.send_covered_order(s, CALL.vt_symbol, Direction.SHORT, Offset.OPEN, 0.05, 1)
        s.lock_id = e.send_lock(s, ETF.vt_symbol, True, 10000)
        ids += e.send_covered_order(s, CALL.vt_symbol, Direction.SHORT, Offset.OPEN, 0.05, 1)
        ids += e.send_covered_order(s, CALL.vt_symbol, Direction.SHORT, Offset.OPEN, 0.05, 1)
        s.unlock_id = e.send_lock(s, ETF.vt_symbol, False, 10000)  # backs the covered short
        s.lock_too_many = e.send_lock(s, ETF.vt_symbol, True, 10001)  # only 10000 free
        return ids

    ticks = [_etf(D1, 3.0), _opt(CALL.vt_symbol, D1.replace(second=1), 0.05, 0.0501)]
    engine, s = run(ticks, {0: script}, stocks={"510050": 20000})
    rejected = [o.extra["error_msg"] for o in s.order_updates if o.status.name == "REJECTED"]
    assert rejected == ["CTP:锁定仓位不足", "CTP:锁定仓位不足"]
    assert s.lock_id and not s.unlock_id and not s.lock_too_many
    assert engine.account.curr_margin == 0.0  # covered: no margin
    detail = engine.get_position_detail(s)
    assert detail == {CALL.vt_symbol: {"covered": 1}, ETF.vt_symbol: {"locked": 10000}}
    stock = engine.account.stocks["510050"]
    assert (stock.volume, stock.locked, stock.lock_frozen) == (20000, 10000, 10000)


def _expiry_run(etf_close: float, script: dict, stocks: dict | None = None,
                auto: bool = True) -> tuple:  # fmt: skip
    ticks = [
        _etf(D1, 3.0),
        _opt(CALL.vt_symbol, D1.replace(second=1), 0.05, 0.0501),
        _opt(PUT.vt_symbol, D1.replace(second=2), 0.05, 0.0501),
        _etf(D2, etf_close),
        _opt(CALL.vt_symbol, D2.replace(second=1), max(etf_close - 3.0, 0.0001), 0.2),
        _opt(PUT.vt_symbol, D2.replace(second=2), max(3.0 - etf_close, 0.0001), 0.2),
    ]
    return run(ticks, script, vt_symbols=[CALL.vt_symbol, PUT.vt_symbol],
               stocks=stocks or {}, auto_exercise=auto, fees=FeeSchedule())  # fmt: skip


def test_itm_long_call_is_exercised_and_otm_long_put_lapses() -> None:
    # buy 1 call and 1 put at 0.0501; expiry close 3.2: call ITM (exercised: pay 30000,
    # receive 10000 shares, fee 1), put OTM (lapses)
    engine, s = _expiry_run(3.2, {0: lambda s: s.buy(CALL.vt_symbol, 0.0501, 1),
                                  1: lambda s: s.buy(PUT.vt_symbol, 0.0501, 1)})  # fmt: skip
    assert engine.account.stocks["510050"].volume == 10000
    fees = 2 * 2.0 + 1.0
    cash = 1_000_000 - 2 * 501.0 - fees - 3.0 * 10000
    assert engine.account.balance == pytest.approx(cash)
    df = engine.calculate_result()
    assert df["exercised"].sum() == 1 and df["expired"].sum() == 1
    # equity = cash + 10000 shares at 3.2; PnL columns add up to it
    assert df["net_pnl"].sum() == pytest.approx(cash + 10000 * 3.2 - 1_000_000)
    assert s.get_pos(CALL.vt_symbol) == 0 and s.get_pos(PUT.vt_symbol) == 0


def test_declared_exercise_only_when_auto_is_off() -> None:
    def declare(s):  # type: ignore[no-untyped-def]
        s.exec_id = s.strategy_engine.send_exercise(s, CALL.vt_symbol, 1)

    engine, s = _expiry_run(3.2, {0: lambda s: s.buy(CALL.vt_symbol, 0.0501, 2), 2: declare},
                            auto=False)  # fmt: skip
    assert s.exec_id
    df = engine.calculate_result()
    assert df["exercised"].sum() == 1 and df["expired"].sum() == 1  # the undeclared lot lapses


def test_exercise_refused_before_expiry_day() -> None:
    def declare(s):  # type: ignore[no-untyped-def]
        s.exec_id = s.strategy_engine.send_exercise(s, CALL.vt_symbol, 1)

    engine, s = _expiry_run(3.2, {0: lambda s: s.buy(CALL.vt_symbol, 0.0501, 1), 1: declare})
    assert s.exec_id == ""
    assert any("CTP:该合约未到行权日" in line for line in engine.logs)


def test_short_call_assigned_with_shortfall_and_short_put_assigned() -> None:
    # short 1 call (naked, 5000 shares held) and 1 put at 0.05 (received 500 each);
    # close 3.2: call ITM -> deliver 10000 shares at 3.0 (+30000), 5000 short, bought back
    # at 3.2 (-16000); put OTM at 3.2 -> lapses
    engine, s = _expiry_run(3.2, {0: lambda s: s.short(CALL.vt_symbol, 0.05, 1),
                                  1: lambda s: s.short(PUT.vt_symbol, 0.05, 1)},
                            stocks={"510050": 5000})  # fmt: skip
    cash = 1_000_000 + 1000 + 30000 - 5000 * 3.2
    assert engine.account.balance == pytest.approx(cash)
    assert engine.account.stocks["510050"].volume == 0
    assert engine.account.curr_margin == 0.0
    df = engine.calculate_result()
    assert df["assigned"].sum() == 1 and df["expired"].sum() == 1
    # equity: cash only (no shares left); start value 1,000,000 + 5000 shares at 3.0
    assert df["net_pnl"].sum() == pytest.approx(cash - 1_000_000 - 5000 * 3.0)
    # the ETF leg: 10000 delivered at the strike, the 5000 short bought back at the close
    etf_trades = [(t.direction.name, t.price, t.volume) for t in engine.get_all_trades()
                  if t.vt_symbol == ETF.vt_symbol]  # fmt: skip
    assert etf_trades == [("SHORT", 3.0, 10000), ("LONG", 3.2, 5000)]
    assert engine.recorder.positions[ETF.vt_symbol] == 0


def test_short_put_assigned_receives_shares() -> None:
    # close 2.8: put ITM: pay 30000, receive 10000 shares; call OTM lapses
    engine, s = _expiry_run(2.8, {1: lambda s: s.short(PUT.vt_symbol, 0.05, 1)})
    assert engine.account.stocks["510050"].volume == 10000
    assert engine.account.balance == pytest.approx(1_000_000 + 500 - 30000)


def test_covered_call_delivers_locked_shares() -> None:
    def script(s):  # type: ignore[no-untyped-def]
        from vnpy.trader.constant import Direction, Offset

        e = s.strategy_engine
        e.send_lock(s, ETF.vt_symbol, True, 10000)
        return e.send_covered_order(s, CALL.vt_symbol, Direction.SHORT, Offset.OPEN, 0.05, 1)

    engine, s = _expiry_run(3.2, {0: script}, stocks={"510050": 10000})
    stock = engine.account.stocks["510050"]
    assert (stock.volume, stock.locked, stock.lock_frozen) == (0, 0, 0)
    assert engine.account.balance == pytest.approx(1_000_000 + 500 + 30000)
    assert engine.calculate_result()["assigned"].sum() == 1


def test_strategy_error_is_reported_with_a_clear_message() -> None:
    from vnpy_ctpsopt.backtesting import BacktestError

    def boom(s):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("division by zero")

    with pytest.raises(
        BacktestError, match=r"策略 ScriptStrategy 在 on_tick 中出错.*ZeroDivisionError"
    ):
        _expiry_run(3.2, {0: boom})
