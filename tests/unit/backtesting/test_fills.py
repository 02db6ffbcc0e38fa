"""Fills against five levels, resting orders, limits, order types and cancels, computed by
hand from the ticks below."""

from __future__ import annotations

from datetime import datetime

import pytest
from vnpy.trader.constant import Direction, Offset, OrderType

from .kit import CALL, ETF, run, tick


def T(second: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 22, 10, minute, second)


ETF_TICK = tick(ETF.vt_symbol, T(0), [(3.0, 100000)], [(3.001, 100000)], limits=(2.7, 3.3))
BOOK = tick(CALL.vt_symbol, T(1), [(0.0990, 5)], [(0.1000, 5), (0.1001, 3), (0.1002, 10)])


def test_partial_fill_walks_levels_then_rests_and_fills_at_its_own_price() -> None:
    ticks = [
        ETF_TICK,
        BOOK,
        tick(CALL.vt_symbol, T(2), [(0.0990, 5)], [(0.1001, 1), (0.1003, 10)]),
        tick(CALL.vt_symbol, T(3), [(0.0990, 5)], [(0.0999, 50)]),
    ]
    engine, s = run(ticks, {0: lambda s: s.buy(CALL.vt_symbol, 0.1001, 10)})
    fills = [(t.price, t.volume) for t in engine.get_all_trades()]
    # 5 @ 0.1000 and 3 @ 0.1001 at once; 2 rest at 0.1001: 1 on the next tick's 0.1001,
    # 1 on the tick after (ask 0.0999 crosses: the resting order trades at its own price)
    assert fills == [(0.1000, 5), (0.1001, 3), (0.1001, 1), (0.1001, 1)]
    assert [o.status.name for o in s.order_updates] == [
        "NOTTRADED", "PARTTRADED", "PARTTRADED", "PARTTRADED", "ALLTRADED"]  # fmt: skip
    assert s.get_pos(CALL.vt_symbol) == 10
    cost = (5 * 0.1000 + 5 * 0.1001) * 10000  # 1000.5
    fee = 10 * 2.0
    assert engine.account.balance == pytest.approx(1_000_000 - cost - fee)


def test_volume_taken_is_gone_until_the_next_snapshot() -> None:
    def two_orders(s):  # type: ignore[no-untyped-def]
        return s.buy(CALL.vt_symbol, 0.1000, 4) + s.buy(CALL.vt_symbol, 0.1000, 4)

    engine, s = run([ETF_TICK, BOOK], {0: two_orders})
    fills = [(t.orderid, t.price, t.volume) for t in engine.get_all_trades()]
    # the level shows 5: the first order takes 4, the second finds 1 (then cancelled at the
    # close, it rests meanwhile)
    assert fills == [("1", 0.1000, 4), ("2", 0.1000, 1)]


def test_price_outside_limits_or_off_tick_is_rejected_with_the_counter_message() -> None:
    def orders(s):  # type: ignore[no-untyped-def]
        return s.buy(CALL.vt_symbol, 0.5001, 1) + s.buy(CALL.vt_symbol, 0.10005, 1)

    engine, s = run([ETF_TICK, BOOK], {0: orders})
    rejected = [o for o in s.order_updates if o.status.name == "REJECTED"]
    assert len(rejected) == 2
    assert rejected[0].extra["error_msg"] == "CTP:价格不正确"
    assert not engine.get_all_trades()


def test_fok_fak_market_and_cancel() -> None:
    def orders(s):  # type: ignore[no-untyped-def]
        e = s.strategy_engine
        ids = e.send_order(
            s, CALL.vt_symbol, Direction.LONG, Offset.OPEN, 0.1001, 9, order_type=OrderType.FOK
        )  # 8 within the limit: all or nothing
        ids += e.send_order(
            s, CALL.vt_symbol, Direction.LONG, Offset.OPEN, 0.1000, 7, order_type=OrderType.FAK
        )  # 5 fill, 2 cancelled
        ids += e.send_order(
            s, CALL.vt_symbol, Direction.LONG, Offset.OPEN, 0, 10, order_type=OrderType.MARKET
        )  # walks what is left: 3 + 7 (of 10)
        ids += s.buy(CALL.vt_symbol, 0.0980, 1)  # rests below the book
        s.cancel_order(ids[-1])
        return ids

    engine, s = run([ETF_TICK, BOOK], {0: orders})
    fills = [(t.orderid, t.price, t.volume) for t in engine.get_all_trades()]
    assert fills == [("2", 0.1000, 5), ("3", 0.1001, 3), ("3", 0.1002, 7)]
    final = {o.orderid: o.status.name for o in s.order_updates}
    assert final == {"1": "CANCELLED", "2": "CANCELLED", "3": "ALLTRADED", "4": "CANCELLED"}
    assert engine.account.frozen_cash == pytest.approx(0.0)


def test_exchange_hours_reject_market_orders_outside_continuous_trading() -> None:
    at_lunch = tick(CALL.vt_symbol, datetime(2026, 12, 22, 12, 0), [(0.0990, 5)], [(0.1, 5)])
    engine, s = run(
        [ETF_TICK, at_lunch],
        {0: lambda s: s.strategy_engine.send_order(
            s, CALL.vt_symbol, Direction.LONG, Offset.OPEN, 0, 1, order_type=OrderType.MARKET)},
        hours="exchange",
    )  # fmt: skip
    assert [o.status.name for o in s.order_updates] == ["REJECTED"]
    assert not engine.get_all_trades()
