"""The state every desk of the counter shares: the books of the exchange core, today's orders,
trades, exercises, locks and quotes, the resting client orders, sessions, the clock and phase,
the journal, and the counter's view of the market."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ...core.book import Account, Book, Position, Stock
from ...core.margin import open_margin
from ...core.matching import Fill, Resting, RestingBook
from ...core.terms import BUY, OPEN, Contract, PriceRef, Refused
from ...core.timetable import Phase, phase_at
from .. import calendar
from .. import errors as E
from ..instruments import SimInstrument
from .config import CounterConfig
from .journal import Journal
from .protocols import InstrumentSource, Levels, MarketView, contract_of, instrument_list
from .records import (
    TARGET_INVESTOR,
    TARGET_SESSION,
    Callback,
    Data,
    ExecOrder,
    Order,
    Outgoing,
    Quote,
    SessionRef,
    SessionState,
)

CHINA = ZoneInfo("Asia/Shanghai")


class CounterState:
    """Everything the counter knows (all of today unless said otherwise):

    - ``accounts``: investor id -> Account; ``books``: investor id -> core Book (the account,
      its positions and ETF shares)
    - ``orders``: order key (BrokerOrderSeq) -> Order; ``live_orders`` the live ones;
      ``order_refs``: (front, session, ref) -> key; ``order_sysids``: (exchange, OrderSysID)
      -> key
    - ``trades``: investor id -> list of CThostFtdcTradeField dicts
    - ``exec_orders``: key -> ExecOrder; ``locks``: investor id -> list of CThostFtdcLockField
    - ``quotes``: key -> Quote
    - ``resting``: instrument id -> RestingBook of live resting client orders
    - ``sessions``: (front, session) -> SessionState (not persisted)
    - ``instruments``: instrument id -> core Contract (listed, and delisted ones still held);
      ``raw_instruments``: instrument id -> SimInstrument of today's listing
    """

    def __init__(
        self,
        config: CounterConfig,
        market: MarketView,
        journal: Journal,
        clock: Callable[[], datetime] | None,
    ) -> None:
        self.config = config
        self.terms = config.terms
        self.market = market
        self.journal = journal
        self.clock = clock
        self.last_now: datetime | None = None
        self.open_matched = ""  # trading day whose opening auction was uncrossed
        self.close_matched = ""  # trading day whose closing auction was uncrossed
        self.trading_day = ""
        self.instruments: dict[str, Contract] = {}
        self.raw_instruments: dict[str, SimInstrument] = {}
        self.accounts: dict[str, Account] = {}
        self.books: dict[str, Book] = {}
        self.orders: dict[int, Order] = {}
        self.live_orders: dict[int, Order] = {}
        self.order_refs: dict[tuple[int, int, str], int] = {}
        self.order_sysids: dict[tuple[str, str], int] = {}
        self.trades: dict[str, list[Data]] = {}
        self.exec_orders: dict[int, ExecOrder] = {}
        self.locks: dict[str, list[Data]] = {}
        self.quotes: dict[int, Quote] = {}
        self.resting: dict[str, RestingBook] = {}
        self.sessions: dict[tuple[int, int], SessionState] = {}

    # --- time and instruments ----------------------------------------------------------------
    def load_instruments(self, source: InstrumentSource | None) -> None:
        self.instruments = {}
        self.raw_instruments = {}
        for inst in instrument_list(source):
            self.instruments[inst.instrument_id] = contract_of(inst)
            self.raw_instruments[inst.instrument_id] = inst

    def trading_date(self) -> date:
        return datetime.strptime(self.trading_day, "%Y%m%d").date()

    def now(self) -> datetime:
        """Simulated China time (naive)."""
        if self.clock is not None:
            return self.clock()
        if self.last_now is not None:
            return self.last_now
        return datetime.now(CHINA).replace(tzinfo=None)

    def phase(self, now: datetime | None = None) -> Phase:
        """Trading phase at ``now``: continuous in 24x7 mode; with exchange hours by time of day
        on trading days (weekends and holidays are closed)."""
        if self.config.hours != "exchange":
            return Phase.CONTINUOUS
        now = now or self.now()
        if not calendar.is_trading_day(now.date()):
            return Phase.CLOSED
        return phase_at(now.time())

    # --- journal -----------------------------------------------------------------------------
    def next(self, name: str, start: int = 1) -> int:
        return self.journal.next(name, start)

    def touch(self, kind: str, key: object, obj: object) -> None:
        self.journal.touch(kind, key, obj)

    def push(self, out: list[Outgoing], investor: str, name: str, *args: Data) -> None:
        """Append an investor push (data, and error for OnErrRtn*) to the private flow and to
        ``out``, each with its own copies."""
        stored: Callback = (name, tuple(dict(a) for a in args))
        seq = self.journal.append_flow(investor, self.trading_day, stored)
        out.append(Outgoing(TARGET_INVESTOR, investor, (name, tuple(dict(a) for a in args)), seq))

    def reject(
        self,
        out: list[Outgoing],
        session: SessionRef,
        rsp: str,
        data: Data,
        reqid: int,
        error_id: int,
        err_data: Data | None = None,
    ) -> list[Outgoing]:
        """A request the counter refused: ``rsp`` (OnRsp<X>) with ``data`` to the session and,
        when the request had a valid identity, OnErrRtn<X> with ``err_data`` (default
        ``data``) on the investor's private flow. Commits and returns ``out``."""
        error = E.rsp_info(error_id)
        out.append(Outgoing(TARGET_SESSION, session, (rsp, (data, error, reqid, True))))
        if self.flows_error(session, error_id):
            err_name = "onErrRtn" + rsp[len("onRsp") :]
            err_args = data if err_data is None else err_data
            self.push(out, session.investor_id, err_name, err_args, error)
        self.commit()
        return out

    def commit(self) -> None:
        self.journal.commit(self.trading_day, self.market_state)

    def save_market(self, listing: bool = False) -> None:
        """Store the market's state (and with ``listing`` its instrument list) now.

        The market moves every 500 ms; storing it costs a few milliseconds, so the exchange
        calls this at a cadence and at shutdown, and every day roll stores it with the
        settlement. A kill -9 loses the market moves since the last save (never an
        acknowledged order, trade or cash movement: those are committed with each request)."""
        if self.journal.store is None:
            return
        self.journal.save_market_due = True
        self.journal.save_listing_due = self.journal.save_listing_due or listing
        self.commit()

    def market_state(self) -> Data:
        """kv entries ``market`` (``SimMarket.state_dict()``) and ``listing`` (instrument dicts)
        when a save is due and the market can provide them."""
        state: Data = {}
        state_dict = getattr(self.market, "state_dict", None)
        if self.journal.save_market_due and callable(state_dict):
            state["market"] = state_dict()
        if self.journal.save_listing_due:
            listing = instrument_list(self.market.instruments)
            if listing:
                state["listing"] = [i.to_dict() for i in listing]
        return state

    # --- restart -----------------------------------------------------------------------------
    def load(self, snapshot: dict[str, Any]) -> None:
        """Continue from a stored snapshot (``StateStore.load()``); nothing when it is empty."""
        kv = snapshot.get("kv", {})
        if not kv:
            return
        self.trading_day = str(kv.get("trading_day", self.trading_day))
        self.journal.seqs = {str(k): int(v) for k, v in kv.get("seqs", {}).items()}
        entities: dict[str, dict[str, Data]] = snapshot.get("entities", {})
        for value in entities.get("account", {}).values():
            account = Account(**_known(Account, value))
            self.accounts[account.investor_id] = account
            self.books[account.investor_id] = self.new_book(account)
        for value in entities.get("position", {}).values():
            row = Position(**_known(Position, value))
            self.books[row.investor_id].positions[row.key] = row
        for value in entities.get("stock", {}).values():
            stock = Stock(**_known(Stock, value))
            self.books[stock.investor_id].stocks[stock.key] = stock
        for value in entities.get("order", {}).values():
            order = Order(**_known(Order, value))
            self.orders[order.key] = order
        for value in entities.get("exec", {}).values():
            item = ExecOrder(**_known(ExecOrder, value))
            self.exec_orders[item.key] = item
        for value in entities.get("quote", {}).values():
            quote = Quote(**_known(Quote, value))
            self.quotes[quote.key] = quote
        for iid, value in entities.get("instrument", {}).items():
            if iid not in self.instruments:  # delisted since (expired): still needed to settle
                self.instruments[iid] = Contract(**_known(Contract, value))
        for _, value in sorted(entities.get("trade", {}).items()):
            self.trades.setdefault(str(value["InvestorID"]), []).append(value)
        for _, value in sorted(entities.get("lock", {}).items()):
            self.locks.setdefault(str(value["InvestorID"]), []).append(value)
        for investor, seq, day, name, args in snapshot.get("flows", []):
            if day == self.trading_day:
                callback: Callback = (name, tuple(json.loads(args)))
                self.journal.flows.setdefault(investor, []).append((seq, callback))
        self._index_orders()

    def _index_orders(self) -> None:
        seqs = self.journal.seqs
        # files written before the SessionID sequence was persisted: start above stored ids
        stored = [o.session_id for o in self.orders.values()]
        stored += [e.session_id for e in self.exec_orders.values()]
        stored += [q.session_id for q in self.quotes.values()]
        if stored:
            seqs["session_id"] = max(seqs.get("session_id", 0), *stored)
        for order in sorted(self.orders.values(), key=lambda o: o.seq):
            if order.live:
                self.live_orders[order.key] = order
            self.order_refs[(order.front_id, order.session_id, order.order_ref)] = order.key
            sysid = str(order.data.get("OrderSysID", ""))
            if sysid:
                self.order_sysids[(order.exchange_id, sysid)] = order.key
            if order.resting and order.live:
                self.resting_book(order.instrument_id).add(self.resting_entry(order))

    # --- sessions ----------------------------------------------------------------------------
    def session(self, session: SessionRef) -> SessionState:
        return self.sessions.setdefault((session.front_id, session.session_id), SessionState())

    def flows_error(self, session: SessionRef, error_id: int) -> bool:
        """Whether a rejection also goes to the investor's private flow (OnErrRtn*): not when
        the request had no valid identity (not logged in, another investor's id)."""
        if error_id in (E.NOT_LOGIN_YET, E.NO_PRIVILEGE):
            return False
        return session.investor_id in self.accounts

    def throttle(self, session: SessionRef) -> None:
        """116 when the session exceeds ``max_orders_per_second`` (inserts and cancels)."""
        limit = self.config.max_orders_per_second
        if limit <= 0:
            return
        state = self.session(session)
        now = self.now()
        state.recent = [t for t in state.recent if (now - t).total_seconds() < 1.0]
        if len(state.recent) >= limit:
            raise Refused(E.ORDER_FREQ_LIMIT)
        state.recent.append(now)

    def check_session(self, session: SessionRef, req: Data) -> Account:
        """The session's account: 6 not logged in, 9 another investor or broker named."""
        state = self.sessions.get((session.front_id, session.session_id))
        account = self.accounts.get(session.investor_id)
        if state is None or not state.logged_in or account is None:
            raise Refused(E.NOT_LOGIN_YET)
        investor = str(req.get("InvestorID", "")) or session.investor_id
        broker = str(req.get("BrokerID", "")) or session.broker_id
        if investor != session.investor_id or broker != account.broker_id:
            raise Refused(E.NO_PRIVILEGE)
        return account

    # --- books -------------------------------------------------------------------------------
    def new_book(self, account: Account) -> Book:
        return Book(account, self.touch, self.pre_settle)

    @property
    def positions(self) -> dict[str, Position]:
        """Every option position row of every investor (Position.key -> Position), a merged
        view of the books (for checks and tests; the books own the rows)."""
        return {k: r for book in self.books.values() for k, r in book.positions.items()}

    @property
    def stocks(self) -> dict[str, Stock]:
        """Every ETF share record (Stock.key -> Stock), a merged view of the books."""
        return {k: r for book in self.books.values() for k, r in book.stocks.items()}

    def stocks_of(self, investor: str) -> list[Stock]:
        book = self.books.get(investor)
        return list(book.stocks.values()) if book is not None else []

    def position(self, investor: str, info: Contract, direction: str, hedge: str) -> Position:
        return self.books[investor].position(info, direction, hedge)

    def stock(self, investor: str, underlying: str, exchange: str) -> Stock:
        return self.books[investor].stock(underlying, exchange)

    def resting_book(self, instrument_id: str) -> RestingBook:
        """The resting client orders of ``instrument_id`` (created empty)."""
        book = self.resting.get(instrument_id)
        if book is None:
            book = self.resting[instrument_id] = RestingBook()
        return book

    @staticmethod
    def resting_entry(order: Order) -> Resting:
        return Resting(
            order.key, order.investor_id, order.direction, order.price, order.remaining, order.seq
        )

    # --- market view -------------------------------------------------------------------------
    def market_book(self, iid: str) -> tuple[Levels, Levels]:
        bids, asks = self.market.book(iid)
        return [(float(p), int(v)) for p, v in bids], [(float(p), int(v)) for p, v in asks]

    def limits(self, iid: str) -> tuple[float, float]:
        lower, upper = self.market.limits(iid)
        return float(lower), float(upper)

    def pre_settle(self, iid: str) -> float:
        try:
            return float(self.market.pre_settlement(iid))
        except (KeyError, AttributeError):
            return 0.0

    def pre_close(self, underlying: str) -> float:
        return float(self.market.pre_close(underlying))

    def take(self, iid: str, taker: str, fill: Fill) -> None:
        """Tell the market which displayed volume a fill took."""
        if fill.level_price is None:
            return
        book_side = "ask" if taker == BUY else "bid"
        self.market.take_liquidity(iid, book_side, fill.level_price, fill.volume)

    def record_trade(self, iid: str, price: float, volume: int, oi_delta: int) -> None:
        """Tell the market about a client trade (last price, volume, turnover, open interest)."""
        self.market.record_trade(iid, price, volume, oi_delta)

    @staticmethod
    def oi_effect(order: Order, volume: int) -> int:
        return volume if order.offset == OPEN else -volume

    def open_margin(self, info: Contract) -> tuple[float, float]:
        """(broker, exchange) opening margin per short contract."""
        prices = PriceRef(
            0.0, 0.0, self.pre_settle(info.instrument_id), self.pre_close(info.underlying)
        )
        return open_margin(info, prices, self.config.margin_markup)

    def new_trade_id(self, exchange_id: str) -> str:
        """The next TradeID of ``exchange_id``: one per match (not per side), persisted."""
        return str(self.next(f"tradeid:{exchange_id}"))

    def mark(self, iid: str) -> float:
        """The price a position is valued at: last price, else the snapshot's, else the
        previous settlement."""
        try:
            value = float(self.market.last_price(iid))
            if 0 < value < 1e300:
                return value
        except (KeyError, TypeError, ValueError):
            pass
        try:
            snap = self.market.snapshot(iid, self.now())
            price = float(snap.get("LastPrice", 0.0))
            if 0 < price < 1e300:
                return price
        except (KeyError, AttributeError, TypeError):
            pass
        return self.pre_settle(iid)


def _known(cls: type, value: dict[str, Any]) -> dict[str, Any]:
    """The stored fields ``cls`` still has (a field dropped since is ignored)."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in value.items() if k in names}
