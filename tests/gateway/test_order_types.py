"""Every exchange order type (sopt-rules A.6) through vn.py's MainEngine on the simulated counter:
sent with CtpsoptGateway.send_sopt_order, encoded as the exchange lists it, filled with its
semantics, read back with its type; the types an exchange does not take refused locally."""

from __future__ import annotations

import pytest
from vnpy.trader.constant import Direction, Exchange, Offset, OrderType
from vnpy.trader.object import OrderRequest

from vnpy_ctpsopt import SoptOrderType

from .harness import Harness, counter_rows, positions_agree

S = SoptOrderType
# (exchange type, its CTP encoding from A.6, the vn.py type it shows as, the states a buy of one
# lot at a two-sided book may end in right after it is sent)
CASES: dict[str, list[tuple[SoptOrderType, tuple[str, str, str], str, set[str]]]] = {
    "SSE": [
        (S.MARKET_IOC, ("1", "1", "1"), "MARKET", {"ALLTRADED"}),
        (S.MARKET_FOK, ("1", "1", "3"), "FOK", {"ALLTRADED"}),
        (S.MARKET_TO_LIMIT, ("1", "3", "1"), "MARKET", {"ALLTRADED"}),
        (S.LIMIT_FOK, ("2", "1", "3"), "FOK", {"ALLTRADED", "CANCELLED"}),
    ],
    "SZSE": [
        (S.MARKET_IOC, ("1", "1", "1"), "MARKET", {"ALLTRADED"}),
        (S.MARKET_FOK, ("1", "1", "3"), "FOK", {"ALLTRADED"}),
        (S.BEST_OPPOSITE, ("3", "3", "1"), "MARKET", {"ALLTRADED"}),
        (S.BEST5_IOC, ("G", "1", "1"), "MARKET", {"ALLTRADED"}),
        # priced at the own best bid: it rests, it never takes the ask
        (S.BEST_OWN, ("H", "3", "1"), "MARKET", {"NOTTRADED"}),
    ],
}
REFUSED = {"SSE": [S.BEST_OPPOSITE, S.BEST_OWN, S.BEST5_IOC], "SZSE": [S.MARKET_TO_LIMIT]}
FAILED = {"CANCELLED", "REJECTED"}


@pytest.mark.parametrize("exchange_name", ["SSE", "SZSE"])
def test_every_exchange_order_type(harness: Harness, sim: str, exchange_name: str) -> None:
    exchange = Exchange(exchange_name)
    gateway = harness.add()
    harness.connect(gateway, sim)
    contract, _ = harness.liquid_call(gateway, exchange)

    for kind, codes, shown_as, outcomes in CASES[exchange_name]:
        start = harness.mark()
        tick = harness.tick(contract.vt_symbol, start)
        # req.type is ignored by send_sopt_order; the price only matters for LIMIT_FOK
        req = OrderRequest(contract.symbol, exchange, Direction.LONG, OrderType.LIMIT, 1,
                           tick.ask_price_1, Offset.OPEN)
        vt_orderid = gateway.send_sopt_order(req, kind)
        # NOTTRADED (accepted) comes before the match, except for a type that rests
        order = harness.wait_order(vt_orderid, outcomes | FAILED, start)
        assert order.status.name in outcomes, (kind, order.status, order.extra)
        assert order.type.name == shown_as
        assert order.extra["sopt_order_type"] == kind.name
        rows = [r for r in counter_rows(sim, "u1", "order")
                if str(r["OrderSysID"]).strip() == order.extra["order_sysid"]]
        assert len(rows) == 1
        row = rows[0]
        assert (row["OrderPriceType"], row["TimeCondition"], row["VolumeCondition"]) == codes
        if kind is S.BEST_OWN:
            assert order.is_active() and order.traded == 0 and order.price > 0  # at the own best
            harness.main_engine.cancel_order(order.create_cancel_request(), gateway.gateway_name)
            harness.wait_order(vt_orderid, {"CANCELLED"}, start)

    for kind in REFUSED[exchange_name]:
        start = harness.mark()
        req = OrderRequest(contract.symbol, exchange, Direction.LONG, OrderType.LIMIT, 1, 0.0,
                           Offset.OPEN)
        vt_orderid = gateway.send_sopt_order(req, kind)
        order = harness.wait_order(vt_orderid, {"REJECTED"}, start)
        assert f"期权不支持{kind.value}委托" in order.extra["status_msg"]
        assert gateway.td.book.get(order.orderid).order_sysid == ""  # type: ignore[union-attr]
    assert positions_agree(harness, gateway, sim)
