"""Parsers and builders on fixture dicts, one per callback variant."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from vnpy.trader.constant import Direction, Exchange, Offset, OrderType, Product
from vnpy.trader.object import ContractData, TickData

from vnpy_ctpsopt.gateway import parsing as p
from vnpy_ctpsopt.gateway.events import LockType

from . import fixtures as f

GW = "CTPSOPT"
CHINA = ZoneInfo("Asia/Shanghai")


def contract(**kw: object) -> ContractData:
    result = p.parse_contract(f.instrument(**kw), GW)
    assert result is not None
    return result


# -- contracts ---------------------------------------------------------------------------------


def test_sse_option_has_every_optionmaster_field() -> None:
    c = contract()
    assert c.product.name == "OPTION"
    assert c.exchange is Exchange.SSE
    assert c.option_portfolio == "510050_O"
    assert c.option_underlying == "510050-202612"
    assert "." not in c.option_underlying
    assert c.option_type is not None and c.option_type.name == "CALL"
    assert c.option_strike == 2.8
    assert c.option_expiry == datetime(2026, 12, 23)
    assert c.option_expiry.tzinfo is None
    assert c.option_listed == datetime(2026, 4, 21)
    assert c.option_index == "2.800-M02800"
    assert (c.size, c.pricetick, c.min_volume, c.max_volume) == (10000, 0.0001, 1, 50)
    assert c.extra is not None and c.extra["max_market_volume"] == 10
    assert c.extra["trading_active"] is True


def test_call_and_put_share_the_index() -> None:
    call = contract()
    put = contract(InstrumentID="10007002", OptionsType="2", InstrumentCode="510050P2612M02800")
    assert put.option_type is not None and put.option_type.name == "PUT"
    assert call.option_index == put.option_index
    assert call.option_underlying == put.option_underlying


def test_adjusted_series_do_not_collide_with_standard() -> None:
    adjusted = contract(
        InstrumentID="10003001",
        InstrumentName="50ETF购12月2957A",
        StrikePrice=2.957,
        VolumeMultiple=10220,
        InstrumentCode="510050C2612A03000",
    )
    second = contract(StrikePrice=2.957, VolumeMultiple=10450, InstrumentCode="510050C2612B03000")
    assert adjusted.option_index == "2.957-A03000"
    assert second.option_index == "2.957-B03000"
    assert adjusted.size == 10220


def test_szse_option() -> None:
    c = contract(
        InstrumentID="90004001",
        ExchangeID="SZSE",
        UnderlyingInstrID="159919",
        StrikePrice=4.5,
        InstrumentCode="159919C2612M004500",
    )
    assert c.exchange is Exchange.SZSE
    assert c.option_portfolio == "159919_O"
    assert c.option_underlying == "159919-202612"
    assert c.option_index == "4.500-M004500"


def test_index_without_trading_code_falls_back_on_size() -> None:
    assert p.get_option_index(2.8, "", 10000) == "2.800-M"
    assert p.get_option_index(2.957, "", 10220) == "2.957-A10220"


def test_etf_and_combination_products() -> None:
    etf = contract(
        InstrumentID="510050",
        ProductClass="8",
        VolumeMultiple=1,
        PriceTick=0.001,
        InstrumentName="50ETF",
        StrikePrice=0,
        OptionsType="",
    )
    assert etf.product is Product.ETF
    assert etf.option_type is None and etf.option_portfolio is None
    combo = contract(InstrumentID="CNSJC 10007001&10007003", ProductClass="3", CombinationType="1")
    assert combo.product.name == "SPREAD"


def test_unknown_exchange_or_product_is_none() -> None:
    assert p.parse_contract(f.instrument(ExchangeID="TTS"), GW) is None
    assert p.parse_contract(f.instrument(ProductClass="1"), GW) is None
    assert p.parse_contract(f.instrument(ExpireDate=""), GW) is None


# -- ticks -------------------------------------------------------------------------------------


def tick(**kw: object) -> TickData | None:
    return p.parse_tick(f.depth(**kw), contract(), GW, p.TickTimeCache())


def test_tick_five_levels_and_fields() -> None:
    t = tick()
    assert t is not None
    assert t.vt_symbol == "10007001.SSE"
    assert t.datetime == datetime(2026, 11, 30, 10, 15, 30, 500_000, tzinfo=CHINA)
    assert t.datetime.utcoffset() is not None
    assert (t.bid_price_1, t.ask_price_1, t.bid_price_5, t.ask_price_5) == (
        0.1233,
        0.1235,
        0.1229,
        0.1239,
    )
    assert (t.bid_volume_5, t.ask_volume_5) == (50, 55)
    assert (t.limit_up, t.limit_down, t.pre_close, t.open_interest) == (0.4, 0.0001, 0.1201, 1100)
    assert t.extra == {"trading_active": True, "market_closed": False}


def test_tick_has_exactly_the_attributes_of_a_constructed_tick() -> None:
    t = tick()
    assert t is not None
    reference = TickData(gateway_name=GW, symbol="x", exchange=Exchange.SSE, datetime=t.datetime)
    reference.extra = {}
    assert set(t.__dict__) == set(reference.__dict__)


def test_dbl_max_prices_become_zero() -> None:
    t = tick(AskPrice2=f.DBL_MAX, BidPrice5=f.DBL_MAX, LastPrice=f.DBL_MAX, OpenPrice=f.DBL_MAX)
    assert t is not None
    assert (t.ask_price_2, t.bid_price_5, t.last_price, t.open_price) == (0, 0, 0, 0)


def test_tick_without_update_time_is_dropped_zero_volume_is_kept() -> None:
    assert tick(UpdateTime="") is None
    quiet = tick(Volume=0, Turnover=0.0, LastPrice=0.0)
    assert quiet is not None and quiet.volume == 0


def test_tick_date_from_action_day_else_trading_day_and_bad_dates() -> None:
    t = tick(ActionDay="", TradingDay="20261201")
    assert t is not None and t.datetime.date().isoformat() == "2026-12-01"
    assert tick(ActionDay="2026113", TradingDay="") is None
    assert tick(UpdateTime="25:00:00") is None


def test_tick_time_cache_across_dates_and_ms() -> None:
    cache = p.TickTimeCache()
    a = cache.get("20261130", "10:00:00", 0)
    b = cache.get("20261130", "10:00:00", 900)
    d = cache.get("20261201", "10:00:00", 0)
    assert a is not None and b is not None and d is not None
    assert (b - a).total_seconds() == pytest.approx(0.9)
    assert d.day == 1 and d.month == 12


def test_market_closed_flag() -> None:
    t = tick(ClosePrice=0.13)
    assert t is not None and t.extra is not None and t.extra["market_closed"] is True


# -- orders and trades -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status,submit,expected",
    [
        ("a", "0", "SUBMITTING"),
        ("3", "3", "NOTTRADED"),
        ("1", "3", "PARTTRADED"),
        ("2", "3", "CANCELLED"),
        ("4", "3", "CANCELLED"),
        ("0", "3", "ALLTRADED"),
        ("5", "3", "CANCELLED"),
        ("5", "4", "REJECTED"),
        ("4", "4", "REJECTED"),
    ],
)
def test_order_statuses(status: str, submit: str, expected: str) -> None:
    o = p.parse_order(f.order(OrderStatus=status, OrderSubmitStatus=submit), Exchange.SSE, "1_2_3", GW)
    assert o is not None and o.status.name == expected


def test_unknown_order_status_is_none() -> None:
    assert p.parse_order(f.order(OrderStatus="z"), Exchange.SSE, "1_2_3", GW) is None


def test_order_fields_and_extra() -> None:
    o = p.parse_order(
        f.order(Direction="1", CombOffsetFlag="0", CombHedgeFlag="4", VolumeTraded=2),
        Exchange.SSE,
        "1_123456_12",
        GW,
        reference="mine",
    )
    assert o is not None
    assert (o.direction, o.offset, o.type) == (Direction.SHORT, Offset.OPEN, OrderType.LIMIT)
    assert (o.price, o.volume, o.traded, o.reference) == (0.1234, 5, 2, "mine")
    assert o.datetime == datetime(2026, 11, 30, 10, 15, 31, tzinfo=CHINA)
    assert o.extra is not None and o.extra["covered"] is True
    assert o.extra["order_sysid"] == "1000001"


@pytest.mark.parametrize(
    "codes,expected",
    [
        (("2", "3", "1"), "LIMIT"),
        (("2", "1", "3"), "FOK"),
        (("1", "1", "1"), "MARKET"),
        (("2", "1", "1"), "FAK"),
        (("1", "1", "3"), "FOK"),
        (("1", "3", "1"), "MARKET"),
        (("G", "1", "1"), "MARKET"),
        (("H", "3", "1"), "MARKET"),
        (("3", "3", "1"), "MARKET"),
        (("4", "3", "1"), "LIMIT"),
    ],
)
def test_order_types_reported(codes: tuple[str, str, str], expected: str) -> None:
    data = f.order(OrderPriceType=codes[0], TimeCondition=codes[1], VolumeCondition=codes[2])
    assert p.parse_order_type(data).name == expected


@pytest.mark.parametrize(
    "exchange,codes,expected",
    [
        (Exchange.SSE, ("1", "3", "1"), "MARKET_TO_LIMIT"),
        (Exchange.SZSE, ("1", "3", "1"), "BEST_OPPOSITE"),  # some counters' 对手方最优
        (Exchange.SZSE, ("3", "3", "1"), "BEST_OPPOSITE"),
        (Exchange.SZSE, ("H", "3", "1"), "BEST_OWN"),
        (Exchange.SZSE, ("G", "1", "1"), "BEST5_IOC"),
        (Exchange.SSE, ("1", "1", "3"), "MARKET_FOK"),
        (Exchange.SSE, ("2", "1", "3"), "LIMIT_FOK"),
        (Exchange.SSE, ("G", "1", "1"), ""),  # not an SSE type
        (Exchange.SSE, ("2", "1", "1"), ""),  # limit FAK: no exchange type
    ],
)
def test_exchange_order_type_of_reported_orders(
    exchange: Exchange, codes: tuple[str, str, str], expected: str
) -> None:
    data = f.order(OrderPriceType=codes[0], TimeCondition=codes[1], VolumeCondition=codes[2],
                   ExchangeID=exchange.value)
    order = p.parse_order(data, exchange, "1_2_3", GW)
    assert order is not None and order.extra is not None
    assert order.extra["sopt_order_type"] == expected


def test_trade() -> None:
    t = p.parse_trade(f.trade(HedgeFlag="4", Direction="1"), Exchange.SSE, "1_2_3", GW)
    assert (t.tradeid, t.orderid, t.volume, t.price) == ("SSE_50001_S", "1_2_3", 2, 0.1234)
    assert t.extra is not None and t.extra["exchange_tradeid"] == "50001"
    assert t.direction is not None and t.direction.name == "SHORT"
    assert t.offset.name == "OPEN"
    assert t.datetime == datetime(2026, 11, 30, 10, 15, 32, tzinfo=CHINA)
    assert t.extra is not None and t.extra["covered"] is True


@pytest.mark.parametrize(
    ("fields", "exchange", "expected"),
    [
        ({"ExchangeID": "SSE", "TradeID": "     1", "Direction": "0"}, Exchange.SSE, "SSE_1_B"),
        ({"ExchangeID": "SZSE", "TradeID": "1", "Direction": "0"}, Exchange.SZSE, "SZSE_1_B"),
        ({"ExchangeID": "SSE", "TradeID": "1", "Direction": "1"}, Exchange.SSE, "SSE_1_S"),
        # an empty ExchangeID takes the exchange the caller resolved from the contract
        ({"ExchangeID": "", "TradeID": "7", "Direction": "1"}, Exchange.SZSE, "SZSE_7_S"),
    ],
)
def test_tradeid_is_unique_per_exchange_tradeid_and_side(
    fields: dict[str, str], exchange: Exchange, expected: str
) -> None:
    t = p.parse_trade(f.trade(**fields), exchange, "1_2_3", GW)
    assert t.tradeid == expected
    assert t.vt_tradeid == f"{GW}.{expected}"


def test_same_trade_replayed_gets_the_same_id_and_key() -> None:
    first = f.trade(ExchangeID="SZSE", TradeID=" 12", Direction="1")
    replay = dict(first, SequenceNo=99, TradeTime="10:15:33")
    a = p.parse_trade(first, Exchange.SZSE, "1_2_3", GW)
    b = p.parse_trade(replay, Exchange.SZSE, "9_9_9", GW)
    assert a.tradeid == b.tradeid == "SZSE_12_S"
    assert p.trade_key(first, Exchange.SZSE) == p.trade_key(replay, Exchange.SZSE) == (
        "SZSE", "12", "1"
    )


def test_orderid_round_trip() -> None:
    orderid = p.make_orderid(1, -5, " 12")
    assert orderid == "1_-5_12"
    assert p.split_orderid(orderid) == (1, -5, "12")
    assert p.split_orderid("nonsense") is None
    assert p.split_orderid("a_b_c") is None


# -- positions and account ---------------------------------------------------------------------


def test_positions_one_per_instrument_direction_hedge() -> None:
    c = contract()
    rows = [
        f.position(),  # long spec
        f.position(Position=4, TodayPosition=1, YdPosition=3, ShortFrozen=0, StrikeFrozen=2),
        f.position(PosiDirection="3", Position=3, TodayPosition=3, LongFrozen=1, ShortFrozen=0,
                   PositionCost=0.12 * 3 * 10000, UseMargin=9000.0),
        f.position(PosiDirection="3", HedgeFlag="4", Position=2, TodayPosition=0, LongFrozen=0,
                   ShortFrozen=0, PositionCost=0.1 * 2 * 10000),
        f.position(PosiDirection="9"),  # unknown direction: skipped
    ]
    result = p.parse_positions(rows, {c.symbol: c}, GW)
    assert len(result) == 3
    long = result[("10007001", "2", "1")]
    assert (long.volume, long.yd_volume, long.frozen) == (9, 3 + 3, 1 + 2)
    assert long.extra is not None and long.extra["strike_frozen"] == 2
    assert long.price == pytest.approx((0.12 * 5 * 10000 * 2) / (9 * 10000))
    short = result[("10007001", "3", "1")]
    assert (short.volume, short.yd_volume, short.frozen) == (3, 0, 1)
    assert short.direction.name == "SHORT"
    covered = result[("10007001", "3", "4")]
    assert covered.symbol == "10007001" + p.COVERED_SUFFIX
    assert covered.extra is not None and covered.extra["covered"] is True
    assert covered.vt_positionid != short.vt_positionid
    assert covered.price == pytest.approx(0.1)


def test_covered_short_comes_with_a_zero_speculative_short() -> None:
    c = contract()
    rows = [f.position(PosiDirection="3", HedgeFlag="4", Position=2, TodayPosition=2)]
    result = p.parse_positions(rows, {c.symbol: c}, GW)
    assert set(result) == {("10007001", "3", "4"), ("10007001", "3", "1")}
    spec = result[("10007001", "3", "1")]
    assert (spec.symbol, spec.volume, spec.direction.name) == ("10007001", 0, "SHORT")


def test_positions_empty_rows_are_ignored() -> None:
    assert p.parse_positions([{}, {}], {}, GW) == {}


def test_lock_position() -> None:
    lp = p.parse_lock_position(
        {"InstrumentID": "510050", "ExchangeID": "SSE", "Volume": 30000, "FrozenVolume": 10000,
         "TodayVolume": 20000},
        GW,
    )
    assert lp is not None
    assert lp.symbol == "510050" + p.LOCKED_SUFFIX
    assert (lp.volume, lp.frozen, lp.yd_volume) == (30000, 10000, 10000)
    assert lp.direction.name == "LONG"


def test_account() -> None:
    a = p.parse_account(f.account(), GW)
    assert a is not None
    assert a.vt_accountid == "CTPSOPT.000001"
    assert (a.balance, a.available, a.frozen) == (998_756.0, 965_751.0, 3005.0)
    assert a.extra is not None and a.extra["margin"] == 30_000.0 and a.extra["premium"] == -1234.0
    assert p.parse_account({}, GW) is None


def test_errors() -> None:
    assert not p.is_error({})
    assert not p.is_error(None)
    assert not p.is_error({"ErrorID": 0, "ErrorMsg": "CTP:No Error"})
    assert p.is_error({"ErrorID": 31, "ErrorMsg": "CTP:资金不足"})
    assert p.format_error({"ErrorID": 31, "ErrorMsg": "CTP:资金不足"}) == "代码：31，信息：CTP:资金不足"
    assert p.format_error({}) == "代码：，信息："


def test_parse_quote() -> None:
    data = {
        "InstrumentID": "10007001",
        "QuoteStatus": "3",
        "OrderSubmitStatus": "3",
        "BidPrice": 0.123,
        "AskPrice": 0.124,
        "BidVolume": 2,
        "AskVolume": 3,
        "BidOffsetFlag": "0",
        "AskOffsetFlag": "1",
        "InsertDate": "20261130",
        "InsertTime": "10:00:00",
    }
    q = p.parse_quote(data, Exchange.SSE, "1_2_4", GW)
    assert q is not None and q.status.name == "NOTTRADED"
    assert (q.bid_offset.name, q.ask_offset.name) == ("OPEN", "CLOSE")
    assert p.parse_quote({**data, "OrderSubmitStatus": "4"}, Exchange.SSE, "x", GW).status.name == "REJECTED"  # type: ignore[union-attr]
    assert p.parse_quote({**data, "QuoteStatus": "?"}, Exchange.SSE, "x", GW) is None


@pytest.mark.parametrize(
    "submit,result,expected",
    [
        ("0", "n", "SUBMITTING"),
        ("3", "n", "NOTTRADED"),
        ("3", "0", "ALLTRADED"),
        ("3", "c", "CANCELLED"),
        ("3", "1", "REJECTED"),
        ("4", "n", "REJECTED"),
    ],
)
def test_parse_exec_order(submit: str, result: str, expected: str) -> None:
    data = {"InstrumentID": "10007001", "OrderSubmitStatus": submit, "ExecResult": result,
            "Volume": 3, "StatusMsg": ""}
    e = p.parse_exec_order(data, Exchange.SSE, "1_2_5", GW)
    assert e.status.name == expected
    assert e.msg  # a readable text even without StatusMsg
    assert e.vt_exerciseid == "CTPSOPT.1_2_5"


@pytest.mark.parametrize("lock_status,expected", [("a", "SUBMITTING"), ("b", "ALLTRADED"), ("c", "REJECTED")])
def test_parse_lock(lock_status: str, expected: str) -> None:
    data = {"InstrumentID": "510050", "LockStatus": lock_status, "LockType": "2", "Volume": 10000}
    lock = p.parse_lock(data, Exchange.SSE, "1_2_7", GW)
    assert lock.status.name == expected
    assert lock.lock_type is LockType.UNLOCK
    assert lock.vt_lockid == "CTPSOPT.1_2_7"


def test_for_quote_rsp() -> None:
    data = {"TradingDay": "20261130", "InstrumentID": "90000001", "ForQuoteSysID": "  17",
            "ForQuoteTime": "10:01:02", "ActionDay": "20261130", "ExchangeID": "SZSE"}
    rfq = p.parse_for_quote_rsp(data, Exchange.SZSE, GW)
    assert rfq is not None
    assert (rfq.vt_symbol, rfq.rfqid, rfq.vt_rfqid) == ("90000001.SZSE", "17", f"{GW}.SZSE_17")
    assert rfq.datetime == datetime(2026, 11, 30, 10, 1, 2, tzinfo=CHINA)
    assert p.parse_for_quote_rsp({**data, "ForQuoteSysID": ""}, Exchange.SZSE, GW) is None
