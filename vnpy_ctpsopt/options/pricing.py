"""Black-Scholes-Merton pricing, greeks and implied volatility for European options.

All functions are pure and vectorised: every argument may be a scalar or an array (numpy
broadcasting applies). ``bs_price`` and ``implied_vol`` give a ``float`` for scalar inputs and an
``ndarray`` for array inputs; ``bs_greeks`` gives arrays (0-d for scalar inputs).

Conventions:
- ``t`` is the time to expiry in years, ``r`` the continuously compounded risk-free rate, ``q``
  the continuous dividend yield (or carry: ``b = r - q``), ``sigma`` the annual volatility.
- ``is_call`` is True for calls, False for puts (bool or bool array).
- ``vega`` is per 1.00 of volatility (divide by 100 for "per vol point").
- ``theta`` is the change of value per year as time passes (``-dV/dt``; divide by 365 for per
  calendar day), so it is usually negative for long options.
- At or after expiry (``t <= 0``) the price is the intrinsic value and the greeks are those of
  the payoff (delta 0/±1, others 0). With ``sigma <= 0`` the price is the discounted forward
  intrinsic value.
"""

from __future__ import annotations

from typing import NamedTuple, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr

FloatArray = NDArray[np.float64]

_INV_SQRT_2PI: float = 1.0 / np.sqrt(2.0 * np.pi)


class Greeks(NamedTuple):
    """Price and greeks of one or many options (floats or arrays, see the module docstring)."""

    price: FloatArray
    delta: FloatArray
    gamma: FloatArray
    vega: FloatArray
    theta: FloatArray


def _pdf(x: FloatArray) -> FloatArray:
    return np.asarray(_INV_SQRT_2PI * np.exp(-0.5 * x * x), dtype=np.float64)


def _cdf(x: FloatArray) -> FloatArray:
    return np.asarray(ndtr(x), dtype=np.float64)


def _out(x: FloatArray) -> float | FloatArray:
    return float(x) if x.ndim == 0 else x


def bs_greeks(
    s: ArrayLike,
    k: ArrayLike,
    t: ArrayLike,
    r: ArrayLike,
    sigma: ArrayLike,
    is_call: ArrayLike,
    q: ArrayLike = 0.0,
) -> Greeks:
    """Price and all greeks in one pass, as arrays (0-d arrays for scalar inputs)."""
    s_, k_, t_, r_, v_, q_ = (np.asarray(a, dtype=np.float64) for a in (s, k, t, r, sigma, q))
    call = np.asarray(is_call, dtype=bool)
    phi = np.where(call, 1.0, -1.0)
    s_, k_, t_, r_, v_, q_, phi = np.broadcast_arrays(s_, k_, t_, r_, v_, q_, phi)

    live = t_ > 0.0
    tt = np.where(live, t_, 1.0)
    sqrt_t = np.sqrt(tt)
    df_r = np.exp(-r_ * tt)
    df_q = np.exp(-q_ * tt)
    sd = np.where(v_ > 0.0, v_, 0.0) * sqrt_t
    diffusive = live & (sd > 0.0)
    sd_safe = np.where(diffusive, sd, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        d1 = (np.log(s_ / k_) + (r_ - q_) * tt) / sd_safe + 0.5 * sd_safe
    d2 = d1 - sd_safe
    nd1 = _cdf(phi * d1)
    nd2 = _cdf(phi * d2)
    pdf1 = _pdf(d1)

    fwd_s = s_ * df_q
    fwd_k = k_ * df_r
    price = phi * (fwd_s * nd1 - fwd_k * nd2)
    delta = phi * df_q * nd1
    gamma = df_q * pdf1 / (s_ * sd_safe)
    vega = fwd_s * pdf1 * sqrt_t
    theta = (
        -fwd_s * pdf1 * np.where(v_ > 0.0, v_, 0.0) / (2.0 * sqrt_t)
        - phi * r_ * fwd_k * nd2
        + phi * q_ * fwd_s * nd1
    )

    # Zero volatility before expiry: discounted forward intrinsic value.
    det_itm = phi * (fwd_s - fwd_k) > 0.0
    det_price = np.where(det_itm, phi * (fwd_s - fwd_k), 0.0)
    det_delta = np.where(det_itm, phi * df_q, 0.0)
    det_theta = np.where(det_itm, phi * (q_ * fwd_s - r_ * fwd_k), 0.0)
    # At or after expiry: the payoff.
    exp_itm = phi * (s_ - k_) > 0.0
    exp_price = np.where(exp_itm, phi * (s_ - k_), 0.0)
    exp_delta = np.where(exp_itm, phi, 0.0)

    zero = np.zeros_like(price)
    price = np.where(diffusive, price, np.where(live, det_price, exp_price))
    delta = np.where(diffusive, delta, np.where(live, det_delta, exp_delta))
    gamma = np.where(diffusive, gamma, zero)
    vega = np.where(diffusive, vega, zero)
    theta = np.where(diffusive, theta, np.where(live, det_theta, zero))
    return Greeks(price, delta, gamma, vega, theta)


@overload
def bs_price(
    s: float, k: float, t: float, r: float, sigma: float, is_call: bool, q: float = 0.0
) -> float: ...
@overload
def bs_price(
    s: ArrayLike,
    k: ArrayLike,
    t: ArrayLike,
    r: ArrayLike,
    sigma: ArrayLike,
    is_call: ArrayLike,
    q: ArrayLike = 0.0,
) -> FloatArray: ...
def bs_price(
    s: ArrayLike,
    k: ArrayLike,
    t: ArrayLike,
    r: ArrayLike,
    sigma: ArrayLike,
    is_call: ArrayLike,
    q: ArrayLike = 0.0,
) -> float | FloatArray:
    """Option value."""
    return _out(bs_greeks(s, k, t, r, sigma, is_call, q).price)


@overload
def implied_vol(
    price: float,
    s: float,
    k: float,
    t: float,
    r: float,
    is_call: bool,
    q: float = 0.0,
    *,
    lo: float = 1e-4,
    hi: float = 5.0,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> float: ...
@overload
def implied_vol(
    price: ArrayLike,
    s: ArrayLike,
    k: ArrayLike,
    t: ArrayLike,
    r: ArrayLike,
    is_call: ArrayLike,
    q: ArrayLike = 0.0,
    *,
    lo: float = 1e-4,
    hi: float = 5.0,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> FloatArray: ...
def implied_vol(
    price: ArrayLike,
    s: ArrayLike,
    k: ArrayLike,
    t: ArrayLike,
    r: ArrayLike,
    is_call: ArrayLike,
    q: ArrayLike = 0.0,
    *,
    lo: float = 1e-4,
    hi: float = 5.0,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> float | FloatArray:
    """Volatility in ``[lo, hi]`` whose price equals ``price``; nan when there is none.

    Safeguarded Newton iteration inside a shrinking bracket: each step takes the Newton point
    when it falls inside the bracket and bisects otherwise, so it always converges when the
    price lies between the prices at ``lo`` and ``hi`` (the price is increasing in volatility).
    Expired options (``t <= 0``) and prices outside the bracket give nan.
    """
    p, s_, k_, t_, r_, q_ = (np.asarray(a, dtype=np.float64) for a in (price, s, k, t, r, q))
    call = np.asarray(is_call, dtype=bool)
    p, s_, k_, t_, r_, q_, call = np.broadcast_arrays(p, s_, k_, t_, r_, q_, call)
    shape = p.shape
    p, s_, k_, t_, r_, q_, call = (a.ravel() for a in (p, s_, k_, t_, r_, q_, call))

    lo_v = np.full(p.shape, lo)
    hi_v = np.full(p.shape, hi)
    p_lo = bs_greeks(s_, k_, t_, r_, lo_v, call, q_).price
    p_hi = bs_greeks(s_, k_, t_, r_, hi_v, call, q_).price
    scale = np.maximum(np.abs(p), 1e-12)
    ok = np.isfinite(p) & (t_ > 0.0) & (p >= p_lo - tol * scale) & (p <= p_hi + tol * scale)
    result = np.full(p.shape, np.nan)

    # Start from the Brenner-Subrahmanyam approximation, kept inside the bracket.
    with np.errstate(divide="ignore", invalid="ignore"):
        guess = np.sqrt(2.0 * np.pi / np.where(t_ > 0, t_, 1.0)) * p / s_
    sigma = np.clip(np.nan_to_num(guess, nan=0.2), lo, hi)
    active = ok.copy()
    for _ in range(max_iter):
        if not active.any():
            break
        idx = np.nonzero(active)[0]
        g = bs_greeks(s_[idx], k_[idx], t_[idx], r_[idx], sigma[idx], call[idx], q_[idx])
        diff = g.price - p[idx]
        done = np.abs(diff) <= tol * scale[idx]
        above = diff > 0.0
        hi_v[idx] = np.where(above, sigma[idx], hi_v[idx])
        lo_v[idx] = np.where(above, lo_v[idx], sigma[idx])
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = sigma[idx] - diff / g.vega
        inside = np.isfinite(newton) & (newton > lo_v[idx]) & (newton < hi_v[idx])
        step = np.where(inside, newton, 0.5 * (lo_v[idx] + hi_v[idx]))
        narrow = (hi_v[idx] - lo_v[idx]) <= tol * np.maximum(sigma[idx], 1.0)
        finished = done | narrow
        result[idx[finished]] = sigma[idx[finished]]
        sigma[idx] = np.where(finished, sigma[idx], step)
        active[idx[finished]] = False
    result[active] = sigma[active]
    out = result.reshape(shape)
    return float(out) if out.ndim == 0 else out
