"""Simulated market: the full option chain at 2 snapshots/s of simulated time.

Advances a SimMarket over the whole listing (9 ETFs and all their options) in 500 ms steps and
builds a fresh CThostFtdcDepthMarketDataField dict for every instrument at every step, as the
sim md front does when everything is subscribed. Prints:
- the speed factor: simulated seconds per wall second (and per CPU second) on one core;
- the CPU share the market costs at speed 1 (CPU seconds per simulated second);
- the split between ``advance`` (model, books, background trades) and ``snapshots``;
- side by side, two floors for the same number of snapshots: copying ready-made 47-field dicts
  (what handing out unchanged values costs) and building the dicts from ready-made value tuples
  (the least any market whose values change must spend), with the ratios to them.

Run: ``.venv/bin/python bench/bench_sim_market.py [--seconds 600] [--seed 7]``
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vnpy_ctpsopt.sim.instruments import build_instruments  # noqa: E402
from vnpy_ctpsopt.sim.market import SimMarket  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="simulated seconds")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    day = date(2026, 11, 30)
    start = datetime(2026, 11, 30, 9, 30)
    instruments = build_instruments(day, {})
    ids = [i.instrument_id for i in instruments]
    options = sum(1 for i in instruments if i.is_option)
    market = SimMarket(instruments, args.seed, day, start)
    steps = int(args.seconds / 0.5)
    step = timedelta(milliseconds=500)

    now = start
    t_adv = c_adv = t_snap = c_snap = 0.0
    count = 0
    for _ in range(steps):
        now += step
        w0, p0 = time.perf_counter(), time.process_time()
        market.advance(now)
        w1, p1 = time.perf_counter(), time.process_time()
        snaps = market.snapshots(ids, now)
        w2, p2 = time.perf_counter(), time.process_time()
        t_adv += w1 - w0
        c_adv += p1 - p0
        t_snap += w2 - w1
        c_snap += p2 - p1
        count += len(snaps)

    # Floors, same count: copying ready-made dicts (values unchanged), and building 47-field
    # dicts from ready-made value tuples (the least a market whose values change must spend).
    ready = market.snapshots(ids, now)
    keys = list(ready[0])
    rows = [tuple(d[k] for k in keys) for d in ready]
    f0 = time.perf_counter()
    for _ in range(steps):
        fresh = [d.copy() for d in ready]
    f1 = time.perf_counter()
    for _ in range(steps):
        fresh = [dict(zip(keys, r, strict=False)) for r in rows]
    f2 = time.perf_counter()
    floor_copy, floor_build = f1 - f0, f2 - f1
    assert len(fresh) == len(ids)

    sim = steps * 0.5
    wall = t_adv + t_snap
    cpu = c_adv + c_snap
    print(f"instruments: {len(ids)} ({options} options, {len(ids) - options} ETFs)")
    print(f"simulated: {sim:.0f} s in {steps} steps, {count} snapshots")
    print(f"speed factor: {sim / wall:.1f}x wall, {sim / cpu:.1f}x CPU (one core)")
    print(f"CPU share at speed 1: {100 * cpu / sim:.2f}% of one core")
    print(
        f"per step: advance {1000 * t_adv / steps:.2f} ms, "
        f"snapshots {1000 * t_snap / steps:.2f} ms "
        f"({1e6 * t_snap / count:.2f} us each)"
    )
    print(
        f"floor, copy ready dicts: {1000 * floor_copy / steps:.2f} ms per step "
        f"(market / floor = {wall / floor_copy:.1f}x); build dicts from ready values: "
        f"{1000 * floor_build / steps:.2f} ms per step (market / floor = {wall / floor_build:.1f}x)"
    )


if __name__ == "__main__":
    main()
