"""Money and positions of the simulated counter, seen only through the seam's queries after
each step (ReqQryTradingAccount, ReqQryInvestorPosition, ReqQryDepthMarketData,
ReqQryOptionInstrCommRate, ReqQryOptionInstrTradeCost).

Expected figures are computed here from the rules, not read back from the sim:
- short margin: reference/sopt-rules.md A.4 (premium = the option's previous settlement, S = the
  underlying's previous close, both from depth queries; K and unit from the instrument query),
  times 1 + the broker markup, 10 % (``CounterConfig.margin_markup``);
- fees per contract, the documented defaults of ``rules.FeeSchedule``: buy open 2.0, sell open
  0.0, close 2.0, exercise 1.0 (cross-checked against the commission-rate query);
- the account identity of the counter (B.9.2): Balance = PreBalance + Deposit - Withdraw +
  CashIn - Commission; Available = Balance - CurrMargin - FrozenMargin - FrozenCash -
  FrozenCommission - DeliveryMargin.

=====  ==========================================================================================
TC     what
=====  ==========================================================================================
TC-01  commission-rate query states the documented fees (open, close, exercise per contract)
TC-02  pending buy: FrozenCash = price x unit x volume, FrozenCommission = fee; cancel releases
       both; Balance unchanged, Available restored
TC-03  buy open filled: premium paid (CashIn), fee (Commission), long row (Position,
       TodayPosition, OpenVolume, OpenAmount, PositionCost, Commission), identity holds
TC-04  short margin per contract = A.4 formula x 1.1 for OTM/ITM calls and puts: frozen while
       pending (FrozenMargin, row ShortFrozenAmount), released on cancel; charged on fill
       (CurrMargin, ExchangeMargin, row UseMargin/ExchangeMargin); premium received, no fee
TC-05  trade-cost query: max(FixedMargin, MiniMargin) is the broker margin, Exch* the exchange's
TC-06  closes: sell close of a long receives the premium and pays the close fee, CloseProfit;
       buy close of a short pays the premium and releases the margin pro rata
TC-07  a pending close freezes the position volume (ShortFrozen on a long row, LongFrozen on a
       short row) and the premium/fee of a buy close; cancel releases it
TC-08  partial fill of a pending buy: freeze released pro rata, the rest stays frozen
TC-09  OptionValue: LastPrice x Position x unit on long and short rows alike (B.9.1); the
       account's OptionValue is long minus short market value (B.9.2)
=====  ==========================================================================================
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sim_seam import BUY, CLOSE, LONG, SELL, SHORT, Trader, sim_url, unique_name

UNIT = 10000
FEE_BUY_OPEN = 2.0
FEE_SELL_OPEN = 0.0
FEE_CLOSE = 2.0
FEE_EXERCISE = 1.0
MARKUP = 0.1


def short_margin(is_call: bool, pre_settle: float, spot: float, strike: float) -> float:
    """Exchange opening margin per contract, A.4."""
    if is_call:
        otm = max(strike - spot, 0.0)
        per_share = pre_settle + max(0.12 * spot - otm, 0.07 * spot)
    else:
        otm = max(spot - strike, 0.0)
        per_share = min(pre_settle + max(0.12 * spot - otm, 0.07 * strike), strike)
    return per_share * UNIT


def check_identity(account: dict[str, Any]) -> None:
    balance = (
        account["PreBalance"]
        + account["Deposit"]
        - account["Withdraw"]
        + account["CashIn"]
        - account["Commission"]
    )
    assert account["Balance"] == pytest.approx(balance, abs=1e-6)
    available = (
        account["Balance"]
        - account["CurrMargin"]
        - account["FrozenMargin"]
        - account["FrozenCash"]
        - account["FrozenCommission"]
        - account["DeliveryMargin"]
    )
    assert account["Available"] == pytest.approx(available, abs=1e-6)


@pytest.fixture()
def pair() -> Iterator[tuple[Trader, Trader]]:
    address = sim_url(unique_name("money"), seed=31, capital=2_000_000)
    first, second = Trader(address), Trader(address, user="00002")
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def chain(trader: Trader, exchange: str, options_type: str) -> list[dict[str, Any]]:
    """Standard options of the nearest expiry, lowest strike first (ties by code)."""
    rows = [r for r in trader.options(exchange) if r["OptionsType"] == options_type]
    return sorted(rows, key=lambda r: (r["StrikePrice"], r["InstrumentID"]))


def middle(trader: Trader, exchange: str = "SSE", options_type: str = "1") -> dict[str, Any]:
    rows = chain(trader, exchange, options_type)
    return trader.depth(rows[len(rows) // 2]["InstrumentID"])


def test_tc01_commission_rates_state_the_fees(pair: tuple[Trader, Trader]) -> None:
    trader, _ = pair
    iid = middle(trader)["InstrumentID"]
    (rate,) = trader.query("OptionInstrCommRate", {"InstrumentID": iid})
    assert rate["OpenRatioByVolume"] == FEE_BUY_OPEN
    assert rate["CloseRatioByVolume"] == rate["CloseTodayRatioByVolume"] == FEE_CLOSE
    assert rate["StrikeRatioByVolume"] == FEE_EXERCISE
    assert rate["OpenRatioByMoney"] == rate["CloseRatioByMoney"] == 0.0


def test_tc02_pending_buy_freezes_and_cancel_releases(pair: tuple[Trader, Trader]) -> None:
    trader, _ = pair
    depth = middle(trader)
    start = trader.account()
    check_identity(start)
    price = depth["BidPrice1"]
    order = trader.place(trader.order_req(depth["InstrumentID"], price, volume=4))
    assert order["OrderStatus"] == "3"
    pending = trader.account()
    assert pending["FrozenCash"] == pytest.approx(price * UNIT * 4)
    assert pending["FrozenCommission"] == pytest.approx(FEE_BUY_OPEN * 4)
    assert pending["Balance"] == start["Balance"]
    assert pending["Available"] == pytest.approx(
        start["Available"] - price * UNIT * 4 - FEE_BUY_OPEN * 4
    )
    check_identity(pending)
    trader.cancel(ExchangeID="SSE", OrderSysID=order["OrderSysID"])
    trader.wait_order(order["OrderRef"], ("5",))
    after = trader.account()
    assert (after["FrozenCash"], after["FrozenCommission"]) == (0.0, 0.0)
    assert after["Available"] == pytest.approx(start["Available"])
    check_identity(after)


def test_tc03_buy_open_pays_premium_and_fee(pair: tuple[Trader, Trader]) -> None:
    trader, _ = pair
    depth = middle(trader, "SZSE", "2")
    iid = depth["InstrumentID"]
    start = trader.account()
    filled = trader.place(trader.order_req(iid, depth["AskPrice1"], volume=3))
    assert filled["OrderStatus"] == "0"
    premium = sum(t["Price"] * t["Volume"] for t in trader.trades(filled["OrderSysID"], "SZSE"))
    premium *= UNIT
    account = trader.account()
    assert account["CashIn"] == pytest.approx(start["CashIn"] - premium)
    assert account["Commission"] == pytest.approx(start["Commission"] + 3 * FEE_BUY_OPEN)
    assert account["Balance"] == pytest.approx(start["Balance"] - premium - 3 * FEE_BUY_OPEN)
    assert (account["FrozenCash"], account["FrozenCommission"], account["CurrMargin"]) == (
        0.0, 0.0, 0.0)  # fmt: skip
    check_identity(account)
    row = trader.position(iid, LONG)
    assert row is not None
    assert (row["Position"], row["TodayPosition"], row["YdPosition"], row["OpenVolume"]) == (
        3, 3, 0, 3)  # fmt: skip
    assert row["OpenAmount"] == pytest.approx(premium)
    assert row["PositionCost"] == pytest.approx(premium)
    assert row["Commission"] == pytest.approx(3 * FEE_BUY_OPEN)
    assert (row["UseMargin"], row["ExchangeMargin"]) == (0.0, 0.0)
    assert row["PositionDate"] == "1" and row["ExchangeID"] == "SZSE"


def pick_moneyness(trader: Trader) -> list[dict[str, Any]]:
    """An out-of-the-money and an in-the-money call and put of 510050 (nearest expiry)."""
    spot = trader.depth("510050")["PreClosePrice"]
    picked = []
    for options_type in ("1", "2"):
        rows = [r for r in chain(trader, "SSE", options_type) if r["UnderlyingInstrID"] == "510050"]
        below = [r for r in rows if r["StrikePrice"] < spot * 0.97]
        above = [r for r in rows if r["StrikePrice"] > spot * 1.03]
        assert below and above
        picked += [below[-1], above[0]]
    return picked


def test_tc04_short_margin_formula_frozen_then_charged(pair: tuple[Trader, Trader]) -> None:
    trader, _ = pair
    spot = trader.depth("510050")["PreClosePrice"]
    for inst in pick_moneyness(trader):
        iid = inst["InstrumentID"]
        depth = trader.depth(iid)
        exch = short_margin(
            inst["OptionsType"] == "1", depth["PreSettlementPrice"], spot, inst["StrikePrice"]
        )
        broker = exch * (1 + MARKUP)
        start = trader.account()

        pending = trader.place(trader.order_req(iid, depth["UpperLimitPrice"], SELL, volume=2))
        assert pending["OrderStatus"] == "3", iid
        frozen = trader.account()
        assert frozen["FrozenMargin"] == pytest.approx(start["FrozenMargin"] + 2 * broker), iid
        assert frozen["FrozenCommission"] == pytest.approx(start["FrozenCommission"])
        check_identity(frozen)
        trader.cancel(ExchangeID="SSE", OrderSysID=pending["OrderSysID"])
        trader.wait_order(pending["OrderRef"], ("5",))
        released = trader.account()
        assert released["FrozenMargin"] == pytest.approx(start["FrozenMargin"])
        assert released["Available"] == pytest.approx(start["Available"])

        sold = trader.place(trader.order_req(iid, depth["BidPrice1"], SELL, volume=2))
        assert sold["OrderStatus"] == "0", iid
        premium = UNIT * sum(
            t["Price"] * t["Volume"] for t in trader.trades(sold["OrderSysID"], "SSE")
        )
        account = trader.account()
        assert account["CurrMargin"] == pytest.approx(start["CurrMargin"] + 2 * broker), iid
        assert account["ExchangeMargin"] == pytest.approx(start["ExchangeMargin"] + 2 * exch)
        assert account["CashIn"] == pytest.approx(start["CashIn"] + premium)
        assert account["Commission"] == pytest.approx(start["Commission"] + 2 * FEE_SELL_OPEN)
        assert account["FrozenMargin"] == pytest.approx(start["FrozenMargin"])
        check_identity(account)
        row = trader.position(iid, SHORT)
        assert row is not None and row["Position"] == 2
        assert row["UseMargin"] == pytest.approx(2 * broker)
        assert row["ExchangeMargin"] == pytest.approx(2 * exch)


def test_tc05_trade_cost_query_matches_the_formula(pair: tuple[Trader, Trader]) -> None:
    trader, _ = pair
    spot = trader.depth("510050")["PreClosePrice"]
    for inst in pick_moneyness(trader):
        depth = trader.depth(inst["InstrumentID"])
        is_call = inst["OptionsType"] == "1"
        exch = short_margin(is_call, depth["PreSettlementPrice"], spot, inst["StrikePrice"])
        (cost,) = trader.query(
            "OptionInstrTradeCost", {"InstrumentID": inst["InstrumentID"], "HedgeFlag": "1"}
        )
        assert max(cost["ExchFixedMargin"], cost["ExchMiniMargin"]) == pytest.approx(exch)
        assert max(cost["FixedMargin"], cost["MiniMargin"]) == pytest.approx(exch * (1 + MARKUP))
        assert cost["Royalty"] == pytest.approx(depth["PreSettlementPrice"] * UNIT)


def test_tc06_closing_long_and_short(pair: tuple[Trader, Trader]) -> None:
    trader, _ = pair
    depth = middle(trader, "SSE", "1")
    iid = depth["InstrumentID"]
    bought = trader.place(trader.order_req(iid, depth["AskPrice1"], volume=2))
    cost = UNIT * sum(t["Price"] * t["Volume"] for t in trader.trades(bought["OrderSysID"], "SSE"))
    before = trader.account()
    sold = trader.place(trader.order_req(iid, depth["BidPrice1"], SELL, CLOSE, volume=2))
    assert sold["OrderStatus"] == "0"
    proceeds = UNIT * sum(
        t["Price"] * t["Volume"] for t in trader.trades(sold["OrderSysID"], "SSE")
    )
    after = trader.account()
    assert after["CashIn"] == pytest.approx(before["CashIn"] + proceeds)
    assert after["Commission"] == pytest.approx(before["Commission"] + 2 * FEE_CLOSE)
    check_identity(after)
    row = trader.position(iid, LONG)
    assert row is not None
    assert (row["Position"], row["TodayPosition"], row["CloseVolume"]) == (0, 0, 2)
    assert row["CloseProfit"] == pytest.approx(proceeds - cost)
    assert row["CloseAmount"] == pytest.approx(proceeds)

    put = middle(trader, "SSE", "2")
    pid = put["InstrumentID"]
    trader.place(trader.order_req(pid, put["BidPrice1"], SELL, volume=4))
    opened = trader.account()
    margin = trader.position(pid, SHORT)
    assert margin is not None and margin["Position"] == 4
    bought_back = trader.place(trader.order_req(pid, put["AskPrice1"], BUY, CLOSE, volume=1))
    assert bought_back["OrderStatus"] == "0"
    paid = UNIT * sum(
        t["Price"] * t["Volume"] for t in trader.trades(bought_back["OrderSysID"], "SSE")
    )
    closed = trader.account()
    assert closed["CurrMargin"] == pytest.approx(opened["CurrMargin"] - margin["UseMargin"] / 4)
    assert closed["ExchangeMargin"] == pytest.approx(
        opened["ExchangeMargin"] - margin["ExchangeMargin"] / 4
    )
    assert closed["CashIn"] == pytest.approx(opened["CashIn"] - paid)
    assert closed["Commission"] == pytest.approx(opened["Commission"] + FEE_CLOSE)
    check_identity(closed)
    row = trader.position(pid, SHORT)
    assert row is not None and (row["Position"], row["CloseVolume"]) == (3, 1)
    assert row["UseMargin"] == pytest.approx(margin["UseMargin"] * 3 / 4)


def test_tc07_pending_close_freezes_position(pair: tuple[Trader, Trader]) -> None:
    trader, _ = pair
    depth = middle(trader, "SZSE", "1")
    iid = depth["InstrumentID"]
    trader.place(trader.order_req(iid, depth["AskPrice1"], volume=3))
    pending = trader.place(trader.order_req(iid, depth["UpperLimitPrice"], SELL, CLOSE, volume=2))
    assert pending["OrderStatus"] == "3"
    row = trader.position(iid, LONG)
    assert row is not None and (row["Position"], row["ShortFrozen"], row["LongFrozen"]) == (3, 2, 0)
    assert trader.account()["FrozenCommission"] == pytest.approx(2 * FEE_CLOSE)
    trader.cancel(ExchangeID="SZSE", OrderSysID=pending["OrderSysID"])
    trader.wait_order(pending["OrderRef"], ("5",))
    row = trader.position(iid, LONG)
    assert row is not None and row["ShortFrozen"] == 0

    put = middle(trader, "SZSE", "2")
    pid = put["InstrumentID"]
    trader.place(trader.order_req(pid, put["BidPrice1"], SELL, volume=2))
    lower = put["LowerLimitPrice"]
    start = trader.account()
    buy_close = trader.place(trader.order_req(pid, lower, BUY, CLOSE, volume=2))
    assert buy_close["OrderStatus"] == "3"
    short = trader.position(pid, SHORT)
    assert short is not None and (short["LongFrozen"], short["ShortFrozen"]) == (2, 0)
    frozen = trader.account()
    assert frozen["FrozenCash"] == pytest.approx(start["FrozenCash"] + 2 * lower * UNIT)
    assert frozen["FrozenCommission"] == pytest.approx(start["FrozenCommission"] + 2 * FEE_CLOSE)
    check_identity(frozen)
    trader.cancel(OrderRef=buy_close["OrderRef"], FrontID=trader.front_id,
                  SessionID=trader.session_id)  # fmt: skip
    trader.wait_order(buy_close["OrderRef"], ("5",))
    after = trader.account()
    assert after["FrozenCash"] == pytest.approx(start["FrozenCash"])
    short = trader.position(pid, SHORT)
    assert short is not None and short["LongFrozen"] == 0


def test_tc08_partial_fill_releases_pro_rata(pair: tuple[Trader, Trader]) -> None:
    trader, other = pair
    depth = middle(trader, "SSE", "2")
    iid, bid = depth["InstrumentID"], depth["BidPrice1"]
    order = trader.place(trader.order_req(iid, bid, volume=5))
    assert order["OrderStatus"] == "3"
    other.place(other.order_req(iid, bid, SELL, volume=2))
    part = trader.wait_order(order["OrderRef"], ("1",))
    assert (part["VolumeTraded"], part["VolumeTotal"]) == (2, 3)
    account = trader.account()
    assert account["FrozenCash"] == pytest.approx(3 * bid * UNIT)
    assert account["FrozenCommission"] == pytest.approx(3 * FEE_BUY_OPEN)
    assert account["CashIn"] == pytest.approx(-2 * bid * UNIT)
    assert account["Commission"] == pytest.approx(2 * FEE_BUY_OPEN)
    check_identity(account)


def test_tc09_option_value_of_long_and_short_rows(pair: tuple[Trader, Trader]) -> None:
    trader, _ = pair
    call, put = middle(trader, "SSE", "1"), middle(trader, "SSE", "2")
    bought = trader.place(trader.order_req(call["InstrumentID"], call["AskPrice1"], volume=2))
    sold = trader.place(trader.order_req(put["InstrumentID"], put["BidPrice1"], SELL, volume=3))
    assert (bought["OrderStatus"], sold["OrderStatus"]) == ("0", "0")
    long_row = trader.position(call["InstrumentID"], LONG)
    short_row = trader.position(put["InstrumentID"], SHORT)
    assert long_row is not None and short_row is not None
    call_last = trader.depth(call["InstrumentID"])["LastPrice"]
    put_last = trader.depth(put["InstrumentID"])["LastPrice"]
    # B.9.1: LastPrice x Position x unit, on the short row too (a market value, not signed)
    assert long_row["OptionValue"] == pytest.approx(call_last * 2 * UNIT)
    assert short_row["OptionValue"] == pytest.approx(put_last * 3 * UNIT)
    assert short_row["OptionValue"] > 0
    # B.9.2: the account's OptionValue = long market value - short market value
    account = trader.account()
    assert account["OptionValue"] == pytest.approx((call_last * 2 - put_last * 3) * UNIT)
