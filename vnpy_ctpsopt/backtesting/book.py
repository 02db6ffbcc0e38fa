"""The backtest account: cash, frozen resources, option positions (long, short, covered), ETF
shares (free, locked, frozen), per-contract fees, margin with the broker markup, the open
check, exercise declarations and the day close (exercise, assignment, expiry, maintenance
margin).

This is the backtester's seam to the exchange rules: every formula comes from
``vnpy_ctpsopt/core`` (margins, fees, order kinds, hedge/covered rules) and the error ids and
messages from ``sim/errors.py``; no rule is written here twice. When the exchange core lands
(``vnpy_ctpsopt/core``) this class becomes a thin adapter over it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..core.exercise import intrinsic
from ..core.fees import FeeAction, FeeSchedule, fee_action
from ..core.margin import broker_margin, short_margin
from ..core.orders import OrderKind, check_price, check_volume
from ..sim import errors as E
from .contracts import BtContract

BUY = "0"
SELL = "1"
OPEN = "0"
CLOSE = "1"
LONG = "long"
SHORT = "short"
COVERED = "covered"
EPS = 1e-6


@dataclass
class BookOrder:
    """One order as the account sees it; the ``*_per_lot`` amounts stay frozen for every
    untraded lot while the order is live."""

    key: int
    contract: BtContract
    kind: OrderKind
    direction: str
    offset: str
    covered: bool
    volume: int
    price: float
    traded: int = 0
    cash_per_lot: float = 0.0
    margin_per_lot: float = 0.0
    exch_margin_per_lot: float = 0.0
    fee_per_lot: float = 0.0
    shares_per_lot: int = 0

    @property
    def remaining(self) -> int:
        return self.volume - self.traded

    @property
    def side(self) -> str:
        """The position row this order opens or closes."""
        if self.covered:
            return COVERED
        if self.offset == OPEN:
            return LONG if self.direction == BUY else SHORT
        return SHORT if self.direction == BUY else LONG


@dataclass
class Position:
    """One option position row of one side. ``close_frozen``: lots held by pending closes;
    ``exercise_frozen``: lots declared for exercise today."""

    volume: int = 0
    close_frozen: int = 0
    exercise_frozen: int = 0
    use_margin: float = 0.0
    exch_margin: float = 0.0

    @property
    def closable(self) -> int:
        return self.volume - self.close_frozen - self.exercise_frozen


@dataclass
class Stock:
    """ETF shares of one underlying: ``locked`` (SSE lock position), ``lock_frozen`` (locked
    shares backing covered shorts and pending covered opens, SSE), ``frozen`` (SZSE covered
    backing and pending put exercises). Free = volume - locked - frozen."""

    volume: int = 0
    locked: int = 0
    lock_frozen: int = 0
    frozen: int = 0

    @property
    def free(self) -> int:
        return self.volume - self.locked - self.frozen


@dataclass(frozen=True)
class Settlement:
    """A cash and share movement of the day close: ``kind`` is exercise / assigned /
    expired; ``volume`` option lots (signed: + long, - short), ``shares`` ETF shares received
    (negative: delivered), ``cash`` strike cash received (negative: paid), ``shortfall``
    shares cash-settled at the underlying close, ``fee`` the exercise fee."""

    kind: str
    contract: BtContract
    side: str
    volume: int
    shares: int
    cash: float
    shortfall: int
    underlying_close: float
    fee: float


@dataclass
class AccountBook:
    """One backtest account. ``positions`` keyed by (vt_symbol, side); ``stocks`` by ETF code;
    ``exercises`` by vt_symbol (lots declared today)."""

    capital: float
    fees: FeeSchedule = field(default_factory=FeeSchedule)
    markup: float = 0.1
    pre_balance: float = 0.0
    cash_in: float = 0.0
    commission: float = 0.0
    frozen_cash: float = 0.0
    frozen_margin: float = 0.0
    frozen_commission: float = 0.0
    curr_margin: float = 0.0
    exchange_margin: float = 0.0
    positions: dict[tuple[str, str], Position] = field(default_factory=dict)
    stocks: dict[str, Stock] = field(default_factory=dict)
    exercises: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.pre_balance = self.capital

    # --- money ---------------------------------------------------------------------------
    @property
    def balance(self) -> float:
        """Static balance as the counter reports it: cash, premiums, fees (no mark)."""
        return self.pre_balance + self.cash_in - self.commission

    @property
    def available(self) -> float:
        return (
            self.balance
            - self.curr_margin
            - self.frozen_margin
            - self.frozen_cash
            - self.frozen_commission
        )

    def position(self, vt_symbol: str, side: str) -> Position:
        row = self.positions.get((vt_symbol, side))
        if row is None:
            row = self.positions[(vt_symbol, side)] = Position()
        return row

    def stock(self, code: str) -> Stock:
        row = self.stocks.get(code)
        if row is None:
            row = self.stocks[code] = Stock()
        return row

    def net_position(self, vt_symbol: str) -> int:
        """Long minus short minus covered lots."""
        get = self.positions.get
        long_row, short_row, cov_row = (
            get((vt_symbol, LONG)),
            get((vt_symbol, SHORT)),
            get((vt_symbol, COVERED)),
        )
        return (
            (long_row.volume if long_row else 0)
            - (short_row.volume if short_row else 0)
            - (cov_row.volume if cov_row else 0)
        )

    # --- orders --------------------------------------------------------------------------
    def place(
        self,
        order: BookOrder,
        limits: tuple[float, float],
        pre_settlement: float,
        underlying_pre_close: float,
    ) -> int:
        """Validate an order as the counter does and freeze its resources; the error id (0:
        accepted). ``limits`` (down, up) bound limit prices; market kinds freeze at up."""
        c = order.contract
        if not c.is_option:
            return E.INSTRUMENT_NOT_TRADING
        if order.covered and not (
            c.is_call
            and (
                (order.direction == SELL and order.offset == OPEN)
                or (order.direction == BUY and order.offset == CLOSE)
            )
        ):
            return E.COVER_ONLY_SELL
        error = check_volume(order.volume, order.kind, c.max_limit_volume, c.max_market_volume)
        if error:
            return error
        lower, upper = limits
        if not order.kind.is_market:
            error = check_price(order.price, c.pricetick, lower, upper)
            if error:
                return error
        freeze_price = upper if order.kind.is_market else order.price
        order.fee_per_lot = self.fees.per_contract(fee_action(order.direction, order.offset))
        if order.offset == CLOSE:
            row = self.positions.get((c.vt_symbol, order.side))
            if row is None or row.closable < order.volume:
                return E.OVER_CLOSE_POSITION
        if order.direction == BUY:
            order.cash_per_lot = freeze_price * c.size
        elif order.covered:
            stock = self.stocks.get(c.underlying)
            need = c.size * order.volume
            if c.exchange == "SZSE":
                if stock is None or stock.free < need:
                    return E.NOT_ENOUGH_STOCKPOSITION
            elif stock is None or stock.locked - stock.lock_frozen < need:
                return E.NOT_ENOUGH_LOCKPOSITION
            order.shares_per_lot = c.size
        elif order.offset == OPEN:
            exch = short_margin(c.is_call, pre_settlement, underlying_pre_close, c.strike, c.size)
            order.exch_margin_per_lot = exch
            order.margin_per_lot = broker_margin(exch, self.markup)
        need_cash = (order.cash_per_lot + order.margin_per_lot + order.fee_per_lot) * order.volume
        if need_cash > self.available + EPS:
            return E.INSUFFICIENT_MONEY
        self._freeze(order, 1, order.volume)
        return E.NONE

    def _freeze(self, order: BookOrder, sign: int, volume: int, filled: bool = False) -> None:
        self.frozen_cash += sign * order.cash_per_lot * volume
        self.frozen_margin += sign * order.margin_per_lot * volume
        self.frozen_commission += sign * order.fee_per_lot * volume
        c = order.contract
        if order.offset == CLOSE:
            self.position(c.vt_symbol, order.side).close_frozen += sign * volume
        if order.shares_per_lot and not filled:
            stock = self.stock(c.underlying)
            if c.exchange == "SZSE":
                stock.frozen += sign * order.shares_per_lot * volume
            else:
                stock.lock_frozen += sign * order.shares_per_lot * volume

    def release(self, order: BookOrder) -> None:
        """Unfreeze the untraded rest of a cancelled order."""
        self._freeze(order, -1, order.remaining)

    def fill(self, order: BookOrder, price: float, volume: int) -> float:
        """Apply a fill; returns its fee."""
        c = order.contract
        self._freeze(order, -1, volume, filled=True)
        order.traded += volume
        amount = price * c.size * volume
        fee = order.fee_per_lot * volume
        self.cash_in += -amount if order.direction == BUY else amount
        self.commission += fee
        row = self.position(c.vt_symbol, order.side)
        if order.offset == OPEN:
            row.volume += volume
            if order.margin_per_lot:
                row.use_margin += order.margin_per_lot * volume
                row.exch_margin += order.exch_margin_per_lot * volume
                self.curr_margin += order.margin_per_lot * volume
                self.exchange_margin += order.exch_margin_per_lot * volume
        else:
            ratio = volume / row.volume
            released, released_exch = row.use_margin * ratio, row.exch_margin * ratio
            row.use_margin -= released
            row.exch_margin -= released_exch
            self.curr_margin -= released
            self.exchange_margin -= released_exch
            row.volume -= volume
            if order.covered:
                stock = self.stock(c.underlying)
                if c.exchange == "SZSE":
                    stock.frozen -= c.size * volume
                else:
                    stock.lock_frozen -= c.size * volume
        return fee

    # --- lock / exercise -----------------------------------------------------------------
    def lock(self, code: str, exchange: str, volume: int, lock: bool) -> int:
        """Lock (True) free ETF shares for covered calls or unlock (False) unused locked
        ones (SSE only; SZSE freezes shares per covered order instead)."""
        if exchange != "SSE":
            return E.NOT_SUPPORT_LOCK
        if volume <= 0:
            return E.VOLUME_NOTSUPPORT
        stock = self.stocks.get(code)
        if lock:
            if stock is None or stock.free < volume:
                return E.NOT_ENOUGH_STOCKPOSITION
            stock.locked += volume
        else:
            if stock is None or stock.locked - stock.lock_frozen < volume:
                return E.NOT_ENOUGH_LOCKPOSITION
            stock.locked -= volume
        return E.NONE

    def declare_exercise(self, contract: BtContract, volume: int, today: date) -> int:
        """An exercise declaration of ``volume`` long lots, executed at today's close."""
        if not contract.is_option:
            return E.EXECORDER_NOTOPTIONS
        if contract.expiry != today:
            return E.NOT_SUPPORT_EXECDAY
        row = self.positions.get((contract.vt_symbol, LONG))
        if volume <= 0 or row is None or row.closable < volume:
            return E.OVER_EXECUTE_POSITION
        if not contract.is_call:
            stock = self.stocks.get(contract.underlying)
            if stock is None or stock.free < contract.size * volume:
                return E.NOT_ENOUGH_STOCKPOSITION
            stock.frozen += contract.size * volume
        row.exercise_frozen += volume
        self.exercises[contract.vt_symbol] = self.exercises.get(contract.vt_symbol, 0) + volume
        return E.NONE

    # --- day close -----------------------------------------------------------------------
    def close_day(
        self,
        contracts: dict[str, BtContract],
        settlements: dict[str, float],
        underlying_closes: dict[str, float],
        today: date,
        auto_exercise: bool,
    ) -> list[Settlement]:
        """End of day (live orders must be released first): declared exercises are executed,
        expiring positions settle (longs: exercised when in the money and ``auto_exercise``,
        else lapse; shorts: assigned when in the money, else lapse; covered shorts deliver
        their locked/frozen shares), then short speculative positions get the maintenance
        margin at ``settlements`` and the underlying close."""
        events: list[Settlement] = []
        for (vt_symbol, side), row in sorted(self.positions.items()):
            c = contracts[vt_symbol]
            if not row.volume or c.expiry is None or c.expiry > today:
                continue
            close = underlying_closes[c.underlying]
            itm = intrinsic(c.is_call, close, c.strike) > 0
            if side == LONG:
                declared = self.exercises.get(vt_symbol, 0)
                lots = row.volume if (itm and auto_exercise) else min(declared, row.volume)
                if lots:
                    events.append(self._exercise(c, row, lots, close))
                if row.volume:
                    events.append(Settlement("expired", c, LONG, row.volume, 0, 0.0, 0, close, 0.0))
            else:
                events.append(self._expire_short(c, side, row, itm, close))
            row.volume = 0
            row.exercise_frozen = row.close_frozen = 0
        self.exercises.clear()
        self.curr_margin = self.exchange_margin = 0.0
        for (vt_symbol, side), row in list(self.positions.items()):
            if not row.volume:
                del self.positions[(vt_symbol, side)]
                continue
            row.close_frozen = row.exercise_frozen = 0
            if side != SHORT:
                continue
            c = contracts[vt_symbol]
            settle = settlements[vt_symbol]
            exch = (
                short_margin(c.is_call, settle, underlying_closes[c.underlying], c.strike, c.size)
                * row.volume
            )
            row.exch_margin = exch
            row.use_margin = broker_margin(exch, self.markup)
            self.curr_margin += row.use_margin
            self.exchange_margin += row.exch_margin
        delivered = sum(e.cash - e.shortfall * e.underlying_close for e in events)
        self.pre_balance = self.balance + delivered
        self.cash_in = self.commission = 0.0
        self.frozen_cash = self.frozen_margin = self.frozen_commission = 0.0
        return events

    def _exercise(self, c: BtContract, row: Position, lots: int, close: float) -> Settlement:
        shares = c.size * lots
        stock = self.stock(c.underlying)
        fee = self.fees.fee(FeeAction.EXERCISE, lots)
        self.commission += fee
        shortfall = 0
        if c.is_call:
            stock.volume += shares
            cash = -c.strike * shares
        else:
            declared_shares = min(self.exercises.get(c.vt_symbol, 0), lots) * c.size
            stock.frozen -= declared_shares
            shortfall = max(0, shares - (stock.volume - stock.locked - stock.frozen))
            stock.volume -= shares - shortfall
            cash = c.strike * shares
        row.volume -= lots
        signed = shares if c.is_call else -shares
        return Settlement("exercised", c, LONG, lots, signed, cash, shortfall, close, fee)

    def _expire_short(
        self, c: BtContract, side: str, row: Position, itm: bool, close: float
    ) -> Settlement:
        shares = c.size * row.volume
        stock = self.stock(c.underlying)
        if side == COVERED:
            if c.exchange == "SZSE":
                stock.frozen -= shares
            else:
                stock.lock_frozen -= shares
                if itm:
                    stock.locked -= shares
        self.curr_margin -= row.use_margin
        self.exchange_margin -= row.exch_margin
        row.use_margin = row.exch_margin = 0.0
        if not itm:
            return Settlement("expired", c, side, -row.volume, 0, 0.0, 0, close, 0.0)
        if c.is_call:
            shortfall = 0 if side == COVERED else max(0, shares - stock.free)
            stock.volume -= shares - shortfall
            return Settlement(
                "assigned", c, side, -row.volume, -shares, c.strike * shares, shortfall, close, 0.0
            )
        stock.volume += shares
        return Settlement(
            "assigned", c, side, -row.volume, shares, -c.strike * shares, 0, close, 0.0
        )
