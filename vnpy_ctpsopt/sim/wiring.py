"""Builds the parts of one SimExchange: instruments, market, store and counter.

Kept apart from ``exchange.py`` so the thread and routing code does not depend on how the market
and the counter are constructed.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from . import calendar
from .clock import Clock
from .config import STATE_FOLDER, SimConfig
from .counter import CounterConfig, SimCounter


def is_trading_day(day: date) -> bool:
    return calendar.is_trading_day(day)


# The counter settles and moves to the next trading day at this time of the trading day.
ROLL_TIME: time = time(17, 0)


def trading_day_at(instant: datetime, roll: time = ROLL_TIME) -> date:
    """The trading day a counter is in at ``instant``: today until the evening roll."""
    day = instant.date()
    if calendar.is_trading_day(day) and instant.time() < roll:
        return day
    return calendar.next_trading_day(day)


def default_state_folder() -> Path:
    """``ctpsopt_sim`` in the vn.py settings folder (created on demand)."""
    from vnpy.trader.utility import get_folder_path

    return get_folder_path(STATE_FOLDER)


def build_market_and_counter(
    config: SimConfig, seed: int, clock: Clock, counter_config: CounterConfig
) -> tuple[Any, SimCounter, Any]:
    """(market, counter, store) for ``config``; the store is None for ``state=memory``."""
    from .instruments import build_instruments
    from .market import SimMarket

    start = clock.now()
    day = trading_day_at(start)
    path = config.state_path(default_state_folder()) if not config.in_memory else None
    store: Any = None
    if path is not None:
        from .store import SimStore

        path.parent.mkdir(parents=True, exist_ok=True)
        store = SimStore(path)
        stored = str(store.load().get("kv", {}).get("trading_day", "") or "")
        if stored:  # resume the stored day; the exchange rolls forward to today by itself
            day = datetime.strptime(stored, "%Y%m%d").date()
    instruments = build_instruments(day, {})
    market = SimMarket(instruments, seed, day, start)
    counter = SimCounter(counter_config, market, instruments, store, clock.now)
    return market, counter, store


def instrument_ids(market: Any) -> list[str]:
    """Every instrument the md front serves (options and their underlying ETFs)."""
    return list(market.instrument_ids())
