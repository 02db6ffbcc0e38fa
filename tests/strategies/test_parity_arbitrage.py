"""Parity arbitrage: the box edge by hand on a made-up book, a backtest that opens and closes
a box (books from fills), live on the sim."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from strategy_kit import LiveDesk, backtest, check_books, poll
from vnpy.trader.constant import Offset

from strategies.parity_arbitrage import ParityArbitrageStrategy, StrikeQuotes, best_box

ETF = "510050.SSE"


def test_best_box_by_hand() -> None:
    # strikes 3.0 / 3.1 / 3.2; buying the synthetic at 3.0 costs 0.1010, selling it at 3.2
    # brings -0.0990: box 3.0/3.2 costs 0.2000 for a 0.2 payoff; at 3.0/3.1 it costs
    # 0.1010 - 0.0005 = 0.1005 for 0.1 - a loss; 3.1/3.2 costs 0.0020 + 0.0990 = 0.1010.
    quotes = StrikeQuotes(np.array([3.0, 3.1, 3.2]), np.array([0.1010, 0.0020, -0.0980]),
                          np.array([0.1000, 0.0005, -0.0990]))  # fmt: skip
    box = best_box(quotes, 2, 10000, 0.999, 16.0, np.zeros((3, 3)))
    assert box is not None and (box.low, box.high) == (3.0, 3.2)
    assert box.cost == pytest.approx(0.2)
    # (0.2 x 0.999 - 0.2) x 10000 - 16 = -18 (3.0/3.1: -22, 3.1/3.2: -27)
    assert box.edge == pytest.approx(-18.0)
    # a cheap synthetic at 3.1 (someone sells the call too low): 3.1/3.2 wins
    quotes.long_syn[1] = -0.0030  # cost -0.0030 + 0.0990 = 0.0960 for 0.1 x 0.999
    box = best_box(quotes, 2, 10000, 0.999, 16.0, np.full((3, 3), 5.0))
    assert box is not None and (box.low, box.high) == (3.1, 3.2)
    assert box.edge == pytest.approx((0.0999 - 0.0960) * 10000 - 16 - 5)
    nothing = StrikeQuotes(np.array([3.0, 3.1]), np.array([math.nan, 0.01]),
                           np.array([0.01, math.nan]))  # fmt: skip
    assert best_box(nothing, 1, 10000, 1.0, 0.0, np.zeros((2, 2))) is None


def test_no_box_in_a_consistent_market_at_the_default_edge() -> None:
    engine = backtest(ParityArbitrageStrategy, {"underlying": ETF, "interval": 60},
                      date(2026, 12, 1), date(2026, 12, 1))  # fmt: skip
    assert not engine.get_all_orders()
    assert engine.strategy.last_edge < 0  # after fees and margin cost the sim's books do not pay


def test_box_opened_then_closed_before_expiry_books_match() -> None:
    # min_edge -40: accept paying up to 40 CNY a box, so that the mechanics run on the sim's
    # (arbitrage-free) books: four legs at the depth-walked prices, closed at close_days
    setting = {"underlying": ETF, "min_edge": -40.0, "max_lots": 3, "min_days": 3,
               "close_days": 1, "interval": 60}  # fmt: skip
    engine = backtest(ParityArbitrageStrategy, setting, date(2026, 12, 17), date(2026, 12, 22))
    strategy = engine.strategy
    assert strategy.entries, engine.logs[-10:]
    box = strategy.entries[0]
    opens = [t for t in engine.get_all_trades() if t.offset == Offset.OPEN]
    legs = {t.vt_symbol for t in opens}
    assert len(legs) == 4
    strikes = sorted({engine.contracts[vt].strike for vt in legs})
    assert strikes == [box.low, box.high]
    # the box's cost from the fills equals the scan's depth-walked cost
    paid = sum((1 if t.direction.name == "LONG" else -1) * t.price * t.volume for t in opens
               if t.datetime == opens[0].datetime)  # fmt: skip
    assert paid / box.lots == pytest.approx(box.cost, abs=1e-9)
    net = check_books(engine)
    assert all(v == 0 for vt, v in net.items() if engine.contracts[vt].is_option)  # closed


@pytest.mark.slow
def test_live_on_the_sim_buys_a_box() -> None:
    desk = LiveDesk("20261217T100000")
    try:
        strategy = desk.start(ParityArbitrageStrategy, {"underlying": ETF, "min_edge": -40.0,
                                                        "max_lots": 1, "min_days": 3})  # fmt: skip
        assert poll(lambda: strategy.legs and all(strategy.get_pos(vt) == target
                    for vt, target in strategy.legs.items()), 90), desk.logs[-15:]  # fmt: skip
        assert sorted(strategy.legs.values()) == [-1, -1, 1, 1]
    finally:
        desk.close()
