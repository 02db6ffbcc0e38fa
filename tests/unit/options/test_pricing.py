"""Black-Scholes-Merton pricing, greeks and implied volatility."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vnpy_ctpsopt.options.pricing import (
    bs_greeks,
    bs_price,
    implied_vol,
)


@pytest.mark.parametrize(
    ("s", "k", "t", "r", "sigma", "q", "is_call", "expected"),
    [
        (100.0, 100.0, 1.0, 0.05, 0.2, 0.0, True, 10.4506),  # Hull
        (100.0, 100.0, 1.0, 0.05, 0.2, 0.0, False, 5.5735),
        (42.0, 40.0, 0.5, 0.10, 0.2, 0.0, True, 4.7594),  # Hull example 15.6
        (42.0, 40.0, 0.5, 0.10, 0.2, 0.0, False, 0.8086),
        (60.0, 65.0, 0.25, 0.08, 0.3, 0.0, True, 2.1334),  # Haug 1.1.1
        (100.0, 95.0, 0.5, 0.10, 0.2, 0.05, False, 2.4648),  # Haug 1.1.2 (Merton)
    ],
)
def test_textbook_values(
    s: float, k: float, t: float, r: float, sigma: float, q: float, is_call: bool, expected: float
) -> None:
    assert bs_price(s, k, t, r, sigma, is_call, q) == pytest.approx(expected, abs=5e-5)


def test_put_call_parity_vectorised() -> None:
    rng = np.random.default_rng(1)
    n = 200
    s = rng.uniform(1.0, 5.0, n)
    k = rng.uniform(1.0, 5.0, n)
    t = rng.uniform(0.01, 2.0, n)
    r = rng.uniform(0.0, 0.05, n)
    q = rng.uniform(0.0, 0.03, n)
    sigma = rng.uniform(0.05, 1.0, n)
    call = bs_price(s, k, t, r, sigma, True, q)
    put = bs_price(s, k, t, r, sigma, False, q)
    assert isinstance(call, np.ndarray) and call.shape == (n,)
    np.testing.assert_allclose(call - put, s * np.exp(-q * t) - k * np.exp(-r * t), atol=1e-12)
    # Mixed call/put arrays price each element by its own type.
    mixed = bs_price(s, k, t, r, sigma, np.arange(n) % 2 == 0, q)
    np.testing.assert_allclose(mixed[::2], call[::2])
    np.testing.assert_allclose(mixed[1::2], put[1::2])


def test_scalar_inputs_give_floats() -> None:
    assert isinstance(bs_price(3.0, 2.9, 0.1, 0.02, 0.2, True), float)
    g = bs_greeks(3.0, 2.9, 0.1, 0.02, 0.2, False)
    assert isinstance(g.delta, np.ndarray) and g.delta.shape == ()
    assert isinstance(implied_vol(0.15, 3.0, 2.9, 0.1, 0.02, True), float)


@pytest.mark.parametrize("is_call", [True, False])
@pytest.mark.parametrize("k", [2.5, 3.0, 3.6])
def test_greeks_match_finite_differences(is_call: bool, k: float) -> None:
    s, t, r, sigma, q = 3.0, 0.25, 0.02, 0.25, 0.01
    g = bs_greeks(s, k, t, r, sigma, is_call, q)
    h = 1e-4
    up = bs_price(s + h, k, t, r, sigma, is_call, q)
    dn = bs_price(s - h, k, t, r, sigma, is_call, q)
    mid = bs_price(s, k, t, r, sigma, is_call, q)
    assert float(g.price) == pytest.approx(mid, rel=1e-12)
    assert float(g.delta) == pytest.approx((up - dn) / (2 * h), abs=1e-7)
    assert float(g.gamma) == pytest.approx((up - 2 * mid + dn) / h**2, rel=1e-4)
    vup = bs_price(s, k, t, r, sigma + h, is_call, q)
    vdn = bs_price(s, k, t, r, sigma - h, is_call, q)
    assert float(g.vega) == pytest.approx((vup - vdn) / (2 * h), rel=1e-6)
    tup = bs_price(s, k, t + h, r, sigma, is_call, q)
    tdn = bs_price(s, k, t - h, r, sigma, is_call, q)
    assert float(g.theta) == pytest.approx(-(tup - tdn) / (2 * h), rel=1e-5)


def test_expired_and_zero_vol_limits() -> None:
    assert bs_price(3.1, 3.0, 0.0, 0.02, 0.2, True) == pytest.approx(0.1)
    assert bs_price(3.1, 3.0, -0.1, 0.02, 0.2, False) == 0.0
    assert float(bs_greeks(3.1, 3.0, 0.0, 0.02, 0.2, True).delta) == 1.0
    assert float(bs_greeks(2.9, 3.0, 0.0, 0.02, 0.2, False).delta) == -1.0
    assert float(bs_greeks(3.1, 3.0, 0.0, 0.02, 0.2, True).gamma) == 0.0
    fwd_intrinsic = 3.1 - 3.0 * math.exp(-0.02 * 0.5)
    assert bs_price(3.1, 3.0, 0.5, 0.02, 0.0, True) == pytest.approx(fwd_intrinsic)
    assert bs_price(3.1, 3.0, 0.5, 0.02, 0.0, False) == 0.0
    # Tiny volatility converges to the zero-volatility value.
    assert bs_price(3.1, 3.0, 0.5, 0.02, 1e-6, True) == pytest.approx(fwd_intrinsic)


def test_implied_vol_round_trip() -> None:
    rng = np.random.default_rng(7)
    n = 500
    s = rng.uniform(1.0, 8.0, n)
    k = s * rng.uniform(0.7, 1.3, n)
    t = rng.uniform(1 / 365, 1.0, n)
    sigma = rng.uniform(0.05, 1.5, n)
    call = rng.random(n) < 0.5
    price = bs_price(s, k, t, 0.02, sigma, call)
    # Round trip where the price carries information about volatility (vega not negligible).
    vega = bs_greeks(s, k, t, 0.02, sigma, call).vega
    usable = vega > 1e-2 * price
    iv = implied_vol(price, s, k, t, 0.02, call)
    np.testing.assert_allclose(iv[usable], sigma[usable], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(
        bs_price(s, k, t, 0.02, iv, call)[usable], price[usable], rtol=1e-9, atol=1e-12
    )
    assert implied_vol(10.4506, 100.0, 100.0, 1.0, 0.05, True) == pytest.approx(0.2, abs=1e-5)


def test_implied_vol_nan_without_solution() -> None:
    s, k, t, r = 3.0, 2.8, 0.2, 0.02
    intrinsic = s - k * math.exp(-r * t)
    assert math.isnan(implied_vol(intrinsic * 0.9, s, k, t, r, True))  # below intrinsic
    assert math.isnan(implied_vol(s * 1.01, s, k, t, r, True))  # above the spot
    assert math.isnan(implied_vol(0.05, s, k, 0.0, r, False))  # expired
    assert math.isnan(implied_vol(float("nan"), s, k, t, r, True))
    out = implied_vol([0.25, -1.0, 5.0], s, k, t, r, True)
    assert np.isfinite(out[0]) and np.isnan(out[1]) and np.isnan(out[2])
