"""Exercise, assignment, expiry and the day close of core.exercise / core.settlement, with
hand-computed deliveries (unit 10,000; exercise fee 1 per contract; markup 10 %)."""

from __future__ import annotations

import pytest

from tests.unit.core.kit import EXPIRY, book, option
from vnpy_ctpsopt.core.book import Book, Position
from vnpy_ctpsopt.core.exercise import (
    check_exercise,
    expire_position,
    freeze_exercise,
    release_exercise,
    settle_exercise,
)
from vnpy_ctpsopt.core.fees import FeeSchedule
from vnpy_ctpsopt.core.settlement import Exercise, close_day, expiring_contracts
from vnpy_ctpsopt.core.terms import COVERED, LONG, SHORT, SPEC, AccountTerms, Contract, Refused
from vnpy_ctpsopt.sim import errors as E

FEES = FeeSchedule()
CALL = option(2.9, True)
PUT = option(2.7, False)


def hold(bk: Book, contract: Contract, direction: str, volume: int, hedge: str = SPEC) -> Position:
    row = bk.position(contract, direction, hedge)
    row.position = row.yd_position = volume
    return row


def test_exercise_checks_freeze_release() -> None:
    bk = book(30_000.0)
    hold(bk, CALL, LONG, 2)
    refusals = [
        (dict(day="20261222"), E.NOT_SUPPORT_EXECDAY),
        (dict(in_window=False), E.EXEC_FORBIDDEN_TIME),
        (dict(volume=0), E.VOLUME_NOTSUPPORT),
        (dict(volume=3), E.OVER_EXECUTE_POSITION),
        # 2 calls: strike cash 2 x 2.9 x 10000 = 58,000 + fee 2 > 30,000
        (dict(volume=2), E.INSUFFICIENT_MONEY),
    ]
    for change, error_id in refusals:
        args = dict(day=EXPIRY, in_window=True, volume=1) | change
        with pytest.raises(Refused) as info:
            check_exercise(bk, CALL, SPEC, int(args["volume"]), str(args["day"]), FEES,
                           bool(args["in_window"]))
        assert info.value.error_id == error_id, change
    # 1 call: 29,000 strike cash + 1 fee <= 30,000
    reserve = check_exercise(bk, CALL, SPEC, 1, EXPIRY, FEES)
    assert (reserve.cash, reserve.fee, reserve.shares) == (pytest.approx(29000.0), 1.0, 0)
    freeze_exercise(bk, CALL, SPEC, 1, reserve)
    row = bk.find_position(CALL.instrument_id, LONG, SPEC)
    assert row is not None and row.strike_frozen == 1 and row.closable == 1
    assert bk.account.delivery_margin == pytest.approx(29000.0)
    assert bk.account.available == pytest.approx(30_000.0 - 29_001.0)
    release_exercise(bk, CALL, CALL.instrument_id, SPEC, 1, reserve)
    assert row.strike_frozen == 0 and bk.account.available == pytest.approx(30_000.0)


def test_put_exercise_needs_and_freezes_shares() -> None:
    bk = book()
    hold(bk, PUT, LONG, 2)
    bk.stock("510050", "SSE").volume = 15000
    with pytest.raises(Refused) as info:  # 2 puts deliver 20,000 shares
        check_exercise(bk, PUT, SPEC, 2, EXPIRY, FEES)
    assert info.value.error_id == E.NOT_ENOUGH_STOCKPOSITION
    reserve = check_exercise(bk, PUT, SPEC, 1, EXPIRY, FEES)
    assert (reserve.cash, reserve.shares) == (0.0, 10000)
    freeze_exercise(bk, PUT, SPEC, 1, reserve)
    assert bk.stock("510050", "SSE").free == 5000


def test_settle_exercise_call_and_put() -> None:
    bk = book()
    hold(bk, CALL, LONG, 2)
    hold(bk, PUT, LONG, 1)
    stock = bk.stock("510050", "SSE")
    stock.volume = 10000
    # call: receive 10,000 shares, pay 2.9 x 10,000 = 29,000, fee 1
    assert settle_exercise(bk, CALL, SPEC, 1, FEES) == pytest.approx(-29000.0)
    assert stock.volume == 20000 and bk.account.commission == 1.0
    # put: deliver 10,000 shares, receive 2.7 x 10,000 = 27,000
    assert settle_exercise(bk, PUT, SPEC, 1, FEES) == pytest.approx(27000.0)
    assert stock.volume == 10000 and bk.account.commission == 2.0
    # a declaration above the position left delivers only what is held
    assert settle_exercise(bk, CALL, SPEC, 5, FEES) == pytest.approx(-29000.0)
    assert bk.find_position(CALL.instrument_id, LONG, SPEC).position == 0  # type: ignore[union-attr]


def test_expiry_of_each_kind() -> None:
    bk = book()
    stock = bk.stock("510050", "SSE")
    stock.volume = 30000
    # short call ITM at close 3.0 > 2.9: deliver 10,000 shares, receive 29,000
    short_call = hold(bk, CALL, SHORT, 1)
    short_call.use_margin, short_call.exchange_margin = 3300.0, 3000.0
    bk.account.curr_margin, bk.account.exchange_margin = 3300.0, 3000.0
    assert expire_position(bk, short_call, CALL, 3.0) == pytest.approx(29000.0)
    assert stock.volume == 20000 and short_call.position == 0
    assert bk.account.curr_margin == 0.0 and bk.account.exchange_margin == 0.0
    # short put ITM at close 2.5 < 2.7: receive 10,000 shares, pay 27,000
    short_put = hold(bk, PUT, SHORT, 1)
    assert expire_position(bk, short_put, PUT, 2.5) == pytest.approx(-27000.0)
    assert stock.volume == 30000
    # short put OTM at 2.8: lapses
    assert expire_position(bk, hold(bk, PUT, SHORT, 1), PUT, 2.8) == 0.0
    # long call ITM without a declaration: lapses (no automatic exercise)
    long_call = hold(bk, CALL, LONG, 1)
    assert expire_position(bk, long_call, CALL, 3.5) == 0.0 and long_call.position == 0
    assert stock.volume == 30000
    # at the money is not in the money: a short call at close 2.9 lapses
    assert expire_position(bk, hold(bk, CALL, SHORT, 1), CALL, 2.9) == 0.0


def test_covered_short_delivered_and_shortfall_cash_settled() -> None:
    bk = book()
    stock = bk.stock("510050", "SSE")
    stock.volume, stock.locked, stock.lock_frozen = 20000, 20000, 20000
    covered = hold(bk, CALL, SHORT, 1, COVERED)
    # ITM: the 10,000 locked shares backing it are delivered, strike cash received
    assert expire_position(bk, covered, CALL, 3.1) == pytest.approx(29000.0)
    assert (stock.volume, stock.locked, stock.lock_frozen) == (10000, 10000, 10000)
    # OTM: the backing shares are released, still locked
    covered_otm = hold(bk, CALL, SHORT, 1, COVERED)
    assert expire_position(bk, covered_otm, CALL, 2.8) == 0.0
    assert (stock.volume, stock.locked, stock.lock_frozen) == (10000, 10000, 0)
    # naked short call with 4,000 free shares: deliver 4,000, the other 6,000 in cash at the
    # close: 29,000 - 3.0 x 6,000 = 11,000
    bare = book()
    shares = bare.stock("510050", "SSE")
    shares.volume = 4000
    short = hold(bare, CALL, SHORT, 1)
    assert expire_position(bare, short, CALL, 3.0) == pytest.approx(11000.0)
    assert shares.volume == 0


def test_close_day_expires_settles_and_rolls() -> None:
    later = option(2.7, False, expire="20270127")
    contracts = {c.instrument_id: c for c in (CALL, PUT, later)}
    assert expiring_contracts(contracts, EXPIRY) == {CALL.instrument_id, PUT.instrument_id}
    assert expiring_contracts(contracts, "20261224", expire_before="20270127") == {
        CALL.instrument_id,
        PUT.instrument_id,
    }
    bk = book(100_000.0)
    stock = bk.stock("510050", "SSE")
    stock.volume = stock.yd_volume = 10000
    hold(bk, CALL, LONG, 1)  # declared: exercised
    hold(bk, PUT, SHORT, 1)  # OTM at 2.9: lapses
    short = hold(bk, later, SHORT, 2)  # stays: maintenance margin
    bk.account.cash_in, bk.account.commission = 500.0, 4.0
    terms = AccountTerms(FEES, 0.1)
    delivery = close_day(
        bk,
        contracts,
        {later.instrument_id: 0.05},
        {"510050": 2.9},
        terms,
        EXPIRY,
        [Exercise(CALL, SPEC, 1)],
    )
    # the call pays 29,000 for 10,000 shares, fee 1
    assert delivery == pytest.approx(-29000.0)
    assert stock.volume == stock.yd_volume == 20000
    # PreBalance = 100,000 + 500 - 4 - 1 - 29,000
    assert bk.account.pre_balance == pytest.approx(71_495.0)
    assert bk.account.cash_in == bk.account.commission == 0.0
    # later put K 2.7, settlement 0.05, close 2.9: (0.05 + 7% x 2.7) x 10000 = 2390 a contract
    assert short.exchange_margin == pytest.approx(4780.0)
    assert short.use_margin == pytest.approx(5258.0)
    assert bk.account.curr_margin == pytest.approx(5258.0) == bk.account.pre_margin
    assert short.yd_position == 2 and short.pre_settlement == 0.05
    assert short.position_cost == pytest.approx(0.05 * 10000 * 2)
    assert set(bk.positions) == {short.key}
