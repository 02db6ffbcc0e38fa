"""Session logic on exact callback sequences (replays, reordering, rejections, reconnects).

The counter side is a request recorder: these tests drive the td/md sessions with the callback
dicts a counter sends in cases a simulator rarely produces on demand (trade before its order,
duplicate replays, a stuck order across sessions). End-to-end behaviour on the simulated counter
is in tests/gateway/.
"""

from __future__ import annotations

from typing import Any

import pytest
from vnpy.event import Event
from vnpy.trader.constant import Direction, Exchange, Offset, OrderType
from vnpy.trader.event import (
    EVENT_CONTRACT,
    EVENT_LOG,
    EVENT_ORDER,
    EVENT_POSITION,
    EVENT_TICK,
    EVENT_TRADE,
)
from vnpy.trader.object import CancelRequest, OrderRequest, SubscribeRequest

from vnpy_ctpsopt.gateway import CtpsoptGateway
from vnpy_ctpsopt.gateway.setting import ConnectSetting, parse_setting, sim_address

from . import fixtures as f


class Engine:
    """Records what the gateway puts on the event engine."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def put(self, event: Event) -> None:
        self.events.append(event)

    def register(self, *args: Any) -> None: ...
    def unregister(self, *args: Any) -> None: ...

    def of(self, kind: str) -> list[Any]:
        return [e.data for e in self.events if e.type == kind]

    def logs(self) -> list[str]:
        return [d.msg for d in self.of(EVENT_LOG)]


class Recorder:
    """Stands for the counter connection: records every request, returns ``code``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.code = 0

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any) -> int:
            self.calls.append((name, args[0] if args else None))
            return self.code

        return call

    def names(self) -> list[str]:
        return [n for n, _ in self.calls]


SETTING = ConnectSetting("000001", "pw", "9999", "sim://x", "sim://x", "", "")


def make_gateway(name: str = "CTPSOPT") -> tuple[CtpsoptGateway, Engine, Recorder]:
    engine = Engine()
    gateway = CtpsoptGateway(engine, name)  # type: ignore[arg-type]
    api = Recorder()
    gateway.td.api = api  # type: ignore[assignment]
    gateway.td.setting = SETTING
    gateway.md.api = api  # type: ignore[assignment]
    gateway.md.setting = SETTING
    gateway.td.scheduler.interval = 0.0
    return gateway, engine, api


def login(gateway: CtpsoptGateway, session: int = 123456, contracts: bool = True) -> None:
    td = gateway.td
    td.onFrontConnected()
    td.onRspUserLogin(
        {"FrontID": 1, "SessionID": session, "MaxOrderRef": "100", "TradingDay": "20261130"},
        {},
        1,
        True,
    )
    td.onRspSettlementInfoConfirm({}, {}, 2, True)
    if contracts and not td.contract_inited:
        reqid = td.scheduler._in_flight.reqid if td.scheduler._in_flight else 0  # noqa: SLF001
        td.onRspQryInstrument(f.instrument(), {}, reqid, False)
        td.onRspQryInstrument(
            f.instrument(InstrumentID="10007002", OptionsType="2",
                         InstrumentCode="510050P2612M02800"),
            {},
            reqid,
            True,
        )


def finish_queries(gateway: CtpsoptGateway, orders: list[dict[str, Any]] | None = None) -> None:
    """Answer every queued query with an empty (or given) result."""
    td = gateway.td
    for _ in range(20):
        flight = td.scheduler._in_flight  # noqa: SLF001
        if flight is None:
            break
        name, reqid = flight.task.name, flight.reqid
        if name == "委托":
            rows = orders or [{}]
            for i, row in enumerate(rows):
                td.onRspQryOrder(row, {}, reqid, i == len(rows) - 1)
        elif name == "成交":
            td.onRspQryTrade({}, {}, reqid, True)
        elif name == "持仓":
            td.onRspQryInvestorPosition({}, {}, reqid, True)
        elif name == "锁定持仓":
            td.onRspQryLockPosition({}, {}, reqid, True)
        elif name == "资金":
            td.onRspQryTradingAccount(f.account(), {}, reqid, True)
        elif name == "行权":
            td.onRspQryExecOrder({}, {}, reqid, True)
        elif name == "报价":
            td.onRspQryQuote({}, {}, reqid, True)
        elif name == "限仓":
            td.onRspQryLimitPosi({}, {}, reqid, True)
        else:
            raise AssertionError(name)


def req(**kw: Any) -> OrderRequest:
    base: dict[str, Any] = dict(symbol="10007001", exchange=Exchange.SSE, direction=Direction.LONG,
                                type=OrderType.LIMIT, volume=2, price=0.1234, offset=Offset.OPEN)
    base.update(kw)
    return OrderRequest(**base)


def test_auth_latch_only_for_errors_retrying_cannot_fix() -> None:
    gateway, engine, api = make_gateway()
    gateway.td.setting = ConnectSetting("u", "p", "b", "sim://x", "sim://x", "app", "code")
    gateway.td.onFrontConnected()
    assert api.names() == ["reqAuthenticate"]
    gateway.td.onRspAuthenticate({}, {"ErrorID": 8, "ErrorMsg": "CTP:前置不活跃"}, 1, True)
    gateway.td.onFrontConnected()
    assert api.names() == ["reqAuthenticate", "reqAuthenticate"]
    gateway.td.onRspAuthenticate({}, {"ErrorID": 63, "ErrorMsg": "CTP:客户端认证失败"}, 2, True)
    gateway.td.onFrontConnected()
    assert api.names() == ["reqAuthenticate", "reqAuthenticate"]
    assert any("授权验证失败" in m and "63" in m for m in engine.logs())
    gateway.td.onRspAuthenticate({}, {}, 3, True)
    assert api.names()[-1] == "reqUserLogin"


def test_login_latch_for_wrong_password_only() -> None:
    gateway, engine, api = make_gateway()
    gateway.td.onFrontConnected()
    gateway.td.onRspUserLogin({}, {"ErrorID": 60, "ErrorMsg": "CTP:用户在线会话超出上限"}, 1, True)
    gateway.td.onFrontConnected()
    assert api.names().count("reqUserLogin") == 2
    gateway.td.onRspUserLogin({}, {"ErrorID": 132, "ErrorMsg": "CTP:用户名或密码错误"}, 2, True)
    gateway.td.onFrontConnected()
    assert api.names().count("reqUserLogin") == 2
    assert all("pw" not in m for m in engine.logs())


def test_session_flow_contracts_then_state_queries() -> None:
    gateway, engine, api = make_gateway()
    login(gateway)
    assert api.names()[:4] == ["reqUserLogin", "reqSettlementInfoConfirm", "reqQryInstrument",
                               "reqQryTradingAccount"]
    assert any(m.startswith("合约信息查询成功") for m in engine.logs())
    finish_queries(gateway)
    assert {
        "reqQryInvestorPosition", "reqQryLockPosition", "reqQryOrder", "reqQryTrade",
        "reqQryExecOrder",
    } <= set(api.names())
    assert gateway.td.resync_done


def test_orders_and_trades_before_contracts_are_buffered_then_delivered() -> None:
    gateway, engine, _ = make_gateway()
    login(gateway, contracts=False)
    gateway.td.onRtnOrder(f.order())
    gateway.td.onRtnTrade(f.trade())
    assert engine.of(EVENT_ORDER) == [] and engine.of(EVENT_TRADE) == []
    reqid = gateway.td.scheduler._in_flight.reqid  # type: ignore[union-attr]  # noqa: SLF001
    gateway.td.onRspQryInstrument(f.instrument(), {}, reqid, True)
    orders, trades = engine.of(EVENT_ORDER), engine.of(EVENT_TRADE)
    assert [o.status.name for o in orders] == ["NOTTRADED"]
    assert [(t.orderid, t.tradeid) for t in trades] == [("1_123456_12", "SSE_50001_B")]


def test_trade_before_its_order_is_held_and_replays_are_not_pushed_twice() -> None:
    gateway, engine, _ = make_gateway()
    login(gateway)
    finish_queries(gateway)
    gateway.td.onRtnTrade(f.trade())
    assert engine.of(EVENT_TRADE) == []
    gateway.td.onRtnOrder(f.order(OrderStatus="1", VolumeTraded=2))
    assert len(engine.of(EVENT_TRADE)) == 1
    # RESTART-style replay / re-query of the same order and trade
    gateway.td.onRtnOrder(f.order(OrderStatus="1", VolumeTraded=2))
    gateway.td.onRtnTrade(f.trade())
    gateway.td.onRspQryTrade(f.trade(), {}, 0, True)
    assert len(engine.of(EVENT_TRADE)) == 1
    assert [o.status.name for o in engine.of(EVENT_ORDER)] == ["PARTTRADED"]
    # a fill refreshes positions right away
    assert gateway.td.scheduler.pending()[:1] == ["持仓"]


def test_bad_input_never_reaches_the_counter() -> None:
    gateway, engine, api = make_gateway()
    login(gateway)
    before = len(api.calls)
    cases = [
        req(symbol="99999999"),
        req(price=float("nan")),
        req(price=-1.0),
        req(price=0.12345),
        req(volume=0),
        req(volume=-3),
        req(volume=2.5),
        req(volume=51),
        req(offset=Offset.NONE),
        req(type=OrderType.FAK),
        req(type=OrderType.STOP),
    ]
    ids = [gateway.send_order(r) for r in cases]
    assert all(ids) and len(set(ids)) == len(ids)
    assert len(api.calls) == before
    orders = engine.of(EVENT_ORDER)
    assert [o.status.name for o in orders] == ["REJECTED"] * len(cases)
    assert all(o.extra and o.extra["status_msg"] for o in orders)


def test_send_order_uses_refs_above_max_order_ref_and_rejects_on_flow_control() -> None:
    gateway, engine, api = make_gateway()
    login(gateway)
    vt_orderid = gateway.send_order(req())
    name, sent = api.calls[-1]
    assert name == "reqOrderInsert" and int(sent["OrderRef"]) > 100
    assert vt_orderid == f"CTPSOPT.1_123456_{sent['OrderRef']}"
    assert engine.of(EVENT_ORDER)[-1].status.name == "SUBMITTING"
    api.code = -3
    gateway.send_order(req())
    last = engine.of(EVENT_ORDER)[-1]
    assert last.status.name == "REJECTED" and "-3" in last.extra["status_msg"]


def test_counter_rejection_is_pushed_once_with_its_message() -> None:
    gateway, engine, api = make_gateway()
    login(gateway)
    gateway.send_order(req())
    sent = api.calls[-1][1]
    error = {"ErrorID": 31, "ErrorMsg": "CTP:资金不足"}
    gateway.td.onRspOrderInsert(sent, error, 9, True)
    gateway.td.onErrRtnOrderInsert(sent, error)
    statuses = [o.status.name for o in engine.of(EVENT_ORDER)]
    assert statuses == ["SUBMITTING", "REJECTED"]
    assert engine.of(EVENT_ORDER)[-1].extra["status_msg"] == "CTP:资金不足"
    assert any("资金不足" in m for m in engine.logs())


def test_exchange_rejection_via_insert_rejected_status() -> None:
    gateway, engine, _ = make_gateway()
    login(gateway)
    gateway.td.onRtnOrder(
        f.order(OrderSubmitStatus="4", OrderStatus="5", OrderSysID="", StatusMsg="已撤单报单被拒绝SSE:价格超出涨跌停")
    )
    assert engine.of(EVENT_ORDER)[-1].status.name == "REJECTED"
    assert any("价格超出涨跌停" in m for m in engine.logs())


def test_unknown_status_and_broken_dicts_are_logged_not_raised() -> None:
    gateway, engine, _ = make_gateway()
    login(gateway)
    gateway.td.onRtnOrder(f.order(OrderStatus="z"))
    gateway.td.onRtnOrder({"junk": 1})
    gateway.td.onRtnTrade({"junk": 1})
    gateway.td.onRspQryInvestorPosition({"PosiDirection": "2"}, {}, 0, True)
    gateway.md.onRtnDepthMarketData({"junk": 1})
    logs = engine.logs()
    assert any("不支持的委托状态" in m for m in logs)
    assert any("处理异常" in m for m in logs)
    assert engine.of(EVENT_ORDER) == []


def test_order_stuck_in_submitting_across_a_reconnect_is_resolved() -> None:
    gateway, engine, api = make_gateway()
    login(gateway)
    finish_queries(gateway)
    lost = gateway.send_order(req())
    kept = gateway.send_order(req())
    kept_ref = api.calls[-1][1]["OrderRef"]
    gateway.td.onFrontDisconnected(0x1001)
    assert any("网络读失败" in m for m in engine.logs())
    login(gateway, session=777)
    finish_queries(gateway, orders=[f.order(OrderRef=kept_ref, OrderStatus="0", VolumeTraded=2)])
    final = {o.vt_orderid: o.status.name for o in engine.of(EVENT_ORDER)}
    assert final[lost] == "REJECTED"
    assert final[kept] == "ALLTRADED"
    assert gateway.td.sessionid == 777


def test_cancel_uses_the_records_exchange_and_sysid() -> None:
    gateway, engine, api = make_gateway()
    login(gateway)
    gateway.td.onRtnOrder(f.order(ExchangeID="SSE", OrderSysID=" 555"))
    gateway.cancel_order(CancelRequest("1_123456_12", "garbage", Exchange.SZSE))
    name, sent = api.calls[-1]
    assert name == "reqOrderAction"
    assert (sent["ExchangeID"], sent["OrderSysID"], sent["InstrumentID"]) == ("SSE", "555", "10007001")
    gateway.cancel_order(CancelRequest("not-an-id", "10007001", Exchange.SSE))
    assert api.calls[-1][0] == "reqOrderAction"
    assert any("无效的委托号" in m for m in engine.logs())


def test_positions_pushed_on_last_and_zeroed_when_gone() -> None:
    gateway, engine, _ = make_gateway()
    login(gateway)
    td = gateway.td
    td.onRspQryInvestorPosition(f.position(), {}, 0, False)
    td.onRspQryInvestorPosition(
        f.position(PosiDirection="3", HedgeFlag="4", Position=1, TodayPosition=1), {}, 0, True
    )
    first = engine.of(EVENT_POSITION)
    assert sorted(p.symbol for p in first) == ["10007001", "10007001", "10007001-COVERED"]
    td.onRspQryInvestorPosition(f.position(), {}, 0, True)
    second = engine.of(EVENT_POSITION)[len(first):]
    covered = [p for p in second if p.symbol.endswith("-COVERED")]
    assert len(covered) == 1 and covered[0].volume == 0


def test_md_resubscribes_on_login_and_pushes_ticks() -> None:
    gateway, engine, api = make_gateway()
    login(gateway)
    md = gateway.md
    gateway.subscribe(SubscribeRequest("10007001", Exchange.SSE))
    gateway.subscribe(SubscribeRequest("nope", Exchange.SSE))
    md.onFrontConnected()
    md.onRspUserLogin({}, {"ErrorID": 0, "ErrorMsg": "CTP:No Error"}, 1, True)
    assert api.calls[-1] == ("subscribeMarketData", ["10007001"])
    md.onRtnDepthMarketData(f.depth())
    md.onRtnDepthMarketData(f.depth(UpdateTime=""))
    md.onRtnDepthMarketData(f.depth(InstrumentID="unknown"))
    ticks = engine.of(EVENT_TICK)
    assert len(ticks) == 1 and ticks[0].vt_symbol == "10007001.SSE"
    md.onFrontDisconnected(0x2001)
    md.onFrontConnected()
    md.onRspUserLogin({}, {}, 2, True)
    assert api.calls[-1] == ("subscribeMarketData", ["10007001"])


def test_two_gateways_share_nothing() -> None:
    a, _, _ = make_gateway("A")
    b, _, _ = make_gateway("B")
    login(a)
    assert len(a.contracts) == 2 and len(b.contracts) == 0
    assert a.td.book is not b.td.book and a.td.scheduler is not b.td.scheduler


def test_settings_presets_env_password_and_masking() -> None:
    s, reason = parse_setting(
        {"用户名": "u", "密码": "", "预设环境": "兴证期货仿真 电信", "交易服务器": "", "行情服务器": ""},
        {"CTPSOPT_PASSWORD": "secret"},
    )
    assert reason == "" and s is not None
    assert (s.td_address, s.md_address, s.password) == (
        "tcp://58.32.234.179:46666", "tcp://58.32.234.179:47777", "secret"
    )
    assert "secret" not in repr(s)
    s, _ = parse_setting({"用户名": "u", "密码": "x", "交易服务器": "1.2.3.4:5", "行情服务器": "1.2.3.4:6"}, {})
    assert s is not None and s.td_address == "tcp://1.2.3.4:5" and s.resume_type == 2
    s, reason = parse_setting({"用户名": "u", "交易服务器": "", "行情服务器": ""}, {})
    assert s is None and "地址为空" in reason
    s, reason = parse_setting({"用户名": "u", "预设环境": "本地模拟柜台", "私有流模式": "RESTART"}, {})
    assert s is not None and s.td_address.startswith("sim://") and s.resume_type == 0


def test_sim_address() -> None:
    address, reason = sim_address("CTPSOPT_SIM", {"初始资金": 500000, "行情倍速": 2, "随机种子": "7",
                                                  "状态文件": "memory"})
    assert reason == ""
    assert address == "sim://ctpsopt_sim?capital=500000.00&speed=2&seed=7&state=memory"
    assert sim_address("X", {"随机种子": "x"})[0] == ""
    assert sim_address("X", {"初始资金": -1})[0] == ""


@pytest.mark.parametrize("bad", [{"用户名": ""}, {"用户名": "u", "预设环境": "火星"}])
def test_connect_with_bad_settings_logs(bad: dict[str, Any]) -> None:
    gateway, engine, _ = make_gateway()
    gateway.connect(bad)
    assert any("连接参数错误" in m for m in engine.logs())


def test_instrument_status_updates_trading_active_and_ticks_carry_it() -> None:
    gateway, engine, _ = make_gateway()
    login(gateway)
    gateway.td.onRtnInstrumentStatus({"InstrumentID": "10007001", "InstrumentStatus": "1"})
    contract = gateway.contracts.get("10007001")
    assert contract is not None and contract.extra is not None
    assert contract.extra["trading_active"] is False
    gateway.md.onRtnDepthMarketData(f.depth())
    ticks = engine.of(EVENT_TICK)
    assert ticks[-1].extra["trading_active"] is False
    # the per-symbol event is pushed too, as BaseGateway.on_tick does
    assert [e.type for e in engine.events[-2:]] == [EVENT_TICK, EVENT_TICK + "10007001.SSE"]
    gateway.td.onRtnInstrumentStatus({"InstrumentID": "10007001", "InstrumentStatus": "2"})
    assert contract.extra["trading_active"] is True
    gateway.td.onRtnInstrumentStatus({"InstrumentID": "unknown", "InstrumentStatus": "2"})


def test_contracts_are_queried_again_on_a_new_trading_day_only() -> None:
    gateway, engine, api = make_gateway()
    login(gateway)
    finish_queries(gateway)
    assert api.names().count("reqQryInstrument") == 1
    gateway.td.onFrontDisconnected(0x1001)
    login(gateway, session=2, contracts=False)  # same trading day: no contract query
    finish_queries(gateway)
    assert api.names().count("reqQryInstrument") == 1
    gateway.td.onFrontDisconnected(0x1001)
    td = gateway.td
    td.onFrontConnected()
    td.onRspUserLogin({"FrontID": 1, "SessionID": 3, "MaxOrderRef": "1", "TradingDay": "20261201"},
                      {}, 1, True)
    td.onRspSettlementInfoConfirm({}, {}, 2, True)
    assert api.names()[-1] == "reqQryInstrument"
    # only new or changed contracts are pushed again
    pushed = len(engine.of(EVENT_CONTRACT))
    reqid = td.scheduler._in_flight.reqid  # type: ignore[union-attr]  # noqa: SLF001
    td.onRspQryInstrument(f.instrument(), {}, reqid, False)
    td.onRspQryInstrument(f.instrument(StrikePrice=2.757, VolumeMultiple=10150,
                                       InstrumentID="10007002", OptionsType="2",
                                       InstrumentCode="510050P2612A02800"), {}, reqid, False)
    td.onRspQryInstrument(f.instrument(InstrumentID="10007009"), {}, reqid, True)
    assert [c.symbol for c in engine.of(EVENT_CONTRACT)[pushed:]] == ["10007002", "10007009"]


def test_operations_before_connect_never_raise() -> None:
    engine = Engine()
    gateway = CtpsoptGateway(engine, "FRESH")  # type: ignore[arg-type]
    vt_orderid = gateway.send_order(req())
    assert engine.of(EVENT_ORDER)[-1].status.name == "REJECTED"
    assert vt_orderid.startswith("FRESH.")
    gateway.cancel_order(CancelRequest("1_2_3", "10007001", Exchange.SSE))
    gateway.subscribe(SubscribeRequest("10007001", Exchange.SSE))  # kept until login
    assert gateway.md.subscribed == {"10007001"}
    gateway.query_account()
    gateway.query_position()
    assert gateway.query_history(None) == []  # type: ignore[arg-type]
    gateway.close()
    assert any("未登录" in m for m in engine.logs())


def test_retryable_login_failure_is_retried_while_connected() -> None:
    gateway, _, api = make_gateway()
    td = gateway.td
    td.onFrontConnected()
    td.onRspUserLogin({}, {"ErrorID": 60, "ErrorMsg": "CTP:用户在线会话超出上限"}, 1, True)
    gateway.process_timer_event(None)  # type: ignore[arg-type]
    assert api.names().count("reqUserLogin") == 1  # not before LOGIN_RETRY seconds
    td.last_login_attempt -= 60
    gateway.process_timer_event(None)  # type: ignore[arg-type]
    assert api.names().count("reqUserLogin") == 2
    td.onRspUserLogin({}, {"ErrorID": 132, "ErrorMsg": "CTP:用户名或密码错误"}, 2, True)
    td.last_login_attempt -= 60
    gateway.process_timer_event(None)  # type: ignore[arg-type]
    assert api.names().count("reqUserLogin") == 2
    td.onFrontDisconnected(0x1001)
    td.login_failed = False
    td.last_login_attempt -= 60
    gateway.process_timer_event(None)  # type: ignore[arg-type]
    assert api.names().count("reqUserLogin") == 2  # not connected: the reconnect will log in


def test_read_failure_before_any_login_hints_at_address_or_api_version() -> None:
    gateway, engine, _ = make_gateway()
    gateway.td.onFrontDisconnected(0x1001)
    assert any("评测版" in m for m in engine.logs())
    gateway2, engine2, _ = make_gateway("B")
    login(gateway2)
    gateway2.td.onFrontDisconnected(0x1001)
    assert not any("评测版" in m for m in engine2.logs())


def test_heartbeat_warnings_are_logged_once_a_minute() -> None:
    gateway, engine, _ = make_gateway()
    # The lapse grows while the front stays silent: still one line a minute per session.
    for lapse in (30, 45, 60, 75, 90):
        gateway.td.onHeartBeatWarning(lapse)
        gateway.md.onHeartBeatWarning(lapse)
    logs = [m for m in engine.logs() if "心跳" in m]
    assert len(logs) == 2


def test_a_rejected_covered_order_stays_marked_covered() -> None:
    gateway, engine, api = make_gateway()
    login(gateway)
    finish_queries(gateway)
    covered = dict(direction=Direction.SHORT, offset=Offset.OPEN)
    bad_input = gateway.send_covered_order(req(price=float("nan"), **covered))
    api.code = -3
    flow_control = gateway.send_covered_order(req(**covered))
    api.code = 0
    stuck = gateway.send_covered_order(req(**covered))
    gateway.td.onFrontDisconnected(0x1001)
    login(gateway, session=777)
    finish_queries(gateway)
    final = {o.vt_orderid: o for o in engine.of(EVENT_ORDER)}
    for vt_orderid in (bad_input, flow_control, stuck):
        order = final[vt_orderid]
        assert order.status.name == "REJECTED"
        assert order.extra["covered"] is True and order.extra["status_msg"]


def test_a_broken_buffered_order_neither_hides_the_rest_nor_stops_the_resync() -> None:
    gateway, engine, _ = make_gateway()
    login(gateway, contracts=False)
    broken = f.order(OrderRef="7")
    del broken["InstrumentID"]
    gateway.td.onRtnOrder(broken)
    gateway.td.onRtnOrder(f.order())
    reqid = gateway.td.scheduler._in_flight.reqid  # type: ignore[union-attr]  # noqa: SLF001
    gateway.td.onRspQryInstrument(f.instrument(), {}, reqid, True)
    assert [o.orderid for o in engine.of(EVENT_ORDER)] == ["1_123456_12"]
    assert any("处理异常" in m for m in engine.logs())
    assert "委托" in gateway.td.scheduler.pending()


def test_a_broken_orphan_trade_does_not_stall_the_resync() -> None:
    gateway, engine, _ = make_gateway()
    login(gateway)
    broken = f.trade(OrderSysID="  9999999")
    del broken["TradeID"]
    gateway.td.onRtnTrade(broken)  # no such order: held until the trade query ends
    gateway.td.onRtnTrade(f.trade(OrderSysID="  8888888", TradeID="   60001"))
    td = gateway.td
    for _ in range(20):
        flight = td.scheduler._in_flight  # noqa: SLF001
        assert flight is not None
        if flight.task.name == "成交":
            break
        answer = {
            "委托": td.onRspQryOrder, "持仓": td.onRspQryInvestorPosition,
            "锁定持仓": td.onRspQryLockPosition, "行权": td.onRspQryExecOrder,
            "限仓": td.onRspQryLimitPosi,
        }.get(flight.task.name)
        if answer is None:
            td.onRspQryTradingAccount(f.account(), {}, flight.reqid, True)
        else:
            answer({}, {}, flight.reqid, True)
    td.onRspQryTrade({}, {}, flight.reqid, True)
    assert any("处理异常" in m for m in engine.logs())
    assert [t.tradeid for t in engine.of(EVENT_TRADE)] == ["SSE_60001_B"]
    assert td.resync_done
    assert td.scheduler.in_flight_name() != "成交"


def test_a_broken_trade_held_for_its_order_does_not_hide_the_next_one() -> None:
    gateway, engine, _ = make_gateway()
    login(gateway)
    broken = f.trade()
    del broken["TradeID"]
    gateway.td.onRtnTrade(broken)
    gateway.td.onRtnTrade(f.trade(TradeID="   50002"))
    gateway.td.onRtnOrder(f.order())
    assert [t.tradeid for t in engine.of(EVENT_TRADE)] == ["SSE_50002_B"]
    assert any("处理异常" in m for m in engine.logs())


def test_counter_refusals_of_exercise_lock_and_quote_are_pushed_as_rejected() -> None:
    from vnpy.trader.event import EVENT_QUOTE
    from vnpy.trader.object import QuoteRequest

    from vnpy_ctpsopt.gateway import (
        EVENT_CTPSOPT_EXERCISE,
        EVENT_CTPSOPT_LOCK,
        ExerciseRequest,
        LockRequest,
    )

    gateway, engine, api = make_gateway()
    login(gateway)
    td = gateway.td
    reqid = td.scheduler._in_flight.reqid if td.scheduler._in_flight else 0  # noqa: SLF001
    etf = f.instrument(InstrumentID="510050", ProductClass="8", InstrumentName="50ETF")
    td.onRspQryInstrument(etf, {}, reqid, True)
    error = {"ErrorID": 31, "ErrorMsg": "CTP:资金不足"}

    gateway.send_exercise(ExerciseRequest("10007001", Exchange.SSE, 1))
    td.onRspExecOrderInsert(api.calls[-1][1], error, 0, True)
    gateway.send_lock(LockRequest("510050", Exchange.SSE, 10000))
    td.onErrRtnLockInsert(api.calls[-1][1], error)
    gateway.send_quote(
        QuoteRequest(symbol="10007001", exchange=Exchange.SSE, bid_price=0.12, bid_volume=1,
                     ask_price=0.13, ask_volume=1, bid_offset=Offset.OPEN,
                     ask_offset=Offset.OPEN)
    )
    td.onRspQuoteInsert(api.calls[-1][1], error, 0, True)

    for kind in (EVENT_CTPSOPT_EXERCISE, EVENT_CTPSOPT_LOCK):
        last = [e.data for e in engine.events if e.type == kind][-1]
        assert last.status.name == "REJECTED" and "资金不足" in last.msg
    quote = engine.of(EVENT_QUOTE)[-1]
    assert quote.status.name == "REJECTED" and "资金不足" in quote.extra["status_msg"]


def test_tick_errors_are_throttled_by_kind_not_by_text() -> None:
    gateway, engine, _ = make_gateway()
    login(gateway)
    for field in ("UpdateTime", "ActionDay", "LastPrice", "BidPrice1", "AskVolume5"):
        broken = f.depth()
        del broken[field]
        gateway.md.onRtnDepthMarketData(broken)
    assert len([m for m in engine.logs() if "行情数据处理异常" in m]) == 1


def test_a_cancel_the_exchange_refuses_is_reported_once() -> None:
    # sopt-rules B.8: an exchange-rejected cancel comes as OnRtnOrder with OrderSubmitStatus '5'
    # (status unchanged, so no order push) plus OnErrRtnOrderAction carrying our own SessionID.
    gateway, engine, _ = make_gateway()
    login(gateway)
    gateway.td.onRtnOrder(f.order())
    gateway.td.onRtnOrder(f.order(OrderSubmitStatus="1"))
    refused = f.order(OrderSubmitStatus="5", StatusMsg="撤单被拒绝SSE:当前状态不允许撤单")
    gateway.td.onRtnOrder(refused)
    gateway.td.onErrRtnOrderAction(
        {"OrderRef": "12", "FrontID": 1, "SessionID": 123456},
        {"ErrorID": 26, "ErrorMsg": "CTP:当前状态不允许撤单"},
    )
    gateway.td.onRtnOrder(refused)  # the same state again (query, replay): no second line
    lines = [m for m in engine.logs() if "当前状态不允许撤单" in m]
    assert len(lines) == 1 and "撤单" in lines[0] and "1_123456_12" in lines[0]
    assert [o.status.name for o in engine.of(EVENT_ORDER)] == ["NOTTRADED"]


def test_failed_md_login_is_retried_while_connected() -> None:
    gateway, _, api = make_gateway()
    md = gateway.md
    md.onFrontConnected()
    md.onRspUserLogin({}, {"ErrorID": 8, "ErrorMsg": "CTP:前置不活跃"}, 1, True)
    gateway.process_timer_event(None)  # type: ignore[arg-type]
    assert api.names().count("reqUserLogin") == 1  # not before LOGIN_RETRY seconds
    md.last_login_attempt -= 60
    gateway.process_timer_event(None)  # type: ignore[arg-type]
    assert api.names().count("reqUserLogin") == 2
    md.onRspUserLogin({"TradingDay": "20261130"}, {}, 2, True)
    md.last_login_attempt -= 60
    gateway.process_timer_event(None)  # type: ignore[arg-type]
    assert api.names().count("reqUserLogin") == 2  # logged in: nothing more
    md.onFrontDisconnected(0x1001)
    md.last_login_attempt -= 60
    gateway.process_timer_event(None)  # type: ignore[arg-type]
    assert api.names().count("reqUserLogin") == 2  # disconnected: the reconnect logs in


def test_empty_locked_rows_are_not_pushed_and_an_emptied_one_is_zeroed_once() -> None:
    gateway, engine, _ = make_gateway()
    login(gateway)
    td = gateway.td

    def answer(*rows: dict[str, Any]) -> list[tuple[str, float]]:
        start = len(engine.of(EVENT_POSITION))
        for i, row in enumerate(rows):
            td.onRspQryLockPosition(row, {}, 0, i == len(rows) - 1)
        return [(p.symbol, p.volume) for p in engine.of(EVENT_POSITION)[start:]]

    def lock_row(symbol: str, volume: int, frozen: int = 0) -> dict[str, Any]:
        return {"InstrumentID": symbol, "ExchangeID": "SSE", "Volume": volume,
                "FrozenVolume": frozen, "TodayVolume": volume}

    # the counter lists every ETF of the account, most with nothing locked
    assert answer(lock_row("510050", 0), lock_row("510300", 0)) == []
    assert answer(lock_row("510050", 20000), lock_row("510300", 0)) == [("510050-LOCKED", 20000)]
    # unlocked: pushed once with volume 0 so the panel clears it, then never again
    assert answer(lock_row("510050", 0), lock_row("510300", 0)) == [("510050-LOCKED", 0)]
    assert answer(lock_row("510050", 0), lock_row("510300", 0)) == []
    # an empty answer is no different
    assert answer(lock_row("510300", 10000)) == [("510300-LOCKED", 10000)]
    assert answer({}) == [("510300-LOCKED", 0)]


def test_accepted_and_cancelled_orders_refresh_account_and_positions() -> None:
    gateway, engine, api = make_gateway()
    login(gateway)
    finish_queries(gateway)
    td = gateway.td
    assert td.scheduler.pending() == []
    td.onRtnOrder(f.order())  # accepted: the counter froze premium and fees
    assert td.scheduler.pending() == ["持仓", "资金"]
    finish_queries(gateway)
    td.onRtnOrder(f.order())  # the same state again: nothing changed, no query
    assert td.scheduler.pending() == []
    td.onRtnOrder(f.order(OrderStatus="5", StatusMsg="已撤单"))  # cancelled: released
    assert td.scheduler.pending() == ["持仓", "资金"]
    finish_queries(gateway)
    # a burst: the first refresh goes at once, the rest merge into one more of each behind it
    for ref in range(13, 18):
        td.onRtnOrder(f.order(OrderRef=str(ref), OrderSysID=f"  {1000000 + ref}"))
    assert td.scheduler.pending() == ["持仓", "持仓", "资金"]


def test_md_and_td_disconnects_are_logged_at_the_same_level() -> None:
    from vnpy.trader.logger import ERROR

    gateway, engine, _ = make_gateway()
    gateway.td.onFrontDisconnected(0x2001)
    gateway.md.onFrontDisconnected(0x2001)
    logs = [d for d in engine.of(EVENT_LOG) if "连接断开" in d.msg]
    assert [d.msg[:2] for d in logs] == ["交易", "行情"]
    assert {d.level for d in logs} == {ERROR}


def test_comb_action_sent_refused_and_reported() -> None:
    from vnpy_ctpsopt import EVENT_CTPSOPT_COMB, CombActionRequest

    gateway, engine, api = make_gateway()
    login(gateway)
    td = gateway.td
    td.onRspQryInstrument(f.instrument(InstrumentID="KS 10007001&10007002", ProductClass="3"),
                          {}, 0, True)
    vt_combid = gateway.send_comb_action(CombActionRequest("KS 10007001&10007002", Exchange.SSE, 1))
    name, sent = api.calls[-1]
    assert name == "reqCombActionInsert" and sent["CombActionRef"] == vt_combid.split("_")[-1]
    td.onRspCombActionInsert(sent, {"ErrorID": 117, "ErrorMsg": "CTP:组合持仓不足"}, 3, True)
    pushed = [d for d in engine.of(EVENT_CTPSOPT_COMB)]
    assert [d.status.name for d in pushed] == ["SUBMITTING", "REJECTED"]
    assert "117" in pushed[-1].msg and pushed[-1].vt_combid == vt_combid
    # a combine made elsewhere, reported with its ComTradeID
    td.onRtnCombAction({"InstrumentID": "KS 10007001&10007002", "ExchangeID": "SSE",
                        "FrontID": 9, "SessionID": 9, "CombActionRef": "1", "ActionStatus": "b",
                        "CombDirection": "0", "Volume": 2, "ComTradeID": " 55"})
    last = engine.of(EVENT_CTPSOPT_COMB)[-1]
    assert (last.status.name, last.com_tradeid, last.combine) == ("ALLTRADED", "55", True)
