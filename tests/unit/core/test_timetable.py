"""The one trading timetable: phases and published statuses by wall time, auction instants."""

from __future__ import annotations

from datetime import time

import pytest

from vnpy_ctpsopt.api import constant as C
from vnpy_ctpsopt.core.timetable import (
    CLOSE_UNCROSS,
    OPEN_UNCROSS,
    PHASE_STATUS,
    ROLL_TIME,
    SESSION_TABLE,
    Phase,
    phase_at,
    status_at,
)

# wall time -> (phase, instrument status) from sopt-rules.md A.5
SCHEDULE = [
    (time(9, 14, 59), Phase.BEFORE_OPEN, C.THOST_FTDC_IS_BeforeTrading),
    (time(9, 15), Phase.OPEN_AUCTION, C.THOST_FTDC_IS_AuctionOrdering),
    (time(9, 20), Phase.OPEN_AUCTION_NO_CANCEL, C.THOST_FTDC_IS_AuctionOrdering),
    (time(9, 25), Phase.PRE_OPEN, C.THOST_FTDC_IS_AuctionMatch),
    (time(9, 29, 59), Phase.PRE_OPEN, C.THOST_FTDC_IS_AuctionMatch),
    (time(9, 30), Phase.CONTINUOUS, C.THOST_FTDC_IS_Continous),
    (time(11, 30), Phase.BREAK, C.THOST_FTDC_IS_NoTrading),
    (time(13, 0), Phase.CONTINUOUS, C.THOST_FTDC_IS_Continous),
    (time(14, 57), Phase.CLOSE_AUCTION, C.THOST_FTDC_IS_AuctionAfterClosed),
    (time(15, 0), Phase.CLOSED, C.THOST_FTDC_IS_Closed),
    (time(23, 59), Phase.CLOSED, C.THOST_FTDC_IS_Closed),
]


@pytest.mark.parametrize(("t", "phase", "status"), SCHEDULE)
def test_phase_and_status_by_time(t: time, phase: Phase, status: str) -> None:
    assert phase_at(t).name == phase.name
    assert status_at(t) == status
    assert PHASE_STATUS[phase] == status
    assert status_at(t, trading_day=False) == C.THOST_FTDC_IS_Closed


def test_table_is_ordered_and_names_the_auction_instants() -> None:
    starts = [row.start for row in SESSION_TABLE]
    assert starts == sorted(starts) and starts[0] == time(0, 0)
    assert time(9, 25) == OPEN_UNCROSS
    assert time(15, 0) == CLOSE_UNCROSS
    assert time(17, 0) == ROLL_TIME
