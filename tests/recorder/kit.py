"""Shared pieces of the recorder tests: a sim-connected MainEngine, independent expectations."""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from vnpy.event import Event
from vnpy.trader.constant import Exchange, Interval, Product
from vnpy.trader.database import BaseDatabase
from vnpy.trader.event import EVENT_TICK
from vnpy.trader.object import BarData, ContractData, TickData

from tests.gateway.harness import Harness, poll, sim_name
from vnpy_ctpsopt import CtpsoptGateway

CHAINS: tuple[str, ...] = ("510050.SSE", "159919.SZSE")
START: str = "20260302T093000"
# Compared content of a tick (all stored fields but times).
FIELDS: tuple[str, ...] = (
    "volume", "turnover", "open_interest", "last_price", "limit_up", "limit_down", "open_price",
    "high_price", "low_price", "pre_close",
    *(f"{side}_{kind}_{i}" for side in ("bid", "ask") for kind in ("price", "volume") for i in range(1, 6)),
)  # fmt: skip


class SimChains:
    """A Harness with one CtpsoptGateway on a fresh sim (seed 7, pinned start) and every EVENT_TICK
    kept in order (``ticks``)."""

    def __init__(self, speed: float = 10.0, start: str = START, extra: str = "") -> None:
        self.harness = Harness()
        self.sim: str = sim_name("rec")
        self.gateway: CtpsoptGateway = self.harness.add("CTPSOPT")
        self.ticks: list[TickData] = []
        self.lock = threading.Lock()
        self.harness.event_engine.register(EVENT_TICK, self._on_tick)
        params = f"seed=7&state=memory&qps=100&reconnect=0.2&speed={speed:g}&start={start}{extra}"
        self.harness.connect(self.gateway, self.sim, params=params)

    def _on_tick(self, event: Event) -> None:
        with self.lock:
            self.ticks.append(event.data)

    def chain_contracts(self, chains: tuple[str, ...] = CHAINS) -> list[ContractData]:
        """ETFs and their options, chosen here from the contract fields (not by the recorder)."""
        wanted = {c.split(".")[0]: c.split(".")[1] for c in chains}
        result = []
        for c in self.harness.main_engine.get_all_contracts():
            if c.product == Product.OPTION and c.option_portfolio:
                code = c.option_portfolio[: -len("_O")]
                if wanted.get(code) == c.exchange.value:
                    result.append(c)
            elif wanted.get(c.symbol) == c.exchange.value:
                result.append(c)
        return result

    def count(self) -> int:
        with self.lock:
            return len(self.ticks)

    def stop_market(self) -> None:
        """Close the gateway (no more ticks), then wait until the event queue is drained."""
        self.gateway.close()
        drained = threading.Event()
        self.harness.event_engine.register("recorder-test-sentinel", lambda e: drained.set())
        self.harness.event_engine.put(Event("recorder-test-sentinel"))
        assert drained.wait(30)

    def wait_ticks(self, n: int, timeout: float = 60) -> None:
        assert poll(lambda: self.count() >= n, timeout), self.count()

    def close(self) -> None:
        self.harness.close()


def expected_rows(ticks: list[TickData], symbols: set[str]) -> dict[str, list[tuple[Any, ...]]]:
    """vt_symbol -> (exchange datetime, content) of every tick that must be stored: a tick is
    dropped only when it repeats the previous kept tick of its instrument exactly (same
    timestamp and same content)."""
    result: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    seen: set[tuple[Any, ...]] = set()
    for tick in ticks:
        if tick.vt_symbol not in symbols:
            continue
        item = (tick.datetime, tuple(getattr(tick, f) for f in FIELDS))
        if (tick.vt_symbol, item) in seen:
            continue
        seen.add((tick.vt_symbol, item))
        result[tick.vt_symbol].append(item)
    # The database is ordered by time; a subscription snapshot can arrive before an earlier step.
    return {k: sorted(v, key=lambda item: item[0]) for k, v in result.items()}


def kept_ticks(ticks: list[TickData], vt_symbol: str) -> list[TickData]:
    """The ticks of one instrument that must be stored (see expected_rows)."""
    kept: list[TickData] = []
    seen: set[tuple[Any, ...]] = set()
    for tick in ticks:
        if tick.vt_symbol != vt_symbol:
            continue
        item = (tick.datetime, tuple(getattr(tick, f) for f in FIELDS))
        if item not in seen:
            seen.add(item)
            kept.append(tick)
    return kept


def stored_rows(database: BaseDatabase, vt_symbol: str) -> list[tuple[Any, ...]]:
    """What load_tick_data returns, datetimes floored to the millisecond (shifted rows are +k µs)."""
    symbol, exchange = vt_symbol.rsplit(".", 1)
    ticks = database.load_tick_data(
        symbol, Exchange(exchange), datetime(2000, 1, 1), datetime(2100, 1, 1)
    )
    return [
        (
            t.datetime - timedelta(microseconds=t.datetime.microsecond % 1000),
            tuple(getattr(t, f) for f in FIELDS),
        )
        for t in ticks
    ]


def bars_from_ticks(ticks: list[TickData]) -> dict[datetime, dict[str, float]]:
    """Minute -> open/close/low/high of last prices and the volume traded in it (cumulative
    volume differences from the previous tick, the first tick contributing nothing)."""
    bars: dict[datetime, dict[str, float]] = {}
    previous: TickData | None = None
    for tick in ticks:
        if not tick.last_price:
            continue
        minute = tick.datetime.replace(second=0, microsecond=0)
        bar = bars.setdefault(
            minute,
            {
                "open": tick.last_price,
                "high": tick.last_price,
                "low": tick.last_price,
                "volume": 0.0,
            },
        )
        bar["high"] = max(bar["high"], tick.last_price)
        bar["low"] = min(bar["low"], tick.last_price)
        bar["close"] = tick.last_price
        if previous is not None:
            bar["volume"] += max(tick.volume - previous.volume, 0)
        previous = tick
    return bars


def load_bars(database: BaseDatabase, vt_symbol: str) -> list[BarData]:
    symbol, exchange = vt_symbol.rsplit(".", 1)
    return database.load_bar_data(
        symbol, Exchange(exchange), Interval.MINUTE, datetime(2000, 1, 1), datetime(2100, 1, 1)
    )
