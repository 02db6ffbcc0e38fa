"""Enum tables between CTP SOPT codes and vn.py constants.

Every table is read with ``.get()`` by the parsers: a code missing here is logged by the caller and
never raises. Inverse tables are built by comprehension so the two directions cannot drift.
"""

from __future__ import annotations

from vnpy.trader.constant import Direction, Exchange, Offset, OptionType, OrderType, Product, Status

from ..api import constant as c
from .events import SoptOrderType

# Order status (OrderStatus -> Status). OrderSubmitStatus '4' InsertRejected overrides to REJECTED.
STATUS_SOPT2VT: dict[str, Status] = {
    c.THOST_FTDC_OST_AllTraded: Status.ALLTRADED,
    c.THOST_FTDC_OST_PartTradedQueueing: Status.PARTTRADED,
    # Partly traded and no longer in the book: the rest was cancelled (FAK/IOC, partial cancel).
    c.THOST_FTDC_OST_PartTradedNotQueueing: Status.CANCELLED,
    c.THOST_FTDC_OST_NoTradeQueueing: Status.NOTTRADED,
    # Nothing traded and not in the book: an IOC/FOK that found nothing, or a cancelled order.
    c.THOST_FTDC_OST_NoTradeNotQueueing: Status.CANCELLED,
    c.THOST_FTDC_OST_Canceled: Status.CANCELLED,
    c.THOST_FTDC_OST_Unknown: Status.SUBMITTING,
    c.THOST_FTDC_OST_NotTouched: Status.NOTTRADED,
    c.THOST_FTDC_OST_Touched: Status.NOTTRADED,
}

# Submit states that mean the exchange or counter refused the insert.
REJECTED_SUBMIT_STATUSES: frozenset[str] = frozenset({c.THOST_FTDC_OSS_InsertRejected})

# Order/trade Direction
DIRECTION_VT2SOPT: dict[Direction, str] = {
    Direction.LONG: c.THOST_FTDC_D_Buy,
    Direction.SHORT: c.THOST_FTDC_D_Sell,
}
DIRECTION_SOPT2VT: dict[str, Direction] = {v: k for k, v in DIRECTION_VT2SOPT.items()}

# Position direction (PosiDirection)
POSDIRECTION_VT2SOPT: dict[Direction, str] = {
    Direction.LONG: c.THOST_FTDC_PD_Long,
    Direction.SHORT: c.THOST_FTDC_PD_Short,
    Direction.NET: c.THOST_FTDC_PD_Net,
}
POSDIRECTION_SOPT2VT: dict[str, Direction] = {v: k for k, v in POSDIRECTION_VT2SOPT.items()}

# Offset (CombOffsetFlag / OffsetFlag)
OFFSET_VT2SOPT: dict[Offset, str] = {
    Offset.OPEN: c.THOST_FTDC_OF_Open,
    Offset.CLOSE: c.THOST_FTDC_OF_Close,
    Offset.CLOSETODAY: c.THOST_FTDC_OF_CloseToday,
    Offset.CLOSEYESTERDAY: c.THOST_FTDC_OF_CloseYesterday,
}
OFFSET_SOPT2VT: dict[str, Offset] = {v: k for k, v in OFFSET_VT2SOPT.items()}
# Risk-desk closes seen on orders placed elsewhere read as plain closes.
OFFSET_SOPT2VT.update(
    {
        c.THOST_FTDC_OF_ForceClose: Offset.CLOSE,
        c.THOST_FTDC_OF_ForceOff: Offset.CLOSE,
        c.THOST_FTDC_OF_LocalForceClose: Offset.CLOSE,
    }
)

# Order types: (OrderPriceType, TimeCondition, VolumeCondition) per exchange (sopt-rules A.6).
# Neither exchange has a limit FAK (limit IOC), so vn.py's FAK is refused rather than altered.
OrderTypeCode = tuple[str, str, str]

LIMIT_GFD: OrderTypeCode = (c.THOST_FTDC_OPT_LimitPrice, c.THOST_FTDC_TC_GFD, c.THOST_FTDC_VC_AV)
LIMIT_FOK: OrderTypeCode = (c.THOST_FTDC_OPT_LimitPrice, c.THOST_FTDC_TC_IOC, c.THOST_FTDC_VC_CV)
LIMIT_FAK: OrderTypeCode = (c.THOST_FTDC_OPT_LimitPrice, c.THOST_FTDC_TC_IOC, c.THOST_FTDC_VC_AV)
MARKET_IOC: OrderTypeCode = (c.THOST_FTDC_OPT_AnyPrice, c.THOST_FTDC_TC_IOC, c.THOST_FTDC_VC_AV)
MARKET_FOK: OrderTypeCode = (c.THOST_FTDC_OPT_AnyPrice, c.THOST_FTDC_TC_IOC, c.THOST_FTDC_VC_CV)
MARKET_TO_LIMIT: OrderTypeCode = (
    c.THOST_FTDC_OPT_AnyPrice,
    c.THOST_FTDC_TC_GFD,
    c.THOST_FTDC_VC_AV,
)
BEST_OPPOSITE: OrderTypeCode = (
    c.THOST_FTDC_OPT_BestPrice,
    c.THOST_FTDC_TC_GFD,
    c.THOST_FTDC_VC_AV,
)
BEST_OWN: OrderTypeCode = (
    c.THOST_FTDC_OPT_BestPriceThisSide,
    c.THOST_FTDC_TC_GFD,
    c.THOST_FTDC_VC_AV,
)
BEST5_IOC: OrderTypeCode = (
    c.THOST_FTDC_OPT_FiveLevelPrice,
    c.THOST_FTDC_TC_IOC,
    c.THOST_FTDC_VC_AV,
)

S = SoptOrderType
# What each exchange takes, and what it calls it.
SOPT_ORDER_TYPES: dict[Exchange, dict[SoptOrderType, OrderTypeCode]] = {
    Exchange.SSE: {
        S.LIMIT: LIMIT_GFD,
        S.LIMIT_FOK: LIMIT_FOK,
        S.MARKET_IOC: MARKET_IOC,
        S.MARKET_FOK: MARKET_FOK,
        S.MARKET_TO_LIMIT: MARKET_TO_LIMIT,
    },
    Exchange.SZSE: {
        S.LIMIT: LIMIT_GFD,
        S.LIMIT_FOK: LIMIT_FOK,
        S.MARKET_IOC: MARKET_IOC,
        S.MARKET_FOK: MARKET_FOK,
        S.BEST_OPPOSITE: BEST_OPPOSITE,
        S.BEST_OWN: BEST_OWN,
        S.BEST5_IOC: BEST5_IOC,
    },
}
SOPT_ORDER_TYPE_NAMES: dict[Exchange, dict[SoptOrderType, str]] = {
    Exchange.SSE: {
        S.LIMIT: "普通限价",
        S.LIMIT_FOK: "全额即时限价",
        S.MARKET_IOC: "市价剩余撤销",
        S.MARKET_FOK: "全额即时市价",
        S.MARKET_TO_LIMIT: "市价剩余转限价",
    },
    Exchange.SZSE: {
        S.LIMIT: "普通限价",
        S.LIMIT_FOK: "限价全额成交或撤销",
        S.MARKET_IOC: "即时成交剩余撤销",
        S.MARKET_FOK: "全额成交或撤销",
        S.BEST_OPPOSITE: "对手方最优价格",
        S.BEST_OWN: "本方最优价格",
        S.BEST5_IOC: "最优五档即时成交剩余撤销",
    },
}
# vn.py's own order types and the exchange type each one is sent as.
ORDERTYPE_VT2SOPTTYPE: dict[OrderType, SoptOrderType] = {
    OrderType.LIMIT: S.LIMIT,
    OrderType.FOK: S.LIMIT_FOK,
    OrderType.MARKET: S.MARKET_IOC,
}
# The vn.py OrderType an order of each exchange type is shown as (OrderData.type).
SOPTTYPE2VT: dict[SoptOrderType, OrderType] = {
    S.LIMIT: OrderType.LIMIT,
    S.LIMIT_FOK: OrderType.FOK,
    S.MARKET_IOC: OrderType.MARKET,
    S.MARKET_FOK: OrderType.FOK,
    S.MARKET_TO_LIMIT: OrderType.MARKET,
    S.BEST_OPPOSITE: OrderType.MARKET,
    S.BEST_OWN: OrderType.MARKET,
    S.BEST5_IOC: OrderType.MARKET,
}
# Reported codes -> exchange type, per exchange (counters may send SZSE's best-opposite as
# AnyPrice + GFD, the SSE market-to-limit code).
SOPTTYPE_BY_CODE: dict[Exchange, dict[OrderTypeCode, SoptOrderType]] = {
    exchange: {code: kind for kind, code in table.items()}
    for exchange, table in SOPT_ORDER_TYPES.items()
}
SOPTTYPE_BY_CODE[Exchange.SZSE][MARKET_TO_LIMIT] = S.BEST_OPPOSITE

ORDERTYPE_VT2SOPT: dict[Exchange, dict[OrderType, OrderTypeCode]] = {
    exchange: {vt: SOPT_ORDER_TYPES[exchange][kind] for vt, kind in ORDERTYPE_VT2SOPTTYPE.items()}
    for exchange in SOPT_ORDER_TYPES
}

# Reverse: every combination a counter may report (orders placed by other terminals included).
ORDERTYPE_SOPT2VT: dict[OrderTypeCode, OrderType] = {
    code: SOPTTYPE2VT[kind] for table in SOPT_ORDER_TYPES.values() for kind, code in table.items()
}
ORDERTYPE_SOPT2VT[LIMIT_FAK] = OrderType.FAK
# Price types that are "market" whatever the time/volume condition (SZSE best-price variants).
MARKET_PRICE_TYPES: frozenset[str] = frozenset(
    {
        c.THOST_FTDC_OPT_AnyPrice,
        c.THOST_FTDC_OPT_BestPrice,
        c.THOST_FTDC_OPT_FiveLevelPrice,
        c.THOST_FTDC_OPT_BestPriceThisSide,
    }
)

# Exchanges
EXCHANGE_SOPT2VT: dict[str, Exchange] = {
    "SSE": Exchange.SSE,
    "SZSE": Exchange.SZSE,
}

EXCHANGE_NAMES: dict[Exchange, str] = {Exchange.SSE: "上交所", Exchange.SZSE: "深交所"}

# Product class
PRODUCT_SOPT2VT: dict[str, Product] = {
    c.THOST_FTDC_PC_ETFOption: Product.OPTION,
    c.THOST_FTDC_PC_Options: Product.OPTION,
    c.THOST_FTDC_PC_SpotOption: Product.OPTION,
    c.THOST_FTDC_PC_Stock: Product.ETF,
    c.THOST_FTDC_PC_Combination: Product.SPREAD,
}

# Option type (OptionsType)
OPTIONTYPE_SOPT2VT: dict[str, OptionType] = {
    c.THOST_FTDC_CP_CallOptions: OptionType.CALL,
    c.THOST_FTDC_CP_PutOptions: OptionType.PUT,
}

# Hedge flags sent (CombHedgeFlag / HedgeFlag)
HEDGE_SPECULATION: str = c.THOST_FTDC_HF_Speculation
HEDGE_COVERED: str = c.THOST_FTDC_HF_Covered

# Instrument trading phase (InstrumentStatus -> trading active)
ACTIVE_SOPT2VT: dict[str, bool] = {
    c.THOST_FTDC_IS_BeforeTrading: False,
    c.THOST_FTDC_IS_NoTrading: False,
    c.THOST_FTDC_IS_Continous: True,
    c.THOST_FTDC_IS_AuctionOrdering: True,
    c.THOST_FTDC_IS_AuctionBalance: False,
    c.THOST_FTDC_IS_AuctionMatch: False,
    c.THOST_FTDC_IS_Closed: False,
    c.THOST_FTDC_IS_Auction: False,
    c.THOST_FTDC_IS_BusinessSuspension: False,
    c.THOST_FTDC_IS_VolatilityInterrupt: False,
    c.THOST_FTDC_IS_TemporarySuspension: False,
    c.THOST_FTDC_IS_AuctionAfterClosed: True,
    c.THOST_FTDC_IS_ResumableFusing: False,
    c.THOST_FTDC_IS_UnResumableFusing: False,
    c.THOST_FTDC_IS_TradingAfterClosed: False,
}

# Exercise result (ExecResult) -> text
EXEC_RESULT_NAMES: dict[str, str] = {
    c.THOST_FTDC_OER_NoExec: "已报未执行",
    c.THOST_FTDC_OER_Canceled: "已撤销",
    c.THOST_FTDC_OER_OK: "执行成功",
    c.THOST_FTDC_OER_NoPosition: "期权持仓不够",
    c.THOST_FTDC_OER_NoDeposit: "资金不够",
    c.THOST_FTDC_OER_NoParticipant: "会员不存在",
    c.THOST_FTDC_OER_NoClient: "客户不存在",
    c.THOST_FTDC_OER_NoInstrument: "合约不存在",
    c.THOST_FTDC_OER_NoRight: "没有执行权限",
    c.THOST_FTDC_OER_InvalidVolume: "不合理的数量",
    c.THOST_FTDC_OER_NoEnoughHistoryTrade: "没有足够的历史成交",
    c.THOST_FTDC_OER_Unknown: "未知",
}

# Lock status (LockStatus, an OrderActionStatus) -> text
ACTION_STATUS_NAMES: dict[str, str] = {
    c.THOST_FTDC_OAS_Submitted: "已经提交",
    c.THOST_FTDC_OAS_Accepted: "已经接受",
    c.THOST_FTDC_OAS_Rejected: "已经被拒绝",
}

# OnFrontDisconnected reasons (C.3)
DISCONNECT_REASONS: dict[int, str] = {
    0x1001: "网络读失败",
    0x1002: "网络写失败",
    0x2001: "接收心跳超时",
    0x2002: "发送心跳失败",
    0x2003: "收到错误报文",
}
