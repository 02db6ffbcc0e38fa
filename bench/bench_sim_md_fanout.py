"""Full option chain through the md seam: how fast the sim front can run with everything subscribed.

One md session subscribes to every instrument of ``sim://bench_md?clock=manual``; the bench
steps the clock in 500 ms steps and waits until the spi received every snapshot. Side by side,
the market alone (``SimMarket.advance`` + ``snapshots`` for the same steps, what
bench_sim_market.py measures), so the ratio shows what the front adds: the exchange step (counter
fills check, routing), the hand-off to the md thread and one ``onRtnDepthMarketData`` call with a
fresh dict per instrument.

Run: ``.venv/bin/python bench/bench_sim_md_fanout.py [--seconds 120]``
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vnpy_ctpsopt.api import create_md_api  # noqa: E402
from vnpy_ctpsopt.api.base import MdSpi  # noqa: E402
from vnpy_ctpsopt.sim.instruments import build_instruments  # noqa: E402
from vnpy_ctpsopt.sim.market import SimMarket  # noqa: E402

START = datetime(2026, 11, 30, 9, 30)


class CountingSpi(MdSpi):
    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.ticks = 0
        self.events: set[str] = set()

    def onFrontConnected(self) -> None:
        with self.cond:
            self.events.add("connected")
            self.cond.notify_all()

    def onRspUserLogin(
        self, data: dict[str, Any], error: dict[str, Any], reqid: int, last: bool
    ) -> None:
        with self.cond:
            self.events.add("login")
            self.cond.notify_all()

    def onRtnDepthMarketData(self, data: dict[str, Any]) -> None:
        with self.cond:
            self.ticks += 1
            self.cond.notify_all()

    def wait(self, predicate: Any, timeout: float = 120.0) -> None:
        with self.cond:
            if not self.cond.wait_for(predicate, timeout):
                raise TimeoutError("bench stalled")


def market_alone(steps: int) -> tuple[float, int]:
    instruments = build_instruments(START.date(), {})
    ids = [i.instrument_id for i in instruments]
    market = SimMarket(instruments, 7, START.date(), START)
    started = time.perf_counter()
    for k in range(1, steps + 1):
        now = START + timedelta(milliseconds=500 * k)
        market.advance(now)
        market.snapshots(ids, now)
    return time.perf_counter() - started, len(ids)


def through_seam(steps: int) -> tuple[float, int]:
    spi = CountingSpi()
    api = create_md_api(
        f"sim://bench_md?seed=7&state=memory&clock=manual&start={START:%Y%m%dT%H%M%S}", spi
    )
    api.connect()
    spi.wait(lambda: "connected" in spi.events)
    api.reqUserLogin({"BrokerID": "9999", "UserID": "bench"}, 1)
    spi.wait(lambda: "login" in spi.events)
    exchange = api.exchange  # type: ignore[attr-defined]
    ids = sorted(exchange.instrument_ids)
    api.subscribeMarketData(ids)
    spi.wait(lambda: spi.ticks >= len(ids))  # the snapshots sent on subscription
    base = spi.ticks
    started = time.perf_counter()
    for _ in range(steps):
        exchange.advance(0.5, timeout=60)
    spi.wait(lambda: spi.ticks >= base + steps * len(ids))
    elapsed = time.perf_counter() - started
    api.close()
    return elapsed, len(ids)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=120.0, help="simulated seconds")
    args = parser.parse_args()
    steps = int(args.seconds / 0.5)
    alone, count = market_alone(steps)
    seam, _ = through_seam(steps)
    print(
        f"instruments={count} simulated={args.seconds:.0f}s steps={steps} python={sys.version.split()[0]}"
    )
    print(f"{'path':34} {'wall s':>8} {'speed x':>8} {'CPU share @1x':>14} {'ratio':>6}")
    for name, wall in (("market alone (advance+snapshots)", alone), ("through the md seam", seam)):
        print(
            f"{name:34} {wall:8.2f} {args.seconds / wall:8.1f} {wall / args.seconds:14.3f} {wall / alone:6.2f}"
        )


if __name__ == "__main__":
    main()
