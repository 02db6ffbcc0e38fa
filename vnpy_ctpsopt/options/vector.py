"""Implied volatility and greeks of a whole chain in one vectorised call.

Black-Scholes on the spot without dividends (vnpy_optionmaster's "Black-Scholes 欧式股票期权",
``vnpy_optionmaster.pricing.black_scholes``): same d1, price, delta, gamma, vega (per 1.00 of
volatility) and theta (per year). Holdings greeks are scaled like OptionMaster's ``theo_*``:
delta and gamma x size, vega x size / 100 (per vol point), theta x size / ``annual_days``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .pricing import bs_greeks, implied_vol

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class ChainGreeks:
    """Per contract (arrays aligned with the input): implied vol (nan where none), model price
    at that vol and the raw greeks (nan where the vol is nan)."""

    iv: F64
    price: F64
    delta: F64
    gamma: F64
    vega: F64
    theta: F64


def chain_greeks(
    spot: ArrayLike,
    strike: ArrayLike,
    t: ArrayLike,
    rate: float,
    is_call: ArrayLike,
    *,
    price: ArrayLike | None = None,
    sigma: ArrayLike | None = None,
) -> ChainGreeks:
    """Greeks of many options at once: from market ``price`` (implied vols solved first) or
    from given ``sigma``. ``t`` in years; ``spot`` one value or one per contract."""
    if (price is None) == (sigma is None):
        raise ValueError("give exactly one of price and sigma")
    if price is not None:
        iv = np.asarray(implied_vol(price, spot, strike, t, rate, is_call), dtype=np.float64)
    else:
        iv = np.asarray(sigma, dtype=np.float64)
    iv = np.atleast_1d(iv)
    g = bs_greeks(spot, strike, t, rate, np.where(np.isnan(iv), 0.0, iv), is_call)
    bad = np.isnan(iv)

    def clean(a: F64) -> F64:
        return np.where(bad, np.nan, np.broadcast_to(a, iv.shape)).astype(np.float64)

    return ChainGreeks(
        iv=iv.astype(np.float64),
        price=clean(g.price),
        delta=clean(g.delta),
        gamma=clean(g.gamma),
        vega=clean(g.vega),
        theta=clean(g.theta),
    )


@dataclass(frozen=True)
class HoldingGreeks:
    """Greeks of a holding in OptionMaster's ``theo_*`` / ``pos_*`` units (summed over legs):
    delta in underlying shares, gamma in shares per 1.00 of spot, vega in CNY per vol point,
    theta in CNY per trading day. ``legs`` maps vt_symbol -> (delta, gamma, vega, theta)."""

    delta: float
    gamma: float
    vega: float
    theta: float
    legs: dict[str, tuple[float, float, float, float]]


def holding_greeks(
    vt_symbols: list[str],
    pos: ArrayLike,
    size: ArrayLike,
    greeks: ChainGreeks,
    *,
    annual_days: float = 240.0,
) -> HoldingGreeks:
    """Sum of pos x size-scaled greeks (legs with nan greeks count as 0 and are reported nan)."""
    p = np.asarray(pos, dtype=np.float64) * np.asarray(size, dtype=np.float64)
    d = p * greeks.delta
    g = p * greeks.gamma
    v = p * greeks.vega / 100.0
    th = p * greeks.theta / annual_days
    legs = {
        sym: (float(d[i]), float(g[i]), float(v[i]), float(th[i]))
        for i, sym in enumerate(vt_symbols)
    }
    return HoldingGreeks(
        float(np.nansum(d)), float(np.nansum(g)), float(np.nansum(v)), float(np.nansum(th)), legs
    )
