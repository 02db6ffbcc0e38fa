"""Builds the parts of one SimExchange: instruments, market, store and counter.

Kept apart from ``exchange.py`` so the thread and routing code does not depend on how the market
and the counter are constructed.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ..core.timetable import ROLL_TIME
from . import calendar
from .calendar import is_trading_day
from .clock import Clock
from .config import STATE_FOLDER, SimConfig
from .counter import CounterConfig, SimCounter

logger: logging.Logger = logging.getLogger("vnpy_ctpsopt.sim")
__all__ = ["ROLL_TIME", "build_market_and_counter", "instrument_ids", "is_trading_day"]


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
    market: SimMarket | None = None
    if path is not None:
        from .store import SimStore

        path.parent.mkdir(parents=True, exist_ok=True)
        store = SimStore(path)
        stored = str(store.value("trading_day", "") or "")
        if stored:  # resume the stored day; the exchange rolls forward to today by itself
            day = datetime.strptime(stored, "%Y%m%d").date()
            market = restore_market(store.value("market"), store.value("listing"), day)
    if market is None:
        market = SimMarket(build_instruments(day, {}), seed, day, start)
    counter = SimCounter(counter_config, market, market.instruments, store, clock.now)
    return market, counter, store


def restore_market(state: Any, listing: Any, day: date) -> Any:
    """The stored market of ``day`` (its listing and state), or None when the file holds none
    for that day or it cannot be read (then the market starts again from the seed)."""
    from .instruments import SimInstrument
    from .market import SimMarket

    if not isinstance(state, dict) or not isinstance(listing, list):
        return None
    if state.get("trading_day") != day.isoformat():
        return None
    try:
        instruments = [SimInstrument.from_dict(item) for item in listing]
        return SimMarket.from_state_dict(instruments, state)
    except (KeyError, TypeError, ValueError) as exc:
        logger.warning(f"模拟柜台行情状态无法恢复，将按种子重建行情：{exc}")
        return None


def instrument_ids(market: Any) -> list[str]:
    """Every instrument the md front serves (options and their underlying ETFs)."""
    return list(market.instrument_ids())
