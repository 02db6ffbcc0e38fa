"""Pure rule functions of the core: order-type table per exchange, volumes, prices, margins,
fees, phases."""

from __future__ import annotations

from datetime import time

import pytest

from vnpy_ctpsopt.core.fees import FeeAction, FeeSchedule, fee_action
from vnpy_ctpsopt.core.margin import margin_parts, short_margin
from vnpy_ctpsopt.core.orders import (
    OrderKind,
    check_hedge,
    check_price,
    check_volume,
    normalize_offset,
    on_tick,
    resolve_order_kind,
    round_to_tick,
)
from vnpy_ctpsopt.core.terms import SSE, SZSE
from vnpy_ctpsopt.core.timetable import (
    Phase,
    cancel_allowed,
    exercise_time_allowed,
    lock_allowed,
    order_accepted,
    phase_at,
)
from vnpy_ctpsopt.sim import errors as E

K = OrderKind

# (price type, time condition, volume condition) -> expected kind on SSE, on SZSE (None: 80)
TABLE = [
    (("2", "3", "1"), K.LIMIT_GFD, K.LIMIT_GFD),
    (("2", "1", "3"), K.LIMIT_FOK, K.LIMIT_FOK),
    (("1", "1", "1"), K.MARKET_IOC, K.MARKET_IOC),
    (("1", "1", "3"), K.MARKET_FOK, K.MARKET_FOK),
    (("1", "3", "1"), K.MARKET_TO_LIMIT, K.BEST_OPPOSITE),
    (("3", "3", "1"), None, K.BEST_OPPOSITE),
    (("H", "3", "1"), None, K.BEST_OWN),
    (("G", "1", "1"), None, K.BEST5_IOC),
    (("4", "3", "1"), None, None),
    (("8", "1", "1"), None, None),
    (("2", "3", "3"), None, None),
    (("G", "3", "1"), None, None),
]


@pytest.mark.parametrize(("key", "sse", "szse"), TABLE)
def test_order_type_table(key: tuple[str, str, str], sse: K | None, szse: K | None) -> None:
    for exchange, expected in ((SSE, sse), (SZSE, szse)):
        kind, error = resolve_order_kind(exchange, *key)
        if expected is None:
            assert kind is None
            assert error == E.PRICETYPE_NOTSUPPORT_BYEXCHANGE
        else:
            assert (kind, error) == (expected, 0)


def test_limit_fak_configurable() -> None:
    assert resolve_order_kind(SSE, "2", "1", "1") == (K.LIMIT_FAK, 0)
    assert resolve_order_kind(SZSE, "2", "1", "1", accept_limit_fak=False) == (None, 80)


def test_bad_fields() -> None:
    assert resolve_order_kind(SSE, "2", "4", "1") == (None, E.UNSUPPORTED_FUNCTION)  # GTD
    assert resolve_order_kind(SSE, "2", "5", "1") == (None, E.UNSUPPORTED_FUNCTION)  # GTC
    assert resolve_order_kind(SSE, "Z", "3", "1") == (None, E.BAD_FIELD)
    assert resolve_order_kind(SSE, "2", "3", "9") == (None, E.BAD_FIELD)
    assert resolve_order_kind("SHFE", "2", "3", "1") == (None, E.ERROR_EXCHANGEID)


def test_kind_properties() -> None:
    assert not K.LIMIT_GFD.is_market and K.BEST_OWN.is_market
    assert K.MARKET_FOK.all_or_none and not K.MARKET_IOC.all_or_none
    assert K.MARKET_TO_LIMIT.rests and not K.BEST5_IOC.rests


def test_volume_limits() -> None:
    assert check_volume(0, K.LIMIT_GFD) == E.VOLUME_NOTSUPPORT
    assert check_volume(-1, K.LIMIT_GFD) == E.VOLUME_NOTSUPPORT
    assert check_volume(50, K.LIMIT_GFD) == 0
    assert check_volume(51, K.LIMIT_GFD) == E.VOLUME_NOTSUPPORT
    assert check_volume(10, K.MARKET_IOC) == 0
    assert check_volume(11, K.MARKET_IOC) == E.VOLUME_NOTSUPPORT
    assert check_volume(11, K.BEST_OPPOSITE) == E.VOLUME_NOTSUPPORT


def test_price_checks() -> None:
    assert on_tick(0.1234, 0.0001) and not on_tick(0.12345, 0.0001)
    assert round_to_tick(0.12345, 0.0001) == 0.1235
    assert check_price(0.1234, 0.0001, 0.0001, 0.3) == 0
    assert check_price(0.12345, 0.0001, 0.0001, 0.3) == E.PRICE_NOTSUPPORT
    assert check_price(0.3001, 0.0001, 0.0001, 0.3) == E.PRICE_NOTSUPPORT
    assert check_price(0.0, 0.0001, 0.0001, 0.3) == E.PRICE_NOTSUPPORT
    assert check_price(0.3, 0.0001, 0.0001, 0.3) == 0
    for huge in (1.7976931348623157e308, 1e300):  # DBL_MAX: price / tick overflows
        assert not on_tick(huge, 0.0001) or huge < 1e308
        assert check_price(huge, 0.0001, 0.0001, 0.3) == E.PRICE_NOTSUPPORT


def test_margin_worked_examples() -> None:
    # sopt-rules.md A.4: 2.900 call, S0 2.800, preSettle 0.05 -> 2860; 2.700 put, 0.04 -> 2760
    assert short_margin(True, 0.05, 2.8, 2.9, 10000) == pytest.approx(2860.0)
    assert short_margin(False, 0.04, 2.8, 2.7, 10000) == pytest.approx(2760.0)
    # deep OTM call floors at 7% of S; put capped at the strike
    assert short_margin(True, 0.001, 2.8, 4.0, 10000) == pytest.approx((0.001 + 0.196) * 10000)
    assert short_margin(False, 2.0, 0.5, 2.0, 10000) == pytest.approx(2.0 * 10000)
    fixed, mini = margin_parts(True, 0.05, 2.8, 2.9, 10000)
    assert max(fixed, mini) == pytest.approx(2860.0)


def test_fees() -> None:
    fees = FeeSchedule()
    assert fee_action("0", "0") == FeeAction.BUY_OPEN
    assert fee_action("1", "0") == FeeAction.SELL_OPEN
    assert fee_action("1", "1") == fee_action("0", "1") == FeeAction.CLOSE
    assert fees.fee(FeeAction.BUY_OPEN, 3) == 3 * fees.buy_open
    custom = FeeSchedule(buy_open=1.7, sell_open=0.5, close=1.7, exercise=0.6)
    assert custom.fee(FeeAction.SELL_OPEN, 2) == pytest.approx(1.0)
    assert custom.fee(FeeAction.EXERCISE, 10) == pytest.approx(6.0)


def test_offsets_and_hedge() -> None:
    assert normalize_offset("3") == normalize_offset("4") == "1"
    assert normalize_offset("0") == "0"
    assert normalize_offset("2") is None
    assert check_hedge("1", "0", "0", "2") == 0
    assert check_hedge("2", "0", "0", "1") == E.SPEC_COVERED_ONLY
    assert check_hedge("5", "0", "0", "1") == E.SPEC_COVERED_ONLY
    assert check_hedge("5", "0", "0", "1", market_maker=True) == 0
    assert check_hedge("4", "1", "0", "1") == 0  # covered open of a call
    assert check_hedge("4", "0", "1", "1") == 0  # covered close
    assert check_hedge("4", "0", "0", "1") == E.COVER_ONLY_SELL  # covered buy open
    assert check_hedge("4", "1", "1", "1") == E.COVER_ONLY_SELL  # covered sell close
    assert check_hedge("4", "1", "0", "2") == E.COVER_ONLY_SELL  # covered put


def test_phases() -> None:
    assert phase_at(time(9, 0)) == Phase.BEFORE_OPEN
    assert phase_at(time(9, 16)) == Phase.OPEN_AUCTION
    assert phase_at(time(9, 21)) == Phase.OPEN_AUCTION_NO_CANCEL
    assert phase_at(time(9, 27)) == Phase.PRE_OPEN
    assert phase_at(time(10, 0)) == Phase.CONTINUOUS
    assert phase_at(time(12, 0)) == Phase.BREAK
    assert phase_at(time(14, 0)) == Phase.CONTINUOUS
    assert phase_at(time(14, 58)) == Phase.CLOSE_AUCTION
    assert phase_at(time(15, 0)) == Phase.CLOSED
    assert order_accepted(Phase.CONTINUOUS, K.MARKET_IOC)
    assert order_accepted(Phase.OPEN_AUCTION, K.LIMIT_GFD)
    assert not order_accepted(Phase.OPEN_AUCTION, K.MARKET_IOC)
    assert not order_accepted(Phase.CLOSE_AUCTION, K.LIMIT_FOK)
    assert not order_accepted(Phase.BEFORE_OPEN, K.LIMIT_GFD)
    assert cancel_allowed(Phase.OPEN_AUCTION, time(9, 16))
    assert not cancel_allowed(Phase.OPEN_AUCTION_NO_CANCEL, time(9, 21))
    assert cancel_allowed(Phase.CLOSE_AUCTION, time(14, 58))
    assert not cancel_allowed(Phase.CLOSE_AUCTION, time(14, 59, 30))


@pytest.mark.parametrize(
    ("clock", "allowed"),
    [(time(9, 14, 59), False), (time(9, 15), True), (time(9, 27), True), (time(11, 29), True),
     (time(11, 30), False), (time(12, 59), False), (time(13, 0), True), (time(14, 59, 59), True),
     (time(15, 0), False), (time(20, 0), False)],
)  # fmt: skip
def test_lock_only_in_trading_hours(clock: time, allowed: bool) -> None:
    assert lock_allowed(phase_at(clock)) is allowed


def test_exercise_windows() -> None:
    assert exercise_time_allowed(SSE, time(9, 20))
    assert not exercise_time_allowed(SSE, time(9, 27))
    assert exercise_time_allowed(SZSE, time(9, 27))
    assert exercise_time_allowed(SSE, time(15, 29))
    assert not exercise_time_allowed(SZSE, time(15, 30))
    assert not exercise_time_allowed(SSE, time(12, 0))
