"""Order conformance of the simulated counter, driven only through the seam
(``create_td_api("sim://...")``) and the control object.

Expected values come from reference/sopt-rules.md (A.6 order types, A.7 sizes, B.2 validation
order, B.3 callback sequences, B.4 cancels) and reference/sopt_error.xml (ErrorID/ErrorMsg),
never from the sim's own tables.

=====  ==========================================================================================
TC     what
=====  ==========================================================================================
TC-01  unknown instrument -> 16 CTP:找不到合约 (OnRspOrderInsert + OnErrRtnOrderInsert, no OnRtnOrder)
TC-02  wrong ExchangeID -> 122; an ETF (not an option) -> 17
TC-03  limit price off the tick, above the upper limit, below the lower limit, zero -> 105
TC-03b a limit price of DBL_MAX (an empty book side copied into an order) -> 105
TC-04  volume 0, negative, limit 51, market 11 -> 104; limit 50 / market 10 accepted
TC-05  encodings the exchange does not list (SSE best-price/best-own/five-level, last price on
       both) -> 80; GTD or a contingent condition -> 27; ForceClose offset or a bad direction -> 15
TC-06  insufficient money (premium of a buy, margin of a sell-open) -> 31
TC-07  closing more than the closable position (none, too many, frozen by a pending close) -> 30;
       CloseToday/CloseYesterday offsets close like Close
TC-08  OrderRef not above every ref of the session (equal, lower) -> 22; another session may
       reuse it; an empty OrderRef gets the session's next one
TC-09  order on a connected session that has not logged in -> 6, no private-flow error
TC-10  hedge flag other than speculation/covered -> 94; covered put or covered buy-open -> 136
TC-11  cancel of an unknown order -> 25; of a finished order -> 26 (OnRspOrderAction +
       OnErrRtnOrderAction); of another investor's order -> 25; another session of the owner
       may cancel by FrontID+SessionID+OrderRef
TC-12  every order-type encoding of A.6 on each exchange: accepted where listed, 80 elsewhere
TC-13  limit GFD partly fills (status a,3,1 with VolumeTraded), rests, and fills when the
       market crosses it at a later step (1 -> 0), trades at the order's price
TC-14  limit GFD resting order filled by another investor's crossing order at its price
TC-15  limit FOK too large for the book: cancelled, no trade, freeze released; FOK that fits
       walks the levels and fills all
TC-16  market IOC (SSE and SZSE) against a thin book: fills what is there, remainder cancelled
       (a,3,2,5), VolumeTraded/VolumeTotal
TC-17  market FOK against a thin book: cancelled with no trade; market FOK that fits: filled
TC-18  SSE market-to-limit: trades at the best level only, remainder rests at the fill price
TC-19  SZSE best-5 IOC: walks at most five levels, remainder cancelled
TC-20  SZSE best-opposite: limit at the opposite best price, remainder rests there
TC-21  SZSE best-own: rests at the own best price without trading
TC-22  limit FAK (vn.py's FAK, accepted on both): fills within the limit, rest cancelled
TC-23  cancel by FrontID+SessionID+OrderRef and by ExchangeID+OrderSysID: CancelSubmitted then
       Canceled with CancelTime and VolumeTotal = remainder, no OnRspOrderAction; a partly
       filled order cancels its remainder only
TC-24  exchange hours, opening auction: a market order is rejected by the exchange (OnRtnOrder
       InsertRejected '4' / Canceled '5', no OrderSysID, StatusMsg 已撤单报单被拒绝SSE:...); a
       limit order is accepted and held; cancels 9:20-9:25 -> 146; before 9:15 every order is
       rejected by the exchange
TC-24b closing auction: market orders rejected by the exchange, limit orders accepted; no cancels
       14:59-15:00 (146); after 15:00 every order is rejected by the exchange
TC-25  a limit buy held through the opening auction trades at 9:30 at a price no worse than the
       market (the 9:30 snapshot's best ask), not at its own limit
TC-26  market orders with an empty opposite side are cancelled without a trade (market IOC,
       market FOK, SSE market-to-limit, SZSE best-opposite, best-5); best-own with an empty own
       side is cancelled
TC-27  an order that could trade against the investor's own resting order -> 154
TC-28  every option's UpperLimitPrice/LowerLimitPrice follow the A.3 formula from its previous
       settlement, the underlying's previous close and the strike (20 % for 588000/588080/159915,
       else 10 %; a lower limit below one tick is one tick)
TC-29  client trades move the public market data: LastPrice, Volume, Turnover, Open/High/Low,
       OpenInterest (+ on opening, - on closing), displayed volume taken from the book
TC-30  the listing (A.1, A.2, A.12) through ReqQryInstrument: the nine ETFs (ProductClass '8');
       per underlying four expiries (current/next month, next two quarter months; 4th
       Wednesday); per expiry and type at least 9 strikes on the interval grid with 4 below and
       4 above the ATM strike; 8-digit codes 1000xxxx/9000xxxx; trading codes (17 chars SSE,
       18 chars SZSE) and short names; unit 10000, tick 0.0001, E+1 delivery, ProductClass '7';
       adjusted contracts carry A in the code and the name
TC-31  position limits per underlying (A.8, exchange maxima by default): 5000 long lots
       including pending opens, then a buy-open -> 106; sell-opens (total 10000) and other
       underlyings still go; an order from another InvestorID than the session's -> 9
TC-32  a match between two clients has ONE TradeID, the same on both sides' OnRtnTrade (B.3:
       unique per exchange and direction): an incoming order against a resting one, and two
       orders held through the pre-open pause that uncross at 9:30; the next match gets a
       new TradeID; after a restart from the state file the stored TradeIDs are queried back
       and a new match never reuses one
=====  ==========================================================================================

Resume types, flow control, injected disconnects, routing and same-seed determinism are covered
by test_api_flow.py, test_api_query.py and test_api_orders.py.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sim_seam import (
    BEST_OWN_GFD,
    BEST_PRICE_GFD,
    BUY,
    CLOSE,
    COVERED,
    FIVE_LEVEL_IOC,
    LIMIT_FAK,
    LIMIT_FOK,
    LIMIT_GFD,
    MARKET_FOK,
    MARKET_GFD,
    MARKET_IOC,
    SELL,
    RecordingTdSpi,
    Trader,
    login_req,
    next_reqid,
    open_md,
    sim_url,
    unique_name,
)

from vnpy_ctpsopt.api import create_td_api

TICK = 0.0001
MESSAGES = {  # verbatim from reference/sopt_error.xml
    6: "CTP:还没有登录",
    9: "CTP:无此权限",
    15: "CTP:报单字段有误",
    16: "CTP:找不到合约",
    17: "CTP:合约不能交易",
    22: "CTP:报单错误：不允许重复报单",
    25: "CTP:撤单找不到相应报单",
    26: "CTP:报单已全成交或已撤销，不能再撤",
    27: "CTP:不支持的功能",
    30: "CTP:平仓量超过持仓量",
    31: "CTP:资金不足",
    80: "CTP:交易所不支持的价格类型",
    94: "CTP:个股期权只支持投机或者备兑",
    104: "CTP:数量不正确",
    105: "CTP:价格不正确",
    106: "CTP:投资者限仓",
    122: "CTP:交易所代码错误",
    136: "CTP:备兑只支持卖开或买平或认购",
    146: "CTP:当前时间禁止撤单",
    154: "CTP:可能触发自成交",
}


def error(error_id: int) -> dict[str, Any]:
    return {"ErrorID": error_id, "ErrorMsg": MESSAGES[error_id]}


def r4(value: float) -> float:
    return round(value, 4)


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def counter() -> Iterator[tuple[Trader, Trader]]:
    """One simulated front with two investors (CNY 100,000 each), shared by the rejection
    tests: every test uses instruments or refs of its own."""
    address = sim_url(unique_name("rej"), capital=100000)
    first = Trader(address)
    second = Trader(address, user="00002")
    try:
        yield first, second
    finally:
        first.close()
        second.close()


@pytest.fixture()
def rich() -> Iterator[tuple[Trader, Trader]]:
    """A fresh front (its own books) with two well-funded investors: one under test, one that
    takes liquidity or trades against it."""
    address = sim_url(unique_name("fill"), capital=100_000_000, seed=23)
    first = Trader(address)
    second = Trader(address, user="00002")
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def atm(trader: Trader, exchange: str, offset: int = 0) -> dict[str, Any]:
    """Depth of a near-the-money call of the nearest expiry on ``exchange``."""
    calls = [r for r in trader.options(exchange) if r["OptionsType"] == "1"]
    return trader.depth(calls[len(calls) // 2 + offset]["InstrumentID"])


def ask_levels(depth: dict[str, Any]) -> list[tuple[float, int]]:
    return [
        (depth[f"AskPrice{i}"], depth[f"AskVolume{i}"])
        for i in range(1, 6)
        if depth[f"AskVolume{i}"] > 0
    ]


def drain_asks(taker: Trader, iid: str, leave: int, levels: int = 5) -> dict[str, Any]:
    """Buy displayed ask volume (limit orders that fill entirely) until the first ``levels``
    ask levels hold ``leave`` lots in all; returns the depth afterwards (same market step)."""
    for _ in range(60):
        depth = taker.depth(iid)
        book = ask_levels(depth)[:levels]
        total = sum(v for _, v in book)
        if total <= leave:
            assert total == leave, (book, leave)
            return depth
        price, volume = book[0]
        take = min(50, volume, total - leave)
        filled = taker.place(taker.order_req(iid, price, volume=take))
        assert filled["OrderStatus"] == "0", filled
    raise AssertionError("could not drain the book")


def drain_bids(taker: Trader, iid: str) -> dict[str, Any]:
    """Sell-open into every displayed bid (limit orders that fill entirely) until no bid is
    left; returns the depth afterwards (same market step)."""
    for _ in range(60):
        depth = taker.depth(iid)
        if depth["BidVolume1"] == 0:
            return depth
        take = min(50, depth["BidVolume1"])
        filled = taker.place(taker.order_req(iid, depth["BidPrice1"], SELL, volume=take))
        assert filled["OrderStatus"] == "0", filled
    raise AssertionError("could not drain the bids")


def trade_volume(trader: Trader, update: dict[str, Any]) -> list[tuple[float, int]]:
    return [
        (t["Price"], t["Volume"]) for t in trader.trades(update["OrderSysID"], update["ExchangeID"])
    ]


# --- TC-01 .. TC-11: counter rejections ------------------------------------------------------


def test_tc01_unknown_instrument(counter: tuple[Trader, Trader]) -> None:
    trader, _ = counter
    req = trader.order_req("10999999", 0.1, exchange="SSE")
    assert trader.reject(req) == error(16)


def test_tc02_wrong_exchange_and_not_an_option(counter: tuple[Trader, Trader]) -> None:
    trader, _ = counter
    depth = atm(trader, "SSE")
    wrong = trader.order_req(depth["InstrumentID"], depth["BidPrice1"], exchange="SZSE")
    assert trader.reject(wrong) == error(122)
    etf = trader.order_req("510050", 3.0, exchange="SSE")
    assert trader.reject(etf) == error(17)


def test_tc03_price_off_tick_or_outside_limits(counter: tuple[Trader, Trader]) -> None:
    trader, _ = counter
    depth = atm(trader, "SZSE")
    iid, upper, lower = depth["InstrumentID"], depth["UpperLimitPrice"], depth["LowerLimitPrice"]
    for price in (r4(depth["BidPrice1"]) + TICK / 2, r4(upper + TICK), r4(lower - TICK), 0.0):
        assert trader.reject(trader.order_req(iid, price)) == error(105), price
    deep = trader.depth(trader.options("SSE")[0]["InstrumentID"])  # a lower limit above a tick
    if deep["LowerLimitPrice"] > TICK:
        below = trader.order_req(deep["InstrumentID"], r4(deep["LowerLimitPrice"] - TICK))
        assert trader.reject(below) == error(105)
    ok = trader.place(trader.order_req(iid, lower))  # the limits themselves are valid
    assert ok["OrderStatus"] == "3"


@pytest.mark.parametrize("price", [pytest.param(1.7976931348623157e308, id="DBL_MAX"), 1e300])
def test_tc03b_dbl_max_price(price: float, counter: tuple[Trader, Trader]) -> None:
    trader, _ = counter
    depth = atm(trader, "SSE", 3)
    req = trader.order_req(depth["InstrumentID"], price, SELL)
    reqid = next_reqid()
    assert trader.api.reqOrderInsert(req, reqid) == 0
    rsp = trader.spi.wait("onRspOrderInsert", where=lambda a: a[2] == reqid)[0]
    assert rsp[1] == error(105), rsp[1]
    ref = req["OrderRef"]
    err = trader.spi.wait("onErrRtnOrderInsert", where=lambda a: a[0]["OrderRef"] == ref)
    assert err[0][1] == error(105)


def test_tc04_volume_limits(counter: tuple[Trader, Trader]) -> None:
    trader, _ = counter
    depth = atm(trader, "SSE", 1)
    iid, lower = depth["InstrumentID"], depth["LowerLimitPrice"]
    assert trader.instrument(iid)["MaxLimitOrderVolume"] == 50
    assert trader.instrument(iid)["MaxMarketOrderVolume"] == 10
    for volume in (0, -1, 51):
        assert trader.reject(trader.order_req(iid, lower, volume=volume)) == error(104), volume
    market = trader.order_req(iid, 0.0, direction=SELL, volume=11, kind=MARKET_IOC)
    assert trader.reject(market) == error(104)
    both = trader.order_req(iid, r4(lower) + TICK / 2, volume=0)  # B.2: volume before price
    assert trader.reject(both) == error(104)
    assert trader.place(trader.order_req(iid, lower, volume=50))["OrderStatus"] == "3"


def test_tc05_unsupported_encodings(counter: tuple[Trader, Trader]) -> None:
    trader, _ = counter
    sse = atm(trader, "SSE", 2)
    szse = atm(trader, "SZSE", 2)
    for kind in (BEST_PRICE_GFD, BEST_OWN_GFD, FIVE_LEVEL_IOC, ("4", "3", "1")):
        req = trader.order_req(sse["InstrumentID"], sse["LowerLimitPrice"], kind=kind)
        assert trader.reject(req) == error(80), kind
    last_price = trader.order_req(szse["InstrumentID"], 0.0, kind=("4", "3", "1"))
    assert trader.reject(last_price) == error(80)
    gtd = trader.order_req(szse["InstrumentID"], szse["LowerLimitPrice"], kind=("2", "4", "1"))
    assert trader.reject(gtd) == error(27)
    stop = trader.order_req(szse["InstrumentID"], szse["LowerLimitPrice"])
    stop["ContingentCondition"] = "5"  # a stop condition: the exchanges have none
    assert trader.reject(stop) == error(27)
    force = trader.order_req(szse["InstrumentID"], szse["LowerLimitPrice"], SELL, "2")
    assert trader.reject(force) == error(15)  # ForceClose is the risk desk's
    no_side = trader.order_req(szse["InstrumentID"], szse["LowerLimitPrice"], "x")
    assert trader.reject(no_side) == error(15)


def test_tc06_insufficient_money(counter: tuple[Trader, Trader]) -> None:
    trader, _ = counter
    available = trader.account()["Available"]
    standard = {r["InstrumentID"] for r in trader.options("SSE")}
    depths = [d for d in trader.depths() if d["InstrumentID"] in standard]
    dear = max(depths, key=lambda d: d["UpperLimitPrice"])  # the deepest in the money
    premium = dear["UpperLimitPrice"] * 10000 * 50
    assert premium > available  # the case is meaningful
    buy = trader.order_req(dear["InstrumentID"], dear["UpperLimitPrice"], volume=50)
    assert trader.reject(buy) == error(31)
    sell = trader.order_req(dear["InstrumentID"], dear["UpperLimitPrice"], SELL, volume=50)
    assert trader.reject(sell) == error(31)  # 50 short deep-ITM options: margin beyond the cash
    assert trader.account()["Available"] == available


def test_tc07_close_more_than_closable(counter: tuple[Trader, Trader]) -> None:
    trader, _ = counter
    depth = atm(trader, "SZSE", -1)
    iid = depth["InstrumentID"]
    assert trader.reject(trader.order_req(iid, depth["BidPrice1"], SELL, CLOSE)) == error(30)
    bought = trader.place(trader.order_req(iid, depth["AskPrice1"], volume=2))
    assert bought["OrderStatus"] == "0"
    too_many = trader.order_req(iid, depth["UpperLimitPrice"], SELL, CLOSE, volume=3)
    assert trader.reject(too_many) == error(30)
    pending = trader.place(trader.order_req(iid, depth["UpperLimitPrice"], SELL, CLOSE, volume=2))
    assert pending["OrderStatus"] == "3"  # rests above the market: both lots frozen
    again = trader.order_req(iid, depth["UpperLimitPrice"], SELL, CLOSE, volume=1)
    assert trader.reject(again) == error(30)
    wrong_side = trader.order_req(iid, depth["AskPrice1"], BUY, CLOSE)  # no short to buy back
    assert trader.reject(wrong_side) == error(30)
    trader.cancel(ExchangeID="SZSE", OrderSysID=pending["OrderSysID"])
    trader.wait_order(pending["OrderRef"], ("5",))
    for offset in ("3", "4"):  # CloseToday / CloseYesterday: a plain close on SSE/SZSE (B.2)
        closed = trader.place(trader.order_req(iid, depth["BidPrice1"], SELL, offset))
        assert closed["OrderStatus"] == "0", offset
    assert trader.position(iid)["Position"] == 0  # type: ignore[index]


def test_tc08_duplicate_order_ref(counter: tuple[Trader, Trader]) -> None:
    shared, _ = counter
    trader = Trader(shared.address)  # sessions of its own: the refs below are theirs
    other = Trader(shared.address)
    try:
        depth = atm(trader, "SSE", -1)
        iid, lower = depth["InstrumentID"], depth["LowerLimitPrice"]
        first = trader.place(trader.order_req(iid, lower, ref="900000"))
        assert first["OrderSysID"]
        assert trader.reject(trader.order_req(iid, lower, ref="900000")) == error(22)
        assert trader.reject(trader.order_req(iid, lower, ref="899999")) == error(22)
        assert trader.place(trader.order_req(iid, lower, ref="900001"))["OrderSysID"]
        again = other.place(other.order_req(iid, lower, ref="900000"))  # per session
        assert again["OrderSysID"] and again["SessionID"] == other.session_id
        assert again["OrderSysID"] != first["OrderSysID"]
        blank = other.order_req(iid, lower, ref="")  # the counter assigns MaxOrderRef + 1
        mark = other.spi.mark()
        assert other.api.reqOrderInsert(blank, next_reqid()) == 0
        assigned = other.spi.wait("onRtnOrder", since=mark)[0][0]
        assert assigned["OrderRef"] == "900001"
    finally:
        trader.close()
        other.close()


def test_tc09_not_logged_in() -> None:
    address = sim_url(unique_name("nolog"))
    spi = RecordingTdSpi()
    api = create_td_api(address, spi)
    try:
        api.connect()
        spi.wait("onFrontConnected")
        req = {"BrokerID": "2001", "InvestorID": "00001", "InstrumentID": "10000001",
               "OrderRef": "1", "Direction": "0", "CombOffsetFlag": "0"}  # fmt: skip
        assert api.reqOrderInsert(req, 71) == 0
        data, rsp, reqid, last = spi.wait("onRspOrderInsert")[0]
        assert (rsp, reqid, last, data["OrderRef"]) == (error(6), 71, True, "1")
        assert api.reqOrderAction({"BrokerID": "2001", "OrderRef": "1"}, 72) == 0
        assert spi.wait("onRspOrderAction")[0][1] == error(6)
        assert api.reqUserLogin(login_req(), 73) == 0
        spi.wait("onRspUserLogin")
        assert spi.named("onErrRtnOrderInsert") == [] and spi.named("onRtnOrder") == []
    finally:
        api.close()


def test_tc10_hedge_flags_and_covered_combinations(counter: tuple[Trader, Trader]) -> None:
    trader, _ = counter
    calls = [r for r in trader.options("SSE") if r["OptionsType"] == "1"]
    puts = [r for r in trader.options("SSE") if r["OptionsType"] == "2"]
    call = trader.depth(calls[len(calls) // 2]["InstrumentID"])
    put = trader.depth(puts[len(puts) // 2]["InstrumentID"])
    for hedge in ("2", "3", "5"):  # arbitrage, hedge, market maker (not a maker account)
        req = trader.order_req(call["InstrumentID"], call["LowerLimitPrice"], hedge=hedge)
        assert trader.reject(req) == error(94), hedge
    covered_put = trader.order_req(put["InstrumentID"], put["UpperLimitPrice"], SELL, hedge=COVERED)
    assert trader.reject(covered_put) == error(136)
    covered_buy = trader.order_req(call["InstrumentID"], call["LowerLimitPrice"], hedge=COVERED)
    assert trader.reject(covered_buy) == error(136)
    covered_sell_close = trader.order_req(
        call["InstrumentID"], call["UpperLimitPrice"], SELL, CLOSE, hedge=COVERED
    )
    assert trader.reject(covered_sell_close) == error(136)


def test_tc11_cancel_not_found_and_finished(counter: tuple[Trader, Trader]) -> None:
    trader, other = counter
    reqid = trader.cancel(ExchangeID="SSE", OrderSysID="99999999")
    data, rsp, got, last = trader.spi.wait("onRspOrderAction", where=lambda a: a[2] == reqid)[0]
    assert (rsp, last) == (error(25), True)
    assert trader.spi.wait("onErrRtnOrderAction", where=lambda a: a[0]["OrderSysID"] == "99999999")[
        0
    ][1] == error(25)
    reqid = trader.cancel(
        OrderRef="123456789", FrontID=trader.front_id, SessionID=trader.session_id
    )
    assert trader.spi.wait("onRspOrderAction", where=lambda a: a[2] == reqid)[0][1] == error(25)

    depth = atm(trader, "SZSE", 1)
    done = trader.place(trader.order_req(depth["InstrumentID"], depth["AskPrice1"]))
    assert done["OrderStatus"] == "0"
    reqid = trader.cancel(ExchangeID="SZSE", OrderSysID=done["OrderSysID"])
    assert trader.spi.wait("onRspOrderAction", where=lambda a: a[2] == reqid)[0][1] == error(26)
    reqid = trader.cancel(
        OrderRef=done["OrderRef"], FrontID=trader.front_id, SessionID=trader.session_id
    )
    assert trader.spi.wait("onRspOrderAction", where=lambda a: a[2] == reqid)[0][1] == error(26)
    assert trader.updates(done["OrderRef"])[-1]["OrderStatus"] == "0"

    resting = trader.place(trader.order_req(depth["InstrumentID"], depth["LowerLimitPrice"]))
    reqid = other.cancel(ExchangeID="SZSE", OrderSysID=resting["OrderSysID"])
    assert other.spi.wait("onRspOrderAction", where=lambda a: a[2] == reqid)[0][1] == error(25)
    twin = Trader(trader.address)  # another session of the owner cancels by the original ids
    try:
        twin.cancel(OrderRef=resting["OrderRef"], FrontID=trader.front_id,
                    SessionID=trader.session_id)  # fmt: skip
        assert trader.wait_order(resting["OrderRef"], ("5",))["ActiveUserID"] == trader.user
    finally:
        twin.close()


# --- TC-12: order types per exchange ---------------------------------------------------------

# A.6: the CTP encodings (OrderPriceType, TimeCondition, VolumeCondition) each exchange lists.
# SZSE best-opposite may also come as (AnyPrice, GFD, AV) on some counters (A.6, [L]); limit FAK
# is no exchange type but vn.py sends it and the counter maps it (A.6 recommendation).
ENCODINGS: dict[str, tuple[str, str, str]] = {
    "limit_gfd": LIMIT_GFD,
    "limit_fok": LIMIT_FOK,
    "market_ioc": MARKET_IOC,
    "market_fok": MARKET_FOK,
    "market_gfd": MARKET_GFD,
    "best_price_gfd": BEST_PRICE_GFD,
    "best_own_gfd": BEST_OWN_GFD,
    "five_level_ioc": FIVE_LEVEL_IOC,
    "limit_fak": LIMIT_FAK,
}
ACCEPTED = {
    "SSE": {"limit_gfd", "limit_fok", "market_ioc", "market_fok", "market_gfd", "limit_fak"},
    "SZSE": set(ENCODINGS),
}


@pytest.mark.parametrize("exchange", ["SSE", "SZSE"])
def test_tc12_order_types_per_exchange(exchange: str, rich: tuple[Trader, Trader]) -> None:
    trader, _ = rich
    depth = atm(trader, exchange)
    iid = depth["InstrumentID"]
    for name, kind in ENCODINGS.items():
        market = kind[0] != "2"
        price = 0.0 if market else depth["AskPrice1"]
        req = trader.order_req(iid, price, volume=1, kind=kind)
        if name not in ACCEPTED[exchange]:
            assert trader.reject(req) == error(80), name
            continue
        last = trader.place(req)
        first = trader.updates(req["OrderRef"])[0]
        assert (first["OrderStatus"], first["OrderSubmitStatus"], first["OrderSysID"]) == (
            "a", "0", ""), name  # fmt: skip
        assert last["OrderSysID"] and last["OrderSubmitStatus"] == "3", (name, last)
        if name == "best_own_gfd":  # priced at the own side: rests
            assert last["OrderStatus"] == "3" and last["LimitPrice"] == depth["BidPrice1"]
            trader.cancel(ExchangeID=exchange, OrderSysID=last["OrderSysID"])
            trader.wait_order(req["OrderRef"], ("5",))
        else:  # every other type takes the 1 lot shown at the best ask
            assert last["OrderStatus"] == "0", (name, last)
            assert trade_volume(trader, last) == [(depth["AskPrice1"], 1)], name
        answered = {a[0]["OrderRef"] for a in trader.spi.named("onRspOrderInsert")}
        assert req["OrderRef"] not in answered  # accepted orders get no OnRspOrderInsert


# --- TC-13 .. TC-23: fill behaviour ----------------------------------------------------------


def test_tc13_partial_fill_rests_then_market_crosses(rich: tuple[Trader, Trader]) -> None:
    trader, taker = rich
    depth = drain_asks(taker, atm(trader, "SSE")["InstrumentID"], 5, levels=1)
    iid, ask1 = depth["InstrumentID"], depth["AskPrice1"]
    ref = trader.send(trader.order_req(iid, ask1, volume=12))
    part = trader.wait_order(ref, ("1",))
    trader.sync()
    assert trader.statuses(ref) == ["a", "3", "1"]
    assert (part["VolumeTraded"], part["VolumeTotal"]) == (5, 7)
    assert trade_volume(trader, part) == [(ask1, 5)]
    assert part["StatusMsg"] == "部分成交还在队列中"
    exchange = trader.exchange
    for _ in range(600):  # the resting remainder fills once a later book crosses it
        exchange.advance(0.5)
        if trader.updates(ref)[-1]["OrderStatus"] == "0":
            break
        trader.sync()
    final = trader.wait_order(ref, ("0",), since=0)
    assert (final["VolumeTraded"], final["VolumeTotal"]) == (12, 0)
    statuses = trader.statuses(ref)
    assert statuses[:3] == ["a", "3", "1"] and statuses[-1] == "0"
    assert set(statuses[3:-1]) <= {"1"}
    trades = trade_volume(trader, final)
    assert sum(v for _, v in trades) == 12 and all(p == ask1 for p, _ in trades)


def test_tc14_resting_order_filled_by_another_investor(rich: tuple[Trader, Trader]) -> None:
    trader, other = rich
    depth = atm(trader, "SZSE")
    iid, bid1 = depth["InstrumentID"], depth["BidPrice1"]
    resting = trader.place(trader.order_req(iid, bid1, volume=2))
    assert resting["OrderStatus"] == "3"
    hit = other.place(other.order_req(iid, bid1, SELL, volume=2))
    assert hit["OrderStatus"] == "0"
    trader.sync()
    filled = trader.wait_order(resting["OrderRef"], ("0",))
    assert trader.statuses(resting["OrderRef"]) == ["a", "3", "0"]
    assert trade_volume(trader, filled) == [(bid1, 2)]
    assert trade_volume(other, hit) == [(bid1, 2)]


def test_tc15_limit_fok(rich: tuple[Trader, Trader]) -> None:
    trader, taker = rich
    depth = drain_asks(taker, atm(trader, "SSE", 1)["InstrumentID"], 6, levels=1)
    iid = depth["InstrumentID"]
    (ask1, vol1), (ask2, _) = ask_levels(depth)[:2]
    before = trader.account()
    too_big = trader.place(trader.order_req(iid, ask1, volume=vol1 + 1, kind=LIMIT_FOK))
    assert trader.statuses(too_big["OrderRef"]) == ["a", "5"]
    assert (too_big["VolumeTraded"], too_big["VolumeTotal"]) == (0, vol1 + 1)
    assert trade_volume(trader, too_big) == []
    after = trader.account()
    assert (after["FrozenCash"], after["FrozenCommission"]) == (0.0, 0.0)
    assert after["Available"] == pytest.approx(before["Available"])
    fits = trader.place(trader.order_req(iid, ask2, volume=vol1 + 1, kind=LIMIT_FOK))
    assert trader.statuses(fits["OrderRef"]) == ["a", "3", "2", "0"]  # FOK never queues
    assert trade_volume(trader, fits) == [(ask1, vol1), (ask2, 1)]


@pytest.mark.parametrize("exchange", ["SSE", "SZSE"])
def test_tc16_market_ioc_remainder_cancelled(exchange: str, rich: tuple[Trader, Trader]) -> None:
    trader, taker = rich
    depth = drain_asks(taker, atm(trader, exchange, 2)["InstrumentID"], 3)
    shown = ask_levels(depth)
    ioc = trader.place(trader.order_req(depth["InstrumentID"], volume=10, kind=MARKET_IOC))
    assert trader.statuses(ioc["OrderRef"]) == ["a", "3", "2", "5"]
    assert (ioc["VolumeTraded"], ioc["VolumeTotal"]) == (3, 7)
    assert sum(v for _, v in trade_volume(trader, ioc)) == 3
    assert {p for p, _ in trade_volume(trader, ioc)} <= {p for p, _ in shown}
    assert trader.account()["FrozenCash"] == 0.0


def test_tc17_market_fok(rich: tuple[Trader, Trader]) -> None:
    trader, taker = rich
    depth = drain_asks(taker, atm(trader, "SZSE", -2)["InstrumentID"], 4)
    iid = depth["InstrumentID"]
    fok = trader.place(trader.order_req(iid, volume=5, kind=MARKET_FOK))
    assert trader.statuses(fok["OrderRef"]) == ["a", "5"]
    assert trade_volume(trader, fok) == []
    fits = trader.place(trader.order_req(iid, volume=4, kind=MARKET_FOK))
    assert fits["OrderStatus"] == "0" and sum(v for _, v in trade_volume(trader, fits)) == 4


def test_tc18_sse_market_to_limit(rich: tuple[Trader, Trader]) -> None:
    trader, taker = rich
    depth = drain_asks(taker, atm(trader, "SSE", -2)["InstrumentID"], 3, levels=1)
    ask1 = depth["AskPrice1"]
    order = trader.place(trader.order_req(depth["InstrumentID"], volume=10, kind=MARKET_GFD))
    assert trader.statuses(order["OrderRef"]) == ["a", "3", "1"]
    assert (order["VolumeTraded"], order["VolumeTotal"]) == (3, 7)
    assert trade_volume(trader, order) == [(ask1, 3)]  # the best level only
    assert order["LimitPrice"] == ask1  # the remainder is a limit order at the fill price
    # a market buy freezes its premium at the upper limit (B.2); the rest keeps that freeze
    frozen = trader.account()["FrozenCash"]
    assert frozen == pytest.approx(7 * depth["UpperLimitPrice"] * 10000)


def test_tc19_szse_best_five_ioc(rich: tuple[Trader, Trader]) -> None:
    trader, taker = rich
    depth = drain_asks(taker, atm(trader, "SZSE", 3)["InstrumentID"], 2, levels=1)
    (ask1, _), (ask2, vol2) = ask_levels(depth)[:2]
    assert vol2 >= 8
    walk = trader.place(trader.order_req(depth["InstrumentID"], volume=10, kind=FIVE_LEVEL_IOC))
    assert walk["OrderStatus"] == "0"
    assert trade_volume(trader, walk) == [(ask1, 2), (ask2, 8)]
    drained = drain_asks(taker, depth["InstrumentID"], 3)
    rest = trader.place(trader.order_req(drained["InstrumentID"], volume=10, kind=FIVE_LEVEL_IOC))
    assert trader.statuses(rest["OrderRef"]) == ["a", "3", "2", "5"]
    assert (rest["VolumeTraded"], rest["VolumeTotal"]) == (3, 7)


@pytest.mark.parametrize("kind", [BEST_PRICE_GFD, MARKET_GFD], ids=["best_price", "any_price"])
def test_tc20_szse_best_opposite(kind: tuple[str, str, str], rich: tuple[Trader, Trader]) -> None:
    trader, taker = rich
    depth = drain_asks(taker, atm(trader, "SZSE", -3)["InstrumentID"], 2, levels=1)
    ask1 = depth["AskPrice1"]
    order = trader.place(trader.order_req(depth["InstrumentID"], volume=10, kind=kind))
    assert trader.statuses(order["OrderRef"]) == ["a", "3", "1"]
    assert trade_volume(trader, order) == [(ask1, 2)]  # does not walk to the second level
    assert order["LimitPrice"] == ask1 and order["VolumeTotal"] == 8


def test_tc21_szse_best_own(rich: tuple[Trader, Trader]) -> None:
    trader, _ = rich
    depth = atm(trader, "SZSE", 4)
    buy = trader.place(trader.order_req(depth["InstrumentID"], volume=3, kind=BEST_OWN_GFD))
    assert trader.statuses(buy["OrderRef"]) == ["a", "3"]
    assert buy["LimitPrice"] == depth["BidPrice1"] and trade_volume(trader, buy) == []
    # priced by the exchange, so the counter freezes like a market buy: at the upper limit
    assert trader.account()["FrozenCash"] == pytest.approx(3 * depth["UpperLimitPrice"] * 10000)


def test_tc22_limit_fak(rich: tuple[Trader, Trader]) -> None:
    trader, taker = rich
    depth = drain_asks(taker, atm(trader, "SSE", 3)["InstrumentID"], 4, levels=1)
    ask1 = depth["AskPrice1"]
    fak = trader.place(trader.order_req(depth["InstrumentID"], ask1, volume=6, kind=LIMIT_FAK))
    assert trader.statuses(fak["OrderRef"]) == ["a", "3", "2", "5"]
    assert trade_volume(trader, fak) == [(ask1, 4)]
    assert (fak["VolumeTraded"], fak["VolumeTotal"]) == (4, 2)


def test_tc23_cancel_by_ref_and_by_sysid(rich: tuple[Trader, Trader]) -> None:
    trader, _ = rich
    depth = atm(trader, "SSE", 4)
    iid, lower = depth["InstrumentID"], depth["LowerLimitPrice"]
    by_ref = trader.place(trader.order_req(iid, lower, volume=3))
    by_sysid = trader.place(trader.order_req(iid, lower, volume=2))
    frozen = trader.account()["FrozenCash"]
    assert frozen == pytest.approx(5 * lower * 10000)

    trader.cancel(OrderRef=by_ref["OrderRef"], FrontID=trader.front_id, SessionID=trader.session_id,
                  InstrumentID=iid)  # fmt: skip
    trader.cancel(ExchangeID="SSE", OrderSysID=by_sysid["OrderSysID"])
    for order, volume in ((by_ref, 3), (by_sysid, 2)):
        done = trader.wait_order(order["OrderRef"], ("5",))
        updates = trader.updates(order["OrderRef"])
        assert [u["OrderStatus"] for u in updates] == ["a", "3", "3", "5"]
        assert updates[2]["OrderSubmitStatus"] == "1"  # CancelSubmitted, status unchanged
        assert done["CancelTime"] and done["VolumeTotal"] == volume and done["VolumeTraded"] == 0
        assert done["OrderSysID"] == order["OrderSysID"]
    assert trader.spi.named("onRspOrderAction") == []
    after = trader.account()
    assert (after["FrozenCash"], after["FrozenCommission"]) == (0.0, 0.0)


def test_tc23_cancel_partly_filled(rich: tuple[Trader, Trader]) -> None:
    trader, taker = rich
    depth = drain_asks(taker, atm(trader, "SZSE", 4)["InstrumentID"], 3, levels=1)
    ref = trader.send(trader.order_req(depth["InstrumentID"], depth["AskPrice1"], volume=8))
    part = trader.wait_order(ref, ("1",))
    trader.cancel(OrderRef=ref, FrontID=trader.front_id, SessionID=trader.session_id)
    done = trader.wait_order(ref, ("5",))
    assert trader.statuses(ref) == ["a", "3", "1", "1", "5"]
    assert (done["VolumeTraded"], done["VolumeTotal"]) == (3, 5)
    assert trade_volume(trader, part) == [(depth["AskPrice1"], 3)]
    position = trader.position(depth["InstrumentID"])
    assert position is not None and position["Position"] == 3
    assert trader.account()["FrozenCash"] == 0.0


# --- TC-24 .. TC-27: phases, empty books, self-trade -----------------------------------------


def test_tc24_exchange_hours_auction_and_before_open() -> None:
    trader = Trader(sim_url(unique_name("auct"), hours="exchange", start="20261130T091700"))
    try:
        depth = atm(trader, "SSE")
        iid = depth["InstrumentID"]
        market = trader.place(trader.order_req(iid, volume=1, kind=MARKET_IOC))
        assert trader.statuses(market["OrderRef"]) == ["a", "5"]
        assert (market["OrderSubmitStatus"], market["OrderSysID"]) == ("4", "")
        assert market["StatusMsg"].startswith("已撤单报单被拒绝SSE:")
        held = trader.place(trader.order_req(iid, depth["BidPrice1"], volume=1))
        assert trader.statuses(held["OrderRef"]) == ["a", "3"] and held["OrderSysID"]
        assert trader.account()["FrozenCash"] == pytest.approx(depth["BidPrice1"] * 10000)
        trader.exchange.advance(240)  # 9:21: no cancels until 9:25
        reqid = trader.cancel(ExchangeID="SSE", OrderSysID=held["OrderSysID"])
        rsp = trader.spi.wait("onRspOrderAction", where=lambda a: a[2] == reqid)[0]
        assert rsp[1] == error(146)
        assert trader.spi.wait("onErrRtnOrderAction")[0][1] == error(146)
        assert trader.updates(held["OrderRef"])[-1]["OrderStatus"] == "3"
    finally:
        trader.close()
    early = Trader(sim_url(unique_name("early"), hours="exchange", start="20261130T090000"))
    try:
        depth = atm(early, "SZSE")
        limit = early.place(early.order_req(depth["InstrumentID"], depth["BidPrice1"]))
        assert early.statuses(limit["OrderRef"]) == ["a", "5"]
        assert (limit["OrderSubmitStatus"], limit["OrderSysID"]) == ("4", "")
        assert limit["StatusMsg"].startswith("已撤单报单被拒绝SZSE:")
        assert early.account()["FrozenCash"] == 0.0
    finally:
        early.close()


def test_tc24b_closing_auction_and_after_the_close() -> None:
    trader = Trader(sim_url(unique_name("close"), hours="exchange", start="20261130T145830"))
    try:
        depth = atm(trader, "SZSE", 2)
        iid = depth["InstrumentID"]
        market = trader.place(trader.order_req(iid, volume=1, kind=BEST_PRICE_GFD))
        assert (trader.statuses(market["OrderRef"]), market["OrderSubmitStatus"]) == (
            ["a", "5"],
            "4",
        )
        held = trader.place(trader.order_req(iid, depth["LowerLimitPrice"], volume=1))
        assert trader.statuses(held["OrderRef"]) == ["a", "3"]
        early = trader.place(trader.order_req(iid, depth["LowerLimitPrice"], volume=1))
        trader.cancel(ExchangeID="SZSE", OrderSysID=early["OrderSysID"])  # 14:58:30: allowed
        trader.wait_order(early["OrderRef"], ("5",))
        trader.exchange.advance(40)  # 14:59:10
        reqid = trader.cancel(ExchangeID="SZSE", OrderSysID=held["OrderSysID"])
        rsp = trader.spi.wait("onRspOrderAction", where=lambda a: a[2] == reqid)[0]
        assert rsp[1] == error(146)
        trader.exchange.advance(60)  # 15:00:10: closed
        late = trader.place(trader.order_req(iid, depth["LowerLimitPrice"], volume=1))
        assert (trader.statuses(late["OrderRef"]), late["OrderSubmitStatus"]) == (["a", "5"], "4")
        assert late["StatusMsg"].startswith("已撤单报单被拒绝SZSE:")
    finally:
        trader.close()


def test_tc25_held_order_fills_at_the_market_not_at_its_limit() -> None:
    address = sim_url(unique_name("open"), hours="exchange", start="20261130T092800")
    trader = Trader(address)
    md, md_spi = open_md(address)
    try:
        depth = atm(trader, "SSE", 1)
        iid, upper = depth["InstrumentID"], depth["UpperLimitPrice"]
        assert upper > 2 * depth["AskPrice1"]  # a limit far above the market
        assert md.subscribeMarketData([iid]) == 0
        held = trader.place(trader.order_req(iid, upper, volume=1))
        assert trader.statuses(held["OrderRef"]) == ["a", "3"]
        trader.exchange.advance(119.5)
        trader.exchange.advance(0.5)  # 9:30:00, in one fresh step: published
        filled = trader.wait_order(held["OrderRef"], ("0",))
        (trade,) = trade_volume(trader, filled)
        opening = md_spi.wait(
            "onRtnDepthMarketData", where=lambda a: a[0]["UpdateTime"] == "09:30:00"
        )[0][0]
        assert trade[0] <= opening["AskPrice1"] + 1e-9, (trade, opening["AskPrice1"], upper)
    finally:
        md.close()
        trader.close()


@pytest.mark.parametrize(
    ("exchange", "kind"),
    [("SSE", MARKET_IOC), ("SSE", MARKET_FOK), ("SSE", MARKET_GFD), ("SZSE", BEST_PRICE_GFD),
     ("SZSE", FIVE_LEVEL_IOC), ("SZSE", MARKET_IOC)],
)  # fmt: skip
def test_tc26_empty_opposite_side_cancels_market_orders(
    exchange: str, kind: tuple[str, str, str], rich: tuple[Trader, Trader]
) -> None:
    trader, taker = rich
    depth = drain_asks(taker, atm(trader, exchange, -4)["InstrumentID"], 0)
    assert depth["AskVolume1"] == 0
    order = trader.place(trader.order_req(depth["InstrumentID"], volume=2, kind=kind))
    assert trader.statuses(order["OrderRef"]) == ["a", "5"]
    assert trade_volume(trader, order) == [] and order["VolumeTraded"] == 0
    assert trader.account()["FrozenCash"] == 0.0


def test_tc26_best_own_with_empty_own_side(rich: tuple[Trader, Trader]) -> None:
    trader, taker = rich
    depth = drain_bids(taker, atm(trader, "SZSE", -4)["InstrumentID"])
    order = trader.place(trader.order_req(depth["InstrumentID"], volume=1, kind=BEST_OWN_GFD))
    assert trader.statuses(order["OrderRef"]) == ["a", "5"]
    assert trade_volume(trader, order) == []


def test_tc27_self_trade(rich: tuple[Trader, Trader]) -> None:
    trader, _ = rich
    depth = atm(trader, "SSE", 5)
    iid = depth["InstrumentID"]
    ask = trader.place(trader.order_req(iid, depth["UpperLimitPrice"], SELL))
    assert ask["OrderStatus"] == "3"
    crossing = trader.order_req(iid, depth["UpperLimitPrice"], BUY)
    assert trader.reject(crossing) == error(154)
    assert trader.reject(trader.order_req(iid, volume=1, kind=MARKET_IOC)) == error(154)
    below = trader.place(trader.order_req(iid, depth["BidPrice1"], BUY))  # does not cross
    assert below["OrderStatus"] == "3"


def test_tc28_price_limits_follow_the_exchange_formula(counter: tuple[Trader, Trader]) -> None:
    trader, _ = counter
    depths = {d["InstrumentID"]: d for d in trader.depths()}
    checked = 0
    for inst in trader.instruments():
        if inst["OptionsType"] not in ("1", "2"):
            continue
        depth = depths[inst["InstrumentID"]]
        spot = depths[inst["UnderlyingInstrID"]]["PreClosePrice"]
        strike, settle = inst["StrikePrice"], depth["PreSettlementPrice"]
        p = 0.2 if inst["UnderlyingInstrID"] in ("588000", "588080", "159915") else 0.1
        if inst["OptionsType"] == "1":
            up = max(spot * 0.005, min(2 * spot - strike, spot) * p)
        else:
            up = max(strike * 0.005, min(2 * strike - spot, spot) * p)
        upper = settle + up
        lower = max(settle - spot * p, TICK)
        # the rounding side is not specified (A.3 [U]): within one tick
        assert abs(depth["UpperLimitPrice"] - upper) <= TICK + 1e-9, inst["InstrumentID"]
        assert abs(depth["LowerLimitPrice"] - lower) <= TICK + 1e-9, inst["InstrumentID"]
        checked += 1
    assert checked > 600


def test_tc29_trades_move_the_market_data(rich: tuple[Trader, Trader]) -> None:
    trader, _ = rich
    depth = atm(trader, "SSE", -5)
    iid = depth["InstrumentID"]
    assert depth["Volume"] == 0 and depth["AskVolume1"] > 5
    bought = trader.place(trader.order_req(iid, depth["AskPrice1"], volume=5))
    after = trader.depth(iid)
    price = depth["AskPrice1"]
    assert trade_volume(trader, bought) == [(price, 5)]
    assert (after["LastPrice"], after["Volume"]) == (price, 5)
    assert after["Turnover"] == pytest.approx(price * 5 * 10000)
    assert after["OpenPrice"] == after["HighestPrice"] == after["LowestPrice"] == price
    assert after["OpenInterest"] == depth["OpenInterest"] + 5
    assert (after["AskPrice1"], after["AskVolume1"]) == (price, depth["AskVolume1"] - 5)
    sold = trader.place(trader.order_req(iid, after["BidPrice1"], SELL, CLOSE, volume=2))
    assert sold["OrderStatus"] == "0"
    final = trader.depth(iid)
    assert (final["LastPrice"], final["Volume"]) == (after["BidPrice1"], 7)
    assert final["LowestPrice"] == min(price, after["BidPrice1"])
    assert final["OpenInterest"] == depth["OpenInterest"] + 3


ETFS = {
    "510050": ("SSE", "50ETF"), "510300": ("SSE", "300ETF"), "510500": ("SSE", "500ETF"),
    "588000": ("SSE", "科创50"), "588080": ("SSE", "科创板50"), "159919": ("SZSE", None),
    "159922": ("SZSE", None), "159915": ("SZSE", None), "159901": ("SZSE", None),
}  # fmt: skip


def fourth_wednesday(year: int, month: int) -> str:
    weeks = calendar.Calendar().monthdatescalendar(year, month)
    wednesdays = [d for week in weeks for d in week if d.weekday() == 2 and d.month == month]
    return wednesdays[3].strftime("%Y%m%d")


def grid_step(strike: float) -> float:
    for bound, step in ((3, 0.05), (5, 0.1), (10, 0.25), (20, 0.5), (50, 1.0), (100, 2.5)):
        if strike <= bound + 1e-9:
            return step
    return 5.0


def test_tc30_listing(counter: tuple[Trader, Trader]) -> None:
    trader, _ = counter
    rows = trader.instruments()
    depths = {d["InstrumentID"]: d for d in trader.depths()}
    etfs = {r["InstrumentID"]: r for r in rows if r["ProductClass"] == "8"}
    assert {k: v["ExchangeID"] for k, v in etfs.items()} == {k: v[0] for k, v in ETFS.items()}
    # 2026-11-30: November's expiry (11-25) has passed: Dec, Jan, then the quarter months
    months = [(2026, 12), (2027, 1), (2027, 3), (2027, 6)]
    expected_expiries = [fourth_wednesday(y, m) for y, m in months]
    for underlying, (exchange, prefix) in ETFS.items():
        options = [
            r for r in rows if r["UnderlyingInstrID"] == underlying and r["ProductClass"] == "7"
        ]
        assert sorted({r["ExpireDate"] for r in options}) == expected_expiries, underlying
        spot = depths[underlying]["PreClosePrice"]
        for row in options:
            iid, strike = row["InstrumentID"], row["StrikePrice"]
            assert row["ExchangeID"] == exchange
            assert len(iid) == 8 and iid.isdigit()
            assert iid.startswith("1000" if exchange == "SSE" else "9000"), iid
            assert row["PriceTick"] == 0.0001
            expire = date(
                int(row["ExpireDate"][:4]), int(row["ExpireDate"][4:6]), int(row["ExpireDate"][6:])
            )
            assert (row["DeliveryYear"], row["DeliveryMonth"]) == (expire.year, expire.month)
            assert row["StartDelivDate"] == row["ExpireDate"] < row["EndDelivDate"]
            letter = "C" if row["OptionsType"] == "1" else "P"
            digits = 5 if exchange == "SSE" else 6
            word = "购" if letter == "C" else "沽"
            name = f"{word}{expire.month}月{round(strike * 1000)}"
            head = f"{underlying}{letter}{expire:%y%m}"
            if row["VolumeMultiple"] != 10000:  # adjusted after a dividend: flag A (A.2, A.12)
                code = row["InstrumentCode"]
                if exchange == "SSE":  # 510050C2103A03000
                    assert code.startswith(head + "A") and len(code) == 17, code
                else:  # 159919C2604M04000A (A.12 [U])
                    assert code.startswith(head + "M") and code.endswith("A"), code
                    assert len(code) == 18 and code[-6:-1].isdigit(), code
                assert row["InstrumentName"].endswith(name + "A"), row["InstrumentName"]
                continue
            code = f"{head}M{round(strike * 1000):0{digits}d}"
            assert row["InstrumentCode"] == code, (row["InstrumentCode"], code)
            assert row["InstrumentName"].endswith(name), (row["InstrumentName"], name)
            if prefix is not None:
                assert row["InstrumentName"] == prefix + name
            step = grid_step(strike)
            assert abs(strike / step - round(strike / step)) < 1e-6, (iid, strike)
        for expire_date in expected_expiries:
            for options_type in ("1", "2"):
                strikes = sorted(
                    r["StrikePrice"]
                    for r in options
                    if r["ExpireDate"] == expire_date
                    and r["OptionsType"] == options_type
                    and r["VolumeMultiple"] == 10000
                )
                assert len(strikes) >= 9, (underlying, expire_date, options_type)
                atm = min(strikes, key=lambda k: abs(k - spot))
                assert len([k for k in strikes if k < atm]) >= 4
                assert len([k for k in strikes if k > atm]) >= 4


def test_tc31_position_limits_and_foreign_investor(rich: tuple[Trader, Trader]) -> None:
    trader, _ = rich
    chain = [r for r in trader.options("SSE") if r["UnderlyingInstrID"] == "510500"]
    lows = {
        r["InstrumentID"]: trader.depth(r["InstrumentID"])["LowerLimitPrice"] for r in chain[:4]
    }
    iids = list(lows)
    for n in range(100):  # 100 x 50 = 5000 pending buy-opens (权利仓 limit)
        iid = iids[n % len(iids)]
        placed = trader.place(trader.order_req(iid, lows[iid], volume=50))
        assert placed["OrderStatus"] == "3", placed
    assert trader.reject(trader.order_req(iids[0], lows[iids[0]])) == error(106)
    upper = trader.depth(iids[1])["UpperLimitPrice"]
    assert trader.place(trader.order_req(iids[1], upper, SELL))["OrderStatus"] == "3"
    others = [r for r in trader.options("SSE") if r["UnderlyingInstrID"] == "510050"]
    other = trader.depth(others[0]["InstrumentID"])  # another underlying: its own limits
    placed = trader.place(trader.order_req(other["InstrumentID"], other["LowerLimitPrice"]))
    assert placed["OrderStatus"] == "3"

    foreign = trader.order_req(other["InstrumentID"], other["LowerLimitPrice"])
    foreign["InvestorID"] = "00002"
    reqid = next_reqid()
    assert trader.api.reqOrderInsert(foreign, reqid) == 0
    rsp = trader.spi.wait("onRspOrderInsert", where=lambda a: a[2] == reqid)[0]
    assert rsp[1] == error(9)


# --- TC-32: one TradeID per match ------------------------------------------------------------


def match_trades(
    buyer: Trader, seller: Trader, buy: dict[str, Any], sell: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The single OnRtnTrade of each side of a one-lot match between ``buy`` and ``sell``."""
    (bought,) = buyer.trades(buy["OrderSysID"], buy["ExchangeID"])
    (sold,) = seller.trades(sell["OrderSysID"], sell["ExchangeID"])
    return bought, sold


def check_one_match(bought: dict[str, Any], sold: dict[str, Any]) -> str:
    assert bought["TradeID"] and bought["TradeID"] == sold["TradeID"]
    assert bought["ExchangeID"] == sold["ExchangeID"]
    assert (bought["Direction"], sold["Direction"]) == (BUY, SELL)
    assert (bought["Price"], bought["Volume"]) == (sold["Price"], sold["Volume"])
    return str(bought["TradeID"])


def cross(buyer: Trader, seller: Trader, iid: str, price: float) -> str:
    """``buyer`` rests a one-lot bid at ``price``, ``seller`` hits it; returns the TradeID."""
    resting = buyer.place(buyer.order_req(iid, price))
    assert resting["OrderStatus"] == "3"
    hit = seller.place(seller.order_req(iid, price, SELL))
    assert hit["OrderStatus"] == "0"
    buyer.sync()
    filled = buyer.wait_order(resting["OrderRef"], ("0",))
    return check_one_match(*match_trades(buyer, seller, filled, hit))


def test_tc32_one_trade_id_per_match(rich: tuple[Trader, Trader]) -> None:
    trader, other = rich
    for exchange in ("SSE", "SZSE"):
        depth = atm(trader, exchange)
        iid, bid1 = depth["InstrumentID"], depth["BidPrice1"]
        first = cross(trader, other, iid, bid1)
        second = cross(other, trader, iid, bid1)  # roles swapped
        assert first != second
        rows = trader.query("Trade", {"InstrumentID": iid})
        assert sorted(r["TradeID"] for r in rows) == sorted([first, second])


def test_tc32_trade_id_of_orders_uncrossed_at_the_open() -> None:
    address = sim_url(unique_name("uncross"), hours="exchange", start="20261130T092900")
    buyer, seller = Trader(address), Trader(address, user="00002")
    try:
        depth = atm(buyer, "SSE")
        iid = depth["InstrumentID"]
        price = round((depth["BidPrice1"] + depth["AskPrice1"]) / 2, 4)
        buy = buyer.place(buyer.order_req(iid, price))
        sell = seller.place(seller.order_req(iid, price, SELL))
        assert (buy["OrderStatus"], sell["OrderStatus"]) == ("3", "3")  # held in the pause
        buyer.exchange.advance(60)  # 9:30: the two held orders meet each other
        buy = buyer.wait_order(buy["OrderRef"], ("0",))
        sell = seller.wait_order(sell["OrderRef"], ("0",))
        check_one_match(*match_trades(buyer, seller, buy, sell))
    finally:
        buyer.close()
        seller.close()


def test_tc32_trade_ids_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "tradeid.db"
    name = unique_name("tid")
    address = sim_url(name, capital=100_000_000, seed=23, state=state)
    first, second = Trader(address), Trader(address, user="00002")
    try:
        depth = atm(first, "SZSE")
        iid, bid1 = depth["InstrumentID"], depth["BidPrice1"]
        before = cross(first, second, iid, bid1)
    finally:
        first.close()
        second.close()
    first, second = Trader(address), Trader(address, user="00002")
    try:
        for trader in (first, second):
            (row,) = trader.query("Trade", {"TradeID": before})
            assert row["InstrumentID"] == iid
        after = cross(second, first, iid, first.depth(iid)["BidPrice1"])
        assert after != before
    finally:
        first.close()
        second.close()
