"""SSE/SZSE ETF-option rules as pure functions: order types, volumes, prices, margins, fees,
sessions, covered and exercise rules (reference/sopt-rules.md, sections A.4-A.10, B.2)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import time
from enum import Enum

from ..api import constant as C
from . import errors as E

SSE = "SSE"
SZSE = "SZSE"
EXCHANGES = (SSE, SZSE)
PRICE_EPS = 1e-9


class OrderKind(Enum):
    """The exchange order types (A.6) after resolving the CTP encoding."""

    LIMIT_GFD = "limit_gfd"  # 普通限价, both
    LIMIT_FOK = "limit_fok"  # 全额即时限价 / 限价全额成交或撤销, both
    LIMIT_FAK = "limit_fak"  # (LimitPrice, IOC, AV): vn.py's FAK; not an exchange type
    MARKET_TO_LIMIT = "market_to_limit"  # 市价剩余转限价, SSE
    MARKET_IOC = "market_ioc"  # 市价剩余撤销 / 即时成交剩余撤销, both
    MARKET_FOK = "market_fok"  # 全额即时市价 / 全额成交或撤销, both
    BEST_OPPOSITE = "best_opposite"  # 对手方最优, SZSE
    BEST_OWN = "best_own"  # 本方最优, SZSE
    BEST5_IOC = "best5_ioc"  # 最优五档即时成交剩余撤销, SZSE

    @property
    def is_market(self) -> bool:
        """Priced by the book, not by LimitPrice (size limit: the market maximum)."""
        return self not in (OrderKind.LIMIT_GFD, OrderKind.LIMIT_FOK, OrderKind.LIMIT_FAK)

    @property
    def all_or_none(self) -> bool:
        return self in (OrderKind.LIMIT_FOK, OrderKind.MARKET_FOK)

    @property
    def rests(self) -> bool:
        """Whether an unfilled remainder can stay in the book."""
        return self in (
            OrderKind.LIMIT_GFD,
            OrderKind.MARKET_TO_LIMIT,
            OrderKind.BEST_OPPOSITE,
            OrderKind.BEST_OWN,
        )


K = OrderKind
# (OrderPriceType, TimeCondition, VolumeCondition) -> kind, per exchange (A.6 and D).
ORDER_TYPES: dict[str, dict[tuple[str, str, str], OrderKind]] = {
    SSE: {
        ("2", "3", "1"): K.LIMIT_GFD,
        ("2", "1", "3"): K.LIMIT_FOK,
        ("1", "1", "1"): K.MARKET_IOC,
        ("1", "1", "3"): K.MARKET_FOK,
        ("1", "3", "1"): K.MARKET_TO_LIMIT,
    },
    SZSE: {
        ("2", "3", "1"): K.LIMIT_GFD,
        ("2", "1", "3"): K.LIMIT_FOK,
        ("3", "3", "1"): K.BEST_OPPOSITE,
        ("1", "3", "1"): K.BEST_OPPOSITE,
        ("H", "3", "1"): K.BEST_OWN,
        ("G", "1", "1"): K.BEST5_IOC,
        ("1", "1", "1"): K.MARKET_IOC,
        ("1", "1", "3"): K.MARKET_FOK,
    },
}
LIMIT_FAK_KEY = ("2", "1", "1")
KNOWN_PRICE_TYPES = frozenset("123456789ABCDEFGH")


def resolve_order_kind(
    exchange: str,
    price_type: str,
    time_condition: str,
    volume_condition: str,
    accept_limit_fak: bool = True,
) -> tuple[OrderKind | None, int]:
    """Map a CTP encoding to the exchange order type, or (None, error id).

    GTD/GTC/GFS/GFA are not supported (27); an unknown price or volume condition is a bad field
    (15); a valid CTP combination the exchange does not list is 80.
    """
    if price_type not in KNOWN_PRICE_TYPES:
        return None, E.BAD_FIELD
    if volume_condition not in (C.THOST_FTDC_VC_AV, C.THOST_FTDC_VC_MV, C.THOST_FTDC_VC_CV):
        return None, E.BAD_FIELD
    if time_condition not in (C.THOST_FTDC_TC_IOC, C.THOST_FTDC_TC_GFD):
        known = (C.THOST_FTDC_TC_GFS, C.THOST_FTDC_TC_GTD, C.THOST_FTDC_TC_GTC, C.THOST_FTDC_TC_GFA)
        return None, E.UNSUPPORTED_FUNCTION if time_condition in known else E.BAD_FIELD
    key = (price_type, time_condition, volume_condition)
    table = ORDER_TYPES.get(exchange)
    if table is None:
        return None, E.ERROR_EXCHANGEID
    kind = table.get(key)
    if kind is not None:
        return kind, E.NONE
    if key == LIMIT_FAK_KEY and accept_limit_fak:
        return K.LIMIT_FAK, E.NONE
    return None, E.PRICETYPE_NOTSUPPORT_BYEXCHANGE


def check_volume(volume: int, kind: OrderKind, max_limit: int = 50, max_market: int = 10) -> int:
    """104 for a volume <= 0 or above the per-order maximum of its kind, else 0."""
    if volume <= 0:
        return E.VOLUME_NOTSUPPORT
    if volume > (max_market if kind.is_market else max_limit):
        return E.VOLUME_NOTSUPPORT
    return E.NONE


def on_tick(price: float, tick: float) -> bool:
    """Whether ``price`` is a whole multiple of ``tick`` (float tolerant)."""
    steps = price / tick
    if not math.isfinite(steps):  # e.g. DBL_MAX / 0.0001 overflows
        return False
    return abs(steps - round(steps)) < 1e-6


def round_to_tick(price: float, tick: float) -> float:
    """``price`` rounded half up to the tick, with the float noise removed."""
    decimals = max(0, -math.floor(math.log10(tick)) + 2)
    return round(math.floor(price / tick + 0.5 + 1e-9) * tick, decimals)


def check_price(price: float, tick: float, lower: float, upper: float) -> int:
    """105 for a limit price off the tick or outside [lower, upper], else 0."""
    if not math.isfinite(price) or price <= 0:
        return E.PRICE_NOTSUPPORT
    if not on_tick(price, tick):
        return E.PRICE_NOTSUPPORT
    if price < lower - PRICE_EPS or price > upper + PRICE_EPS:
        return E.PRICE_NOTSUPPORT
    return E.NONE


def normalize_offset(offset: str) -> str | None:
    """Open '0' stays; Close/CloseToday/CloseYesterday ('1'/'3'/'4') mean close (SSE and SZSE
    do not split today and yesterday). ForceClose and others are the risk desk's: None."""
    if offset == C.THOST_FTDC_OF_Open:
        return offset
    closes = (C.THOST_FTDC_OF_Close, C.THOST_FTDC_OF_CloseToday, C.THOST_FTDC_OF_CloseYesterday)
    if offset in closes:
        return C.THOST_FTDC_OF_Close
    return None


def check_hedge(
    hedge_flag: str, direction: str, offset: str, options_type: str, market_maker: bool = False
) -> int:
    """94 unless speculation/covered (market maker too for MM accounts); 136 for a covered
    order that is not a sell-open or buy-close of a call."""
    allowed = {C.THOST_FTDC_HF_Speculation, C.THOST_FTDC_HF_Covered}
    if market_maker:
        allowed.add(C.THOST_FTDC_HF_MarketMaker)
    if hedge_flag not in allowed:
        return E.SPEC_COVERED_ONLY
    if hedge_flag == C.THOST_FTDC_HF_Covered:
        if options_type != C.THOST_FTDC_CP_CallOptions:
            return E.COVER_ONLY_SELL
        sell_open = direction == C.THOST_FTDC_D_Sell and offset == C.THOST_FTDC_OF_Open
        buy_close = direction == C.THOST_FTDC_D_Buy and offset == C.THOST_FTDC_OF_Close
        if not (sell_open or buy_close):
            return E.COVER_ONLY_SELL
    return E.NONE


# --- margins (A.4) -------------------------------------------------------------------------


def short_margin(
    is_call: bool, premium: float, underlying: float, strike: float, unit: float
) -> float:
    """Exchange margin per short contract (CNY).

    Opening margin: ``premium`` = previous settlement, ``underlying`` = underlying previous
    close. Maintenance margin: today's settlement and today's underlying close.

    call: [premium + max(12% S - OTM_call, 7% S)] x unit, OTM_call = max(K - S, 0)
    put:  min[premium + max(12% S - OTM_put, 7% K), K] x unit, OTM_put = max(S - K, 0)
    """
    if is_call:
        otm = max(strike - underlying, 0.0)
        per_share = premium + max(0.12 * underlying - otm, 0.07 * underlying)
    else:
        otm = max(underlying - strike, 0.0)
        per_share = min(premium + max(0.12 * underlying - otm, 0.07 * strike), strike)
    return per_share * unit


def broker_margin(exchange_margin: float, markup: float) -> float:
    """Broker margin: exchange margin x (1 + markup)."""
    return exchange_margin * (1.0 + markup)


def margin_parts(
    is_call: bool, premium: float, underlying: float, strike: float, unit: float
) -> tuple[float, float]:
    """(FixedMargin, MiniMargin) per contract for CThostFtdcOptionInstrTradeCostField: the
    ``premium + 12% S - OTM`` part and the ``premium + 7% S`` (call) / ``7% K`` (put) part."""
    if is_call:
        otm = max(strike - underlying, 0.0)
        fixed = premium + 0.12 * underlying - otm
        mini = premium + 0.07 * underlying
    else:
        otm = max(underlying - strike, 0.0)
        fixed = min(premium + 0.12 * underlying - otm, strike)
        mini = min(premium + 0.07 * strike, strike)
    return fixed * unit, mini * unit


# --- fees (A.13) ---------------------------------------------------------------------------


class FeeAction(Enum):
    BUY_OPEN = "buy_open"
    SELL_OPEN = "sell_open"
    CLOSE = "close"
    EXERCISE = "exercise"


@dataclass(frozen=True)
class FeeSchedule:
    """Per-contract fees (CNY, all-in: broker commission + exchange and clearing fees).

    Defaults are typical retail broker terms for ETF options in 2024-2025: 2.0 per contract to
    buy open and to close (brokers quote 1.7-2.5, exchange fees included), 0 to sell open or
    covered open (SSE waives its handling fee for sell-open and many brokers follow), 1.0 per
    contract exercised (settlement fee plus a small broker fee). All configurable.
    """

    buy_open: float = 2.0
    sell_open: float = 0.0
    close: float = 2.0
    exercise: float = 1.0

    def per_contract(self, action: FeeAction) -> float:
        return {
            FeeAction.BUY_OPEN: self.buy_open,
            FeeAction.SELL_OPEN: self.sell_open,
            FeeAction.CLOSE: self.close,
            FeeAction.EXERCISE: self.exercise,
        }[action]

    def fee(self, action: FeeAction, volume: int) -> float:
        return self.per_contract(action) * volume


def fee_action(direction: str, offset: str) -> FeeAction:
    """The fee action of an order side: open by direction, every close alike."""
    if offset == C.THOST_FTDC_OF_Open:
        return FeeAction.BUY_OPEN if direction == C.THOST_FTDC_D_Buy else FeeAction.SELL_OPEN
    return FeeAction.CLOSE


# --- sessions (A.5) and exercise window (A.9) ----------------------------------------------


class Phase(Enum):
    BEFORE_OPEN = "before_open"  # before 9:15
    OPEN_AUCTION = "open_auction"  # 9:15-9:20, cancels allowed
    OPEN_AUCTION_NO_CANCEL = "open_auction_no_cancel"  # 9:20-9:25
    PRE_OPEN = "pre_open"  # 9:25-9:30, orders held, no matching
    CONTINUOUS = "continuous"  # 9:30-11:30, 13:00-14:57
    BREAK = "break"  # 11:30-13:00, orders held, no matching
    CLOSE_AUCTION = "close_auction"  # 14:57-15:00 (no cancels 14:59-15:00)
    CLOSED = "closed"  # after 15:00


PHASE_STATUS: dict[Phase, str] = {
    Phase.BEFORE_OPEN: C.THOST_FTDC_IS_BeforeTrading,
    Phase.OPEN_AUCTION: C.THOST_FTDC_IS_AuctionOrdering,
    Phase.OPEN_AUCTION_NO_CANCEL: C.THOST_FTDC_IS_AuctionOrdering,
    Phase.PRE_OPEN: C.THOST_FTDC_IS_NoTrading,
    Phase.CONTINUOUS: C.THOST_FTDC_IS_Continous,
    Phase.BREAK: C.THOST_FTDC_IS_NoTrading,
    Phase.CLOSE_AUCTION: C.THOST_FTDC_IS_AuctionAfterClosed,
    Phase.CLOSED: C.THOST_FTDC_IS_Closed,
}


def phase_at(t: time) -> Phase:
    """Trading phase of SSE/SZSE options at wall time ``t`` (China time) in ``exchange`` mode."""
    if t < time(9, 15):
        return Phase.BEFORE_OPEN
    if t < time(9, 20):
        return Phase.OPEN_AUCTION
    if t < time(9, 25):
        return Phase.OPEN_AUCTION_NO_CANCEL
    if t < time(9, 30):
        return Phase.PRE_OPEN
    if t < time(11, 30):
        return Phase.CONTINUOUS
    if t < time(13, 0):
        return Phase.BREAK
    if t < time(14, 57):
        return Phase.CONTINUOUS
    if t < time(15, 0):
        return Phase.CLOSE_AUCTION
    return Phase.CLOSED


def order_accepted(phase: Phase, kind: OrderKind) -> bool:
    """Whether the exchange accepts an order of ``kind`` in ``phase`` (else exchange reject).

    Continuous trading takes every type; auctions, the 9:25-9:30 pause and the lunch break take
    limit GFD orders only (held until matching resumes); nothing before 9:15 or after 15:00.
    """
    if phase == Phase.CONTINUOUS:
        return True
    if phase in (Phase.BEFORE_OPEN, Phase.CLOSED):
        return False
    return kind == OrderKind.LIMIT_GFD


def matching_allowed(phase: Phase) -> bool:
    """Continuous matching happens only in the continuous phase (the call auctions are
    uncrossed once, at 9:25 and 15:00, by the counter's matching.call_auction)."""
    return phase == Phase.CONTINUOUS


def cancel_allowed(phase: Phase, t: time) -> bool:
    """No cancels in 9:20-9:25 and in the closing auction's last minute 14:59-15:00."""
    if phase == Phase.OPEN_AUCTION_NO_CANCEL:
        return False
    return not (phase == Phase.CLOSE_AUCTION and t >= time(14, 59))


def lock_allowed(phase: Phase) -> bool:
    """Lock/unlock (ReqLockInsert) only in trading hours: 9:15-11:30 and 13:00-15:00 of a
    trading day (sopt-rules.md A.10 "accepted during trading hours"); not before the opening
    auction, in the lunch break or after the close."""
    return phase not in (Phase.BEFORE_OPEN, Phase.BREAK, Phase.CLOSED)


EXERCISE_WINDOWS: dict[str, tuple[tuple[time, time], ...]] = {
    SSE: ((time(9, 15), time(9, 25)), (time(9, 30), time(11, 30)), (time(13, 0), time(15, 30))),
    SZSE: ((time(9, 15), time(11, 30)), (time(13, 0), time(15, 30))),
}


def exercise_time_allowed(exchange: str, t: time) -> bool:
    """Whether ``t`` lies in the exchange's exercise-declaration window on expiry day."""
    return any(start <= t < end for start, end in EXERCISE_WINDOWS.get(exchange, ()))


def intrinsic(is_call: bool, underlying: float, strike: float) -> float:
    """Intrinsic value per share."""
    return max(underlying - strike, 0.0) if is_call else max(strike - underlying, 0.0)
