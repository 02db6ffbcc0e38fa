"""The simulated SOPT counter: sessions, accounts, positions, orders, matching, settlement.

``SimCounter`` is a single-threaded state machine. The sim api backend (``sim/exchange.py``)
serialises every call under one lock and routes what comes back. Public interface::

    Callback = tuple[str, tuple[Any, ...]]   # ("onRtnOrder", (data,)),
                                             # ("onRspOrderInsert", (data, error, reqid, True))
    Outgoing(target, key, callback, seq=None)   # seq: private-flow number of investor pushes
        target "session":  only the requesting session; key = SessionRef
               "investor": the private flow of an investor (all its logged-in sessions, numbered
                           and kept for replay, see ``private_flow``); key = investor id
               "public":   every td session; key = None (not used by the counter today)
               "forquote": md sessions subscribed with SubscribeForQuoteRsp to the instrument
                           (and td sessions if wanted); key = instrument id

    SimCounter(config: CounterConfig, market: MarketView, instruments=None,
               store: StateStore | None = None, clock=None)
        trading_day: str
        authenticate(session, req) -> (RspAuthenticate data, RspInfo)
        login(session, req) -> (RspUserLogin data, RspInfo)
        logout(session, req) -> (UserLogout data, RspInfo)
        settlement_confirm(session, req) -> (SettlementInfoConfirm data, RspInfo)
        order_insert / order_action / exec_order_insert / exec_order_action / lock_insert /
        quote_insert / quote_action / for_quote_insert (session, req, reqid) -> list[Outgoing]
        query(session, name, req) -> list[dict]     # rows in the real struct shape, [] if none;
                                                    # name "TradingAccount" or "trading_account"
        on_market(now) -> list[Outgoing]            # after the market advanced to ``now``
        roll_day() -> list[Outgoing]                # settle, expire, move to next trading day
        private_flow(investor_id) -> list[tuple[int, Callback]]  # today's numbered pushes
        check_invariants() -> list[str]             # money/position consistency (tests)

Every data dict in an Outgoing or a query row is a fresh dict owned by the receiver; a private
flow push that goes to several sessions must be copied per session (``dict(data)``; flat).

Money model (per account, CNY): ``Balance = PreBalance + Deposit - Withdraw + CashIn -
Commission`` where CashIn is today's net premium; ``Available = Balance - CurrMargin -
FrozenMargin - FrozenCash - FrozenCommission - DeliveryMargin``. Pending buys freeze premium
(limit price, or the upper limit for market buys), pending sell-opens freeze the broker margin,
every pending order freezes its fee; fills release the freeze pro rata. DeliveryMargin holds the
strike cash of pending call exercises. Delivery (exercise/assignment) settles at the day roll.

The market (``sim.market.SimMarket``) is used through ``protocols.MarketView``; the store
(``sim.store.SimStore``) through ``protocols.StateStore``. The money, margin, fill, exercise and
expiry rules are the exchange core's (``vnpy_ctpsopt.core``); this package adds sessions,
CTP-shaped requests and rows, the private flow, flow control and persistence:
``state`` (shared maps), ``journal`` (sequences, flows, commits), ``fields`` (CTP structs),
and one desk per request family (``sessions``, ``orders``, ``quotes``, ``exercise``, ``lock``,
``queries``, ``market_step``, ``settlement``), ``invariants`` for the tests.

With a store, every public call commits the records it changed before it returns; a counter
built on an existing state file continues it, and settles the stored day first when the market
is already on a later trading day (restart after the close). The market's own state is stored
by ``save_market()`` (called at a cadence by the exchange) and with every day roll.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from ...core.book import Account, Position, Stock
from ...core.terms import Contract
from .config import CounterConfig
from .exercise import ExerciseDesk
from .invariants import check_invariants
from .journal import Journal
from .lock import LockDesk
from .market_step import MarketStep
from .orders import OrderDesk
from .protocols import InstrumentSource, MarketView, StateStore
from .queries import QueryDesk
from .quotes import QuoteDesk
from .records import FIRST_SESSION_ID, Callback, Data, Outgoing, SessionRef
from .sessions import SessionDesk
from .settlement import SettlementDesk
from .state import CHINA, CounterState


class SimCounter:
    """The counter state machine. Not thread-safe: the caller serialises all calls.

    A facade over the desks; the state maps are ``CounterState``'s (documented there) and
    reachable as ``counter.state``; ``accounts``, ``instruments``, ``positions``, ``stocks``
    and ``trading_day`` are kept here for callers and tests.
    """

    def __init__(
        self,
        config: CounterConfig,
        market: MarketView,
        instruments: InstrumentSource | None = None,
        store: StateStore | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.config = config
        self.market = market
        self.store = store
        self.journal = Journal(store)
        s = self.state = CounterState(config, market, self.journal, clock)
        s.load_instruments(instruments if instruments is not None else market.instruments)
        day = market.trading_day
        if isinstance(day, date):
            day = day.strftime("%Y%m%d")
        s.trading_day = str(day or datetime.now(CHINA).strftime("%Y%m%d"))
        self.sessions = SessionDesk(s)
        self.orders = OrderDesk(s)
        self.quotes = QuoteDesk(s, self.orders)
        self.exercise = ExerciseDesk(s)
        self.lock = LockDesk(s)
        self.queries = QueryDesk(s)
        self.market_step = MarketStep(s, self.orders)
        self.settlement = SettlementDesk(s, self.orders, self.exercise)
        if store is not None:
            s.load(store.load())
            if day and str(day) > s.trading_day:
                self.settlement.catch_up(str(day))
            s.save_market(listing=True)

    # --- state kept reachable ----------------------------------------------------------------
    @property
    def trading_day(self) -> str:
        return self.state.trading_day

    @trading_day.setter
    def trading_day(self, day: str) -> None:
        self.state.trading_day = day

    @property
    def accounts(self) -> dict[str, Account]:
        return self.state.accounts

    @property
    def instruments(self) -> dict[str, Contract]:
        return self.state.instruments

    @property
    def positions(self) -> dict[str, Position]:
        return self.state.positions

    @property
    def stocks(self) -> dict[str, Stock]:
        return self.state.stocks

    def now(self) -> datetime:
        """Simulated China time (naive)."""
        return self.state.now()

    def open_margin(self, info: Contract) -> tuple[float, float]:
        """(broker, exchange) opening margin per short contract."""
        return self.state.open_margin(info)

    # --- sessions ----------------------------------------------------------------------------
    def new_session_id(self) -> int:
        """A SessionID this counter never handed out before. The sequence is persisted with
        the state file, so after a restart new sessions never take the (FrontID, SessionID) of
        stored orders."""
        session_id = self.state.next("session_id", FIRST_SESSION_ID)
        self.state.commit()
        return session_id

    def authenticate(self, session: SessionRef, req: Data) -> tuple[Data, Data]:
        return self.sessions.authenticate(session, req)

    def login(self, session: SessionRef, req: Data) -> tuple[Data, Data]:
        return self.sessions.login(session, req)

    def logout(self, session: SessionRef, req: Data) -> tuple[Data, Data]:
        return self.sessions.logout(session, req)

    def settlement_confirm(self, session: SessionRef, req: Data) -> tuple[Data, Data]:
        return self.sessions.settlement_confirm(session, req)

    def max_order_ref(self, investor: str) -> int:
        return self.sessions.max_order_ref(investor)

    # --- requests ----------------------------------------------------------------------------
    def order_insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        return self.orders.insert(session, req, reqid)

    def order_action(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        return self.orders.action(session, req, reqid)

    def exec_order_insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        return self.exercise.insert(session, req, reqid)

    def exec_order_action(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        return self.exercise.action(session, req, reqid)

    def lock_insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        return self.lock.insert(session, req, reqid)

    def quote_insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        return self.quotes.insert(session, req, reqid)

    def quote_action(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        return self.quotes.action(session, req, reqid)

    def for_quote_insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        return self.quotes.for_quote_insert(session, req, reqid)

    def query(self, session: SessionRef, name: str, req: Data) -> list[Data]:
        return self.queries.query(session, name, req)

    # --- market and days ---------------------------------------------------------------------
    def on_market(self, now: datetime) -> list[Outgoing]:
        return self.market_step.step(now)

    def roll_day(self) -> list[Outgoing]:
        return self.settlement.roll_day()

    def private_flow(self, investor_id: str) -> list[tuple[int, Callback]]:
        return self.journal.private_flow(investor_id)

    def save_market(self, listing: bool = False) -> None:
        self.state.save_market(listing)

    def check_invariants(self) -> list[str]:
        return check_invariants(self.state)
