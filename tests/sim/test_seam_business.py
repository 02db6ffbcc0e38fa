"""SOPT business through the seam: covered calls and lock/unlock, exercise and expiry at the
day roll, market-maker quotes and requests for quote.

Rules: reference/sopt-rules.md A.9 (exercise), A.10 (covered, lock), B.5 (exec orders), B.6
(lock), B.8 (quotes); error IDs and messages from reference/sopt_error.xml. Expiry day in these
tests: Wednesday 2026-12-23 (4th Wednesday of December), the nearest listed expiry.

=====  ==========================================================================================
TC     what
=====  ==========================================================================================
TC-01  SSE lock: ReqLockInsert -> OnRtnLock (submitted, then accepted with LockSysID); lock
       and lock-position queries; unlock
TC-02  lock errors: more than the free shares -> 99; on SZSE -> 100; unlocking more than the
       free locked shares -> 98
TC-02b lock/unlock only in trading hours (A.10) with hours=exchange: before 9:15, in the lunch
       break, after 15:00 and on a closed day -> 145 CTP:经纪公司非交易时段 (the reference names
       no error; 145 is the closest in sopt_error.xml), nothing locked; SZSE keeps 100; 24x7
       accepts at any time
TC-03  SSE covered open (hedge '4') consumes locked shares (FrozenVolume), no margin; its short
       row is separate from a speculative short of the same call; no lock left -> 98; locked
       shares in use cannot be unlocked (98); covered close frees them, unlock then succeeds
TC-03b a covered open partly filled then cancelled keeps only the filled lots' shares frozen
       (SSE lock FrozenVolume; SZSE ETF ShortFrozen)
TC-04  SZSE covered open freezes the ETF shares itself (position ShortFrozen); beyond the free
       shares -> 99; covered close releases them
TC-05  exercise on expiry day: ReqExecOrderInsert -> OnRtnExecOrder (submitted, accepted with
       ExecOrderSysID, ExecResult 'n'); StrikeFrozen; strike cash frozen (DeliveryMargin) and
       the fee; more than the free long -> 74; ReqExecOrderAction -> ExecResult 'c', all
       released; cancelling an unknown declaration -> 73; a repeated ExecOrderRef -> 67;
       abandon -> 87
TC-06  exercise of an option that does not expire today -> 115; of an ETF -> 69; unknown -> 16;
       a put exercise beyond the ETF shares held -> 99; a call exercise beyond the cash -> 31
TC-07  exchange hours: outside the exchange's exercise window -> 139 (before 9:15, SSE 9:25-9:30,
       the lunch break, after 15:30); inside it the request reaches the position check (74):
       both at 9:20 and 15:10 (after the close), SZSE at 9:27
TC-08  day roll on expiry day: live orders are cancelled; exercised calls and puts deliver
       shares and strike cash and pay the fee; ITM short calls are assigned (speculative from
       the free shares, covered from the locked ones), OTM shorts lapse; undeclared longs lapse;
       expired rows and instruments vanish; other rows move today -> yesterday with the
       maintenance margin (settlement price, underlying close); ExecResult '0' pushed; the next
       login reports the new trading day
TC-08c SZSE at the roll: a covered ITM short is assigned from its frozen shares (released), an
       exercised put delivers shares against strike cash
TC-08b the counter settles and rolls by itself at 17:00 China time: live orders cancelled, the
       trading day moves on (control object, getTradingDay, next login)
TC-09  quotes: ReqQuoteInsert -> OnRtnQuote and two derived orders (OrderType '1', the given
       side OrderRefs); each side trades as an order; ReqQuoteAction cancels what is live;
       again -> 86; a new quote replaces the live one; hedge flag '5' only for market
       makers (94)
TC-09b a quote from an investor who is no market maker (speculation flags) is rejected with
       28 CTP:没有报单交易权限 (B.8)
TC-10  requests for quote: OnRtnForQuoteRsp to the md session that subscribed and to the
       market maker's td session, not to others; an ETF -> 83; an unknown instrument -> 16
=====  ==========================================================================================
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sim_seam import (
    BUY,
    CLOSE,
    COVERED,
    LONG,
    SELL,
    SHORT,
    SPEC,
    Trader,
    next_reqid,
    open_md,
    sim_url,
    unique_name,
)

UNIT = 10000
FEE_EXERCISE = 1.0
EXPIRY = "20261223"
MESSAGES = {  # verbatim from reference/sopt_error.xml
    16: "CTP:找不到合约",
    28: "CTP:没有报单交易权限",
    31: "CTP:资金不足",
    61: "CTP:该交易所不支持套利/做市商类型报单",
    67: "CTP:执行宣告错误，不允许重复执行",
    69: "CTP:只有期权合约可执行",
    73: "CTP:执行宣告撤单找不到相应执行宣告",
    74: "CTP:执行仓位不足",
    83: "CTP:该合约不支持询价",
    86: "CTP:报价撤单找不到相应报价",
    87: "CTP:该期权合约不支持放弃执行",
    94: "CTP:个股期权只支持投机或者备兑",
    98: "CTP:锁定仓位不足",
    99: "CTP:证券仓位不足",
    100: "CTP:该交易所不支持锁定",
    115: "CTP:该合约未到行权日",
    139: "CTP:当前时间禁止行权",
    145: "CTP:经纪公司非交易时段",
}


def error(error_id: int) -> dict[str, Any]:
    return {"ErrorID": error_id, "ErrorMsg": MESSAGES[error_id]}


@pytest.fixture()
def trader() -> Iterator[Trader]:
    one = Trader(sim_url(unique_name("biz"), seed=41, capital=5_000_000))
    try:
        yield one
    finally:
        one.close()


def calls(
    trader: Trader, exchange: str, underlying: str, expire: str | None = None
) -> list[dict[str, Any]]:
    """Standard calls of ``underlying`` (nearest expiry by default), lowest strike first."""
    rows = [
        r
        for r in trader.options(exchange, expire)
        if r["OptionsType"] == "1" and r["UnderlyingInstrID"] == underlying
    ]
    return sorted(rows, key=lambda r: r["StrikePrice"])


# --- lock and covered ------------------------------------------------------------------------


def lock(
    trader: Trader, underlying: str, volume: int, lock_type: str = "1", exchange: str = "SSE"
) -> int:
    reqid = next_reqid()
    req = {"BrokerID": "2001", "InvestorID": trader.user, "UserID": trader.user,
           "InstrumentID": underlying, "ExchangeID": exchange, "LockRef": trader.next_ref(),
           "Volume": volume, "LockType": lock_type}  # fmt: skip
    assert trader.api.reqLockInsert(req, reqid) == 0
    return reqid


def lock_ok(trader: Trader, underlying: str, volume: int, lock_type: str = "1") -> dict[str, Any]:
    mark = trader.spi.mark()
    lock(trader, underlying, volume, lock_type)
    pushes = trader.spi.wait("onRtnLock", 2, since=mark)
    first, second = pushes[0][0], pushes[1][0]
    assert (first["OrderSubmitStatus"], first["LockStatus"], first["LockSysID"]) == ("0", "a", "")
    assert (second["OrderSubmitStatus"], second["LockStatus"]) == ("3", "b")
    assert second["LockSysID"] and second["Volume"] == volume and second["LockType"] == lock_type
    return dict(second)


def lock_error(trader: Trader, underlying: str, volume: int, lock_type: str = "1",
               exchange: str = "SSE") -> dict[str, Any]:  # fmt: skip
    reqid = lock(trader, underlying, volume, lock_type, exchange)
    data, rsp, _, last = trader.spi.wait("onRspLockInsert", where=lambda a: a[2] == reqid)[0]
    assert last is True
    err = trader.spi.wait("onErrRtnLockInsert", where=lambda a: a[0]["LockRef"] == data["LockRef"])
    assert err[0][1] == rsp
    return dict(rsp)


def lock_position(trader: Trader, underlying: str) -> tuple[int, int, int]:
    (row,) = trader.query("LockPosition", {"InstrumentID": underlying})
    return row["Volume"], row["FrozenVolume"], row["TodayVolume"]


def etf_row(trader: Trader, underlying: str) -> dict[str, Any]:
    row = trader.position(underlying, LONG)
    assert row is not None
    return row


def test_tc01_lock_and_unlock(trader: Trader) -> None:
    shares = etf_row(trader, "510300")["Position"]
    assert shares >= 30000
    done = lock_ok(trader, "510300", 30000)
    assert lock_position(trader, "510300") == (30000, 0, 30000)
    assert etf_row(trader, "510300")["ShortFrozen"] == 30000
    (row,) = trader.query("Lock", {"InstrumentID": "510300"})
    assert (row["LockSysID"], row["Volume"], row["LockType"]) == (done["LockSysID"], 30000, "1")
    lock_ok(trader, "510300", 10000, "2")
    assert lock_position(trader, "510300")[:2] == (20000, 0)
    assert etf_row(trader, "510300")["ShortFrozen"] == 20000
    assert etf_row(trader, "510300")["Position"] == shares


def test_tc02_lock_errors(trader: Trader) -> None:
    shares = etf_row(trader, "510050")["Position"]
    assert lock_error(trader, "510050", shares + 10000) == error(99)
    assert lock_error(trader, "159919", 10000, exchange="SZSE") == error(100)
    lock_ok(trader, "510050", 10000)
    assert lock_error(trader, "510050", 20000, "2") == error(98)


@pytest.mark.parametrize(
    ("start", "open_"),
    [("20261130T091000", False), ("20261130T091600", True), ("20261130T113500", False),
     ("20261130T133000", True), ("20261130T151000", False), ("20261205T100000", False)],
)  # fmt: skip
def test_tc02b_lock_only_in_trading_hours(start: str, open_: bool) -> None:
    trader = Trader(sim_url(unique_name("lockh"), seed=41, hours="exchange", start=start))
    try:
        if open_:
            lock_ok(trader, "510050", 10000)
            lock_ok(trader, "510050", 10000, "2")
        else:
            assert lock_error(trader, "510050", 10000) == error(145)
            assert lock_error(trader, "510050", 10000, "2") == error(145)
            assert lock_error(trader, "159919", 10000, exchange="SZSE") == error(100)
            rows = trader.query("LockPosition", {"InstrumentID": "510050"})
            assert all(row["Volume"] == 0 for row in rows)  # nothing locked
    finally:
        trader.close()


def test_tc02b_lock_closes_with_the_market() -> None:
    start = "20261130T145930"  # closing auction: still trading hours
    trader = Trader(sim_url(unique_name("lockc"), seed=41, hours="exchange", start=start))
    try:
        lock_ok(trader, "510050", 20000)
        trader.exchange.advance(40)  # 15:00:10
        assert lock_error(trader, "510050", 10000, "2") == error(145)
        assert lock_error(trader, "510050", 10000) == error(145)
        assert lock_position(trader, "510050")[0] == 20000
    finally:
        trader.close()
    anytime = Trader(sim_url(unique_name("lock24"), seed=41, start="20261130T200000"))
    try:
        lock_ok(anytime, "510050", 10000)  # hours=24x7: always continuous
    finally:
        anytime.close()


def test_tc03_sse_covered_call(trader: Trader) -> None:
    chain = calls(trader, "SSE", "510050")
    depth = trader.depth(chain[len(chain) // 2]["InstrumentID"])
    iid, bid = depth["InstrumentID"], depth["BidPrice1"]
    no_lock = trader.order_req(iid, bid, SELL, hedge=COVERED)
    assert trader.reject(no_lock) == error(98)  # SSE: covered open needs locked shares
    lock_ok(trader, "510050", 20000)
    upper = depth["UpperLimitPrice"]
    pending = trader.place(trader.order_req(iid, upper, SELL, volume=2, hedge=COVERED))
    assert pending["OrderStatus"] == "3"  # a pending covered open holds its locked shares
    assert lock_position(trader, "510050")[:2] == (20000, 20000)
    assert trader.account()["FrozenMargin"] == 0.0
    trader.cancel(ExchangeID="SSE", OrderSysID=pending["OrderSysID"])
    trader.wait_order(pending["OrderRef"], ("5",))
    assert lock_position(trader, "510050")[:2] == (20000, 0)

    before = trader.account()
    covered = trader.place(trader.order_req(iid, bid, SELL, volume=2, hedge=COVERED))
    assert covered["OrderStatus"] == "0" and covered["CombHedgeFlag"] == COVERED
    trades = trader.trades(covered["OrderSysID"], "SSE")
    assert {t["HedgeFlag"] for t in trades} == {COVERED}
    premium = UNIT * sum(t["Price"] * t["Volume"] for t in trades)
    after = trader.account()
    assert after["CashIn"] == pytest.approx(before["CashIn"] + premium)
    assert (after["CurrMargin"], after["FrozenMargin"]) == (before["CurrMargin"], 0.0)
    assert lock_position(trader, "510050")[:2] == (20000, 20000)

    spec = trader.place(trader.order_req(iid, bid, SELL, volume=1))  # speculative, margined
    assert spec["OrderStatus"] == "0"
    covered_row = trader.position(iid, SHORT, COVERED)
    spec_row = trader.position(iid, SHORT, SPEC)
    assert covered_row is not None and spec_row is not None
    assert (covered_row["Position"], covered_row["UseMargin"]) == (2, 0.0)
    assert spec_row["Position"] == 1 and spec_row["UseMargin"] > 0
    assert trader.account()["CurrMargin"] == pytest.approx(spec_row["UseMargin"])

    assert trader.reject(trader.order_req(iid, bid, SELL, hedge=COVERED)) == error(98)
    assert lock_error(trader, "510050", 10000, "2") == error(98)  # the lock backs the shorts
    closed = trader.place(trader.order_req(iid, depth["AskPrice1"], BUY, CLOSE, hedge=COVERED))
    assert closed["OrderStatus"] == "0"
    covered_row = trader.position(iid, SHORT, COVERED)
    assert covered_row is not None and covered_row["Position"] == 1
    assert lock_position(trader, "510050")[:2] == (20000, 10000)
    lock_ok(trader, "510050", 10000, "2")
    assert lock_position(trader, "510050")[:2] == (10000, 10000)
    spec_row = trader.position(iid, SHORT, SPEC)
    assert spec_row is not None and spec_row["Position"] == 1  # untouched by the covered close


@pytest.mark.parametrize(("exchange", "underlying"), [("SSE", "510300"), ("SZSE", "159922")])
def test_tc03b_covered_partial_fill_then_cancel(
    exchange: str, underlying: str, trader: Trader
) -> None:
    chain = calls(trader, exchange, underlying)
    depths = [trader.depth(r["InstrumentID"]) for r in chain]
    depth = next(d for d in depths if d["AskPrice1"] - d["BidPrice1"] > 0.00015)
    iid, inside = depth["InstrumentID"], round(depth["BidPrice1"] + 0.0001, 4)
    if exchange == "SSE":
        lock_ok(trader, underlying, 3 * UNIT)
    buyer = Trader(trader.address, user="00002")
    try:
        resting = buyer.place(buyer.order_req(iid, inside))  # 1 lot inside the spread
        assert resting["OrderStatus"] == "3"
        ref = trader.send(trader.order_req(iid, inside, SELL, volume=3, hedge=COVERED))
        part = trader.wait_order(ref, ("1",))
        assert (part["VolumeTraded"], part["VolumeTotal"]) == (1, 2)
        trader.cancel(OrderRef=ref, FrontID=trader.front_id, SessionID=trader.session_id)
        trader.wait_order(ref, ("5",))
    finally:
        buyer.close()
    row = trader.position(iid, SHORT, COVERED)
    assert row is not None and row["Position"] == 1
    if exchange == "SSE":
        assert lock_position(trader, underlying)[:2] == (3 * UNIT, UNIT)
    else:
        assert etf_row(trader, underlying)["ShortFrozen"] == UNIT


def test_tc04_szse_covered_call_freezes_shares(trader: Trader) -> None:
    chain = calls(trader, "SZSE", "159919")
    depth = trader.depth(chain[len(chain) // 2]["InstrumentID"])
    iid, bid = depth["InstrumentID"], depth["BidPrice1"]
    shares = etf_row(trader, "159919")["Position"]
    contracts = shares // UNIT
    assert contracts >= 3
    covered = trader.place(trader.order_req(iid, bid, SELL, volume=2, hedge=COVERED))
    assert covered["OrderStatus"] == "0"
    assert etf_row(trader, "159919")["ShortFrozen"] == 2 * UNIT
    row = trader.position(iid, SHORT, COVERED)
    assert row is not None and (row["Position"], row["UseMargin"]) == (2, 0.0)
    assert trader.account()["CurrMargin"] == 0.0
    too_many = trader.order_req(iid, bid, SELL, volume=contracts - 1, hedge=COVERED)
    assert trader.reject(too_many) == error(99)
    pending = trader.place(trader.order_req(iid, depth["UpperLimitPrice"], SELL, hedge=COVERED))
    assert pending["OrderStatus"] == "3"  # a pending covered open freezes its shares too
    assert etf_row(trader, "159919")["ShortFrozen"] == 3 * UNIT
    trader.cancel(ExchangeID="SZSE", OrderSysID=pending["OrderSysID"])
    trader.wait_order(pending["OrderRef"], ("5",))
    assert etf_row(trader, "159919")["ShortFrozen"] == 2 * UNIT
    closed = trader.place(trader.order_req(iid, depth["AskPrice1"], BUY, CLOSE, volume=2,
                                           hedge=COVERED))  # fmt: skip
    assert closed["OrderStatus"] == "0"
    assert etf_row(trader, "159919")["ShortFrozen"] == 0


# --- exercise and expiry ---------------------------------------------------------------------


def exec_req(trader: Trader, iid: str, volume: int, exchange: str = "SSE") -> dict[str, Any]:
    return {"BrokerID": "2001", "InvestorID": trader.user, "UserID": trader.user,
            "InstrumentID": iid, "ExchangeID": exchange, "ExecOrderRef": trader.next_ref(),
            "Volume": volume, "ActionType": "1", "PosiDirection": LONG, "OffsetFlag": CLOSE,
            "HedgeFlag": SPEC, "CloseFlag": "0"}  # fmt: skip


def exercise(trader: Trader, iid: str, volume: int, exchange: str = "SSE") -> dict[str, Any]:
    req = exec_req(trader, iid, volume, exchange)
    mark = trader.spi.mark()
    assert trader.api.reqExecOrderInsert(req, next_reqid()) == 0
    ref = req["ExecOrderRef"]
    pushes = trader.spi.wait(
        "onRtnExecOrder", 2, since=mark, where=lambda a: a[0]["ExecOrderRef"] == ref
    )
    first, second = pushes[0][0], pushes[1][0]
    assert (first["OrderSubmitStatus"], first["ExecResult"], first["ExecOrderSysID"]) == (
        "0",
        "n",
        "",
    )
    assert (second["OrderSubmitStatus"], second["ExecResult"]) == ("3", "n")
    assert second["ExecOrderSysID"] and second["Volume"] == volume
    assert (second["FrontID"], second["SessionID"]) == (trader.front_id, trader.session_id)
    return dict(second)


def exercise_error(trader: Trader, iid: str, volume: int, exchange: str = "SSE") -> dict[str, Any]:
    req = exec_req(trader, iid, volume, exchange)
    reqid = next_reqid()
    assert trader.api.reqExecOrderInsert(req, reqid) == 0
    data, rsp, _, last = trader.spi.wait("onRspExecOrderInsert", where=lambda a: a[2] == reqid)[0]
    assert last is True and data["ExecOrderRef"] == req["ExecOrderRef"]
    ref = req["ExecOrderRef"]
    err = trader.spi.wait("onErrRtnExecOrderInsert", where=lambda a: a[0]["ExecOrderRef"] == ref)
    assert err[0][1] == rsp
    return dict(rsp)


@pytest.fixture()
def expiry_day() -> Iterator[Trader]:
    one = Trader(sim_url(unique_name("exp"), seed=43, capital=5_000_000, start=f"{EXPIRY}T100000"))
    try:
        assert one.login[0]["TradingDay"] == EXPIRY
        yield one
    finally:
        one.close()


def test_tc05_exercise_declaration_and_cancel(expiry_day: Trader) -> None:
    trader = expiry_day
    chain = calls(trader, "SSE", "510050", EXPIRY)
    assert chain and chain[0]["ExpireDate"] == EXPIRY
    inst = chain[0]  # the lowest strike: deep in the money
    depth = trader.depth(inst["InstrumentID"])
    iid, strike = inst["InstrumentID"], inst["StrikePrice"]
    assert trader.place(trader.order_req(iid, depth["AskPrice1"], volume=3))["OrderStatus"] == "0"
    before = trader.account()
    declared = exercise(trader, iid, 2)
    row = trader.position(iid, LONG)
    assert row is not None and (row["Position"], row["StrikeFrozen"]) == (3, 2)
    account = trader.account()
    assert account["DeliveryMargin"] == pytest.approx(before["DeliveryMargin"] + 2 * strike * UNIT)
    assert account["FrozenCommission"] == pytest.approx(
        before["FrozenCommission"] + 2 * FEE_EXERCISE
    )
    assert account["Available"] == pytest.approx(
        before["Available"] - 2 * strike * UNIT - 2 * FEE_EXERCISE
    )
    assert exercise_error(trader, iid, 2) == error(74)  # 3 held, 2 declared
    again = exec_req(trader, iid, 1)
    again["ExecOrderRef"] = declared["ExecOrderRef"]
    reqid = next_reqid()
    assert trader.api.reqExecOrderInsert(again, reqid) == 0
    rsp = trader.spi.wait("onRspExecOrderInsert", where=lambda a: a[2] == reqid)[0]
    assert rsp[1] == error(67)  # ExecOrderRef must increase per session
    abandon = exec_req(trader, iid, 1)
    abandon["ActionType"] = "2"
    reqid = next_reqid()
    assert trader.api.reqExecOrderInsert(abandon, reqid) == 0
    rsp = trader.spi.wait("onRspExecOrderInsert", where=lambda a: a[2] == reqid)[0]
    assert rsp[1] == error(87)  # no abandon at SSE/SZSE
    (queried,) = trader.query("ExecOrder", {"InstrumentID": iid})
    assert queried["ExecOrderSysID"] == declared["ExecOrderSysID"]
    sell_too_many = trader.order_req(iid, depth["BidPrice1"], SELL, CLOSE, volume=2)
    assert trader.reject(sell_too_many)["ErrorID"] == 30  # declared lots cannot be sold

    mark = trader.spi.mark()
    action = {"BrokerID": "2001", "InvestorID": trader.user, "UserID": trader.user,
              "ExchangeID": "SSE", "ExecOrderSysID": declared["ExecOrderSysID"],
              "ActionFlag": "0"}  # fmt: skip
    assert trader.api.reqExecOrderAction(action, next_reqid()) == 0
    cancelled = trader.spi.wait("onRtnExecOrder", since=mark)[0][0]
    assert (cancelled["ExecResult"], cancelled["ExecOrderSysID"]) == (
        "c",
        declared["ExecOrderSysID"],
    )
    row = trader.position(iid, LONG)
    assert row is not None and row["StrikeFrozen"] == 0
    after = trader.account()
    assert after["DeliveryMargin"] == pytest.approx(before["DeliveryMargin"])
    assert after["Available"] == pytest.approx(before["Available"])
    assert trader.spi.named("onRspExecOrderAction") == []
    reqid = next_reqid()
    assert trader.api.reqExecOrderAction(dict(action, ExecOrderSysID="99999"), reqid) == 0
    rsp = trader.spi.wait("onRspExecOrderAction", where=lambda a: a[2] == reqid)[0]
    assert rsp[1] == error(73)


def test_tc06_exercise_wrong_instrument(expiry_day: Trader) -> None:
    trader = expiry_day
    later = calls(trader, "SSE", "510050", "20270127")[0]
    depth = trader.depth(later["InstrumentID"])
    trader.place(trader.order_req(later["InstrumentID"], depth["AskPrice1"]))
    assert exercise_error(trader, later["InstrumentID"], 1) == error(115)
    assert exercise_error(trader, "510050", 1) == error(69)
    assert exercise_error(trader, "10999999", 1) == error(16)
    puts = [r for r in trader.options("SZSE", EXPIRY)
            if r["OptionsType"] == "2" and r["UnderlyingInstrID"] == "159919"]  # fmt: skip
    lowest = min(puts, key=lambda r: r["StrikePrice"])
    cheap = trader.depth(lowest["InstrumentID"])  # lowest strike: the cheapest put
    contracts = etf_row(trader, "159919")["Position"] // UNIT + 1
    bought = trader.place(trader.order_req(cheap["InstrumentID"], cheap["UpperLimitPrice"],
                                           volume=contracts))  # fmt: skip
    assert bought["OrderStatus"] == "0"
    assert exercise_error(trader, cheap["InstrumentID"], contracts, "SZSE") == error(99)
    exercise(trader, cheap["InstrumentID"], contracts - 1, "SZSE")  # the shares suffice


def test_tc06_call_exercise_needs_the_strike_cash() -> None:
    trader = Trader(sim_url(unique_name("cash"), seed=46, capital=100_000,
                            start=f"{EXPIRY}T100000"))  # fmt: skip
    try:
        inst = calls(trader, "SSE", "510050", EXPIRY)[0]
        depth = trader.depth(inst["InstrumentID"])
        trader.place(trader.order_req(inst["InstrumentID"], depth["AskPrice1"], volume=4))
        available = trader.account()["Available"]
        assert 4 * inst["StrikePrice"] * UNIT > available
        assert exercise_error(trader, inst["InstrumentID"], 4) == error(31)
        assert trader.position(inst["InstrumentID"], LONG)["StrikeFrozen"] == 0  # type: ignore[index]
    finally:
        trader.close()


@pytest.mark.parametrize(
    ("clock", "sse", "szse"),
    [("091000", 139, 139), ("092000", 74, 74), ("092700", 139, 74), ("113500", 139, 139),
     ("151000", 74, 74), ("154000", 139, 139)],
)  # fmt: skip
def test_tc07_exercise_window_with_exchange_hours(clock: str, sse: int, szse: int) -> None:
    address = sim_url(unique_name("win"), seed=44, hours="exchange", start=f"{EXPIRY}T{clock}")
    trader = Trader(address)
    try:
        sse_call = calls(trader, "SSE", "510050", EXPIRY)[0]["InstrumentID"]
        szse_call = calls(trader, "SZSE", "159919", EXPIRY)[0]["InstrumentID"]
        assert exercise_error(trader, sse_call, 1) == error(sse)
        assert exercise_error(trader, szse_call, 1, "SZSE") == error(szse)
    finally:
        trader.close()


def test_tc08_expiry_at_day_roll(expiry_day: Trader) -> None:
    trader = expiry_day
    chain = calls(trader, "SSE", "510050", EXPIRY)
    itm, deeper, covered, otm = chain[0], chain[1], chain[2], chain[-1]
    otm_short = chain[-2]  # no bids on expiry day: sold to another investor at the tick
    put = max((r for r in trader.options("SSE", EXPIRY)
               if r["OptionsType"] == "2" and r["UnderlyingInstrID"] == "510050"),
              key=lambda r: r["StrikePrice"])  # fmt: skip
    later_chain = calls(trader, "SSE", "510050", "20270127")
    later, later_short = later_chain[len(later_chain) // 2], later_chain[len(later_chain) // 2 + 1]
    lock_ok(trader, "510050", UNIT)
    orders = (
        (itm, BUY, 3, SPEC), (otm, BUY, 1, SPEC), (put, BUY, 1, SPEC), (deeper, SELL, 1, SPEC),
        (covered, SELL, 1, COVERED), (later, BUY, 1, SPEC), (later_short, SELL, 1, SPEC),
    )  # fmt: skip
    for inst, side, volume, hedge in orders:
        depth = trader.depth(inst["InstrumentID"])
        price = depth["AskPrice1"] if side == BUY else depth["BidPrice1"]
        req = trader.order_req(inst["InstrumentID"], price, side, volume=volume, hedge=hedge)
        assert trader.place(req)["OrderStatus"] == "0", inst["InstrumentID"]
    tick_sale = trader.place(trader.order_req(otm_short["InstrumentID"], 0.0001, SELL))
    buyer = Trader(trader.address, user="00002")
    try:
        buyer.place(buyer.order_req(otm_short["InstrumentID"], 0.0001, BUY))
    finally:
        buyer.close()
    assert trader.wait_order(tick_sale["OrderRef"], ("0",))["VolumeTraded"] == 1
    declared = exercise(trader, itm["InstrumentID"], 2)
    exercise(trader, put["InstrumentID"], 1)
    resting_depth = trader.depth(later["InstrumentID"])
    resting = trader.place(
        trader.order_req(later["InstrumentID"], resting_depth["LowerLimitPrice"])
    )
    assert resting["OrderStatus"] == "3"
    shares = etf_row(trader, "510050")["Position"]
    before = trader.account()
    assert before["CurrMargin"] > 0  # the speculative shorts

    mark = trader.spi.mark()
    new_day = trader.exchange.roll_day()
    assert new_day == "20261224"
    result = trader.spi.wait(
        "onRtnExecOrder", since=mark,
        where=lambda a: a[0]["ExecOrderSysID"] == declared["ExecOrderSysID"],
    )[0][0]  # fmt: skip
    assert result["ExecResult"] == "0"
    cancelled = trader.wait_order(resting["OrderRef"], ("5",), since=mark)  # no overnight orders
    assert cancelled["VolumeTotal"] == 1

    again = Trader(trader.address)  # a new login sees the new trading day
    try:
        assert again.login[0]["TradingDay"] == new_day == again.api.getTradingDay()
        close = again.depth("510050")["PreClosePrice"]  # the underlying close used to settle
        assert close > covered["StrikePrice"] and close < put["StrikePrice"]  # both ITM
        assert close < otm_short["StrikePrice"]  # this short lapses: no delivery
        delivery = UNIT * (
            -2 * itm["StrikePrice"]  # exercised calls pay the strike
            + put["StrikePrice"]  # the exercised put receives it
            + deeper["StrikePrice"]  # assigned short calls receive it
            + covered["StrikePrice"]
        )
        expected = before["PreBalance"] + before["CashIn"] - before["Commission"]
        expected += delivery - 3 * FEE_EXERCISE
        account = again.account()
        assert account["PreBalance"] == pytest.approx(expected)
        assert account["Balance"] == pytest.approx(expected)
        assert (account["DeliveryMargin"], account["FrozenCommission"]) == (0.0, 0.0)
        # shares: +2 lots of calls exercised, -1 put exercised, -1 speculative and -1 covered
        # assignment (the covered one from the locked shares)
        assert etf_row(again, "510050")["Position"] == shares + 2 * UNIT - 3 * UNIT
        assert lock_position(again, "510050")[:2] == (0, 0)
        expired = {r["InstrumentID"] for r in (itm, otm, put, deeper, covered, otm_short)}
        rows = again.positions()
        assert not [r for r in rows if r["InstrumentID"] in expired]  # lapsed, assigned, done
        assert {r["InstrumentID"] for r in again.instruments()} & expired == set()
        row = again.position(later["InstrumentID"], LONG)
        assert row is not None
        assert (row["Position"], row["YdPosition"], row["TodayPosition"]) == (1, 1, 0)
        # the remaining short carries the maintenance margin: settlement price and close
        short = again.position(later_short["InstrumentID"], SHORT)
        assert short is not None and (short["YdPosition"], short["TodayPosition"]) == (1, 0)
        settle = again.depth(later_short["InstrumentID"])["PreSettlementPrice"]
        assert short["PreSettlementPrice"] == pytest.approx(settle)
        maintenance = UNIT * (settle + max(0.12 * close - max(later_short["StrikePrice"] - close, 0),
                                           0.07 * close))  # fmt: skip
        assert short["ExchangeMargin"] == pytest.approx(maintenance)
        assert short["UseMargin"] == pytest.approx(maintenance * 1.1)
        assert account["CurrMargin"] == pytest.approx(maintenance * 1.1)
        assert account["PreMargin"] == pytest.approx(maintenance * 1.1)
        assert again.query("Order") == [] and again.query("Trade") == []
        assert again.query("ExecOrder") == []
    finally:
        again.close()


def test_tc08c_szse_covered_assignment_and_put_exercise(expiry_day: Trader) -> None:
    trader = expiry_day
    chain = calls(trader, "SZSE", "159919", EXPIRY)
    covered = min(chain, key=lambda r: r["StrikePrice"])  # deep in the money
    puts = [r for r in trader.options("SZSE", EXPIRY)
            if r["OptionsType"] == "2" and r["UnderlyingInstrID"] == "159919"]  # fmt: skip
    put = max(puts, key=lambda r: r["StrikePrice"])
    depth = trader.depth(covered["InstrumentID"])
    sold = trader.place(trader.order_req(covered["InstrumentID"], depth["BidPrice1"], SELL,
                                         volume=2, hedge=COVERED))  # fmt: skip
    assert sold["OrderStatus"] == "0"
    depth = trader.depth(put["InstrumentID"])
    bought = trader.place(trader.order_req(put["InstrumentID"], depth["AskPrice1"]))
    assert bought["OrderStatus"] == "0"
    exercise(trader, put["InstrumentID"], 1, "SZSE")
    etf = etf_row(trader, "159919")
    assert etf["ShortFrozen"] == 3 * UNIT  # 2 lots covered + 1 lot for the put exercise
    before = trader.account()
    trader.exchange.roll_day()
    again = Trader(trader.address)
    try:
        close = again.depth("159919")["PreClosePrice"]
        assert close > covered["StrikePrice"] and close < put["StrikePrice"]
        after = etf_row(again, "159919")
        assert after["Position"] == etf["Position"] - 3 * UNIT
        assert after["ShortFrozen"] == 0
        delivery = UNIT * (2 * covered["StrikePrice"] + put["StrikePrice"])
        expected = before["Balance"] - FEE_EXERCISE + delivery
        assert again.account()["PreBalance"] == pytest.approx(expected)
    finally:
        again.close()


def test_tc08b_automatic_roll_at_five_pm() -> None:
    trader = Trader(sim_url(unique_name("five"), seed=47, start="20261130T165950"))
    try:
        assert trader.login[0]["TradingDay"] == "20261130"
        depth = trader.depth(calls(trader, "SSE", "510300")[3]["InstrumentID"])
        resting = trader.place(trader.order_req(depth["InstrumentID"], depth["LowerLimitPrice"]))
        assert resting["OrderStatus"] == "3"
        trader.exchange.advance(15)  # 17:00:05
        assert trader.exchange.trading_day == "20261201"
        cancelled = trader.wait_order(resting["OrderRef"], ("5",))
        assert cancelled["TradingDay"] == "20261130"
        again = Trader(trader.address)
        try:
            assert again.login[0]["TradingDay"] == "20261201" == again.api.getTradingDay()
            assert again.query("Order") == []
            assert again.account()["TradingDay"] == "20261201"
        finally:
            again.close()
    finally:
        trader.close()


# --- quotes and requests for quote -----------------------------------------------------------


@pytest.fixture()
def maker_market() -> Iterator[tuple[Trader, Trader, str]]:
    address = sim_url(unique_name("mm"), seed=45, makers="MM01")
    maker, client = Trader(address, user="MM01"), Trader(address)
    try:
        yield maker, client, address
    finally:
        maker.close()
        client.close()


def quote_req(trader: Trader, depth: dict[str, Any], bid: float, ask: float, volume: int,
              hedge: str = "5") -> dict[str, Any]:  # fmt: skip
    return {"BrokerID": "2001", "InvestorID": trader.user, "UserID": trader.user,
            "InstrumentID": depth["InstrumentID"], "ExchangeID": depth["ExchangeID"],
            "QuoteRef": trader.next_ref(), "AskPrice": ask, "BidPrice": bid,
            "AskVolume": volume, "BidVolume": volume, "AskOffsetFlag": "0",
            "BidOffsetFlag": "0", "AskHedgeFlag": hedge, "BidHedgeFlag": hedge,
            "AskOrderRef": trader.next_ref(), "BidOrderRef": trader.next_ref()}  # fmt: skip


def test_tc09_quotes(maker_market: tuple[Trader, Trader, str]) -> None:
    maker, client, _ = maker_market
    chain = calls(maker, "SZSE", "159919")
    depth = maker.depth(chain[len(chain) // 2]["InstrumentID"])
    iid, bid, ask = depth["InstrumentID"], depth["BidPrice1"], depth["AskPrice1"]
    my_bid, my_ask = bid, ask  # join the best prices: first in line among clients
    req = quote_req(maker, depth, my_bid, my_ask, 3)
    assert maker.api.reqQuoteInsert(req, next_reqid()) == 0
    quotes = maker.spi.wait("onRtnQuote", 2)
    accepted = quotes[1][0]
    assert quotes[0][0]["QuoteStatus"] == "a" and not quotes[0][0]["QuoteSysID"]
    assert accepted["QuoteSysID"] and accepted["QuoteStatus"] == "3"
    maker.sync()
    ask_side = maker.updates(req["AskOrderRef"])[-1]
    bid_side = maker.updates(req["BidOrderRef"])[-1]
    assert (ask_side["OrderType"], ask_side["Direction"], ask_side["LimitPrice"]) == (
        "1",
        SELL,
        my_ask,
    )
    assert (bid_side["OrderType"], bid_side["Direction"], bid_side["LimitPrice"]) == (
        "1",
        BUY,
        my_bid,
    )
    assert ask_side["CombHedgeFlag"] == bid_side["CombHedgeFlag"] == "5"
    assert (accepted["AskOrderSysID"], accepted["BidOrderSysID"]) == (
        ask_side["OrderSysID"], bid_side["OrderSysID"])  # fmt: skip

    hit = client.place(client.order_req(iid, my_bid, SELL, volume=3))  # hits the quote's bid
    assert hit["OrderStatus"] == "0"
    assert client.trades(hit["OrderSysID"], "SZSE")[0]["Price"] == my_bid
    maker.sync()
    assert maker.updates(req["BidOrderRef"])[-1]["OrderStatus"] == "0"
    assert sum(t["Volume"] for t in maker.trades(bid_side["OrderSysID"], "SZSE")) == 3
    assert maker.updates(req["AskOrderRef"])[-1]["OrderStatus"] == "3"  # the other side lives

    action = {"BrokerID": "2001", "InvestorID": "MM01", "UserID": "MM01", "ActionFlag": "0",
              "ExchangeID": "SZSE", "QuoteSysID": accepted["QuoteSysID"]}  # fmt: skip
    mark = maker.spi.mark()
    assert maker.api.reqQuoteAction(action, next_reqid()) == 0
    final = maker.spi.wait("onRtnQuote", since=mark)[0][0]
    assert final["QuoteStatus"] == "5"
    assert maker.updates(req["AskOrderRef"])[-1]["OrderStatus"] == "5"
    reqid = next_reqid()
    assert maker.api.reqQuoteAction(action, reqid) == 0
    assert maker.spi.wait("onRspQuoteAction", where=lambda a: a[2] == reqid)[0][1] == error(86)

    replaced = quote_req(maker, depth, my_bid, my_ask, 1)
    mark = maker.spi.mark()
    assert maker.api.reqQuoteInsert(replaced, next_reqid()) == 0
    old = maker.spi.wait("onRtnQuote", 2, since=mark)[1][0]
    second = quote_req(maker, depth, my_bid, my_ask, 2)  # replaces the live quote (B.8)
    mark = maker.spi.mark()
    assert maker.api.reqQuoteInsert(second, next_reqid()) == 0
    gone = maker.spi.wait(
        "onRtnQuote", since=mark, where=lambda a: a[0]["QuoteRef"] == old["QuoteRef"]
    )
    assert gone[0][0]["QuoteStatus"] == "5"
    assert maker.wait_order(replaced["AskOrderRef"], ("5",))["VolumeTraded"] == 0
    assert maker.wait_order(replaced["BidOrderRef"], ("5",))["VolumeTraded"] == 0
    quote = maker.spi.wait(
        "onRtnQuote", since=mark,
        where=lambda a: a[0]["QuoteRef"] == second["QuoteRef"] and a[0]["QuoteStatus"] == "3",
    )[0][0]  # fmt: skip
    action = {"BrokerID": "2001", "InvestorID": "MM01", "UserID": "MM01", "ActionFlag": "0",
              "QuoteRef": second["QuoteRef"], "FrontID": maker.front_id,
              "SessionID": maker.session_id}  # fmt: skip
    assert maker.api.reqQuoteAction(action, next_reqid()) == 0
    maker.wait_order(second["AskOrderRef"], ("5",))
    maker.wait_order(second["BidOrderRef"], ("5",))
    assert maker.spi.wait("onRtnQuote", where=lambda a: a[0]["QuoteSysID"] == quote["QuoteSysID"]
                          and a[0]["QuoteStatus"] == "5")  # fmt: skip

    not_maker = quote_req(client, depth, my_bid, my_ask, 1)
    reqid = next_reqid()
    assert client.api.reqQuoteInsert(not_maker, reqid) == 0
    assert client.spi.wait("onRspQuoteInsert", where=lambda a: a[2] == reqid)[0][1] == error(94)


def test_tc09b_quotes_only_for_market_makers(maker_market: tuple[Trader, Trader, str]) -> None:
    _, client, _ = maker_market
    chain = calls(client, "SZSE", "159919")
    depth = client.depth(chain[len(chain) // 2]["InstrumentID"])
    req = quote_req(client, depth, depth["LowerLimitPrice"], depth["UpperLimitPrice"], 1, SPEC)
    reqid = next_reqid()
    assert client.api.reqQuoteInsert(req, reqid) == 0
    client.sync()
    answers = [a for a in client.spi.named("onRspQuoteInsert") if a[2] == reqid]
    assert client.spi.named("onRtnQuote") == [], "the quote was accepted"
    assert answers and answers[0][1] == error(28)


def test_tc10_requests_for_quote(maker_market: tuple[Trader, Trader, str]) -> None:
    maker, client, address = maker_market
    md, md_spi = open_md(address)
    other_md, other_spi = open_md(address)
    try:
        chain = calls(client, "SSE", "510300")
        inst = chain[len(chain) // 2]
        assert md.subscribeForQuoteRsp([inst["InstrumentID"]]) == 0
        md_spi.wait("onRspSubForQuoteRsp")
        assert other_md.subscribeForQuoteRsp([chain[0]["InstrumentID"]]) == 0
        other_spi.wait("onRspSubForQuoteRsp")

        def rfq(iid: str, exchange: str = "SSE") -> int:
            reqid = next_reqid()
            req = {"BrokerID": "2001", "InvestorID": "00001", "UserID": "00001",
                   "InstrumentID": iid, "ExchangeID": exchange, "ForQuoteRef": client.next_ref()}  # fmt: skip
            assert client.api.reqForQuoteInsert(req, reqid) == 0
            return reqid

        rfq(inst["InstrumentID"])
        seen = md_spi.wait("onRtnForQuoteRsp")[0][0]
        assert (seen["InstrumentID"], seen["ExchangeID"]) == (inst["InstrumentID"], "SSE")
        assert seen["ForQuoteSysID"] and seen["TradingDay"] == client.login[0]["TradingDay"]
        assert maker.spi.wait("onRtnForQuoteRsp")[0][0]["ForQuoteSysID"] == seen["ForQuoteSysID"]

        def answer(reqid: int) -> dict[str, Any]:
            rsp = client.spi.wait("onRspForQuoteInsert", where=lambda a: a[2] == reqid)[0]
            return dict(rsp[1])

        assert answer(rfq("510300")) == error(83)  # an ETF: no requests for quote
        assert answer(rfq("10999999")) == error(16)
        client.sync()
        maker.sync()
        assert other_spi.named("onRtnForQuoteRsp") == []  # subscribed to another contract
        assert client.spi.named("onRtnForQuoteRsp") == []  # the requester is no maker
        assert len(md_spi.named("onRtnForQuoteRsp")) == 1
    finally:
        md.close()
        other_md.close()
