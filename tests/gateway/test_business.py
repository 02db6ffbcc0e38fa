"""SOPT business on the simulated counter: lock + covered calls, exercise, market-maker quotes."""

from __future__ import annotations

from vnpy.trader.constant import Direction, Exchange, Offset
from vnpy.trader.event import EVENT_ORDER, EVENT_QUOTE, EVENT_TRADE
from vnpy.trader.object import CancelRequest, QuoteRequest, SubscribeRequest

from vnpy_ctpsopt import (
    EVENT_CTPSOPT_EXERCISE,
    EVENT_CTPSOPT_LOCK,
    ExerciseRequest,
    LockRequest,
    LockType,
)

from .harness import Harness, account_agrees, counter_rows, poll, positions_agree

EXPIRY_DAY = "start=20261223T100000"  # 4th Wednesday of December 2026: an exercise day


def wait_event(harness: Harness, kind: str, key: str, statuses: set[str], start: int):  # type: ignore[no-untyped-def]
    return harness.wait(
        lambda e: e.type == kind + key and e.data.status.name in statuses, start=start
    ).data


def locked_rows(harness: Harness) -> dict[str, float]:
    return {
        p.symbol: p.volume
        for p in harness.main_engine.get_all_positions()
        if p.symbol.endswith("-LOCKED")
    }


def test_lock_covered_open_and_close_then_unlock(harness: Harness, sim: str) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim)
    # the counter answers a lock row for every SSE ETF of the account: none has shares yet, so
    # the position panel shows no LOCKED row
    assert len(counter_rows(sim, "u1", "lock_position")) >= 2
    assert locked_rows(harness) == {}
    start = harness.mark()
    vt_lockid = gateway.send_lock(LockRequest("510050", Exchange.SSE, 20000))
    lock = wait_event(harness, EVENT_CTPSOPT_LOCK, vt_lockid, {"ALLTRADED"}, start)
    assert lock.lock_type is LockType.LOCK and lock.volume == 20000
    assert poll(lambda: (p := harness.main_engine.get_position(f"{gateway.gateway_name}.510050-LOCKED.SSE.{Direction.LONG.value}")) is not None and p.volume == 20000)

    contract, tick = harness.liquid_call(gateway, Exchange.SSE, "510050")
    start = harness.mark()
    vt_orderid = harness.send(gateway, contract, Direction.SHORT, Offset.OPEN, tick.bid_price_1, 1, covered=True)
    order = harness.wait_order(vt_orderid, {"ALLTRADED", "REJECTED", "CANCELLED"}, start)
    assert order.status.name == "ALLTRADED", order.extra
    trade = harness.wait(lambda e: e.type == EVENT_TRADE and e.data.vt_orderid == vt_orderid, start=start).data
    assert trade.extra["covered"] is True
    covered_id = f"{gateway.gateway_name}.{contract.symbol}-COVERED.SSE.{Direction.SHORT.value}"
    speculative_id = f"{gateway.gateway_name}.{contract.vt_symbol}.{Direction.SHORT.value}"
    assert poll(lambda: (p := harness.main_engine.get_position(covered_id)) is not None and p.volume == 1)
    spec = harness.main_engine.get_position(speculative_id)
    assert spec is None or spec.volume == 0
    # vn.py's OffsetConverter (and OptionMaster's holdings read from it) count what normal
    # orders can close: the covered short is not among it
    converter = harness.main_engine.get_converter(gateway.gateway_name)
    assert converter is not None
    assert poll(lambda: converter.get_position_holding(contract.vt_symbol).short_pos == 0)  # type: ignore[union-attr]
    assert positions_agree(harness, gateway, sim)
    # locked shares now back the covered short: frozen on the LOCKED position
    assert poll(lambda: harness.main_engine.get_position(f"{gateway.gateway_name}.510050-LOCKED.SSE.{Direction.LONG.value}").frozen == 10000)  # type: ignore[union-attr]

    # a covered put or a covered buy-open is refused before reaching the counter
    start = harness.mark()
    bad = harness.send(gateway, contract, Direction.LONG, Offset.OPEN, tick.ask_price_1, 1, covered=True)
    assert "备兑" in harness.wait_order(bad, {"REJECTED"}, start).extra["status_msg"]

    start = harness.mark()
    tick = harness.tick(contract.vt_symbol, start)
    vt_orderid = harness.send(gateway, contract, Direction.LONG, Offset.CLOSE, tick.ask_price_1, 1, covered=True)
    assert harness.wait_order(vt_orderid, {"ALLTRADED"}, start)
    assert poll(lambda: harness.main_engine.get_position(covered_id).volume == 0)  # type: ignore[union-attr]
    assert positions_agree(harness, gateway, sim)
    assert account_agrees(harness, gateway, sim)

    start = harness.mark()
    vt_lockid = gateway.send_lock(LockRequest("510050", Exchange.SSE, 20000, LockType.UNLOCK))
    assert wait_event(harness, EVENT_CTPSOPT_LOCK, vt_lockid, {"ALLTRADED"}, start)
    # emptied: pushed once with volume 0, so the panel clears it; the other ETFs never appear
    assert poll(lambda: locked_rows(harness) == {"510050-LOCKED": 0})


def test_lock_refusals(harness: Harness, sim: str) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim)
    start = harness.mark()
    szse = gateway.send_lock(LockRequest("159919", Exchange.SZSE, 10000))
    assert "深交所" in wait_event(harness, EVENT_CTPSOPT_LOCK, szse, {"REJECTED"}, start).msg
    # more than held: refused by the counter (99 证券仓位不足), message carried over
    too_many = gateway.send_lock(LockRequest("510050", Exchange.SSE, 10_000_000))
    rejected = wait_event(harness, EVENT_CTPSOPT_LOCK, too_many, {"REJECTED"}, start)
    assert "代码" in rejected.msg


def test_exercise_on_expiry_day_and_cancel(harness: Harness, sim: str) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim, params=f"seed=7&state=memory&qps=100&{EXPIRY_DAY}")
    expiring = sorted(
        (c for c in gateway.contracts.by_symbol.values()
         if c.option_expiry and c.option_expiry.strftime("%Y%m%d") == "20261223"
         and c.option_type is not None and c.option_type.name == "CALL" and c.size == 10000),
        key=lambda c: c.option_strike or 0,
    )
    assert expiring
    contract = expiring[len(expiring) // 2]
    start = harness.mark()
    harness.main_engine.subscribe(SubscribeRequest(contract.symbol, contract.exchange), gateway.gateway_name)
    tick = harness.tick(contract.vt_symbol, start)
    vt_orderid = harness.send(gateway, contract, Direction.LONG, Offset.OPEN, tick.ask_price_1, 2)
    harness.wait_order(vt_orderid, {"ALLTRADED"}, start)

    start = harness.mark()
    vt_exerciseid = gateway.send_exercise(ExerciseRequest(contract.symbol, contract.exchange, 1))
    accepted = wait_event(harness, EVENT_CTPSOPT_EXERCISE, vt_exerciseid, {"NOTTRADED"}, start)
    assert accepted.volume == 1
    long_id = f"{gateway.gateway_name}.{contract.vt_symbol}.{Direction.LONG.value}"
    assert poll(lambda: (p := harness.main_engine.get_position(long_id)) is not None and p.extra["strike_frozen"] == 1)
    assert positions_agree(harness, gateway, sim)
    gateway.cancel_exercise(vt_exerciseid)
    wait_event(harness, EVENT_CTPSOPT_EXERCISE, vt_exerciseid, {"CANCELLED"}, start)
    assert poll(lambda: harness.main_engine.get_position(long_id).extra["strike_frozen"] == 0)  # type: ignore[union-attr]
    # more than held: the counter refuses, the reason is in the data and the log
    start = harness.mark()
    too_many = gateway.send_exercise(ExerciseRequest(contract.symbol, contract.exchange, 50))
    assert "代码" in wait_event(harness, EVENT_CTPSOPT_EXERCISE, too_many, {"REJECTED"}, start).msg
    assert "74" in harness.wait_log("行权申报失败", start=start)


def test_exercise_outside_expiry_day_is_refused(harness: Harness, sim: str) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim)
    contract, tick = harness.liquid_call(gateway, Exchange.SZSE)
    start = harness.mark()
    harness.wait_order(harness.send(gateway, contract, Direction.LONG, Offset.OPEN, tick.ask_price_1, 1), {"ALLTRADED"}, start)
    vt_exerciseid = gateway.send_exercise(ExerciseRequest(contract.symbol, contract.exchange, 1))
    rejected = wait_event(harness, EVENT_CTPSOPT_EXERCISE, vt_exerciseid, {"REJECTED"}, start)
    assert "115" in rejected.msg
    start = harness.mark()
    bad = gateway.send_exercise(ExerciseRequest("510050", Exchange.SSE, 1))
    assert "期权" in wait_event(harness, EVENT_CTPSOPT_EXERCISE, bad, {"REJECTED"}, start).msg


def test_quote_insert_and_cancel(harness: Harness, sim: str) -> None:
    gateway = harness.add()
    # quoting is for market makers only (the counter answers others with 28)
    harness.connect(gateway, sim, params="seed=7&state=memory&qps=100&reconnect=0.2&makers=u1")
    contract, tick = harness.liquid_call(gateway, Exchange.SSE)
    tickstep = contract.pricetick
    bid = round(max(tick.limit_down, tick.bid_price_1 - 5 * tickstep), 4)
    ask = round(tick.ask_price_1 + 5 * tickstep, 4)
    start = harness.mark()
    vt_quoteid = gateway.send_quote(
        QuoteRequest(contract.symbol, contract.exchange, bid, 1, ask, 1, Offset.OPEN, Offset.OPEN)
    )
    quote = harness.wait(lambda e: e.type == EVENT_QUOTE and e.data.vt_quoteid == vt_quoteid and e.data.status.name == "NOTTRADED", start=start).data
    assert (quote.bid_price, quote.ask_price) == (bid, ask)
    gateway.cancel_quote(quote.create_cancel_request())
    harness.wait(lambda e: e.type == EVENT_QUOTE and e.data.vt_quoteid == vt_quoteid and e.data.status.name == "CANCELLED", start=start)
    # cancelling a finished quote is refused locally; a crossed quote never leaves the gateway
    mark = harness.mark()
    gateway.cancel_quote(quote.create_cancel_request())
    gateway.cancel_quote(CancelRequest("nope", contract.symbol, contract.exchange))
    crossed = gateway.send_quote(
        QuoteRequest(contract.symbol, contract.exchange, ask, 1, bid, 1, Offset.OPEN, Offset.OPEN)
    )
    harness.wait(lambda e: e.type == EVENT_QUOTE and e.data.vt_quoteid == crossed and e.data.status.name == "REJECTED", start=mark)
    assert any("已结束" in m for m in harness.logs(mark))
    assert not [o for o in harness.of(EVENT_ORDER, mark) if o.status.name == "PARTTRADED"]


def test_exercise_declared_elsewhere_is_recovered_at_login(harness: Harness, sim: str) -> None:
    params = f"seed=7&state=memory&qps=100&{EXPIRY_DAY}"
    a = harness.add("A")
    harness.connect(a, sim, params=params)
    contract = next(
        c for c in sorted(a.contracts.by_symbol.values(), key=lambda c: c.symbol)
        if c.option_expiry and c.option_expiry.strftime("%Y%m%d") == "20261223" and c.size == 10000
    )
    start = harness.mark()
    harness.main_engine.subscribe(SubscribeRequest(contract.symbol, contract.exchange), "A")
    tick = harness.tick(contract.vt_symbol, start)
    harness.wait_order(harness.send(a, contract, Direction.LONG, Offset.OPEN, tick.ask_price_1, 1), {"ALLTRADED"}, start)
    vt_exerciseid = a.send_exercise(ExerciseRequest(contract.symbol, contract.exchange, 1))
    accepted = wait_event(harness, EVENT_CTPSOPT_EXERCISE, vt_exerciseid, {"NOTTRADED"}, start)
    b = harness.add("B")  # another terminal of the same investor, logging in afterwards (QUICK)
    start = harness.mark()
    harness.connect(b, sim, params=params)
    seen = harness.wait(
        lambda e: e.type == EVENT_CTPSOPT_EXERCISE and e.data.gateway_name == "B"
        and e.data.exerciseid == accepted.exerciseid,
        start=start,
    ).data
    assert seen.status.name == "NOTTRADED" and seen.volume == 1


def test_combined_exercise_reaches_the_counter_on_szse_and_is_refused_on_sse(
    harness: Harness, sim: str
) -> None:
    from vnpy_ctpsopt import CombExerciseRequest

    gateway = harness.add()
    harness.connect(gateway, sim)

    def pair(exchange: Exchange) -> tuple[str, str]:
        options = harness.options(gateway, exchange)
        for call in options:
            if call.option_type is None or call.option_type.name != "CALL":
                continue
            for put in options:
                if put.option_type is not None and put.option_type.name == "PUT" and (
                    put.option_portfolio, put.option_strike, put.option_expiry, put.size
                ) == (call.option_portfolio, call.option_strike, call.option_expiry, call.size):
                    return call.symbol, put.symbol
        raise AssertionError("no pair")

    call, put = pair(Exchange.SZSE)
    start = harness.mark()
    vt_id = gateway.send_combined_exercise(CombExerciseRequest(call, put, Exchange.SZSE, 1))
    assert vt_id.startswith(f"{gateway.gateway_name}.C")
    # sent: the simulated counter does not offer it yet and answers so
    done = wait_event(harness, EVENT_CTPSOPT_EXERCISE, vt_id, {"REJECTED"}, start)
    assert "代码：27" in done.msg and done.extra["put_symbol"] == put  # CTP:不支持的功能

    call, put = pair(Exchange.SSE)
    start = harness.mark()
    vt_id = gateway.send_combined_exercise(CombExerciseRequest(call, put, Exchange.SSE, 1))
    refused = wait_event(harness, EVENT_CTPSOPT_EXERCISE, vt_id, {"REJECTED"}, start)
    assert refused.msg.startswith("合并行权仅深交所提供")
