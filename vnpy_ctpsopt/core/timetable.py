"""The one trading timetable of SSE/SZSE ETF options (reference/sopt-rules.md A.5, A.9, A.10):
phases, the instrument status the exchange publishes, the call-auction uncross instants, the
exercise windows and the counter's evening roll. Every other module asks this one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from enum import Enum
from types import MappingProxyType

from ..api import constant as C
from .orders import OrderKind
from .terms import SSE, SZSE


class Phase(Enum):
    BEFORE_OPEN = "before_open"  # before 9:15
    OPEN_AUCTION = "open_auction"  # 9:15-9:20, cancels allowed
    OPEN_AUCTION_NO_CANCEL = "open_auction_no_cancel"  # 9:20-9:25
    PRE_OPEN = "pre_open"  # 9:25-9:30, orders held, no matching
    CONTINUOUS = "continuous"  # 9:30-11:30, 13:00-14:57
    BREAK = "break"  # 11:30-13:00, orders held, no matching
    CLOSE_AUCTION = "close_auction"  # 14:57-15:00 (no cancels 14:59-15:00)
    CLOSED = "closed"  # after 15:00


@dataclass(frozen=True)
class Session:
    """One row of the timetable: from ``start`` (wall time, China) until the next row."""

    start: time
    phase: Phase
    status: str
    """THOST_FTDC_IS_* published in OnRtnInstrumentStatus."""


SESSION_TABLE: tuple[Session, ...] = (
    Session(time(0, 0), Phase.BEFORE_OPEN, C.THOST_FTDC_IS_BeforeTrading),
    Session(time(9, 15), Phase.OPEN_AUCTION, C.THOST_FTDC_IS_AuctionOrdering),
    Session(time(9, 20), Phase.OPEN_AUCTION_NO_CANCEL, C.THOST_FTDC_IS_AuctionOrdering),
    Session(time(9, 25), Phase.PRE_OPEN, C.THOST_FTDC_IS_AuctionMatch),
    Session(time(9, 30), Phase.CONTINUOUS, C.THOST_FTDC_IS_Continous),
    Session(time(11, 30), Phase.BREAK, C.THOST_FTDC_IS_NoTrading),
    Session(time(13, 0), Phase.CONTINUOUS, C.THOST_FTDC_IS_Continous),
    Session(time(14, 57), Phase.CLOSE_AUCTION, C.THOST_FTDC_IS_AuctionAfterClosed),
    Session(time(15, 0), Phase.CLOSED, C.THOST_FTDC_IS_Closed),
)
OPEN_UNCROSS: time = next(s.start for s in SESSION_TABLE if s.phase is Phase.PRE_OPEN)
"""The opening call auction is uncrossed at the first market step from here (9:25); it takes
the held orders entered before it."""
CLOSE_UNCROSS: time = next(s.start for s in SESSION_TABLE if s.phase is Phase.CLOSED)
"""The closing call auction is uncrossed at the first market step from here (15:00)."""
LAST_CANCEL_MINUTE: time = time(14, 59)
"""No cancels from here until the close (the closing auction's last minute)."""
ROLL_TIME: time = time(17, 0)
"""The counter settles and moves to the next trading day at this time of the trading day."""
PHASE_STATUS: Mapping[Phase, str] = MappingProxyType(
    {s.phase: s.status for s in reversed(SESSION_TABLE)}
)


def session_at(t: time) -> Session:
    """The timetable row in force at wall time ``t`` of a trading day."""
    current = SESSION_TABLE[0]
    for row in SESSION_TABLE:
        if t < row.start:
            break
        current = row
    return current


def phase_at(t: time) -> Phase:
    """Trading phase of SSE/SZSE options at wall time ``t`` (China time) in ``exchange`` mode."""
    return session_at(t).phase


def status_at(t: time, trading_day: bool = True) -> str:
    """Instrument status (THOST_FTDC_IS_*) at wall time ``t``; closed on other days."""
    if not trading_day:
        return C.THOST_FTDC_IS_Closed
    return session_at(t).status


def order_accepted(phase: Phase, kind: OrderKind) -> bool:
    """Whether the exchange accepts an order of ``kind`` in ``phase`` (else exchange reject).

    Continuous trading takes every type; auctions, the 9:25-9:30 pause and the lunch break take
    limit GFD orders only (held until matching resumes); nothing before 9:15 or after 15:00.
    """
    if phase == Phase.CONTINUOUS:
        return True
    if phase in (Phase.BEFORE_OPEN, Phase.CLOSED):
        return False
    return kind == OrderKind.LIMIT_GFD


def matching_allowed(phase: Phase) -> bool:
    """Continuous matching happens only in the continuous phase (the call auctions are
    uncrossed once, at OPEN_UNCROSS and CLOSE_UNCROSS, by matching.call_auction)."""
    return phase == Phase.CONTINUOUS


def cancel_allowed(phase: Phase, t: time) -> bool:
    """No cancels in 9:20-9:25 and in the closing auction's last minute 14:59-15:00."""
    if phase == Phase.OPEN_AUCTION_NO_CANCEL:
        return False
    return not (phase == Phase.CLOSE_AUCTION and t >= LAST_CANCEL_MINUTE)


def lock_allowed(phase: Phase) -> bool:
    """Lock/unlock (ReqLockInsert) only in trading hours: 9:15-11:30 and 13:00-15:00 of a
    trading day (sopt-rules.md A.10 "accepted during trading hours"); not before the opening
    auction, in the lunch break or after the close."""
    return phase not in (Phase.BEFORE_OPEN, Phase.BREAK, Phase.CLOSED)


EXERCISE_WINDOWS: Mapping[str, tuple[tuple[time, time], ...]] = MappingProxyType(
    {
        SSE: (
            (time(9, 15), time(9, 25)),
            (time(9, 30), time(11, 30)),
            (time(13, 0), time(15, 30)),
        ),
        SZSE: ((time(9, 15), time(11, 30)), (time(13, 0), time(15, 30))),
    }
)


def exercise_time_allowed(exchange: str, t: time) -> bool:
    """Whether ``t`` lies in the exchange's exercise-declaration window on expiry day."""
    return any(start <= t < end for start, end in EXERCISE_WINDOWS.get(exchange, ()))
