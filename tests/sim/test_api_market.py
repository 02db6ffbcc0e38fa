"""Market data through the seam: served only to logged-in, subscribed md sessions, every 500 ms of
simulated time; exchange sharing by NAME; instrument-status pushes; determinism."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import pytest
from sim_seam import (
    RecordingMdSpi,
    login_req,
    open_md,
    open_td,
    unique_name,
)

from vnpy_ctpsopt.api import create_md_api
from vnpy_ctpsopt.api.base import TdApi

START = "20261130T100000"


def manual(name: str, seed: int = 11, extra: str = "") -> str:
    return f"sim://{name}?seed={seed}&state=memory&clock=manual&start={START}{extra}"


def options(api: TdApi, spi: Any, count: int = 2) -> list[str]:
    """The first ``count`` option ids, learnt through ReqQryInstrument."""
    assert api.reqQryInstrument({}, 900) == 0
    rows = spi.wait_rsp("onRspQryInstrument", 900)
    ids = sorted(r[0]["InstrumentID"] for r in rows if r[0].get("OptionsType") in ("1", "2"))
    assert len(ids) >= count
    return ids[:count]


def tick_times(spi: RecordingMdSpi, since: int = 0) -> list[tuple[str, str, int]]:
    return [
        (a[0]["InstrumentID"], a[0]["UpdateTime"], a[0]["UpdateMillisec"])
        for name, a in spi.since(since)
        if name == "onRtnDepthMarketData"
    ]


def test_ticks_only_for_logged_in_subscribers() -> None:
    name = unique_name("mkt")
    td, td_spi, _ = open_td(manual(name))
    subscriber, sub_spi = open_md(manual(name))
    idle, idle_spi = open_md(manual(name))
    anonymous_spi = RecordingMdSpi()
    anonymous = create_md_api(manual(name), anonymous_spi)
    try:
        exchange = td.exchange  # type: ignore[attr-defined]
        opt, other = options(td, td_spi)
        anonymous.connect()
        anonymous_spi.wait("onFrontConnected")
        assert anonymous.subscribeMarketData([opt]) == 0
        assert anonymous_spi.wait("onRspSubMarketData")[0][1]["ErrorID"] == 6

        assert subscriber.subscribeMarketData([opt]) == 0
        rsp = sub_spi.wait("onRspSubMarketData")[0]
        assert rsp == ({"InstrumentID": opt}, {"ErrorID": 0, "ErrorMsg": "CTP:No Error"}, 0, True)
        sub_spi.wait("onRtnDepthMarketData")  # the current snapshot right after subscribing
        mark = sub_spi.mark()
        exchange.advance(2.0)
        ticks = sub_spi.wait("onRtnDepthMarketData", 4, since=mark)
        assert {t[0]["InstrumentID"] for t in ticks} == {opt}
        times = tick_times(sub_spi, mark)
        stamps = [datetime.strptime(f"{t[1]}.{t[2]:03d}", "%H:%M:%S.%f") for t in times]
        assert [b - a for a, b in zip(stamps, stamps[1:], strict=False)] == [
            timedelta(milliseconds=500)
        ] * (len(stamps) - 1)
        assert ticks[0][0]["TradingDay"] == td.getTradingDay()

        assert idle_spi.named("onRtnDepthMarketData") == []
        assert anonymous_spi.named("onRtnDepthMarketData") == []
        assert other not in {t[0] for t in times}
        assert sub_spi.problems == [] and idle_spi.problems == []
    finally:
        for api in (td, subscriber, idle, anonymous):
            api.close()


def test_unknown_instrument_and_unsubscribe(caplog: pytest.LogCaptureFixture) -> None:
    name = unique_name("unsub")
    td, td_spi, _ = open_td(manual(name))
    md, spi = open_md(manual(name))
    try:
        opt = options(td, td_spi, 1)[0]
        with caplog.at_level(logging.WARNING, logger="vnpy_ctpsopt.sim"):
            assert md.subscribeMarketData([opt, "NOPE123"]) == 0
            rows = spi.wait("onRspSubMarketData", 2)
        # as the real front: ErrorID 0 even for an unknown code, which simply gets no data
        ok = {"ErrorID": 0, "ErrorMsg": "CTP:No Error"}
        assert [(r[0]["InstrumentID"], r[1], r[3]) for r in rows] == [
            (opt, ok, False),
            ("NOPE123", ok, True),
        ]
        assert any("NOPE123" in r.getMessage() for r in caplog.records)  # the sim says so
        exchange = md.exchange  # type: ignore[attr-defined]
        exchange.advance(1.0)
        spi.wait("onRtnDepthMarketData", 3)
        assert {t[0]["InstrumentID"] for t in spi.named("onRtnDepthMarketData")} == {opt}
        assert md.unSubscribeMarketData([opt]) == 0
        assert spi.wait("onRspUnSubMarketData")[0][1]["ErrorID"] == 0
        mark = spi.mark()
        exchange.advance(2.0)
        assert tick_times(spi, mark) == []
    finally:
        td.close()
        md.close()


def test_same_name_shares_one_exchange_and_names_are_independent() -> None:
    first, second = unique_name("A"), unique_name("B")
    td_a, _, rsp_a = open_td(manual(first), password="alpha")
    md_a, _ = open_md(manual(first))
    td_b, _, rsp_b = open_td(manual(second), password="beta")
    try:
        assert td_a.exchange is md_a.exchange  # type: ignore[attr-defined]
        assert td_a.exchange is not td_b.exchange  # type: ignore[attr-defined]
        assert md_a.getTradingDay() == td_a.getTradingDay()
        assert rsp_a[1]["ErrorID"] == 0 and rsp_b[1]["ErrorID"] == 0  # separate passwords
        td_wrong, _, wrong = open_td(manual(first), password="beta")
        td_wrong.close()
        assert wrong[1]["ErrorID"] == 132
        td_a.exchange.advance(1.0)  # type: ignore[attr-defined]
        assert td_b.exchange.now() == td_a.exchange.now() - timedelta(seconds=1)  # type: ignore[attr-defined]
    finally:
        for api in (td_a, md_a, td_b):
            api.close()


def test_exchange_hours_publish_status_changes() -> None:
    name = unique_name("hours")
    url = f"sim://{name}?seed=2&state=memory&clock=manual&start=20261130T092459&hours=exchange"
    td, spi, _ = open_td(url)
    try:
        first = spi.wait("onRtnInstrumentStatus", 2)
        assert {s[0]["InstrumentStatus"] for s in first} == {"3"}  # call auction
        mark = spi.mark()
        td.exchange.advance(1.0)  # type: ignore[attr-defined]
        pushed = spi.wait("onRtnInstrumentStatus", 2, since=mark)
        assert {(s[0]["ExchangeID"], s[0]["InstrumentStatus"]) for s in pushed} == {
            ("SSE", "5"),
            ("SZSE", "5"),
        }
        assert pushed[0][0]["EnterTime"] == "09:25:00"
        mark = spi.mark()
        td.exchange.advance(300.0)  # type: ignore[attr-defined]
        pushed = spi.wait("onRtnInstrumentStatus", 2, since=mark)
        assert {s[0]["InstrumentStatus"] for s in pushed} == {"2"}
    finally:
        td.close()


def collect_ticks(name: str, seed: int, steps: int) -> list[dict[str, Any]]:
    td, td_spi, _ = open_td(manual(name, seed))
    md, spi = open_md(manual(name, seed))
    try:
        ids = options(td, td_spi, 3)
        assert md.subscribeMarketData(ids) == 0
        spi.wait("onRtnDepthMarketData", 3)
        mark = spi.mark()
        for _ in range(steps):
            td.exchange.advance(0.5)  # type: ignore[attr-defined]
        spi.wait("onRtnDepthMarketData", 3 * steps, since=mark)
        return [a[0] for n, a in spi.since(mark) if n == "onRtnDepthMarketData"]
    finally:
        td.close()
        md.close()


def test_same_seed_same_market_data() -> None:
    run1 = collect_ticks(unique_name("det"), 42, 20)
    run2 = collect_ticks(unique_name("det"), 42, 20)
    other = collect_ticks(unique_name("det"), 43, 20)
    assert run1 == run2
    assert [t.get("LastPrice") for t in run1] != [t.get("LastPrice") for t in other]


def test_md_logout_stops_data() -> None:
    name = unique_name("mdout")
    td, td_spi, _ = open_td(manual(name, extra="&reconnect=0"))
    md, spi = open_md(manual(name, extra="&reconnect=0"))
    try:
        opt = options(td, td_spi, 1)[0]
        md.subscribeMarketData([opt])
        spi.wait("onRtnDepthMarketData")
        assert md.reqUserLogout(login_req(), 5) == 0
        spi.wait("onRspUserLogout")
        spi.wait("onFrontConnected", 2)
        mark = spi.mark()
        td.exchange.advance(2.0)  # type: ignore[attr-defined]
        assert tick_times(spi, mark) == []  # a new connection has no subscriptions
    finally:
        td.close()
        md.close()


def test_catching_up_sends_only_fresh_snapshots() -> None:
    name = unique_name("stale")
    td, td_spi, _ = open_td(manual(name))
    md, spi = open_md(manual(name))
    try:
        opt = options(td, td_spi, 1)[0]
        md.subscribeMarketData([opt])
        spi.wait("onRtnDepthMarketData")
        mark = spi.mark()
        td.exchange.advance(30.0)  # type: ignore[attr-defined]
        spi.wait(
            "onRtnDepthMarketData", since=mark, where=lambda a: a[0]["UpdateTime"] == "10:00:30"
        )
        times = tick_times(spi, mark)
        assert times[0][1:] == ("10:00:27", 500) and len(times) == 6  # 60 steps, last 2.5 s sent
    finally:
        td.close()
        md.close()


def test_exchange_hours_no_ticks_in_the_lunch_break() -> None:
    name = unique_name("lunch")
    url = f"sim://{name}?seed=2&state=memory&clock=manual&start=20261130T112958&hours=exchange"
    td, td_spi, _ = open_td(url)
    md, spi = open_md(url)
    try:
        opt = options(td, td_spi, 1)[0]
        md.subscribeMarketData([opt])
        spi.wait("onRtnDepthMarketData")
        mark = spi.mark()
        for _ in range(10):
            td.exchange.advance(0.5)  # type: ignore[attr-defined]
        status = td_spi.wait(
            "onRtnInstrumentStatus", 2, where=lambda a: a[0]["InstrumentStatus"] == "1"
        )
        assert status[0][0]["EnterTime"] == "11:30:00"
        assert [t[1:] for t in tick_times(spi, mark)] == [
            ("11:29:58", 500),
            ("11:29:59", 0),
            ("11:29:59", 500),
        ]
    finally:
        td.close()
        md.close()
