"""Orders on the simulated counter through a real MainEngine: every type per exchange, partial
fills, cancels, every rejection path; positions and account agree with the counter after each step.
"""

from __future__ import annotations

import pytest
from vnpy.trader.constant import Direction, Exchange, Offset, OrderType
from vnpy.trader.event import EVENT_ORDER, EVENT_TRADE
from vnpy.trader.object import (
    CancelRequest,
    ContractData,
    OrderRequest,
    SubscribeRequest,
    TickData,
)

from vnpy_ctpsopt import CtpsoptGateway

from .harness import Harness, account_agrees, counter_rows, poll, positions_agree

FINAL = {"ALLTRADED", "CANCELLED", "REJECTED"}


def cheap_call(harness: Harness, gateway: CtpsoptGateway, exchange: Exchange) -> tuple[ContractData, TickData]:
    """A standard call whose ask is cheap enough to buy 50 lots many times."""
    for contract in harness.options(gateway, exchange):
        if contract.option_type is None or contract.option_type.name != "CALL" or contract.size != 10000:
            continue
        start = harness.mark()
        harness.main_engine.subscribe(
            SubscribeRequest(contract.symbol, exchange), gateway.gateway_name
        )
        tick = harness.tick(contract.vt_symbol, start)
        if 0.003 <= tick.ask_price_1 <= 0.05 and tick.bid_price_1 > 0.0015:
            return contract, tick
    raise AssertionError("no cheap call")


@pytest.mark.parametrize("exchange", [Exchange.SSE, Exchange.SZSE])
def test_every_order_type_per_exchange(harness: Harness, sim: str, exchange: Exchange) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim)
    contract, tick = harness.liquid_call(gateway, exchange)
    for order_type in (OrderType.LIMIT, OrderType.FOK, OrderType.MARKET):
        start = harness.mark()
        tick = harness.tick(contract.vt_symbol, start)
        vt_orderid = harness.send(
            gateway, contract, Direction.LONG, Offset.OPEN, tick.ask_price_1, 1, order_type
        )
        order = harness.wait_order(vt_orderid, FINAL, start)
        assert order.type is order_type
        if order.status.name == "ALLTRADED":
            trade = harness.wait(
                lambda e, v=vt_orderid: e.type == EVENT_TRADE and e.data.vt_orderid == v, start=start
            ).data
            assert (trade.volume, trade.direction.name, trade.offset.name) == (1, "LONG", "OPEN")
        else:  # a FOK may find the book moved; it must then be cancelled, not partly filled
            assert order_type is OrderType.FOK and order.status.name == "CANCELLED"
        assert positions_agree(harness, gateway, sim)
        assert account_agrees(harness, gateway, sim)
    # vn.py's FAK has no exchange counterpart: refused by the gateway, nothing sent
    start = harness.mark()
    vt_orderid = harness.send(gateway, contract, Direction.LONG, Offset.OPEN, tick.ask_price_1, 1, OrderType.FAK)
    order = harness.wait_order(vt_orderid, {"REJECTED"}, start)
    assert "FAK" in order.extra["status_msg"]
    assert gateway.td.book.get(order.orderid).order_sysid == ""  # type: ignore[union-attr]


def test_partial_fill_then_cancel(harness: Harness, sim: str) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim)
    contract, tick = cheap_call(harness, gateway, Exchange.SSE)
    partial = None
    for _ in range(6):
        start = harness.mark()
        tick = harness.tick(contract.vt_symbol, start)
        vt_orderid = harness.send(gateway, contract, Direction.LONG, Offset.OPEN, tick.ask_price_1, 50)
        order = harness.wait_order(vt_orderid, FINAL | {"PARTTRADED"}, start)
        if order.status.name == "PARTTRADED":
            partial = order
            break
    assert partial is not None, "the book never left part of a 50-lot order"
    assert 0 < partial.traded < partial.volume
    start = harness.mark()
    harness.main_engine.cancel_order(partial.create_cancel_request(), gateway.gateway_name)
    cancelled = harness.wait_order(partial.vt_orderid, {"CANCELLED"}, start)
    assert cancelled.traded == partial.traded
    traded = sum(t.volume for t in harness.of(EVENT_TRADE) if t.vt_orderid == partial.vt_orderid)
    assert traded == partial.traded
    assert positions_agree(harness, gateway, sim)
    assert account_agrees(harness, gateway, sim)


def test_resting_order_cancel_and_cancel_errors(harness: Harness, sim: str) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim)
    contract, tick = harness.liquid_call(gateway, Exchange.SZSE)
    price = round(max(tick.limit_down, tick.bid_price_1 - 20 * contract.pricetick), 4)
    start = harness.mark()
    vt_orderid = harness.send(gateway, contract, Direction.LONG, Offset.OPEN, price, 2)
    order = harness.wait_order(vt_orderid, {"NOTTRADED"}, start)
    harness.main_engine.cancel_order(order.create_cancel_request(), gateway.gateway_name)
    harness.wait_order(vt_orderid, {"CANCELLED"}, start)
    # cancelling again is refused locally; an unknown id is logged, nothing raises
    mark = harness.mark()
    gateway.cancel_order(order.create_cancel_request())
    gateway.cancel_order(CancelRequest("1_1_99999", contract.symbol, contract.exchange))
    gateway.cancel_order(CancelRequest("garbage", contract.symbol, contract.exchange))
    harness.wait_log("撤单失败", start=mark)
    assert any("已结束" in m for m in harness.logs(mark))
    assert positions_agree(harness, gateway, sim)


def test_counter_rejections_carry_the_counters_message(harness: Harness, sim: str) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim)
    contract, tick = harness.liquid_call(gateway, Exchange.SSE)
    cases = [
        # close without a position -> 30 平仓量超过持仓量
        (Direction.SHORT, Offset.CLOSE, tick.bid_price_1, 3),
        # beyond the limit-up price -> 105 价格不正确
        (Direction.LONG, Offset.OPEN, round(tick.limit_up + 0.01, 4), 1),
    ]
    for direction, offset, price, volume in cases:
        start = harness.mark()
        vt_orderid = harness.send(gateway, contract, direction, offset, price, volume)
        order = harness.wait_order(vt_orderid, {"REJECTED"}, start)
        assert order.extra["status_msg"].startswith("CTP:")
        # the log line may arrive after the REJECTED order event: wait for it
        assert "代码" in harness.wait_log("交易委托失败", start=start)
    assert not [o for o in harness.of(EVENT_ORDER) if o.status.name == "REJECTED" and o.traded]
    assert positions_agree(harness, gateway, sim)
    assert account_agrees(harness, gateway, sim)


def test_insufficient_funds(harness: Harness, sim: str) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim, params="seed=7&state=memory&qps=100&capital=1000")
    contract, tick = harness.liquid_call(gateway, Exchange.SZSE)
    start = harness.mark()
    vt_orderid = harness.send(gateway, contract, Direction.LONG, Offset.OPEN, tick.ask_price_1, 10)
    order = harness.wait_order(vt_orderid, {"REJECTED"}, start)
    assert "资金不足" in order.extra["status_msg"]
    assert account_agrees(harness, gateway, sim)


def test_gateway_side_rejections_send_nothing(harness: Harness, sim: str) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim)
    contract, tick = harness.liquid_call(gateway, Exchange.SSE)
    sent_before = gateway.td.order_refs.last
    counter_orders = len(counter_rows(sim, "u1", "order"))
    bad = [
        ("99999999", tick.ask_price_1, 1, Offset.OPEN, OrderType.LIMIT),
        (contract.symbol, float("nan"), 1, Offset.OPEN, OrderType.LIMIT),
        (contract.symbol, -0.01, 1, Offset.OPEN, OrderType.LIMIT),
        (contract.symbol, tick.ask_price_1 + 0.00005, 1, Offset.OPEN, OrderType.LIMIT),
        (contract.symbol, tick.ask_price_1, 0, Offset.OPEN, OrderType.LIMIT),
        (contract.symbol, tick.ask_price_1, -2, Offset.OPEN, OrderType.LIMIT),
        (contract.symbol, tick.ask_price_1, 1.5, Offset.OPEN, OrderType.LIMIT),
        (contract.symbol, tick.ask_price_1, 51, Offset.OPEN, OrderType.LIMIT),
        (contract.symbol, 0.0, 11, Offset.OPEN, OrderType.MARKET),
        (contract.symbol, tick.ask_price_1, 1, Offset.NONE, OrderType.LIMIT),
        (contract.symbol, tick.ask_price_1, 1, Offset.OPEN, OrderType.STOP),
    ]
    start = harness.mark()
    ids = [
        gateway.send_order(OrderRequest(symbol, Exchange.SSE, Direction.LONG, order_type, volume, price, offset))
        for symbol, price, volume, offset, order_type in bad
    ]
    assert all(ids)
    for vt_orderid in ids:
        order = harness.wait_order(vt_orderid, {"REJECTED"}, start)
        assert order.extra["status_msg"]
    assert poll(lambda: not gateway.td.scheduler.pending())
    # no order ever reached the counter
    assert len(counter_rows(sim, "u1", "order")) == counter_orders
    assert gateway.td.order_refs.last == sent_before + len(bad)
    assert not [o for o in harness.of(EVENT_ORDER, start) if o.status.name != "REJECTED"]
