"""Live clock at ``speed`` times wall time, manual clock stepped by tests."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from vnpy_ctpsopt.sim.clock import LiveClock, ManualClock

START = datetime(2026, 11, 30, 9, 30)


class FakeWall:
    """A monotonic source the test moves by hand."""

    def __init__(self) -> None:
        self.value = 100.0

    def __call__(self) -> float:
        return self.value


def test_live_clock_runs_at_speed() -> None:
    wall = FakeWall()
    clock = LiveClock(START, speed=10.0, monotonic=wall)
    assert clock.now() == START
    wall.value += 1.5
    assert clock.now() == START + timedelta(seconds=15)


def test_live_clock_speed_change_keeps_time_continuous() -> None:
    wall = FakeWall()
    clock = LiveClock(START, speed=2.0, monotonic=wall)
    wall.value += 1.0
    clock.set_speed(100.0)
    assert clock.now() == START + timedelta(seconds=2)
    wall.value += 0.5
    assert clock.now() == START + timedelta(seconds=52)
    with pytest.raises(ValueError):
        clock.set_speed(0)


def test_live_clock_wait_until_real_time() -> None:
    clock = LiveClock(START, speed=1000.0)
    target = START + timedelta(seconds=20)  # 20 ms of wall time
    assert clock.wait_until(target, lambda: False)
    assert clock.now() >= target


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(START)
    assert clock.now() == START
    clock.advance(0.5)
    assert clock.now() == START + timedelta(milliseconds=500)
    with pytest.raises(ValueError):
        clock.advance(-1)
    with pytest.raises(ValueError):
        clock.set(START)


def test_manual_clock_wakes_waiter_and_stop() -> None:
    clock = ManualClock(START)
    reached = threading.Event()
    result: list[bool] = []

    def waiter() -> None:
        result.append(clock.wait_until(START + timedelta(seconds=1), lambda: False))
        reached.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    clock.advance(0.5)
    assert not reached.wait(0.05)
    clock.advance(0.5)
    assert reached.wait(5)
    thread.join(5)
    assert result == [True]

    stop = threading.Event()
    stopped: list[bool] = []
    thread = threading.Thread(
        target=lambda: stopped.append(clock.wait_until(START + timedelta(days=1), stop.is_set))
    )
    thread.start()
    stop.set()
    clock.wake()
    thread.join(5)
    assert stopped == [False]
