"""Private-flow replay per resume type, injected disconnects and reconnects, delayed responses,
refused logins, day roll, and fresh dicts for every callback — all through the seam."""

from __future__ import annotations

import copy
import time
from typing import Any

from sim_seam import (
    RecordingMdSpi,
    RecordingTdSpi,
    login_req,
    next_reqid,
    open_md,
    open_td,
    poll_until,
    unique_name,
)

from vnpy_ctpsopt.api import create_md_api
from vnpy_ctpsopt.api.base import TdApi
from vnpy_ctpsopt.api.constant import THOST_TERT_QUICK, THOST_TERT_RESTART, THOST_TERT_RESUME


def url(name: str, extra: str = "") -> str:
    return f"sim://{name}?seed=5&state=memory&clock=manual&start=20261130T100000{extra}"


def first_option(api: TdApi, spi: RecordingTdSpi) -> dict[str, Any]:
    """The first option's depth row (for its limit prices), through the seam."""
    reqid = next_reqid()
    assert api.reqQryInstrument({}, reqid) == 0
    rows = spi.wait_rsp("onRspQryInstrument", reqid)
    opt = sorted(r[0]["InstrumentID"] for r in rows if r[0].get("OptionsType") in ("1", "2"))[0]
    poll_query = next_reqid()
    assert api.reqQryDepthMarketData({"InstrumentID": opt}, poll_query) == 0
    depth = spi.wait_rsp("onRspQryDepthMarketData", poll_query)[0][0]
    assert depth["InstrumentID"] == opt
    return depth


def resting_buy(depth: dict[str, Any], ref: str) -> dict[str, Any]:
    """A 1-lot limit buy at the lower limit: accepted and resting."""
    return {
        "BrokerID": "2001",
        "InvestorID": "00001",
        "UserID": "00001",
        "InstrumentID": depth["InstrumentID"],
        "ExchangeID": depth.get("ExchangeID", ""),
        "OrderRef": ref,
        "OrderPriceType": "2",
        "Direction": "0",
        "CombOffsetFlag": "0",
        "CombHedgeFlag": "1",
        "LimitPrice": depth["LowerLimitPrice"],
        "VolumeTotalOriginal": 1,
        "TimeCondition": "3",
        "VolumeCondition": "1",
        "MinVolume": 1,
        "ContingentCondition": "1",
        "ForceCloseReason": "0",
    }


def place(api: TdApi, spi: RecordingTdSpi, req: dict[str, Any]) -> None:
    """Send an order and wait until the counter has acknowledged it with an OrderSysID."""
    assert api.reqOrderInsert(req, next_reqid()) == 0
    spi.wait(
        "onRtnOrder",
        where=lambda a: a[0]["OrderRef"] == req["OrderRef"] and bool(a[0].get("OrderSysID")),
    )


def pushes(spi: RecordingTdSpi, since: int = 0) -> list[tuple[str, tuple[Any, ...]]]:
    private = ("onRtnOrder", "onRtnTrade", "onErrRtnOrderInsert", "onRtnExecOrder", "onRtnLock")
    return [(n, a) for n, a in spi.since(since) if n in private]


def test_resume_types_replay_the_private_flow() -> None:
    name = unique_name("resume")
    main, main_spi, _ = open_td(url(name, "&qps=100"), resume_type=THOST_TERT_QUICK)
    extras: list[TdApi] = []
    try:
        depth = first_option(main, main_spi)
        place(main, main_spi, resting_buy(depth, "1"))
        place(main, main_spi, resting_buy(depth, "2"))
        history = pushes(main_spi)
        assert len(history) >= 2

        restart, restart_spi, _ = open_td(url(name), resume_type=THOST_TERT_RESTART)
        quick, quick_spi, _ = open_td(url(name), resume_type=THOST_TERT_QUICK)
        resume, resume_spi, _ = open_td(url(name), resume_type=THOST_TERT_RESUME)
        extras += [restart, quick, resume]
        restart_spi.wait("onRtnOrder", len(history))
        resume_spi.wait("onRtnOrder", len(history))
        assert pushes(restart_spi) == history  # RESTART: the whole trading day, in order
        assert pushes(resume_spi) == history  # RESUME on a fresh api: nothing seen yet

        mark = main_spi.mark()
        place(main, main_spi, resting_buy(depth, "3"))
        new = pushes(main_spi, mark)
        for spi in (restart_spi, quick_spi, resume_spi):  # live pushes reach every session
            spi.wait("onRtnOrder", where=lambda a: a[0]["OrderRef"] == "3" and a[0]["OrderSysID"])
        assert pushes(quick_spi) == new  # QUICK: only what happened after login

        exchange = main.exchange  # type: ignore[attr-defined]
        exchange.drop(resume.session_id, reconnect_delay=0)  # type: ignore[attr-defined]
        resume_spi.wait("onFrontConnected", 2)
        mark = main_spi.mark()
        place(main, main_spi, resting_buy(depth, "4"))
        missed = pushes(main_spi, mark)
        position = resume_spi.mark()
        assert resume.reqUserLogin(login_req(), next_reqid()) == 0
        resume_spi.wait("onRspUserLogin", 2)
        resume_spi.wait("onRtnOrder", len(missed), since=position)
        exchange.advance(1.0)  # let anything else queued arrive
        assert pushes(resume_spi, position) == missed  # RESUME: only after the last one seen
        for spi in (main_spi, restart_spi, quick_spi, resume_spi):
            assert spi.problems == []
    finally:
        main.close()
        for api in extras:
            api.close()


def test_drop_reconnects_with_a_new_session() -> None:
    name = unique_name("drop")
    td, spi, rsp = open_td(url(name, "&reconnect=0.05"))
    md, md_spi = open_md(url(name, "&reconnect=0.05"))
    try:
        exchange = td.exchange  # type: ignore[attr-defined]
        old = rsp[0]["SessionID"]
        assert exchange.drop(old) == 1
        assert td.reqQryTradingAccount({}, 1) == -1  # gone at once
        assert spi.wait("onFrontDisconnected")[0] == (0x1001,)
        spi.wait("onFrontConnected", 2)
        assert td.getTradingDay() == ""
        reqid = next_reqid()
        assert td.reqUserLogin(login_req(), reqid) == 0
        again = spi.wait("onRspUserLogin", where=lambda a: a[2] == reqid)[0]
        assert again[1]["ErrorID"] == 0 and again[0]["SessionID"] != old
        assert old not in exchange.sessions() and again[0]["SessionID"] in exchange.sessions()
        assert md_spi.named("onFrontDisconnected") == []  # only the chosen session

        assert exchange.drop(reason=0x2001) == 2  # everyone, heartbeat timeout
        assert spi.wait("onFrontDisconnected", 2)[1] == (0x2001,)
        assert md_spi.wait("onFrontDisconnected")[0] == (0x2001,)
        md_spi.wait("onFrontConnected", 2)
        assert spi.problems == [] and md_spi.problems == []
    finally:
        td.close()
        md.close()


def test_delayed_responses() -> None:
    name = unique_name("delay")
    td, spi, _ = open_td(url(name, "&qps=100"))
    try:
        exchange = td.exchange  # type: ignore[attr-defined]
        exchange.delay_responses(300)
        started = time.monotonic()
        assert td.reqQryTradingAccount({}, 31) == 0
        spi.wait_rsp("onRspQryTradingAccount", 31)
        assert time.monotonic() - started >= 0.3
        exchange.delay_responses(0)
        assert td.reqQryTradingAccount({}, 32) == 0
        spi.wait_rsp("onRspQryTradingAccount", 32)
    finally:
        td.close()


def test_refused_logins() -> None:
    name = unique_name("refuse")
    keeper, _, _ = open_td(url(name))
    try:
        exchange = keeper.exchange  # type: ignore[attr-defined]
        exchange.refuse_logins()
        td, spi, rsp = open_td(url(name))
        assert rsp[1] == {"ErrorID": 3, "ErrorMsg": "CTP:不合法的登录"}
        md_spi = RecordingMdSpi()
        md = create_md_api(url(name), md_spi)
        md.connect()
        md_spi.wait("onFrontConnected")
        md.reqUserLogin(login_req(), 3)
        assert md_spi.wait("onRspUserLogin")[0][1]["ErrorID"] == 3
        exchange.refuse_logins(None)
        assert td.reqUserLogin(login_req(), 4) == 0
        assert spi.wait("onRspUserLogin", 2)[1][1]["ErrorID"] == 0
        td.close()
        md.close()
    finally:
        keeper.close()


def test_day_roll_via_control() -> None:
    name = unique_name("roll")
    td, spi, rsp = open_td(url(name, "&qps=100"))
    try:
        before = rsp[0]["TradingDay"]
        depth = first_option(td, spi)
        place(td, spi, resting_buy(depth, "1"))
        after = td.exchange.roll_day()  # type: ignore[attr-defined]
        assert after > before
        assert td.getTradingDay() == after
        fresh, fresh_spi, fresh_rsp = open_td(url(name), resume_type=THOST_TERT_RESTART)
        try:
            assert fresh_rsp[0]["TradingDay"] == after
            td.exchange.advance(1.0)  # type: ignore[attr-defined]
            assert pushes(fresh_spi) == []  # yesterday's flow is not replayed
        finally:
            fresh.close()
    finally:
        td.close()


def test_callbacks_get_fresh_dicts() -> None:
    name = unique_name("fresh")
    td, spi, _ = open_td(url(name, "&qps=100"))
    other, other_spi, _ = open_td(url(name))
    md1, md_spi1 = open_md(url(name))
    md2, md_spi2 = open_md(url(name))
    try:
        # query rows: mutate everything we got, ask again
        assert td.reqQryInstrument({}, 41) == 0
        first = spi.wait_rsp("onRspQryInstrument", 41)
        pristine = copy.deepcopy(first)
        for data, error, _, _ in first:
            data["InstrumentID"] = "MUTATED"
            data["extra"] = 1
            error["ErrorID"] = 999
        assert td.reqQryInstrument({}, 42) == 0
        second = spi.wait_rsp("onRspQryInstrument", 42)
        assert [(d, e) for d, e, _, _ in second] == [(d, e) for d, e, _, _ in pristine]

        # requests are copied when sent: later edits by the client do not leak into the counter
        depth = first_option(td, spi)
        req = resting_buy(depth, "7")
        assert td.reqOrderInsert(req, 43) == 0
        req["OrderRef"] = "MUTATED"
        order = spi.wait("onRtnOrder")[0][0]
        assert order["OrderRef"] == "7"

        # private pushes: each session gets its own copy
        other_order = other_spi.wait("onRtnOrder")[0][0]
        order["LimitPrice"] = -1.0
        assert other_order["LimitPrice"] == depth["LowerLimitPrice"]

        # ticks: one subscriber mutates in the callback, the other is unaffected
        def vandal(callback: str, args: tuple[Any, ...]) -> None:
            if callback == "onRtnDepthMarketData":
                args[0]["LastPrice"] = -1.0
                args[0]["InstrumentID"] = "MUTATED"

        md_spi1.hook = vandal
        code = depth["InstrumentID"]
        md1.subscribeMarketData([code])
        md2.subscribeMarketData([code])
        md_spi1.wait("onRtnDepthMarketData")
        md_spi2.wait("onRtnDepthMarketData")
        td.exchange.advance(1.0)  # type: ignore[attr-defined]
        ticks = md_spi2.wait("onRtnDepthMarketData", 3)
        assert all(t[0]["InstrumentID"] == code and t[0]["LastPrice"] != -1.0 for t in ticks)
    finally:
        for api in (td, other, md1, md2):
            api.close()


def test_a_mutated_rspinfo_does_not_reach_the_next_one() -> None:
    """Every RspInfo is the spi's own: an spi that scribbles on it (in the callback) changes
    nothing for the next answer, its own or another api's — success ones included."""
    name = unique_name("rspinfo")

    def vandal(callback: str, args: tuple[Any, ...]) -> None:
        for arg in args:
            if isinstance(arg, dict) and "ErrorID" in arg:
                arg["ErrorID"] = 999
                arg["ErrorMsg"] = "MUTATED"

    md_ok = {"ErrorID": 0, "ErrorMsg": "CTP:No Error"}  # the md front's success RspInfo
    td_ok = {"ErrorID": 0, "ErrorMsg": "CTP:正确"}  # reference/sopt_error.xml, id 0
    duplicate = {"ErrorID": 5, "ErrorMsg": "CTP:重复的登录"}  # error.xml
    first_md = RecordingMdSpi()
    first_md.hook = vandal
    first = create_md_api(url(name), first_md)
    td, td_spi, _ = open_td(url(name))
    try:
        first.connect()
        first_md.wait("onFrontConnected")
        assert first.reqUserLogin(login_req(), 1) == 0
        assert first.subscribeMarketData(["10000001", "10000002"]) == 0
        first_md.wait("onRspSubMarketData", 2)
        second, second_md = open_md(url(name))
        try:
            errors = [a[1] for a in second_md.named("onRspUserLogin")]
            assert second.subscribeMarketData(["10000001"]) == 0
            errors += [a[1] for a in second_md.wait("onRspSubMarketData")]
            assert errors == [md_ok, md_ok]
        finally:
            second.close()

        td_spi.hook = vandal
        for reqid in (2, 3):  # a second login on a logged-in session: duplicate, twice
            assert td.reqUserLogin(login_req(), reqid) == 0
            td_spi.wait("onRspUserLogin", where=lambda a, r=reqid: a[2] == r)
        td_spi.hook = None
        assert td.reqSettlementInfoConfirm({"BrokerID": "2001", "InvestorID": "00001"}, 4) == 0
        confirm = td_spi.wait("onRspSettlementInfoConfirm")[0][1]
        assert td.reqUserLogin(login_req(), 5) == 0
        again = td_spi.wait("onRspUserLogin", where=lambda a: a[2] == 5)[0][1]
        assert (confirm, again) == (td_ok, duplicate)
    finally:
        first.close()
        td.close()


def test_set_speed_changes_the_rate_of_simulated_time() -> None:
    name = unique_name("speed")
    td, _, _ = open_td(f"sim://{name}?seed=5&state=memory&speed=1")
    try:
        exchange = td.exchange  # type: ignore[attr-defined]
        started_sim, started_wall = exchange.now(), time.monotonic()
        exchange.set_speed(600.0)
        assert poll_until(lambda: (exchange.now() - started_sim).total_seconds() >= 60, 5.0)
        assert time.monotonic() - started_wall < 5.0  # 60 s of market in well under 5 s
        assert exchange.wait_market(5.0)  # the market thread keeps up
    finally:
        td.close()
