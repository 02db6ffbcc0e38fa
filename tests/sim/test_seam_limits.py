"""ReqQryLimitPosi on the simulated counter, driven through the seam: one
CThostFtdcLimitPosiField per underlying with the account's limits and, in the *Frozen fields,
what counts against them (positions and working opening orders), consistent with the 106
"CTP:投资者限仓" an order beyond a limit gets.

Expected limits are the counter's documented defaults (sim/counter/config.py: 5000 long, 10000
total, 10000 buy-opens today per underlying); usage is counted by hand from the orders sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sim_seam import SELL, Trader, sim_url, unique_name

LIMITS = {"LongVolume": 5000, "TotalVolume": 10000, "OpenVolume": 10000}


@pytest.fixture()
def trader() -> Iterator[Trader]:
    address = sim_url(unique_name("lim"), capital=100_000_000, seed=23)
    first = Trader(address)
    try:
        yield first
    finally:
        first.close()


def used(row: dict[str, Any]) -> tuple[int, int, int]:
    return row["LongVolumeFrozen"], row["TotalVolumeFrozen"], row["OpenVolumeFrozen"]


def limit_row(trader: Trader, underlying: str) -> dict[str, Any]:
    (row,) = trader.query("LimitPosi", {"InstrumentID": underlying})
    assert row["InstrumentID"] == underlying and row["InvestorID"] == trader.user
    return row


def test_limit_query_per_underlying_counts_orders_and_matches_106(trader: Trader) -> None:
    rows = trader.query("LimitPosi")
    underlyings = {r["UnderlyingInstrID"]: r["ExchangeID"] for r in trader.options("SSE")}
    underlyings |= {r["UnderlyingInstrID"]: r["ExchangeID"] for r in trader.options("SZSE")}
    assert {(r["InstrumentID"], r["ExchangeID"]) for r in rows} == set(underlyings.items())
    for row in rows:
        assert {k: row[k] for k in LIMITS} == LIMITS
        assert used(row) == (0, 0, 0)

    chain = [r for r in trader.options("SSE") if r["UnderlyingInstrID"] == "510500"]
    low = {r["InstrumentID"]: trader.depth(r["InstrumentID"])["LowerLimitPrice"] for r in chain[:4]}
    iids = list(low)
    buy = trader.place(trader.order_req(iids[0], low[iids[0]], volume=50))
    assert buy["OrderStatus"] == "3"
    assert used(limit_row(trader, "510500")) == (50, 50, 50)
    upper = trader.depth(iids[1])["UpperLimitPrice"]
    sell = trader.place(trader.order_req(iids[1], upper, SELL, volume=3))
    assert sell["OrderStatus"] == "3"
    # a sell-open counts in the total only; another underlying keeps its own count
    assert used(limit_row(trader, "510500")) == (50, 53, 50)
    assert used(limit_row(trader, "510050")) == (0, 0, 0)
    (filtered,) = trader.query("LimitPosi", {"InstrumentID": "510500", "ExchangeID": "SSE"})
    assert filtered["InstrumentID"] == "510500"
    assert trader.query("LimitPosi", {"InstrumentID": "510500", "ExchangeID": "SZSE"}) == []

    trader.cancel(ExchangeID="SSE", OrderSysID=buy["OrderSysID"])
    trader.wait_order(buy["OrderRef"], ("5",))
    trader.sync()
    assert used(limit_row(trader, "510500")) == (0, 3, 0)

    for n in range(100):  # fill the long limit to the lot: 100 x 50 = 5000
        iid = iids[n % len(iids)]
        assert trader.place(trader.order_req(iid, low[iid], volume=50))["OrderStatus"] == "3"
    row = limit_row(trader, "510500")
    assert used(row) == (5000, 5003, 5000)
    assert row["LongVolumeFrozen"] == row["LongVolume"]
    rsp = trader.reject(trader.order_req(iids[0], low[iids[0]]))
    assert rsp["ErrorID"] == 106
    assert used(limit_row(trader, "510500")) == (5000, 5003, 5000)  # a refusal counts nothing

