"""Enum tables between CTP SOPT codes and vn.py constants.

Every table is read with ``.get()`` by the parsers: a code missing here is logged by the caller and
never raises. Inverse tables are built by comprehension so the two directions cannot drift.
"""

from __future__ import annotations

from vnpy.trader.constant import Direction, Exchange, Offset, OptionType, OrderType, Product, Status

from ..api import constant as c

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

# Order types: (OrderPriceType, TimeCondition, VolumeCondition) per exchange.
# SSE: 普通限价, 全额即时限价 (limit FOK), 市价剩余撤销 (market IOC).
# SZSE: 普通限价, 限价全额成交或撤销 (limit FOK), 即时成交剩余撤销 (market IOC).
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

ORDERTYPE_VT2SOPT: dict[Exchange, dict[OrderType, OrderTypeCode]] = {
    Exchange.SSE: {
        OrderType.LIMIT: LIMIT_GFD,
        OrderType.FOK: LIMIT_FOK,
        OrderType.MARKET: MARKET_IOC,
    },
    Exchange.SZSE: {
        OrderType.LIMIT: LIMIT_GFD,
        OrderType.FOK: LIMIT_FOK,
        OrderType.MARKET: MARKET_IOC,
    },
}

# Reverse: every combination a counter may report (orders placed by other terminals included).
ORDERTYPE_SOPT2VT: dict[OrderTypeCode, OrderType] = {
    code: order_type
    for table in ORDERTYPE_VT2SOPT.values()
    for order_type, code in table.items()
}
ORDERTYPE_SOPT2VT.update(
    {
        LIMIT_FAK: OrderType.FAK,
        MARKET_FOK: OrderType.FOK,
        MARKET_TO_LIMIT: OrderType.MARKET,
    }
)
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
