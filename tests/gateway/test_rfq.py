"""Requests for quote (询价) through vn.py's MainEngine on the simulated counter: sent with
OrderType.RFQ as vnpy_ctp does, received by a market maker (trading flow) and by an md
subscriber as EVENT_CTPSOPT_RFQ, each once."""

from __future__ import annotations

from vnpy.trader.constant import Direction, Exchange, Offset, OrderType
from vnpy.trader.object import OrderRequest, SubscribeRequest

from vnpy_ctpsopt import EVENT_CTPSOPT_RFQ, RfqData

from .harness import EVENT_TICK, Harness, poll

PARAMS = "seed=7&state=memory&qps=100&reconnect=0.2&makers=mm"


def test_request_for_quote_reaches_market_maker_and_subscriber_once(
    harness: Harness, sim: str
) -> None:
    maker = harness.add("MM")
    trader = harness.add("T")
    harness.connect(maker, sim, user="mm", params=PARAMS)
    harness.connect(trader, sim, user="t1", params=PARAMS)
    contract = harness.options(trader, Exchange.SZSE)[0]
    # the maker also subscribes on md: the two flows deliver the same request, pushed once
    sub = SubscribeRequest(contract.symbol, contract.exchange)
    start = harness.mark()
    for gateway in (maker, trader):
        gateway.subscribe_rfq(sub)
        # md requests are served in order: a tick of a market-data subscription sent after the
        # RFQ subscription shows that one is in place at the counter
        gateway.subscribe(sub)
    for name in ("MM", "T"):
        harness.wait(lambda e, n=name: e.type == EVENT_TICK and e.data.gateway_name == n
                     and e.data.vt_symbol == contract.vt_symbol, start=start)

    start = harness.mark()
    req = OrderRequest(contract.symbol, contract.exchange, Direction.LONG, OrderType.RFQ, 1, 0,
                       Offset.NONE)
    vt_orderid = harness.main_engine.send_order(req, "T")
    order = harness.wait_order(vt_orderid, {"ALLTRADED", "REJECTED"}, start)
    assert order.status.name == "ALLTRADED" and order.type.name == "RFQ"
    assert order.extra["status_msg"] == "询价已发送"

    def received(name: str) -> list[RfqData]:
        return [d for d in harness.of(EVENT_CTPSOPT_RFQ, start) if d.gateway_name == name]

    harness.wait(lambda e: e.type == EVENT_CTPSOPT_RFQ and e.data.gateway_name == "MM", start=start)
    harness.wait(lambda e: e.type == EVENT_CTPSOPT_RFQ and e.data.gateway_name == "T", start=start)
    # a second request: both flows have certainly delivered the first one by then
    second = harness.mark()
    harness.main_engine.send_order(req, "T")
    harness.wait(
        lambda e: e.type == EVENT_CTPSOPT_RFQ and e.data.gateway_name == "MM", start=second
    )
    assert poll(lambda: len(received("T")) == 2)
    assert poll(lambda: len(received("MM")) == 2)
    (first_mm, second_mm) = received("MM")
    assert first_mm.vt_symbol == contract.vt_symbol and first_mm.rfqid != second_mm.rfqid
    assert {r.rfqid for r in received("T")} == {first_mm.rfqid, second_mm.rfqid}
    assert harness.of(EVENT_CTPSOPT_RFQ + contract.vt_symbol, start)

    # only options can be asked for a quote: refused before anything is sent
    etf = next(c for c in trader.contracts.by_symbol.values() if c.product.name == "ETF")
    start = harness.mark()
    bad = harness.main_engine.send_order(
        OrderRequest(etf.symbol, etf.exchange, Direction.LONG, OrderType.RFQ, 1, 0, Offset.NONE),
        "T",
    )
    assert "只能对期权合约询价" in harness.wait_order(bad, {"REJECTED"}, start).extra["status_msg"]
    # an RFQ is not an order to cancel
    harness.main_engine.cancel_order(order.create_cancel_request(), "T")
    harness.wait_log("是询价，无需撤销", "T", start)
