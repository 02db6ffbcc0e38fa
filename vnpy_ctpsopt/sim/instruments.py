"""The simulated listing: ETF underlyings and their options, built from the exchange rules.

Pure functions and frozen data. Rules (reference/sopt-rules.md A.1-A.3, A.12, B.9.3):

- 9 underlyings (SSE 510050, 510300, 510500, 588000, 588080; SZSE 159919, 159922, 159915,
  159901), ETF rows with ProductClass '8', unit 1 and tick 0.001.
- Options: 4 listed months (calendar.py), strikes on the exchange grid (interval by strike
  level), at least 4 in and 4 out of the money, unit 10000, tick 0.0001, European.
- InstrumentID: 8 digits, SSE ``1000xxxx``, SZSE ``9000xxxx``. The four free digits are a pure
  function of the contract key (underlying, month, call/put, M/A flag, strike), so the same
  contract gets the same code whatever day the chain is built on: standard contracts use
  ``0001-9000``, adjusted ones ``9001-9960``. Live contracts never collide because listed months
  are less than 12 months apart and a series spans fewer than 75 grid strikes.
- Trading code (InstrumentCode/ExchangeInstID): SSE 17 chars ``510050C2612M02900`` (strike x
  1000 on 5 digits, M standard / A adjusted; adjusted contracts keep the original strike in the
  code); SZSE 18 chars ``159919C2612M004000`` (6 digits), adjusted ``159919C2612M04000A``.
- Names: ``50ETF购12月2900``, ``沪深300ETF沽12月4000``; adjusted ones show the adjusted strike
  and end in ``A`` (``50ETF购3月2957A``).
- One adjusted series (unit 10130) per exchange (510050 and 159919) on the first listed quarter
  month, so clients see non-standard units and A-flag contracts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from ..api import constant as C
from .calendar import (
    NO_HOLIDAYS,
    QUARTER_MONTHS,
    expiry_date,
    listed_months,
    listing_date,
    next_trading_day,
)

SSE: str = "SSE"
SZSE: str = "SZSE"

OPTION_UNIT: int = 10000
OPTION_TICK: float = 0.0001
ETF_TICK: float = 0.001
MAX_LIMIT_VOLUME: int = 50
MAX_MARKET_VOLUME: int = 10
ETF_MAX_VOLUME: int = 1_000_000
ADJUSTED_UNIT: int = 10130
ADJUSTED_UNDERLYINGS: frozenset[str] = frozenset({"510050", "159919"})
# Short-option margin parameter (12%), shown as ShortMarginRatio for information only.
SHORT_MARGIN_RATIO: float = 0.12

# Strike grid: (upper bound of the band in milli-CNY, interval in milli-CNY); last band open.
_STRIKE_BANDS: tuple[tuple[int, int], ...] = (
    (3000, 50),
    (5000, 100),
    (10000, 250),
    (20000, 500),
    (50000, 1000),
    (100000, 2500),
    (10**12, 5000),
)
_STD_SLOTS_PER_SERIES: int = 75
_ADJ_SLOTS_PER_SERIES: int = 8
_ADJ_BASE: int = 9000


@dataclass(frozen=True)
class Underlying:
    """An ETF with listed options.

    ``daily_vol`` is the typical standard deviation of daily returns, ``ref_price`` a typical
    price (the default spot of a new simulated market), ``liquidity`` scales option spreads
    (1 = tightest), ``listed`` the option listing date.
    """

    code: str
    exchange: str
    prefix: str
    fund_name: str
    limit_ratio: float
    ref_price: float
    daily_vol: float
    liquidity: float
    listed: str


UNDERLYINGS: tuple[Underlying, ...] = (
    Underlying("510050", SSE, "50ETF", "华夏上证50ETF", 0.1, 3.10, 0.011, 1.0, "20150209"),
    Underlying("510300", SSE, "300ETF", "华泰柏瑞沪深300ETF", 0.1, 4.60, 0.012, 1.0, "20191223"),
    Underlying("510500", SSE, "500ETF", "南方中证500ETF", 0.1, 7.00, 0.014, 1.2, "20220919"),
    Underlying("588000", SSE, "科创50", "华夏上证科创板50ETF", 0.2, 1.45, 0.020, 1.3, "20230605"),
    Underlying(
        "588080", SSE, "科创板50", "易方达上证科创板50ETF", 0.2, 1.45, 0.020, 1.5, "20230605"
    ),
    Underlying("159919", SZSE, "沪深300ETF", "嘉实沪深300ETF", 0.1, 4.75, 0.012, 1.2, "20191223"),
    Underlying("159922", SZSE, "中证500ETF", "嘉实中证500ETF", 0.1, 7.10, 0.014, 1.5, "20220919"),
    Underlying("159915", SZSE, "创业板ETF", "易方达创业板ETF", 0.2, 3.00, 0.019, 1.3, "20220919"),
    Underlying("159901", SZSE, "深证100ETF", "易方达深证100ETF", 0.1, 3.40, 0.013, 2.0, "20221212"),
)


def underlying_info(code: str) -> Underlying:
    """The UNDERLYINGS row of an ETF code (KeyError if not listed)."""
    for u in UNDERLYINGS:
        if u.code == code:
            return u
    raise KeyError(code)


def _exchange_position(code: str) -> int:
    u = underlying_info(code)
    return [x.code for x in UNDERLYINGS if x.exchange == u.exchange].index(code)


@dataclass(frozen=True)
class SimInstrument:
    """One listed instrument: an option (ProductClass '7') or its ETF (ProductClass '8').

    Dates are 'YYYYMMDD' strings (empty ``expire_date`` for ETFs). ``strike`` is the adjusted
    strike for A-flag contracts. ``adjust_flag`` is 'M' or 'A' for options, '' for ETFs.
    """

    instrument_id: str
    exchange_id: str
    name: str
    product_class: str
    underlying_id: str
    options_type: str
    strike: float
    expire_date: str
    open_date: str
    unit: int
    price_tick: float
    exchange_inst_id: str
    limit_ratio: float
    max_limit_volume: int = MAX_LIMIT_VOLUME
    max_market_volume: int = MAX_MARKET_VOLUME
    product_id: str = ""
    adjust_flag: str = ""

    @property
    def is_option(self) -> bool:
        return self.product_class == C.THOST_FTDC_PC_ETFOption

    @property
    def is_call(self) -> bool:
        return self.options_type == C.THOST_FTDC_CP_CallOptions

    @property
    def expiry(self) -> date | None:
        """Expiry date of an option, None for an ETF."""
        return _parse_date(self.expire_date) if self.expire_date else None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SimInstrument:
        return cls(**dict(data))


def _parse_date(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def _fmt_date(day: date) -> str:
    return day.strftime("%Y%m%d")


# ---------------------------------------------------------------------------------------------
# Strike grid


def strike_interval(strike: float) -> float:
    """Strike interval of the band containing ``strike`` (0.05 up to 3, 0.1 up to 5, ...)."""
    milli = round(strike * 1000)
    for upper, step in _STRIKE_BANDS:
        if milli <= upper:
            return step / 1000
    raise AssertionError("unreachable")  # pragma: no cover


def _grid_point(index: int) -> int:
    """Milli-CNY strike of grid point ``index`` (1 = the lowest strike, 0.05)."""
    lower, base = 0, 0
    for upper, step in _STRIKE_BANDS:
        count = (upper - lower) // step
        if index <= base + count:
            return lower + (index - base) * step
        lower, base = upper, base + count
    raise AssertionError("unreachable")  # pragma: no cover


def _floor_index(milli: float) -> int:
    """Index of the highest grid point <= ``milli`` (0 below the first point)."""
    lower, base = 0, 0
    for upper, step in _STRIKE_BANDS:
        count = (upper - lower) // step
        if milli <= upper:
            return base + math.floor((milli - lower) / step + 1e-9)
        lower, base = upper, base + count
    raise AssertionError("unreachable")  # pragma: no cover


def grid_index(strike: float) -> int:
    """Position of a grid strike on the exchange grid (ValueError when off the grid)."""
    milli = round(strike * 1000)
    index = _floor_index(milli)
    if index < 1 or _grid_point(index) != milli:
        raise ValueError(f"{strike} is not on the strike grid")
    return index


def strike_grid(spot: float, n_each_side: int = 4) -> list[float]:
    """The at-the-money grid strike (closest to ``spot``) and ``n_each_side`` on each side.

    Ascending; always ``2 * n_each_side + 1`` strikes (shifted up near the bottom of the grid).
    """
    if not spot > 0:
        raise ValueError(f"spot must be positive: {spot}")
    milli = spot * 1000
    low = max(_floor_index(milli), 1)
    high = low + 1
    atm = low if abs(_grid_point(low) - milli) <= abs(_grid_point(high) - milli) else high
    first = max(atm - n_each_side, 1)
    return [_grid_point(i) / 1000 for i in range(first, first + 2 * n_each_side + 1)]


# ---------------------------------------------------------------------------------------------
# Codes and names


def _cp_letter(options_type: str) -> str:
    return "C" if options_type == C.THOST_FTDC_CP_CallOptions else "P"


def option_code(
    underlying_id: str, month: int, options_type: str, original_strike: float, adjust_flag: str
) -> str:
    """Deterministic 8-digit InstrumentID of an option contract (see the module docstring)."""
    u = underlying_info(underlying_id)
    series = (_exchange_position(underlying_id) * 12 + (month - 1)) * 2 + (
        0 if options_type == C.THOST_FTDC_CP_CallOptions else 1
    )
    index = grid_index(original_strike)
    if adjust_flag == "M":
        slot = series * _STD_SLOTS_PER_SERIES + index % _STD_SLOTS_PER_SERIES + 1
    else:
        slot = _ADJ_BASE + series * _ADJ_SLOTS_PER_SERIES + index % _ADJ_SLOTS_PER_SERIES + 1
    prefix = "1000" if u.exchange == SSE else "9000"
    return f"{prefix}{slot:04d}"


def trading_code(
    underlying_id: str,
    expiry: date,
    options_type: str,
    original_strike: float,
    adjust_flag: str,
) -> str:
    """Exchange trading code (InstrumentCode / ExchangeInstID)."""
    u = underlying_info(underlying_id)
    head = f"{underlying_id}{_cp_letter(options_type)}{expiry:%y%m}"
    milli = round(original_strike * 1000)
    if u.exchange == SSE:
        return f"{head}{adjust_flag}{milli:05d}"
    if adjust_flag == "M":
        return f"{head}M{milli:06d}"
    return f"{head}M{milli:05d}{adjust_flag}"


def option_name(
    underlying_id: str, month: int, options_type: str, strike: float, adjusted: bool
) -> str:
    """Short name, e.g. ``50ETF购12月2900`` or ``50ETF购3月2957A``."""
    u = underlying_info(underlying_id)
    kind = "购" if options_type == C.THOST_FTDC_CP_CallOptions else "沽"
    return f"{u.prefix}{kind}{month}月{round(strike * 1000)}{'A' if adjusted else ''}"


def adjusted_strike(original_strike: float, unit: int) -> float:
    """Strike after an adjustment to ``unit``: K x 10000 / unit, to 0.001."""
    return round(original_strike * OPTION_UNIT / unit, 3)


# ---------------------------------------------------------------------------------------------
# Price limits (A.3)


def round_half_up(price: float, tick: float) -> float:
    """``price`` rounded to the nearest multiple of ``tick``, halves up."""
    decimals = max(0, -math.floor(math.log10(tick)) + 1)
    return round(math.floor(price / tick + 0.5 + 1e-9) * tick, decimals)


def option_price_limits(
    options_type: str,
    strike: float,
    pre_settle: float,
    underlying_pre_close: float,
    ratio: float,
    tick: float = OPTION_TICK,
) -> tuple[float, float]:
    """(lower, upper) limit of an option from the exchange formula.

    call: up = max(S0 x 0.5%, min(2 x S0 - K, S0) x p); put: up = max(K x 0.5%,
    min(2 x K - S0, S0) x p); down = S0 x p for both. Limits are the previous settlement plus /
    minus the move, rounded to the tick (halves up); a lower limit under one tick is one tick.
    """
    s0, k = underlying_pre_close, strike
    if options_type == C.THOST_FTDC_CP_CallOptions:
        up = max(s0 * 0.005, min(2 * s0 - k, s0) * ratio)
    else:
        up = max(k * 0.005, min(2 * k - s0, s0) * ratio)
    down = s0 * ratio
    upper = round_half_up(pre_settle + up, tick)
    lower = round_half_up(pre_settle - down, tick)
    return (max(lower, tick), upper)


def etf_price_limits(pre_close: float, ratio: float, tick: float = ETF_TICK) -> tuple[float, float]:
    """(lower, upper) limit of an ETF: previous close -/+ ratio, on the tick."""
    return (
        max(round_half_up(pre_close * (1 - ratio), tick), tick),
        round_half_up(pre_close * (1 + ratio), tick),
    )


# ---------------------------------------------------------------------------------------------
# Building the listing


def etf_instrument(code: str) -> SimInstrument:
    """The ETF row of an underlying."""
    u = underlying_info(code)
    return SimInstrument(
        instrument_id=code,
        exchange_id=u.exchange,
        name=u.fund_name,
        product_class=C.THOST_FTDC_PC_Stock,
        underlying_id=code,
        options_type="",
        strike=0.0,
        expire_date="",
        open_date=u.listed,
        unit=1,
        price_tick=ETF_TICK,
        exchange_inst_id=code,
        limit_ratio=u.limit_ratio,
        max_limit_volume=ETF_MAX_VOLUME,
        max_market_volume=ETF_MAX_VOLUME,
        product_id=code,
        adjust_flag="",
    )


def option_instrument(
    underlying_id: str,
    year: int,
    month: int,
    options_type: str,
    original_strike: float,
    open_date: date,
    *,
    unit: int = OPTION_UNIT,
    holidays: AbstractSet[date] = NO_HOLIDAYS,
) -> SimInstrument:
    """One option contract; ``unit`` other than 10000 makes it an adjusted (A) contract."""
    u = underlying_info(underlying_id)
    adjusted = unit != OPTION_UNIT
    flag = "A" if adjusted else "M"
    strike = adjusted_strike(original_strike, unit) if adjusted else original_strike
    expiry = expiry_date(year, month, holidays)
    return SimInstrument(
        instrument_id=option_code(underlying_id, month, options_type, original_strike, flag),
        exchange_id=u.exchange,
        name=option_name(underlying_id, month, options_type, strike, adjusted),
        product_class=C.THOST_FTDC_PC_ETFOption,
        underlying_id=underlying_id,
        options_type=options_type,
        strike=strike,
        expire_date=_fmt_date(expiry),
        open_date=_fmt_date(open_date),
        unit=unit,
        price_tick=OPTION_TICK,
        exchange_inst_id=trading_code(underlying_id, expiry, options_type, original_strike, flag),
        limit_ratio=u.limit_ratio,
        product_id=f"{underlying_id}_O",
        adjust_flag=flag,
    )


_CP_TYPES: tuple[str, str] = (C.THOST_FTDC_CP_CallOptions, C.THOST_FTDC_CP_PutOptions)


def build_instruments(
    trading_day: date,
    spots: Mapping[str, float],
    *,
    existing: Iterable[SimInstrument] = (),
    holidays: AbstractSet[date] = NO_HOLIDAYS,
    n_each_side: int = 4,
) -> list[SimInstrument]:
    """The listing on ``trading_day``: 9 ETFs and their options, ETFs first, then by code.

    ``spots`` (ETF code -> previous close; missing codes use ``Underlying.ref_price``) place
    the strike grid. ``existing`` is yesterday's listing: its unexpired contracts stay listed and
    strikes are added so that at least ``n_each_side`` remain on each side of the money (the new
    ones open on ``trading_day``); without it a fresh chain is built.
    """
    kept: dict[str, SimInstrument] = {}
    for inst in existing:
        expiry = inst.expiry
        if inst.is_option and expiry is not None and expiry >= trading_day:
            kept[inst.instrument_id] = inst
    fresh = not kept

    result: dict[str, SimInstrument] = {}
    for u in UNDERLYINGS:
        _add(result, etf_instrument(u.code))
        spot = float(spots.get(u.code, u.ref_price))
        months = listed_months(trading_day, holidays)
        for year, month in months:
            opened = listing_date(year, month, holidays) if fresh else trading_day
            for k in strike_grid(spot, n_each_side):
                for cp in _CP_TYPES:
                    _add(
                        result,
                        option_instrument(u.code, year, month, cp, k, opened, holidays=holidays),
                    )
        live_adjusted = any(
            i.underlying_id == u.code and i.adjust_flag == "A" for i in kept.values()
        )
        if u.code in ADJUSTED_UNDERLYINGS and not live_adjusted:
            year, month = next((y, m) for y, m in months if m in QUARTER_MONTHS)
            opened = listing_date(year, month, holidays)
            for k in strike_grid(spot, 2):
                for cp in _CP_TYPES:
                    _add(
                        result,
                        option_instrument(
                            u.code,
                            year,
                            month,
                            cp,
                            k,
                            opened,
                            unit=ADJUSTED_UNIT,
                            holidays=holidays,
                        ),
                    )
    for inst in kept.values():
        _add(result, inst)
        result[inst.instrument_id] = inst  # yesterday's row (its open date) wins
    options = sorted((i for i in result.values() if i.is_option), key=lambda i: i.instrument_id)
    etfs = [i for i in result.values() if not i.is_option]
    return etfs + options


def _add(result: dict[str, SimInstrument], inst: SimInstrument) -> None:
    """Add ``inst`` unless the same contract is there; a different one with its code raises."""
    other = result.get(inst.instrument_id)
    if other is None:
        result[inst.instrument_id] = inst
    elif other.exchange_inst_id != inst.exchange_inst_id:
        raise ValueError(f"option code collision: {inst.instrument_id}")


# ---------------------------------------------------------------------------------------------
# The CTP view


def life_phase(inst: SimInstrument, trading_day: date) -> str:
    """InstLifePhase on ``trading_day``: not started, started or expired."""
    if inst.open_date and trading_day < _parse_date(inst.open_date):
        return C.THOST_FTDC_IP_NotStart
    expiry = inst.expiry
    if expiry is not None and trading_day > expiry:
        return C.THOST_FTDC_IP_Expired
    return C.THOST_FTDC_IP_Started


def instrument_field(
    inst: SimInstrument, trading_day: date, holidays: AbstractSet[date] = NO_HOLIDAYS
) -> dict[str, Any]:
    """A fresh CThostFtdcInstrumentField dict, filled as the SOPT counter fills it."""
    expiry = inst.expiry
    phase = life_phase(inst, trading_day)
    if inst.is_option and expiry is not None:
        delivery_year, delivery_month = expiry.year, expiry.month
        end_deliv = _fmt_date(next_trading_day(expiry, holidays))
    else:
        delivery_year, delivery_month, end_deliv = 0, 0, ""
    return {
        "InstrumentID": inst.instrument_id,
        "ExchangeID": inst.exchange_id,
        "InstrumentName": inst.name,
        "OldInstrumentName": inst.name,
        "ExchangeInstID": inst.exchange_inst_id,
        "InstrumentCode": inst.exchange_inst_id,
        "ProductID": inst.product_id,
        "ProductClass": inst.product_class,
        "DeliveryYear": delivery_year,
        "DeliveryMonth": delivery_month,
        "MaxMarketOrderVolume": inst.max_market_volume,
        "MinMarketOrderVolume": 1,
        "MaxLimitOrderVolume": inst.max_limit_volume,
        "MinLimitOrderVolume": 1,
        "VolumeMultiple": inst.unit,
        "PriceTick": inst.price_tick,
        "CreateDate": inst.open_date,
        "OpenDate": inst.open_date,
        "ExpireDate": inst.expire_date,
        "StartDelivDate": inst.expire_date,
        "EndDelivDate": end_deliv,
        "InstLifePhase": phase,
        "IsTrading": 1 if phase == C.THOST_FTDC_IP_Started else 0,
        "PositionType": C.THOST_FTDC_PT_Gross,
        "PositionDateType": C.THOST_FTDC_PDT_NoUseHistory,
        "LongMarginRatio": 0.0,
        "ShortMarginRatio": SHORT_MARGIN_RATIO if inst.is_option else 0.0,
        "MaxMarginSideAlgorithm": C.THOST_FTDC_MMSA_NO,
        "UnderlyingInstrID": inst.underlying_id,
        "StrikePrice": inst.strike,
        "OptionsType": inst.options_type,
        "UnderlyingMultiple": 1.0,
        "CombinationType": C.THOST_FTDC_COMBT_Future,
        "MinBuyVolume": 1,
        "MinSellVolume": 1,
    }
