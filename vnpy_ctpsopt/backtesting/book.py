"""The backtest account: a thin adapter over the exchange core (``vnpy_ctpsopt.core``), the
same rules the simulated counter runs. Every check, freeze, fill, exercise, expiry and day
close is the core's; this module only keys things by vt_symbol for the engine, keeps the
backtest's working orders and declared exercises, and reports the day close as settlement
events (exercised, assigned, expired) for the daily results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..core import book as core_book
from ..core import exercise as core_exercise
from ..core import orders as core_orders
from ..core import settlement as core_settlement
from ..core.fees import FeeAction, FeeSchedule
from ..core.orders import OrderKind
from ..core.terms import (
    COVERED as CORE_COVERED,
)
from ..core.terms import (
    LONG as CORE_LONG,
)
from ..core.terms import (
    SPEC as CORE_SPEC,
)
from ..core.terms import (
    AccountTerms,
    Contract,
    PriceRef,
    Refused,
)
from ..sim import errors as E
from .contracts import BtContract

BUY = "0"
SELL = "1"
OPEN = "0"
CLOSE = "1"
LONG = "long"
SHORT = "short"
COVERED = "covered"
INVESTOR = "backtest"


def core_contract(c: BtContract) -> Contract:
    """The core's view of a backtest contract."""
    return Contract(
        instrument_id=c.symbol,
        exchange_id=c.exchange,
        is_option=c.is_option,
        underlying=c.underlying,
        strike=c.strike,
        is_call=c.is_call,
        expire_date=c.expiry.strftime("%Y%m%d") if c.expiry else "",
        unit=c.size,
        tick=c.pricetick,
        max_limit=c.max_limit_volume,
        max_market=c.max_market_volume,
    )


@dataclass
class BookOrder:
    """One order as the engine sees it; the core's ``WorkingOrder`` holds its freezes."""

    key: int
    contract: BtContract
    kind: OrderKind
    direction: str
    offset: str
    covered: bool
    volume: int
    price: float
    traded: int = 0

    @property
    def remaining(self) -> int:
        return self.volume - self.traded


@dataclass(frozen=True)
class Row:
    """A position row as the engine reads it."""

    volume: int
    use_margin: float


@dataclass(frozen=True)
class Settlement:
    """One outcome of the day close: ``kind`` exercised / assigned / expired; ``volume``
    option lots (signed: + long, - short); ``shares`` ETF shares moved at the strike (+
    received, - delivered); ``cash`` strike cash (+ received, - paid); ``shortfall`` shares
    cash-settled at ``underlying_close`` instead of delivered; ``fee`` the exercise fee."""

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
class _Declared:
    contract: BtContract
    volume: int
    reserve: core_exercise.ExerciseReserve


@dataclass
class AccountBook:
    """One backtest account over ``core.book.Book``. ``working``: the core working orders by
    the engine's order key; ``declared``: exercise declarations by vt_symbol; ``contracts``:
    core contracts by instrument id (the core's key) with ``vt_of`` mapping back."""

    capital: float
    fees: FeeSchedule = field(default_factory=FeeSchedule)
    markup: float = 0.1

    def __post_init__(self) -> None:
        self.terms = AccountTerms(fees=self.fees, margin_markup=self.markup)
        self.pre_settlements: dict[str, float] = {}
        self.book = core_book.Book(
            core_book.Account(INVESTOR, "", "", pre_balance=self.capital),
            pre_settlement=lambda iid: self.pre_settlements.get(iid, 0.0),
        )
        self.working: dict[int, core_book.WorkingOrder] = {}
        self.declared: dict[str, _Declared] = {}
        self.contracts: dict[str, Contract] = {}
        self.vt_of: dict[str, str] = {}

    # --- views ---------------------------------------------------------------------------
    @property
    def balance(self) -> float:
        return self.book.account.balance

    @property
    def available(self) -> float:
        return self.book.account.available

    @property
    def curr_margin(self) -> float:
        return self.book.account.curr_margin

    @property
    def frozen_margin(self) -> float:
        return self.book.account.frozen_margin

    @property
    def frozen_cash(self) -> float:
        return self.book.account.frozen_cash

    @property
    def positions(self) -> dict[tuple[str, str], Row]:
        """(vt_symbol, long/short/covered) -> Row."""
        out: dict[tuple[str, str], Row] = {}
        for row in self.book.positions.values():
            if row.direction == CORE_LONG:
                side = LONG
            else:
                side = COVERED if row.hedge == CORE_COVERED else SHORT
            out[(self.vt_of[row.instrument_id], side)] = Row(row.position, row.use_margin)
        return out

    @property
    def stocks(self) -> dict[str, core_book.Stock]:
        """ETF code -> the core's Stock."""
        return {s.instrument_id: s for s in self.book.stocks.values()}

    @property
    def exercises(self) -> dict[str, int]:
        return {vt: d.volume for vt, d in self.declared.items()}

    def set_shares(self, code: str, shares: int) -> None:
        exchange = "SZSE" if code.startswith("159") else "SSE"
        self.book.stock(code, exchange).volume = int(shares)
        self.book.stock(code, exchange).yd_volume = int(shares)

    def _contract(self, c: BtContract) -> Contract:
        contract = self.contracts.get(c.symbol)
        if contract is None:
            contract = self.contracts[c.symbol] = core_contract(c)
            self.vt_of[c.symbol] = c.vt_symbol
        return contract

    # --- orders --------------------------------------------------------------------------
    def place(
        self,
        order: BookOrder,
        limits: tuple[float, float],
        pre_settlement: float,
        underlying_pre_close: float,
        trading_day: date,
    ) -> int:
        """The core's order checks, then the freeze; the error id (0: accepted)."""
        contract = self._contract(order.contract)
        hedge = CORE_COVERED if order.covered else CORE_SPEC
        new = core_orders.NewOrder(contract, order.direction, order.offset, hedge, order.kind,
                                   order.volume, order.price)  # fmt: skip
        prices = PriceRef(limits[0], limits[1], pre_settlement, underlying_pre_close)
        try:
            core_orders.check_tradable(contract, trading_day.strftime("%Y%m%d"))
            reserve = core_orders.check_order(self.book, new, self.terms, prices,
                                              self.working.values(), self.contracts)  # fmt: skip
        except Refused as refused:
            return refused.error_id
        working = core_book.WorkingOrder(order.key, contract.instrument_id, order.direction,
                                         order.offset, hedge, order.price, order.volume,
                                         **vars(reserve))  # fmt: skip
        self.book.freeze(working, contract, 1, order.volume)
        self.working[order.key] = working
        return E.NONE

    def release(self, order: BookOrder) -> None:
        """Unfreeze the untraded rest of a finished order."""
        working = self.working.pop(order.key)
        contract = self.contracts[working.instrument_id]
        if working.remaining:
            self.book.freeze(working, contract, -1, working.remaining)

    def fill(self, order: BookOrder, price: float, volume: int) -> float:
        """Book a fill; returns its fee."""
        working = self.working[order.key]
        self.book.fill(working, self.contracts[working.instrument_id], price, volume)
        working.traded += volume
        order.traded += volume
        if not working.remaining:
            del self.working[order.key]
        return working.fee_per_lot * volume

    # --- lock / exercise -----------------------------------------------------------------
    def lock(self, etf: BtContract, volume: int, lock: bool) -> int:
        """Lock or unlock ETF shares (SSE: the lock position backing covered calls)."""
        if etf.exchange != "SSE":
            return E.NOT_SUPPORT_LOCK
        contract = self._contract(etf)
        try:
            core_orders.check_lock(self.book, contract, lock, volume)
        except Refused as refused:
            return refused.error_id
        self.book.lock(contract, lock, volume)
        return E.NONE

    def declare_exercise(self, c: BtContract, volume: int, today: date) -> int:
        """An exercise declaration of long lots, delivered at today's close."""
        if not c.is_option:
            return E.EXECORDER_NOTOPTIONS
        contract = self._contract(c)
        try:
            reserve = core_exercise.check_exercise(
                self.book, contract, CORE_SPEC, volume, today.strftime("%Y%m%d"), self.fees
            )
        except Refused as refused:
            return refused.error_id
        core_exercise.freeze_exercise(self.book, contract, CORE_SPEC, volume, reserve)
        old = self.declared.get(c.vt_symbol)
        if old is None:
            self.declared[c.vt_symbol] = _Declared(c, volume, reserve)
        else:
            merged = core_exercise.ExerciseReserve(old.reserve.cash + reserve.cash,
                                                   old.reserve.fee + reserve.fee,
                                                   old.reserve.shares + reserve.shares)  # fmt: skip
            self.declared[c.vt_symbol] = _Declared(c, old.volume + volume, merged)
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
        """The core's day close (live orders released first): declared exercises delivered,
        with ``auto_exercise`` the in-the-money longs not declared too (as many as the money
        and shares allow, by the core's exercise checks), expiry (assignment, lapse),
        maintenance margin, roll. Returns what happened to the expiring positions."""
        day = today.strftime("%Y%m%d")
        for vt in contracts:
            if contracts[vt].is_option or vt in settlements:
                self._contract(contracts[vt])
        if auto_exercise:
            self._auto_exercise(underlying_closes, day)
        exercised: dict[str, int] = {}
        items: list[core_settlement.Exercise] = []
        for vt, d in self.declared.items():
            contract = self._contract(d.contract)
            core_exercise.release_exercise(self.book, contract, contract.instrument_id,
                                           CORE_SPEC, d.volume, d.reserve)  # fmt: skip
            items.append(core_settlement.Exercise(contract, CORE_SPEC, d.volume))
            exercised[vt] = d.volume
        self.declared.clear()
        expiring = core_settlement.expiring_contracts(self.contracts, day)
        before = [
            (row.instrument_id, row.direction, row.hedge, row.position)
            for row in self.book.positions.values()
            if row.instrument_id in expiring and row.position
        ]
        shares_before = {s.instrument_id: s.volume for s in self.book.stocks.values()}
        settle_iid = {c.symbol: p for vt, p in settlements.items() if (c := contracts.get(vt))}
        core_settlement.close_day(self.book, self.contracts, settle_iid, underlying_closes,
                                  self.terms, day, items)  # fmt: skip
        self.pre_settlements.update(settle_iid)
        events = self._events(before, exercised, underlying_closes, contracts)
        return self._with_shortfall(events, shares_before)

    def _auto_exercise(self, closes: dict[str, float], day: str) -> None:
        for row in list(self.book.positions.values()):
            contract = self.contracts.get(row.instrument_id)
            if (
                contract is None
                or row.direction != CORE_LONG
                or contract.expire_date != day
                or row.closable <= 0
                or not core_exercise.in_the_money(contract, closes[contract.underlying])
            ):
                continue
            c = _bt(contract, self.vt_of[contract.instrument_id])
            for lots in range(row.closable, 0, -1):
                if self.declare_exercise(c, lots, _date(day)) == E.NONE:
                    break

    def _events(
        self,
        before: list[tuple[str, str, str, int]],
        exercised: dict[str, int],
        closes: dict[str, float],
        contracts: dict[str, BtContract],
    ) -> list[Settlement]:
        events: list[Settlement] = []
        for iid, direction, hedge, position in sorted(before):
            vt = self.vt_of[iid]
            c = contracts[vt]
            contract = self.contracts[iid]
            close = closes[c.underlying]
            if direction == CORE_LONG:
                lots = min(exercised.get(vt, 0), position)
                if lots:
                    shares = c.size * lots * (1 if c.is_call else -1)
                    fee = self.fees.fee(FeeAction.EXERCISE, lots)
                    events.append(Settlement("exercised", c, LONG, lots, shares,
                                             -c.strike * shares, 0, close, fee))  # fmt: skip
                if position - lots:
                    events.append(Settlement("expired", c, LONG, position - lots, 0, 0.0, 0,
                                             close, 0.0))  # fmt: skip
                continue
            side = COVERED if hedge == CORE_COVERED else SHORT
            if core_exercise.in_the_money(contract, close):
                shares = c.size * position * (-1 if c.is_call else 1)
                events.append(Settlement("assigned", c, side, -position, shares,
                                         -c.strike * shares, 0, close, 0.0))  # fmt: skip
            else:
                events.append(Settlement("expired", c, side, -position, 0, 0.0, 0, close, 0.0))
        return events

    def _with_shortfall(
        self, events: list[Settlement], shares_before: dict[str, int]
    ) -> list[Settlement]:
        """Shares the core cash-settled instead of delivering (actual minus expected share
        movement per underlying), attributed to that underlying's assigned calls."""
        expected: dict[str, int] = {}
        for e in events:
            expected[e.contract.underlying] = expected.get(e.contract.underlying, 0) + e.shares
        out: list[Settlement] = []
        for e in events:
            code = e.contract.underlying
            stock = self.book.find_stock(code)
            actual = (stock.volume if stock else 0) - shares_before.get(code, 0)
            short = actual - expected.get(code, 0)
            if short > 0 and e.kind == "assigned" and e.contract.is_call:
                take = min(short, -e.shares)
                expected[code] = expected.get(code, 0) + take
                e = Settlement(e.kind, e.contract, e.side, e.volume, e.shares, e.cash, take,
                               e.underlying_close, e.fee)  # fmt: skip
            out.append(e)
        return out


def _bt(contract: Contract, vt_symbol: str) -> BtContract:
    return BtContract(vt_symbol, contract.instrument_id, contract.exchange_id, "",
                      contract.is_option, contract.is_call, contract.strike, contract.unit,
                      contract.tick, _date(contract.expire_date), contract.underlying,
                      contract.max_limit, contract.max_market)  # fmt: skip


def _date(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
