"""Query chunking (one row per callback, ``last`` on the final one, ``{}`` when empty) and the
query flow-control return codes (-2 in flight, -3 over the per-second limit)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sim_seam import open_td, poll_until, unique_name

from vnpy_ctpsopt.api.base import TdApi

QUERIES: tuple[str, ...] = (
    "Instrument",
    "TradingAccount",
    "InvestorPosition",
    "Order",
    "Trade",
    "ExecOrder",
    "Lock",
    "LockPosition",
    "Quote",
    "InstrumentCommissionRate",
    "OptionInstrCommRate",
    "OptionInstrTradeCost",
    "DepthMarketData",
    "LimitPosi",
)


def run_query(api: TdApi, spi: Any, table: str, req: dict[str, Any], reqid: int) -> list[Any]:
    assert getattr(api, f"reqQry{table}")(req, reqid) == 0
    return spi.wait_rsp(f"onRspQry{table}", reqid)


def check_chunking(rows: list[Any], reqid: int) -> None:
    assert rows, "a query always gets at least one callback"
    assert [r[3] for r in rows] == [False] * (len(rows) - 1) + [True]
    assert all(r[2] == reqid for r in rows)
    if len(rows) == 1 and not rows[0][0]:
        assert rows[0][0] == {}
    else:
        assert all(r[0] for r in rows)


@pytest.mark.parametrize("table", QUERIES)
def test_every_query_chunks_rows_and_marks_last(table: str) -> None:
    api, spi, _ = open_td(f"sim://{unique_name('q')}?seed=1&state=memory&qps=1000")
    try:
        rows = run_query(api, spi, table, {"BrokerID": "2001", "InvestorID": "00001"}, 101)
        check_chunking(rows, 101)
        assert spi.problems == []
    finally:
        api.close()


def test_instruments_come_one_per_callback() -> None:
    api, spi, _ = open_td(f"sim://{unique_name('qi')}?seed=1&state=memory")
    try:
        rows = run_query(api, spi, "Instrument", {}, 7)
        check_chunking(rows, 7)
        assert len(rows) > 100
        ids = [r[0]["InstrumentID"] for r in rows]
        assert len(set(ids)) == len(ids)
    finally:
        api.close()


def test_empty_result_is_one_empty_callback() -> None:
    api, spi, _ = open_td(f"sim://{unique_name('qe')}?seed=1&state=memory")
    try:
        rows = run_query(api, spi, "Order", {}, 8)
        assert rows == [({}, rows[0][1], 8, True)]
        assert not rows[0][1].get("ErrorID")
    finally:
        api.close()


def test_in_flight_query_returns_minus_two() -> None:
    api, spi, _ = open_td(f"sim://{unique_name('q2')}?seed=1&state=memory&qps=1000")
    try:
        exchange = api.exchange  # type: ignore[attr-defined]
        exchange.delay_responses(200)
        assert api.reqQryTradingAccount({}, 1) == 0
        assert api.reqQryInvestorPosition({}, 2) == -2
        spi.wait_rsp("onRspQryTradingAccount", 1)
        exchange.delay_responses(0)
        assert api.reqQryInvestorPosition({}, 3) == 0
        spi.wait_rsp("onRspQryInvestorPosition", 3)
        assert spi.named("onRspQryInvestorPosition")[0][2] == 3
    finally:
        api.close()


def test_per_second_limit_returns_minus_three_then_recovers() -> None:
    api, spi, _ = open_td(f"sim://{unique_name('q3')}?seed=1&state=memory&qps=1")
    try:
        started = time.monotonic()
        assert api.reqQryTradingAccount({}, 1) == 0
        spi.wait_rsp("onRspQryTradingAccount", 1)
        assert api.reqQryTradingAccount({}, 2) == -3
        codes: list[int] = []
        assert poll_until(lambda: codes.append(api.reqQryTradingAccount({}, 3)) or codes[-1] == 0)
        assert set(codes[:-1]) <= {-3}
        assert time.monotonic() - started >= 0.9  # the bucket refills at 1 query per second
        spi.wait_rsp("onRspQryTradingAccount", 3)
    finally:
        api.close()


def test_queries_are_per_session() -> None:
    url = f"sim://{unique_name('qs')}?seed=1&state=memory&qps=1"
    first, spi1, _ = open_td(url)
    second, spi2, _ = open_td(url, user="00002")
    try:
        assert first.reqQryTradingAccount({}, 1) == 0
        assert second.reqQryTradingAccount({}, 1) == 0
        spi1.wait_rsp("onRspQryTradingAccount", 1)
        spi2.wait_rsp("onRspQryTradingAccount", 1)
    finally:
        first.close()
        second.close()
