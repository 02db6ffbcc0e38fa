"""Orders end to end through the seam: routing and ordering of the counter's callbacks between
sessions and threads (the counter's rules themselves are tested with the counter)."""

from __future__ import annotations

import threading
from typing import Any

from sim_seam import (
    RecordingTdSpi,
    next_reqid,
    open_md,
    open_td,
    unique_name,
)

from vnpy_ctpsopt.api.base import TdApi


def url(name: str, seed: int = 9) -> str:
    return f"sim://{name}?seed={seed}&state=memory&clock=manual&start=20261130T100000&qps=100"


def depth_of_option(api: TdApi, spi: RecordingTdSpi, index: int = 0) -> dict[str, Any]:
    reqid = next_reqid()
    assert api.reqQryInstrument({}, reqid) == 0
    rows = spi.wait_rsp("onRspQryInstrument", reqid)
    options = sorted(
        (r[0] for r in rows if r[0].get("OptionsType") in ("1", "2")),
        key=lambda r: r["InstrumentID"],
    )
    # a near-the-money contract of the nearest expiry: liquid book on both sides
    nearest = min(r["ExpireDate"] for r in options)
    chain = [r for r in options if r["ExpireDate"] == nearest and r["VolumeMultiple"] == 10000]
    inst = chain[len(chain) // 2 + index]["InstrumentID"]
    reqid = next_reqid()
    assert api.reqQryDepthMarketData({"InstrumentID": inst}, reqid) == 0
    depth = spi.wait_rsp("onRspQryDepthMarketData", reqid)[0][0]
    assert depth["InstrumentID"] == inst
    return depth


def order(
    depth: dict[str, Any],
    ref: str,
    price: float,
    direction: str = "0",
    offset: str = "0",
    volume: int = 1,
    user: str = "00001",
) -> dict[str, Any]:
    return {
        "BrokerID": "2001", "InvestorID": user, "UserID": user,
        "InstrumentID": depth["InstrumentID"], "ExchangeID": depth.get("ExchangeID", ""),
        "OrderRef": ref, "OrderPriceType": "2", "Direction": direction,
        "CombOffsetFlag": offset, "CombHedgeFlag": "1", "LimitPrice": price,
        "VolumeTotalOriginal": volume, "TimeCondition": "3", "VolumeCondition": "1",
        "MinVolume": 1, "ContingentCondition": "1", "ForceCloseReason": "0",
    }  # fmt: skip


def test_marketable_order_sequence_and_private_routing() -> None:
    name = unique_name("ord")
    td, spi, login = open_td(url(name))
    twin, twin_spi, _ = open_td(url(name))  # same investor, second session
    stranger, stranger_spi, _ = open_td(url(name), user="00002")
    try:
        depth = depth_of_option(td, spi)
        assert td.reqOrderInsert(order(depth, "11", depth["UpperLimitPrice"]), 501) == 0
        spi.wait("onRtnTrade")
        spi.wait("onRtnOrder", where=lambda a: a[0]["OrderStatus"] == "0")
        sequence = [(n, a[0]) for n, a in spi.calls if n in ("onRtnOrder", "onRtnTrade")]
        first = sequence[0][1]
        assert sequence[0][0] == "onRtnOrder" and not first["OrderSysID"]
        assert (first["FrontID"], first["SessionID"]) == (
            login[0]["FrontID"],
            login[0]["SessionID"],
        )
        assert first["RequestID"] == 501 and first["OrderRef"] == "11"
        trade_at = next(i for i, (n, _) in enumerate(sequence) if n == "onRtnTrade")
        trade = sequence[trade_at][1]
        carrying = [d for n, d in sequence[:trade_at] if n == "onRtnOrder" and d["OrderSysID"]]
        assert carrying and carrying[0]["OrderSysID"] == trade["OrderSysID"]
        assert trade["Volume"] == 1 and trade["Price"] <= depth["UpperLimitPrice"]
        assert spi.named("onRspOrderInsert") == []  # accepted orders get no OnRspOrderInsert

        twin_spi.wait("onRtnTrade")
        twin_seq = [(n, a[0]) for n, a in twin_spi.calls if n in ("onRtnOrder", "onRtnTrade")]
        assert twin_seq == sequence  # the private flow reaches every session of the investor
        assert stranger_spi.named("onRtnOrder") == [] and stranger_spi.named("onRtnTrade") == []
        for recorder in (spi, twin_spi, stranger_spi):
            assert recorder.problems == []
    finally:
        for api in (td, twin, stranger):
            api.close()


def test_cancel_resting_order_and_cancel_again() -> None:
    name = unique_name("cxl")
    td, spi, login = open_td(url(name))
    try:
        depth = depth_of_option(td, spi)
        assert td.reqOrderInsert(order(depth, "21", depth["LowerLimitPrice"]), 601) == 0
        resting = spi.wait("onRtnOrder", where=lambda a: bool(a[0]["OrderSysID"]))[0][0]
        assert resting["OrderStatus"] == "3"
        action = {
            "BrokerID": "2001", "InvestorID": "00001", "UserID": "00001",
            "InstrumentID": depth["InstrumentID"], "ActionFlag": "0", "OrderRef": "21",
            "FrontID": login[0]["FrontID"], "SessionID": login[0]["SessionID"],
        }  # fmt: skip
        assert td.reqOrderAction(action, 602) == 0
        cancelled = spi.wait("onRtnOrder", where=lambda a: a[0]["OrderStatus"] == "5")[0][0]
        assert cancelled["OrderSysID"] == resting["OrderSysID"]
        assert spi.named("onRspOrderAction") == []

        by_sysid = {
            "BrokerID": "2001", "InvestorID": "00001", "UserID": "00001", "ActionFlag": "0",
            "ExchangeID": resting["ExchangeID"], "OrderSysID": resting["OrderSysID"],
        }  # fmt: skip
        assert td.reqOrderAction(by_sysid, 603) == 0
        data, error, reqid, last = spi.wait("onRspOrderAction")[0]
        assert (error["ErrorID"], reqid, last) == (26, 603, True)
        assert spi.wait("onErrRtnOrderAction")[0][1]["ErrorID"] == 26
        assert spi.problems == []
    finally:
        td.close()


def test_rejection_goes_to_requester_and_private_flow() -> None:
    name = unique_name("rej")
    td, spi, _ = open_td(url(name))
    twin, twin_spi, _ = open_td(url(name))
    try:
        depth = depth_of_option(td, spi)
        bad = order(depth, "31", depth["UpperLimitPrice"], volume=0)
        assert td.reqOrderInsert(bad, 701) == 0
        data, error, reqid, last = spi.wait("onRspOrderInsert")[0]
        assert error["ErrorID"] != 0 and error["ErrorMsg"].startswith("CTP:")
        assert (data["OrderRef"], reqid, last) == ("31", 701, True)
        err_rtn = spi.wait("onErrRtnOrderInsert")[0]
        assert err_rtn[1]["ErrorID"] == error["ErrorID"]
        assert twin_spi.wait("onErrRtnOrderInsert")[0][1]["ErrorID"] == error["ErrorID"]
        assert twin_spi.named("onRspOrderInsert") == []  # the dialog answer is not broadcast
        td.exchange.advance(1.0)  # type: ignore[attr-defined]
        assert spi.named("onRtnOrder") == []
    finally:
        td.close()
        twin.close()


def test_request_for_quote_reaches_subscribed_md_sessions_and_makers() -> None:
    name = unique_name("rfq")
    address = url(name) + "&makers=MM01"
    td, spi, _ = open_td(address)
    md, md_spi = open_md(address)
    bystander, bystander_spi = open_md(address)
    maker, maker_spi, _ = open_td(address, user="MM01")
    try:
        depth = depth_of_option(td, spi)
        inst = depth["InstrumentID"]
        assert md.subscribeForQuoteRsp([inst]) == 0
        assert md_spi.wait("onRspSubForQuoteRsp")[0][1]["ErrorID"] == 0
        req = {
            "BrokerID": "2001", "InvestorID": "00001", "UserID": "00001",
            "InstrumentID": inst, "ExchangeID": depth.get("ExchangeID", ""), "ForQuoteRef": "1",
        }  # fmt: skip
        assert td.reqForQuoteInsert(req, 801) == 0
        rsp = md_spi.wait("onRtnForQuoteRsp")[0][0]
        assert rsp["InstrumentID"] == inst and rsp["ForQuoteSysID"]
        assert maker_spi.wait("onRtnForQuoteRsp")[0][0]["ForQuoteSysID"] == rsp["ForQuoteSysID"]
        td.exchange.advance(1.0)  # type: ignore[attr-defined]
        assert bystander_spi.named("onRtnForQuoteRsp") == []
        assert spi.named("onRtnForQuoteRsp") == []  # the requester is no market maker
    finally:
        for api in (td, md, bystander, maker):
            api.close()


def fills_run(name: str, seed: int) -> tuple[list[Any], list[Any]]:
    td, spi, _ = open_td(url(name, seed))
    md, md_spi = open_md(url(name, seed))
    try:
        depth = depth_of_option(td, spi)
        md.subscribeMarketData([depth["InstrumentID"]])
        md_spi.wait("onRtnDepthMarketData")
        exchange = td.exchange  # type: ignore[attr-defined]
        for _ in range(6):
            exchange.advance(0.5)
        assert td.reqOrderInsert(order(depth, "41", depth["UpperLimitPrice"], volume=3), 1) == 0
        spi.wait("onRtnOrder", where=lambda a: a[0]["OrderStatus"] in ("0", "5"))
        for _ in range(6):
            exchange.advance(0.5)
        md_spi.wait("onRtnDepthMarketData", 13)
        trades = [
            (a[0]["Price"], a[0]["Volume"], a[0]["TradeID"], a[0]["TradeTime"])
            for a in spi.named("onRtnTrade")
        ]
        ticks = [a[0] for a in md_spi.named("onRtnDepthMarketData")]
        return trades, ticks
    finally:
        td.close()
        md.close()


def test_same_seed_same_fills_and_ticks() -> None:
    first = fills_run(unique_name("detf"), 77)
    second = fills_run(unique_name("detf"), 77)
    assert first[0], "the marketable order traded"
    assert first == second


def test_concurrent_sessions_each_get_exactly_their_own_pushes() -> None:
    name = unique_name("conc")
    users = ["00011", "00012", "00013", "00014"]
    opened = [open_td(url(name), user=user) for user in users]
    try:
        depth = depth_of_option(opened[0][0], opened[0][1])
        errors: list[BaseException] = []

        def burst(api: TdApi, user: str) -> None:
            try:
                for n in range(15):
                    req = order(depth, str(100 + n), depth["LowerLimitPrice"], user=user)
                    assert api.reqOrderInsert(req, n + 1) == 0
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [
            threading.Thread(target=burst, args=(api, user))
            for (api, _, _), user in zip(opened, users, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        for (_, spi, _), user in zip(opened, users, strict=True):
            acks = spi.wait("onRtnOrder", 15, where=lambda a: bool(a[0]["OrderSysID"]))
            assert sorted(a[0]["OrderRef"] for a in acks) == [str(100 + n) for n in range(15)]
            assert {a[0]["InvestorID"] for a in spi.named("onRtnOrder")} == {user}
            assert spi.problems == []
    finally:
        for api, _, _ in opened:
            api.close()


def test_login_reports_the_investors_highest_order_ref_of_the_day() -> None:
    name = unique_name("maxref")
    first, first_spi, login = open_td(url(name))
    second, second_spi, _ = open_td(url(name))
    try:
        assert int(login[0]["MaxOrderRef"]) >= 1
        depth = depth_of_option(first, first_spi)
        low = depth["LowerLimitPrice"]
        sends = ((first, first_spi, "7"), (first, first_spi, "42"), (second, second_spi, "13"))
        for api, spi, ref in sends:
            assert api.reqOrderInsert(order(depth, ref, low), next_reqid()) == 0
            spi.wait("onRtnOrder", where=lambda a, r=ref: a[0]["OrderRef"] == r)
        third, third_spi, again = open_td(url(name))
        other, _, stranger = open_td(url(name), user="00002")
        try:
            top = int(again[0]["MaxOrderRef"])
            assert top >= 42
            assert int(stranger[0]["MaxOrderRef"]) < 42  # per investor
            ref = str(top + 1)  # what a client allocating above MaxOrderRef sends next
            assert third.reqOrderInsert(order(depth, ref, low), next_reqid()) == 0
            accepted = third_spi.wait(
                "onRtnOrder", where=lambda a: a[0]["OrderRef"] == ref and bool(a[0]["OrderSysID"])
            )[0][0]
            assert accepted["SessionID"] == again[0]["SessionID"]
            assert third_spi.named("onRspOrderInsert") == []
        finally:
            third.close()
            other.close()
    finally:
        first.close()
        second.close()
