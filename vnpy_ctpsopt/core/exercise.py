"""Where an exercise is checked, frozen and settled, and where an expiring short is assigned
(reference/sopt-rules.md A.9, B.7).

A declaration (expiry day, in the window) freezes the strike cash of a call (DeliveryMargin),
the shares of a put and the exercise fee; at the day close ``settle_exercise`` delivers: a call
pays strike cash and receives the shares, a put delivers shares and receives strike cash.
``expire_position`` ends a row of an expiring contract: a short in the money at the underlying
close is assigned (call writers deliver shares - covered ones their locked/frozen shares - and
receive strike cash, a shortfall of shares is cash-settled at the close; put writers pay strike
cash and receive shares), everything else lapses. Undeclared longs lapse (no automatic
exercise). Cash moves are returned as "delivery" amounts: the day close adds them to the next
day's PreBalance.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..sim import errors as E
from .book import Book, Position
from .fees import FeeAction, FeeSchedule
from .terms import COVERED, EPS, LONG, SHORT, SZSE, Contract, Refused


@dataclass(frozen=True)
class ExerciseReserve:
    """What a declaration freezes: strike cash (calls), the fee, shares (puts)."""

    cash: float
    fee: float
    shares: int


def check_exercise(
    book: Book,
    contract: Contract,
    hedge: str,
    volume: int,
    trading_day: str,
    fees: FeeSchedule,
    in_window: bool = True,
) -> ExerciseReserve:
    """The checks of an exercise declaration of a long option, in the counter's order: 115 not
    the expiry day, 139 outside the exercise window (``in_window``), 104 volume, 74 more than
    the long position not yet frozen, 31 money for strike cash and fee, 99 shares (puts)."""
    if contract.expire_date != trading_day:
        raise Refused(E.NOT_SUPPORT_EXECDAY)
    if not in_window:
        raise Refused(E.EXEC_FORBIDDEN_TIME)
    if volume <= 0:
        raise Refused(E.VOLUME_NOTSUPPORT)
    row = book.find_position(contract.instrument_id, LONG, hedge)
    if row is None or row.closable < volume:
        raise Refused(E.OVER_EXECUTE_POSITION)
    fee = fees.fee(FeeAction.EXERCISE, volume)
    cash = contract.strike * contract.unit * volume if contract.is_call else 0.0
    if cash + fee > book.account.available + EPS:
        raise Refused(E.INSUFFICIENT_MONEY)
    shares = 0
    stock = book.stock(contract.underlying, contract.exchange_id)
    if not contract.is_call:
        shares = contract.unit * volume
        if stock.free < shares:
            raise Refused(E.NOT_ENOUGH_STOCKPOSITION)
    return ExerciseReserve(cash, fee, shares)


def freeze_exercise(
    book: Book, contract: Contract, hedge: str, volume: int, reserve: ExerciseReserve
) -> None:
    """Freeze what an accepted declaration reserves (``check_exercise``)."""
    row = book.position(contract, LONG, hedge)
    row.strike_frozen += volume
    account = book.account
    account.delivery_margin += reserve.cash
    account.frozen_commission += reserve.fee
    book.stock(contract.underlying, contract.exchange_id).frozen += reserve.shares
    book.touch_account()


def release_exercise(
    book: Book,
    contract: Contract | None,
    instrument_id: str,
    hedge: str,
    volume: int,
    reserve: ExerciseReserve,
) -> None:
    """Release a declaration's freeze (cancelled, or about to be settled). ``contract`` may be
    None for a contract no longer known (then frozen shares stay: there are none to find)."""
    account = book.account
    account.delivery_margin -= reserve.cash
    account.frozen_commission -= reserve.fee
    book.touch_account()
    row = book.find_position(instrument_id, LONG, hedge)
    if row is not None:
        row.strike_frozen -= volume
        book.on_change("position", row.key, row)
    if reserve.shares and contract is not None:
        book.stock(contract.underlying, contract.exchange_id).frozen -= reserve.shares


def settle_exercise(
    book: Book, contract: Contract, hedge: str, volume: int, fees: FeeSchedule
) -> float:
    """Deliver a declaration of ``volume`` (at most the long position left): shares and the
    fee now, strike cash returned as a delivery amount (negative for calls: paid)."""
    row = book.position(contract, LONG, hedge)
    volume = min(volume, row.position)
    shares = contract.unit * volume
    cash = contract.strike * shares
    stock = book.stock(contract.underlying, contract.exchange_id)
    if contract.is_call:
        stock.volume += shares
        delivery = -cash
    else:
        stock.volume -= shares
        delivery = cash
    book.account.commission += fees.fee(FeeAction.EXERCISE, volume)
    row.position -= volume
    row.today_position = min(row.today_position, row.position)
    return delivery


def intrinsic(is_call: bool, underlying: float, strike: float) -> float:
    """Intrinsic value per share."""
    return max(underlying - strike, 0.0) if is_call else max(strike - underlying, 0.0)


def in_the_money(contract: Contract, underlying_close: float) -> bool:
    """Assignment test at expiry: strictly in the money at the underlying's close."""
    if contract.is_call:
        return underlying_close > contract.strike
    return underlying_close < contract.strike


def expire_position(book: Book, row: Position, contract: Contract, close: float) -> float:
    """End ``row`` of an expiring contract at the underlying ``close``: assign an in-the-money
    short, lapse the rest, release its margin and covered shares. Returns the delivery cash
    (strike cash received by an assigned call writer minus a cash-settled shortfall; strike
    cash paid, negative, by an assigned put writer)."""
    account = book.account
    delivery = 0.0
    if row.direction == SHORT:
        itm = in_the_money(contract, close)
        shares = contract.unit * row.position
        stock = book.stock(contract.underlying, contract.exchange_id)
        if row.hedge == COVERED:  # release the shares backing the covered short
            if contract.exchange_id == SZSE:
                stock.frozen -= shares
            else:
                stock.lock_frozen -= shares
                if itm:
                    stock.locked -= shares
        if itm:
            cash = contract.strike * shares
            if contract.is_call:
                short_fall = max(0, shares - (stock.volume - stock.locked - stock.frozen))
                if row.hedge == COVERED:
                    short_fall = 0
                stock.volume -= shares - short_fall
                cash -= close * short_fall
                delivery = cash
            else:
                stock.volume += shares
                delivery = -cash
        account.curr_margin -= row.use_margin
        account.exchange_margin -= row.exchange_margin
    row.position = 0
    row.use_margin = row.exchange_margin = 0.0
    book.on_change("position", row.key, row)
    book.touch_account()
    return delivery
