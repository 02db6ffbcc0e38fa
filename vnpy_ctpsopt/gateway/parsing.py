"""Pure translation between CTP SOPT dicts and vn.py objects.

``parse_*`` take a CTP-shaped dict (plus what they cannot know: the contract, the vn.py order id,
the gateway name) and return a vn.py object, or ``None`` when the dict cannot be mapped (the caller
logs why). The other direction (vn.py requests to CTP request dicts) is in ``requests``. Nothing
here touches gateway state, threads or the network.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from copy import copy
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from vnpy.trader.constant import Direction, Exchange, Offset, OrderType, Product, Status
from vnpy.trader.object import (
    AccountData,
    ContractData,
    OrderData,
    OrderRequest,
    PositionData,
    QuoteData,
    TickData,
    TradeData,
)

from ..api import constant as c
from .events import CombActionData, ExerciseData, LockData, LockType, RfqData
from .mapping import (
    ACTION_STATUS_NAMES,
    DIRECTION_SOPT2VT,
    EXCHANGE_SOPT2VT,
    EXEC_RESULT_NAMES,
    HEDGE_COVERED,
    HEDGE_SPECULATION,
    MARKET_PRICE_TYPES,
    OFFSET_SOPT2VT,
    OPTIONTYPE_SOPT2VT,
    ORDERTYPE_SOPT2VT,
    POSDIRECTION_SOPT2VT,
    PRODUCT_SOPT2VT,
    REJECTED_SUBMIT_STATUSES,
    SOPTTYPE_BY_CODE,
    STATUS_SOPT2VT,
)

Data = dict[str, Any]

CHINA_TZ: ZoneInfo = ZoneInfo("Asia/Shanghai")

# Prices at or above this are CTP's DBL_MAX "no value" sentinel.
MAX_PRICE: float = 1e300

# Covered shorts and locked ETF shares are reported under these symbol suffixes, so they never
# merge with speculative positions of the same instrument (see parse_positions).
COVERED_SUFFIX: str = "-COVERED"
LOCKED_SUFFIX: str = "-LOCKED"


def adjust_price(value: float) -> float:
    """DBL_MAX (and anything absurd) means "no value": 0."""
    return value if value < MAX_PRICE else 0.0


def parse_date(text: str) -> datetime | None:
    """``YYYYMMDD`` to a naive datetime at midnight, None when empty or invalid."""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return datetime(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def parse_datetime(date: str, time: str) -> datetime | None:
    """``YYYYMMDD`` + ``HH:MM:SS`` to an Asia/Shanghai datetime, None when unusable."""
    if len(date) != 8 or len(time) < 8:
        return None
    try:
        return datetime(
            int(date[0:4]),
            int(date[4:6]),
            int(date[6:8]),
            int(time[0:2]),
            int(time[3:5]),
            int(time[6:8]),
            tzinfo=CHINA_TZ,
        )
    except ValueError:
        return None


def format_error(error: Mapping[str, Any]) -> str:
    """``代码：n，信息：msg`` for a CTP RspInfo dict (which may be empty)."""
    return f"代码：{error.get('ErrorID', '')}，信息：{error.get('ErrorMsg', '')}"


def is_error(error: Mapping[str, Any] | None) -> bool:
    """True when an RspInfo dict carries a non-zero ErrorID (None or {} means success)."""
    return bool(error) and bool(error.get("ErrorID", 0))  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------
# Contracts


def get_option_index(strike: float, instrument_code: str, size: float) -> str:
    """The OptionMaster chain index: ``f"{strike:.3f}-{series}"``.

    ``series`` is the tail of the exchange trading code from its series letter on
    (``M`` standard, ``A``/``B`` adjusted): ``510050C2412M02800`` -> ``2.800-M02800``,
    ``510050C2103A03000`` -> ``2.957-A03000`` (same as vnpy_sopt, so a call and its put share the
    index and adjusted contracts never collide with standard ones). Without a trading code the
    series is ``M`` for the standard 10000 unit and ``A{size}`` otherwise.
    """
    code: str = instrument_code.replace(" ", "")
    # Underlying digits, C/P, YYMM, then the series letter.
    i: int = 0
    while i < len(code) and code[i].isdigit():
        i += 1
    if i and i + 5 < len(code) and code[i] in "CP" and code[i + 1 : i + 5].isdigit():
        series: str = code[i + 5 :]
        if series[:1].isalpha():
            return f"{strike:.3f}-{series}"
    if size == 10000:
        return f"{strike:.3f}-M"
    return f"{strike:.3f}-A{int(size)}"


def contract_terms(contract: ContractData) -> tuple[Any, ...]:
    """What makes two pushes of a contract different (its live ``extra`` flags excluded)."""
    return (
        contract.name,
        contract.product,
        contract.size,
        contract.pricetick,
        contract.min_volume,
        contract.max_volume,
        contract.option_strike,
        contract.option_underlying,
        contract.option_type,
        contract.option_listed,
        contract.option_expiry,
        contract.option_portfolio,
        contract.option_index,
    )


def parse_contract(data: Data, gateway_name: str) -> ContractData | None:
    """A CThostFtdcInstrumentField dict to ContractData; None for unknown exchange or product."""
    exchange: Exchange | None = EXCHANGE_SOPT2VT.get(data.get("ExchangeID", ""))
    product: Product | None = PRODUCT_SOPT2VT.get(data.get("ProductClass", ""))
    symbol: str = data.get("InstrumentID", "")
    if exchange is None or product is None or not symbol:
        return None

    size: float = data.get("VolumeMultiple") or 1
    pricetick: float = data.get("PriceTick") or 0.0001
    min_volume: float = data.get("MinLimitOrderVolume") or 1
    max_volume: float | None = data.get("MaxLimitOrderVolume") or None

    contract: ContractData = ContractData(
        symbol=symbol,
        exchange=exchange,
        name=data.get("InstrumentName", "") or symbol,
        product=product,
        size=size,
        pricetick=pricetick,
        min_volume=min_volume,
        max_volume=max_volume,
        gateway_name=gateway_name,
    )
    contract.extra = {
        "trading_active": True,
        "max_market_volume": data.get("MaxMarketOrderVolume") or 0,
        "min_market_volume": data.get("MinMarketOrderVolume") or 0,
        "instrument_code": data.get("InstrumentCode", ""),
        "product_class": data.get("ProductClass", ""),
    }

    if product == Product.OPTION:
        underlying: str = data.get("UnderlyingInstrID", "")
        year: int = int(data.get("DeliveryYear") or 0)
        month: int = int(data.get("DeliveryMonth") or 0)
        expiry: datetime | None = parse_date(data.get("ExpireDate", ""))
        if not year and expiry:
            year, month = expiry.year, expiry.month
        strike: float = float(data.get("StrikePrice") or 0.0)

        contract.option_portfolio = f"{underlying}_O"
        contract.option_underlying = f"{underlying}-{year}{month:02d}"
        contract.option_type = OPTIONTYPE_SOPT2VT.get(data.get("OptionsType", ""))
        contract.option_strike = strike
        contract.option_expiry = expiry
        contract.option_listed = parse_date(data.get("OpenDate", ""))
        contract.option_index = get_option_index(strike, data.get("InstrumentCode", ""), size)
        if contract.option_type is None or expiry is None or not underlying:
            return None
    return contract


# ---------------------------------------------------------------------------------------------
# Market data


class TickTimeCache:
    """Tick datetimes without strptime: the date part is parsed once per distinct date string,
    each distinct (``HH:MM:SS``, millisecond) once per date (cleared when the date changes or it
    grows large), so the common case is one dict lookup.

    Keyed by: ``date`` (YYYYMMDD) is the current date; ``times`` maps (UpdateTime,
    UpdateMillisec) -> aware datetime of that date.
    """

    max_entries: int = 50000

    def __init__(self) -> None:
        self.date: str = ""
        self.ymd: tuple[int, int, int] = (0, 0, 0)
        self.times: dict[tuple[str, int], datetime] = {}

    def get(self, date: str, time: str, millisec: int) -> datetime | None:
        if date == self.date:
            dt: datetime | None = self.times.get((time, millisec))
            if dt is not None:
                return dt
        else:
            if len(date) != 8 or not date.isdigit():
                return None
            self.date = date
            self.ymd = (int(date[0:4]), int(date[4:6]), int(date[6:8]))
            self.times = {}
        if len(time) < 8 or not 0 <= millisec < 1000:
            return None
        try:
            y, m, d = self.ymd
            dt = datetime(
                y,
                m,
                d,
                int(time[0:2]),
                int(time[3:5]),
                int(time[6:8]),
                millisec * 1000,
                tzinfo=CHINA_TZ,
            )
        except ValueError:
            return None
        if len(self.times) >= self.max_entries:
            self.times.clear()
        self.times[(time, millisec)] = dt
        return dt


_new_tick = object.__new__


def parse_tick(
    data: Data, contract: ContractData, gateway_name: str, times: TickTimeCache
) -> TickData | None:
    """A CThostFtdcDepthMarketDataField dict to TickData.

    Dropped (None) when UpdateTime is empty or the timestamp is invalid. Zero-volume ticks (quotes
    without trades, e.g. market-maker quotes) are kept. DBL_MAX prices become 0. The datetime is
    Asia/Shanghai, from ActionDay (TradingDay when empty) + UpdateTime + UpdateMillisec.

    Hot path: the TickData is filled through its ``__dict__`` (same attributes as the dataclass
    constructor sets, checked by the unit tests), which is several times faster than ``__init__``.
    """
    update_time: str = data["UpdateTime"]
    if not update_time:
        return None
    date: str = data["ActionDay"] or data["TradingDay"]
    millisec: int = data["UpdateMillisec"]
    # cache hit inline (the common case), else the cache parses and stores it
    dt: datetime | None = (
        times.times.get((update_time, millisec)) if date == times.date else None
    ) or times.get(date, update_time, millisec)
    if dt is None:
        return None

    m: float = MAX_PRICE
    d = data
    close_price: float = d["ClosePrice"]
    tick: TickData = _new_tick(TickData)
    tick.__dict__ = {
        "gateway_name": gateway_name,
        "extra": {
            "trading_active": contract.extra["trading_active"] if contract.extra else True,
            "market_closed": 0 < close_price < m,
        },
        "symbol": contract.symbol,
        "exchange": contract.exchange,
        "datetime": dt,
        "name": contract.name,
        "volume": d["Volume"],
        "turnover": d["Turnover"],
        "open_interest": d["OpenInterest"],
        "last_price": v if (v := d["LastPrice"]) < m else 0.0,
        "last_volume": 0,
        "limit_up": v if (v := d["UpperLimitPrice"]) < m else 0.0,
        "limit_down": v if (v := d["LowerLimitPrice"]) < m else 0.0,
        "open_price": v if (v := d["OpenPrice"]) < m else 0.0,
        "high_price": v if (v := d["HighestPrice"]) < m else 0.0,
        "low_price": v if (v := d["LowestPrice"]) < m else 0.0,
        "pre_close": v if (v := d["PreClosePrice"]) < m else 0.0,
        "bid_price_1": v if (v := d["BidPrice1"]) < m else 0.0,
        "bid_price_2": v if (v := d["BidPrice2"]) < m else 0.0,
        "bid_price_3": v if (v := d["BidPrice3"]) < m else 0.0,
        "bid_price_4": v if (v := d["BidPrice4"]) < m else 0.0,
        "bid_price_5": v if (v := d["BidPrice5"]) < m else 0.0,
        "ask_price_1": v if (v := d["AskPrice1"]) < m else 0.0,
        "ask_price_2": v if (v := d["AskPrice2"]) < m else 0.0,
        "ask_price_3": v if (v := d["AskPrice3"]) < m else 0.0,
        "ask_price_4": v if (v := d["AskPrice4"]) < m else 0.0,
        "ask_price_5": v if (v := d["AskPrice5"]) < m else 0.0,
        "bid_volume_1": d["BidVolume1"],
        "bid_volume_2": d["BidVolume2"],
        "bid_volume_3": d["BidVolume3"],
        "bid_volume_4": d["BidVolume4"],
        "bid_volume_5": d["BidVolume5"],
        "ask_volume_1": d["AskVolume1"],
        "ask_volume_2": d["AskVolume2"],
        "ask_volume_3": d["AskVolume3"],
        "ask_volume_4": d["AskVolume4"],
        "ask_volume_5": d["AskVolume5"],
        "localtime": None,
        "vt_symbol": contract.vt_symbol,
    }
    return tick


# ---------------------------------------------------------------------------------------------
# Orders and trades


def make_orderid(frontid: int, sessionid: int, order_ref: str) -> str:
    """vn.py order id of a CTP order: ``FrontID_SessionID_OrderRef`` (cancel splits it back)."""
    return f"{frontid}_{sessionid}_{order_ref.strip()}"


def split_orderid(orderid: str) -> tuple[int, int, str] | None:
    """Inverse of make_orderid, None when the id is not of that form."""
    parts: list[str] = orderid.split("_")
    if len(parts) != 3:
        return None
    try:
        return int(parts[0]), int(parts[1]), parts[2]
    except ValueError:
        return None


def parse_order_type(data: Mapping[str, Any]) -> OrderType:
    """The vn.py type of a reported order; unlisted combinations fall back by price type."""
    code = (
        data.get("OrderPriceType", ""),
        data.get("TimeCondition", ""),
        data.get("VolumeCondition", ""),
    )
    order_type: OrderType | None = ORDERTYPE_SOPT2VT.get(code)
    if order_type is not None:
        return order_type
    return OrderType.MARKET if code[0] in MARKET_PRICE_TYPES else OrderType.LIMIT


def parse_sopt_order_type(data: Mapping[str, Any], exchange: Exchange) -> str:
    """The name of the exchange order type (SoptOrderType) of a reported order, "" if unlisted."""
    code = (
        data.get("OrderPriceType", ""),
        data.get("TimeCondition", ""),
        data.get("VolumeCondition", ""),
    )
    kind = SOPTTYPE_BY_CODE.get(exchange, {}).get(code)
    return kind.name if kind is not None else ""


def parse_order_status(data: Mapping[str, Any]) -> Status | None:
    """OrderStatus + OrderSubmitStatus to vn.py Status; None for an unknown status code."""
    if data.get("OrderSubmitStatus", "") in REJECTED_SUBMIT_STATUSES:
        return Status.REJECTED
    return STATUS_SOPT2VT.get(data.get("OrderStatus", ""))


def parse_order(
    data: Data, exchange: Exchange, orderid: str, gateway_name: str, reference: str = ""
) -> OrderData | None:
    """A CThostFtdcOrderField dict to OrderData; None when the status code is unknown."""
    status: Status | None = parse_order_status(data)
    if status is None:
        return None
    hedge: str = data.get("CombHedgeFlag", "")[:1]
    order: OrderData = OrderData(
        symbol=data["InstrumentID"],
        exchange=exchange,
        orderid=orderid,
        type=parse_order_type(data),
        direction=DIRECTION_SOPT2VT.get(data.get("Direction", "")),
        offset=OFFSET_SOPT2VT.get(data.get("CombOffsetFlag", "")[:1], Offset.NONE),
        price=adjust_price(data.get("LimitPrice", 0.0)),
        volume=data.get("VolumeTotalOriginal", 0),
        traded=data.get("VolumeTraded", 0),
        status=status,
        datetime=parse_datetime(data.get("InsertDate", ""), data.get("InsertTime", "")),
        reference=reference,
        gateway_name=gateway_name,
    )
    order.extra = {
        "status_msg": data.get("StatusMsg", ""),
        "order_sysid": data.get("OrderSysID", "").strip(),
        "hedge_flag": hedge,
        "covered": hedge == HEDGE_COVERED,
        "submit_status": data.get("OrderSubmitStatus", ""),
        "order_status": data.get("OrderStatus", ""),
        "sopt_order_type": parse_sopt_order_type(data, exchange),
    }
    return order


# Direction letter of a vn.py trade id (see make_tradeid).
TRADE_SIDE_LETTERS: dict[str, str] = {c.THOST_FTDC_D_Buy: "B", c.THOST_FTDC_D_Sell: "S"}


def trade_key(data: Mapping[str, Any], exchange: Exchange) -> tuple[str, str, str]:
    """(ExchangeID, TradeID, Direction) of a CThostFtdcTradeField dict: the identity of a trade.

    TradeIDs are numbered by each exchange, and both sides of a match between two of the
    account's orders share one, so only the triple is unique. The record's ExchangeID is used,
    or ``exchange`` when the record leaves it empty."""
    return (
        str(data.get("ExchangeID", "") or exchange.value),
        str(data["TradeID"]).strip(),
        str(data.get("Direction", "")),
    )


def make_tradeid(key: tuple[str, str, str]) -> str:
    """vn.py trade id of a trade key: ``{ExchangeID}_{TradeID}_{B|S}`` (``SSE_1_B``).

    Made from the record only, so the same trade gets the same id after a reconnect, a
    private-flow replay (RESTART/RESUME) or a re-query, and an SSE and an SZSE trade with the
    same TradeID never share a vt_tradeid (vn.py's OMS and vnpy_portfoliostrategy dedupe by it)."""
    exchange_id, tradeid, direction = key
    return f"{exchange_id}_{tradeid}_{TRADE_SIDE_LETTERS.get(direction, direction or 'X')}"


def parse_trade(
    data: Data, exchange: Exchange, orderid: str, gateway_name: str
) -> TradeData:
    """A CThostFtdcTradeField dict to TradeData; ``tradeid`` is make_tradeid(trade_key(...)),
    the exchange's own TradeID is in ``extra["exchange_tradeid"]``."""
    hedge: str = data.get("HedgeFlag", "")
    key: tuple[str, str, str] = trade_key(data, exchange)
    trade: TradeData = TradeData(
        symbol=data["InstrumentID"],
        exchange=exchange,
        orderid=orderid,
        tradeid=make_tradeid(key),
        direction=DIRECTION_SOPT2VT.get(data.get("Direction", "")),
        offset=OFFSET_SOPT2VT.get(data.get("OffsetFlag", ""), Offset.NONE),
        price=data.get("Price", 0.0),
        volume=data.get("Volume", 0),
        datetime=parse_datetime(
            data.get("TradeDate", "") or data.get("TradingDay", ""), data.get("TradeTime", "")
        ),
        gateway_name=gateway_name,
    )
    trade.extra = {
        "hedge_flag": hedge,
        "covered": hedge == HEDGE_COVERED,
        "trade_type": data.get("TradeType", ""),
        "order_sysid": data.get("OrderSysID", "").strip(),
        "exchange_tradeid": key[1],
    }
    return trade


def rejected_copy(order: OrderData, msg: str) -> OrderData:
    """A REJECTED copy of a pushed order saying why, keeping the rest of its ``extra``."""
    rejected: OrderData = copy(order)
    rejected.status = Status.REJECTED
    rejected.extra = {**(order.extra or {}), "status_msg": msg}
    return rejected


def rejected_order(
    req: OrderRequest, orderid: str, gateway_name: str, reason: str
) -> OrderData:
    """A REJECTED OrderData for a request the gateway or counter refused, with the reason."""
    order: OrderData = req.create_order_data(orderid, gateway_name)
    order.status = Status.REJECTED
    order.extra = {"status_msg": reason}
    return order


# ---------------------------------------------------------------------------------------------
# Positions and account


def position_key(data: Mapping[str, Any]) -> tuple[str, str, str]:
    """(InstrumentID, PosiDirection, HedgeFlag): one vn.py position per key."""
    return data["InstrumentID"], data.get("PosiDirection", ""), data.get("HedgeFlag", "")


def position_symbol(symbol: str, hedge: str) -> str:
    """Covered rows get COVERED_SUFFIX so their vt_positionid differs from speculative ones."""
    return symbol + COVERED_SUFFIX if hedge == HEDGE_COVERED else symbol


def parse_positions(
    rows: Iterable[Data], contracts: Mapping[str, ContractData], gateway_name: str
) -> dict[tuple[str, str, str], PositionData]:
    """Aggregate CThostFtdcInvestorPositionField rows into one PositionData per
    (instrument, direction, hedge flag).

    Rows of one key are summed (yd_volume too). ``frozen`` is the close-frozen volume of the row's
    own side (a long row is frozen by pending sell-closes = ShortFrozen, a short row by buy-closes
    = LongFrozen) plus, for long rows, the volume frozen by exercise (StrikeFrozen). Covered short
    rows are reported as ``<symbol>-COVERED`` (see COVERED_SUFFIX) and marked ``extra["covered"]``,
    always together with the instrument's speculative short (volume 0 when there is none).
    Rows whose direction is unknown are skipped.
    """
    result: dict[tuple[str, str, str], PositionData] = {}
    costs: dict[tuple[str, str, str], float] = {}
    for data in rows:
        if not data or not data.get("InstrumentID"):
            continue
        key = position_key(data)
        symbol, posi_direction, hedge = key
        direction: Direction | None = POSDIRECTION_SOPT2VT.get(posi_direction)
        if direction is None:
            continue
        contract: ContractData | None = contracts.get(symbol)
        exchange: Exchange | None = EXCHANGE_SOPT2VT.get(data.get("ExchangeID", ""))
        if exchange is None:
            if contract is None:
                continue
            exchange = contract.exchange

        position: PositionData | None = result.get(key)
        if position is None:
            position = PositionData(
                symbol=position_symbol(symbol, hedge),
                exchange=exchange,
                direction=direction,
                gateway_name=gateway_name,
            )
            position.extra = {
                "instrument": symbol,
                "hedge_flag": hedge,
                "covered": hedge == HEDGE_COVERED,
                "strike_frozen": 0,
                "yd_strike_frozen": 0,
                "comb_position": 0,
                "use_margin": 0.0,
                "option_value": 0.0,
            }
            result[key] = position
            costs[key] = 0.0

        volume: float = data.get("Position", 0)
        position.volume += volume
        position.yd_volume += volume - data.get("TodayPosition", 0)
        position.pnl += data.get("PositionProfit", 0.0)
        strike_frozen: float = data.get("StrikeFrozen", 0)
        if direction == Direction.LONG:
            position.frozen += data.get("ShortFrozen", 0) + strike_frozen
        else:
            position.frozen += data.get("LongFrozen", 0)
        costs[key] += data.get("PositionCost", 0.0)

        extra: dict[str, Any] = position.extra  # type: ignore[assignment]
        extra["strike_frozen"] += strike_frozen
        extra["yd_strike_frozen"] += data.get("YdStrikeFrozen", 0)
        extra["comb_position"] += data.get("CombPosition", 0)
        extra["use_margin"] += data.get("UseMargin", 0.0)
        extra["option_value"] += data.get("OptionValue", 0.0)

    # Every covered short comes with the speculative short of its instrument (volume 0 when
    # there is none): vn.py's OffsetConverter adds covered fills to the instrument's short side,
    # and this push resets it to the speculative volume, the one normal orders can close.
    for symbol, posi_direction, hedge in list(result):
        spec_key = (symbol, posi_direction, HEDGE_SPECULATION)
        if hedge == HEDGE_COVERED and spec_key not in result:
            covered = result[(symbol, posi_direction, hedge)]
            shadow = PositionData(
                symbol=symbol,
                exchange=covered.exchange,
                direction=covered.direction,
                gateway_name=gateway_name,
            )
            shadow.extra = {
                "instrument": symbol,
                "hedge_flag": HEDGE_SPECULATION,
                "covered": False,
                "strike_frozen": 0,
                "yd_strike_frozen": 0,
                "comb_position": 0,
                "use_margin": 0.0,
                "option_value": 0.0,
            }
            result[spec_key] = shadow
            costs[spec_key] = 0.0

    for key, position in result.items():
        contract = contracts.get(key[0])
        size: float = contract.size if contract else 1
        if position.volume and size:
            position.price = costs[key] / (position.volume * size)
    return result


def parse_lock_position(data: Data, gateway_name: str) -> PositionData | None:
    """A CThostFtdcLockPositionField dict (locked ETF shares) to a LONG PositionData on
    ``<ETF>-LOCKED``: volume = locked shares, frozen = those in use by covered shorts or pending,
    yd_volume = locked before today."""
    exchange: Exchange | None = EXCHANGE_SOPT2VT.get(data.get("ExchangeID", ""))
    symbol: str = data.get("InstrumentID", "")
    if exchange is None or not symbol:
        return None
    volume: float = data.get("Volume", 0)
    position: PositionData = PositionData(
        symbol=symbol + LOCKED_SUFFIX,
        exchange=exchange,
        direction=Direction.LONG,
        volume=volume,
        frozen=data.get("FrozenVolume", 0),
        yd_volume=volume - data.get("TodayVolume", 0),
        gateway_name=gateway_name,
    )
    position.extra = {"instrument": symbol, "locked": True}
    return position


def parse_account(data: Data, gateway_name: str) -> AccountData | None:
    """A CThostFtdcTradingAccountField dict to AccountData (None for an empty result).

    ``frozen`` = FrozenMargin + FrozenCash + FrozenCommission and ``available`` = Available, as the
    counter reports them; margin, premium and the rest are in ``extra``.
    """
    accountid: str = data.get("AccountID", "")
    if not accountid:
        return None
    account: AccountData = AccountData(
        accountid=accountid,
        balance=data.get("Balance", 0.0),
        frozen=data.get("FrozenMargin", 0.0)
        + data.get("FrozenCash", 0.0)
        + data.get("FrozenCommission", 0.0),
        gateway_name=gateway_name,
    )
    account.available = data.get("Available", 0.0)
    account.extra = {
        "margin": data.get("CurrMargin", 0.0),
        "frozen_margin": data.get("FrozenMargin", 0.0),
        "frozen_cash": data.get("FrozenCash", 0.0),
        "frozen_commission": data.get("FrozenCommission", 0.0),
        "premium": data.get("CashIn", 0.0),
        "commission": data.get("Commission", 0.0),
        "close_profit": data.get("CloseProfit", 0.0),
        "pre_balance": data.get("PreBalance", 0.0),
        "withdraw_quota": data.get("WithdrawQuota", 0.0),
        "option_value": data.get("OptionValue", 0.0),
    }
    return account


def parse_quote(
    data: Data, exchange: Exchange, quoteid: str, gateway_name: str, reference: str = ""
) -> QuoteData | None:
    """A CThostFtdcQuoteField dict to QuoteData; None for an unknown status."""
    status: Status | None = parse_order_status(
        {"OrderStatus": data.get("QuoteStatus", ""), **_submit(data)}
    )
    if status is None:
        return None
    quote: QuoteData = QuoteData(
        symbol=data["InstrumentID"],
        exchange=exchange,
        quoteid=quoteid,
        bid_price=adjust_price(data.get("BidPrice", 0.0)),
        bid_volume=data.get("BidVolume", 0),
        ask_price=adjust_price(data.get("AskPrice", 0.0)),
        ask_volume=data.get("AskVolume", 0),
        bid_offset=OFFSET_SOPT2VT.get(data.get("BidOffsetFlag", ""), Offset.NONE),
        ask_offset=OFFSET_SOPT2VT.get(data.get("AskOffsetFlag", ""), Offset.NONE),
        status=status,
        datetime=parse_datetime(data.get("InsertDate", ""), data.get("InsertTime", "")),
        reference=reference,
        gateway_name=gateway_name,
    )
    quote.extra = {"status_msg": data.get("StatusMsg", "")}
    return quote


def _submit(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"OrderSubmitStatus": data.get("OrderSubmitStatus", "")}


def parse_exec_order(
    data: Data, exchange: Exchange, exerciseid: str, gateway_name: str, reference: str = ""
) -> ExerciseData:
    """A CThostFtdcExecOrderField dict to ExerciseData."""
    result: str = data.get("ExecResult", "")
    submit: str = data.get("OrderSubmitStatus", "")
    if submit in REJECTED_SUBMIT_STATUSES or result in _EXEC_FAILED:
        status: Status = Status.REJECTED
    elif result == c.THOST_FTDC_OER_Canceled:
        status = Status.CANCELLED
    elif result == c.THOST_FTDC_OER_OK:
        status = Status.ALLTRADED
    elif submit == c.THOST_FTDC_OSS_Accepted:
        status = Status.NOTTRADED
    else:
        status = Status.SUBMITTING
    msg: str = data.get("StatusMsg", "") or EXEC_RESULT_NAMES.get(result, "")
    return ExerciseData(
        gateway_name=gateway_name,
        symbol=data["InstrumentID"],
        exchange=exchange,
        exerciseid=exerciseid,
        volume=data.get("Volume", 0),
        status=status,
        exec_result=result,
        msg=msg,
        datetime=parse_datetime(data.get("InsertDate", ""), data.get("InsertTime", "")),
        reference=reference,
    )


_EXEC_FAILED: frozenset[str] = frozenset(
    {
        c.THOST_FTDC_OER_NoPosition,
        c.THOST_FTDC_OER_NoDeposit,
        c.THOST_FTDC_OER_NoParticipant,
        c.THOST_FTDC_OER_NoClient,
        c.THOST_FTDC_OER_NoInstrument,
        c.THOST_FTDC_OER_NoRight,
        c.THOST_FTDC_OER_InvalidVolume,
        c.THOST_FTDC_OER_NoEnoughHistoryTrade,
    }
)


def parse_lock(
    data: Data, exchange: Exchange, lockid: str, gateway_name: str, reference: str = ""
) -> LockData:
    """A CThostFtdcLockField dict to LockData (LockStatus uses OrderActionStatus a/b/c)."""
    lock_status: str = data.get("LockStatus", "")
    submit: str = data.get("OrderSubmitStatus", "")
    if lock_status == c.THOST_FTDC_OAS_Rejected or submit in REJECTED_SUBMIT_STATUSES:
        status: Status = Status.REJECTED
    elif lock_status == c.THOST_FTDC_OAS_Accepted:
        status = Status.ALLTRADED
    else:
        status = Status.SUBMITTING
    return LockData(
        gateway_name=gateway_name,
        symbol=data["InstrumentID"],
        exchange=exchange,
        lockid=lockid,
        lock_type=(
            LockType.UNLOCK if data.get("LockType") == c.THOST_FTDC_LCKT_Unlock else LockType.LOCK
        ),
        volume=data.get("Volume", 0),
        status=status,
        msg=data.get("StatusMsg", "") or ACTION_STATUS_NAMES.get(lock_status, ""),
        datetime=parse_datetime(data.get("InsertDate", ""), data.get("InsertTime", "")),
        reference=reference,
    )


def parse_for_quote_rsp(data: Data, exchange: Exchange, gateway_name: str) -> RfqData | None:
    """A CThostFtdcForQuoteRspField dict (OnRtnForQuoteRsp) to RfqData; None without an id."""
    rfqid: str = str(data.get("ForQuoteSysID", "")).strip()
    symbol: str = data.get("InstrumentID", "")
    if not rfqid or not symbol:
        return None
    return RfqData(
        gateway_name=gateway_name,
        symbol=symbol,
        exchange=exchange,
        rfqid=rfqid,
        datetime=parse_datetime(
            data.get("ActionDay", "") or data.get("TradingDay", ""), data.get("ForQuoteTime", "")
        ),
        trading_day=data.get("TradingDay", ""),
    )


def parse_exec_combine_order(
    data: Data, exchange: Exchange, exerciseid: str, gateway_name: str, reference: str = ""
) -> ExerciseData:
    """A CThostFtdcExecCombineOrderField dict to ExerciseData on the call, the put in
    ``extra["put_symbol"]`` (the status rules of parse_exec_order)."""
    exercise: ExerciseData = parse_exec_order(
        {**data, "InstrumentID": data.get("CallInstrumentID", "")},
        exchange, exerciseid, gateway_name, reference,
    )
    exercise.extra = {"combined": True, "put_symbol": data.get("PutInstrumentID", "")}
    return exercise


def parse_comb_action(
    data: Data, exchange: Exchange, combid: str, gateway_name: str, reference: str = ""
) -> CombActionData:
    """A CThostFtdcCombActionField dict to CombActionData (ActionStatus a/b/c as a lock's)."""
    action_status: str = data.get("ActionStatus", "")
    if action_status == c.THOST_FTDC_OAS_Rejected:
        status: Status = Status.REJECTED
    elif action_status == c.THOST_FTDC_OAS_Accepted:
        status = Status.ALLTRADED
    else:
        status = Status.SUBMITTING
    return CombActionData(
        gateway_name=gateway_name,
        symbol=data["InstrumentID"],
        exchange=exchange,
        combid=combid,
        combine=data.get("CombDirection", "") != c.THOST_FTDC_CMDR_UnComb,
        volume=data.get("Volume", 0),
        status=status,
        com_tradeid=str(data.get("ComTradeID", "")).strip(),
        msg=data.get("StatusMsg", "") or ACTION_STATUS_NAMES.get(action_status, ""),
        reference=reference,
    )
