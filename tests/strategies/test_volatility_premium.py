"""Volatility premium: every entry at IV/RV >= entry_ratio with IV and RV recomputed by a second
method (statistics.stdev, vnpy_optionmaster's implied vol), books from fills, live on the sim."""

from __future__ import annotations

import math
import statistics
from datetime import date

import pytest
from strategy_kit import LiveDesk, backtest, check_books, poll
from vnpy.trader.constant import Direction, Offset, OptionType
from vnpy_optionmaster.pricing import black_scholes as om

from strategies.volatility_premium import VolatilityPremiumStrategy, realised_vol

ETF = "510050.SSE"
ENTRY, EXIT = 1.15, 1.0


def test_realised_vol_by_hand() -> None:
    # log returns +0.01, -0.01, +0.01 (stdlib's sample stdev), a year of 60 s trading samples
    prices = [1.0, math.exp(0.01), 1.0, math.exp(0.01)]
    returns = [0.01, -0.01, 0.01]
    expected = statistics.stdev(returns) * math.sqrt(244 * 4 * 3600 / 60)
    assert realised_vol(prices, 60) == pytest.approx(expected)
    assert math.isnan(realised_vol([1.0, 1.1], 60))


class Checked(VolatilityPremiumStrategy):
    """Recomputes IV and RV at every signal."""

    def on_init(self) -> None:
        super().on_init()
        self.rechecked: list[tuple[str, float, float]] = []

    def decide(self) -> None:
        before = len(self.signals)
        super().decide()
        if len(self.signals) == before:
            return
        action = self.signals[-1][3]
        prices = list(self.samples)
        logs = [math.log(prices[i + 1] / prices[i]) for i in range(len(prices) - 1)]
        rv = statistics.stdev(logs) * math.sqrt(244 * 4 * 3600 / self.sample_seconds)
        spot_tick = self.get_tick(ETF)
        spot = (spot_tick.bid_price_1 + spot_tick.ask_price_1) / 2
        legs = [self._contract(vt) for vt in self.legs]
        vols = []
        for c in legs:
            tick = self.get_tick(c.vt_symbol)
            mid = (tick.bid_price_1 + tick.ask_price_1) / 2
            days = max((c.option_expiry.date() - tick.datetime.date()).days, 0.5)
            cp = 1 if c.option_type == OptionType.CALL else -1
            vols.append(om.calculate_impv(mid, spot, c.option_strike, self.option_rate,
                                          days / 365, cp))  # fmt: skip
        self.rechecked.append((action, sum(vols) / 2, rv))


def test_sells_rich_iv_and_buys_back_books_match() -> None:
    setting = {"underlying": ETF, "lots": 3, "rv_window": 60, "entry_ratio": ENTRY,
               "exit_ratio": EXIT, "min_days": 3, "close_days": 1}  # fmt: skip
    engine = backtest(Checked, setting, date(2026, 12, 1), date(2026, 12, 4))
    strategy = engine.strategy
    sells = [r for r in strategy.rechecked if r[0] == "sell"]
    assert sells and len(strategy.rechecked) >= 2, engine.logs[-10:]
    for action, iv, rv in strategy.rechecked:
        if action == "sell":
            assert iv / rv >= ENTRY - 0.01, (iv, rv)
    opens = [t for t in engine.get_all_trades() if t.offset == Offset.OPEN]
    assert {t.direction for t in opens} == {Direction.SHORT}
    first = opens[:2]
    assert len({engine.contracts[t.vt_symbol].strike for t in first}) == 1  # a straddle
    assert {engine.contracts[t.vt_symbol].is_call for t in first} == {True, False}
    check_books(engine)


@pytest.mark.slow
def test_live_on_the_sim_sells_a_straddle() -> None:
    desk = LiveDesk("20261201T100000", speed=60)
    try:
        strategy = desk.start(VolatilityPremiumStrategy, {
            "underlying": ETF, "lots": 1, "rv_window": 20, "sample_seconds": 15,
            "entry_ratio": 0.5, "interval": 15})  # fmt: skip
        assert poll(lambda: strategy.legs and all(strategy.get_pos(vt) == -1
                    for vt in strategy.legs), 120), desk.logs[-15:]  # fmt: skip
        assert strategy.ratio >= 0.5 and strategy.iv > 0 and strategy.rv > 0
    finally:
        desk.close()
