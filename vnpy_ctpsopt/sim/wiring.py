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
    instruments = build_instruments(day, {})
    market = CounterMarket(SimMarket(instruments, seed, day, start))
    counter = SimCounter(counter_config, market, instruments, store, clock.now)
    return market, counter, store


class CounterMarket:
    """The SimMarket as the counter and the exchange use it.

    Adds what joins the two: ``trading_day`` as ``YYYYMMDD``, ``roll()`` that lists the next
    trading day's contracts (instruments.build_instruments from today's listing and spots) and
    returns the new day, ``settlement_price(id)`` from the day's settlement (computed once), and
    ``record_trade`` accepting the counter's call shape.
    Every other attribute is the SimMarket's own.
    """

    def __init__(self, market: Any) -> None:
        self.market = market
        self._settlement: dict[str, float] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.market, name)

    @property
    def trading_day(self) -> str:
        return str(self.market.trading_day.strftime("%Y%m%d"))

    @property
    def instruments(self) -> list[Any]:
        return list(self.market.instruments)

    def instrument_ids(self) -> list[str]:
        return list(self.market.instrument_ids())

    def settlement_price(self, instrument_id: str) -> float:
        if self._settlement is None:
            self._settlement = dict(self.market.settle())
        return self._settlement[instrument_id]

    def record_trade(self, instrument_id: str, price: float, volume: int, extra: Any = 0) -> None:
        """The counter passes the trade time where SimMarket takes the open-interest change;
        until the two agree, a time counts as no open-interest change."""
        delta = 0 if isinstance(extra, datetime) else int(extra)
        self.market.record_trade(instrument_id, price, volume, delta)

    def roll(self) -> str:
        from .instruments import build_instruments

        today: date = self.market.trading_day
        current = list(self.market.instruments)
        spots = {
            i.instrument_id: self.market.spot(i.instrument_id) for i in current if not i.is_option
        }
        next_day = calendar.next_trading_day(today)
        listing = build_instruments(next_day, spots, existing=current)
        self.market.roll(next_day, listing)
        self._settlement = None
        return self.trading_day


def instrument_ids(market: Any) -> list[str]:
    """Every instrument the md front serves (options and their underlying ETFs)."""
    return list(market.instrument_ids())
