"""The seeded synthetic market: determinism, books, snapshots, trades, settlement and roll."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta

import pytest

from vnpy_ctpsopt.api import constant as C
from vnpy_ctpsopt.options.pricing import implied_vol
from vnpy_ctpsopt.sim.calendar import next_trading_day
from vnpy_ctpsopt.sim.instruments import (
    UNDERLYINGS,
    SimInstrument,
    build_instruments,
    etf_price_limits,
    option_price_limits,
)
from vnpy_ctpsopt.sim.market import DBL_MAX, SimMarket

DAY = date(2026, 11, 30)
START = datetime(2026, 11, 30, 9, 30)
DEPTH_FIELDS = (  # noqa: SIM905 - CThostFtdcDepthMarketDataField, SOPT 3.7.3
    "TradingDay InstrumentID ExchangeID ExchangeInstID LastPrice PreSettlementPrice "
    "PreClosePrice PreOpenInterest OpenPrice HighestPrice LowestPrice Volume Turnover "
    "OpenInterest ClosePrice SettlementPrice UpperLimitPrice LowerLimitPrice PreDelta CurrDelta "
    "UpdateTime UpdateMillisec BidPrice1 BidVolume1 AskPrice1 AskVolume1 BidPrice2 BidVolume2 "
    "AskPrice2 AskVolume2 BidPrice3 BidVolume3 AskPrice3 AskVolume3 BidPrice4 BidVolume4 "
    "AskPrice4 AskVolume4 BidPrice5 BidVolume5 AskPrice5 AskVolume5 AveragePrice ActionDay "
    "CircuitRefPrice SendingTime BigVolume"
).split()


@pytest.fixture(scope="module")
def chain() -> list[SimInstrument]:
    return build_instruments(DAY, {})


def _run(market: SimMarket, steps: int, start: datetime = START, step_s: float = 0.5) -> datetime:
    now = start
    for _ in range(steps):
        now += timedelta(seconds=step_s)
        market.advance(now)
    return now


def _option(chain: list[SimInstrument], code: str) -> SimInstrument:
    return next(i for i in chain if i.exchange_inst_id == code)


def test_same_seed_same_market(chain: list[SimInstrument]) -> None:
    ids = [i.instrument_id for i in chain]
    a = SimMarket(chain, 11, DAY, START)
    b = SimMarket(chain, 11, DAY, START)
    c = SimMarket(chain, 12, DAY, START)
    for market in (a, b, c):
        now = _run(market, 120)
    # Reading books or snapshots in between must not change the path.
    b.book(ids[30])
    assert a.snapshots(ids, now) == b.snapshots(ids, now)
    assert a.snapshots(ids, now) != c.snapshots(ids, now)
    now2 = _run(a, 40, now, 0.37)
    _run(b, 40, now, 0.37)
    assert a.snapshots(ids, now2) == b.snapshots(ids, now2)


def test_sub_step_and_backward_advance_do_nothing(chain: list[SimInstrument]) -> None:
    market = SimMarket(chain, 3, DAY, START)
    iid = chain[20].instrument_id
    market.advance(START + timedelta(seconds=1))
    before = market.snapshot(iid, START)
    market.advance(START + timedelta(seconds=1.2))
    market.advance(START)
    assert market.snapshot(iid, START) == before
    assert market.step == 2
    market.advance(START + timedelta(seconds=1.5))
    assert market.step == 3


def test_books_sorted_on_tick_inside_limits(chain: list[SimInstrument]) -> None:
    market = SimMarket(chain, 5, DAY, START)
    _run(market, 60)
    for inst in chain:
        bids, asks = market.book(inst.instrument_id)
        lower, upper = market.limits(inst.instrument_id)
        assert len(bids) <= 5 and len(asks) <= 5
        assert bids or asks
        prices = [p for p, _ in bids] + [p for p, _ in asks]
        for p in prices:
            assert lower <= p <= upper
            assert abs(p / inst.price_tick - round(p / inst.price_tick)) < 1e-6
            assert p == round(p, 4)
        assert [p for p, _ in bids] == sorted({p for p, _ in bids}, reverse=True)
        assert [p for p, _ in asks] == sorted({p for p, _ in asks})
        if bids and asks:
            assert bids[0][0] < asks[0][0]
        for _, v in bids + asks:
            if inst.is_option:
                assert 10 <= v <= 200
            else:
                assert v >= 1000 and v % 100 == 0
        theo = market.theo(inst.instrument_id)
        if bids and asks and lower < theo < upper:
            spread = asks[0][0] - bids[0][0]
            assert bids[0][0] - inst.price_tick <= theo <= asks[0][0] + inst.price_tick
            assert spread <= max(10 * inst.price_tick, 0.05 * theo)
        if not inst.is_option:
            assert asks[0][0] - bids[0][0] <= 0.0021


def test_realistic_front_month_quotes(chain: list[SimInstrument]) -> None:
    market = SimMarket(chain, 5, DAY, START)
    _run(market, 10)
    # 50ETF at-the-money front month: a spread of one or two ticks.
    atm = _option(chain, "510050C2612M03100")
    bids, asks = market.book(atm.instrument_id)
    assert 0.0001 <= asks[0][0] - bids[0][0] <= 0.00021
    assert 0.02 < market.theo(atm.instrument_id) < 0.2
    # The 50ETF itself moves by about its daily volatility, not more.
    assert abs(market.spot("510050") / market.pre_close("510050") - 1) < 0.02


def test_snapshot_fields_and_dbl_max(chain: list[SimInstrument]) -> None:
    market = SimMarket(chain, 9, DAY, START, activity=0.0)
    now = _run(market, 4)
    stamp = now + timedelta(milliseconds=250)
    inst = _option(chain, "510050P2612M03000")
    snap = market.snapshot(inst.instrument_id, stamp)
    assert set(snap) == set(DEPTH_FIELDS)
    assert snap["TradingDay"] == snap["ActionDay"] == "20261130"
    assert snap["UpdateTime"] == stamp.strftime("%H:%M:%S") and snap["UpdateMillisec"] == 250
    assert snap["InstrumentID"] == inst.instrument_id and snap["ExchangeID"] == "SSE"
    assert snap["ExchangeInstID"] == "510050P2612M03000"
    # Before the first trade: no open/high/low, last = previous close, nothing traded.
    for key in ("OpenPrice", "HighestPrice", "LowestPrice", "PreDelta", "CurrDelta"):
        assert snap[key] == DBL_MAX == 1.7976931348623157e308
    assert snap["LastPrice"] == snap["PreClosePrice"] == market.pre_settlement(inst.instrument_id)
    assert snap["Volume"] == 0 and snap["Turnover"] == 0.0 and snap["AveragePrice"] == 0.0
    assert snap["ClosePrice"] == 0.0 and snap["SettlementPrice"] == 0.0
    assert snap["OpenInterest"] == snap["PreOpenInterest"] > 0
    lower, upper = market.limits(inst.instrument_id)
    assert (snap["LowerLimitPrice"], snap["UpperLimitPrice"]) == (lower, upper)
    bids, asks = market.book(inst.instrument_id)
    assert [snap[f"BidPrice{j}"] for j in range(1, len(bids) + 1)] == [p for p, _ in bids]
    assert [snap[f"AskVolume{j}"] for j in range(1, len(asks) + 1)] == [v for _, v in asks]
    # Fresh dicts: mutating one changes nothing.
    snap["LastPrice"] = -1.0
    assert market.snapshot(inst.instrument_id, stamp)["LastPrice"] != -1.0


def test_empty_levels_are_dbl_max() -> None:
    # Strikes listed around 3.10, then the market opens far above: the low puts are worthless.
    listing = build_instruments(DAY, {"510050": 3.1})
    market = SimMarket(listing, 2, DAY, START, spots={"510050": 3.9}, activity=0.0)
    _run(market, 2)
    put = _option(listing, "510050P2612M02850")
    assert market.theo(put.instrument_id) < 0.00005
    assert market.pre_settlement(put.instrument_id) == 0.0001
    bids, asks = market.book(put.instrument_id)
    assert bids == [] and asks[0][0] == 0.0001
    snap = market.snapshot(put.instrument_id, START)
    for j in range(1, 6):
        assert snap[f"BidPrice{j}"] == DBL_MAX and snap[f"BidVolume{j}"] == 0
    assert snap["AskPrice1"] == 0.0001 and snap["LowerLimitPrice"] == 0.0001


def test_limits_follow_the_exchange_formula(chain: list[SimInstrument]) -> None:
    market = SimMarket(chain, 4, DAY, START)
    for inst in chain:
        if inst.is_option:
            expected = option_price_limits(
                inst.options_type,
                inst.strike,
                market.pre_settlement(inst.instrument_id),
                market.pre_close(inst.underlying_id),
                inst.limit_ratio,
            )
        else:
            expected = etf_price_limits(market.pre_close(inst.instrument_id), inst.limit_ratio)
        assert market.limits(inst.instrument_id) == pytest.approx(expected, abs=1e-12)


def test_record_trade_consistency(chain: list[SimInstrument]) -> None:
    market = SimMarket(chain, 8, DAY, START, activity=0.0)
    now = _run(market, 2)
    inst = _option(chain, "510050C2612M03200")
    iid = inst.instrument_id
    oi0 = market.open_interest(iid)
    trades = [(0.0512, 3, 3), (0.0530, 2, -1), (0.0499, 5, 0)]
    for price, volume, doi in trades:
        market.record_trade(iid, price, volume, doi)
    snap = market.snapshot(iid, now)
    assert snap["OpenPrice"] == 0.0512 and snap["LastPrice"] == 0.0499
    assert snap["HighestPrice"] == 0.0530 and snap["LowestPrice"] == 0.0499
    assert snap["Volume"] == snap["BigVolume"] == 10
    turnover = sum(p * v * 10000 for p, v, _ in trades)
    assert snap["Turnover"] == pytest.approx(turnover)
    assert snap["AveragePrice"] == pytest.approx(turnover / 10 / 10000, abs=1e-6)
    assert snap["OpenInterest"] == oi0 + 2
    # The adjusted unit counts in turnover; ETFs trade in shares.
    adjusted = next(i for i in chain if i.adjust_flag == "A")
    market.record_trade(adjusted.instrument_id, 0.1, 1, 1)
    assert market.snapshot(adjusted.instrument_id, now)["Turnover"] == pytest.approx(1013.0)
    market.record_trade("510050", 3.101, 1000, 0)
    etf = market.snapshot("510050", now)
    assert etf["Turnover"] == pytest.approx(3101.0) and etf["OpenInterest"] == 0
    with pytest.raises(ValueError):
        market.record_trade(iid, 0.05, 0, 0)


def test_auction_prices_are_the_open_and_the_close(chain: list[SimInstrument]) -> None:
    market = SimMarket(chain, 8, DAY, START, activity=0.0)
    now = _run(market, 2)
    iid = _option(chain, "510050C2612M03200").instrument_id
    market.record_trade(iid, 0.0520, 1, 0)  # an earlier trade set the open
    market.record_trade(iid, 0.0515, 2, 0)
    market.auction_price(iid, 0.0515, closing=False)
    snap = market.snapshot(iid, now)
    assert (snap["OpenPrice"], snap["ClosePrice"]) == (0.0515, 0.0)
    market.auction_price(iid, 0.0517, closing=True)
    market.record_trade(iid, 0.0519, 1, 0)  # a later trade does not move the close
    assert market.snapshot(iid, now)["ClosePrice"] == 0.0517
    restored = SimMarket.from_state_dict(chain, market.state_dict())
    market.settle()
    restored.settle()
    for m in (market, restored):
        snap = m.snapshot(iid, now)
        assert (snap["OpenPrice"], snap["ClosePrice"], snap["LastPrice"]) == (
            0.0515,
            0.0517,
            0.0519,
        )


def test_background_trades_move_volume_and_prices(chain: list[SimInstrument]) -> None:
    market = SimMarket(chain, 6, DAY, START)
    now = _run(market, 200)
    snaps = market.snapshots([i.instrument_id for i in chain], now)
    traded = [s for s in snaps if s["Volume"] > 0]
    assert len(traded) > len(snaps) // 4
    for s in traded:
        assert s["LowestPrice"] <= s["LastPrice"] <= s["HighestPrice"]
        assert s["LowestPrice"] <= s["OpenPrice"] <= s["HighestPrice"]
        assert s["LowerLimitPrice"] <= s["LowestPrice"] <= s["HighestPrice"] <= s["UpperLimitPrice"]
        assert s["Turnover"] > 0


def test_take_liquidity(chain: list[SimInstrument]) -> None:
    market = SimMarket(chain, 13, DAY, START, activity=0.0)
    now = _run(market, 2)
    iid = _option(chain, "510050C2612M03100").instrument_id
    bids, asks = market.book(iid)
    market.take_liquidity(iid, "ask", asks[0][0], 1)
    assert market.book(iid)[1][0] == (asks[0][0], asks[0][1] - 1)
    market.take_liquidity(iid, "ask", asks[0][0], asks[0][1])
    assert market.book(iid)[1][:4] == asks[1:]
    market.take_liquidity(iid, "bid", bids[1][0], bids[1][1])
    assert market.book(iid)[0][:4] == [bids[0]] + bids[2:]
    snap = market.snapshot(iid, now)
    assert snap["AskPrice1"] == asks[1][0] and snap["AskPrice5"] == DBL_MAX
    market.take_liquidity(iid, "bid", 9.9999, 5)  # not in the book: ignored
    with pytest.raises(ValueError):
        market.take_liquidity(iid, "buy", bids[0][0], 1)
    # The next step refreshes the books (full five levels again).
    market.advance(now + timedelta(seconds=0.5))
    refreshed = market.book(iid)
    assert len(refreshed[0]) == 5 and len(refreshed[1]) == 5


def test_state_round_trip_continues_identically(chain: list[SimInstrument]) -> None:
    ids = [i.instrument_id for i in chain]
    market = SimMarket(chain, 21, DAY, START)
    now = _run(market, 50)
    iid = ids[40]
    market.record_trade(iid, market.book(iid)[1][0][0], 2, 2)
    market.take_liquidity(iid, "ask", market.book(iid)[1][0][0], 1)
    state = json.loads(json.dumps(market.state_dict(), allow_nan=False))
    restored = SimMarket.from_state_dict(chain, state)
    assert restored.snapshots(ids, now) == market.snapshots(ids, now)
    later = _run(market, 30, now)
    _run(restored, 30, now)
    assert restored.snapshots(ids, later) == market.snapshots(ids, later)


def test_settle_and_roll(chain: list[SimInstrument]) -> None:
    market = SimMarket(chain, 17, DAY, START)
    now = _run(market, 100)
    iid = _option(chain, "510050C2612M03100").instrument_id
    market.record_trade(iid, market.book(iid)[1][0][0], 4, 4)
    oi = market.open_interest(iid)
    settle = market.settle()
    assert set(settle) == {i.instrument_id for i in chain}
    for inst in chain:
        lower, upper = market.limits(inst.instrument_id)
        assert lower <= settle[inst.instrument_id] <= upper
    snap = market.snapshot(iid, now)
    assert snap["SettlementPrice"] == settle[iid] and snap["ClosePrice"] == snap["LastPrice"] > 0
    assert market.settle() == settle  # idempotent
    # A settled market stands still.
    market.advance(now + timedelta(seconds=30))
    assert market.snapshot(iid, now) == snap

    nxt = next_trading_day(DAY)
    listing = build_instruments(nxt, {"510050": settle["510050"]}, existing=chain)
    market.roll(nxt, listing)
    assert market.trading_day == nxt
    assert market.pre_settlement(iid) == settle[iid]
    assert market.pre_close("510050") == settle["510050"]
    snap2 = market.snapshot(iid, datetime(2026, 12, 1, 9, 30))
    assert snap2["TradingDay"] == "20261201"
    assert snap2["PreClosePrice"] == snap["ClosePrice"]
    assert snap2["PreOpenInterest"] == snap2["OpenInterest"] == oi
    assert snap2["Volume"] == 0 and snap2["OpenPrice"] == DBL_MAX and snap2["ClosePrice"] == 0.0
    inst = next(i for i in listing if i.instrument_id == iid)
    assert market.limits(iid) == pytest.approx(
        option_price_limits(
            inst.options_type, inst.strike, settle[iid], settle["510050"], inst.limit_ratio
        )
    )
    new = [i for i in listing if i.instrument_id not in {c.instrument_id for c in chain}]
    for inst in new:
        assert market.open_interest(inst.instrument_id) == 0
        assert market.pre_settlement(inst.instrument_id) >= 0.0001
    # Dropping expired contracts: roll past the December expiry.
    day = nxt
    while day <= date(2026, 12, 23):
        day = next_trading_day(day)
        listing = build_instruments(day, {}, existing=listing)
        market.roll(day, listing)
    assert not market.has(iid)
    assert all(market.has(i.instrument_id) for i in listing)
    with pytest.raises(ValueError):
        market.roll(day, listing)


def test_expiry_day_close_prices_at_intrinsic(chain: list[SimInstrument]) -> None:
    expiry = date(2026, 12, 23)
    listing = build_instruments(expiry, {})
    market = SimMarket(listing, 1, expiry, START.replace(day=23, month=12), day_seconds=600)
    # One large step past the end of the (short) day: the time value is gone.
    market.advance(START.replace(day=23, month=12) + timedelta(seconds=700))
    assert market.step == 1400
    for code in ("510050C2612M03100", "510050P2612M03100", "510050C2612M02900"):
        inst = _option(listing, code)
        spot = market.spot("510050")
        intrinsic = max(spot - inst.strike, 0) if inst.is_call else max(inst.strike - spot, 0)
        assert market.theo(inst.instrument_id) == pytest.approx(intrinsic, abs=1e-12)
    assert inst.options_type == C.THOST_FTDC_CP_CallOptions


def test_aware_datetimes_and_isolation(chain: list[SimInstrument]) -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    a = SimMarket(chain, 30, DAY)
    b = SimMarket(chain, 30, DAY)
    a.advance(START.replace(tzinfo=tz))
    b.advance(START)
    _run(a, 10, START.replace(tzinfo=tz))
    _run(b, 10)
    iid = chain[12].instrument_id
    assert a.snapshot(iid, START) == b.snapshot(iid, START)
    # Two markets share nothing.
    a.record_trade(iid, 0.05, 1, 0)
    assert b.snapshot(iid, START)["Volume"] != a.snapshot(iid, START)["Volume"]
    assert not math.isnan(a.theo(iid))


def test_underlying_daily_volatility_is_realistic() -> None:
    # ETFs only (cheap): one simulated trading day per seed, in one large step.
    etfs = [i for i in build_instruments(DAY, {}) if not i.is_option]
    returns: dict[str, list[float]] = {i.instrument_id: [] for i in etfs}
    for seed in range(300):
        market = SimMarket(etfs, seed, DAY, START, activity=0.0)
        market.advance(START + timedelta(hours=4))
        for code in returns:
            returns[code].append(math.log(market.spot(code) / market.pre_close(code)))
    for inst in etfs:
        sample = returns[inst.instrument_id]
        mean = sum(sample) / len(sample)
        sd = math.sqrt(sum((r - mean) ** 2 for r in sample) / (len(sample) - 1))
        expected = next(u.daily_vol for u in UNDERLYINGS if u.code == inst.instrument_id)
        assert 0.8 * expected < sd < 1.2 * expected


def test_options_show_a_put_skew(chain: list[SimInstrument]) -> None:
    market = SimMarket(chain, 2, DAY, START, activity=0.0)
    spot = market.spot("510050")
    t = (date(2027, 1, 27) - DAY).days / 365 + 1 / 365

    def iv(code: str) -> float:
        inst = _option(chain, code)
        price = market.theo(inst.instrument_id)
        return implied_vol(price, spot, inst.strike, t, 0.015, inst.is_call)

    low_put, atm_call, atm_put = (
        iv("510050P2701M02850"),
        iv("510050C2701M03100"),
        iv("510050P2701M03100"),
    )
    assert atm_call == pytest.approx(atm_put, abs=1e-9)  # one smile for calls and puts
    assert 0.12 < atm_call < 0.35
    assert low_put > atm_call
