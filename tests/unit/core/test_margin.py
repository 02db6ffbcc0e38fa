"""Margins computed by hand from sopt-rules.md A.4 (unit 10,000), every branch:

call: [premium + max(12% S - OTM_call, 7% S)] x unit, OTM_call = max(K - S, 0)
put:  min[premium + max(12% S - OTM_put, 7% K), K] x unit, OTM_put = max(S - K, 0)
"""

from __future__ import annotations

import pytest

from tests.unit.core.kit import option
from vnpy_ctpsopt.core.margin import (
    broker_margin,
    maintenance_margin,
    margin_parts,
    open_margin,
    short_margin,
)
from vnpy_ctpsopt.core.terms import PriceRef

# (is_call, premium, S, K, expected exchange margin per contract, how)
CASES = [
    # call OTM, 12% branch: OTM 0.1; 0.336 - 0.1 = 0.236 > 0.196 -> (0.05 + 0.236) x 10000
    (True, 0.05, 2.8, 2.9, 2860.0, "call otm"),
    # call ITM: OTM 0; 0.336 > 0.196 -> (0.15 + 0.336) x 10000
    (True, 0.15, 2.8, 2.7, 4860.0, "call itm"),
    # call deep OTM, floor: OTM 0.7; 0.336 - 0.7 < 0.196 (7% S) -> (0.002 + 0.196) x 10000
    (True, 0.002, 2.8, 3.5, 1980.0, "call floor"),
    # put OTM, 12% branch: OTM 0.1; 0.236 > 0.189 (7% K) -> (0.04 + 0.236) x 10000
    (False, 0.04, 2.8, 2.7, 2760.0, "put otm"),
    # put ITM: OTM 0; 0.336 > 0.21 -> (0.22 + 0.336) x 10000 (below K = 3.0)
    (False, 0.22, 2.8, 3.0, 5560.0, "put itm"),
    # put deep OTM, floor on the STRIKE: OTM 0.6; 0.336 - 0.6 < 0.154 (7% x 2.2)
    # -> (0.001 + 0.154) x 10000 = 1550 (7% of the underlying would give 1970)
    (False, 0.001, 2.8, 2.2, 1550.0, "put floor"),
    # put capped at the strike: 0.49 + max(0.012, 0.035) = 0.525 > K 0.5 -> 0.5 x 10000
    (False, 0.49, 0.1, 0.5, 5000.0, "put cap"),
]


@pytest.mark.parametrize(("call", "premium", "spot", "strike", "expected", "how"), CASES)
def test_short_margin_every_branch(
    call: bool, premium: float, spot: float, strike: float, expected: float, how: str
) -> None:
    assert short_margin(call, premium, spot, strike, 10000) == pytest.approx(expected), how


def test_broker_markup_and_open_margin() -> None:
    # 2860 x (1 + 10 %) = 3146; 2860 x 1.2 = 3432
    assert broker_margin(2860.0, 0.1) == pytest.approx(3146.0)
    assert broker_margin(2860.0, 0.2) == pytest.approx(3432.0)
    # opening margin reads the previous settlement and the underlying's previous close
    call = option(2.9, True)
    broker, exch = open_margin(call, PriceRef(0.0, 1.0, 0.05, 2.8), 0.1)
    assert (broker, exch) == (pytest.approx(3146.0), pytest.approx(2860.0))
    deep_put = option(2.2, False)
    broker, exch = open_margin(deep_put, PriceRef(0.0, 1.0, 0.001, 2.8), 0.0)
    assert (broker, exch) == (pytest.approx(1550.0), pytest.approx(1550.0))


def test_maintenance_margin_uses_settlement_close_and_volume() -> None:
    # put K 2.7, settlement 0.05, close 2.9: OTM 0.2; 0.348 - 0.2 = 0.148 < 0.189 (7% K)
    # -> (0.05 + 0.189) x 10000 = 2390 per contract; 3 contracts 7170; broker x 1.1 = 7887
    put = option(2.7, False)
    broker, exch = maintenance_margin(put, 0.05, 2.9, 3, 0.1)
    assert exch == pytest.approx(7170.0)
    assert broker == pytest.approx(7887.0)


def test_trade_cost_parts() -> None:
    # call K 2.9, S 2.8, premium 0.05: fixed 0.05 + 0.336 - 0.1 = 0.286; mini 0.05 + 0.196
    fixed, mini = margin_parts(True, 0.05, 2.8, 2.9, 10000)
    assert (fixed, mini) == (pytest.approx(2860.0), pytest.approx(2460.0))
    # put K 2.2 deep OTM: fixed 0.001 + 0.336 - 0.6 = -0.263; mini 0.001 + 0.154
    fixed, mini = margin_parts(False, 0.001, 2.8, 2.2, 10000)
    assert (fixed, mini) == (pytest.approx(-2630.0), pytest.approx(1550.0))
