"""The open check and the order refusals of core.orders, and what freezes and fills do to a
book (core.book), with hand-computed money (unit 10,000; default fees 2 / 0 / 2 / 1)."""

from __future__ import annotations

import pytest

from tests.unit.core.kit import book, etf, option
from vnpy_ctpsopt.core.book import Book, WorkingOrder
from vnpy_ctpsopt.core.fees import FeeAction, FeeSchedule, fee_action
from vnpy_ctpsopt.core.orders import (
    NewOrder,
    OrderKind,
    Reserve,
    check_lock,
    check_order,
    would_self_trade,
)
from vnpy_ctpsopt.core.terms import (
    BUY,
    CLOSE,
    COVERED,
    LONG,
    OPEN,
    SELL,
    SHORT,
    SPEC,
    AccountTerms,
    Contract,
    PriceRef,
    Refused,
)
from vnpy_ctpsopt.sim import errors as E

TERMS = AccountTerms(FeeSchedule(), 0.1, (5000, 10000, 10000))
PUT = option(2.7, False)
CALL = option(2.9, True)
# put: limits 0.0001-0.3, pre-settlement 0.04, 510050 closed at 2.8 -> margin 2760, broker 3036
PUT_PRICES = PriceRef(0.0001, 0.3, 0.04, 2.8)
CALL_PRICES = PriceRef(0.0001, 0.1, 0.05, 2.8)
CONTRACTS = {c.instrument_id: c for c in (PUT, CALL)}


def check(
    bk: Book,
    contract: Contract,
    direction: str,
    offset: str,
    volume: int,
    price: float,
    prices: PriceRef,
    *,
    hedge: str = SPEC,
    kind: OrderKind = OrderKind.LIMIT_GFD,
    terms: AccountTerms = TERMS,
) -> Reserve:
    new = NewOrder(contract, direction, offset, hedge, kind, volume, price)
    return check_order(bk, new, terms, prices, [], CONTRACTS)


def refused(*args: object, **kwargs: object) -> int:
    with pytest.raises(Refused) as info:
        check(*args, **kwargs)  # type: ignore[arg-type]
    return info.value.error_id


def working(contract: Contract, direction: str, offset: str, volume: int, price: float,
            reserve: Reserve, hedge: str = SPEC) -> WorkingOrder:
    return WorkingOrder(1, contract.instrument_id, direction, offset, hedge, price, volume,
                        0, reserve.cash_per_lot, reserve.margin_per_lot,
                        reserve.exch_margin_per_lot, reserve.fee_per_lot, reserve.shares_per_lot)


def test_fee_per_action() -> None:
    fees = FeeSchedule(buy_open=1.7, sell_open=0.3, close=2.5, exercise=0.6)
    assert fee_action(BUY, OPEN) is FeeAction.BUY_OPEN
    assert fee_action(SELL, OPEN) is FeeAction.SELL_OPEN
    assert fee_action(BUY, CLOSE) is fee_action(SELL, CLOSE) is FeeAction.CLOSE
    # 3 x 1.7 = 5.1; 4 x 0.3 = 1.2; 2 x 2.5 = 5.0; 5 x 0.6 = 3.0
    assert fees.fee(FeeAction.BUY_OPEN, 3) == pytest.approx(5.1)
    assert fees.fee(FeeAction.SELL_OPEN, 4) == pytest.approx(1.2)
    assert fees.fee(FeeAction.CLOSE, 2) == pytest.approx(5.0)
    assert fees.fee(FeeAction.EXERCISE, 5) == pytest.approx(3.0)


def test_open_check_sell_open_margin() -> None:
    # broker margin per lot 2760 x 1.1 = 3036; cash 10,000: 3 lots need 9108, 4 need 12144
    bk = book(10_000.0)
    reserve = check(bk, PUT, SELL, OPEN, 3, 0.04, PUT_PRICES)
    assert reserve.margin_per_lot == pytest.approx(3036.0)
    assert reserve.exch_margin_per_lot == pytest.approx(2760.0)
    assert reserve.cash_per_lot == 0.0 and reserve.fee_per_lot == 0.0
    assert refused(bk, PUT, SELL, OPEN, 4, 0.04, PUT_PRICES) == E.INSUFFICIENT_MONEY


def test_open_check_deep_otm_put_margin_floor_on_strike() -> None:
    # put K 2.2, pre-settlement 0.001, S 2.8 -> (0.001 + 7% x 2.2) x 10000 = 1550, broker 1705
    deep = option(2.2, False)
    bk = book(5_200.0)
    reserve = check(bk, deep, SELL, OPEN, 3, 0.001, PriceRef(0.0001, 0.2, 0.001, 2.8))
    assert reserve.margin_per_lot == pytest.approx(1705.0)  # 3 lots: 5115 <= 5200


def test_open_check_buy_premium_and_fee() -> None:
    # limit buy at 0.05: 500 premium + 2 fee = 502 per lot; 19 lots 9538, 20 lots 10040
    bk = book(10_000.0)
    reserve = check(bk, CALL, BUY, OPEN, 19, 0.05, CALL_PRICES)
    assert (reserve.cash_per_lot, reserve.fee_per_lot) == (pytest.approx(500.0), 2.0)
    assert refused(bk, CALL, BUY, OPEN, 20, 0.05, CALL_PRICES) == E.INSUFFICIENT_MONEY
    # a market buy freezes at the upper limit 0.1: 1000 + 2 per lot; 9 lots 9018, 10 lots 10020
    market = OrderKind.MARKET_IOC
    assert check(bk, CALL, BUY, OPEN, 9, 0.0, CALL_PRICES, kind=market).cash_per_lot == 1000.0
    assert refused(bk, CALL, BUY, OPEN, 10, 0.0, CALL_PRICES, kind=market) == 31


def test_order_refusals_in_order() -> None:
    bk = book()
    assert refused(bk, CALL, BUY, OPEN, 1, 0.05, CALL_PRICES, hedge="3") == E.SPEC_COVERED_ONLY
    assert refused(bk, PUT, SELL, OPEN, 1, 0.04, PUT_PRICES, hedge=COVERED) == E.COVER_ONLY_SELL
    assert refused(bk, CALL, BUY, OPEN, 51, 0.05, CALL_PRICES) == E.VOLUME_NOTSUPPORT
    market = OrderKind.MARKET_IOC
    assert refused(bk, CALL, BUY, OPEN, 11, 0.0, CALL_PRICES, kind=market) == 104
    assert refused(bk, CALL, BUY, OPEN, 1, 0.05005, CALL_PRICES) == E.PRICE_NOTSUPPORT
    assert refused(bk, CALL, BUY, OPEN, 1, 0.1001, CALL_PRICES) == E.PRICE_NOTSUPPORT
    assert refused(bk, CALL, SELL, CLOSE, 1, 0.05, CALL_PRICES) == E.OVER_CLOSE_POSITION
    limits = AccountTerms(position_limits=(2, 3, 10))
    assert refused(bk, CALL, BUY, OPEN, 3, 0.05, CALL_PRICES, terms=limits) == E.POSI_LIMIT
    assert check(bk, CALL, BUY, OPEN, 2, 0.05, CALL_PRICES, terms=limits).fee_per_lot == 2.0


def test_position_limits_count_rows_and_working_orders() -> None:
    bk = book()
    bk.position(CALL, LONG, SPEC).position = 1
    limits = AccountTerms(position_limits=(3, 100, 100))
    pending = working(CALL, BUY, OPEN, 2, 0.05, Reserve())
    new = NewOrder(CALL, BUY, OPEN, SPEC, OrderKind.LIMIT_GFD, 1, 0.05)
    # long: 1 held + 2 working + 1 new = 4 > 3
    with pytest.raises(Refused) as info:
        check_order(bk, new, limits, CALL_PRICES, [pending], CONTRACTS)
    assert info.value.error_id == E.POSI_LIMIT
    check_order(bk, new, limits, CALL_PRICES, [], CONTRACTS)  # 1 + 1 = 2 <= 3


def test_freeze_fill_and_close_money() -> None:
    bk = book(100_000.0, {PUT.instrument_id: 0.04, CALL.instrument_id: 0.05})
    # buy open 2 calls at 0.05: freeze 2 x (500 + 2) = 1004, then fill: CashIn -1000, fee 4
    reserve = check(bk, CALL, BUY, OPEN, 2, 0.05, CALL_PRICES)
    buy = working(CALL, BUY, OPEN, 2, 0.05, reserve)
    bk.freeze(buy, CALL, 1, 2)
    assert (bk.account.frozen_cash, bk.account.frozen_commission) == (1000.0, 4.0)
    assert bk.account.available == pytest.approx(100_000.0 - 1004.0)
    row = bk.fill(buy, CALL, 0.05, 2)
    assert (bk.account.frozen_cash, bk.account.frozen_commission) == (0.0, 0.0)
    assert (bk.account.cash_in, bk.account.commission) == (pytest.approx(-1000.0), 4.0)
    assert (row.position, row.today_position, row.open_cost) == (2, 2, pytest.approx(1000.0))
    assert row.pre_settlement == 0.05
    # sell open 1 put at 0.04: CashIn +400, margin 3036 (exchange 2760), no fee
    reserve = check(bk, PUT, SELL, OPEN, 1, 0.04, PUT_PRICES)
    sell = working(PUT, SELL, OPEN, 1, 0.04, reserve)
    bk.freeze(sell, PUT, 1, 1)
    assert bk.account.frozen_margin == pytest.approx(3036.0)
    short = bk.fill(sell, PUT, 0.04, 1)
    assert bk.account.frozen_margin == 0.0
    assert (bk.account.curr_margin, bk.account.exchange_margin) == (
        pytest.approx(3036.0),
        pytest.approx(2760.0),
    )
    assert short.direction == SHORT and short.use_margin == pytest.approx(3036.0)
    # buy close the put at 0.03: profit (0.04 - 0.03) x 10000 = 100, margin released, fee 2
    close = working(PUT, BUY, CLOSE, 1, 0.03, check(bk, PUT, BUY, CLOSE, 1, 0.03, PUT_PRICES))
    bk.freeze(close, PUT, 1, 1)
    assert short.close_frozen == 1 and short.closable == 0
    bk.fill(close, PUT, 0.03, 1)
    assert short.close_frozen == 0 and short.position == 0
    assert short.close_profit == pytest.approx(100.0)
    assert bk.account.curr_margin == pytest.approx(0.0)
    # cash: -1000 + 400 - 300 = -900; fees 4 + 2 = 6; balance 100,000 - 906
    assert bk.account.cash_in == pytest.approx(-900.0)
    assert bk.account.balance == pytest.approx(99_094.0)


def test_covered_call_on_locked_and_free_shares() -> None:
    bk = book()
    sse = bk.stock("510050", "SSE")
    sse.volume = 20000
    # lock 15,000 of 20,000: 99; lock 10,000: fine; covered sell-open 2 lots needs 20,000 locked
    with pytest.raises(Refused) as info:
        check_lock(bk, etf(), True, 25000)
    assert info.value.error_id == E.NOT_ENOUGH_STOCKPOSITION
    check_lock(bk, etf(), True, 10000)
    bk.lock(etf(), True, 10000)
    assert (sse.locked, sse.today_locked, sse.free) == (10000, 10000, 10000)
    assert refused(bk, CALL, SELL, OPEN, 2, 0.05, CALL_PRICES, hedge=COVERED) == 98
    reserve = check(bk, CALL, SELL, OPEN, 1, 0.05, CALL_PRICES, hedge=COVERED)
    assert (reserve.shares_per_lot, reserve.margin_per_lot) == (10000, 0.0)
    covered = working(CALL, SELL, OPEN, 1, 0.05, reserve, COVERED)
    bk.freeze(covered, CALL, 1, 1)
    assert sse.lock_frozen == 10000
    with pytest.raises(Refused) as info:  # the locked shares back the covered order
        check_lock(bk, etf(), False, 1)
    assert info.value.error_id == E.NOT_ENOUGH_LOCKPOSITION
    row = bk.fill(covered, CALL, 0.05, 1)
    assert sse.lock_frozen == 10000 and row.hedge == COVERED and row.use_margin == 0.0
    assert bk.account.curr_margin == 0.0 and bk.account.cash_in == pytest.approx(500.0)
    # SZSE: covered shares are free shares, frozen
    szse_call = option(4.0, True, "SZSE", "159919")
    szse = bk.stock("159919", "SZSE")
    szse.volume = 10000
    prices = PriceRef(0.0001, 1.0, 0.1, 4.0)
    new = NewOrder(szse_call, SELL, OPEN, COVERED, OrderKind.LIMIT_GFD, 1, 0.1)
    reserve = check_order(bk, new, TERMS, prices, [], {szse_call.instrument_id: szse_call})
    order = working(szse_call, SELL, OPEN, 1, 0.1, reserve, COVERED)
    bk.freeze(order, szse_call, 1, 1)
    assert (szse.frozen, szse.free) == (10000, 0)
    with pytest.raises(Refused) as info:
        check_order(bk, new, TERMS, prices, [], {szse_call.instrument_id: szse_call})
    assert info.value.error_id == E.NOT_ENOUGH_STOCKPOSITION


def test_self_trade_check() -> None:
    class Resting:
        def __init__(self, investor_id: str, price: float) -> None:
            self.investor_id, self.price = investor_id, price

    asks = [Resting("other", 0.0500), Resting("me", 0.0510)]
    assert not would_self_trade("me", asks, BUY, OrderKind.LIMIT_GFD, 0.0505)
    assert would_self_trade("me", asks, BUY, OrderKind.LIMIT_GFD, 0.0510)
    assert would_self_trade("me", asks, BUY, OrderKind.MARKET_IOC, 0.0)
    assert not would_self_trade("you", asks, BUY, OrderKind.MARKET_IOC, 0.0)
