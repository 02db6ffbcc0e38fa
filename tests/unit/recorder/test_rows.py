"""Pure rules of the recorder: sessions, the same-timestamp policy, rows and spill lines."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from vnpy.trader.constant import Exchange
from vnpy.trader.object import TickData

from vnpy_ctpsopt.recorder.rows import (
    TICK_COLUMNS,
    DuplicatePolicy,
    MalformedTick,
    in_session,
    line_to_row,
    row_to_line,
    tick_row,
)

CN = ZoneInfo("Asia/Shanghai")


def tick(ms: int = 0, volume: float = 1, bid: float = 0.1, second: int = 0) -> TickData:
    return TickData(
        symbol="10000001", exchange=Exchange.SSE, gateway_name="T", name="50ETF购3月2900",
        datetime=datetime(2026, 3, 2, 10, 0, second, ms * 1000, tzinfo=CN),
        volume=volume, bid_price_1=bid, last_price=0.1,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("clock", "inside"),
    [
        ("09:14:59", False), ("09:15:00", True), ("11:30:00", True), ("11:31:00", True),
        ("11:31:01", False), ("12:59:59", False), ("13:00:00", True), ("15:01:00", True),
        ("15:01:01", False), ("23:00:00", False), ("03:00:00", False),
    ],
)  # fmt: skip
def test_sessions_with_one_minute_close_grace(clock: str, inside: bool) -> None:
    h, m, s = map(int, clock.split(":"))
    assert in_session(datetime(2026, 3, 2, h, m, s, tzinfo=CN)) is inside


def test_same_timestamp_policy_merges_repeats_and_shifts_different_messages() -> None:
    policy = DuplicatePolicy()
    first = tick()
    assert policy.place(first) == first.datetime
    assert policy.place(tick()) is None  # the same message again
    assert policy.place(tick(volume=2)) == first.datetime + timedelta(microseconds=1)
    assert policy.place(tick(volume=3)) == first.datetime + timedelta(microseconds=2)
    assert policy.place(tick(volume=2)) is None  # repeats the first shifted one
    later = tick(ms=500)
    assert policy.place(later) == later.datetime
    # a late snapshot of the first timestamp, different from all three kept: shifted once more
    assert policy.place(tick(bid=0.2)) == first.datetime + timedelta(microseconds=3)
    # another instrument is independent
    other = tick()
    other.symbol, other.vt_symbol = "10000002", "10000002.SSE"
    assert policy.place(other) == other.datetime


def test_policy_forgets_old_timestamps() -> None:
    policy = DuplicatePolicy()
    for second in range(DuplicatePolicy.RECENT + 1):
        policy.place(tick(second=second))
    assert len(policy.recent["10000001.SSE"]) == DuplicatePolicy.RECENT


def test_tick_row_naive_db_time_and_spill_round_trip() -> None:
    t = tick(ms=500)
    row = tick_row(t, t.datetime)
    assert len(row) == len(TICK_COLUMNS)
    assert row[2] == datetime(2026, 3, 2, 10, 0, 0, 500000)  # DB_TZ = Asia/Shanghai here
    assert row[:2] == ("10000001", "SSE")
    assert line_to_row(row_to_line("tick", row)) == ("tick", row)
    with pytest.raises(ValueError):
        line_to_row('["tick", [1, 2]]')


@pytest.mark.parametrize("field", ["volume", "bid_price_1", "ask_volume_5"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), None, "x"])
def test_tick_row_rejects_bad_numbers(field: str, value: object) -> None:
    t = tick()
    setattr(t, field, value)
    with pytest.raises(MalformedTick):
        tick_row(t, t.datetime)
