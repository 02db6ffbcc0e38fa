"""One investor's book: cash, frozen amounts, option positions by kind (long, short, covered
short; today and yesterday), ETF shares (free, frozen, locked), and what working orders and fills
do to them.

Money model (CNY): ``Balance = PreBalance + Deposit - Withdraw + CashIn - Commission`` where
CashIn is today's net premium; ``Available = Balance - CurrMargin - FrozenMargin - FrozenCash -
FrozenCommission - DeliveryMargin``. A working buy freezes its premium, a working sell-open its
broker margin, every working order its fee; a fill releases the freeze of its lots and books the
premium, the fee and the margin. Delivery of exercises and assignments settles at the day close
(``exercise``, ``settlement``).

The records are flat dataclasses (the sim counter stores them as JSON: their fields are the
state file's format). Each change is reported to ``on_change(kind, key, record)`` ("account",
"position", "stock", and "instrument" with the ``Contract`` when a position in it is opened), so a
driver can persist exactly what changed; the backtester passes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from .terms import BUY, CLOSE, COVERED, LONG, OPEN, SHORT, SZSE, Contract

Changed = Callable[[str, str, object], None]


def clean(value: float) -> float:
    """Drop float residue around zero (amounts are CNY; 1e-6 is far below a fen)."""
    return 0.0 if abs(value) < 1e-6 else value


@dataclass
class Account:
    """One investor's money (CNY) and login data."""

    investor_id: str
    broker_id: str
    password: str
    pre_balance: float
    deposit: float = 0.0
    withdraw: float = 0.0
    cash_in: float = 0.0
    commission: float = 0.0
    frozen_cash: float = 0.0
    frozen_margin: float = 0.0
    frozen_commission: float = 0.0
    delivery_margin: float = 0.0
    curr_margin: float = 0.0
    exchange_margin: float = 0.0
    pre_margin: float = 0.0
    confirm_date: str = ""
    confirm_time: str = ""

    @property
    def balance(self) -> float:
        return self.pre_balance + self.deposit - self.withdraw + self.cash_in - self.commission

    @property
    def available(self) -> float:
        return (
            self.balance
            - self.curr_margin
            - self.frozen_margin
            - self.frozen_cash
            - self.frozen_commission
            - self.delivery_margin
        )


@dataclass
class Position:
    """One option position row: (investor, instrument, PosiDirection, HedgeFlag).

    ``close_frozen`` is the volume frozen by pending closing orders (ShortFrozen on a long
    row, LongFrozen on a short row); ``strike_frozen`` by pending exercise declarations.
    """

    investor_id: str
    broker_id: str
    instrument_id: str
    exchange_id: str
    direction: str
    hedge: str
    yd_position: int = 0
    position: int = 0
    today_position: int = 0
    close_frozen: int = 0
    strike_frozen: int = 0
    open_volume: int = 0
    close_volume: int = 0
    open_amount: float = 0.0
    close_amount: float = 0.0
    position_cost: float = 0.0
    open_cost: float = 0.0
    use_margin: float = 0.0
    exchange_margin: float = 0.0
    pre_margin: float = 0.0
    cash_in: float = 0.0
    commission: float = 0.0
    close_profit: float = 0.0
    pre_settlement: float = 0.0

    @property
    def key(self) -> str:
        return position_key(self.investor_id, self.instrument_id, self.direction, self.hedge)

    @property
    def closable(self) -> int:
        return self.position - self.close_frozen - self.strike_frozen


def position_key(investor: str, instrument_id: str, direction: str, hedge: str) -> str:
    return f"{investor}|{instrument_id}|{direction}|{hedge}"


@dataclass
class Stock:
    """ETF shares of one investor in one underlying.

    ``frozen``: shares frozen by SZSE covered shorts (and pending covered opens) and pending put
    exercises; ``locked``/``lock_frozen``/``today_locked``: SSE lock position (Volume,
    FrozenVolume, TodayVolume). Free shares = volume - locked - frozen.
    """

    investor_id: str
    broker_id: str
    instrument_id: str
    exchange_id: str
    volume: int = 0
    yd_volume: int = 0
    frozen: int = 0
    locked: int = 0
    lock_frozen: int = 0
    today_locked: int = 0

    @property
    def key(self) -> str:
        return f"{self.investor_id}|{self.instrument_id}"

    @property
    def free(self) -> int:
        return self.volume - self.locked - self.frozen


class OrderTerms(Protocol):
    """A working order as the book reads it: side and the per-lot amounts it froze
    (``orders.Reserve``). The sim counter's ``Order`` and ``WorkingOrder`` fit."""

    @property
    def instrument_id(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def offset(self) -> str: ...
    @property
    def hedge(self) -> str: ...
    @property
    def cash_per_lot(self) -> float: ...
    @property
    def margin_per_lot(self) -> float: ...
    @property
    def exch_margin_per_lot(self) -> float: ...
    @property
    def fee_per_lot(self) -> float: ...
    @property
    def shares_per_lot(self) -> int: ...


@dataclass
class WorkingOrder:
    """A minimal working order for drivers without their own order record (a backtester):
    what it is, how much traded, and what it froze per lot."""

    key: int
    instrument_id: str
    direction: str
    offset: str
    hedge: str
    price: float
    volume: int
    traded: int = 0
    cash_per_lot: float = 0.0
    margin_per_lot: float = 0.0
    exch_margin_per_lot: float = 0.0
    fee_per_lot: float = 0.0
    shares_per_lot: int = 0

    @property
    def remaining(self) -> int:
        return self.volume - self.traded


def _ignore(kind: str, key: str, record: object) -> None:
    return None


def _zero(instrument_id: str) -> float:
    return 0.0


class Book:
    """The book of one investor.

    - ``account``: the Account;
    - ``positions``: Position.key (investor|instrument|direction|hedge) -> Position, in
      creation order;
    - ``stocks``: Stock.key (investor|underlying) -> Stock.
    """

    def __init__(
        self,
        account: Account,
        on_change: Changed | None = None,
        pre_settlement: Callable[[str], float] | None = None,
    ) -> None:
        """``pre_settlement(instrument_id)`` prices a newly opened row (0 without it)."""
        self.account = account
        self.positions: dict[str, Position] = {}
        self.stocks: dict[str, Stock] = {}
        self.on_change: Changed = on_change or _ignore
        self.pre_settlement: Callable[[str], float] = pre_settlement or _zero

    @property
    def investor_id(self) -> str:
        return self.account.investor_id

    def touch_account(self) -> None:
        self.on_change("account", self.account.investor_id, self.account)

    # --- records ----------------------------------------------------------------------------
    def find_position(self, instrument_id: str, direction: str, hedge: str) -> Position | None:
        return self.positions.get(position_key(self.investor_id, instrument_id, direction, hedge))

    def position(self, contract: Contract, direction: str, hedge: str) -> Position:
        """The row of (contract, direction, hedge), opened (at the previous settlement) if
        absent; reported as changed."""
        key = position_key(self.investor_id, contract.instrument_id, direction, hedge)
        row = self.positions.get(key)
        if row is None:
            row = Position(
                self.investor_id,
                self.account.broker_id,
                contract.instrument_id,
                contract.exchange_id,
                direction,
                hedge,
            )
            row.pre_settlement = self.pre_settlement(contract.instrument_id)
            self.positions[key] = row
            self.on_change("instrument", contract.instrument_id, contract)
        self.on_change("position", key, row)
        return row

    def find_stock(self, underlying: str) -> Stock | None:
        return self.stocks.get(f"{self.investor_id}|{underlying}")

    def stock(self, underlying: str, exchange: str) -> Stock:
        """The shares of ``underlying`` (an empty record if none yet); reported as changed."""
        key = f"{self.investor_id}|{underlying}"
        stock = self.stocks.get(key)
        if stock is None:
            stock = Stock(self.investor_id, self.account.broker_id, underlying, exchange)
            self.stocks[key] = stock
        self.on_change("stock", key, stock)
        return stock

    def drop_position(self, row: Position) -> None:
        self.positions.pop(row.key, None)
        self.on_change("position", row.key, None)

    # --- working orders ---------------------------------------------------------------------
    def freeze(
        self, order: OrderTerms, contract: Contract, sign: int, volume: int, filled: bool = False
    ) -> None:
        """Freeze (sign 1) or release (sign -1) the resources of ``volume`` lots of ``order``.
        On a fill (``filled``) the shares of a covered open stay frozen: they back the
        position now."""
        account = self.account
        account.frozen_cash = clean(account.frozen_cash + sign * order.cash_per_lot * volume)
        account.frozen_margin = clean(account.frozen_margin + sign * order.margin_per_lot * volume)
        account.frozen_commission = clean(
            account.frozen_commission + sign * order.fee_per_lot * volume
        )
        self.touch_account()
        if order.offset == CLOSE:
            row = self.position(contract, SHORT if order.direction == BUY else LONG, order.hedge)
            row.close_frozen += sign * volume
        if order.shares_per_lot and not filled:
            stock = self.stock(contract.underlying, contract.exchange_id)
            if contract.exchange_id == SZSE:
                stock.frozen += sign * order.shares_per_lot * volume
            else:
                stock.lock_frozen += sign * order.shares_per_lot * volume

    def fill(
        self,
        order: OrderTerms,
        contract: Contract,
        price: float,
        volume: int,
    ) -> Position:
        """Book a fill of ``volume`` lots at ``price``: release their freeze, book the premium
        (CashIn) and the fee, open or close the position (a close realises its share of the
        open cost as CloseProfit and releases its share of the margin; a covered close frees
        its shares). Returns the row."""
        account = self.account
        self.freeze(order, contract, -1, volume, filled=True)
        amount = price * contract.unit * volume
        fee = order.fee_per_lot * volume
        sign = -1.0 if order.direction == BUY else 1.0
        account.cash_in += sign * amount
        account.commission += fee
        if order.offset == OPEN:
            direction = LONG if order.direction == BUY else SHORT
            row = self.position(contract, direction, order.hedge)
            row.position += volume
            row.today_position += volume
            row.open_volume += volume
            row.open_amount += amount
            row.position_cost += amount
            row.open_cost += amount
            if order.margin_per_lot:
                row.use_margin += order.margin_per_lot * volume
                row.exchange_margin += order.exch_margin_per_lot * volume
                account.curr_margin += order.margin_per_lot * volume
                account.exchange_margin += order.exch_margin_per_lot * volume
        else:
            direction = SHORT if order.direction == BUY else LONG
            row = self.position(contract, direction, order.hedge)
            self._close(row, contract, price, volume, amount)
            if order.hedge == COVERED:
                stock = self.stock(contract.underlying, contract.exchange_id)
                if contract.exchange_id == SZSE:
                    stock.frozen -= contract.unit * volume
                else:
                    stock.lock_frozen -= contract.unit * volume
        row.cash_in += sign * amount
        row.commission += fee
        self.touch_account()
        return row

    def _close(
        self, row: Position, contract: Contract, price: float, volume: int, amount: float
    ) -> None:
        account = self.account
        ratio = volume / row.position
        avg = row.open_cost / row.position / contract.unit if row.position else 0.0
        pnl = (price - avg) if row.direction == LONG else (avg - price)
        row.close_profit += pnl * contract.unit * volume
        row.position_cost -= row.position_cost * ratio
        row.open_cost -= row.open_cost * ratio
        released = row.use_margin * ratio
        released_exch = row.exchange_margin * ratio
        row.use_margin -= released
        row.exchange_margin -= released_exch
        account.curr_margin -= released
        account.exchange_margin -= released_exch
        row.position -= volume
        row.today_position = min(row.today_position, row.position)
        row.close_volume += volume
        row.close_amount += amount

    # --- ETF lock (SSE) ---------------------------------------------------------------------
    def lock(self, contract: Contract, lock: bool, volume: int) -> Stock:
        """Lock (``lock``) or unlock ``volume`` ETF shares (checked by ``exercise.check_lock``)."""
        stock = self.stock(contract.instrument_id, contract.exchange_id)
        if lock:
            stock.locked += volume
            stock.today_locked += volume
        else:
            stock.locked -= volume
            stock.today_locked = max(0, min(stock.today_locked, stock.locked))
        return stock

    # --- valuation ----------------------------------------------------------------------------
    def option_value(
        self, contracts: Mapping[str, Contract], mark: Callable[[str], float]
    ) -> float:
        """Market value of the option positions: longs minus shorts at ``mark`` (B.9.2);
        rows of contracts not in ``contracts`` are skipped."""
        value = 0.0
        for row in self.positions.values():
            if not row.position:
                continue
            contract = contracts.get(row.instrument_id)
            if contract is None:
                continue
            amount = mark(row.instrument_id) * contract.unit * row.position
            value += amount if row.direction == LONG else -amount
        return value
