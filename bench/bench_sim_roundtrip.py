"""Order round trip through vn.py's MainEngine, side by side in one run:

- ``event hop``: one EventEngine put -> handler (the floor);
- ``paperaccount``: vnpy_paperaccount's paper trading (instant trade against the last tick of
  the sim gateway's market data) of the same orders;
- ``sim memory`` / ``sim file``: CtpsoptSimGateway on ``sim://`` with ``state=memory`` and with
  a state file (every acknowledged order committed before the acknowledgement);
- ``core``: the exchange core alone (check, freeze, fill against a 5-level book), per order.

Timed: ``send_order`` -> EVENT_TRADE handler, N marketable 1-lot limit orders (alternating buy
open / sell close), p50 and p99 in ms. For the sim the split is printed: counter (inside
``SimCounter.order_insert`` without the store), store (``SimStore.commit``), and the rest
(gateway request, seam hops, callbacks, parsing and the event engine).

Run: ``PYTHONPATH=$PWD TZ=Asia/Shanghai .venv/bin/python bench/bench_sim_roundtrip.py [--orders 400]``
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HOME", tempfile.mkdtemp(prefix="bench-home-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vnpy.event import Event, EventEngine  # noqa: E402
from vnpy.trader.constant import Direction, Exchange, Offset, OrderType  # noqa: E402
from vnpy.trader.engine import MainEngine  # noqa: E402
from vnpy.trader.event import EVENT_TICK, EVENT_TRADE  # noqa: E402
from vnpy.trader.object import OrderRequest, SubscribeRequest  # noqa: E402

from vnpy_ctpsopt import CtpsoptSimGateway  # noqa: E402

_names = itertools.count(1)


def pct(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered) * 1e3, ordered[int(len(ordered) * 0.99) - 1] * 1e3


def wait(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError
        time.sleep(0.01)


def event_hop(n: int) -> list[float]:
    engine = EventEngine()
    done = threading.Event()
    samples: list[float] = []

    def handler(event: Event) -> None:
        samples.append(time.perf_counter() - event.data)
        done.set()

    engine.register("bench", handler)
    engine.start()
    for _ in range(n):
        done.clear()
        engine.put(Event("bench", time.perf_counter()))
        done.wait(5)
    engine.stop()
    return samples


class Run:
    """A MainEngine with the sim gateway connected; orders timed to their EVENT_TRADE."""

    def __init__(self, state: str, paper: bool = False) -> None:
        self.name = f"bench{next(_names)}"
        self.event_engine = EventEngine()
        self.main = MainEngine(self.event_engine)
        self.gateway = self.main.add_gateway(CtpsoptSimGateway, "SIM")
        self.traded = threading.Event()
        self.trade_at = 0.0
        self.ticks: dict[str, Any] = {}
        self.event_engine.register(EVENT_TRADE, self._on_trade)
        self.event_engine.register(EVENT_TICK, lambda e: self.ticks.__setitem__(e.data.vt_symbol, e.data))
        if paper:
            from vnpy_paperaccount.engine import PaperEngine

            self.paper = PaperEngine(self.main, self.event_engine)
            self.paper.set_instant_trade(True)
        address = f"sim://{self.name}?seed=3&state={state}&qps=100"
        setting = {"用户名": "bench", "密码": "pw", "交易服务器": address, "行情服务器": address}
        self.main.connect(setting, "SIM")
        wait(lambda: len(self.main.get_all_contracts()) > 50 and bool(self.main.get_all_accounts()))
        calls = [
            c
            for c in self.main.get_all_contracts()
            if c.exchange == Exchange.SSE and c.option_type is not None and c.size == 10000
        ]
        calls.sort(key=lambda c: (c.option_expiry, c.option_strike))
        self.contract = calls[len(calls) // 2]
        self.main.subscribe(
            SubscribeRequest(self.contract.symbol, self.contract.exchange), "SIM"
        )
        wait(lambda: self.contract.vt_symbol in self.ticks)

    def _on_trade(self, event: Event) -> None:
        self.trade_at = time.perf_counter()
        self.traded.set()

    def order(self, i: int) -> float:
        tick = self.ticks[self.contract.vt_symbol]
        buy = i % 2 == 0
        req = OrderRequest(
            symbol=self.contract.symbol,
            exchange=self.contract.exchange,
            direction=Direction.LONG if buy else Direction.SHORT,
            type=OrderType.LIMIT,
            volume=1,
            price=tick.limit_up if buy else tick.limit_down,
            offset=Offset.OPEN if buy else Offset.CLOSE,
        )
        self.traded.clear()
        sent = time.perf_counter()
        self.main.send_order(req, "SIM")
        if not self.traded.wait(10):
            raise TimeoutError(f"order {i} did not trade")
        return self.trade_at - sent

    def close(self) -> None:
        self.main.close()


def timed(obj: Any, name: str, bucket: list[float]) -> None:
    original = getattr(obj, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            bucket.append(time.perf_counter() - start)

    setattr(obj, name, wrapper)


def sim(state: str, n: int) -> tuple[list[float], dict[str, list[float]]]:
    run = Run(state)
    exchange = run.gateway.td.api.exchange  # type: ignore[attr-defined]
    split: dict[str, list[float]] = {"counter+store": [], "store": []}
    timed(exchange.counter, "order_insert", split["counter+store"])
    if exchange.counter.store is not None:
        timed(exchange.counter.store, "commit", split["store"])
    for i in range(10):  # warm-up
        run.order(i)
    for bucket in split.values():
        bucket.clear()
    samples = [run.order(i) for i in range(n)]
    run.close()
    return samples, split


def paper(n: int) -> list[float]:
    run = Run("memory", paper=True)
    for i in range(10):
        run.order(i)
    samples = [run.order(i) for i in range(n)]
    run.close()
    return samples


def core(n: int) -> list[float]:
    """check + freeze + match + fill + release in the exchange core, one investor."""
    from vnpy_ctpsopt.core.book import Account, Book, WorkingOrder
    from vnpy_ctpsopt.core.matching import RestingBook, match_incoming
    from vnpy_ctpsopt.core.orders import NewOrder, OrderKind, check_order
    from vnpy_ctpsopt.core.terms import (
        BUY,
        CLOSE,
        OPEN,
        SELL,
        SPEC,
        AccountTerms,
        Contract,
        PriceRef,
    )

    contract = Contract("10009999", "SSE", True, "510050", 2.9, True, "20261223", 10000, 0.0001, 50, 10)
    terms = AccountTerms()
    book = Book(Account("b", "", "", 1e9))
    prices = PriceRef(0.0001, 0.2, 0.05, 2.8)
    bids = [(0.0500 - i * 0.0001, 100) for i in range(5)]
    asks = [(0.0502 + i * 0.0001, 100) for i in range(5)]
    contracts = {contract.instrument_id: contract}
    samples = []
    for i in range(n):
        buy = i % 2 == 0
        start = time.perf_counter()
        direction, offset = (BUY, OPEN) if buy else (SELL, CLOSE)
        price = 0.06 if buy else 0.04
        new = NewOrder(contract, direction, offset, SPEC, OrderKind.LIMIT_GFD, 1, price)
        reserve = check_order(book, new, terms, prices, (), contracts)
        order = WorkingOrder(i, contract.instrument_id, direction, offset, SPEC, price, 1, 0,
                             reserve.cash_per_lot, reserve.margin_per_lot,
                             reserve.exch_margin_per_lot, reserve.fee_per_lot, reserve.shares_per_lot)
        book.freeze(order, contract, 1, 1)
        result = match_incoming(new.kind, direction, 1, price, bids, asks, RestingBook())
        for fill in result.fills:
            book.fill(order, contract, fill.price, fill.volume)
            order.traded += fill.volume
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=400)
    args = parser.parse_args()
    n = args.orders
    folder = Path(tempfile.mkdtemp(prefix="bench-sim-"))
    rows: list[tuple[str, list[float]]] = [("event hop (put -> handler)", event_hop(n))]
    rows.append(("vnpy_paperaccount (instant trade)", paper(n)))
    memory, memory_split = sim("memory", n)
    rows.append(("sim state=memory", memory))
    filed, file_split = sim(str(folder / "bench.db"), n)
    rows.append(("sim state file", filed))
    print(f"orders={n} python={sys.version.split()[0]}")
    print(f"{'send_order -> EVENT_TRADE':36} {'p50 ms':>8} {'p99 ms':>8} {'p50/paper':>10}")
    paper_p50 = pct(rows[1][1])[0]
    for name, samples in rows:
        p50, p99 = pct(samples)
        print(f"{name:36} {p50:8.3f} {p99:8.3f} {p50 / paper_p50:10.2f}")
    for label, total, split in (("memory", memory, memory_split), ("file", filed, file_split)):
        counter = pct(split["counter+store"])[0]
        store = pct(split["store"])[0] if split["store"] else 0.0
        print(
            f"split sim {label}: counter {counter - store:.3f} ms, store {store:.3f} ms, "
            f"seam+gateway+callbacks {pct(total)[0] - counter:.3f} ms (p50 each)"
        )
    us = pct(core(max(n, 10000)))
    print(f"core alone (check+freeze+match+fill per order): p50 {us[0] * 1e3:.1f} us, "
          f"p99 {us[1] * 1e3:.1f} us")


if __name__ == "__main__":
    main()
