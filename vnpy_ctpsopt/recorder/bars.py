"""1-minute bars with vn.py's BarGenerator, plus the time-based flush it lacks.

BarGenerator emits a minute's bar only when a tick of a later minute arrives, so the last bar
before 11:30 and 15:00 (and any bar of an instrument that stops trading) would never be written.
``flush_due(now)`` emits every bar whose minute ended more than ``grace`` seconds before ``now``
(exchange time, estimated from the latest tick plus the time elapsed since), and ``flush_all``
emits the open bars at close.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from vnpy.trader.object import BarData, TickData
from vnpy.trader.utility import BarGenerator


class BarRecorder:
    """``generators`` maps vt_symbol -> its BarGenerator; ``clock`` is (latest exchange time
    seen, monotonic time it was seen)."""

    def __init__(self, on_bar: Callable[[BarData], None], grace: float = 5.0) -> None:
        self.on_bar: Callable[[BarData], None] = on_bar
        self.grace: timedelta = timedelta(seconds=grace)
        self.generators: dict[str, BarGenerator] = {}
        self.clock: tuple[datetime, float] | None = None

    def update_tick(self, tick: TickData) -> None:
        generator: BarGenerator | None = self.generators.get(tick.vt_symbol)
        if generator is None:
            generator = self.generators[tick.vt_symbol] = BarGenerator(self.on_bar)
        generator.update_tick(tick)
        if self.clock is None or tick.datetime > self.clock[0]:
            self.clock = (tick.datetime, time.monotonic())

    def exchange_now(self) -> datetime | None:
        """The latest exchange time seen, advanced by the wall time since."""
        if self.clock is None:
            return None
        seen, at = self.clock
        return seen + timedelta(seconds=time.monotonic() - at)

    def flush_due(self, now: datetime | None = None) -> int:
        """Emit bars whose minute is over (by ``grace``); returns how many."""
        now = now or self.exchange_now()
        if now is None:
            return 0
        count: int = 0
        for generator in self.generators.values():
            bar: BarData | None = generator.bar
            if bar is None:
                continue
            minute_end: datetime = bar.datetime.replace(second=0, microsecond=0) + timedelta(
                minutes=1
            )
            if now >= minute_end + self.grace:
                self._emit(generator, bar)
                count += 1
        return count

    def flush_all(self) -> int:
        count: int = 0
        for generator in self.generators.values():
            if generator.bar is not None:
                self._emit(generator, generator.bar)
                count += 1
        return count

    def _emit(self, generator: BarGenerator, bar: BarData) -> None:
        bar.datetime = bar.datetime.replace(second=0, microsecond=0)
        generator.bar = None  # the next tick opens a new bar; last_tick keeps volume deltas right
        self.on_bar(bar)
