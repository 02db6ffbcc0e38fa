"""Simulated time: a live clock running ``speed`` times wall time, and a manual clock for tests.

Instants are naive datetimes in China time (UTC+8, no daylight saving), the time a CTP front
writes into UpdateTime/InsertTime. Waiting threads are woken by ``wake()`` (stop, speed change).
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

CHINA_TZ: timezone = timezone(timedelta(hours=8), "Asia/Shanghai")

# Longest single wall-clock wait of a live clock, so speed changes are picked up promptly.
MAX_WAIT_SECONDS: float = 0.25


def china_now() -> datetime:
    """The current wall time in China, naive."""
    return datetime.now(CHINA_TZ).replace(tzinfo=None)


class Clock(ABC):
    """Simulated time source shared by one exchange's threads."""

    def __init__(self) -> None:
        self._cond = threading.Condition()

    @abstractmethod
    def now(self) -> datetime:
        """The current simulated instant."""

    @abstractmethod
    def _wall_wait(self, target: datetime) -> float | None:
        """Wall seconds to wait for ``target`` (None: until woken), called under the lock."""

    @property
    @abstractmethod
    def speed(self) -> float: ...

    @abstractmethod
    def set_speed(self, speed: float) -> None: ...

    def wait_until(self, target: datetime, stopped: Callable[[], bool]) -> bool:
        """Block until ``now() >= target``; False if ``stopped()`` became true first."""
        with self._cond:
            while not stopped():
                if self.now() >= target:
                    return True
                self._cond.wait(self._wall_wait(target))
            return False

    def wake(self) -> None:
        """Wake every thread blocked in ``wait_until`` so it re-checks time and stop flags."""
        with self._cond:
            self._cond.notify_all()


class LiveClock(Clock):
    """Simulated time = ``start`` + wall time elapsed since creation × ``speed``."""

    def __init__(
        self,
        start: datetime | None = None,
        speed: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self._monotonic = monotonic
        self._base_sim: datetime = start if start is not None else china_now()
        self._base_wall: float = monotonic()
        self._speed: float = speed

    def now(self) -> datetime:
        elapsed = (self._monotonic() - self._base_wall) * self._speed
        return self._base_sim + timedelta(seconds=elapsed)

    @property
    def speed(self) -> float:
        return self._speed

    def set_speed(self, speed: float) -> None:
        """Change the rate from now on; simulated time never jumps."""
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        with self._cond:
            self._base_sim = self.now()
            self._base_wall = self._monotonic()
            self._speed = speed
            self._cond.notify_all()

    def _wall_wait(self, target: datetime) -> float | None:
        remaining = (target - self.now()).total_seconds() / self._speed
        return min(max(remaining, 0.0), MAX_WAIT_SECONDS)


class ManualClock(Clock):
    """A clock that stands still until ``advance``/``set`` moves it (tests, replays)."""

    def __init__(self, start: datetime | None = None) -> None:
        super().__init__()
        self._now: datetime = start if start is not None else china_now().replace(microsecond=0)
        self._speed: float = 1.0

    def now(self) -> datetime:
        return self._now

    @property
    def speed(self) -> float:
        return self._speed

    def set_speed(self, speed: float) -> None:
        """Recorded only; a manual clock moves when told."""
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self._speed = speed

    def advance(self, seconds: float) -> datetime:
        """Move time forward by ``seconds`` of simulated time and wake waiters."""
        if seconds < 0:
            raise ValueError("a clock never runs backwards")
        with self._cond:
            self._now += timedelta(seconds=seconds)
            self._cond.notify_all()
            return self._now

    def set(self, instant: datetime) -> None:
        """Jump forward to ``instant``."""
        with self._cond:
            if instant < self._now:
                raise ValueError("a clock never runs backwards")
            self._now = instant
            self._cond.notify_all()

    def _wall_wait(self, target: datetime) -> float | None:
        return None
