"""Where the day is closed: which contracts expire, assignment and lapse of their rows, the
maintenance margin of the shorts that stay, and the roll of yesterday's values (reference/
sopt-rules.md A.4, B.7-B.9).

Order of a day close for one book (``close_day`` does all of it):
1. the driver cancels its working orders (releasing their freeze, ``Book.freeze``);
2. declared exercises of expiring contracts are delivered (``exercise.settle_exercise``);
3. rows of expiring contracts end (``expire_positions``);
4. ``roll_book``: short speculative rows get the maintenance margin at the settlement price and
   the underlying close, yesterday's values roll (YdPosition, PreBalance = Balance + delivery,
   PreMargin, PreSettlementPrice, PositionCost at settlement), empty and expired rows go.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .book import Book
from .exercise import expire_position, settle_exercise
from .margin import maintenance_margin
from .terms import COVERED, SHORT, AccountTerms, Contract


def expiring_contracts(
    contracts: Mapping[str, Contract], trading_day: str, expire_before: str = ""
) -> set[str]:
    """Options expiring at the close of ``trading_day`` (ExpireDate <= it); when catching up
    over several days, every ExpireDate < ``expire_before`` instead."""
    return {
        iid
        for iid, info in contracts.items()
        if info.is_option
        and info.expire_date
        and (info.expire_date < expire_before if expire_before else info.expire_date <= trading_day)
    }


def expire_positions(
    book: Book,
    contracts: Mapping[str, Contract],
    expiring: set[str],
    closes: Mapping[str, float],
    delivery: float = 0.0,
) -> float:
    """End every row of an expiring contract at its underlying's close (``closes``); returns
    ``delivery`` plus the delivery cash of the assignments."""
    for row in list(book.positions.values()):
        if row.instrument_id in expiring and row.position:
            contract = contracts[row.instrument_id]
            delivery += expire_position(book, row, contract, closes[contract.underlying])
    return delivery


def reset_margins(book: Book) -> None:
    """Zero the account's margins before ``roll_book`` recomputes them."""
    book.account.curr_margin = book.account.exchange_margin = 0.0


def roll_book(
    book: Book,
    contracts: Mapping[str, Contract],
    settlements: Mapping[str, float],
    closes: Mapping[str, float],
    terms: AccountTerms,
    expiring: set[str],
) -> None:
    """Step 4 of the day close (after ``reset_margins``): maintenance margin of the remaining
    short speculative rows at ``settlements`` (instrument -> settlement price; a missing one
    keeps the previous settlement) and ``closes`` (underlying -> close), rows rolled to
    yesterday; then ``roll_account`` and ``roll_stocks``."""
    account = book.account
    for row in list(book.positions.values()):
        info = contracts.get(row.instrument_id)
        if row.position == 0 or info is None or row.instrument_id in expiring:
            book.drop_position(row)
            continue
        settle = settlements.get(row.instrument_id, row.pre_settlement)
        if row.direction == SHORT and row.hedge != COVERED:
            row.use_margin, row.exchange_margin = maintenance_margin(
                info, settle, closes[info.underlying], row.position, terms.margin_markup
            )
            account.curr_margin += row.use_margin
            account.exchange_margin += row.exchange_margin
        row.pre_margin = row.use_margin
        row.yd_position = row.position
        row.today_position = 0
        row.open_volume = row.close_volume = 0
        row.open_amount = row.close_amount = 0.0
        row.cash_in = row.commission = row.close_profit = 0.0
        row.pre_settlement = settle
        row.position_cost = settle * info.unit * row.position
        row.close_frozen = row.strike_frozen = 0
        book.on_change("position", row.key, row)


def roll_account(book: Book, delivery: float) -> None:
    """The account's side of the roll: PreBalance = Balance + delivery, today's flows and
    freezes cleared, PreMargin = CurrMargin; ETF shares become yesterday's."""
    account = book.account
    account.pre_balance = account.balance + delivery
    account.deposit = account.withdraw = account.cash_in = account.commission = 0.0
    account.frozen_cash = account.frozen_margin = account.frozen_commission = 0.0
    account.delivery_margin = 0.0
    account.pre_margin = account.curr_margin
    book.touch_account()


def roll_stocks(book: Book) -> None:
    for stock in book.stocks.values():
        stock.yd_volume = stock.volume
        stock.today_locked = 0
        book.on_change("stock", stock.key, stock)


@dataclass(frozen=True)
class Exercise:
    """A declared exercise to deliver at the close: contract, hedge flag, volume."""

    contract: Contract
    hedge: str
    volume: int


def close_day(
    book: Book,
    contracts: Mapping[str, Contract],
    settlements: Mapping[str, float],
    closes: Mapping[str, float],
    terms: AccountTerms,
    trading_day: str,
    exercises: Iterable[Exercise] = (),
) -> float:
    """Steps 2-4 for a driver with one book (the backtester): deliver ``exercises`` (their
    freezes already released), expire, roll. Returns the day's delivery cash (already in the
    new PreBalance)."""
    expiring = expiring_contracts(contracts, trading_day)
    delivery = 0.0
    for item in exercises:
        if item.contract.instrument_id in expiring:
            delivery += settle_exercise(book, item.contract, item.hedge, item.volume, terms.fees)
    delivery = expire_positions(book, contracts, expiring, closes, delivery)
    reset_margins(book)
    roll_book(book, contracts, settlements, closes, terms, expiring)
    roll_account(book, delivery)
    roll_stocks(book)
    return delivery
