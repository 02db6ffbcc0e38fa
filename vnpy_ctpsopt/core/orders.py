"""Where an order is refused: the order types of SSE/SZSE options, their CTP encoding, and every
check an order must pass before it may rest or trade (reference/sopt-rules.md A.6-A.8, B.2).

``check_order`` runs the checks that need the account (hedge flag, volume, price, position to
close, shares to cover, position limits, money) in the counter's order and returns the per-lot
resources to freeze; each refusal is ``Refused(error_id)`` with the SOPT error id (Chinese
message: ``sim.errors.MESSAGES``). Order kinds are data (``OrderKind`` and the ``ORDER_TYPES``
table), so a new type is a new row; combination orders would add their own check beside
``check_order``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from ..api import constant as C
from ..sim import errors as E
from .book import Book
from .fees import fee_action
from .margin import open_margin
from .terms import (
    BUY,
    CLOSE,
    COVERED,
    EPS,
    LONG,
    OPEN,
    PRICE_EPS,
    SELL,
    SHORT,
    SSE,
    SZSE,
    AccountTerms,
    Contract,
    PriceRef,
    Refused,
)


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
ORDER_TYPES: Mapping[str, Mapping[tuple[str, str, str], OrderKind]] = {
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


def check_tradable(contract: Contract, trading_day: str) -> None:
    """17 for an ETF (options only are traded here) or an option past its expiry."""
    if not contract.is_option:
        raise Refused(E.INSTRUMENT_NOT_TRADING)
    if contract.expire_date and contract.expire_date < trading_day:
        raise Refused(E.INSTRUMENT_NOT_TRADING)


@dataclass(frozen=True)
class NewOrder:
    """An order as the rules see it (plain data): CTP direction '0'/'1', offset normalised
    ('0' open, '1' close), hedge flag, exchange order kind, volume and limit price."""

    contract: Contract
    direction: str
    offset: str
    hedge: str
    kind: OrderKind
    volume: int
    price: float


@dataclass(frozen=True)
class Reserve:
    """What an accepted order freezes per untraded lot (CNY; shares for covered opens)."""

    cash_per_lot: float = 0.0
    margin_per_lot: float = 0.0
    exch_margin_per_lot: float = 0.0
    fee_per_lot: float = 0.0
    shares_per_lot: int = 0


class LiveOrder(Protocol):
    """A working order as the position-limit check reads it (the counter's ``Order`` and the
    core's ``book.WorkingOrder`` both fit)."""

    @property
    def instrument_id(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def offset(self) -> str: ...
    @property
    def remaining(self) -> int: ...


class RestingOrder(Protocol):
    """A client order resting in the book (``core.matching.Resting`` fits)."""

    @property
    def investor_id(self) -> str: ...
    @property
    def price(self) -> float: ...


def check_order(
    book: Book,
    order: NewOrder,
    terms: AccountTerms,
    prices: PriceRef,
    live: Iterable[LiveOrder],
    contracts: Mapping[str, Contract],
    market_maker: bool = False,
) -> Reserve:
    """The account-side checks of a new order, in the counter's order; returns what to freeze.

    94/136 hedge flag; 104 volume; 105 price (limit kinds); 30 more than the closable position;
    covered sell-open: 99 (SZSE free shares) / 98 (SSE locked shares); 106 position limits
    (opening orders; ``live``: the investor's working orders, ``contracts`` to find their
    underlyings); 31 not enough available money for premium (buys, at the limit price or the
    upper limit for market buys), broker margin (sell-opens) and the fee.
    """
    contract = order.contract
    options_type = C.THOST_FTDC_CP_CallOptions if contract.is_call else C.THOST_FTDC_CP_PutOptions
    error = check_hedge(order.hedge, order.direction, order.offset, options_type, market_maker)
    if error:
        raise Refused(error)
    error = check_volume(order.volume, order.kind, contract.max_limit, contract.max_market)
    if error:
        raise Refused(error)
    if not order.kind.is_market:
        error = check_price(order.price, contract.tick, prices.lower, prices.upper)
        if error:
            raise Refused(error)
    freeze_price = order.price if not order.kind.is_market else prices.upper
    fee = terms.fees.per_contract(fee_action(order.direction, order.offset))
    cash = margin = exch = 0.0
    shares = 0
    if order.offset == CLOSE:
        row = book.find_position(
            contract.instrument_id, SHORT if order.direction == BUY else LONG, order.hedge
        )
        if row is None or row.closable < order.volume:
            raise Refused(E.OVER_CLOSE_POSITION)
    if order.direction == BUY:
        cash = freeze_price * contract.unit
    elif order.offset == OPEN and order.hedge == COVERED:
        stock = book.find_stock(contract.underlying)
        need = contract.unit * order.volume
        if contract.exchange_id == SZSE:
            if stock is None or stock.free < need:
                raise Refused(E.NOT_ENOUGH_STOCKPOSITION)
        elif stock is None or stock.locked - stock.lock_frozen < need:
            raise Refused(E.NOT_ENOUGH_LOCKPOSITION)
        shares = contract.unit
    elif order.offset == OPEN:
        margin, exch = open_margin(contract, prices, terms.margin_markup)
    if order.offset == OPEN:
        check_position_limits(book, contracts, live, contract.underlying, order, terms)
    need_cash = (cash + margin + fee) * order.volume
    if need_cash > book.account.available + EPS:
        raise Refused(E.INSUFFICIENT_MONEY)
    return Reserve(cash, margin, exch, fee, shares)


def position_limit_usage(
    book: Book,
    contracts: Mapping[str, Contract],
    live: Iterable[LiveOrder],
    underlying: str,
) -> tuple[int, int, int]:
    """(long, total, buy-opens today) contracts counted against the position limits of
    ``underlying``: held positions plus the remainders of working opening orders."""
    long = total = day = 0
    for row in book.positions.values():
        info = contracts.get(row.instrument_id)
        if info is None or info.underlying != underlying:
            continue
        total += row.position
        if row.direction == LONG:
            long += row.position
            day += row.open_volume
    for working in live:
        info = contracts.get(working.instrument_id)
        if working.offset != OPEN or info is None or info.underlying != underlying:
            continue
        total += working.remaining
        if working.direction == BUY:
            long += working.remaining
            day += working.remaining
    return long, total, day


def check_position_limits(
    book: Book,
    contracts: Mapping[str, Contract],
    live: Iterable[LiveOrder],
    underlying: str,
    order: NewOrder,
    terms: AccountTerms,
) -> None:
    """106 when an opening order would exceed ``terms.position_limits`` (权利仓 long, 总持仓
    total, 单日买入开仓 buy-opens today, per underlying; working opening orders included)."""
    limit_long, limit_total, limit_day = terms.position_limits
    long, total, day = position_limit_usage(book, contracts, live, underlying)
    checks = [(limit_total, total)]
    if order.direction == BUY:
        checks += [(limit_long, long), (limit_day, day)]
    for limit, used in checks:
        if limit and used + order.volume > limit:
            raise Refused(E.POSI_LIMIT)


def would_self_trade(
    investor: str,
    opposite: Iterable[RestingOrder],
    direction: str,
    kind: OrderKind,
    price: float,
) -> bool:
    """Whether an order would trade against the same investor's resting order on the
    ``opposite`` side (154 when the counter checks it)."""
    for other in opposite:
        if other.investor_id != investor:
            continue
        if kind.is_market:
            return True
        if (direction == BUY and other.price <= price + EPS) or (
            direction == SELL and other.price >= price - EPS
        ):
            return True
    return False


def check_lock(book: Book, contract: Contract, lock: bool | None, volume: int) -> None:
    """The share checks of an SSE lock (``lock`` True) or unlock (False) of ``volume`` ETF
    shares: 104 volume; 99 not enough free shares to lock; 98 not enough locked shares not
    backing a covered short to unlock; 15 neither (``lock`` None: an unknown LockType)."""
    if volume <= 0:
        raise Refused(E.VOLUME_NOTSUPPORT)
    stock = book.find_stock(contract.instrument_id)
    if lock is None:
        raise Refused(E.BAD_FIELD)
    if lock:
        if stock is None or stock.free < volume:
            raise Refused(E.NOT_ENOUGH_STOCKPOSITION)
    elif stock is None or stock.locked - stock.lock_frozen < volume:
        raise Refused(E.NOT_ENOUGH_LOCKPOSITION)
