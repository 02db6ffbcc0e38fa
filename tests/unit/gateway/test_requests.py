"""Request builders (requests.py) on fixture contracts: every field, every refusal."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

import pytest
from vnpy.trader.constant import Direction, Exchange, Offset, OrderType, Product
from vnpy.trader.object import ContractData, OrderRequest, QuoteRequest

from vnpy_ctpsopt.gateway import parsing as p
from vnpy_ctpsopt.gateway import requests as rq
from vnpy_ctpsopt.gateway.events import (
    CombActionRequest,
    CombExerciseRequest,
    ExerciseRequest,
    LockRequest,
    LockType,
    SoptOrderType,
)

from . import fixtures as f

GW = "CTPSOPT"
CHINA = ZoneInfo("Asia/Shanghai")


def contract(**kw: object) -> ContractData:
    result = p.parse_contract(f.instrument(**kw), GW)
    assert result is not None
    return result



# -- order insert ------------------------------------------------------------------------------


def req(**kw: object) -> OrderRequest:
    base: dict[str, object] = dict(
        symbol="10007001",
        exchange=Exchange.SSE,
        direction=Direction.LONG,
        type=OrderType.LIMIT,
        volume=2,
        price=0.1234,
        offset=Offset.OPEN,
    )
    base.update(kw)
    return OrderRequest(**base)  # type: ignore[arg-type]


def build(r: OrderRequest, covered: bool = False, c: ContractData | None = None):  # type: ignore[no-untyped-def]
    return rq.build_order_insert(r, c or contract(), "13", "9999", "000001", covered)


@pytest.mark.parametrize("exchange", ["SSE", "SZSE"])
@pytest.mark.parametrize(
    "order_type,codes,price",
    [
        (OrderType.LIMIT, ("2", "3", "1"), 0.1234),
        (OrderType.FOK, ("2", "1", "3"), 0.1234),
        (OrderType.MARKET, ("1", "1", "1"), 0.0),
    ],
)
def test_order_types_build(
    exchange: str, order_type: OrderType, codes: tuple[str, str, str], price: float
) -> None:
    c = contract(ExchangeID=exchange)
    r = req(exchange=c.exchange, type=order_type)
    data, reason = build(r, c=c)
    assert reason == "" and data is not None
    assert (data["OrderPriceType"], data["TimeCondition"], data["VolumeCondition"]) == codes
    assert data["LimitPrice"] == price
    assert data["ExchangeID"] == exchange
    assert (data["Direction"], data["CombOffsetFlag"], data["CombHedgeFlag"]) == ("0", "0", "1")
    assert (data["OrderRef"], data["VolumeTotalOriginal"], data["ContingentCondition"]) == (
        "13",
        2,
        "1",
    )


# Every exchange order type and its CTP encoding, as sopt-rules A.6 lists them.
S = SoptOrderType
A6: dict[str, dict[SoptOrderType, tuple[str, str, str]]] = {
    "SSE": {
        S.LIMIT: ("2", "3", "1"),  # 普通限价
        S.LIMIT_FOK: ("2", "1", "3"),  # 全额即时限价
        S.MARKET_IOC: ("1", "1", "1"),  # 市价剩余撤销
        S.MARKET_FOK: ("1", "1", "3"),  # 全额即时市价
        S.MARKET_TO_LIMIT: ("1", "3", "1"),  # 市价剩余转限价
    },
    "SZSE": {
        S.LIMIT: ("2", "3", "1"),  # 普通限价
        S.LIMIT_FOK: ("2", "1", "3"),  # 限价全额成交或撤销
        S.BEST_OPPOSITE: ("3", "3", "1"),  # 对手方最优价格
        S.BEST_OWN: ("H", "3", "1"),  # 本方最优价格
        S.BEST5_IOC: ("G", "1", "1"),  # 最优五档即时成交剩余撤销
        S.MARKET_IOC: ("1", "1", "1"),  # 即时成交剩余撤销
        S.MARKET_FOK: ("1", "1", "3"),  # 全额成交或撤销
    },
}
LIMIT_PRICED = {S.LIMIT, S.LIMIT_FOK}


@pytest.mark.parametrize(
    "exchange,kind",
    [(exchange, kind) for exchange in ("SSE", "SZSE") for kind in SoptOrderType],
)
def test_every_exchange_order_type_is_sent_or_refused_per_exchange(
    exchange: str, kind: SoptOrderType
) -> None:
    c = contract(ExchangeID=exchange)
    data, reason = rq.build_order_insert(
        req(exchange=c.exchange, volume=3), c, "13", "9999", "000001", False, kind
    )
    expected = A6[exchange].get(kind)
    if expected is None:
        name = "上交所" if exchange == "SSE" else "深交所"
        assert data is None and reason.startswith(f"{name}期权不支持{kind.value}委托")
        assert "可用：普通限价" in reason
        return
    assert reason == "" and data is not None
    assert (data["OrderPriceType"], data["TimeCondition"], data["VolumeCondition"]) == expected
    assert data["LimitPrice"] == (0.1234 if kind in LIMIT_PRICED else 0.0)
    assert data["VolumeTotalOriginal"] == 3


@pytest.mark.parametrize(
    "kind,volume,ok",
    [(S.BEST5_IOC, 10, True), (S.BEST5_IOC, 11, False), (S.LIMIT, 50, True), (S.LIMIT, 51, False),
     (S.BEST_OWN, 11, False), (S.MARKET_FOK, 10, True)],
)
def test_best_and_market_types_use_the_market_volume_limit(
    kind: SoptOrderType, volume: int, ok: bool
) -> None:
    c = contract(ExchangeID="SZSE")
    data, reason = rq.build_order_insert(
        req(exchange=c.exchange, volume=volume), c, "1", "", "", False, kind
    )
    assert (data is not None) is ok, reason
    if not ok:
        assert "超过单笔最大数量" in reason


def test_vn_py_types_are_the_exchange_types_they_stand_for() -> None:
    for order_type, kind in ((OrderType.LIMIT, S.LIMIT), (OrderType.FOK, S.LIMIT_FOK),
                             (OrderType.MARKET, S.MARKET_IOC)):
        for exchange in (Exchange.SSE, Exchange.SZSE):
            assert rq.resolve_order_type(order_type, exchange) == (kind, "")
    # an explicit exchange type wins over req.type
    assert rq.resolve_order_type(OrderType.FAK, Exchange.SSE, S.MARKET_TO_LIMIT) == (
        S.MARKET_TO_LIMIT, ""
    )
    kind, reason = rq.resolve_order_type(OrderType.STOP, Exchange.SZSE)
    assert kind is None and "STOP" in reason


def test_etf_order_says_the_etf_is_not_traded_on_this_counter() -> None:
    etf_contract = etf()
    assert etf_contract.product is Product.ETF
    for offset in (Offset.NONE, Offset.OPEN):
        data, reason = build(req(symbol="510050", offset=offset), c=etf_contract)
        assert data is None and "不交易510050.SSE现货" in reason
        assert "开平" not in reason


@pytest.mark.parametrize("exchange", ["SSE", "SZSE"])
def test_fak_is_refused_with_a_reason(exchange: str) -> None:
    c = contract(ExchangeID=exchange)
    data, reason = build(req(exchange=c.exchange, type=OrderType.FAK), c=c)
    assert data is None and "FAK" in reason


@pytest.mark.parametrize(
    "kw,fragment",
    [
        ({"price": math.nan}, "价格无效"),
        ({"price": math.inf}, "价格无效"),
        ({"price": -0.1}, "大于0"),
        ({"price": 0.0}, "大于0"),
        ({"price": 0.12345}, "最小变动价位"),
        ({"volume": 0}, "数量必须大于0"),
        ({"volume": -1}, "数量必须大于0"),
        ({"volume": 1.5}, "整数"),
        ({"volume": 51}, "最大数量50"),
        ({"volume": math.nan}, "数量无效"),
        ({"type": OrderType.MARKET, "volume": 11}, "最大数量10"),
        ({"type": OrderType.MARKET, "price": math.nan}, "价格无效"),
        ({"offset": Offset.NONE}, "开平"),
        ({"type": OrderType.STOP}, "不支持该委托类型"),
        ({"type": OrderType.RFQ}, "不支持该委托类型"),
        ({"exchange": Exchange.SZSE}, "交易所不匹配"),
        ({"direction": Direction.NET}, "方向无效"),
    ],
)
def test_bad_input_is_refused(kw: dict[str, object], fragment: str) -> None:
    data, reason = build(req(**kw))
    assert data is None
    assert fragment in reason


def test_unknown_contract_and_spread_are_refused() -> None:
    data, reason = rq.build_order_insert(req(), None, "1", "", "", False)
    assert data is None and "找不到合约" in reason
    combo = contract(InstrumentID="CNSJC 10007001&10007003", ProductClass="3")
    data, reason = build(req(symbol=combo.symbol), c=combo)
    assert data is None and "组合" in reason


def test_covered_orders() -> None:
    data, reason = build(req(direction=Direction.SHORT, offset=Offset.OPEN), covered=True)
    assert reason == "" and data is not None and data["CombHedgeFlag"] == "4"
    assert (data["Direction"], data["CombOffsetFlag"]) == ("1", "0")
    data, reason = build(req(direction=Direction.LONG, offset=Offset.CLOSE), covered=True)
    assert reason == "" and data is not None and data["CombOffsetFlag"] == "1"
    _, reason = build(req(direction=Direction.LONG, offset=Offset.OPEN), covered=True)
    assert "卖出开仓或买入平仓" in reason
    put = contract(OptionsType="2", InstrumentCode="510050P2612M02800")
    _, reason = build(req(direction=Direction.SHORT), covered=True, c=put)
    assert "认购" in reason


def test_close_today_and_yesterday_are_plain_closes() -> None:
    for offset in (Offset.CLOSETODAY, Offset.CLOSEYESTERDAY, Offset.CLOSE):
        data, _ = build(req(offset=offset, direction=Direction.SHORT))
        assert data is not None and data["CombOffsetFlag"] == "1"


def test_cancel_uses_exchange_id_string() -> None:
    data = rq.build_cancel("10007001", Exchange.SZSE, 1, 2, "13", "9999", "000001", "  77")
    assert data["ExchangeID"] == "SZSE"
    assert "Exchange" not in data
    assert (data["FrontID"], data["SessionID"], data["OrderRef"], data["ActionFlag"]) == (
        1,
        2,
        "13",
        "0",
    )
    assert data["OrderSysID"] == "  77"
    assert "OrderSysID" not in rq.build_cancel("x", Exchange.SSE, 1, 2, "3", "", "")


# -- exercise, lock, quotes --------------------------------------------------------------------


def test_exec_order() -> None:
    data, reason = rq.build_exec_order(
        ExerciseRequest("10007001", Exchange.SSE, 3), contract(), "5", "9999", "000001"
    )
    assert reason == "" and data is not None
    assert (data["ActionType"], data["PosiDirection"], data["OffsetFlag"], data["HedgeFlag"]) == (
        "1",
        "2",
        "1",
        "1",
    )
    assert (data["Volume"], data["ExecOrderRef"], data["ExchangeID"]) == (3, "5", "SSE")
    _, reason = rq.build_exec_order(ExerciseRequest("x", Exchange.SSE, 1), None, "5", "", "")
    assert "找不到合约" in reason
    _, reason = rq.build_exec_order(
        ExerciseRequest("10007001", Exchange.SSE, 0), contract(), "5", "", ""
    )
    assert "大于0" in reason
    action = rq.build_exec_action(Exchange.SSE, "10007001", 1, 2, "5", "", "", "88")
    assert (action["ExchangeID"], action["ExecOrderRef"], action["ExecOrderSysID"]) == (
        "SSE",
        "5",
        "88",
    )


def etf(exchange: str = "SSE") -> ContractData:
    return contract(
        InstrumentID="510050" if exchange == "SSE" else "159919",
        ExchangeID=exchange,
        ProductClass="8",
        VolumeMultiple=1,
        PriceTick=0.001,
    )


def test_lock_builds_and_refusals() -> None:
    data, reason = rq.build_lock(
        LockRequest("510050", Exchange.SSE, 10000), etf(), "7", "9999", "000001"
    )
    assert reason == "" and data is not None
    assert (data["LockType"], data["Volume"], data["ExchangeID"]) == ("1", 10000, "SSE")
    data, _ = rq.build_lock(
        LockRequest("510050", Exchange.SSE, 10000, LockType.UNLOCK), etf(), "8", "", ""
    )
    assert data is not None and data["LockType"] == "2"
    _, reason = rq.build_lock(LockRequest("159919", Exchange.SZSE, 10000), etf("SZSE"), "9", "", "")
    assert "深交所不支持" in reason
    _, reason = rq.build_lock(LockRequest("10007001", Exchange.SSE, 10000), contract(), "9", "", "")
    assert "标的ETF" in reason
    _, reason = rq.build_lock(LockRequest("510050", Exchange.SSE, -5), etf(), "9", "", "")
    assert "锁定数量" in reason


def qreq(**kw: object) -> QuoteRequest:
    base: dict[str, object] = dict(
        symbol="10007001",
        exchange=Exchange.SSE,
        bid_price=0.1230,
        bid_volume=2,
        ask_price=0.1240,
        ask_volume=3,
        bid_offset=Offset.OPEN,
        ask_offset=Offset.OPEN,
    )
    base.update(kw)
    return QuoteRequest(**base)  # type: ignore[arg-type]


def test_quote_build_and_refusals() -> None:
    data, reason = rq.build_quote(qreq(), contract(), "4", "20", "21", "9999", "000001")
    assert reason == "" and data is not None
    assert (data["BidHedgeFlag"], data["AskHedgeFlag"]) == ("1", "1")
    assert (data["BidOrderRef"], data["AskOrderRef"], data["QuoteRef"]) == ("20", "21", "4")
    for kw, fragment in [
        ({"bid_offset": Offset.NONE}, "开平"),
        ({"bid_price": 0.1241}, "低于卖价"),
        ({"ask_price": 0.12405}, "最小变动价位"),
        ({"ask_volume": 0}, "大于0"),
    ]:
        data, reason = rq.build_quote(qreq(**kw), contract(), "4", "20", "21", "", "")
        assert data is None and fragment in reason
    action = rq.build_quote_action("10007001", Exchange.SSE, 1, 2, "4", "", "", "99")
    assert (action["QuoteRef"], action["QuoteSysID"], action["ActionFlag"]) == ("4", "99", "0")




def test_for_quote_request_and_refusals() -> None:
    data, reason = rq.build_for_quote(req(type=OrderType.RFQ), contract(), "31", "9999", "000001")
    assert reason == "" and data == {
        "BrokerID": "9999", "InvestorID": "000001", "UserID": "000001",
        "InstrumentID": "10007001", "ExchangeID": "SSE", "ForQuoteRef": "31",
    }
    _, reason = rq.build_for_quote(req(symbol="510050"), etf(), "31", "", "")
    assert reason == "只能对期权合约询价：510050.SSE"
    _, reason = rq.build_for_quote(req(), None, "31", "", "")
    assert reason.startswith("找不到合约")


def szse_leg(symbol: str, option_type: str, **kw: object) -> ContractData:
    return contract(InstrumentID=symbol, ExchangeID="SZSE", OptionsType=option_type,
                    InstrumentCode=f"159919{'C' if option_type == '1' else 'P'}2612M02800", **kw)


def test_combined_exercise_builds_on_szse_and_is_refused_elsewhere() -> None:
    call, put = szse_leg("90000001", "1"), szse_leg("90000002", "2")
    creq = CombExerciseRequest("90000001", "90000002", Exchange.SZSE, 2)
    data, reason = rq.build_exec_combine_order(creq, call, put, "7", "9999", "000001")
    assert reason == "" and data == {
        "BrokerID": "9999", "InvestorID": "000001", "UserID": "000001", "ExchangeID": "SZSE",
        "CallInstrumentID": "90000001", "PutInstrumentID": "90000002",
        "ExecCombineOrderRef": "7", "Volume": 2, "ActionType": "1",
    }
    sse = CombExerciseRequest("10007001", "10007002", Exchange.SSE, 1)
    _, reason = rq.build_exec_combine_order(sse, contract(), contract(), "7", "", "")
    assert reason.startswith("合并行权仅深交所提供")
    _, reason = rq.build_exec_combine_order(creq, put, call, "7", "", "")
    assert "认购" in reason
    other_strike = szse_leg("90000003", "2", StrikePrice=2.9)
    _, reason = rq.build_exec_combine_order(creq, call, other_strike, "7", "", "")
    assert "同一标的、同一行权价和到期日" in reason
    _, reason = rq.build_exec_combine_order(creq, call, None, "7", "", "")
    assert reason == "找不到合约：90000002.SZSE"
    bad = CombExerciseRequest("90000001", "90000002", Exchange.SZSE, 1.5)
    _, reason = rq.build_exec_combine_order(bad, call, put, "7", "", "")
    assert "整数" in reason
    action = rq.build_exec_combine_action(Exchange.SZSE, 1, 2, "7", "9999", "000001", "55")
    assert (action["ExecCombineOrderRef"], action["ExecCombineOrderSysID"], action["ActionFlag"],
            action["FrontID"], action["SessionID"]) == ("7", "55", "0", 1, 2)


def test_comb_action_combine_and_split() -> None:
    combo = contract(InstrumentID="KS 10007001&10007002", ProductClass="3")
    assert combo.product is Product.SPREAD
    creq = CombActionRequest("KS 10007001&10007002", Exchange.SSE, 2)
    data, reason = rq.build_comb_action(creq, combo, "8", "9999", "000001")
    assert reason == "" and data is not None
    assert (data["CombActionRef"], data["Direction"], data["Volume"], data["CombDirection"],
            data["HedgeFlag"], data["InstrumentID"]) == ("8", "1", 2, "0", "1",
                                                         "KS 10007001&10007002")
    assert "ComTradeID" not in data
    split = CombActionRequest(combo.symbol, Exchange.SSE, 1, combine=False, com_tradeid="77")
    data, _ = rq.build_comb_action(split, combo, "9", "", "")
    assert data is not None and (data["CombDirection"], data["ComTradeID"]) == ("1", "77")
    _, reason = rq.build_comb_action(
        CombActionRequest(combo.symbol, Exchange.SSE, 1, combine=False), combo, "9", "", "")
    assert "组合编号" in reason
    _, reason = rq.build_comb_action(CombActionRequest("10007001", Exchange.SSE, 1), contract(),
                                     "9", "", "")
    assert "组合合约" in reason
