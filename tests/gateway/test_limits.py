"""Position limits (限仓) through vn.py's MainEngine on the simulated counter: the quota per
underlying from ReqQryLimitPosi, the used figures the gateway computes agreeing with the counter's
own count, and an opening order beyond the quota refused locally with the figures."""

from __future__ import annotations

from vnpy.trader.constant import Direction, Exchange, Offset

from .harness import Harness, counter_rows, poll


def test_limits_shown_used_agrees_with_counter_and_local_refusal(harness: Harness, sim: str) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim)
    assert poll(lambda: bool(gateway.td.position_limits))
    harness.wait_log("限仓：510050 权利仓0/5000，总持仓0/10000，当日买入开仓0/10000")

    contract, tick = harness.liquid_call(gateway, Exchange.SSE, "510050")
    start = harness.mark()
    vt_orderid = harness.send(gateway, contract, Direction.LONG, Offset.OPEN, tick.ask_price_1, 2)
    harness.wait_order(vt_orderid, {"ALLTRADED"}, start)

    def agree() -> bool:
        rows = {r["InstrumentID"]: r for r in counter_rows(sim, "u1", "limit_posi")}
        mine = gateway.query_position_limits()["510050"]
        row = rows["510050"]
        return (mine.used["long"], mine.used["total"], mine.used["open"]) == (
            row["LongVolumeFrozen"], row["TotalVolumeFrozen"], row["OpenVolumeFrozen"]
        ) == (2, 2, 2)

    assert poll(agree)
    # a broker tier with a quota of 2 long contracts: a third buy-open is refused locally
    gateway.td.position_limits["510050"].long_limit = 2
    start = harness.mark()
    refused = harness.send(gateway, contract, Direction.LONG, Offset.OPEN, tick.ask_price_1, 1)
    order = harness.wait_order(refused, {"REJECTED"}, start)
    assert order.extra["status_msg"].startswith("超过510050限仓：权利仓已用2，本笔1，上限2")
    assert gateway.td.book.get(order.orderid).order_sysid == ""  # type: ignore[union-attr]
    # closing is never limited; selling to open counts toward the total only
    start = harness.mark()
    close = harness.send(gateway, contract, Direction.SHORT, Offset.CLOSE, tick.bid_price_1, 1)
    assert harness.wait_order(close, {"ALLTRADED", "NOTTRADED", "CANCELLED"}, start)
