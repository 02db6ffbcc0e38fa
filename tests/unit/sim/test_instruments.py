"""The simulated listing: codes, names, strike grid, expiries, limits, CTP instrument dicts."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

import pytest

from vnpy_ctpsopt.api import constant as C
from vnpy_ctpsopt.sim.calendar import fourth_wednesday, listed_expiries, next_trading_day
from vnpy_ctpsopt.sim.instruments import (
    UNDERLYINGS,
    SimInstrument,
    build_instruments,
    etf_price_limits,
    grid_index,
    instrument_field,
    option_price_limits,
    round_half_up,
    strike_grid,
    strike_interval,
)

DAY = date(2026, 11, 30)
INSTRUMENT_FIELDS = (  # noqa: SIM905
    "InstrumentID ExchangeID InstrumentName ExchangeInstID ProductID ProductClass DeliveryYear "
    "DeliveryMonth MaxMarketOrderVolume MinMarketOrderVolume MaxLimitOrderVolume "
    "MinLimitOrderVolume VolumeMultiple PriceTick CreateDate OpenDate ExpireDate StartDelivDate "
    "EndDelivDate InstLifePhase IsTrading PositionType PositionDateType LongMarginRatio "
    "ShortMarginRatio MaxMarginSideAlgorithm UnderlyingInstrID StrikePrice OptionsType "
    "UnderlyingMultiple CombinationType MinBuyVolume MinSellVolume InstrumentCode"
).split()


@pytest.fixture(scope="module")
def chain() -> list[SimInstrument]:
    return build_instruments(DAY, {"510050": 2.93, "159915": 2.04, "510500": 6.1, "159919": 4.02})


def test_underlyings_table() -> None:
    codes = [(u.exchange, u.code) for u in UNDERLYINGS]
    assert codes == [
        ("SSE", "510050"), ("SSE", "510300"), ("SSE", "510500"), ("SSE", "588000"),
        ("SSE", "588080"), ("SZSE", "159919"), ("SZSE", "159922"), ("SZSE", "159915"),
        ("SZSE", "159901"),
    ]  # fmt: skip
    ratios = {u.code: u.limit_ratio for u in UNDERLYINGS}
    assert {c for c, r in ratios.items() if r == 0.2} == {"588000", "588080", "159915"}
    assert all(0.005 <= u.daily_vol <= 0.03 for u in UNDERLYINGS)


@pytest.mark.parametrize(
    ("strike", "interval"),
    [(2.5, 0.05), (3.0, 0.05), (3.1, 0.1), (5.0, 0.1), (5.25, 0.25), (12.0, 0.5), (30.0, 1.0),
     (60.0, 2.5), (150.0, 5.0)],
)  # fmt: skip
def test_strike_interval(strike: float, interval: float) -> None:
    assert strike_interval(strike) == interval


def test_strike_grid_follows_interval_table() -> None:
    assert strike_grid(2.93) == [2.75, 2.8, 2.85, 2.9, 2.95, 3.0, 3.1, 3.2, 3.3]
    assert strike_grid(4.62) == [4.2, 4.3, 4.4, 4.5, 4.6, 4.7, 4.8, 4.9, 5.0]
    assert strike_grid(6.1) == [5.0, 5.25, 5.5, 5.75, 6.0, 6.25, 6.5, 6.75, 7.0]
    assert strike_grid(0.12) == [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45]
    for spot in (1.37, 2.99, 3.04, 4.97, 5.13, 9.9, 10.2):
        grid = strike_grid(spot)
        assert len(grid) == 9 and grid == sorted(grid)
        atm = grid[4]
        assert all(abs(atm - spot) <= abs(k - spot) for k in grid)
        for lo, hi in zip(grid, grid[1:], strict=False):
            assert hi - lo == pytest.approx(strike_interval(hi - 1e-9))
    assert len(strike_grid(3.0, 6)) == 13
    assert grid_index(0.05) == 1 and grid_index(3.0) == 60 and grid_index(3.1) == 61
    with pytest.raises(ValueError):
        grid_index(3.05)


def test_etf_rows(chain: list[SimInstrument]) -> None:
    etfs = [i for i in chain if not i.is_option]
    assert [i.instrument_id for i in etfs] == [u.code for u in UNDERLYINGS]
    for inst in etfs:
        assert inst.product_class == C.THOST_FTDC_PC_Stock == "8"
        assert inst.unit == 1 and inst.price_tick == 0.001 and inst.options_type == ""


def test_option_codes_names_and_series(chain: list[SimInstrument]) -> None:
    options = [i for i in chain if i.is_option]
    ids = [i.instrument_id for i in options]
    assert len(ids) == len(set(ids))
    assert len({i.exchange_inst_id for i in options}) == len(options)
    expiries = {e.strftime("%Y%m%d") for e in listed_expiries(DAY)}
    series: dict[tuple[str, str, str, int], set[float]] = defaultdict(set)
    for inst in options:
        assert inst.product_class == C.THOST_FTDC_PC_ETFOption == "7"
        assert inst.price_tick == 0.0001
        prefix = "1000" if inst.exchange_id == "SSE" else "9000"
        assert re.fullmatch(prefix + r"\d{4}", inst.instrument_id)
        assert inst.expire_date in expiries
        expiry = inst.expiry
        assert expiry is not None and expiry == fourth_wednesday(expiry.year, expiry.month)
        cp = "C" if inst.options_type == C.THOST_FTDC_CP_CallOptions else "P"
        assert inst.options_type in (C.THOST_FTDC_CP_CallOptions, C.THOST_FTDC_CP_PutOptions)
        code = inst.exchange_inst_id
        head = f"{inst.underlying_id}{cp}{expiry:%y%m}"
        kind = "购" if cp == "C" else "沽"
        assert inst.name.startswith(f"{_prefix(inst.underlying_id)}{kind}{expiry.month}月")
        assert inst.limit_ratio == (0.2 if inst.underlying_id in {"588000", "588080", "159915"}
                                    else 0.1)  # fmt: skip
        assert (inst.max_limit_volume, inst.max_market_volume) == (50, 10)
        if inst.adjust_flag == "M":
            assert inst.unit == 10000
            milli = round(inst.strike * 1000)
            tail = f"M{milli:05d}" if inst.exchange_id == "SSE" else f"M{milli:06d}"
            assert code == head + tail
            assert inst.name.endswith(f"月{milli}")
            series[(inst.underlying_id, inst.expire_date, cp, inst.unit)].add(inst.strike)
        else:
            assert inst.adjust_flag == "A" and inst.unit == 10130 and inst.name.endswith("A")
            assert code.startswith(head) and ("A" in code[-6:])
    assert len(series) == 9 * 4 * 2
    for strikes in series.values():
        assert len(strikes) >= 9
    # Every strike has both a call and a put (vnpy pairs them by option_index).
    for (und, exp, cp, unit), strikes in series.items():
        other = "P" if cp == "C" else "C"
        assert series[(und, exp, other, unit)] == strikes


def test_named_examples(chain: list[SimInstrument]) -> None:
    by_code = {i.exchange_inst_id: i for i in chain}
    dec = by_code["510050C2612M02900"]
    assert dec.name == "50ETF购12月2900" and dec.strike == 2.9 and dec.expire_date == "20261223"
    put = by_code["159919P2612M004000"]
    assert put.name == "沪深300ETF沽12月4000" and put.instrument_id.startswith("9000")
    szse = [i for i in chain if i.exchange_inst_id.startswith("159919P2612M00")]
    assert all(i.name.startswith("沪深300ETF沽12月") for i in szse)
    assert all(len(i.exchange_inst_id) == 18 for i in szse)
    assert all(
        len(i.exchange_inst_id) == 17 for i in chain if i.exchange_id == "SSE" and i.is_option
    )


def test_adjusted_series_per_exchange(chain: list[SimInstrument]) -> None:
    adjusted = [i for i in chain if i.adjust_flag == "A"]
    assert {i.exchange_id for i in adjusted} == {"SSE", "SZSE"}
    for inst in adjusted:
        original = int(inst.exchange_inst_id.rstrip("A")[-5:]) / 1000
        assert inst.strike == round(original * 10000 / 10130, 3)
        assert inst.name.endswith(f"{round(inst.strike * 1000)}A")
    sse = next(i for i in adjusted if i.exchange_inst_id == "510050C2612A03000")
    assert sse.name == "50ETF购12月2962A" and sse.unit == 10130


def test_codes_are_stable_across_days(chain: list[SimInstrument]) -> None:
    later = date(2026, 12, 10)
    rebuilt = build_instruments(later, {"510050": 3.02})
    by_key = {i.exchange_inst_id: i.instrument_id for i in chain}
    common = [i for i in rebuilt if i.exchange_inst_id in by_key]
    assert len(common) > 200
    assert all(by_key[i.exchange_inst_id] == i.instrument_id for i in common)


def test_merge_keeps_listed_and_adds_strikes(chain: list[SimInstrument]) -> None:
    # The next day 50ETF rallies: old strikes stay, new ones are added above.
    nxt = next_trading_day(DAY)
    merged = build_instruments(nxt, {"510050": 3.25, "159915": 2.04, "510500": 6.1, "159919": 4.02},
                               existing=chain)  # fmt: skip
    ids = {i.instrument_id for i in merged}
    assert {i.instrument_id for i in chain} <= ids
    added = [i for i in merged if i.instrument_id not in {c.instrument_id for c in chain}]
    assert added and all(i.underlying_id == "510050" for i in added)
    assert all(i.open_date == nxt.strftime("%Y%m%d") for i in added)
    dec_calls = sorted(
        i.strike for i in merged
        if i.exchange_inst_id.startswith("510050C2612M")
    )  # fmt: skip
    above = [k for k in dec_calls if k > 3.25]
    assert len(above) >= 4
    # After December expiry the December contracts are gone and a new far month appears.
    after = next_trading_day(date(2026, 12, 23))
    rolled = build_instruments(after, {}, existing=merged)
    assert not any(i.expire_date == "20261223" for i in rolled)
    assert any(i.adjust_flag == "A" and i.exchange_id == "SSE" for i in rolled)


def _prefix(code: str) -> str:
    return next(u.prefix for u in UNDERLYINGS if u.code == code)


@pytest.mark.parametrize(
    ("cp", "strike", "pre_settle", "s0", "ratio", "expected"),
    [
        # Worked examples of the rules (50ETF, S0 = 2.800).
        (C.THOST_FTDC_CP_CallOptions, 2.9, 0.05, 2.8, 0.1, (0.0001, 0.32)),
        (C.THOST_FTDC_CP_PutOptions, 2.7, 0.04, 2.8, 0.1, (0.0001, 0.30)),
        # Deep in the money call: up = min(2 S0 - K, S0) x p = S0 x p, down = S0 x p.
        (C.THOST_FTDC_CP_CallOptions, 2.3, 0.52, 2.8, 0.1, (0.24, 0.80)),
        # Far out of the money call: min(2 S0 - K, S0) x p below S0 x 0.5%.
        (C.THOST_FTDC_CP_CallOptions, 5.55, 0.0003, 2.8, 0.1, (0.0001, 0.0143)),
        # Put far out of the money: 2K - S0 < 0 -> K x 0.5%.
        (C.THOST_FTDC_CP_PutOptions, 1.2, 0.0002, 2.8, 0.1, (0.0001, 0.0062)),
        # 20% parameter (科创50).
        (C.THOST_FTDC_CP_CallOptions, 1.0, 0.06, 1.0, 0.2, (0.0001, 0.26)),
        # Rounding half up on the tick.
        (C.THOST_FTDC_CP_CallOptions, 3.0, 0.12345, 3.0, 0.1, (0.0001, 0.4235)),
    ],
)
def test_option_price_limits(
    cp: str, strike: float, pre_settle: float, s0: float, ratio: float,
    expected: tuple[float, float],
) -> None:  # fmt: skip
    lower, upper = option_price_limits(cp, strike, pre_settle, s0, ratio)
    assert (lower, upper) == pytest.approx(expected, abs=1e-12)
    assert round_half_up(upper, 0.0001) == upper


def test_etf_limits_and_rounding() -> None:
    assert etf_price_limits(2.8, 0.1) == (2.52, 3.08)
    assert etf_price_limits(1.455, 0.2) == (1.164, 1.746)
    assert round_half_up(0.12345, 0.0001) == 0.1235
    assert round_half_up(2.8005, 0.001) == 2.801


def test_instrument_field(chain: list[SimInstrument]) -> None:
    inst = next(i for i in chain if i.exchange_inst_id == "510050P2612M02900")
    data = instrument_field(inst, DAY)
    assert set(INSTRUMENT_FIELDS) <= set(data)
    assert data["InstrumentCode"] == data["ExchangeInstID"] == "510050P2612M02900"
    assert data["ProductClass"] == "7" and data["OptionsType"] == C.THOST_FTDC_CP_PutOptions
    assert (data["DeliveryYear"], data["DeliveryMonth"]) == (2026, 12)
    assert data["ExpireDate"] == data["StartDelivDate"] == "20261223"
    assert data["EndDelivDate"] == "20261224"
    assert data["VolumeMultiple"] == 10000 and data["PriceTick"] == 0.0001
    assert data["UnderlyingInstrID"] == "510050" and data["StrikePrice"] == 2.9
    assert (data["MaxLimitOrderVolume"], data["MaxMarketOrderVolume"]) == (50, 10)
    assert data["InstLifePhase"] == C.THOST_FTDC_IP_Started and data["IsTrading"] == 1
    assert instrument_field(inst, date(2026, 12, 24))["InstLifePhase"] == C.THOST_FTDC_IP_Expired
    etf = instrument_field(chain[0], DAY)
    assert etf["ProductClass"] == "8" and etf["VolumeMultiple"] == 1 and etf["PriceTick"] == 0.001
    # Fresh dicts each call.
    assert instrument_field(inst, DAY) is not data


def test_instrument_round_trips_through_dict(chain: list[SimInstrument]) -> None:
    for inst in chain[:20]:
        assert SimInstrument.from_dict(inst.to_dict()) == inst
