"""A state file carries the counter across exchange restarts (through the seam only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim_seam import next_reqid, open_td, unique_name


def test_orders_survive_an_exchange_restart(tmp_path: Path) -> None:
    state = tmp_path / "counter.db"
    name = unique_name("state")
    url = f"sim://{name}?seed=4&state={state}&clock=manual&start=20261130T100000&qps=100"
    td, spi, login = open_td(url, password="secret")
    reqid = next_reqid()
    assert td.reqQryInstrument({}, reqid) == 0
    rows = spi.wait_rsp("onRspQryInstrument", reqid)
    inst = (
        sorted(r[0] for r in rows if r[0].get("OptionsType") in ("1", "2"))[0]
        if False
        else [r[0] for r in rows if r[0].get("OptionsType") in ("1", "2")][0]
    )
    reqid = next_reqid()
    assert td.reqQryDepthMarketData({"InstrumentID": inst["InstrumentID"]}, reqid) == 0
    depth = spi.wait_rsp("onRspQryDepthMarketData", reqid)[0][0]
    req = {
        "BrokerID": "2001", "InvestorID": "00001", "UserID": "00001",
        "InstrumentID": inst["InstrumentID"], "ExchangeID": inst["ExchangeID"], "OrderRef": "5",
        "OrderPriceType": "2", "Direction": "0", "CombOffsetFlag": "0", "CombHedgeFlag": "1",
        "LimitPrice": depth["LowerLimitPrice"], "VolumeTotalOriginal": 2, "TimeCondition": "3",
        "VolumeCondition": "1", "MinVolume": 1, "ContingentCondition": "1",
        "ForceCloseReason": "0",
    }  # fmt: skip
    assert td.reqOrderInsert(req, next_reqid()) == 0
    acked = spi.wait("onRtnOrder", where=lambda a: bool(a[0]["OrderSysID"]))[0][0]
    td.close()
    assert state.exists()

    td, spi, again = open_td(url, password="secret")
    try:
        assert again[1]["ErrorID"] == 0
        assert again[0]["TradingDay"] == login[0]["TradingDay"]
        reqid = next_reqid()
        assert td.reqQryOrder({}, reqid) == 0
        orders = [r[0] for r in spi.wait_rsp("onRspQryOrder", reqid)]
        assert [(o["OrderSysID"], o["OrderStatus"]) for o in orders] == [
            (acked["OrderSysID"], acked["OrderStatus"])
        ]
        intruder, _, wrong = open_td(url, password="other")
        intruder.close()
        assert wrong[1]["ErrorID"] == 132  # the stored password survived too
    finally:
        td.close()


def test_a_stored_counter_rolls_forward_to_today(tmp_path: Path) -> None:
    state = tmp_path / "counter.db"
    monday = f"sim://{unique_name('days')}?seed=4&state={state}&clock=manual&start=20261130T100000"
    td, _, login = open_td(monday)
    td.close()
    assert login[0]["TradingDay"] == "20261130"
    wednesday = (
        f"sim://{unique_name('days')}?seed=4&state={state}&clock=manual&start=20261202T100000"
    )
    td, spi, login = open_td(wednesday)
    try:
        assert login[1]["ErrorID"] == 0
        assert login[0]["TradingDay"] == td.getTradingDay() == "20261202"
    finally:
        td.close()


def test_default_state_file_lives_in_the_vnpy_settings_folder() -> None:
    from vnpy.trader.utility import get_folder_path

    name = unique_name("default")
    td, _, login = open_td(f"sim://{name}?seed=4&clock=manual&start=20261130T100000")
    td.close()
    assert login[1]["ErrorID"] == 0
    path = get_folder_path("ctpsopt_sim") / f"{name}.db"
    assert path.exists()
    assert ".vntrader" in str(path) and "ctpsopt-home-" in str(path)  # the suite's temp home


def test_sessions_after_a_restart_never_take_stored_session_ids(tmp_path: Path) -> None:
    state = tmp_path / "counter.db"
    url = (
        f"sim://{unique_name('sid')}?seed=4&state={state}&clock=manual&start=20261130T100000"
        "&qps=100&reconnect=0"
    )
    td, spi, login = open_td(url)
    seen = {login[0]["SessionID"]}
    inst, depth = _option_and_depth(td, spi)
    assert td.reqOrderInsert(_resting_buy(inst, depth, "5"), next_reqid()) == 0
    stored = spi.wait("onRtnOrder", where=lambda a: bool(a[0]["OrderSysID"]))[0][0]
    td.exchange.drop()  # type: ignore[attr-defined]  # a reconnect takes another id
    spi.wait("onFrontConnected", count=2)
    seen.add(td.session_id)  # type: ignore[attr-defined]
    td.close()

    td, spi, again = open_td(url)
    try:
        front, session = again[0]["FrontID"], again[0]["SessionID"]
        assert session not in seen and len(seen) == 2
        reqid = next_reqid()
        assert td.reqQryOrder({}, reqid) == 0
        orders = [r[0] for r in spi.wait_rsp("onRspQryOrder", reqid)]
        assert [(o["FrontID"], o["SessionID"], o["OrderRef"]) for o in orders] == [
            (stored["FrontID"], stored["SessionID"], "5")
        ]
        # the same OrderRef in the new session is a new order; a cancel by (FrontID,
        # SessionID, OrderRef) of the new session reaches it, not the stored one
        assert td.reqOrderInsert(_resting_buy(inst, depth, "5"), next_reqid()) == 0
        mine = spi.wait(
            "onRtnOrder", where=lambda a: a[0]["SessionID"] == session and bool(a[0]["OrderSysID"])
        )[0][0]
        assert mine["OrderSysID"] != stored["OrderSysID"]
        action = {
            "BrokerID": "2001", "InvestorID": "00001", "UserID": "00001", "ActionFlag": "0",
            "OrderRef": "5", "FrontID": front, "SessionID": session,
        }  # fmt: skip
        assert td.reqOrderAction(action, next_reqid()) == 0
        cancelled = spi.wait("onRtnOrder", where=lambda a: a[0]["OrderStatus"] == "5")[0][0]
        assert cancelled["OrderSysID"] == mine["OrderSysID"]
        reqid = next_reqid()
        assert td.reqQryOrder({"OrderSysID": stored["OrderSysID"]}, reqid) == 0
        assert spi.wait_rsp("onRspQryOrder", reqid)[0][0]["OrderStatus"] == stored["OrderStatus"]
    finally:
        td.close()


def _option_and_depth(td: Any, spi: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    reqid = next_reqid()
    assert td.reqQryInstrument({}, reqid) == 0
    rows = spi.wait_rsp("onRspQryInstrument", reqid)
    inst = [r[0] for r in rows if r[0].get("OptionsType") in ("1", "2")][0]
    reqid = next_reqid()
    assert td.reqQryDepthMarketData({"InstrumentID": inst["InstrumentID"]}, reqid) == 0
    return inst, spi.wait_rsp("onRspQryDepthMarketData", reqid)[0][0]


def _resting_buy(inst: dict[str, Any], depth: dict[str, Any], ref: str) -> dict[str, Any]:
    return {
        "BrokerID": "2001", "InvestorID": "00001", "UserID": "00001",
        "InstrumentID": inst["InstrumentID"], "ExchangeID": inst["ExchangeID"], "OrderRef": ref,
        "OrderPriceType": "2", "Direction": "0", "CombOffsetFlag": "0", "CombHedgeFlag": "1",
        "LimitPrice": depth["LowerLimitPrice"], "VolumeTotalOriginal": 1, "TimeCondition": "3",
        "VolumeCondition": "1", "MinVolume": 1, "ContingentCondition": "1",
        "ForceCloseReason": "0",
    }  # fmt: skip


def _etf(td: Any, spi: Any, iid: str = "510050") -> dict[str, Any]:
    reqid = next_reqid()
    assert td.reqQryDepthMarketData({"InstrumentID": iid}, reqid) == 0
    row: dict[str, Any] = spi.wait_rsp("onRspQryDepthMarketData", reqid)[0][0]
    row["mid"] = round((row["BidPrice1"] + row["AskPrice1"]) / 2, 4)
    return row


def test_the_market_continues_after_a_restart(tmp_path: Path) -> None:
    from vnpy_ctpsopt.sim.store import SimStore

    state = tmp_path / "counter.db"
    base = f"sim://{unique_name('mkt')}?seed=4&state={state}&clock=manual&qps=100&start="
    td, spi, _ = open_td(base + "20261130T100000")
    reference = _etf(td, spi)
    td.exchange.advance(120)  # type: ignore[attr-defined]
    moved = _etf(td, spi)
    assert abs(moved["mid"] - reference["mid"]) > 0.002  # seed 4 drifts 5 ticks in 2 minutes
    # saved at a cadence while running (what a kill -9 would leave), not only at shutdown
    saved = SimStore(state)
    try:
        assert saved.value("market")["now"] >= "2026-11-30T10:01:00"
    finally:
        saved.close()
    td.close()

    td, spi, _ = open_td(base + "20261130T100200")  # the restart continues the clock
    try:
        again = _etf(td, spi)
        assert again["mid"] == moved["mid"] and again["LastPrice"] == moved["LastPrice"]
        td.exchange.advance(0.5)  # type: ignore[attr-defined]
        later = _etf(td, spi)
        assert later["UpdateTime"] == "10:02:00" and later["UpdateMillisec"] == 500
        assert abs(later["mid"] - moved["mid"]) <= 0.002  # one step's move at most
    finally:
        td.close()


def test_a_restart_after_a_day_roll_keeps_the_rolled_market(tmp_path: Path) -> None:
    state = tmp_path / "counter.db"
    base = f"sim://{unique_name('roll')}?seed=4&state={state}&clock=manual&qps=100&start="
    td, spi, _ = open_td(base + "20261130T100000")
    td.exchange.advance(120)  # type: ignore[attr-defined]
    assert td.exchange.roll_day() == "20261201"  # type: ignore[attr-defined]
    rolled = _etf(td, spi)
    reqid = next_reqid()
    assert td.reqQryInstrument({}, reqid) == 0
    listing = sorted(r[0]["InstrumentID"] for r in spi.wait_rsp("onRspQryInstrument", reqid))
    td.close()

    td, spi, login = open_td(base + "20261201T100000")
    try:
        assert login[0]["TradingDay"] == "20261201"
        again = _etf(td, spi)
        assert again["PreClosePrice"] == rolled["PreClosePrice"] != 3.1  # not the reference
        assert again["mid"] == rolled["mid"]
        reqid = next_reqid()
        assert td.reqQryInstrument({}, reqid) == 0
        rows = spi.wait_rsp("onRspQryInstrument", reqid)
        assert sorted(r[0]["InstrumentID"] for r in rows) == listing
    finally:
        td.close()
