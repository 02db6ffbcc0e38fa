"""Connection, authentication, login, logout, settlement confirmation and close, via the seam."""

from __future__ import annotations

import threading
import time

import pytest
from sim_seam import (
    RecordingMdSpi,
    RecordingTdSpi,
    login_req,
    next_reqid,
    open_md,
    open_td,
    unique_name,
)

from vnpy_ctpsopt.api import create_md_api, create_td_api
from vnpy_ctpsopt.sim.config import SimConfigError
from vnpy_ctpsopt.sim.exchange import SimExchangeRegistry, get_sim_exchange


def address(name: str, extra: str = "") -> str:
    return f"sim://{name}?seed=3&state=memory{extra}"


def test_connect_then_login_gives_ids_and_trading_day() -> None:
    name = unique_name("sess")
    spi = RecordingTdSpi()
    api = create_td_api(address(name), spi)
    try:
        assert api.getTradingDay() == ""
        api.connect()
        spi.wait("onFrontConnected")
        reqid = next_reqid()
        assert api.reqUserLogin(login_req(), reqid) == 0
        data, error, rid, last = spi.wait("onRspUserLogin")[0]
        assert (error["ErrorID"], rid, last) == (0, reqid, True)
        exchange = get_sim_exchange(name)
        assert exchange is not None and api.exchange is exchange  # type: ignore[attr-defined]
        assert data["FrontID"] == exchange.front_id
        assert data["SessionID"] in exchange.sessions("td")
        assert int(data["MaxOrderRef"] or 0) >= 0
        assert data["TradingDay"] == api.getTradingDay() == exchange.trading_day
        assert len(data["TradingDay"]) == 8
        # one instrument-status push per exchange after login
        statuses = spi.wait("onRtnInstrumentStatus", 2)
        assert sorted(s[0]["ExchangeID"] for s in statuses) == ["SSE", "SZSE"]
        assert spi.problems == []
        assert threading.get_ident() not in spi.threads
    finally:
        api.close()


def test_requests_before_connect_return_minus_one() -> None:
    name = unique_name("pre")
    td_spi, md_spi = RecordingTdSpi(), RecordingMdSpi()
    td = create_td_api(address(name), td_spi)
    md = create_md_api(address(name), md_spi)
    try:
        assert td.reqUserLogin(login_req(), 1) == -1
        assert td.reqQryInstrument({}, 2) == -1
        assert td.reqOrderInsert({}, 3) == -1
        assert md.reqUserLogin(login_req(), 4) == -1
        assert md.subscribeMarketData(["510050"]) == -1
        assert td_spi.calls == [] and md_spi.calls == []
    finally:
        td.close()
        md.close()


def test_wrong_password_is_rejected_with_132() -> None:
    name = unique_name("pw")
    first, _, rsp = open_td(address(name), user="u1", password="right")
    try:
        assert rsp[1]["ErrorID"] == 0
        second, spi, rsp = open_td(address(name), user="u1", password="wrong")
        try:
            assert rsp[1]["ErrorID"] == 132
            assert rsp[1]["ErrorMsg"] == "CTP:用户名或密码错误"
            assert second.getTradingDay() == ""
            assert spi.named("onRtnInstrumentStatus") == []
        finally:
            second.close()
    finally:
        first.close()


def test_authentication_required_when_configured() -> None:
    name = unique_name("auth")
    url = address(name, "&auth=client_app:0123456789ABCDEF")
    api, spi, rsp = open_td(url)
    try:
        assert rsp[1]["ErrorID"] == 64  # login without ReqAuthenticate
    finally:
        api.close()
    api, spi, rsp = open_td(url, auth=("client_app", "bad"))
    try:
        assert spi.named("onRspAuthenticate")[0][1]["ErrorID"] == 63
        assert rsp[1]["ErrorID"] != 0
    finally:
        api.close()
    api, spi, rsp = open_td(url, auth=("client_app", "0123456789ABCDEF"))
    try:
        assert spi.named("onRspAuthenticate")[0][1]["ErrorID"] == 0
        assert rsp[1]["ErrorID"] == 0
    finally:
        api.close()


def test_settlement_confirm_and_not_logged_in_errors() -> None:
    name = unique_name("stl")
    spi = RecordingTdSpi()
    api = create_td_api(address(name), spi)
    try:
        api.connect()
        spi.wait("onFrontConnected")
        req = {"BrokerID": "2001", "InvestorID": "00001"}
        assert api.reqSettlementInfoConfirm(req, 11) == 0
        assert spi.wait("onRspSettlementInfoConfirm")[0][1]["ErrorID"] == 6
        assert api.reqOrderInsert({"InstrumentID": "10000001", "OrderRef": "1"}, 12) == 0
        data, error, reqid, last = spi.wait("onRspOrderInsert")[0]
        assert (error["ErrorID"], error["ErrorMsg"], reqid, last) == (6, "CTP:还没有登录", 12, True)
        assert data["OrderRef"] == "1"
        assert api.reqQryTradingAccount({}, 13) == 0
        assert spi.wait("onRspQryTradingAccount")[0][1]["ErrorID"] == 6
        assert spi.named("onErrRtnOrderInsert") == [] and spi.named("onRtnOrder") == []

        assert api.reqUserLogin(login_req(), 14) == 0
        spi.wait("onRspUserLogin")
        assert api.reqSettlementInfoConfirm(req, 15) == 0
        confirm = spi.wait("onRspSettlementInfoConfirm", 2)[1]
        assert (confirm[1]["ErrorID"], confirm[2], confirm[3]) == (0, 15, True)
        assert api.reqUserLogin(login_req(), 16) == 0  # twice on one session
        assert spi.wait("onRspUserLogin", 2)[1][1] == {"ErrorID": 5, "ErrorMsg": "CTP:重复的登录"}
    finally:
        api.close()


def test_logout_then_front_disconnects_and_reconnects() -> None:
    name = unique_name("logout")
    api, spi, rsp = open_td(address(name, "&reconnect=0"))
    try:
        session = rsp[0]["SessionID"]
        assert api.reqUserLogout({"BrokerID": "2001", "UserID": "00001"}, 21) == 0
        assert spi.wait("onRspUserLogout")[0][1]["ErrorID"] == 0
        assert spi.wait("onFrontDisconnected")[0] == (0x1001,)
        spi.wait("onFrontConnected", 2)
        assert api.reqUserLogin(login_req(), 22) == 0
        again = spi.wait("onRspUserLogin", 2)[1]
        assert again[1]["ErrorID"] == 0 and again[0]["SessionID"] != session
    finally:
        api.close()


def test_md_login_needs_no_password_check() -> None:
    name = unique_name("mdlogin")
    md, spi = open_md(address(name))
    try:
        data, error, _, last = spi.named("onRspUserLogin")[0]
        assert error == {"ErrorID": 0, "ErrorMsg": "CTP:No Error"} and last is True
        assert data["TradingDay"] == md.getTradingDay() != ""
    finally:
        md.close()


def test_close_is_bounded_even_with_a_blocked_callback() -> None:
    name = unique_name("close")
    release = threading.Event()
    entered = threading.Event()
    spi = RecordingTdSpi()

    def block(callback: str, args: tuple[object, ...]) -> None:
        if callback == "onRspQryInstrument":
            entered.set()
            release.wait(30)

    spi.hook = block
    api = create_td_api(address(name, "&qps=100"), spi)
    try:
        api.connect()
        spi.wait("onFrontConnected")
        assert api.reqUserLogin(login_req(), 1) == 0
        spi.wait("onRspUserLogin")
        assert api.reqQryInstrument({}, 2) == 0
        assert entered.wait(10)
        started = time.monotonic()
        api.close(timeout=0.2)
        assert time.monotonic() - started < 2.0
        assert api.reqQryInstrument({}, 3) == -1
        assert get_sim_exchange(name) is None  # its last api closed
    finally:
        release.set()


def test_exchange_lives_while_any_api_is_open() -> None:
    name = unique_name("life")
    td, _, _ = open_td(address(name))
    md, _ = open_md(address(name))
    exchange = get_sim_exchange(name)
    assert exchange is not None
    td.close()
    assert get_sim_exchange(name) is exchange
    md.close()
    assert get_sim_exchange(name) is None
    td.close()  # idempotent


def test_config_errors_raise_at_creation() -> None:
    with pytest.raises(SimConfigError, match="未知参数") as info:
        create_td_api("sim://bad?sped=2", RecordingTdSpi())
    assert "unknown parameter 'sped'" in str(info.value)
    with pytest.raises(SimConfigError, match="speed"):
        create_md_api("sim://bad?speed=fast", RecordingMdSpi())
    assert get_sim_exchange("bad") is None


def test_conflicting_parameters_for_a_running_name() -> None:
    name = unique_name("conf")
    td, _, _ = open_td(f"sim://{name}?seed=5&state=memory")
    try:
        with pytest.raises(SimConfigError, match="seed"):
            create_md_api(f"sim://{name}?seed=6", RecordingMdSpi())
        md = create_md_api(f"sim://{name}", RecordingMdSpi())  # no explicit params: joins
        assert md.exchange is td.exchange  # type: ignore[attr-defined]
        md.close()
    finally:
        td.close()


def test_an_exception_in_a_callback_does_not_stop_delivery() -> None:
    name = unique_name("raise")
    spi = RecordingTdSpi()

    def explode(callback: str, args: tuple[object, ...]) -> None:
        if callback == "onRspUserLogin":
            raise RuntimeError("client bug")

    spi.hook = explode
    api = create_td_api(address(name), spi)
    try:
        api.connect()
        spi.wait("onFrontConnected")
        assert api.reqUserLogin(login_req(), 1) == 0
        spi.wait("onRtnInstrumentStatus", 2)  # what follows the failing callback still arrives
        assert api.reqSettlementInfoConfirm({"BrokerID": "2001", "InvestorID": "00001"}, 2) == 0
        assert spi.wait("onRspSettlementInfoConfirm")[0][1]["ErrorID"] == 0
    finally:
        api.close()


def test_injected_registries_keep_one_name_apart() -> None:
    """``registry=`` gives a test its own fronts: the same NAME in two registries is two
    independent counters, and the process-wide registry never sees either."""
    first, second = SimExchangeRegistry(), SimExchangeRegistry()
    spis = [RecordingTdSpi(), RecordingTdSpi()]
    apis = [
        create_td_api(address("same"), spis[0], registry=first),
        create_td_api(address("same", "&capital=2000000"), spis[1], registry=second),
    ]
    try:
        one, two = (get_sim_exchange("same", r) for r in (first, second))
        assert one is not None and two is not None and one is not two
        assert get_sim_exchange("same") is None
        md = create_md_api(address("same"), RecordingMdSpi(), registry=first)
        assert md.exchange is one  # type: ignore[attr-defined]
        md.close()
        balances = []
        for api, spi in zip(apis, spis, strict=True):
            api.connect()
            spi.wait("onFrontConnected")
            assert api.reqUserLogin(login_req(), 1) == 0
            spi.wait("onRspUserLogin")
            assert api.reqQryTradingAccount({}, 2) == 0
            balances.append(spi.wait_rsp("onRspQryTradingAccount", 2)[0][0]["Balance"])
        assert balances == [1_000_000.0, 2_000_000.0]
    finally:
        for api in apis:
            api.close()
    assert first.names() == [] and second.names() == []
