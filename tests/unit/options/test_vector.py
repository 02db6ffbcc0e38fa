"""Chain greeks in one vectorised call against vnpy_optionmaster's Black-Scholes, option by option."""

from __future__ import annotations

import numpy as np
import pytest
from vnpy_optionmaster.pricing import black_scholes as om

from vnpy_ctpsopt.options.vector import chain_greeks, holding_greeks


def _grid() -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(3)
    n = 400
    s = rng.uniform(2.0, 5.0, n)
    k = s * rng.uniform(0.8, 1.2, n)
    t = rng.uniform(2 / 365, 1.0, n)
    v = rng.uniform(0.08, 0.6, n)
    call = rng.random(n) < 0.5
    return s, k, t, v, call


def test_greeks_match_optionmaster_within_1e6() -> None:
    s, k, t, v, call = _grid()
    r = 0.02
    got = chain_greeks(s, k, t, r, call, sigma=v)
    for i in range(len(s)):
        price, delta, gamma, theta, vega = om.calculate_greeks(
            s[i], k[i], r, t[i], v[i], 1 if call[i] else -1
        )
        assert got.price[i] == pytest.approx(price, abs=1e-6)
        assert got.delta[i] == pytest.approx(delta, abs=1e-6)
        assert got.gamma[i] == pytest.approx(gamma, abs=1e-6)
        assert got.theta[i] == pytest.approx(theta, abs=1e-6)
        assert got.vega[i] == pytest.approx(vega, abs=1e-6)


def test_implied_vols_of_optionmaster_prices() -> None:
    s, k, t, v, call = _grid()
    r = 0.02
    prices = np.array(
        [om.calculate_price(s[i], k[i], r, t[i], v[i], 1 if call[i] else -1) for i in range(len(s))]
    )
    # where vega is tiny the price does not pin the volatility down to 1e-6
    vegas = np.array([om.calculate_vega(s[i], k[i], r, t[i], v[i]) for i in range(len(s))])
    usable = (prices > 1e-4) & (vegas > 1e-3)
    assert usable.sum() > 300
    got = chain_greeks(s, k, t, r, call, price=prices)
    np.testing.assert_allclose(got.iv[usable], v[usable], atol=1e-6)
    # optionmaster's own solver rounds to 4 decimals
    for i in np.nonzero(usable)[0][:100]:
        impv = om.calculate_impv(prices[i], s[i], k[i], r, t[i], 1 if call[i] else -1)
        assert got.iv[i] == pytest.approx(impv, abs=1.5e-4)


def test_price_without_volatility_gives_nan_greeks() -> None:
    # a call worth less than its intrinsic value has no implied volatility
    got = chain_greeks([3.0, 3.0], [2.5, 3.0], [0.1, 0.1], 0.0, [True, True], price=[0.4, 0.05])
    assert np.isnan(got.iv[0]) and np.isnan(got.delta[0])
    assert 0.0 < got.iv[1] < 1.0 and 0.4 < got.delta[1] < 0.6


def test_exactly_one_of_price_and_sigma() -> None:
    with pytest.raises(ValueError):
        chain_greeks(3.0, 3.0, 0.1, 0.0, True)
    with pytest.raises(ValueError):
        chain_greeks(3.0, 3.0, 0.1, 0.0, True, price=0.1, sigma=0.2)


def test_holding_greeks_scaled_like_optionmaster() -> None:
    s, k, t, r = 3.0, np.array([3.0, 3.2]), np.array([0.1, 0.2]), 0.02
    v = np.array([0.2, 0.25])
    call = np.array([True, False])
    got = chain_greeks(s, k, t, r, call, sigma=v)
    held = holding_greeks(["A", "B"], [2, -3], [10000, 10000], got)
    exp_delta = exp_gamma = exp_vega = exp_theta = 0.0
    for i, (pos, cp) in enumerate(((2, 1), (-3, -1))):
        _, d, g, th, ve = om.calculate_greeks(s, k[i], r, t[i], v[i], cp)
        # OptionMaster: theo_delta = delta*size, theo_vega = vega*size/100, theta*size/240
        exp_delta += pos * d * 10000
        exp_gamma += pos * g * 10000
        exp_vega += pos * ve * 10000 / 100
        exp_theta += pos * th * 10000 / 240
    assert held.delta == pytest.approx(exp_delta, abs=1e-4)
    assert held.gamma == pytest.approx(exp_gamma, abs=1e-4)
    assert held.vega == pytest.approx(exp_vega, abs=1e-4)
    assert held.theta == pytest.approx(exp_theta, abs=1e-4)
    assert held.legs["A"][0] == pytest.approx(2 * 10000 * om.calculate_delta(s, 3.0, r, 0.1, 0.2, 1))
