"""A seeded synthetic ETF-option market: underlying paths, smile-priced options, 5-level books.

Model (all vectorised with numpy; no per-instrument Python work in ``advance``):

- Time runs on a 500 ms grid from the first ``advance`` (or ``start``). Each grid step moves
  every underlying by a lognormal step with its daily volatility spread over ``day_seconds``
  of simulated time, clipped to the ETF's price limits; the implied-volatility level of each
  underlying follows a slow mean-reverting random walk.
- Options are priced with Black-Scholes from a smile: ``iv = base x level x term(T) x
  (1 + skew m + curvature m^2)`` with ``m`` the standardised log-moneyness. Time to expiry is
  counted in calendar days from the trading day plus the part of the day not yet elapsed, so it
  is continuous across days and zero at the close of the expiry day.
- Books: best bid/ask around the theoretical value with a spread of a few ticks (wider for
  expensive, far-month and less liquid contracts), deeper levels one or a few ticks apart,
  10-200 contracts a level (ETFs: one-tick spread, 0.001 tick, large volumes), clipped to the
  day's limits; a side beyond a limit is empty. Books are a pure function of the state, the
  seed and the step number, built lazily when read.
- Background trades (scaled by ``activity``; 0 disables them) hit the best bid or ask, so
  last/open/high/low/volume/turnover/open interest move like a traded market.
- ``record_trade`` adds the counter's own fills; ``take_liquidity`` removes displayed volume
  until the next step refreshes the books.
- Limits come from the exchange formula (instruments.option_price_limits) on the previous
  settlement and the underlying's previous close; ``settle``/``roll`` close the day and open
  the next one.

Snapshots are CThostFtdcDepthMarketDataField dicts with the real front's conventions: empty
book levels, Open/High/Low before the first trade and Pre/CurrDelta are DBL_MAX; ClosePrice is 0
until the closing call auction traded (its price) or the day is settled, SettlementPrice 0 until
the day is settled (vnpy_sopt reads ``ClosePrice > 0`` as "market closed"); LastPrice is the
previous close until the first trade.

Not thread-safe: the owner serialises calls. Instances share nothing (no module state).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..options.pricing import bs_price
from .calendar import NO_HOLIDAYS
from .instruments import SimInstrument, underlying_info

DBL_MAX: float = sys.float_info.max
STEP_SECONDS: float = 0.5
LEVELS: int = 5
_STEP_US: int = 500_000
_YEAR_DAYS: float = 365.0
_CHINA_TZ = timezone(timedelta(hours=8))
_STATE_VERSION: int = 1

# Snapshot fields that change during the day, in the order of SimMarket._ensure_rows.
_DYNAMIC_FIELDS: tuple[str, ...] = (
    "LastPrice",
    "OpenPrice",
    "HighestPrice",
    "LowestPrice",
    "Volume",
    "BigVolume",
    "Turnover",
    "OpenInterest",
    "AveragePrice",
    "ClosePrice",
    "SettlementPrice",
    *(f"BidPrice{j}" for j in range(1, 6)),
    *(f"BidVolume{j}" for j in range(1, 6)),
    *(f"AskPrice{j}" for j in range(1, 6)),
    *(f"AskVolume{j}" for j in range(1, 6)),
)

# Smile and liquidity shape (shared by every underlying).
_SKEW: float = -0.06
_CURVATURE: float = 0.035
_TERM_BUMP: float = 0.08
_LEVEL_REVERSION_PER_DAY: float = 0.5
_LEVEL_VOL_PER_DAY: float = 0.04
_EXPIRY_SPREAD: tuple[float, ...] = (1.0, 1.2, 1.5, 2.0)
_EXPIRY_ACTIVITY: tuple[float, ...] = (1.0, 0.6, 0.3, 0.15)
_EXPIRY_OI: tuple[float, ...] = (1.0, 0.7, 0.4, 0.25)
_OPTION_TRADE_RATE: float = 0.25  # per step, at the money, front month
_ETF_TRADE_RATE: float = 0.6
_ETF_LOT: int = 100

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
BoolArr = NDArray[np.bool_]


def _naive(dt: datetime) -> datetime:
    """China wall time without tzinfo (aware datetimes are converted first)."""
    if dt.tzinfo is None:
        return dt
    return dt.astimezone(_CHINA_TZ).replace(tzinfo=None)


def _fmt_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def _none_if_nan(x: float) -> float | None:
    return None if math.isnan(x) else x


def _nan_if_none(x: float | None) -> float:
    return math.nan if x is None else float(x)


def _round_ticks(x: F64) -> I64:
    """Nearest tick count, halves up (the exchange's rounding of limit prices)."""
    return np.floor(x + 0.5 + 1e-9).astype(np.int64)


class SimMarket:
    """Market state of one simulated exchange for one trading day at a time.

    Per-instrument arrays are indexed by ``self._idx[instrument_id]`` (ETFs and options in the
    order of the instrument list); per-underlying arrays by ``self._uidx[etf_code]``; books are
    ``(n, 5)`` arrays of tick counts and volumes, best level first (0 volume: empty level).
    """

    def __init__(
        self,
        instruments: Sequence[SimInstrument],
        seed: int,
        trading_day: date,
        start: datetime | None = None,
        *,
        spots: Mapping[str, float] | None = None,
        activity: float = 1.0,
        day_seconds: float = 14400.0,
        rate: float = 0.015,
        holidays: AbstractSet[date] = NO_HOLIDAYS,
    ) -> None:
        if seed < 0:
            raise ValueError(f"seed must be >= 0: {seed}")
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        self._activity = float(activity)
        self._day_seconds = float(day_seconds)
        self._rate = float(rate)
        self._holidays = frozenset(holidays)
        self._trading_day = trading_day
        self._t0: datetime | None = _naive(start) if start is not None else None
        self._now: datetime | None = self._t0
        self._step = 0
        self._settled = False
        self._consumed: list[tuple[int, int, int, int]] = []  # (row, side 0 bid/1 ask, tick, vol)
        self._init_underlyings(instruments, spots or {})
        self._init_instruments(instruments, {})
        self._open_day(initial=True)

    # ------------------------------------------------------------------------------------------
    # Set-up

    def _init_underlyings(
        self, instruments: Sequence[SimInstrument], spots: Mapping[str, float]
    ) -> None:
        codes: list[str] = []
        for inst in instruments:
            code = inst.underlying_id if inst.is_option else inst.instrument_id
            if code not in codes:
                codes.append(code)
        self._ucodes = codes
        self._uidx = {c: i for i, c in enumerate(codes)}
        infos = [underlying_info(c) for c in codes]
        nu = len(codes)
        self._u_daily_vol = np.array([u.daily_vol for u in infos], dtype=np.float64)
        self._u_liq = np.array([u.liquidity for u in infos], dtype=np.float64)
        self._u_ratio = np.array([u.limit_ratio for u in infos], dtype=np.float64)
        self._u_base_iv = self._u_daily_vol * math.sqrt(244.0) * 1.05
        start = np.array([float(spots.get(u.code, u.ref_price)) for u in infos], dtype=np.float64)
        self._u_pre_close = np.round(start, 3)
        self._spot = self._u_pre_close.copy()
        self._u_level = np.zeros(nu, dtype=np.float64)  # log of the IV level factor

    def _init_instruments(
        self, instruments: Sequence[SimInstrument], carry: Mapping[str, dict[str, float]]
    ) -> None:
        """Arrays for ``instruments``; ``carry`` maps ids to yesterday's closing state."""
        self._insts = list(instruments)
        self._idx = {inst.instrument_id: i for i, inst in enumerate(self._insts)}
        if len(self._idx) != len(self._insts):
            raise ValueError("duplicate instrument ids")
        for inst in self._insts:
            code = inst.underlying_id if inst.is_option else inst.instrument_id
            if code not in self._uidx:
                raise ValueError(f"unknown underlying {code} (not in the market's underlyings)")
        n = len(self._insts)
        insts = self._insts
        self._is_opt = np.array([i.is_option for i in insts], dtype=bool)
        self._opt_rows = np.nonzero(self._is_opt)[0]
        self._etf_rows = np.nonzero(~self._is_opt)[0]
        self._is_call = np.array([i.is_call for i in insts], dtype=bool)
        self._strike = np.array([i.strike for i in insts], dtype=np.float64)
        self._unit = np.array([i.unit for i in insts], dtype=np.float64)
        self._tick = np.array([i.price_tick for i in insts], dtype=np.float64)
        self._ratio = np.array([i.limit_ratio for i in insts], dtype=np.float64)
        self._u_of = np.array(
            [self._uidx[i.underlying_id if i.is_option else i.instrument_id] for i in insts],
            dtype=np.int64,
        )
        self._etf_row_of_u = np.full(len(self._ucodes), -1, dtype=np.int64)
        for row in self._etf_rows:
            self._etf_row_of_u[self._u_of[row]] = row
        self._adjusted = np.array([i.adjust_flag == "A" for i in insts], dtype=bool)
        self._expiry = [i.expiry for i in insts]
        self._rank = np.zeros(n, dtype=np.int64)
        by_u: dict[int, list[date]] = {}
        for row in self._opt_rows:
            exp = self._expiry[row]
            assert exp is not None
            by_u.setdefault(int(self._u_of[row]), []).append(exp)
        for row in self._opt_rows:
            exp = self._expiry[row]
            assert exp is not None
            ranks = sorted(set(by_u[int(self._u_of[row])]))
            self._rank[row] = min(ranks.index(exp), len(_EXPIRY_SPREAD) - 1)

        nan = np.full(n, np.nan)
        self._pre_settle = nan.copy()
        self._pre_close = nan.copy()
        self._pre_oi = np.zeros(n, dtype=np.float64)
        self._oi = np.zeros(n, dtype=np.float64)
        self._last = nan.copy()
        self._open = nan.copy()
        self._high = nan.copy()
        self._low = nan.copy()
        self._volume = np.zeros(n, dtype=np.int64)
        self._turnover = np.zeros(n, dtype=np.float64)
        self._settle = nan.copy()
        self._close = nan.copy()
        self._theo = nan.copy()
        self._carry = carry

    def _open_day(self, initial: bool = False) -> None:
        """Previous-day values, limits and books for a new trading day.

        ``initial``: the market's first day, whose contracts start with some open interest
        (contracts listed later start with none).
        """
        td = self._trading_day
        self._days_left = np.array(
            [(e - td).days if e is not None else 0 for e in self._expiry], dtype=np.float64
        )
        self._settled = False
        # ETFs: previous close = underlying previous close.
        etf = self._etf_rows
        self._pre_close[etf] = self._u_pre_close[self._u_of[etf]]
        self._pre_settle[etf] = self._pre_close[etf]
        # Options: carried state, else a listing reference price from the model.
        self._theo = self._model_values()
        fresh: list[int] = []
        for row in self._opt_rows:
            prev = self._carry.get(self._insts[row].instrument_id)
            if prev is None:
                fresh.append(int(row))
                continue
            self._pre_settle[row] = prev["settle"]
            self._pre_close[row] = prev["close"]
            self._pre_oi[row] = prev["oi"]
        self._carry = {}
        if fresh:
            rows = np.array(fresh, dtype=np.int64)
            ref = (
                np.maximum(_round_ticks(self._theo[rows] / self._tick[rows]), 1) * self._tick[rows]
            )
            self._pre_settle[rows] = np.round(ref, 4)
            self._pre_close[rows] = self._pre_settle[rows]
            if initial:
                self._pre_oi[rows] = self._initial_oi(rows)
        self._oi = self._pre_oi.copy()
        self._lower, self._upper = self._compute_limits()
        self._last[:] = np.nan
        self._open[:] = np.nan
        self._high[:] = np.nan
        self._low[:] = np.nan
        self._volume[:] = 0
        self._turnover[:] = 0.0
        self._settle[:] = np.nan
        self._close[:] = np.nan
        self._books_step = -1
        self._consumed = []
        self._consumed_step = self._step
        self._rows: list[tuple[Any, ...]] | None = None
        self._templates = self._build_templates()

    def _initial_oi(self, rows: I64) -> F64:
        """Open interest of the contracts the market starts with."""
        m = self._moneyness(rows)
        expiry_f = np.asarray(_EXPIRY_OI, dtype=np.float64)[self._rank[rows]]
        base = 40000.0 * np.exp(-0.5 * m * m) * expiry_f / self._u_liq[self._u_of[rows]]
        base = np.where(self._adjusted[rows], base * 0.2, base)
        noise = self._rng.lognormal(0.0, 0.5, len(rows))
        return np.floor(base * noise).astype(np.float64)

    def _compute_limits(self) -> tuple[F64, F64]:
        """(lower, upper) limits of every instrument (exchange formula, on the tick)."""
        tick = self._tick
        s0 = self._u_pre_close[self._u_of]
        k = self._strike
        p = self._ratio
        up_call = np.maximum(s0 * 0.005, np.minimum(2 * s0 - k, s0) * p)
        up_put = np.maximum(k * 0.005, np.minimum(2 * k - s0, s0) * p)
        up = np.where(self._is_call, up_call, up_put)
        down = s0 * p
        ps = self._pre_settle
        upper_opt = _round_ticks((ps + up) / tick)
        lower_opt = np.maximum(_round_ticks((ps - down) / tick), 1)
        upper_etf = _round_ticks(ps * (1 + p) / tick)
        lower_etf = np.maximum(_round_ticks(ps * (1 - p) / tick), 1)
        upper = np.where(self._is_opt, upper_opt, upper_etf)
        lower = np.where(self._is_opt, lower_opt, lower_etf)
        self._upper_t = upper
        self._lower_t = lower
        return np.round(lower * tick, 4), np.round(upper * tick, 4)

    # ------------------------------------------------------------------------------------------
    # Model

    def _time_to_expiry(self, rows: I64) -> F64:
        elapsed = self._step * STEP_SECONDS
        frac = max(0.0, 1.0 - elapsed / self._day_seconds)
        return np.maximum(self._days_left[rows] + frac, 0.0) / _YEAR_DAYS

    def _moneyness(self, rows: I64) -> F64:
        t = np.maximum(self._time_to_expiry(rows), 1.0 / _YEAR_DAYS)
        u = self._u_of[rows]
        fwd = self._spot[u] * np.exp(self._rate * t)
        m = np.log(self._strike[rows] / fwd) / (self._u_base_iv[u] * np.sqrt(t))
        return np.asarray(np.clip(m, -4.0, 4.0), dtype=np.float64)

    def _model_values(self) -> F64:
        """Theoretical values: options from the smile, ETFs at the spot."""
        theo = np.empty(len(self._insts), dtype=np.float64)
        theo[self._etf_rows] = self._spot[self._u_of[self._etf_rows]]
        rows = self._opt_rows
        if len(rows):
            u = self._u_of[rows]
            t = self._time_to_expiry(rows)
            m = self._moneyness(rows)
            term = 1.0 + _TERM_BUMP * np.exp(-t / 0.08)
            iv = self._u_base_iv[u] * np.exp(self._u_level[u]) * term
            iv = np.clip(iv * (1.0 + _SKEW * m + _CURVATURE * m * m), 0.05, 1.5)
            theo[rows] = bs_price(self._spot[u], self._strike[rows], t, self._rate, iv,
                                  self._is_call[rows])  # fmt: skip
        return theo

    def _evolve(self, steps: int) -> None:
        """Move the market ``steps`` grid steps forward (underlyings, IV levels, trades)."""
        nu = len(self._ucodes)
        dt_days = STEP_SECONDS / self._day_seconds
        sd = self._u_daily_vol * math.sqrt(dt_days)
        if steps <= 4096:
            z = self._rng.standard_normal((steps, nu)).sum(axis=0)
        else:
            z = self._rng.standard_normal(nu) * math.sqrt(steps)
        log_ret = -0.5 * sd * sd * steps + sd * z
        spot = self._spot * np.exp(log_ret)
        # Keep the spot inside the ETF limits (their ticks are those of the ETF rows).
        lo = self._u_pre_close * (1 - self._u_ratio)
        hi = self._u_pre_close * (1 + self._u_ratio)
        self._spot = np.clip(spot, lo, hi)
        decay = math.exp(-_LEVEL_REVERSION_PER_DAY * dt_days * steps)
        level_sd = _LEVEL_VOL_PER_DAY * math.sqrt(
            (1 - decay * decay) / (2 * _LEVEL_REVERSION_PER_DAY)
        )
        self._u_level = self._u_level * decay + level_sd * self._rng.standard_normal(nu)
        self._step += steps
        self._theo = self._model_values()
        self._rows = None
        if self._activity > 0:
            self._background_trades(steps)

    # ------------------------------------------------------------------------------------------
    # Books

    def _ensure_books(self) -> None:
        if self._books_step == self._step:
            return
        self._build_books()
        self._books_step = self._step
        self._rows = None
        if self._consumed_step != self._step:
            self._consumed = []  # a new step: the books refilled
            self._consumed_step = self._step
        for row, side, ticks, vol in self._consumed:
            self._consume(row, side, ticks, vol)

    def _build_books(self) -> None:
        n = len(self._insts)
        gen = np.random.Generator(
            np.random.PCG64(
                np.random.SeedSequence([self._seed, self._trading_day.toordinal(), self._step])
            )
        )
        tick = self._tick
        center = self._theo / tick
        is_opt = self._is_opt
        liq = self._u_liq[self._u_of]
        exp_f = np.take(_EXPIRY_SPREAD, self._rank)
        base = liq * exp_f * (0.6 + 0.001 * center)
        spread_opt = np.floor(base + gen.random(n))
        spread_etf = 1.0 + (gen.random(n) < 0.1)
        spread = np.clip(np.where(is_opt, spread_opt, spread_etf), 1, 200).astype(np.int64)
        bid1 = np.floor(center - spread / 2.0 + 0.5).astype(np.int64)
        ask1 = bid1 + spread
        max_gap = np.where(is_opt, np.maximum(1, spread // 2), 1)
        bid_gaps = 1 + np.floor(gen.random((n, LEVELS - 1)) * max_gap[:, None]).astype(np.int64)
        ask_gaps = 1 + np.floor(gen.random((n, LEVELS - 1)) * max_gap[:, None]).astype(np.int64)
        bid_t = np.empty((n, LEVELS), dtype=np.int64)
        ask_t = np.empty((n, LEVELS), dtype=np.int64)
        bid_t[:, 0] = bid1
        ask_t[:, 0] = ask1
        bid_t[:, 1:] = bid1[:, None] - np.cumsum(bid_gaps, axis=1)
        ask_t[:, 1:] = ask1[:, None] + np.cumsum(ask_gaps, axis=1)
        # Limit up: bids stack from the upper limit, no asks. Limit down: the mirror image.
        upper = self._upper_t[:, None]
        lower = self._lower_t[:, None]
        bid_t -= np.maximum(bid_t[:, :1] - upper, 0)
        ask_t += np.maximum(lower - ask_t[:, :1], 0)
        vol_opt = 10 + np.floor(gen.random((n, 2 * LEVELS)) * 191)
        vol_etf = (10 + np.floor(gen.random((n, 2 * LEVELS)) * 2000)) * _ETF_LOT
        vols = np.where(is_opt[:, None], vol_opt, vol_etf).astype(np.int64)
        bid_ok = (bid_t >= lower) & (bid_t <= upper)
        ask_ok = (ask_t >= lower) & (ask_t <= upper)
        self._bid_t = np.where(bid_ok, bid_t, 0)
        self._ask_t = np.where(ask_ok, ask_t, 0)
        self._bid_v = np.where(bid_ok, vols[:, :LEVELS], 0)
        self._ask_v = np.where(ask_ok, vols[:, LEVELS:], 0)

    def _consume(self, row: int, side: int, ticks: int, volume: int) -> None:
        px = self._bid_t if side == 0 else self._ask_t
        vol = self._bid_v if side == 0 else self._ask_v
        hits = np.nonzero((px[row] == ticks) & (vol[row] > 0))[0]
        if not len(hits):
            return
        j = int(hits[0])
        left = int(vol[row, j]) - volume
        if left > 0:
            vol[row, j] = left
            return
        # The level is gone: shift the deeper levels up.
        px[row, j:-1] = px[row, j + 1 :].copy()
        vol[row, j:-1] = vol[row, j + 1 :].copy()
        px[row, -1] = 0
        vol[row, -1] = 0

    # ------------------------------------------------------------------------------------------
    # Trades

    def _background_trades(self, steps: int) -> None:
        self._ensure_books()
        n = len(self._insts)
        rng = self._rng
        u1 = rng.random(n)
        u2 = rng.random(n)
        size = rng.exponential(1.0, n)
        u3 = rng.random(n)
        rows = self._opt_rows
        rate = np.full(n, _ETF_TRADE_RATE)
        if len(rows):
            m = self._moneyness(rows)
            rate[rows] = (
                _OPTION_TRADE_RATE
                * np.exp(-0.5 * m * m)
                * np.take(_EXPIRY_ACTIVITY, self._rank[rows])
                / self._u_liq[self._u_of[rows]]
            )
        rate = np.clip(rate * self._activity, 0.0, 1.0)
        p = 1.0 - (1.0 - rate) ** min(steps, 1000)
        trade = u1 < p
        buy = u2 < 0.5
        has_ask = self._ask_v[:, 0] > 0
        has_bid = self._bid_v[:, 0] > 0
        at_ask = np.where(buy, has_ask, ~has_bid & has_ask)
        trade &= has_ask | has_bid
        if not trade.any():
            return
        ticks = np.where(at_ask, self._ask_t[:, 0], self._bid_t[:, 0])
        level = np.where(at_ask, self._ask_v[:, 0], self._bid_v[:, 0])
        vol_opt = 1 + np.floor(size * 4.0)
        vol_etf = (1 + np.floor(size * 50.0)) * _ETF_LOT
        vol = np.minimum(np.where(self._is_opt, vol_opt, vol_etf), level).astype(np.int64)
        trade &= vol > 0
        idx = np.nonzero(trade)[0]
        price = np.round(ticks[idx] * self._tick[idx], 4)
        volume = vol[idx]
        oi_delta = np.where(self._is_opt[idx], np.round((u3[idx] - 0.45) * 2.0 * volume), 0.0)
        self._apply_trades(idx, price, volume, oi_delta)

    def _apply_trades(self, idx: I64, price: F64, volume: I64, oi_delta: F64) -> None:
        self._last[idx] = price
        self._open[idx] = np.where(np.isnan(self._open[idx]), price, self._open[idx])
        self._high[idx] = np.fmax(self._high[idx], price)
        self._low[idx] = np.fmin(self._low[idx], price)
        self._volume[idx] += volume
        self._turnover[idx] += price * volume * self._unit[idx]
        self._oi[idx] = np.maximum(self._oi[idx] + oi_delta, 0.0)
        self._rows = None

    # ------------------------------------------------------------------------------------------
    # Public API

    @property
    def trading_day(self) -> date:
        return self._trading_day

    @property
    def now(self) -> datetime | None:
        """The last time passed to ``advance`` (or ``start``)."""
        return self._now

    @property
    def step(self) -> int:
        """500 ms grid steps since the day's clock origin."""
        return self._step

    @property
    def settled(self) -> bool:
        return self._settled

    @property
    def instruments(self) -> list[SimInstrument]:
        return list(self._insts)

    def instrument_ids(self) -> list[str]:
        return [i.instrument_id for i in self._insts]

    def has(self, instrument_id: str) -> bool:
        return instrument_id in self._idx

    def advance(self, now: datetime) -> None:
        """Move the market to simulated time ``now`` (earlier times are ignored).

        The market moves in whole 500 ms steps counted from the day's clock origin (``start``,
        else the first ``advance`` of the day, which only sets the origin); calls within one
        step cost a comparison. After ``settle`` the day is closed and nothing moves until
        ``roll``; the next day's grid starts at the first ``advance`` after the roll.
        """
        now = _naive(now)
        if self._t0 is None:
            self._t0 = now
            self._now = now
            return
        if self._now is not None and now <= self._now:
            return
        self._now = now
        if self._settled:
            return
        target = ((now - self._t0) // timedelta(microseconds=1)) // _STEP_US
        steps = int(target) - self._step
        if steps > 0:
            self._evolve(steps)

    def book(self, instrument_id: str) -> tuple[list[tuple[float, int]], list[tuple[float, int]]]:
        """(bids best first, asks best first): displayed (price, volume) levels, up to 5 each."""
        row = self._idx[instrument_id]
        self._ensure_books()
        tick = float(self._tick[row])
        bids = [
            (round(int(t) * tick, 4), int(v))
            for t, v in zip(self._bid_t[row], self._bid_v[row], strict=True)
            if v > 0
        ]
        asks = [
            (round(int(t) * tick, 4), int(v))
            for t, v in zip(self._ask_t[row], self._ask_v[row], strict=True)
            if v > 0
        ]
        return bids, asks

    def take_liquidity(self, instrument_id: str, side: str, price: float, volume: int) -> None:
        """A client trade took ``volume`` displayed at ``price`` on ``side`` ("bid"/"ask").

        The level shrinks (or disappears, deeper levels moving up) until the next step
        refreshes the books. A price not in the book is ignored.
        """
        if side not in ("bid", "ask"):
            raise ValueError(f"side must be 'bid' or 'ask': {side!r}")
        row = self._idx[instrument_id]
        self._ensure_books()
        ticks = int(round(price / float(self._tick[row])))
        entry = (row, 0 if side == "bid" else 1, ticks, int(volume))
        self._consumed.append(entry)
        self._consume(*entry)
        self._rows = None

    def record_trade(
        self, instrument_id: str, price: float, volume: int, open_interest_delta: int
    ) -> None:
        """A trade of the counter's clients: last/open/high/low, Volume, Turnover, OpenInterest."""
        if volume <= 0:
            raise ValueError(f"volume must be positive: {volume}")
        row = self._idx[instrument_id]
        idx = np.array([row], dtype=np.int64)
        self._apply_trades(
            idx,
            np.array([float(price)]),
            np.array([int(volume)], dtype=np.int64),
            np.array([float(open_interest_delta)]),
        )

    def auction_price(self, instrument_id: str, price: float, closing: bool) -> None:
        """The counter's call auction traded at ``price``: the day's open (opening auction) or
        close (closing auction, published as ClosePrice from now on)."""
        row = self._idx[instrument_id]
        if closing:
            self._close[row] = float(price)
        else:
            self._open[row] = float(price)
        self._rows = None

    def limits(self, instrument_id: str) -> tuple[float, float]:
        """(lower, upper) price limits of the day."""
        row = self._idx[instrument_id]
        return float(self._lower[row]), float(self._upper[row])

    def pre_settlement(self, instrument_id: str) -> float:
        """Previous settlement (ETFs: previous close)."""
        return float(self._pre_settle[self._idx[instrument_id]])

    def theo(self, instrument_id: str) -> float:
        """Current model value (not on the tick); the spot for an ETF."""
        return float(self._theo[self._idx[instrument_id]])

    def last_price(self, instrument_id: str) -> float:
        """Last trade price of the day, or the previous close before the first trade."""
        row = self._idx[instrument_id]
        last = float(self._last[row])
        return float(self._pre_close[row]) if math.isnan(last) else last

    def open_interest(self, instrument_id: str) -> int:
        return int(self._oi[self._idx[instrument_id]])

    def spot(self, underlying_id: str) -> float:
        """Current underlying value (continuous, not on the tick)."""
        return float(self._spot[self._uidx[underlying_id]])

    def pre_close(self, underlying_id: str) -> float:
        """Previous close of an underlying ETF."""
        return float(self._u_pre_close[self._uidx[underlying_id]])

    def snapshot(self, instrument_id: str, now: datetime) -> dict[str, Any]:
        """A fresh CThostFtdcDepthMarketDataField dict stamped ``now``."""
        return self.snapshots([instrument_id], now)[0]

    def snapshots(self, instrument_ids: Iterable[str], now: datetime) -> list[dict[str, Any]]:
        """Fresh snapshots of several instruments stamped ``now`` (cheaper than one by one)."""
        rows = self._ensure_rows()
        now = _naive(now)
        stamp = {
            "ActionDay": now.strftime("%Y%m%d"),
            "UpdateTime": now.strftime("%H:%M:%S"),
            "UpdateMillisec": now.microsecond // 1000,
            "SendingTime": now.strftime("%H:%M:%S"),
        }
        out: list[dict[str, Any]] = []
        for instrument_id in instrument_ids:
            i = self._idx[instrument_id]
            d = self._templates[i].copy()
            d.update(stamp)
            d.update(zip(_DYNAMIC_FIELDS, rows[i], strict=False))
            out.append(d)
        return out

    def _build_templates(self) -> list[dict[str, Any]]:
        """The per-day constant part of each instrument's snapshot."""
        day = _fmt_date(self._trading_day)
        templates = []
        for i, inst in enumerate(self._insts):
            templates.append(
                {
                    "TradingDay": day,
                    "InstrumentID": inst.instrument_id,
                    "ExchangeID": inst.exchange_id,
                    "ExchangeInstID": inst.exchange_inst_id,
                    "PreSettlementPrice": float(self._pre_settle[i]),
                    "PreClosePrice": float(self._pre_close[i]),
                    "PreOpenInterest": float(self._pre_oi[i]),
                    "UpperLimitPrice": float(self._upper[i]),
                    "LowerLimitPrice": float(self._lower[i]),
                    "PreDelta": DBL_MAX,
                    "CurrDelta": DBL_MAX,
                    "CircuitRefPrice": float(self._pre_settle[i]),
                }
            )
        return templates

    def _ensure_rows(self) -> list[tuple[Any, ...]]:
        """Per instrument, the values of ``_DYNAMIC_FIELDS`` (rebuilt after any change)."""
        self._ensure_books()
        if self._rows is not None:
            return self._rows
        tick = self._tick[:, None]

        def dbl(a: F64) -> list[float]:
            return np.where(np.isnan(a), DBL_MAX, a).tolist()  # type: ignore[no-any-return]

        def zero(a: F64) -> list[float]:
            return np.where(np.isnan(a), 0.0, a).tolist()  # type: ignore[no-any-return]

        last = np.where(np.isnan(self._last), self._pre_close, self._last)
        with np.errstate(divide="ignore", invalid="ignore"):
            avg = np.where(
                self._volume > 0,
                np.round(self._turnover / (self._volume * self._unit), 6),
                0.0,
            )
        volume = self._volume.tolist()
        bid_p = np.where(self._bid_v > 0, np.round(self._bid_t * tick, 4), DBL_MAX)
        ask_p = np.where(self._ask_v > 0, np.round(self._ask_t * tick, 4), DBL_MAX)
        columns: list[list[Any]] = [
            last.tolist(),
            dbl(self._open),
            dbl(self._high),
            dbl(self._low),
            volume,
            volume,
            np.round(self._turnover, 2).tolist(),
            self._oi.tolist(),
            avg.tolist(),
            zero(self._close),
            zero(self._settle),
        ]
        for arr in (bid_p, self._bid_v, ask_p, self._ask_v):
            columns.extend(arr.T.tolist())
        self._rows = list(zip(*columns, strict=True))
        return self._rows

    # ------------------------------------------------------------------------------------------
    # Day boundaries

    def settle(self) -> dict[str, float]:
        """Close the day: settlement prices of every instrument (id -> price).

        Options settle at the model value on the tick, inside the limits (at least one tick);
        ETFs at their close (last trade, else the spot on the tick). ClosePrice is the closing
        auction's price, else the last trade, else the settlement. Idempotent; the market stops
        moving until ``roll``.
        """
        if not self._settled:
            tick = self._tick
            model = np.clip(_round_ticks(self._theo / tick), self._lower_t, self._upper_t) * tick
            model = np.round(model, 4)
            settle = np.where(self._is_opt, model, np.where(np.isnan(self._last), model,
                                                            self._last))  # fmt: skip
            self._settle = np.round(settle, 4)
            last = np.where(np.isnan(self._last), self._settle, self._last)
            self._close = np.where(np.isnan(self._close), last, self._close)
            self._settled = True
            self._rows = None
        return {inst.instrument_id: float(self._settle[i]) for i, inst in enumerate(self._insts)}

    def roll(self, next_day: date, instruments: Sequence[SimInstrument]) -> None:
        """Start ``next_day`` with ``instruments`` (settling today first if needed).

        Surviving contracts carry settlement -> previous settlement, close -> previous close and
        open interest; contracts missing from ``instruments`` are dropped (expired); new ones
        get a reference price from the model and no open interest. ETFs open near yesterday's
        close with a small overnight gap.
        """
        if next_day <= self._trading_day:
            raise ValueError(f"next_day {next_day} is not after {self._trading_day}")
        self.settle()
        carry = {
            inst.instrument_id: {
                "settle": float(self._settle[i]),
                "close": float(self._close[i]),
                "oi": float(self._oi[i]),
            }
            for i, inst in enumerate(self._insts)
            if inst.is_option
        }
        # Underlying closes: the ETF row's close when listed, else the spot on the tick.
        closes = np.round(self._spot, 3)
        for u, row in enumerate(self._etf_row_of_u):
            if row >= 0:
                closes[u] = self._close[row]
        known = set(self._uidx)
        for inst in instruments:
            code = inst.underlying_id if inst.is_option else inst.instrument_id
            if code not in known:
                raise ValueError(f"unknown underlying {code} (not in the market's underlyings)")
        self._u_pre_close = closes
        gap = self._u_daily_vol * 0.3 * self._rng.standard_normal(len(self._ucodes))
        lo = closes * (1 - self._u_ratio)
        hi = closes * (1 + self._u_ratio)
        self._spot = np.clip(closes * np.exp(gap), lo, hi)
        self._trading_day = next_day
        self._t0 = None  # the new day's 500 ms grid starts at the next advance()
        self._step = 0
        self._init_instruments(instruments, carry)
        self._open_day()

    # ------------------------------------------------------------------------------------------
    # Persistence

    def state_dict(self) -> dict[str, Any]:
        """JSON-serialisable day state (restore with ``SimMarket.from_state_dict``)."""
        per: dict[str, dict[str, Any]] = {}
        for i, inst in enumerate(self._insts):
            per[inst.instrument_id] = {
                "pre_settle": float(self._pre_settle[i]),
                "pre_close": float(self._pre_close[i]),
                "pre_oi": float(self._pre_oi[i]),
                "oi": float(self._oi[i]),
                "last": _none_if_nan(float(self._last[i])),
                "open": _none_if_nan(float(self._open[i])),
                "high": _none_if_nan(float(self._high[i])),
                "low": _none_if_nan(float(self._low[i])),
                "volume": int(self._volume[i]),
                "turnover": float(self._turnover[i]),
                "settle": _none_if_nan(float(self._settle[i])),
                "close": _none_if_nan(float(self._close[i])),
            }
        return {
            "version": _STATE_VERSION,
            "seed": self._seed,
            "trading_day": self._trading_day.isoformat(),
            "t0": self._t0.isoformat() if self._t0 else None,
            "now": self._now.isoformat() if self._now else None,
            "step": self._step,
            "settled": self._settled,
            "activity": self._activity,
            "day_seconds": self._day_seconds,
            "rate": self._rate,
            "holidays": sorted(d.isoformat() for d in self._holidays),
            "rng": _jsonable_rng_state(self._rng.bit_generator.state),
            "underlyings": {
                code: {
                    "spot": float(self._spot[u]),
                    "pre_close": float(self._u_pre_close[u]),
                    "level": float(self._u_level[u]),
                }
                for u, code in enumerate(self._ucodes)
            },
            "instruments": per,
            "consumed": [
                [self._insts[row].instrument_id, side, ticks, vol]
                for row, side, ticks, vol in self._consumed
            ],
        }

    @classmethod
    def from_state_dict(
        cls, instruments: Sequence[SimInstrument], state: Mapping[str, Any]
    ) -> SimMarket:
        """A market restored from ``state_dict()`` for the same ``instruments``.

        It continues exactly as the saved one would have (same random stream and books).
        Instruments missing from the state start as new listings.
        """
        if state.get("version") != _STATE_VERSION:
            raise ValueError(f"unsupported market state version: {state.get('version')}")
        unders = state["underlyings"]
        market = cls(
            instruments,
            int(state["seed"]),
            date.fromisoformat(state["trading_day"]),
            spots={code: float(v["pre_close"]) for code, v in unders.items()},
            activity=float(state["activity"]),
            day_seconds=float(state["day_seconds"]),
            rate=float(state["rate"]),
            holidays=frozenset(date.fromisoformat(d) for d in state["holidays"]),
        )
        market._restore(state)
        return market

    def _restore(self, state: Mapping[str, Any]) -> None:
        self._t0 = datetime.fromisoformat(state["t0"]) if state["t0"] else None
        self._now = datetime.fromisoformat(state["now"]) if state["now"] else None
        self._step = int(state["step"])
        self._rng.bit_generator.state = state["rng"]
        for code, v in state["underlyings"].items():
            u = self._uidx.get(code)
            if u is not None:
                self._spot[u] = float(v["spot"])
                self._u_pre_close[u] = float(v["pre_close"])
                self._u_level[u] = float(v["level"])
        saved = state["instruments"]
        for i, inst in enumerate(self._insts):
            v = saved.get(inst.instrument_id)
            if v is None:  # listed after the state was saved: no open interest yet
                self._pre_oi[i] = self._oi[i] = 0.0
                continue
            self._pre_settle[i] = float(v["pre_settle"])
            self._pre_close[i] = float(v["pre_close"])
            self._pre_oi[i] = float(v["pre_oi"])
            self._oi[i] = float(v["oi"])
            self._last[i] = _nan_if_none(v["last"])
            self._open[i] = _nan_if_none(v["open"])
            self._high[i] = _nan_if_none(v["high"])
            self._low[i] = _nan_if_none(v["low"])
            self._volume[i] = int(v["volume"])
            self._turnover[i] = float(v["turnover"])
            self._settle[i] = _nan_if_none(v["settle"])
            self._close[i] = _nan_if_none(v["close"])
        self._settled = bool(state["settled"])
        self._lower, self._upper = self._compute_limits()
        self._theo = self._model_values()
        self._templates = self._build_templates()
        self._books_step = -1
        self._rows = None
        self._consumed = [
            (self._idx[iid], int(side), int(ticks), int(vol))
            for iid, side, ticks, vol in state["consumed"]
            if iid in self._idx
        ]
        self._consumed_step = self._step


def _jsonable_rng_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """The bit generator state with plain Python types (ints stay exact in JSON)."""
    out: dict[str, Any] = {}
    for key, value in state.items():
        if isinstance(value, Mapping):
            out[key] = _jsonable_rng_state(value)
        elif isinstance(value, np.integer):
            out[key] = int(value)
        else:
            out[key] = value
    return out
