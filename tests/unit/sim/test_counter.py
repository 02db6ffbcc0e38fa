"""SimCounter driven through its public methods, on a hand-built market (counter_kit)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from counter_kit import Clock, Harness, callbacks, ladder, names, orders, rejection, trades

from vnpy_ctpsopt.core.fees import FeeSchedule
from vnpy_ctpsopt.core.margin import short_margin
from vnpy_ctpsopt.sim import errors as E
from vnpy_ctpsopt.sim.counter import CounterConfig, SessionRef, SimCounter

BUY, SELL, OPEN, CLOSE = "0", "1", "0", "1"


@pytest.fixture
def h() -> Harness:
    return Harness()


# --- sessions ------------------------------------------------------------------------------


def test_login_creates_account_and_checks_password(h: Harness) -> None:
    s = h.login("2001", "secret")
    account = h.account(s)
    assert account["Balance"] == account["Available"] == 1_000_000.0
    assert account["AccountID"] == "2001" and account["TradingDay"] == h.counter.trading_day
    other = SessionRef(1, 999, "9999", "2001")
    data, error = h.counter.login(other, {"BrokerID": "9999", "UserID": "2001", "Password": "x"})
    assert error["ErrorID"] == E.WRONG_USER_OR_PASSWORD
    assert error["ErrorMsg"] == "CTP:用户名或密码错误"
    data, error = h.counter.login(
        other, {"BrokerID": "9999", "UserID": "2001", "Password": "secret"}
    )
    assert error == {"ErrorID": 0, "ErrorMsg": "CTP:正确"}
    assert data["FrontID"] == 1 and data["SessionID"] == 999 and data["TradingDay"] == "20261221"
    elsewhere = SessionRef(1, 998, "8888", "2001")
    _, error = h.counter.login(
        elsewhere, {"BrokerID": "8888", "UserID": "2001", "Password": "secret"}
    )
    assert error["ErrorID"] == E.INVALID_LOGIN
    assert set(data) == {
        "TradingDay", "LoginTime", "BrokerID", "UserID", "SystemName", "FrontID", "SessionID",
        "MaxOrderRef", "SHFETime", "DCETime", "CZCETime", "FFEXTime", "INETime",
    }


def test_authentication_required() -> None:
    h = Harness(CounterConfig(auth=frozenset({("app", "code")})))
    s = SessionRef(1, 5, "9999", "3001")
    _, error = h.counter.login(s, {"BrokerID": "9999", "UserID": "3001", "Password": "p"})
    assert error["ErrorID"] == E.NOT_AUTHENT
    _, error = h.counter.authenticate(s, {"AppID": "app", "AuthCode": "bad"})
    assert error["ErrorID"] == E.AUTH_FAILED
    _, error = h.counter.authenticate(s, {"AppID": "app", "AuthCode": "code"})
    assert error["ErrorID"] == 0
    _, error = h.counter.login(s, {"BrokerID": "9999", "UserID": "3001", "Password": "p"})
    assert error["ErrorID"] == 0


def test_not_logged_in(h: Harness) -> None:
    s = SessionRef(1, 7, "9999", "4001")
    out = h.counter.order_insert(s, {"InstrumentID": h.names["sse_call"]}, 1)
    assert names(out) == ["onRspOrderInsert"]
    assert out[0].callback[1][1]["ErrorID"] == E.NOT_LOGIN_YET
    assert out[0].target == "session" and out[0].key == s


def test_settlement_confirm(h: Harness) -> None:
    s = h.login()
    data, error = h.counter.settlement_confirm(s, {"BrokerID": "9999", "InvestorID": "1001"})
    assert error["ErrorID"] == 0 and data["ConfirmDate"] == "20261221"


# --- rejections ----------------------------------------------------------------------------


def rejection_cases(h: Harness) -> list[tuple[str, dict, int]]:
    c = h.names["sse_call"]
    p = h.names["sse_put"]
    return [
        ("unknown instrument", dict(iid="99999999"), E.INSTRUMENT_NOT_FOUND),
        ("etf not tradable here", dict(iid="510050", price=2.8), E.INSTRUMENT_NOT_TRADING),
        ("wrong exchange", dict(exchange="SZSE"), E.ERROR_EXCHANGEID),
        ("off tick", dict(price=0.05005), E.PRICE_NOTSUPPORT),
        ("above upper limit", dict(price=0.9), E.PRICE_NOTSUPPORT),
        ("zero price limit", dict(price=0.0), E.PRICE_NOTSUPPORT),
        ("zero volume", dict(volume=0), E.VOLUME_NOTSUPPORT),
        ("limit above 50", dict(volume=51), E.VOLUME_NOTSUPPORT),
        ("market above 10", dict(volume=11, price_type="1", tc="1"), E.VOLUME_NOTSUPPORT),
        ("sse has no best-5", dict(price_type="G", tc="1"), E.PRICETYPE_NOTSUPPORT_BYEXCHANGE),
        ("sse has no best-own", dict(price_type="H"), E.PRICETYPE_NOTSUPPORT_BYEXCHANGE),
        ("last price type", dict(price_type="4"), E.PRICETYPE_NOTSUPPORT_BYEXCHANGE),
        ("gtd", dict(tc="4"), E.UNSUPPORTED_FUNCTION),
        ("arbitrage hedge", dict(hedge="2"), E.SPEC_COVERED_ONLY),
        ("covered put", dict(iid=p, direction=SELL, hedge="4", price=0.04), E.COVER_ONLY_SELL),
        ("covered buy open", dict(hedge="4"), E.COVER_ONLY_SELL),
        ("close without position", dict(offset=CLOSE), E.OVER_CLOSE_POSITION),
        ("sell close without position", dict(direction=SELL, offset=CLOSE), 30),
        ("covered open without lock", dict(iid=c, direction=SELL, hedge="4"), 98),
        ("bad direction", dict(direction="x"), E.BAD_FIELD),
        ("force close", dict(offset="2"), E.BAD_FIELD),
    ]


def test_each_rejection_has_its_error_id(h: Harness) -> None:
    s = h.login()
    for label, case, expected in rejection_cases(h):
        out = h.order(
            s,
            case.get("iid", h.names["sse_call"]),
            case.get("direction", BUY),
            case.get("offset", OPEN),
            case.get("price", 0.05),
            case.get("volume", 1),
            price_type=case.get("price_type", "2"),
            time_condition=case.get("tc", "3"),
            hedge=case.get("hedge", "1"),
            exchange=case.get("exchange", ""),
        )
        assert rejection(out) == expected, label
        error = callbacks(out, "onRspOrderInsert")[0][1]
        assert error["ErrorMsg"] == E.MESSAGES[expected]
    assert h.account(s)["Available"] == 1_000_000.0


def test_duplicate_order_ref(h: Harness) -> None:
    s = h.login()
    c = h.names["sse_call"]
    assert orders(h.order(s, c, BUY, OPEN, 0.04, 1, ref="5"))
    assert rejection(h.order(s, c, BUY, OPEN, 0.04, 1, ref="5")) == E.DUPLICATE_ORDER_REF
    assert rejection(h.order(s, c, BUY, OPEN, 0.04, 1, ref="4")) == E.DUPLICATE_ORDER_REF
    assert orders(h.order(s, c, BUY, OPEN, 0.04, 1, ref="6"))[0]["OrderRef"] == "6"
    # empty OrderRef: the counter assigns the next one; another session has its own refs
    assert orders(h.order(s, c, BUY, OPEN, 0.04, 1))[0]["OrderRef"] == "7"
    s2 = h.login()
    assert orders(h.order(s2, c, BUY, OPEN, 0.04, 1, ref="5"))[0]["OrderRef"] == "5"


def test_insufficient_money() -> None:
    h = Harness(CounterConfig(capital=1000.0))
    s = h.login()
    c = h.names["sse_call"]
    # 0.05 x 10000 x 2 + fees > 1000
    assert rejection(h.order(s, c, BUY, OPEN, 0.05, 2)) == E.INSUFFICIENT_MONEY
    assert orders(h.order(s, c, BUY, OPEN, 0.0498, 1))  # 498 + 2 fits (rests, no fill)
    assert h.account(s)["FrozenCash"] == pytest.approx(498.0)
    assert rejection(h.order(s, c, SELL, OPEN, 0.06, 1)) == E.INSUFFICIENT_MONEY  # margin


def test_self_trade_rejected(h: Harness) -> None:
    s = h.login()
    c = h.names["sse_call"]
    h.order(s, c, SELL, OPEN, 0.0510, 1)
    assert rejection(h.order(s, c, BUY, OPEN, 0.0510, 1)) == E.MAY_SELFTRADE
    assert orders(h.order(s, c, BUY, OPEN, 0.0505, 1))  # does not cross


# --- order kinds per exchange --------------------------------------------------------------

# (exchange, price type, time condition, volume condition, volume, expected fill, rests, statuses)
KINDS = [
    ("sse", "2", "3", "1", 8, 8, False, "limit GFD walks two levels"),
    ("sse", "2", "1", "3", 8, 8, False, "limit FOK fillable"),
    ("sse", "2", "1", "1", 8, 8, False, "limit FAK (vn.py)"),
    ("sse", "1", "1", "1", 10, 10, False, "market IOC"),
    ("sse", "1", "1", "3", 10, 10, False, "market FOK"),
    ("sse", "1", "3", "1", 8, 5, True, "market-to-limit: best level, rest at it"),
    ("szse", "2", "3", "1", 8, 8, False, "limit GFD"),
    ("szse", "2", "1", "3", 8, 8, False, "limit FOK"),
    ("szse", "3", "3", "1", 8, 5, True, "best opposite ('3')"),
    ("szse", "1", "3", "1", 8, 5, True, "best opposite ('1', GFD)"),
    ("szse", "H", "3", "1", 8, 0, True, "best own"),
    ("szse", "G", "1", "1", 10, 10, False, "best-5 IOC"),
    ("szse", "1", "1", "1", 10, 10, False, "market IOC"),
    ("szse", "1", "1", "3", 10, 10, False, "market FOK"),
]


@pytest.mark.parametrize(("venue", "pt", "tc", "vc", "volume", "filled", "rests", "label"), KINDS)
def test_order_kind_accepted_and_matched(
    h: Harness, venue: str, pt: str, tc: str, vc: str, volume: int, filled: int, rests: bool,
    label: str,
) -> None:
    s = h.login()
    iid = h.names[f"{venue}_call"]
    best_ask = h.market.book(iid)[1][0][0]
    price = round(best_ask + 0.0001, 4) if pt == "2" else 0.0
    out = h.order(s, iid, BUY, OPEN, price, volume, price_type=pt, time_condition=tc,
                  volume_condition=vc)
    pushes = orders(out)
    assert pushes[0]["OrderStatus"] == "a" and pushes[0]["OrderSysID"] == ""
    assert sum(t["Volume"] for t in trades(out)) == filled, label
    final = pushes[-1]
    assert final["VolumeTraded"] == filled
    if rests:
        assert final["OrderStatus"] in ("1", "3")
        assert h.counter.query(s, "Order", {})[0]["OrderStatus"] in ("1", "3")
    elif filled == volume:
        assert final["OrderStatus"] == "0"
    # every trade follows an OnRtnOrder that carries its OrderSysID
    seen_sysid = False
    for o in out:
        name, args = o.callback
        if name == "onRtnOrder" and args[0]["OrderSysID"]:
            seen_sysid = True
        if name == "onRtnTrade":
            assert seen_sysid and args[0]["OrderSysID"] == final["OrderSysID"]


@pytest.mark.parametrize(("pt", "tc", "vc"), [("3", "3", "1"), ("H", "3", "1"), ("G", "1", "1")])
def test_szse_only_kinds_rejected_on_sse(h: Harness, pt: str, tc: str, vc: str) -> None:
    s = h.login()
    out = h.order(s, h.names["sse_call"], BUY, OPEN, 0.0, 1, price_type=pt, time_condition=tc,
                  volume_condition=vc)
    assert rejection(out) == E.PRICETYPE_NOTSUPPORT_BYEXCHANGE


def test_limit_fak_rejected_when_configured() -> None:
    h = Harness(CounterConfig(accept_limit_fak=False))
    s = h.login()
    out = h.order(s, h.names["sse_call"], BUY, OPEN, 0.05, 1, time_condition="1")
    assert rejection(out) == E.PRICETYPE_NOTSUPPORT_BYEXCHANGE


def test_fok_all_or_nothing(h: Harness) -> None:
    s = h.login()
    c = h.names["sse_call"]
    out = h.order(s, c, BUY, OPEN, 0.0503, 12, time_condition="1", volume_condition="3")
    pushes = orders(out)
    assert [p["OrderStatus"] for p in pushes] == ["a", "5"]
    assert pushes[-1]["VolumeTraded"] == 0 and pushes[-1]["OrderSysID"]
    assert not trades(out) and h.market.taken == []
    assert h.account(s)["FrozenCash"] == 0.0 and h.account(s)["Available"] == 1_000_000.0


def test_market_ioc_partial_then_cancelled(h: Harness) -> None:
    h.market.set_book(h.names["sse_call"], [(0.05, 3)], [(0.0502, 2), (0.0503, 1)])
    s = h.login()
    out = h.order(s, h.names["sse_call"], BUY, OPEN, 0.0, 5, price_type="1", time_condition="1")
    pushes = orders(out)
    assert [p["OrderStatus"] for p in pushes] == ["a", "3", "2", "2", "5"]
    assert pushes[-1]["VolumeTraded"] == 3 and pushes[-1]["VolumeTotal"] == 2
    assert h.account(s)["FrozenCash"] == 0.0
    assert h.position(s, h.names["sse_call"], "2")["Position"] == 3


def test_market_with_no_opposite_quote_cancelled(h: Harness) -> None:
    h.market.set_book(h.names["szse_call"], [(0.1, 3)], [])
    s = h.login()
    for pt, tc in (("1", "1"), ("3", "3"), ("G", "1")):
        pushes = orders(h.order(s, h.names["szse_call"], BUY, OPEN, 0.0, 1, price_type=pt,
                                time_condition=tc))
        assert [p["OrderStatus"] for p in pushes] == ["a", "5"]
    pushes = orders(h.order(s, h.names["szse_call"], SELL, OPEN, 0.0, 1, price_type="H"))
    assert [p["OrderStatus"] for p in pushes] == ["a", "5"]  # own side (asks) empty


def test_partial_fill_rests_then_book_crosses(h: Harness) -> None:
    s = h.login()
    c = h.names["sse_call"]
    out = h.order(s, c, BUY, OPEN, 0.0502, 8)
    pushes = orders(out)
    assert [p["OrderStatus"] for p in pushes] == ["a", "3", "1"]
    assert pushes[-1]["VolumeTraded"] == 5 and pushes[-1]["VolumeTotal"] == 3
    assert h.account(s)["FrozenCash"] == pytest.approx(0.0502 * 10000 * 3)
    # the market refreshes with asks down at 0.0500: the rest fills at its own price
    h.market.set_book(c, [(0.0498, 10)], [(0.0500, 2), (0.0501, 10)])
    out = h.counter.on_market(datetime(2026, 12, 21, 10, 0, 1))
    h.check()
    fills = trades(out)
    assert [(t["Price"], t["Volume"]) for t in fills] == [(0.0502, 2), (0.0502, 1)]
    assert orders(out)[-1]["OrderStatus"] == "0"
    assert h.account(s)["FrozenCash"] == 0.0
    row = h.position(s, c, "2")
    assert row["Position"] == row["TodayPosition"] == 8 and row["OpenVolume"] == 8
    assert row["PositionCost"] == pytest.approx(0.0502 * 10000 * 8)


def test_clients_trade_with_each_other(h: Harness) -> None:
    a = h.login("A1")
    b = h.login("B1")
    c = h.names["sse_call"]
    h.order(a, c, SELL, OPEN, 0.0501, 3)  # inside the spread: rests
    out = h.order(b, c, BUY, OPEN, 0.0501, 2)
    by_investor = {o.key for o in out if o.callback[0] == "onRtnTrade"}
    assert by_investor == {"A1", "B1"}
    sell_trade = [t for t in trades(out) if t["InvestorID"] == "A1"][0]
    buy_trade = [t for t in trades(out) if t["InvestorID"] == "B1"][0]
    assert sell_trade["Price"] == buy_trade["Price"] == 0.0501
    # one match, one TradeID on both sides (sopt-rules.md B.3: unique per exchange and direction)
    assert sell_trade["TradeID"] == buy_trade["TradeID"]
    assert (sell_trade["Direction"], buy_trade["Direction"]) == (SELL, BUY)
    assert h.position(a, c, "3")["Position"] == 2
    assert h.position(b, c, "2")["Position"] == 2
    assert h.market.taken == []  # nothing taken from the synthetic book


# --- cancels -------------------------------------------------------------------------------


def test_cancel_by_ref_and_by_sysid(h: Harness) -> None:
    s = h.login()
    c = h.names["sse_call"]
    first = orders(h.order(s, c, BUY, OPEN, 0.0490, 2, ref="1"))[-1]
    second = orders(h.order(s, c, BUY, OPEN, 0.0491, 3, ref="2"))[-1]
    assert h.account(s)["FrozenCash"] > 0
    out = h.call("order_action", s, {"OrderRef": "1", "FrontID": s.front_id,
                                     "SessionID": s.session_id, "ActionFlag": "0"})
    pushes = orders(out)
    assert [(p["OrderSubmitStatus"], p["OrderStatus"]) for p in pushes] == [("1", "3"), ("1", "5")]
    assert pushes[-1]["StatusMsg"] == "已撤单" and pushes[-1]["CancelTime"]
    assert not callbacks(out, "onRspOrderAction")
    out = h.call("order_action", s, {"ExchangeID": "SSE", "OrderSysID": second["OrderSysID"],
                                     "ActionFlag": "0"})
    assert orders(out)[-1]["OrderStatus"] == "5"
    assert h.account(s)["FrozenCash"] == 0.0 and h.account(s)["FrozenCommission"] == 0.0
    # errors: unknown order 25, finished order 26
    out = h.call("order_action", s, {"OrderRef": "77", "ActionFlag": "0"})
    assert rejection(out, "onRspOrderAction") == E.ORDER_NOT_FOUND
    out = h.call("order_action", s, {"OrderRef": first["OrderRef"], "ActionFlag": "0"})
    assert rejection(out, "onRspOrderAction") == E.INSUITABLE_ORDER_STATUS
    err = callbacks(out, "onErrRtnOrderAction")[0][0]
    assert err["OrderActionStatus"] == "c"
    # another investor cannot cancel it
    other = h.login("9")
    out = h.call("order_action", other, {"ExchangeID": "SSE", "OrderSysID": first["OrderSysID"]})
    assert rejection(out, "onRspOrderAction") == E.ORDER_NOT_FOUND


def test_cancel_partly_filled_keeps_traded(h: Harness) -> None:
    s = h.login()
    c = h.names["sse_call"]
    order = orders(h.order(s, c, BUY, OPEN, 0.0502, 8, ref="3"))[-1]
    out = h.call("order_action", s, {"OrderRef": "3", "ActionFlag": "0"})
    final = orders(out)[-1]
    assert final["OrderStatus"] == "5" and final["VolumeTraded"] == 5 and final["VolumeTotal"] == 3
    assert order["OrderSysID"] == final["OrderSysID"]


# --- money and positions -------------------------------------------------------------------


def test_sell_open_margin_then_buy_close(h: Harness) -> None:
    s = h.login()
    c = h.names["sse_call"]
    per_lot = short_margin(True, 0.05, 2.8, 2.9, 10000) * 1.1
    h.order(s, c, SELL, OPEN, 0.0510, 2, ref="1")  # rests above the bid
    account = h.account(s)
    assert account["FrozenMargin"] == pytest.approx(2 * per_lot)
    assert account["Available"] == pytest.approx(1_000_000 - 2 * per_lot)
    out = h.order(s, c, SELL, OPEN, 0.0500, 2)  # hits the bid
    assert sum(t["Volume"] for t in trades(out)) == 2
    account = h.account(s)
    assert account["CurrMargin"] == pytest.approx(2 * per_lot)
    assert account["ExchangeMargin"] == pytest.approx(2 * per_lot / 1.1)
    assert account["CashIn"] == pytest.approx(0.05 * 10000 * 2)
    assert account["Balance"] == pytest.approx(1_000_000 + 1000.0)  # sell-open fee 0
    row = h.position(s, c, "3")
    assert row["Position"] == 2 and row["UseMargin"] == pytest.approx(2 * per_lot)
    # buy close one: margin released pro rata, close fee charged
    out = h.order(s, c, BUY, CLOSE, 0.0502, 1)
    assert trades(out)[0]["OffsetFlag"] == CLOSE
    row = h.position(s, c, "3")
    assert row["Position"] == 1 and row["UseMargin"] == pytest.approx(per_lot)
    assert row["CloseVolume"] == 1 and row["CloseProfit"] == pytest.approx(-2.0)
    account = h.account(s)
    assert account["Commission"] == pytest.approx(2.0)
    assert account["Balance"] == pytest.approx(1_000_000 + 1000.0 - 502.0 - 2.0)


def test_close_frozen_and_over_close(h: Harness) -> None:
    s = h.login()
    c = h.names["sse_call"]
    h.order(s, c, BUY, OPEN, 0.0503, 5)  # all filled at 0.0502
    h.order(s, c, SELL, CLOSE, 0.0600, 3, ref="9")  # rests
    row = h.position(s, c, "2")
    assert row["ShortFrozen"] == 3 and row["LongFrozen"] == 0
    assert rejection(h.order(s, c, SELL, CLOSE, 0.0600, 3)) == E.OVER_CLOSE_POSITION
    h.call("order_action", s, {"OrderRef": "9"})
    assert h.position(s, c, "2")["ShortFrozen"] == 0
    out = h.order(s, c, SELL, "3", 0.0500, 5)  # CloseToday is a close
    assert sum(t["Volume"] for t in trades(out)) == 5
    row = h.position(s, c, "2")
    assert row["Position"] == 0 and row["CloseVolume"] == 5


def test_custom_fees() -> None:
    fees = FeeSchedule(buy_open=1.7, sell_open=0.3, close=1.5, exercise=0.6)
    h = Harness(CounterConfig(fees=fees, margin_markup=0.0))
    s = h.login()
    c = h.names["sse_call"]
    h.order(s, c, BUY, OPEN, 0.0502, 2)
    h.order(s, c, SELL, OPEN, 0.0500, 1)
    assert h.account(s)["Commission"] == pytest.approx(2 * 1.7 + 0.3)
    rate = h.counter.query(s, "OptionInstrCommRate", {"InstrumentID": c})[0]
    assert rate["OpenRatioByVolume"] == 1.7 and rate["StrikeRatioByVolume"] == 0.6
    cost = h.counter.query(s, "OptionInstrTradeCost", {"InstrumentID": c, "HedgeFlag": "1"})[0]
    assert max(cost["FixedMargin"], cost["MiniMargin"]) == pytest.approx(2860.0)


# --- covered and lock ----------------------------------------------------------------------


def lock(h: Harness, s: SessionRef, code: str, volume: int, lock_type: str = "1", ex: str = "SSE"):
    return h.call("lock_insert", s, {"InstrumentID": code, "ExchangeID": ex, "Volume": volume,
                                     "LockType": lock_type})


def test_sse_covered_needs_lock(h: Harness) -> None:
    s = h.login()
    c = h.names["sse_call"]
    assert rejection(h.order(s, c, SELL, OPEN, 0.0500, 1, hedge="4")) == E.NOT_ENOUGH_LOCKPOSITION
    out = lock(h, s, "510050", 20000)
    locks = [args[0] for args in callbacks(out, "onRtnLock")]
    assert [lk["LockStatus"] for lk in locks] == ["a", "b"] and locks[-1]["LockSysID"]
    assert rejection(lock(h, s, "510050", 100_000), "onRspLockInsert") == 99
    out = h.order(s, c, SELL, OPEN, 0.0500, 2, hedge="4")
    assert sum(t["Volume"] for t in trades(out)) == 2
    assert trades(out)[0]["HedgeFlag"] == "4"
    row = h.position(s, c, "3", "4")
    assert row["Position"] == 2 and row["UseMargin"] == 0.0
    assert h.account(s)["CurrMargin"] == 0.0
    lp = h.counter.query(s, "LockPosition", {})
    assert [(r["InstrumentID"], r["Volume"], r["FrozenVolume"]) for r in lp] == [
        ("510050", 20000, 20000)
    ]
    assert rejection(lock(h, s, "510050", 1, "2"), "onRspLockInsert") == E.NOT_ENOUGH_LOCKPOSITION
    out = h.order(s, c, BUY, CLOSE, 0.0503, 1, hedge="4")
    assert sum(t["Volume"] for t in trades(out)) == 1
    assert h.counter.query(s, "LockPosition", {})[0]["FrozenVolume"] == 10000
    assert callbacks(lock(h, s, "510050", 10000, "2"), "onRtnLock")
    assert h.counter.query(s, "Lock", {})[-1]["LockType"] == "2"


def test_szse_covered_freezes_shares(h: Harness) -> None:
    s = h.login()
    c = h.names["szse_call"]
    assert rejection(lock(h, s, "159919", 10000, ex="SZSE"), "onRspLockInsert") == 100
    out = h.order(s, c, SELL, OPEN, 0.1000, 10, hedge="4")  # 100,000 shares seeded
    assert sum(t["Volume"] for t in trades(out)) == 10
    etf = h.position(s, "159919", "2")
    assert etf["Position"] == 100_000 and etf["ShortFrozen"] == 100_000
    out = h.order(s, c, SELL, OPEN, 0.1000, 1, hedge="4")
    assert rejection(out) == E.NOT_ENOUGH_STOCKPOSITION
    h.order(s, c, BUY, CLOSE, 0.1003, 4, hedge="4")
    assert h.position(s, "159919", "2")["ShortFrozen"] == 60_000


def test_no_initial_shares_config() -> None:
    h = Harness(CounterConfig(initial_etf_shares=0))
    s = h.login()
    assert h.positions(s) == []
    assert rejection(lock(h, s, "510050", 10000), "onRspLockInsert") == 99


# --- exercise and expiry -------------------------------------------------------------------


def exec_req(iid: str, volume: int, ref: str = "") -> dict:
    return {"InstrumentID": iid, "Volume": volume, "ActionType": "1", "PosiDirection": "2",
            "OffsetFlag": "1", "HedgeFlag": "1", "ExecOrderRef": ref}


def test_exercise_and_expiry_roll(h: Harness) -> None:
    buyer = h.login("L1")
    writer = h.login("W1")
    call, put = h.names["sse_call"], h.names["sse_put"]
    szse_call = h.names["szse_call"]
    h.order(buyer, call, BUY, OPEN, 0.0503, 3)  # long 3 calls from the book
    h.order(buyer, put, BUY, OPEN, 0.0403, 2)  # long 2 puts
    h.order(buyer, szse_call, BUY, OPEN, 0.1003, 1)  # never exercised: lapses
    h.order(writer, call, SELL, OPEN, 0.0499, 2)  # short 2 calls (margin)
    h.call("lock_insert", writer, {"InstrumentID": "510050", "ExchangeID": "SSE",
                                   "Volume": 10000, "LockType": "1"})
    h.order(writer, call, SELL, OPEN, 0.0499, 1, hedge="4")  # covered short 1
    out = h.call("exec_order_insert", buyer, exec_req(call, 1))
    assert rejection(out, "onRspExecOrderInsert") == E.NOT_SUPPORT_EXECDAY
    h.counter.roll_day()
    h.check()
    assert h.counter.trading_day == "20261222"
    h.counter.roll_day()
    assert h.counter.trading_day == "20261223"  # expiry day
    h.check()
    assert h.position(buyer, call, "2")["YdPosition"] == 3
    assert rejection(h.call("exec_order_insert", buyer, exec_req(call, 4)),
                     "onRspExecOrderInsert") == E.OVER_EXECUTE_POSITION
    assert rejection(h.call("exec_order_insert", buyer, exec_req("510050", 1)),
                     "onRspExecOrderInsert") == E.EXECORDER_NOTOPTIONS
    out = h.call("exec_order_insert", buyer, exec_req(call, 2, "1"))
    execs = [args[0] for args in callbacks(out, "onRtnExecOrder")]
    assert [(e["OrderSubmitStatus"], e["ExecResult"]) for e in execs] == [("0", "n"), ("3", "n")]
    assert execs[-1]["ExecOrderSysID"]
    assert h.position(buyer, call, "2")["StrikeFrozen"] == 2
    assert h.account(buyer)["DeliveryMargin"] == pytest.approx(2.9 * 10000 * 2)
    # cancel and re-declare
    out = h.call("exec_order_action", buyer, {"ExecOrderRef": "1", "ActionFlag": "0"})
    assert [a[0]["ExecResult"] for a in callbacks(out, "onRtnExecOrder")] == ["c"]
    assert h.position(buyer, call, "2")["StrikeFrozen"] == 0
    out = h.call("exec_order_action", buyer, {"ExecOrderRef": "1", "ActionFlag": "0"})
    assert rejection(out, "onRspExecOrderAction") == E.BAD_EXECORDER_ACTION_FIELD
    h.call("exec_order_insert", buyer, exec_req(call, 2))
    h.call("exec_order_insert", buyer, exec_req(put, 2))
    assert h.position(buyer, "510050", "2")["ShortFrozen"] == 20000  # put delivery shares
    assert len(h.counter.query(buyer, "ExecOrder", {})) == 3

    buyer_before = h.account(buyer)["Balance"]
    writer_before = h.account(writer)["Balance"]
    # underlying closes at 3.0: the 2.9 call is in the money, the 2.7 put out of the money
    h.market.spots["510050"] = 3.0
    h.market.spots["159919"] = 3.9  # the SZSE 4.0 call is out of the money
    out = h.counter.roll_day()
    h.check()
    results = [a[0] for a in callbacks(out, "onRtnExecOrder")]
    assert sorted(r["ExecResult"] for r in results) == ["0", "0"]
    assert h.counter.trading_day == "20261224"
    # buyer: paid 2 x 2.9 x 10000 + fees for the calls, received 2 x 2.7 x 10000 for the puts
    fee = h.config.fees.exercise
    expected = buyer_before - 58000 - 2 * fee + 54000 - 2 * fee
    assert h.account(buyer)["PreBalance"] == pytest.approx(expected)
    assert h.account(buyer)["Balance"] == pytest.approx(expected)
    etf = h.position(buyer, "510050", "2")
    assert etf["Position"] == 100_000 + 20000 - 20000 and etf["ShortFrozen"] == 0
    # all expired option rows are gone (the undeclared long call and the SZSE call lapsed)
    assert [r for r in h.positions(buyer) if r["InstrumentID"] not in ("510050", "159919")] == []
    # writer: 3 calls assigned (2 margin + 1 covered): 30,000 shares out, 87,000 cash in
    assert h.account(writer)["PreBalance"] == pytest.approx(writer_before + 87000)
    assert h.account(writer)["CurrMargin"] == 0.0
    assert h.position(writer, "510050", "2")["Position"] == 100_000 - 30000
    assert h.counter.query(writer, "LockPosition", {})[0]["Volume"] == 0
    assert h.counter.query(buyer, "Order", {}) == [] and h.counter.query(buyer, "Trade", {}) == []
    assert h.counter.private_flow("L1") == []


def test_otm_short_lapses_and_maintenance_margin(h: Harness) -> None:
    writer = h.login("W2")
    put = h.names["sse_put"]
    h.order(writer, put, SELL, OPEN, 0.0399, 1)
    h.market.settlements[put] = 0.0600
    h.market.spots["510050"] = 2.75
    h.counter.roll_day()
    h.check()
    expected = short_margin(False, 0.06, 2.75, 2.7, 10000) * 1.1
    row = h.position(writer, put, "3")
    assert row["UseMargin"] == pytest.approx(expected)
    assert row["YdPosition"] == 1 and row["TodayPosition"] == 0
    assert row["PreSettlementPrice"] == 0.06
    account = h.account(writer)
    assert account["CurrMargin"] == pytest.approx(expected)
    assert account["PreMargin"] == pytest.approx(expected)
    h.counter.roll_day()
    h.market.spots["510050"] = 2.9
    h.counter.roll_day()  # expiry: the 2.7 put is out of the money at 2.9 and lapses
    h.check()
    assert h.position(writer, put, "3") == {}
    assert h.account(writer)["CurrMargin"] == 0.0


def test_exercise_window_and_day_in_exchange_hours() -> None:
    clock = Clock(datetime(2026, 12, 23, 9, 27))
    h = Harness(CounterConfig(hours="exchange"), clock=clock)
    h.market.trading_day = "20261223"
    h.counter.trading_day = "20261223"
    s = h.login()
    call, szse_call = h.names["sse_call"], h.names["szse_call"]
    clock.now = datetime(2026, 12, 23, 10, 0)
    h.order(s, call, BUY, OPEN, 0.0503, 1)
    h.order(s, szse_call, BUY, OPEN, 0.1003, 1)
    clock.now = datetime(2026, 12, 23, 9, 27)
    out = h.call("exec_order_insert", s, exec_req(call, 1))
    assert rejection(out, "onRspExecOrderInsert") == E.EXEC_FORBIDDEN_TIME
    assert callbacks(h.call("exec_order_insert", s, exec_req(szse_call, 1)), "onRtnExecOrder")
    clock.now = datetime(2026, 12, 23, 15, 10)
    assert callbacks(h.call("exec_order_insert", s, exec_req(call, 1)), "onRtnExecOrder")


# --- exchange hours ------------------------------------------------------------------------


def test_exchange_hours_phases() -> None:
    clock = Clock(datetime(2026, 12, 21, 9, 0))
    h = Harness(CounterConfig(hours="exchange"), clock=clock)
    s = h.login()
    c = h.names["sse_call"]
    pushes = orders(h.order(s, c, BUY, OPEN, 0.0503, 1))  # before 9:15: exchange reject
    assert [(p["OrderSubmitStatus"], p["OrderStatus"]) for p in pushes] == [("0", "a"), ("4", "5")]
    assert pushes[-1]["StatusMsg"].startswith("已撤单报单被拒绝SSE")
    assert h.account(s)["FrozenCash"] == 0.0
    clock.now = datetime(2026, 12, 21, 9, 16)
    pushes = orders(h.order(s, c, BUY, OPEN, 0.0, 1, price_type="1", time_condition="1"))
    assert pushes[-1]["OrderSubmitStatus"] == "4"  # no market orders in the auction
    pushes = orders(h.order(s, c, BUY, OPEN, 0.0503, 1, ref="50"))  # held, not matched
    assert pushes[-1]["OrderStatus"] == "3" and not h.market.taken
    clock.now = datetime(2026, 12, 21, 9, 21)
    out = h.call("order_action", s, {"OrderRef": "50"})
    assert rejection(out, "onRspOrderAction") == E.OUT_OF_ACTION_TIME
    assert h.counter.on_market(clock.now) == []  # still no matching
    clock.now = datetime(2026, 12, 21, 9, 30)
    out = h.counter.on_market(clock.now)
    h.check()
    # the opening auction (uncrossed at the first step from 9:25) against the book's asks:
    # 0.0502 executes 1 lot with the smallest imbalance (4), not its limit 0.0503 (imbalance 10)
    assert [(t["Price"], t["Volume"]) for t in trades(out)] == [(0.0502, 1)]
    clock.now = datetime(2026, 12, 21, 14, 59, 30)
    h.order(s, c, BUY, OPEN, 0.0400, 1, ref="60")
    assert rejection(h.call("order_action", s, {"OrderRef": "60"}), "onRspOrderAction") == 146


def test_held_orders_meet_the_book_at_its_prices() -> None:
    clock = Clock(datetime(2026, 12, 21, 11, 0))
    h = Harness(CounterConfig(hours="exchange"), clock=clock)
    s = h.login()
    c = h.names["sse_call"]  # bids 0.0500 down, asks 0.0502 up (5, 6, 7, 8, 9)
    h.order(s, c, BUY, OPEN, 0.0501, 1, ref="1")  # continuous: rests below the ask
    clock.now = datetime(2026, 12, 21, 12, 0)
    assert orders(h.order(s, c, BUY, OPEN, 0.0506, 6, ref="2"))[-1]["OrderStatus"] == "3"
    assert h.counter.on_market(clock.now) == []  # lunch break: held
    h.market.set_book(  # the market fell over lunch
        c, ladder(0.0497, 0.0001, [10] * 5, True), ladder(0.0499, 0.0001, [5, 6, 7, 8, 9], False)
    )
    clock.now = datetime(2026, 12, 21, 13, 0)
    out = h.counter.on_market(clock.now)
    h.check()
    # the order entered in the break is the incoming one: it walks the asks at their prices;
    # the order resting since the morning is crossed by the book: at its own price
    assert [(t["OrderRef"], t["Price"], t["Volume"]) for t in trades(out)] == [
        ("2", 0.0499, 5),
        ("2", 0.05, 1),
        ("1", 0.0501, 1),
    ]
    clock.now = datetime(2026, 12, 21, 14, 0)
    h.order(s, c, BUY, OPEN, 0.0495, 1, ref="3")  # continuous: rests
    clock.now = datetime(2026, 12, 21, 14, 58)
    h.order(s, c, BUY, OPEN, 0.0510, 1, ref="4")  # closing auction: held
    h.market.set_book(
        c, ladder(0.0490, 0.0001, [10] * 5, True), ladder(0.0492, 0.0001, [1] * 5, False)
    )
    clock.now = datetime(2026, 12, 21, 15, 0)
    out = h.counter.on_market(clock.now)
    h.check()
    # the closing auction uncrosses every resting order at one price: 0.0493 executes 2 lots
    # with no imbalance (0.0492: 1 lot; 0.0494: imbalance 1); the better bid "4" comes first
    assert [(t["OrderRef"], t["Price"]) for t in trades(out)] == [("4", 0.0493), ("3", 0.0493)]
    assert h.market.taken[-2:] == [(c, "ask", 0.0492, 1), (c, "ask", 0.0493, 1)]


# --- quotes and requests for quote ---------------------------------------------------------


def test_quote_sides_trade_and_cancel(h: Harness) -> None:
    mm = h.login("MM")
    taker = h.login("T1")
    c = h.names["sse_call"]
    # the maker's ask 0.0501 is inside the synthetic spread; sell side needs margin
    req = {"InstrumentID": c, "QuoteRef": "1", "AskPrice": 0.0501, "BidPrice": 0.0490,
           "AskVolume": 3, "BidVolume": 2, "AskOffsetFlag": "0", "BidOffsetFlag": "0",
           "AskHedgeFlag": "1", "BidHedgeFlag": "1", "AskOrderRef": "11", "BidOrderRef": "12"}
    out = h.call("quote_insert", mm, req)
    quotes = [a[0] for a in callbacks(out, "onRtnQuote")]
    assert [q["QuoteStatus"] for q in quotes] == ["a", "3"]
    assert quotes[-1]["AskOrderSysID"] and quotes[-1]["BidOrderSysID"]
    derived = orders(out)
    assert {d["OrderType"] for d in derived} == {"1"}
    assert {d["OrderRef"] for d in derived} == {"11", "12"}
    out = h.order(taker, c, BUY, OPEN, 0.0501, 2)
    assert {t["InvestorID"] for t in trades(out)} == {"MM", "T1"}
    assert h.position(mm, c, "3")["Position"] == 2
    out = h.call("quote_action", mm, {"QuoteRef": "1", "ActionFlag": "0"})
    assert sorted(p["OrderStatus"] for p in orders(out) if p["OrderStatus"] == "5") == ["5", "5"]
    assert callbacks(out, "onRtnQuote")[-1][0]["QuoteStatus"] == "5"
    assert h.account(mm)["FrozenMargin"] == 0.0 and h.account(mm)["FrozenCash"] == 0.0
    out = h.call("quote_action", mm, {"QuoteRef": "1", "ActionFlag": "0"})
    assert rejection(out, "onRspQuoteAction") == E.QUOTE_NOT_FOUND
    out = h.call("quote_insert", mm, dict(req, QuoteRef="2", AskPrice=0.04))
    assert rejection(out, "onRspQuoteInsert") == E.PRICE_NOTSUPPORT
    out = h.call("quote_insert", mm, dict(req, QuoteRef="3", InstrumentID="510050"))
    assert rejection(out, "onRspQuoteInsert") == E.INSTR_NOTSUPPORT_QUOTE


def test_quotes_only_from_market_makers(h: Harness) -> None:
    client = h.login("1001")
    req = {"InstrumentID": h.names["sse_call"], "QuoteRef": "1", "AskPrice": 0.0520,
           "BidPrice": 0.0480, "AskVolume": 1, "BidVolume": 1}  # fmt: skip
    out = h.call("quote_insert", client, req)
    assert rejection(out, "onRspQuoteInsert") == E.NO_TRADING_RIGHT
    assert not callbacks(out, "onRtnQuote")
    assert h.counter.query(client, "Quote", {}) == []
    out = h.call("quote_insert", client, dict(req, QuoteRef="2", AskHedgeFlag="5"))
    assert rejection(out, "onRspQuoteInsert") == E.SPEC_COVERED_ONLY  # the makers' flag


def test_a_refused_quote_uses_none_of_its_side_refs(h: Harness) -> None:
    mm = h.login("MM")
    c = h.names["sse_call"]
    req = {"InstrumentID": c, "QuoteRef": "1", "AskPrice": 0.0520, "BidPrice": 0.0480,
           "AskVolume": 1, "BidVolume": 1, "AskOrderRef": "11", "BidOrderRef": "12"}  # fmt: skip
    # the ask side is valid (and validated first), the bid side's volume is not
    out = h.call("quote_insert", mm, dict(req, BidVolume=0))
    assert rejection(out, "onRspQuoteInsert") == E.VOLUME_NOTSUPPORT
    out = h.call("quote_insert", mm, req)  # the same refs again: nothing was used
    assert [a[0]["QuoteStatus"] for a in callbacks(out, "onRtnQuote")] == ["a", "3"]
    assert {d["OrderRef"] for d in orders(out)} == {"11", "12"}


def test_new_quote_replaces_old(h: Harness) -> None:
    mm = h.login("MM")
    c = h.names["sse_call"]
    req = {"InstrumentID": c, "AskPrice": 0.0520, "BidPrice": 0.0480, "AskVolume": 1,
           "BidVolume": 1}
    h.call("quote_insert", mm, dict(req, QuoteRef="1"))
    out = h.call("quote_insert", mm, dict(req, QuoteRef="2", AskPrice=0.0515))
    statuses = [a[0]["QuoteStatus"] for a in callbacks(out, "onRtnQuote")]
    assert statuses == ["5", "a", "3"]
    live = [q for q in h.counter.query(mm, "Quote", {}) if q["QuoteStatus"] == "3"]
    assert [q["QuoteRef"] for q in live] == ["2"]


def test_for_quote(h: Harness) -> None:
    s = h.login()
    out = h.call("for_quote_insert", s, {"InstrumentID": h.names["szse_put"], "ForQuoteRef": "1"})
    assert [(o.target, o.key, o.callback[0]) for o in out] == [
        ("forquote", h.names["szse_put"], "onRtnForQuoteRsp")
    ]
    rsp = out[0].callback[1][0]
    assert rsp["ExchangeID"] == "SZSE" and rsp["ForQuoteSysID"] and rsp["TradingDay"]
    out = h.call("for_quote_insert", s, {"InstrumentID": "159919"})
    assert rejection(out, "onRspForQuoteInsert") == E.INSTR_NOTSUPPORT_FORQUOTE


# --- private flow, queries, fresh dicts ----------------------------------------------------


def test_private_flow_numbering_and_fresh_dicts(h: Harness) -> None:
    a = h.login("F1")
    a2 = h.login("F1")  # second session of the same investor shares the flow
    c = h.names["sse_call"]
    out = h.order(a, c, BUY, OPEN, 0.0503, 6)
    out += h.order(a2, c, BUY, OPEN, 0.04, 1)
    out += h.order(a, c, BUY, OPEN, 0.04, 0)  # rejected: OnErrRtnOrderInsert is private too
    seqs = [o.seq for o in out if o.target == "investor"]
    assert seqs == list(range(1, len(seqs) + 1))
    flow = h.counter.private_flow("F1")
    assert [seq for seq, _ in flow] == seqs
    assert [cb[0] for _, cb in flow] == [o.callback[0] for o in out if o.target == "investor"]
    assert flow[-1][1][0] == "onErrRtnOrderInsert"
    # fresh dicts: mutating what was handed out changes nothing inside
    flow[0][1][1][0]["OrderStatus"] = "X"
    out[0].callback[1][0]["OrderStatus"] = "Y"
    assert h.counter.private_flow("F1")[0][1][1][0]["OrderStatus"] == "a"
    rows = h.counter.query(a, "Order", {})
    rows[0]["VolumeTraded"] = 99
    assert h.counter.query(a, "Order", {})[0]["VolumeTraded"] != 99
    assert h.counter.private_flow("other") == []


def test_query_shapes(h: Harness) -> None:
    s = h.login()
    c = h.names["sse_call"]
    h.order(s, c, BUY, OPEN, 0.0503, 2)
    inst = h.counter.query(s, "Instrument", {"InstrumentID": c})
    assert len(inst) == 1 and inst[0]["ProductClass"] == "7" and inst[0]["VolumeMultiple"] == 10000
    assert len(h.counter.query(s, "instrument", {})) == 6
    assert len(h.counter.query(s, "Instrument", {"ExchangeID": "SZSE"})) == 3
    trade = h.counter.query(s, "Trade", {})[0]
    assert trade["TradeSource"] == "1" and trade["InstrumentID"] == c
    position = h.position(s, c, "2")
    for key in ("YdPosition", "Position", "TodayPosition", "LongFrozen", "ShortFrozen",
                "StrikeFrozen", "UseMargin", "PositionCost", "OpenCost", "OptionValue"):
        assert key in position
    account = h.account(s)
    for key in ("PreBalance", "Balance", "Available", "FrozenCash", "FrozenMargin",
                "FrozenCommission", "CurrMargin", "CashIn", "Commission", "ExchangeMargin"):
        assert key in account
    assert h.counter.query(s, "Order", {"OrderSysID": "nope"}) == []
    assert h.counter.query(s, "DepthMarketData", {"InstrumentID": c})[0]["InstrumentID"] == c
    assert h.counter.query(s, "NoSuchTable", {}) == []


def test_invariants_detect_corruption(h: Harness) -> None:
    s = h.login()
    h.order(s, h.names["sse_call"], BUY, OPEN, 0.0490, 1)
    h.counter.accounts["1001"].frozen_cash += 1.0
    assert any("frozen_cash" in p for p in h.counter.check_invariants())


def test_config_is_frozen() -> None:
    config = CounterConfig()
    with pytest.raises(AttributeError):
        config.capital = 5.0  # type: ignore[misc]
    assert replace(config, capital=5.0).capital == 5.0


# --- with the real SimMarket ---------------------------------------------------------------


def run_real(seed: int) -> list[tuple[str, Any]]:
    from datetime import date, timedelta

    from vnpy_ctpsopt.sim.instruments import build_instruments
    from vnpy_ctpsopt.sim.market import SimMarket

    day = date(2026, 12, 21)
    clock = Clock(datetime(2026, 12, 21, 9, 30))
    market = SimMarket(build_instruments(day, {}), seed, day, clock.now)
    counter = SimCounter(CounterConfig(), market, market.instruments, None, clock)
    s = SessionRef(1, 1, "9999", "R1")
    _, error = counter.login(s, {"BrokerID": "9999", "UserID": "R1", "Password": "p"})
    assert error["ErrorID"] == 0
    options = [i for i in market.instruments if i.is_option and i.exchange_id == "SSE"]
    iid = options[10].instrument_id
    bids, asks = market.book(iid)
    base = {"InstrumentID": iid, "CombHedgeFlag": "1", "ContingentCondition": "1"}
    out = counter.order_insert(s, dict(base, OrderPriceType="1", TimeCondition="1",
                                       VolumeCondition="1", Direction="0", CombOffsetFlag="0",
                                       VolumeTotalOriginal=3), 1)
    out += counter.order_insert(s, dict(base, OrderPriceType="2", TimeCondition="3",
                                        VolumeCondition="1", Direction="1", CombOffsetFlag="0",
                                        VolumeTotalOriginal=2, LimitPrice=asks[0][0]), 2)
    for _ in range(40):
        clock.now += timedelta(milliseconds=500)
        market.advance(clock.now)
        out += counter.on_market(clock.now)
        assert counter.check_invariants() == []
    out += counter.roll_day()
    assert counter.check_invariants() == []
    assert counter.trading_day == "20261222"
    assert counter.instruments.keys() == {i.instrument_id for i in market.instruments}
    events = []
    for o in out:
        data = o.callback[1][0]
        name = o.callback[0]
        events.append((name, data.get("OrderStatus"), data.get("Price"), data.get("Volume")))
    account = counter.query(s, "TradingAccount", {})[0]
    events.append(("account", account["PreBalance"], account["CurrMargin"], None))
    return events


def test_real_market_round_trip_is_reproducible() -> None:
    first = run_real(11)
    assert sum(1 for e in first if e[0] == "onRtnTrade") >= 1
    assert first == run_real(11)


def test_closing_auction_orders_match_at_the_close() -> None:
    clock = Clock(datetime(2026, 12, 21, 14, 58))
    h = Harness(CounterConfig(hours="exchange"), clock=clock)
    s = h.login()
    c = h.names["sse_call"]
    pushes = orders(h.order(s, c, BUY, OPEN, 0.0503, 2))
    assert pushes[-1]["OrderStatus"] == "3" and not trades([])  # held in the auction
    assert h.counter.on_market(datetime(2026, 12, 21, 14, 59)) == []
    out = h.counter.on_market(datetime(2026, 12, 21, 15, 0, 1))
    h.check(out)
    # the closing auction: 2 lots at 0.0502 (imbalance 3) and at 0.0503 (imbalance 9)
    assert [(t["Price"], t["Volume"]) for t in trades(out)] == [(0.0502, 2)]
    assert h.market.auctions == [(c, 0.0502, True)]  # published as the close
    h.order(s, c, BUY, OPEN, 0.0503, 1)  # after the close: exchange reject
    assert h.counter.on_market(datetime(2026, 12, 21, 15, 0, 2)) == []  # matched once only


def test_opening_auction_uncrosses_clients_and_the_book_at_925() -> None:
    clock = Clock(datetime(2026, 12, 21, 9, 16))
    h = Harness(CounterConfig(hours="exchange"), clock=clock)
    buyer, seller = h.login("1001"), h.login("1002")
    c = h.names["sse_call"]  # bids 0.0500 (10) down, asks 0.0502 (5), 0.0503 (6), ...
    h.order(buyer, c, BUY, OPEN, 0.0503, 8, ref="1")
    clock.now = datetime(2026, 12, 21, 9, 18)
    h.order(seller, c, SELL, OPEN, 0.0501, 2, ref="2")
    assert h.counter.on_market(datetime(2026, 12, 21, 9, 24, 59)) == []
    clock.now = datetime(2026, 12, 21, 9, 25)
    out = h.counter.on_market(clock.now)
    h.check(out)
    # 0.0501: 2 lots; 0.0502: 7; 0.0503: 8 (max): the seller's 2, the book's 0.0502 (5) and
    # one lot of 0.0503, all at 0.0503; the client-client match has one TradeID on both sides
    rows = [(t["InvestorID"], t["Direction"], t["Price"], t["Volume"]) for t in trades(out)]
    assert rows == [
        ("1001", BUY, 0.0503, 2),
        ("1002", SELL, 0.0503, 2),
        ("1001", BUY, 0.0503, 5),
        ("1001", BUY, 0.0503, 1),
    ]
    ids = [t["TradeID"] for t in trades(out)]
    assert ids[0] == ids[1] and len(set(ids)) == 3
    assert h.market.taken == [(c, "ask", 0.0502, 5), (c, "ask", 0.0503, 1)]
    assert h.market.auctions == [(c, 0.0503, False)]
    clock.now = datetime(2026, 12, 21, 9, 26)
    h.order(buyer, c, BUY, OPEN, 0.0510, 1, ref="3")  # the pause: held, not in the auction
    assert h.counter.on_market(clock.now) == []  # the auction runs once
    clock.now = datetime(2026, 12, 21, 9, 30)
    out = h.counter.on_market(clock.now)
    h.check(out)
    # held through the pause: meets the book at 9:30 at the best remaining ask
    assert [(t["OrderRef"], t["Price"], t["Volume"]) for t in trades(out)] == [("3", 0.0503, 1)]


def test_order_rate_limit() -> None:
    clock = Clock(datetime(2026, 12, 21, 10, 0))
    h = Harness(CounterConfig(max_orders_per_second=3), clock=clock)
    s = h.login()
    c = h.names["sse_call"]
    for ref in ("1", "2"):
        assert orders(h.order(s, c, BUY, OPEN, 0.04, 1, ref=ref))
    assert callbacks(h.call("order_action", s, {"OrderRef": "1"}), "onRtnOrder")
    assert rejection(h.order(s, c, BUY, OPEN, 0.04, 1)) == E.ORDER_FREQ_LIMIT
    assert rejection(h.call("order_action", s, {"OrderRef": "2"}), "onRspOrderAction") == 116
    assert orders(h.order(h.login(), c, BUY, OPEN, 0.04, 1))  # another session has its own
    clock.now = datetime(2026, 12, 21, 10, 0, 1)
    assert orders(h.order(s, c, BUY, OPEN, 0.04, 1))


def test_exchange_hours_weekend_closed() -> None:
    clock = Clock(datetime(2026, 12, 19, 10, 0))  # Saturday
    h = Harness(CounterConfig(hours="exchange"), clock=clock)
    s = h.login()
    pushes = orders(h.order(s, h.names["sse_call"], BUY, OPEN, 0.0490, 1))
    assert pushes[-1]["OrderSubmitStatus"] == "4"


def test_position_limits() -> None:
    h = Harness(CounterConfig(position_limits=(5, 8, 6)))
    s = h.login()
    call, put = h.names["sse_call"], h.names["sse_put"]
    h.order(s, call, BUY, OPEN, 0.0503, 3)  # long 3 (filled)
    h.order(s, put, BUY, OPEN, 0.0300, 2)  # pending buy-open 2: long 5
    assert rejection(h.order(s, call, BUY, OPEN, 0.0490, 1)) == E.POSI_LIMIT  # long 6 > 5
    assert orders(h.order(s, call, SELL, OPEN, 0.0600, 3))  # total 8
    assert rejection(h.order(s, put, SELL, OPEN, 0.0600, 1)) == E.POSI_LIMIT  # total 9 > 8
    assert orders(h.order(s, call, SELL, CLOSE, 0.0600, 1))  # closes are not limited
    # other underlyings have their own count
    assert orders(h.order(s, h.names["szse_call"], BUY, OPEN, 0.0900, 5))
