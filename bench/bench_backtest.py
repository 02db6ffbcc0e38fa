"""Backtester throughput, side by side in one run.

1. One contract's tick stream (``--ticks`` preloaded TickData with five levels) with a trivial
   strategy (a 1-lot round trip every 5,000 ticks): vnpy_ctpsopt's BacktestingEngine (option
   accounting, five-level fills) vs vnpy_ctastrategy's BacktestingEngine in tick mode; ticks/s
   of ``run_backtesting`` (best of ``--rounds``).
2. A full chain from the synthetic market in numpy blocks (one underlying, its ~80 options,
   2 snapshots/s, ``--days`` days) with a strategy that watches the chain and holds four legs:
   instrument-snapshots/s and wall time end to end, generation included.

Usage: .venv/bin/python bench/bench_backtest.py [--ticks 200000] [--rounds 3] [--days 20]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vnpy.trader.constant import Exchange, Interval  # noqa: E402
from vnpy.trader.object import BarData, TickData  # noqa: E402
from vnpy_ctastrategy import CtaTemplate  # noqa: E402
from vnpy_ctastrategy.backtesting import BacktestingEngine as CtaEngine  # noqa: E402
from vnpy_ctastrategy.base import BacktestingMode  # noqa: E402
from vnpy_portfoliostrategy import StrategyTemplate  # noqa: E402

from vnpy_ctpsopt.backtesting import BacktestingEngine, BtContract  # noqa: E402
from vnpy_ctpsopt.backtesting.data import SimBlockSource, session_time  # noqa: E402

OPTION = BtContract("10000001.SSE", "10000001", "SSE", "50ETF购6月3000", True, True, 3.0, 10000,
                    0.0001, datetime(2027, 6, 23).date(), "510050")  # fmt: skip
EVERY = 5000


def make_ticks(n: int) -> list[TickData]:
    """``n`` ticks of one option, 0.5 s apart in trading hours, a random-walk mid with five
    levels a tick apart on each side."""
    rng = np.random.default_rng(1)
    mids = np.round(0.1 + np.cumsum(rng.normal(0, 0.00005, n)), 4).clip(0.01, 0.4)
    per_day = 28800
    ticks: list[TickData] = []
    day = datetime(2026, 12, 1).date()
    for i, mid in enumerate(mids):
        if i and i % per_day == 0:
            day += timedelta(days=1)
            while day.weekday() >= 5:
                day += timedelta(days=1)
        dt = session_time(day, (i % per_day) * 0.5)
        t = TickData("BENCH", "10000001", Exchange.SSE, dt, last_price=float(mid),
                     limit_up=0.5, limit_down=0.0001, pre_close=0.1)  # fmt: skip
        for k in range(1, 6):
            setattr(t, f"bid_price_{k}", round(float(mid) - 0.0001 * k, 4))
            setattr(t, f"ask_price_{k}", round(float(mid) + 0.0001 * k, 4))
            setattr(t, f"bid_volume_{k}", 20 * k)
            setattr(t, f"ask_volume_{k}", 20 * k)
        ticks.append(t)
    return ticks


class TrivialPortfolio(StrategyTemplate):
    """A 1-lot round trip every EVERY ticks."""

    n = 0

    def on_init(self) -> None:
        pass

    def on_tick(self, tick: TickData) -> None:
        self.n += 1
        if self.n % EVERY == 0:
            vt = tick.vt_symbol
            if self.pos_data[vt]:
                self.sell(vt, tick.bid_price_1, 1)
            else:
                self.buy(vt, tick.ask_price_1, 1)

    def on_bars(self, bars: dict[str, BarData]) -> None:
        pass


class TrivialCta(CtaTemplate):
    """The same round trips for vnpy_ctastrategy."""

    n = 0

    def on_init(self) -> None:
        pass

    def on_tick(self, tick: TickData) -> None:
        self.n += 1
        if self.n % EVERY == 0:
            if self.pos:
                self.sell(tick.bid_price_1, 1)
            else:
                self.buy(tick.ask_price_1, 1)

    def on_bar(self, bar: BarData) -> None:
        pass


def run_ours(ticks: list[TickData]) -> tuple[float, int]:
    engine = BacktestingEngine()
    engine.show_progress = False
    engine.set_parameters([OPTION.vt_symbol], start=ticks[0].datetime.replace(tzinfo=None),
                          end=ticks[-1].datetime.replace(tzinfo=None), hours="24x7")  # fmt: skip
    engine.set_history(ticks, [OPTION])
    engine.add_strategy(TrivialPortfolio, {})
    gc.collect()
    t0 = time.perf_counter()
    engine.run_backtesting()
    elapsed = time.perf_counter() - t0
    return elapsed, len(engine.get_all_trades())


def run_cta(ticks: list[TickData]) -> tuple[float, int]:
    engine = CtaEngine()
    engine.output = lambda msg: None  # type: ignore[method-assign]
    engine.set_parameters(OPTION.vt_symbol, Interval.TICK, ticks[0].datetime, 0.0, 0.0, 10000,
                          0.0001, 1_000_000, ticks[-1].datetime, BacktestingMode.TICK)  # fmt: skip
    engine.add_strategy(TrivialCta, {})
    engine.history_data = ticks
    gc.collect()
    t0 = time.perf_counter()
    engine.run_backtesting()
    elapsed = time.perf_counter() - t0
    return elapsed, len(engine.get_all_trades())


class ChainWatcher(StrategyTemplate):
    """Watches the whole chain: on every ETF snapshot reads the chain's best quotes as numpy
    rows (``engine.chain_snapshot()``), counts the quoted options; once, buys and writes two
    calls and two puts near the money and holds the four legs."""

    reads = 0
    legs: list[str] = []

    def on_init(self) -> None:
        self.legs = []

    def on_tick(self, tick: TickData) -> None:
        engine: Any = self.strategy_engine
        snap = engine.chain_snapshot()
        if snap:
            quoted = (snap["bid_price_1"] > 0) & (snap["ask_price_1"] > 0)
            self.reads += int(np.count_nonzero(quoted))
        if self.legs or not snap:
            return
        contracts = engine.contracts
        options = sorted(
            (contracts[vt] for vt, ok in zip(snap["vt_symbols"], quoted, strict=True)
             if ok and contracts[vt].is_option),
            key=lambda c: (c.expiry, abs(c.strike - tick.last_price)),
        )  # fmt: skip
        calls = [c.vt_symbol for c in options if c.is_call][:2]
        puts = [c.vt_symbol for c in options if not c.is_call][:2]
        self.legs = calls + puts
        for i, vt in enumerate(self.legs):
            t = engine.get_tick(vt)
            if i % 2 == 0:
                self.buy(vt, t.ask_price_1, 1)
            else:
                self.short(vt, t.bid_price_1, 1)

    def on_bars(self, bars: dict[str, BarData]) -> None:
        pass


def run_chain(days: int) -> tuple[float, int, int, int]:
    """Wall time, instrument-snapshots, trading days and trades of the chain run."""
    start = datetime(2026, 12, 1)
    source = SimBlockSource("510050", seed=7)
    end = start
    while source.count_days(start.date(), end.date()) < days:
        end += timedelta(days=1)
    engine = BacktestingEngine()
    engine.show_progress = False
    engine.set_parameters(["510050.SSE"], start=start, end=end, greeks=True)
    engine.set_source(source)
    engine.add_strategy(ChainWatcher, {})
    counted = [0]
    days_of = source.days

    def counting(s: Any, e: Any) -> Any:
        for feed in days_of(s, e):
            blocks = feed.blocks

            def it(blocks: Any = blocks) -> Any:
                for block in blocks:
                    counted[0] += len(block.times) * len(block.vt_symbols)
                    yield block

            feed.blocks = it()
            yield feed

    source.days = counting  # type: ignore[method-assign]
    t0 = time.perf_counter()
    engine.run_backtesting()
    engine.calculate_result()
    elapsed = time.perf_counter() - t0
    return elapsed, counted[0], days, len(engine.get_all_trades())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ticks", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--days", type=int, default=20)
    args = parser.parse_args()
    ticks = make_ticks(args.ticks)
    ours, cta = [], []
    for _ in range(args.rounds):
        e, n_ours = run_ours(ticks)
        ours.append(e)
        e, n_cta = run_cta(ticks)
        cta.append(e)
    o, c = min(ours), min(cta)
    print(f"one contract, {len(ticks)} ticks, trivial strategy (best of {args.rounds}):")
    print(f"  vnpy_ctpsopt backtester : {len(ticks) / o / 1e3:8.0f} k ticks/s ({n_ours} trades)")
    print(f"  vnpy_ctastrategy (tick) : {len(ticks) / c / 1e3:8.0f} k ticks/s ({n_cta} trades)")
    print(f"  ratio ours/cta          : {c / o:8.2f}")
    if not SimBlockSource.available():
        print("full chain: skipped (vnpy_ctpsopt.sim.stream, the block generator, is missing)")
        return
    wall, snaps, days, trades = run_chain(args.days)
    print(f"full chain 510050, {days} day(s), 2 snapshots/s, 4-leg watcher, {trades} trades:")
    print(
        f"  {snaps} instrument-snapshots in {wall:.1f} s: {snaps / wall / 1e3:.0f} k/s end to end"
    )


if __name__ == "__main__":
    main()
