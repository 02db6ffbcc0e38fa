"""Delta-band short strangle: the band holds after every hedge (delta recomputed with
vnpy_optionmaster's Black-Scholes, a second method), books from fills, live on the sim."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from strategy_kit import LiveDesk, backtest, check_books, poll
from vnpy.trader.constant import Direction, Offset, OptionType
from vnpy_optionmaster.pricing import black_scholes as om

from strategies.short_strangle import DeltaBandStrangleStrategy

ETF = "510050.SSE"
BAND = 1.0


def om_delta_lots(strategy: DeltaBandStrangleStrategy) -> float:
    """The holdings' delta in contracts from vnpy_optionmaster (IV from each mid)."""
    spot_tick = strategy.get_tick(ETF)
    spot = (spot_tick.bid_price_1 + spot_tick.ask_price_1) / 2
    total = 0.0
    for vt_symbol, pos in strategy.pos_data.items():
        if not pos:
            continue
        c = strategy._contract(vt_symbol)
        tick = strategy.get_tick(vt_symbol)
        mid = (tick.bid_price_1 + tick.ask_price_1) / 2
        now = tick.datetime.replace(tzinfo=None)
        t = (datetime.combine(c.option_expiry.date(), datetime.min.time()).replace(hour=15)
             - now).total_seconds() / (365 * 86400)  # fmt: skip
        cp = 1 if c.option_type == OptionType.CALL else -1
        k = float(c.option_strike)
        v = om.calculate_impv(mid, spot, k, strategy.option_rate, t, cp)
        total += pos * om.calculate_delta(spot, k, strategy.option_rate, t, v, cp)
    return total


class Checked(DeltaBandStrangleStrategy):
    """Checks every completed hedge with the second method."""

    def on_init(self) -> None:
        super().on_init()
        self.checked: list[tuple[float, float]] = []

    def on_hedged(self, before: float, lots: int, after: float) -> None:
        super().on_hedged(before, lots, after)
        self.checked.append((after, om_delta_lots(self)))


def test_band_holds_after_every_hedge_and_books_match_fills() -> None:
    setting: dict[str, Any] = {"underlying": ETF, "lots": 10, "wing_delta": 0.3, "min_days": 3,
                               "close_days": 1, "delta_band": BAND, "interval": 60}  # fmt: skip
    engine = backtest(Checked, setting, date(2026, 12, 17), date(2026, 12, 22))
    strategy = engine.strategy
    assert isinstance(strategy, Checked)
    trades = engine.get_all_trades()
    assert trades, engine.logs[-20:]
    # the strangle: short opens on a call and a put of the December expiry
    first = [t for t in trades if t.offset == Offset.OPEN][:2]
    assert {t.direction for t in first} == {Direction.SHORT}
    assert {engine.contracts[t.vt_symbol].is_call for t in first} == {True, False}
    assert {engine.contracts[t.vt_symbol].expiry for t in first} == {date(2026, 12, 23)}
    assert strategy.hedge_log, "no hedge in the run: the test would not check the band"
    assert len(strategy.checked) == len(strategy.hedge_log)
    for (_, before, lots, after), (mine, theirs) in zip(strategy.hedge_log, strategy.checked, strict=True):
        assert abs(before) > BAND and lots == -round(before)
        assert abs(theirs) <= BAND, (before, lots, after, theirs)
        assert mine == pytest.approx(theirs, abs=0.02)  # same model, same mids
    check_books(engine)
    # rolled at close_days: the December legs are flat after 12-22
    assert all(engine.contracts[vt].expiry != date(2026, 12, 23) or not pos
               for vt, pos in strategy.pos_data.items() if vt != ETF)  # fmt: skip


@pytest.mark.slow
def test_live_on_the_sim_sells_the_strangle() -> None:
    desk = LiveDesk("20261216T100000")
    try:
        strategy = desk.start(DeltaBandStrangleStrategy, {"underlying": ETF, "lots": 1,
                                                          "interval": 20})  # fmt: skip
        assert poll(lambda: strategy.call_symbol and strategy.get_pos(strategy.call_symbol) == -1
                    and strategy.get_pos(strategy.put_symbol) == -1, 60), desk.logs[-15:]  # fmt: skip
        assert poll(lambda: desk.account().extra.get("margin", 0.0) > 0, 30)  # short legs: margin
        call = desk.main_engine.get_contract(strategy.call_symbol)
        put = desk.main_engine.get_contract(strategy.put_symbol)
        spot = desk.main_engine.get_tick(ETF).last_price
        assert call.option_strike > spot > put.option_strike  # out of the money on both sides
    finally:
        desk.close()
