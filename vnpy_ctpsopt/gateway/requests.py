"""Pure builders of CTP request dicts from vn.py requests.

``build_*`` validate a vn.py request against its contract and return ``(dict, "")`` or
``(None, reason)``, where ``reason`` is a Chinese message for the trader; the dicts carry exactly
the fields of the CThostFtdcInput*Field struct they stand for (tests/native converts each into the
real SWIG struct). Nothing here touches gateway state, threads or the network.
"""

from __future__ import annotations

import math
from typing import Any

from vnpy.trader.constant import Direction, Exchange, Offset, OrderType, Product
from vnpy.trader.object import ContractData, OrderRequest, QuoteRequest

from ..api import constant as c
from .events import (
    CombActionRequest,
    CombExerciseRequest,
    ExerciseRequest,
    LockRequest,
    LockType,
    SoptOrderType,
)
from .mapping import (
    DIRECTION_VT2SOPT,
    EXCHANGE_NAMES,
    HEDGE_COVERED,
    HEDGE_SPECULATION,
    OFFSET_VT2SOPT,
    ORDERTYPE_VT2SOPTTYPE,
    SOPT_ORDER_TYPE_NAMES,
    SOPT_ORDER_TYPES,
    OrderTypeCode,
)
from .parsing import Data

PRICE_EPSILON: float = 1e-6


def _check_price(price: float, contract: ContractData) -> str:
    """Reason a limit price is invalid, or ""."""
    if not isinstance(price, (int, float)) or not math.isfinite(price):
        return f"委托价格无效：{price}"
    if price <= 0:
        return f"委托价格必须大于0：{price}"
    tick: float = contract.pricetick
    if tick > 0:
        steps: float = price / tick
        if abs(steps - round(steps)) > PRICE_EPSILON:
            return f"委托价格{price}不是最小变动价位{tick}的整数倍"
    return ""


def _check_volume(volume: float, max_volume: float | None, min_volume: float) -> str:
    """Reason a volume is invalid, or ""."""
    if not isinstance(volume, (int, float)) or not math.isfinite(volume):
        return f"委托数量无效：{volume}"
    if volume <= 0:
        return f"委托数量必须大于0：{volume}"
    if volume != int(volume):
        return f"委托数量必须为整数：{volume}"
    if min_volume and volume < min_volume:
        return f"委托数量{int(volume)}小于单笔最小数量{int(min_volume)}"
    if max_volume and volume > max_volume:
        return f"委托数量{int(volume)}超过单笔最大数量{int(max_volume)}"
    return ""


def resolve_order_type(
    order_type: OrderType, exchange: Exchange, sopt_type: SoptOrderType | None = None
) -> tuple[SoptOrderType | None, str]:
    """The exchange order type an order is sent as: ``sopt_type`` when given, else vn.py's
    ``order_type`` (LIMIT, FOK, MARKET); (None, reason) when ``exchange`` does not take it."""
    exchange_name: str = EXCHANGE_NAMES.get(exchange, exchange.value)
    table: dict[SoptOrderType, OrderTypeCode] = SOPT_ORDER_TYPES.get(exchange, {})
    if sopt_type is None:
        kind: SoptOrderType | None = ORDERTYPE_VT2SOPTTYPE.get(order_type)
        if kind is None:
            if order_type == OrderType.FAK:
                return None, (
                    f"{exchange_name}期权不支持限价FAK委托（交易所无此委托类型），"
                    "可改用FOK或市价（剩余撤销）"
                )
            return None, f"{exchange_name}期权不支持该委托类型：{order_type.name}"
        sopt_type = kind
    if sopt_type not in table:
        names: str = "、".join(SOPT_ORDER_TYPE_NAMES.get(exchange, {}).values())
        return None, (
            f"{exchange_name}期权不支持{sopt_type.value}委托（{sopt_type.name}），"
            f"{exchange_name}可用：{names}"
        )
    return sopt_type, ""


def _order_side(
    req: OrderRequest, contract: ContractData, covered: bool
) -> tuple[tuple[str, str] | None, str]:
    """(Direction, CombOffsetFlag) of an option order, or (None, reason)."""
    direction: str | None = DIRECTION_VT2SOPT.get(req.direction)
    if direction is None:
        return None, f"委托方向无效：{req.direction}"
    offset: str | None = OFFSET_VT2SOPT.get(req.offset)
    if offset is None:
        return None, "期权委托必须指定开平方向（开/平）"
    if offset != c.THOST_FTDC_OF_Open:
        # SSE/SZSE do not split today's and yesterday's positions: every close is a plain close.
        offset = c.THOST_FTDC_OF_Close
    if covered:
        if contract.option_type is None:
            return None, "备兑委托只适用于期权合约"
        if contract.option_type.name != "CALL":
            return None, "备兑只支持认购期权"
        opening: bool = req.offset == Offset.OPEN
        if opening != (req.direction == Direction.SHORT):
            return None, "备兑只支持卖出开仓或买入平仓"
    return (direction, offset), ""


def build_order_insert(
    req: OrderRequest,
    contract: ContractData | None,
    order_ref: str,
    brokerid: str,
    userid: str,
    covered: bool = False,
    sopt_type: SoptOrderType | None = None,
) -> tuple[Data | None, str]:
    """Validate ``req`` and build a CThostFtdcInputOrderField dict.

    The exchange order type is ``sopt_type`` when given (CtpsoptGateway.send_sopt_order), else
    vn.py's type: LIMIT -> limit GFD; FOK -> limit FOK; MARKET -> market IOC (市价剩余撤销 /
    即时成交剩余撤销); FAK (limit IOC) exists on neither exchange and is refused (see
    resolve_order_type and mapping.SOPT_ORDER_TYPES). Market and best-price types are sent with
    LimitPrice 0 and checked against the market-order volume limits. ``covered`` sends
    CombHedgeFlag '4' and only allows short+open / long+close on calls.
    """
    if contract is None:
        return None, f"找不到合约：{req.vt_symbol}"
    if req.exchange != contract.exchange:
        return None, f"交易所不匹配：{req.vt_symbol} 属于 {contract.exchange.value}"
    if contract.product == Product.SPREAD:
        return None, f"组合合约不能直接下单：{req.vt_symbol}"
    if contract.product != Product.OPTION:
        return None, (
            f"本柜台只交易期权，不交易{req.vt_symbol}现货（ETF请在证券账户买卖；"
            "备兑所需的ETF锁定/解锁请用send_lock）"
        )

    kind, reason = resolve_order_type(req.type, contract.exchange, sopt_type)
    if kind is None:
        return None, reason
    codes: OrderTypeCode = SOPT_ORDER_TYPES[contract.exchange][kind]
    side, reason = _order_side(req, contract, covered)
    if side is None:
        return None, reason
    direction, offset = side

    price: float = req.price
    if codes[0] != c.THOST_FTDC_OPT_LimitPrice:
        if isinstance(price, (int, float)) and (math.isnan(price) or price < 0):
            return None, f"委托价格无效：{price}"
        price = 0.0
        extra: dict[str, Any] = contract.extra or {}
        max_volume: float | None = extra.get("max_market_volume") or contract.max_volume
        min_volume: float = extra.get("min_market_volume") or contract.min_volume
    else:
        reason = _check_price(price, contract)
        if reason:
            return None, reason
        max_volume = contract.max_volume
        min_volume = contract.min_volume
    reason = _check_volume(req.volume, max_volume, min_volume)
    if reason:
        return None, reason

    price_type, time_condition, volume_condition = codes
    ctp_req: Data = {
        **_header(brokerid, userid, contract.symbol, contract.exchange),
        "OrderRef": order_ref,
        "OrderPriceType": price_type,
        "Direction": direction,
        "CombOffsetFlag": offset,
        "CombHedgeFlag": HEDGE_COVERED if covered else HEDGE_SPECULATION,
        "LimitPrice": float(price),
        "VolumeTotalOriginal": int(req.volume),
        "TimeCondition": time_condition,
        "VolumeCondition": volume_condition,
        "MinVolume": 1,
        "ContingentCondition": c.THOST_FTDC_CC_Immediately,
        "StopPrice": 0.0,
        "ForceCloseReason": c.THOST_FTDC_FCC_NotForceClose,
        "IsAutoSuspend": 0,
        "UserForceClose": 0,
        "IsSwapOrder": 0,
    }
    return ctp_req, ""


def _header(brokerid: str, userid: str, symbol: str, exchange: Exchange) -> Data:
    """The identity fields every request for one instrument starts with."""
    return {
        "BrokerID": brokerid,
        "InvestorID": userid,
        "UserID": userid,
        "InstrumentID": symbol,
        "ExchangeID": exchange.value,
    }


def _delete_action(
    header: Data, frontid: int, sessionid: int, ref: tuple[str, str], sysid: tuple[str, str]
) -> Data:
    """A delete action locating its target by (FrontID, SessionID, ref) and by the counter's
    system id when known; ``ref`` and ``sysid`` are (field name, value) pairs."""
    req: Data = {
        **header,
        "FrontID": frontid,
        "SessionID": sessionid,
        ref[0]: ref[1],
        "ActionFlag": c.THOST_FTDC_AF_Delete,
    }
    if sysid[1]:
        req[sysid[0]] = sysid[1]
    return req


def build_cancel(
    symbol: str,
    exchange: Exchange,
    frontid: int,
    sessionid: int,
    order_ref: str,
    brokerid: str,
    userid: str,
    order_sysid: str = "",
) -> Data:
    """A CThostFtdcInputOrderActionField dict (delete), with the ExchangeID as a string and the
    OrderSysID when known (either key locates the order at the counter)."""
    return _delete_action(
        _header(brokerid, userid, symbol, exchange),
        frontid,
        sessionid,
        ("OrderRef", order_ref),
        ("OrderSysID", order_sysid),
    )


def build_exec_order(
    req: ExerciseRequest,
    contract: ContractData | None,
    exec_ref: str,
    brokerid: str,
    userid: str,
) -> tuple[Data | None, str]:
    """Validate and build a CThostFtdcInputExecOrderField dict (exercise long positions)."""
    if contract is None:
        return None, f"找不到合约：{req.vt_symbol}"
    if contract.product != Product.OPTION:
        return None, f"只有期权合约可以行权：{req.vt_symbol}"
    reason: str = _check_volume(req.volume, None, 1)
    if reason:
        return None, reason
    return {
        **_header(brokerid, userid, contract.symbol, contract.exchange),
        "ExecOrderRef": exec_ref,
        "Volume": int(req.volume),
        "ActionType": c.THOST_FTDC_ACTP_Exec,
        "PosiDirection": c.THOST_FTDC_PD_Long,
        "OffsetFlag": c.THOST_FTDC_OF_Close,
        "HedgeFlag": HEDGE_SPECULATION,
        "CloseFlag": c.THOST_FTDC_EOCF_AutoClose,
    }, ""


def build_exec_action(
    exchange: Exchange,
    symbol: str,
    frontid: int,
    sessionid: int,
    exec_ref: str,
    brokerid: str,
    userid: str,
    exec_sysid: str = "",
) -> Data:
    """A CThostFtdcInputExecOrderActionField dict cancelling an exercise declaration."""
    return _delete_action(
        _header(brokerid, userid, symbol, exchange),
        frontid,
        sessionid,
        ("ExecOrderRef", exec_ref),
        ("ExecOrderSysID", exec_sysid),
    )


def build_lock(
    req: LockRequest,
    contract: ContractData | None,
    lock_ref: str,
    brokerid: str,
    userid: str,
) -> tuple[Data | None, str]:
    """Validate and build a CThostFtdcInputLockField dict (lock/unlock ETF shares, SSE only)."""
    if contract is None:
        return None, f"找不到标的证券：{req.vt_symbol}"
    if contract.product == Product.OPTION or contract.product == Product.SPREAD:
        return None, f"锁定/解锁的对象是标的ETF，不是期权：{req.vt_symbol}"
    if contract.exchange != Exchange.SSE:
        return None, "深交所不支持证券锁定/解锁：备兑开仓时交易所自动冻结标的"
    reason: str = _check_volume(req.volume, None, 1)
    if reason:
        return None, reason.replace("委托数量", "锁定数量")
    return {
        **_header(brokerid, userid, contract.symbol, contract.exchange),
        "LockRef": lock_ref,
        "Volume": int(req.volume),
        "LockType": (
            c.THOST_FTDC_LCKT_Lock if req.lock_type == LockType.LOCK else c.THOST_FTDC_LCKT_Unlock
        ),
    }, ""


def build_quote(
    req: QuoteRequest,
    contract: ContractData | None,
    quote_ref: str,
    bid_order_ref: str,
    ask_order_ref: str,
    brokerid: str,
    userid: str,
) -> tuple[Data | None, str]:
    """Validate and build a CThostFtdcInputQuoteField dict (market-maker two-sided quote).

    Both sides carry the speculation hedge flag, as vnpy_ctp sends them; the counter attaches the
    account's market-maker trading code."""
    if contract is None:
        return None, f"找不到合约：{req.vt_symbol}"
    if contract.product != Product.OPTION:
        return None, f"只能对期权合约报价：{req.vt_symbol}"
    bid_offset: str | None = OFFSET_VT2SOPT.get(req.bid_offset)
    ask_offset: str | None = OFFSET_VT2SOPT.get(req.ask_offset)
    if bid_offset is None or ask_offset is None:
        return None, "报价必须指定买卖两边的开平方向"
    for price in (req.bid_price, req.ask_price):
        reason: str = _check_price(price, contract)
        if reason:
            return None, reason
    if req.bid_price >= req.ask_price:
        return None, f"买价{req.bid_price}必须低于卖价{req.ask_price}"
    for volume in (req.bid_volume, req.ask_volume):
        reason = _check_volume(volume, contract.max_volume, contract.min_volume)
        if reason:
            return None, reason
    return {
        **_header(brokerid, userid, contract.symbol, contract.exchange),
        "QuoteRef": quote_ref,
        "BidPrice": float(req.bid_price),
        "AskPrice": float(req.ask_price),
        "BidVolume": int(req.bid_volume),
        "AskVolume": int(req.ask_volume),
        "BidOffsetFlag": bid_offset,
        "AskOffsetFlag": ask_offset,
        "BidHedgeFlag": HEDGE_SPECULATION,
        "AskHedgeFlag": HEDGE_SPECULATION,
        "BidOrderRef": bid_order_ref,
        "AskOrderRef": ask_order_ref,
    }, ""


def build_quote_action(
    symbol: str,
    exchange: Exchange,
    frontid: int,
    sessionid: int,
    quote_ref: str,
    brokerid: str,
    userid: str,
    quote_sysid: str = "",
) -> Data:
    """A CThostFtdcInputQuoteActionField dict cancelling a quote."""
    return _delete_action(
        _header(brokerid, userid, symbol, exchange),
        frontid,
        sessionid,
        ("QuoteRef", quote_ref),
        ("QuoteSysID", quote_sysid),
    )


def build_for_quote(
    req: OrderRequest,
    contract: ContractData | None,
    for_quote_ref: str,
    brokerid: str,
    userid: str,
) -> tuple[Data | None, str]:
    """Validate and build a CThostFtdcInputForQuoteField dict (询价: ask market makers for a
    quote on an option). Only the instrument matters; direction, price and volume are unused."""
    if contract is None:
        return None, f"找不到合约：{req.vt_symbol}"
    if contract.product != Product.OPTION:
        return None, f"只能对期权合约询价：{req.vt_symbol}"
    return {
        **_header(brokerid, userid, contract.symbol, contract.exchange),
        "ForQuoteRef": for_quote_ref,
    }, ""


def build_exec_combine_order(
    req: CombExerciseRequest,
    call: ContractData | None,
    put: ContractData | None,
    ref: str,
    brokerid: str,
    userid: str,
) -> tuple[Data | None, str]:
    """Validate and build a CThostFtdcInputExecCombineOrderField dict (合并行权: a call and a put
    of one underlying, strike and expiry exercised together). Only SZSE offers it (A.9); the
    15:00-15:30 window of the expiry day is the counter's to check."""
    if req.exchange != Exchange.SZSE:
        return None, "合并行权仅深交所提供（上交所无此业务），请分别行权"
    if call is None or put is None:
        missing: str = req.vt_symbol if call is None else req.put_vt_symbol
        return None, f"找不到合约：{missing}"
    if call.option_type is None or call.option_type.name != "CALL":
        return None, f"合并行权的第一腿必须是认购期权：{call.vt_symbol}"
    if put.option_type is None or put.option_type.name != "PUT":
        return None, f"合并行权的第二腿必须是认沽期权：{put.vt_symbol}"
    if (call.option_portfolio, call.option_strike, call.option_expiry, call.size) != (
        put.option_portfolio, put.option_strike, put.option_expiry, put.size
    ):
        return None, "合并行权的认购和认沽必须是同一标的、同一行权价和到期日"
    reason: str = _check_volume(req.volume, None, 1)
    if reason:
        return None, reason
    return {
        "BrokerID": brokerid,
        "InvestorID": userid,
        "UserID": userid,
        "ExchangeID": call.exchange.value,
        "CallInstrumentID": call.symbol,
        "PutInstrumentID": put.symbol,
        "ExecCombineOrderRef": ref,
        "Volume": int(req.volume),
        "ActionType": c.THOST_FTDC_ACTP_Exec,
    }, ""


def build_exec_combine_action(
    exchange: Exchange,
    frontid: int,
    sessionid: int,
    ref: str,
    brokerid: str,
    userid: str,
    sysid: str = "",
) -> Data:
    """A CThostFtdcInputExecCombineOrderActionField dict cancelling a combined exercise."""
    req: Data = {
        "BrokerID": brokerid,
        "InvestorID": userid,
        "UserID": userid,
        "ExchangeID": exchange.value,
        "FrontID": frontid,
        "SessionID": sessionid,
        "ExecCombineOrderRef": ref,
        "ActionFlag": c.THOST_FTDC_AF_Delete,
    }
    if sysid:
        req["ExecCombineOrderSysID"] = sysid
    return req


def build_comb_action(
    req: CombActionRequest,
    contract: ContractData | None,
    ref: str,
    brokerid: str,
    userid: str,
) -> tuple[Data | None, str]:
    """Validate and build a CThostFtdcInputCombActionField dict: combine (CombDirection '0') or
    split ('1', naming the ComTradeID) a combination strategy position."""
    if contract is None:
        return None, f"找不到组合合约：{req.vt_symbol}"
    if contract.product != Product.SPREAD:
        return None, f"组合/拆分的对象是柜台列出的组合合约，不是{req.vt_symbol}"
    if not req.combine and not req.com_tradeid:
        return None, "拆分组合必须指定组合编号（com_tradeid）"
    direction: str | None = DIRECTION_VT2SOPT.get(req.direction)
    if direction is None:
        return None, f"组合方向无效：{req.direction}"
    reason: str = _check_volume(req.volume, None, 1)
    if reason:
        return None, reason.replace("委托数量", "组合数量")
    data: Data = {
        **_header(brokerid, userid, contract.symbol, contract.exchange),
        "CombActionRef": ref,
        "Direction": direction,
        "Volume": int(req.volume),
        "CombDirection": c.THOST_FTDC_CMDR_Comb if req.combine else c.THOST_FTDC_CMDR_UnComb,
        "HedgeFlag": HEDGE_SPECULATION,
    }
    if not req.combine:
        data["ComTradeID"] = req.com_tradeid
    return data, ""
