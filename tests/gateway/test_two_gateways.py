"""Two gateway instances in one process share no state."""

from __future__ import annotations

from vnpy.trader.constant import Direction, Exchange, Offset
from vnpy.trader.event import EVENT_ORDER, EVENT_TRADE

from vnpy_ctpsopt import CtpsoptGateway

from .harness import Harness, positions_agree, sim_name


def test_two_accounts_in_one_process(harness: Harness, sim: str) -> None:
    a = harness.add("ACC_A")
    b = harness.add("ACC_B", CtpsoptGateway)
    other_sim = sim_name("other")
    harness.connect(a, sim, user="alice")
    harness.connect(b, other_sim, user="bob")
    assert a.contracts is not b.contracts
    assert a.contracts.get("10000058") is not b.contracts.get("10000058")
    assert a.td.book is not b.td.book and a.td.scheduler is not b.td.scheduler
    assert a.md.times is not b.md.times

    contract, tick = harness.liquid_call(a, Exchange.SSE)
    start = harness.mark()
    vt_orderid = harness.send(a, contract, Direction.LONG, Offset.OPEN, tick.ask_price_1, 1)
    harness.wait_order(vt_orderid, {"ALLTRADED"}, start)
    assert {o.gateway_name for o in harness.of(EVENT_ORDER, start)} == {"ACC_A"}
    assert {t.gateway_name for t in harness.of(EVENT_TRADE, start)} == {"ACC_A"}
    assert positions_agree(harness, a, sim, "alice")
    assert positions_agree(harness, b, other_sim, "bob")
    assert not b.td.book.records
    # closing one leaves the other working
    b.close()
    start = harness.mark()
    tick = harness.tick(contract.vt_symbol, start)
    vt_orderid = harness.send(a, contract, Direction.SHORT, Offset.CLOSE, tick.bid_price_1, 1)
    harness.wait_order(vt_orderid, {"ALLTRADED"}, start)
