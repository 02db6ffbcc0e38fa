"""Pure conversions and rules of the recorder: database rows, spill lines, sessions, duplicates.

Rows have the column order of vn.py's ``dbtickdata`` / ``dbbardata`` tables (vnpy_sqlite,
vnpy_postgresql, vnpy_mysql share it) without the ``id`` column. Datetimes are naive wall-clock
values in ``DB_TZ`` (vn.py's ``convert_tz``), as the adapters store them.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, time, timedelta
from typing import Any

from vnpy.trader.database import convert_tz
from vnpy.trader.object import BarData, TickData

TICK_COLUMNS: tuple[str, ...] = (
    "symbol", "exchange", "datetime", "name", "volume", "turnover", "open_interest",
    "last_price", "last_volume", "limit_up", "limit_down", "open_price", "high_price",
    "low_price", "pre_close",
    "bid_price_1", "bid_price_2", "bid_price_3", "bid_price_4", "bid_price_5",
    "ask_price_1", "ask_price_2", "ask_price_3", "ask_price_4", "ask_price_5",
    "bid_volume_1", "bid_volume_2", "bid_volume_3", "bid_volume_4", "bid_volume_5",
    "ask_volume_1", "ask_volume_2", "ask_volume_3", "ask_volume_4", "ask_volume_5",
    "localtime",
)  # fmt: skip
BAR_COLUMNS: tuple[str, ...] = (
    "symbol", "exchange", "datetime", "interval", "volume", "turnover", "open_interest",
    "open_price", "high_price", "low_price", "close_price",
)  # fmt: skip

# Fields compared to decide whether two ticks of one timestamp are the same exchange message.
_CONTENT_FIELDS: tuple[str, ...] = TICK_COLUMNS[4:35]

# One microsecond: exchange timestamps have millisecond resolution, so a shifted row is
# recognisable (datetime.microsecond % 1000 != 0) and never collides with a real timestamp.
SHIFT: timedelta = timedelta(microseconds=1)
MAX_SHIFTS: int = 999

# SSE/SZSE option sessions (exchange time): opening auction 9:15, continuous 9:30-11:30 and
# 13:00-15:00 (closing auction 14:57-15:00). Snapshots published just after a close belong to
# the session, hence the grace.
SESSIONS: tuple[tuple[time, time], ...] = ((time(9, 15), time(11, 30)), (time(13, 0), time(15, 0)))
CLOSE_GRACE: timedelta = timedelta(seconds=60)


class MalformedTick(ValueError):
    """A tick that cannot be stored; the message says why (Chinese, for traders)."""


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


# (start, end + grace) in seconds of the day
_SESSION_SECONDS: tuple[tuple[int, int], ...] = tuple(
    (_seconds(a), _seconds(b) + int(CLOSE_GRACE.total_seconds())) for a, b in SESSIONS
)


def in_session(dt: datetime) -> bool:
    """Whether an exchange timestamp lies in an SSE/SZSE option session (plus the close grace;
    the closing second itself counts up to its last microsecond)."""
    second: int = dt.hour * 3600 + dt.minute * 60 + dt.second
    return any(start <= second <= end for start, end in _SESSION_SECONDS)


def tick_content(tick: TickData) -> tuple[Any, ...]:
    """What two ticks of one timestamp must share to be the same message (no times, no name)."""
    d = tick.__dict__
    return tuple(d[name] for name in _CONTENT_FIELDS)


def tick_row(tick: TickData, dt: datetime) -> tuple[Any, ...]:
    """A dbtickdata row of ``tick`` stored at ``dt`` (aware; the shifted time when shifted)."""
    d = tick.__dict__
    localtime = d.get("localtime")
    row: tuple[Any, ...] = (
        d["symbol"], d["exchange"].value, convert_tz(dt), d["name"],
        d["volume"], d["turnover"], d["open_interest"], d["last_price"], d["last_volume"],
        d["limit_up"], d["limit_down"], d["open_price"], d["high_price"], d["low_price"],
        d["pre_close"],
        d["bid_price_1"], d["bid_price_2"], d["bid_price_3"], d["bid_price_4"], d["bid_price_5"],
        d["ask_price_1"], d["ask_price_2"], d["ask_price_3"], d["ask_price_4"], d["ask_price_5"],
        d["bid_volume_1"], d["bid_volume_2"], d["bid_volume_3"], d["bid_volume_4"],
        d["bid_volume_5"],
        d["ask_volume_1"], d["ask_volume_2"], d["ask_volume_3"], d["ask_volume_4"],
        d["ask_volume_5"],
        convert_tz(localtime) if isinstance(localtime, datetime) and localtime.tzinfo else None,
    )  # fmt: skip
    try:
        finite: bool = math.isfinite(sum(row[4:35]))
    except TypeError:
        finite = False
    if not finite or not isinstance(row[0], str) or not isinstance(row[3], str):
        raise MalformedTick(f"{d.get('vt_symbol', '?')} 含无效数值或字段类型错误")
    return row


def bar_row(bar: BarData) -> tuple[Any, ...]:
    """A dbbardata row."""
    return (
        bar.symbol, bar.exchange.value, convert_tz(bar.datetime),
        bar.interval.value if bar.interval else "1m",
        bar.volume, bar.turnover, bar.open_interest,
        bar.open_price, bar.high_price, bar.low_price, bar.close_price,
    )  # fmt: skip


def _encode(value: Any) -> Any:
    return value.isoformat(" ") if isinstance(value, datetime) else value


def row_to_line(kind: str, row: tuple[Any, ...]) -> str:
    """One spill-file line (JSON) for a ``tick`` or ``bar`` row."""
    return json.dumps([kind, [_encode(v) for v in row]], ensure_ascii=False)


def line_to_row(line: str) -> tuple[str, tuple[Any, ...]]:
    """The inverse of row_to_line; raises ValueError on a damaged line."""
    kind, values = json.loads(line)
    if kind not in ("tick", "bar") or not isinstance(values, list):
        raise ValueError(f"bad spill line: {line[:80]!r}")
    width: int = len(TICK_COLUMNS) if kind == "tick" else len(BAR_COLUMNS)
    if len(values) != width:
        raise ValueError(f"bad spill line width {len(values)}")
    values[2] = datetime.fromisoformat(values[2])
    if kind == "tick" and values[-1] is not None:
        values[-1] = datetime.fromisoformat(values[-1])
    return kind, tuple(values)


class DuplicatePolicy:
    """Same-timestamp policy, per instrument.

    The default schema keeps one row per (symbol, exchange, datetime). A tick whose timestamp
    equals that of a recent tick of the same instrument (the last RECENT timestamps: a
    subscription snapshot can arrive between two market steps) is either the same message
    re-sent (every compared field equal to one kept at that timestamp) and is merged (counted,
    not stored), or a different message, stored at the latest stored time of that timestamp +
    1 µs (counted as shifted), so nothing the exchange sent vanishes. Past MAX_SHIFTS distinct
    messages in one timestamp the rest are merged.

    ``recent`` maps vt_symbol -> {exchange datetime: (latest stored datetime, ticks kept)},
    at most RECENT timestamps per instrument, oldest dropped first.
    """

    RECENT: int = 16

    def __init__(self) -> None:
        self.recent: dict[str, dict[datetime, tuple[datetime, list[TickData]]]] = {}

    def place(self, tick: TickData) -> datetime | None:
        """The datetime to store ``tick`` at, or None when it repeats a kept tick."""
        dt: datetime = tick.datetime
        times = self.recent.get(tick.vt_symbol)
        if times is None:
            times = self.recent[tick.vt_symbol] = {}
        seen = times.get(dt)
        if seen is None:
            times[dt] = (dt, [tick])
            if len(times) > self.RECENT:
                del times[next(iter(times))]
            return dt
        stored, kept = seen
        content: tuple[Any, ...] = tick_content(tick)
        if any(tick_content(k) == content for k in kept) or stored - dt >= SHIFT * MAX_SHIFTS:
            return None
        shifted: datetime = stored + SHIFT
        kept.append(tick)
        times[dt] = (shifted, kept)
        return shifted
