"""Combination strategies (sopt-rules A.11/B.7): margins per code computed by hand (S = 3.0,
unit 10,000) and the leg rules' refusals (82, 118, 119, 121)."""

from __future__ import annotations

import pytest

from tests.unit.core.kit import option
from vnpy_ctpsopt.core.combos import (
    STRATEGIES,
    check_combine,
    check_split,
    combination_id,
    parse_combination,
    split_at_close,
)
from vnpy_ctpsopt.core.margin import combination_margin, short_margin
from vnpy_ctpsopt.core.terms import BUY, SELL, Refused

S = 3.0
UNIT = 10000
# Hand-computed single-leg margins (A.4) of the short legs used below:
#  call K3.0 settle 0.10: OTM 0 -> 0.10 + max(0.36, 0.21) = 0.46 -> 4600
#  put  K3.0 settle 0.08: OTM 0 -> min(0.08 + max(0.36, 0.21), 3.0) = 0.44 -> 4400
#  call K3.2 settle 0.03: OTM 0.2 -> 0.03 + max(0.16, 0.21) = 0.24 -> 2400
#  put  K2.8 settle 0.02: OTM 0.2 -> 0.02 + max(0.16, 0.196) = 0.216 -> 2160
#  put  K3.2 settle 0.25: OTM 0 -> 0.25 + max(0.36, 0.224) = 0.61 -> 6100
#  call K2.8 settle 0.25: OTM 0 -> 0.25 + max(0.36, 0.21) = 0.61 -> 6100
LEG_MARGINS = [
    (True, 0.10, 3.0, 4600.0),
    (False, 0.08, 3.0, 4400.0),
    (True, 0.03, 3.2, 2400.0),
    (False, 0.02, 2.8, 2160.0),
    (False, 0.25, 3.2, 6100.0),
    (True, 0.25, 2.8, 6100.0),
]


@pytest.mark.parametrize(("is_call", "settle", "strike", "expected"), LEG_MARGINS)
def test_leg_margins_by_hand(is_call: bool, settle: float, strike: float, expected: float) -> None:
    assert short_margin(is_call, settle, S, strike, UNIT) == pytest.approx(expected)


# (code, strikes, short-leg margins, settlements, combination margin, margin released)
COMBOS = [
    # debit spreads carry none: the short call K3.2 (2400) is released
    ("CNSJC", (2.8, 3.2), (0.0, 2400.0), (0.0, 0.03), 0.0, 2400.0),
    ("PXSJC", (3.2, 2.8), (0.0, 2160.0), (0.0, 0.02), 0.0, 2160.0),
    # credit spreads: (3.2 - 2.8) x 10000 = 4000 instead of 6100
    ("PNSJC", (2.8, 3.2), (0.0, 6100.0), (0.0, 0.25), 4000.0, 2100.0),
    ("CXSJC", (3.2, 2.8), (0.0, 6100.0), (0.0, 0.25), 4000.0, 2100.0),
    # straddle: max(4600, 4400) + 0.08 x 10000 = 5400 instead of 9000
    ("KS", (3.0, 3.0), (4600.0, 4400.0), (0.10, 0.08), 5400.0, 3600.0),
    # strangle: max(2400, 2160) + 0.02 x 10000 = 2600 instead of 4560
    ("KKS", (3.2, 2.8), (2400.0, 2160.0), (0.03, 0.02), 2600.0, 1960.0),
    # put leg larger: max(2000, 3000) + call settle 0.05 x 10000 = 3500
    ("KKS", (3.2, 2.8), (2000.0, 3000.0), (0.05, 0.04), 3500.0, 1500.0),
    # margin short call -> covered: all 4600 released
    ("ZBD", (3.0,), (4600.0,), (0.10,), 0.0, 4600.0),
]


@pytest.mark.parametrize(("code", "strikes", "margins", "settles", "comb", "released"), COMBOS)
def test_combination_margin_and_release(
    code: str,
    strikes: tuple[float, ...],
    margins: tuple[float, ...],
    settles: tuple[float, ...],
    comb: float,
    released: float,
) -> None:
    got = combination_margin(code, strikes, UNIT, margins, settles)
    assert got == pytest.approx(comb)
    assert sum(margins) - got == pytest.approx(released)  # splitting restores it


def test_unknown_code_margin() -> None:
    with pytest.raises(ValueError):
        combination_margin("XYZ", (3.0,), UNIT)


def error_of(fn: object, *args: object) -> int:
    try:
        fn(*args)  # type: ignore[operator]
    except Refused as exc:
        return exc.error_id
    return 0


DAY, E_MINUS_1 = "20261218", "20261222"


def test_every_strategy_accepts_its_legs() -> None:
    legs = {
        "CNSJC": (option(2.8, True), option(3.2, True)),
        "PXSJC": (option(3.2, False), option(2.8, False)),
        "PNSJC": (option(2.8, False), option(3.2, False)),
        "CXSJC": (option(3.2, True), option(2.8, True)),
        "KS": (option(3.0, True), option(3.0, False)),
        "KKS": (option(3.2, True), option(2.8, False)),
        "ZBD": (option(3.0, True),),
    }
    assert set(legs) == set(STRATEGIES)
    for code, contracts in legs.items():
        ids = [c.instrument_id for c in contracts]
        strategy, parsed = parse_combination(combination_id(code, ids))
        assert (strategy.code, parsed) == (code, ids)
        assert error_of(check_combine, strategy, contracts, SELL, DAY, E_MINUS_1) == 0
    assert [STRATEGIES[c].combination_type for c in ("CNSJC", "PXSJC", "KS", "KKS", "ZBD")] == [
        "1", "2", "3", "4", "5"
    ]  # fmt: skip


def test_refusals() -> None:
    ks = STRATEGIES["KS"]
    cnsjc = STRATEGIES["CNSJC"]
    call, put = option(3.0, True), option(3.0, False)
    assert error_of(parse_combination, "ABC 1&2") == 82
    assert error_of(parse_combination, "KS 10000001") == 82  # one leg for two
    assert error_of(check_combine, ks, (call, put), BUY, DAY, E_MINUS_1) == 121
    # wrong strike order, wrong type, another expiry / underlying
    assert error_of(check_combine, cnsjc, (option(3.2, True), option(2.8, True)), BUY, DAY,
                    E_MINUS_1) == 82  # fmt: skip
    assert error_of(check_combine, ks, (put, call), SELL, DAY, E_MINUS_1) == 82
    other = option(3.0, False, expire="20270127")
    assert error_of(check_combine, ks, (call, other), SELL, DAY, E_MINUS_1) == 82
    other = option(3.0, False, underlying="510300")
    assert error_of(check_combine, ks, (call, other), SELL, DAY, E_MINUS_1) == 82
    # spreads from E-1 on: 119; a straddle still combines
    spread = (option(2.8, True), option(3.2, True))
    assert error_of(check_combine, cnsjc, spread, BUY, E_MINUS_1, E_MINUS_1) == 119
    assert error_of(check_combine, ks, (call, put), SELL, E_MINUS_1, E_MINUS_1) == 0
    assert error_of(check_split, STRATEGIES["ZBD"]) == 118
    assert error_of(check_split, ks) == 0


def test_spreads_split_at_the_close_of_e_minus_1() -> None:
    assert not split_at_close(STRATEGIES["CNSJC"], DAY, E_MINUS_1)
    assert split_at_close(STRATEGIES["CNSJC"], E_MINUS_1, E_MINUS_1)
    assert not split_at_close(STRATEGIES["KS"], E_MINUS_1, E_MINUS_1)
