"""The option-chain view over hand-built ContractData."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from vnpy.trader.constant import Exchange, OptionType, Product
from vnpy.trader.object import ContractData
from vnpy_optionmaster.pricing import black_scholes as om

from vnpy_ctpsopt.options.chain import OptionChain, is_adjusted

TODAY = date(2026, 12, 1)
NEAR = datetime(2026, 12, 23)
FAR = datetime(2027, 1, 27)


def option(
    symbol: str,
    strike: float,
    cp: OptionType,
    expiry: datetime,
    portfolio: str = "510050_O",
    size: float = 10000,
    series: str = "M",
    exchange: Exchange = Exchange.SSE,
) -> ContractData:
    c = ContractData(
        symbol=symbol, exchange=exchange, name=symbol, product=Product.OPTION, size=size,
        pricetick=0.0001, gateway_name="T",
    )  # fmt: skip
    c.option_portfolio = portfolio
    c.option_underlying = f"{portfolio[:-2]}-{expiry:%Y%m}"
    c.option_type = cp
    c.option_strike = strike
    c.option_expiry = expiry
    c.option_index = f"{strike:.3f}-{series}"
    return c


def contracts() -> list[ContractData]:
    out: list[ContractData] = []
    n = 0
    for expiry in (FAR, NEAR):  # out of order on purpose
        for strike in (3.1, 2.9, 3.0):
            for cp in (OptionType.PUT, OptionType.CALL):
                n += 1
                out.append(option(f"1000{n:04d}", strike, cp, expiry))
    out.append(option("10009001", 2.957, OptionType.CALL, NEAR, size=10265, series="A03000"))
    out.append(option("10009002", 3.0, OptionType.CALL, NEAR, portfolio="510300_O"))
    out.append(option("10009003", 3.0, OptionType.CALL, datetime(2026, 11, 25)))  # expired
    out.append(option("90000001", 3.0, OptionType.CALL, NEAR, exchange=Exchange.SZSE))
    etf = ContractData(symbol="510050", exchange=Exchange.SSE, name="50ETF", product=Product.ETF,
                       size=1, pricetick=0.001, gateway_name="T")  # fmt: skip
    return [etf, *out]


@pytest.fixture
def chain() -> OptionChain:
    return OptionChain.build("510050.SSE", contracts(), TODAY)


def test_only_the_underlying_listed_options_sorted(chain: OptionChain) -> None:
    assert len(chain) == 13  # 12 standard + 1 adjusted
    assert chain.expiries() == [NEAR.date(), FAR.date()]
    keys = [(c.option_expiry, c.option_strike, c.option_type.name) for c in chain.contracts[:3]]  # type: ignore[union-attr]
    assert keys == [(NEAR, 2.9, "CALL"), (NEAR, 2.9, "PUT"), (NEAR, 2.957, "CALL")]
    assert chain.days_to_expiry(NEAR.date()) == 22
    assert chain.days_to_expiry(chain.contracts[-1]) == 57


def test_adjusted_contracts_flagged_and_kept_apart(chain: OptionChain) -> None:
    adjusted = [c.symbol for c in chain.contracts if is_adjusted(c)]
    assert adjusted == ["10009001"]
    assert chain.strikes(NEAR.date()) == [2.9, 3.0, 3.1]
    assert chain.strikes(NEAR.date(), adjusted=None) == [2.9, 2.957, 3.0, 3.1]
    assert [c.symbol for c in chain.select(NEAR.date(), OptionType.CALL, adjusted=True)] == ["10009001"]
    # the series letter alone flags it, and so does a non-standard unit alone
    assert is_adjusted(option("y", 3.0, OptionType.CALL, NEAR, size=10000, series="A03000"))
    assert not is_adjusted(option("z", 3.0, OptionType.CALL, NEAR, size=10000, series="M03000"))
    assert is_adjusted(option("x", 3.0, OptionType.CALL, NEAR, size=10100, series="M"))


def test_get_and_atm(chain: OptionChain) -> None:
    c = chain.get(NEAR.date(), 3.0, OptionType.PUT)
    assert c is not None and c.option_type == OptionType.PUT and c.option_strike == 3.0
    assert chain.get(NEAR.date(), 3.05, OptionType.PUT) is None
    assert chain.atm_strike(3.04) == 3.0
    assert chain.atm_strike(2.96) == 3.0  # the adjusted 2.957 is not a candidate
    assert chain.atm_strike(3.05) == 3.0  # a tie: the lower strike
    assert chain.atm_strike(3.2, FAR.date()) == 3.1
    atm = chain.atm(3.04, OptionType.CALL)
    assert (atm.option_strike, atm.option_type, atm.option_expiry) == (3.0, OptionType.CALL, NEAR)


def test_by_delta_picks_the_nearest_black_scholes_delta(chain: OptionChain) -> None:
    spot, sigma, t = 3.02, 0.22, 22 / 365
    for cp, target in ((1, 0.25), (-1, -0.25), (1, 0.6)):
        deltas = {k: om.calculate_delta(spot, k, 0.0, t, sigma, cp) for k in (2.9, 3.0, 3.1)}
        want = min(deltas, key=lambda k: abs(deltas[k] - target))
        option_type = OptionType.CALL if cp == 1 else OptionType.PUT
        got = chain.by_delta(target, spot, option_type, sigma=sigma)
        assert (got.option_strike, got.option_type) == (want, option_type)


def test_atm_first(chain: OptionChain) -> None:
    order = chain.atm_first(3.04)
    assert [(c.option_strike, c.option_expiry, c.option_type.name) for c in order[:4]] == [  # type: ignore[union-attr]
        (3.0, NEAR, "CALL"), (3.0, NEAR, "PUT"), (3.0, FAR, "CALL"), (3.0, FAR, "PUT"),
    ]  # fmt: skip
    # then 3.1 (0.06 away), then the adjusted 2.957 (0.083), then 2.9
    assert [c.option_strike for c in order[4:]] == [3.1] * 4 + [2.957] + [2.9] * 4
