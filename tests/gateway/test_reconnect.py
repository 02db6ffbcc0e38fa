"""Disconnects in the middle of trading: re-login, resubscription, no lost or duplicated order
or trade, orders of the disconnected time recovered from the counter."""

from __future__ import annotations

import pytest
from vnpy.trader.constant import Direction, Exchange, Offset
from vnpy.trader.event import EVENT_ORDER, EVENT_TRADE

from .harness import Harness, counter_rows, exchange_of, poll, positions_agree


def counter_trades(sim: str, user: str) -> dict[str, float]:
    """The counter's trades keyed as the gateway names them: ExchangeID_TradeID_B|S."""
    side = {"0": "B", "1": "S"}
    return {
        f"{r['ExchangeID']}_{str(r['TradeID']).strip()}_{side[r['Direction']]}": r["Volume"]
        for r in counter_rows(sim, user, "trade")
    }


@pytest.mark.parametrize("resume", ["QUICK", "RESTART", "RESUME"])
def test_disconnect_mid_trading_loses_and_duplicates_nothing(
    harness: Harness, sim: str, resume: str
) -> None:
    a = harness.add("A")
    b = harness.add("B")  # the same investor on a second session (another terminal)
    harness.connect(a, sim, resume=resume)
    harness.connect(b, sim, resume=resume)
    contract, tick = harness.liquid_call(a, Exchange.SSE)

    start = harness.mark()
    resting_price = round(max(tick.limit_down, tick.bid_price_1 - 30 * contract.pricetick), 4)
    resting = harness.send(a, contract, Direction.LONG, Offset.OPEN, resting_price, 1)
    harness.wait_order(resting, {"NOTTRADED"}, start)
    filled = harness.send(a, contract, Direction.LONG, Offset.OPEN, tick.ask_price_1, 2)
    harness.wait_order(filled, {"ALLTRADED"}, start)

    # A's td and md connections drop; they come back by themselves a second later
    exchange = exchange_of(sim)
    start = harness.mark()
    for session_id in (a.td.sessionid, *exchange.sessions("md")):
        exchange.drop(session_id, reconnect_delay=1.0)
    harness.wait_log("交易服务器连接断开", "A", start)
    # meanwhile the other terminal trades and cancels A's resting order
    tick = harness.tick(contract.vt_symbol, start)
    during = harness.send(b, contract, Direction.LONG, Offset.OPEN, tick.ask_price_1, 1)
    harness.wait_order(during, {"ALLTRADED"}, start)

    harness.wait_log("交易服务器登录成功", "A", start)
    harness.wait_log("行情服务器登录成功", "A", start)
    harness.wait_resync(a)
    relogin = harness.mark()
    harness.tick(contract.vt_symbol, relogin)  # resubscribed

    # the order sent in the old session can be cancelled from the new one
    harness.main_engine.cancel_order(
        harness.main_engine.get_order(resting).create_cancel_request(), "A"  # type: ignore[union-attr]
    )
    harness.wait_order(resting, {"CANCELLED"}, relogin)
    tick = harness.tick(contract.vt_symbol, relogin)
    after = harness.send(a, contract, Direction.LONG, Offset.OPEN, tick.ask_price_1, 1)
    harness.wait_order(after, {"ALLTRADED"}, relogin)

    # every counter trade reached A exactly once, B's trade done while A was away included
    truth = counter_trades(sim, "u1")
    assert poll(lambda: {t.tradeid for t in harness.of(EVENT_TRADE) if t.gateway_name == "A"} == set(truth))
    a_trades = [t for t in harness.of(EVENT_TRADE) if t.gateway_name == "A"]
    assert len(a_trades) == len({t.vt_tradeid for t in a_trades})
    assert {t.tradeid: t.volume for t in a_trades} == truth
    # every counter order is known to A with the counter's final state, none pushed twice per state
    orders = [o for o in harness.of(EVENT_ORDER) if o.gateway_name == "A"]
    counter_status = {
        f"{r['FrontID']}_{r['SessionID']}_{str(r['OrderRef']).strip()}": r["OrderStatus"]
        for r in counter_rows(sim, "u1", "order")
    }
    final = {o.orderid: o for o in orders}
    assert set(counter_status) <= set(final)
    names = {"0": "ALLTRADED", "5": "CANCELLED", "3": "NOTTRADED", "1": "PARTTRADED"}
    for orderid, code in counter_status.items():
        assert final[orderid].status.name == names[code], orderid
    pairs = [(o.orderid, o.status, o.traded) for o in orders]
    assert len(pairs) == len(set(pairs))
    assert positions_agree(harness, a, sim)


def test_refused_login_is_retried_after_reconnect(harness: Harness, sim: str) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim)
    exchange = exchange_of(sim)
    exchange.refuse_logins(60)  # 用户在线会话超出上限: retrying can fix it
    start = harness.mark()
    exchange.drop(gateway.td.sessionid, reconnect_delay=0.2)
    harness.wait_log("交易服务器登录失败", start=start)
    exchange.refuse_logins(None)
    exchange.drop(None, reconnect_delay=0.2)
    harness.wait_log("交易服务器登录成功", start=start)
    harness.wait_resync(gateway)


def test_order_stuck_in_submitting_across_a_reconnect_is_resolved(harness: Harness, sim: str) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim)
    contract, tick = harness.liquid_call(gateway, Exchange.SZSE)
    exchange = exchange_of(sim)
    old_session = gateway.td.sessionid
    exchange.delay_responses(3000, old_session)  # the counter answers late ...
    start = harness.mark()
    price = round(max(tick.limit_down, tick.bid_price_1 - 30 * contract.pricetick), 4)
    vt_orderid = harness.send(gateway, contract, Direction.LONG, Offset.OPEN, price, 1)
    exchange.drop(old_session, reconnect_delay=0.2)  # ... and the connection drops first
    harness.wait_log("交易服务器登录成功", start=start)
    harness.wait_resync(gateway)
    exchange.delay_responses(0, old_session)
    order = harness.main_engine.get_order(vt_orderid)
    assert order is not None and order.status.name != "SUBMITTING"
    known = {
        f"{r['FrontID']}_{r['SessionID']}_{str(r['OrderRef']).strip()}"
        for r in counter_rows(sim, "u1", "order")
    }
    if order.orderid in known:  # it reached the counter: its real state
        assert order.status.name == "NOTTRADED"
    else:  # it never did: rejected with the reason
        assert order.status.name == "REJECTED" and "未到达柜台" in order.extra["status_msg"]
