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

    SimCounter(config: CounterConfig, market, instruments=None, store=None, clock=None)
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

The market (``sim.market.SimMarket``) is used through: ``trading_day``, ``instruments``,
``book(id)``, ``take_liquidity(id, "bid"|"ask", price, volume)``, ``record_trade(id, price,
volume, oi_delta)``, ``limits(id)``, ``pre_settlement(id)``, ``pre_close(etf)``,
``last_price(id)``, ``snapshot(id, now)``, ``settle()`` and ``roll(next_day, listing)``.

With a store, every public call commits the records it changed before it returns; a counter
built on an existing state file continues it, and settles the stored day first when the market
is already on a later trading day (restart after the close). The market's own state is stored
by ``save_market()`` (called at a cadence by the exchange) and with every day roll.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from ..api import constant as C
from ..core import exercise as X
from ..core import settlement as S
from ..core.book import Account, Book, Position, Stock
from ..core.fees import FeeSchedule, fee_action
from ..core.margin import margin_parts, open_margin
from ..core.matching import (
    AuctionOrder,
    Fill,
    Resting,
    RestingBook,
    call_auction,
    cross_resting,
    market_auction_orders,
    match_incoming,
    uncross_clients,
)
from ..core.orders import (
    NewOrder,
    OrderKind,
    check_lock,
    check_order,
    check_tradable,
    normalize_offset,
    resolve_order_kind,
    would_self_trade,
)
from ..core.terms import (
    BUY,
    EPS,
    SELL,
    SZSE,
    AccountTerms,
    Contract,
    PriceRef,
    Refused,
)
from ..core.timetable import (
    CLOSE_UNCROSS,
    OPEN_UNCROSS,
    Phase,
    cancel_allowed,
    exercise_time_allowed,
    lock_allowed,
    matching_allowed,
    order_accepted,
    phase_at,
)
from . import calendar
from . import errors as E
from .instruments import SimInstrument, build_instruments, instrument_field

Callback = tuple[str, tuple[Any, ...]]
Data = dict[str, Any]

TARGET_SESSION = "session"
TARGET_INVESTOR = "investor"
TARGET_PUBLIC = "public"
TARGET_FORQUOTE = "forquote"

CHINA = ZoneInfo("Asia/Shanghai")
LONG = C.THOST_FTDC_PD_Long
SHORT = C.THOST_FTDC_PD_Short
SPEC = C.THOST_FTDC_HF_Speculation
COVERED = C.THOST_FTDC_HF_Covered
OPEN = C.THOST_FTDC_OF_Open
CLOSE = C.THOST_FTDC_OF_Close
POSITION_MONEY_FIELDS = (
    "LongFrozenAmount",
    "ShortFrozenAmount",
    "OpenAmount",
    "CloseAmount",
    "PositionCost",
    "PreMargin",
    "UseMargin",
    "FrozenMargin",
    "FrozenCash",
    "FrozenCommission",
    "CashIn",
    "Commission",
    "CloseProfit",
    "PositionProfit",
    "OpenCost",
    "ExchangeMargin",
    "CloseProfitByDate",
    "CloseProfitByTrade",
    "MarginRateByMoney",
    "MarginRateByVolume",
    "StrikeFrozenAmount",
    "OptionValue",
)
POSITION_VOLUME_FIELDS = (
    "YdPosition",
    "Position",
    "LongFrozen",
    "ShortFrozen",
    "OpenVolume",
    "CloseVolume",
    "CombPosition",
    "CombLongFrozen",
    "CombShortFrozen",
    "TodayPosition",
    "StrikeFrozen",
    "AbandonFrozen",
    "YdStrikeFrozen",
)
# SessionIDs handed out by a counter start here and are never reused by it (see new_session_id).
FIRST_SESSION_ID = 0x1A2B0001
LIVE_STATUSES = (
    C.THOST_FTDC_OST_Unknown,
    C.THOST_FTDC_OST_NoTradeQueueing,
    C.THOST_FTDC_OST_PartTradedQueueing,
)


@dataclass(frozen=True)
class SessionRef:
    """One logged-in (or logging-in) td session, as the api backend identifies it."""

    front_id: int
    session_id: int
    broker_id: str
    investor_id: str


@dataclass(frozen=True)
class Outgoing:
    """One callback the api backend must deliver (see the module docstring for targets)."""

    target: str
    key: Any
    callback: Callback
    seq: int | None = None
    """Private-flow sequence number (``investor`` targets only)."""


@dataclass(frozen=True)
class CounterConfig:
    """Parameters of one simulated counter.

    - ``capital``: cash of an account created at its first login (CNY).
    - ``fees``: per-contract fees per action (see ``rules.FeeSchedule`` for the defaults).
    - ``margin_markup``: broker margin = exchange margin x (1 + markup); 0.1 is a typical
      broker add-on of 10 %.
    - ``hours``: ``"24x7"`` (always continuous trading) or ``"exchange"`` (real sessions).
    - ``initial_etf_shares``: shares of every listed ETF underlying (SSE and SZSE) seeded into
      each new account, so covered calls and put exercise can be tried (default 100,000).
    - ``auth``: accepted (AppID, AuthCode) pairs; empty means authentication is not required
      (any ReqAuthenticate succeeds and login does not check it).
    - ``accept_limit_fak``: accept (LimitPrice, IOC, AV) (vn.py's FAK) as a price-bounded IOC
      on both exchanges; False rejects it with 80 as the exchanges list no limit FAK.
    - ``max_limit_volume`` / ``max_market_volume``: per-order maxima (limit 50, market 10).
    - ``self_trade_check``: reject an order that would trade against the same investor's
      resting order with 154.
    - ``max_orders_per_second``: order inserts + cancels a session may send per second of
      simulated time (0 = unlimited); beyond it 116 "CTP:下单频率限制".
    - ``position_limits``: (权利仓 long, 总持仓 total, 单日买入开仓 buy-opens today) per
      underlying, pending opening orders included; the exchange maxima 5000/10000/10000 by
      default (brokers start new accounts at 100/200/400); 0 disables a limit. Beyond: 106.
    - ``market_makers``: investors allowed to quote (ReqQuoteInsert; others get 28) and to
      use the MarketMaker hedge flag '5' (quote sides use the hedge flags given, speculation
      by default).
    - ``broker_id``: BrokerID the counter accepts ("" accepts any).
    - Password policy: the first login of a user stores its password; later logins must match
      it, else 132 "CTP:用户名或密码错误".
    """

    capital: float = 1_000_000.0
    fees: FeeSchedule = field(default_factory=FeeSchedule)
    margin_markup: float = 0.1
    hours: str = "24x7"
    initial_etf_shares: int = 100_000
    auth: frozenset[tuple[str, str]] = frozenset()
    accept_limit_fak: bool = True
    max_limit_volume: int = 50
    max_market_volume: int = 10
    self_trade_check: bool = True
    max_orders_per_second: float = 0.0
    position_limits: tuple[int, int, int] = (5000, 10000, 10000)
    market_makers: frozenset[str] = frozenset()
    broker_id: str = ""
    system_name: str = "TradingHosting"


# --- instruments and market views ------------------------------------------------------------


def _attr(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if isinstance(obj, Mapping):
            if name in obj:
                return obj[name]
        elif hasattr(obj, name):
            return getattr(obj, name)
    return default


def instrument_info(obj: Any, max_limit: int = 50, max_market: int = 10) -> Contract:
    """Read a SimInstrument (or a CThostFtdcInstrumentField-shaped mapping)."""
    product_class = str(_attr(obj, "product_class", "ProductClass", default=""))
    options_type = str(_attr(obj, "options_type", "OptionsType", default=""))
    is_option = product_class == C.THOST_FTDC_PC_ETFOption or options_type in ("1", "2")
    iid = str(_attr(obj, "instrument_id", "InstrumentID"))
    return Contract(
        instrument_id=iid,
        exchange_id=str(_attr(obj, "exchange_id", "exchange", "ExchangeID")),
        is_option=is_option,
        underlying=str(_attr(obj, "underlying_id", "UnderlyingInstrID", default="") or iid),
        strike=float(_attr(obj, "strike", "strike_price", "StrikePrice", default=0.0) or 0.0),
        is_call=options_type == C.THOST_FTDC_CP_CallOptions,
        expire_date=str(_attr(obj, "expire_date", "ExpireDate", default="")),
        unit=int(_attr(obj, "unit", "volume_multiple", "size", "VolumeMultiple", default=1)),
        tick=float(_attr(obj, "price_tick", "tick", "PriceTick", default=0.0001)),
        max_limit=int(_attr(obj, "max_limit_volume", "MaxLimitOrderVolume", default=max_limit)),
        max_market=int(_attr(obj, "max_market_volume", "MaxMarketOrderVolume", default=max_market)),
    )


def _instrument_objects(source: Any) -> list[Any]:
    if source is None:
        return []
    if isinstance(source, Mapping):
        return list(source.values())
    return list(source)


# --- state records (flat dataclasses; persisted as JSON) -------------------------------------


@dataclass
class Order:
    """A live or finished order of today. ``data`` is the CThostFtdcOrderField last pushed;
    the ``*_per_lot`` amounts are frozen for each untraded lot while the order is live."""

    key: int
    investor_id: str
    instrument_id: str
    exchange_id: str
    kind: str
    direction: str
    offset: str
    hedge: str
    front_id: int
    session_id: int
    order_ref: str
    volume: int
    price: float
    data: dict[str, Any]
    traded: int = 0
    cash_per_lot: float = 0.0
    margin_per_lot: float = 0.0
    exch_margin_per_lot: float = 0.0
    fee_per_lot: float = 0.0
    shares_per_lot: int = 0
    resting: bool = False
    seq: int = 0
    quote_key: int = 0
    held: bool = False
    """Resting since a phase without matching (call auction, 9:25-9:30 pause, lunch break):
    the opening auction uncrosses those entered before 9:25; the others meet the book as takers
    at the next continuous step."""

    @property
    def remaining(self) -> int:
        return self.volume - self.traded

    @property
    def live(self) -> bool:
        return str(self.data.get("OrderStatus")) in LIVE_STATUSES


@dataclass
class ExecOrder:
    """An exercise declaration of today; ``data`` is the CThostFtdcExecOrderField."""

    key: int
    investor_id: str
    instrument_id: str
    exchange_id: str
    volume: int
    front_id: int
    session_id: int
    ref: str
    data: dict[str, Any]
    cash_frozen: float = 0.0
    fee_frozen: float = 0.0
    shares_frozen: int = 0
    active: bool = True


@dataclass
class Quote:
    """A two-sided quote of today; ``data`` is the CThostFtdcQuoteField."""

    key: int
    investor_id: str
    instrument_id: str
    front_id: int
    session_id: int
    ref: str
    ask_key: int
    bid_key: int
    data: dict[str, Any]
    active: bool = True


@dataclass
class SessionState:
    """Per-connection state (not persisted): authentication, the highest ref used per kind
    (``refs``: "order", "exec", "lock", "quote" -> number) and recent order times."""

    authenticated: bool = False
    logged_in: bool = False
    refs: dict[str, int] = field(default_factory=dict)
    recent: list[datetime] = field(default_factory=list)

    def check_ref(self, kind: str, text: str, error_id: int) -> str:
        """``text`` stripped; raises ``error_id`` unless it is empty or a number above every
        ref of ``kind`` this session used."""
        text = text.strip()
        if text:
            number = _ref_number(text)
            if number is None or number <= self.refs.get(kind, 0):
                raise Refused(error_id)
        return text

    def take_ref(self, kind: str, text: str) -> str:
        """Record a ref of an accepted request (the next number when ``text`` is empty)."""
        number = int(text) if text else self.refs.get(kind, 0) + 1
        self.refs[kind] = max(self.refs.get(kind, 0), number)
        return text or str(number)


def _ref_number(text: str) -> int | None:
    text = str(text).strip()
    return int(text) if text.isdigit() else None


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_Referenced = TypeVar("_Referenced", ExecOrder, Quote)


def _find_ref(
    items: Iterable[_Referenced], session: SessionRef, req: Data, ref_field: str, sysid_field: str
) -> _Referenced | None:
    """The investor's item an action request names: by FrontID + SessionID (default: the
    requesting session's) + ``ref_field``, else by ``sysid_field``; the latest match wins."""
    ref = str(req.get(ref_field, "")).strip()
    sysid = str(req.get(sysid_field, "")).strip()
    key = (
        int(req.get("FrontID", 0) or session.front_id),
        int(req.get("SessionID", 0) or session.session_id),
        ref,
    )
    found = None
    for item in items:
        if item.investor_id != session.investor_id:
            continue
        if ref:
            hit = (item.front_id, item.session_id, item.ref) == key
        else:
            hit = bool(sysid) and item.data.get(sysid_field) == sysid
        if hit:
            found = item
    return found


class SimCounter:
    """The counter state machine. Not thread-safe: the caller serialises all calls.

    State maps (all of today unless said otherwise):
    - ``accounts``: investor id -> Account
    - ``positions``: Position.key -> Position (option rows)
    - ``stocks``: Stock.key (investor|underlying) -> Stock
    - ``orders``: order key (BrokerOrderSeq) -> Order; ``order_refs``: (front, session, ref) ->
      key; ``order_sysids``: (exchange, OrderSysID) -> key
    - ``trades``: investor id -> list of CThostFtdcTradeField dicts
    - ``exec_orders``: key -> ExecOrder; ``locks``: investor id -> list of CThostFtdcLockField
    - ``quotes``: key -> Quote
    - ``books``: instrument id -> RestingBook of live resting client orders
    - ``flows``: investor id -> [(seq, Callback)] private flow of today
    - ``sessions``: (front, session) -> SessionState (not persisted)
    """

    def __init__(
        self,
        config: CounterConfig,
        market: Any,
        instruments: Any = None,
        store: Any | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.config = config
        self.market = market
        self.store = store
        self._clock = clock
        self._last_now: datetime | None = None
        self._open_matched = ""  # trading day whose opening auction was uncrossed
        self._close_matched = ""  # trading day whose closing auction was uncrossed
        source = instruments if instruments is not None else _attr(market, "instruments")
        self.instruments: dict[str, Contract] = {}
        self._load_instruments(source)
        day = _attr(market, "trading_day", default="")
        if isinstance(day, date):
            day = day.strftime("%Y%m%d")
        self.trading_day: str = str(day or datetime.now(CHINA).strftime("%Y%m%d"))
        self.terms = AccountTerms(config.fees, config.margin_markup, config.position_limits)
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
        self.flows: dict[str, list[tuple[int, Callback]]] = {}
        self.sessions: dict[tuple[int, int], SessionState] = {}
        self.seqs: dict[str, int] = {}
        self._dirty: dict[tuple[str, str], Any] = {}
        self._kv_dirty = False
        self._new_flow: list[tuple[str, int, str, Callback]] = []
        self._save_market = self._save_listing = False
        if store is not None:
            self._load(store)
            if day and str(day) > self.trading_day:
                self._catch_up(str(day))
            self.save_market(listing=True)

    # --- helpers: time, ids, instruments ---------------------------------------------------
    def _load_instruments(self, source: Any) -> None:
        self.instruments = {}
        self._raw_instruments: dict[str, Any] = {}
        for obj in _instrument_objects(source):
            info = instrument_info(obj, self.config.max_limit_volume, self.config.max_market_volume)
            self.instruments[info.instrument_id] = info
            self._raw_instruments[info.instrument_id] = obj

    def _instrument_row(self, iid: str) -> Data:
        """CThostFtdcInstrumentField of an instrument (instruments.instrument_field for a
        SimInstrument, else the mapping it was given as)."""
        raw = self._raw_instruments[iid]
        if isinstance(raw, SimInstrument):
            return instrument_field(raw, self._trading_date())
        return dict(raw) if isinstance(raw, Mapping) else {}

    def _trading_date(self) -> date:
        return datetime.strptime(self.trading_day, "%Y%m%d").date()

    def now(self) -> datetime:
        """Simulated China time (naive)."""
        if self._clock is not None:
            return self._clock()
        if self._last_now is not None:
            return self._last_now
        return datetime.now(CHINA).replace(tzinfo=None)

    def _phase(self, now: datetime | None = None) -> Phase:
        """Trading phase at ``now``: continuous in 24x7 mode; with exchange hours by time of day
        on trading days (weekends and holidays are closed)."""
        if self.config.hours != "exchange":
            return Phase.CONTINUOUS
        now = now or self.now()
        if not calendar.is_trading_day(now.date()):
            return Phase.CLOSED
        return phase_at(now.time())

    def _next(self, name: str, start: int = 1) -> int:
        value = self.seqs.get(name, start - 1) + 1
        self.seqs[name] = value
        self._kv_dirty = True
        return value

    def new_session_id(self) -> int:
        """A SessionID this counter never handed out before. The sequence is persisted with
        the state file, so after a restart new sessions never take the (FrontID, SessionID) of
        stored orders."""
        session_id = self._next("session_id", FIRST_SESSION_ID)
        self._commit()
        return session_id

    def _session(self, session: SessionRef) -> SessionState:
        return self.sessions.setdefault((session.front_id, session.session_id), SessionState())

    def _touch(self, kind: str, key: Any, obj: Any) -> None:
        self._dirty[(kind, str(key))] = obj

    # --- private flow and persistence ------------------------------------------------------
    def _push(self, out: list[Outgoing], investor: str, name: str, *args: Data) -> None:
        """Append an investor push (data, and error for OnErrRtn*) to the private flow and to
        ``out``, each with its own copies."""
        seq = self._next(f"flow:{investor}")
        stored: Callback = (name, tuple(dict(a) for a in args))
        self.flows.setdefault(investor, []).append((seq, stored))
        self._new_flow.append((investor, seq, self.trading_day, stored))
        out.append(Outgoing(TARGET_INVESTOR, investor, (name, tuple(dict(a) for a in args)), seq))

    def _reject(
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
        if self._flows_error(session, error_id):
            err_name = "onErrRtn" + rsp[len("onRsp") :]
            err_args = data if err_data is None else err_data
            self._push(out, session.investor_id, err_name, err_args, error)
        self._commit()
        return out

    def private_flow(self, investor_id: str) -> list[tuple[int, Callback]]:
        """Today's numbered private-flow pushes of ``investor_id`` (fresh dicts)."""
        result: list[tuple[int, Callback]] = []
        for seq, (name, args) in self.flows.get(investor_id, []):
            copied = tuple(dict(a) if isinstance(a, dict) else a for a in args)
            result.append((seq, (name, copied)))
        return result

    def save_market(self, listing: bool = False) -> None:
        """Store the market's state (and with ``listing`` its instrument list) now.

        The market moves every 500 ms; storing it costs a few milliseconds, so the exchange
        calls this at a cadence and at shutdown, and every day roll stores it with the
        settlement. A kill -9 loses the market moves since the last save (never an
        acknowledged order, trade or cash movement: those are committed with each request)."""
        if self.store is None:
            return
        self._save_market = True
        self._save_listing = self._save_listing or listing
        self._commit()

    def _commit(self) -> None:
        if self.store is None:
            self._dirty.clear()
            self._new_flow.clear()
            self._kv_dirty = False
            return
        if not (self._dirty or self._new_flow or self._kv_dirty or self._save_market):
            return
        entities: dict[tuple[str, str], Data | None] = {}
        for (kind, key), obj in self._dirty.items():
            entities[(kind, key)] = None if obj is None else self._serialise(kind, obj)
        kv: dict[str, Any] = {"trading_day": self.trading_day, "seqs": self.seqs}
        kv.update(self._market_state())
        flows = [
            (investor, seq, day, name, json.dumps(list(args), ensure_ascii=False))
            for investor, seq, day, (name, args) in self._new_flow
        ]
        self.store.commit(entities, kv, flows)
        self._dirty.clear()
        self._new_flow.clear()
        self._kv_dirty = self._save_market = self._save_listing = False

    def _market_state(self) -> Data:
        """kv entries ``market`` (``SimMarket.state_dict()``) and ``listing`` (instrument dicts)
        when a save is due and the market can provide them."""
        state: Data = {}
        state_dict = getattr(self.market, "state_dict", None)
        if self._save_market and callable(state_dict):
            state["market"] = state_dict()
        if self._save_listing:
            listing = list(_instrument_objects(_attr(self.market, "instruments")))
            if listing and all(callable(getattr(i, "to_dict", None)) for i in listing):
                state["listing"] = [i.to_dict() for i in listing]
        return state

    @staticmethod
    def _serialise(kind: str, obj: Any) -> Data:
        if kind in ("trade", "lock"):
            return dict(obj)
        return asdict(obj)

    def _load(self, store: Any) -> None:
        snapshot = store.load()
        kv = snapshot.get("kv", {})
        if not kv:
            return
        self.trading_day = str(kv.get("trading_day", self.trading_day))
        self.seqs = {str(k): int(v) for k, v in kv.get("seqs", {}).items()}
        classes: dict[str, type] = {
            "account": Account,
            "position": Position,
            "stock": Stock,
            "order": Order,
            "exec": ExecOrder,
            "quote": Quote,
        }
        entities: dict[str, dict[str, Data]] = snapshot.get("entities", {})
        for kind, cls in classes.items():
            names = {f.name for f in fields(cls)}
            for _, value in entities.get(kind, {}).items():
                obj = cls(**{k: v for k, v in value.items() if k in names})
                if kind == "account":
                    self.accounts[obj.investor_id] = obj
                    self.books[obj.investor_id] = self._new_book(obj)
                elif kind == "position":
                    self.books[obj.investor_id].positions[obj.key] = obj
                elif kind == "stock":
                    self.books[obj.investor_id].stocks[obj.key] = obj
                elif kind == "order":
                    self.orders[obj.key] = obj
                elif kind == "exec":
                    self.exec_orders[obj.key] = obj
                else:
                    self.quotes[obj.key] = obj
        for iid, value in entities.get("instrument", {}).items():
            if iid not in self.instruments:  # delisted since (expired): still needed to settle
                names = {f.name for f in fields(Contract)}
                self.instruments[iid] = Contract(**{k: v for k, v in value.items() if k in names})
        for _, value in sorted(entities.get("trade", {}).items()):
            self.trades.setdefault(str(value["InvestorID"]), []).append(value)
        for _, value in sorted(entities.get("lock", {}).items()):
            self.locks.setdefault(str(value["InvestorID"]), []).append(value)
        for investor, seq, day, name, args in snapshot.get("flows", []):
            if day == self.trading_day:
                callback: Callback = (name, tuple(json.loads(args)))
                self.flows.setdefault(investor, []).append((seq, callback))
        # files written before the SessionID sequence was persisted: start above stored ids
        stored = [o.session_id for o in self.orders.values()]
        stored += [e.session_id for e in self.exec_orders.values()]
        stored += [q.session_id for q in self.quotes.values()]
        if stored:
            self.seqs["session_id"] = max(self.seqs.get("session_id", 0), *stored)
        for order in sorted(self.orders.values(), key=lambda o: o.seq):
            if order.live:
                self.live_orders[order.key] = order
            self.order_refs[(order.front_id, order.session_id, order.order_ref)] = order.key
            sysid = str(order.data.get("OrderSysID", ""))
            if sysid:
                self.order_sysids[(order.exchange_id, sysid)] = order.key
            if order.resting and order.live:
                self._book(order.instrument_id).add(self._resting(order))

    # --- sessions --------------------------------------------------------------------------
    def authenticate(self, session: SessionRef, req: Data) -> tuple[Data, Data]:
        """ReqAuthenticate: checks (AppID, AuthCode) when ``config.auth`` is set (63)."""
        app_id = str(req.get("AppID", ""))
        data = {
            "BrokerID": str(req.get("BrokerID", "")),
            "UserID": str(req.get("UserID", "")),
            "UserProductInfo": str(req.get("UserProductInfo", "")),
            "AppID": app_id,
            "AppType": "1",
        }
        if self.config.auth and (app_id, str(req.get("AuthCode", ""))) not in self.config.auth:
            return data, E.rsp_info(E.AUTH_FAILED)
        self._session(session).authenticated = True
        return data, E.rsp_info(E.NONE)

    def login(self, session: SessionRef, req: Data) -> tuple[Data, Data]:
        """ReqUserLogin: 64 without authentication when required, 3 for a wrong broker or
        user, 132 for a wrong password; the first login creates the account."""
        state = self._session(session)
        now = self.now()
        user = str(req.get("UserID", "")) or session.investor_id
        broker = str(req.get("BrokerID", "")) or session.broker_id
        data: Data = {
            "TradingDay": self.trading_day,
            "LoginTime": now.strftime("%H:%M:%S"),
            "BrokerID": broker,
            "UserID": user,
            "SystemName": self.config.system_name,
            "FrontID": session.front_id,
            "SessionID": session.session_id,
            "MaxOrderRef": str(self.max_order_ref(user)),
            "SHFETime": now.strftime("%H:%M:%S"),
            "DCETime": now.strftime("%H:%M:%S"),
            "CZCETime": now.strftime("%H:%M:%S"),
            "FFEXTime": now.strftime("%H:%M:%S"),
            "INETime": now.strftime("%H:%M:%S"),
        }
        if self.config.auth and not state.authenticated:
            return data, E.rsp_info(E.NOT_AUTHENT)
        if not user or (self.config.broker_id and broker != self.config.broker_id):
            return data, E.rsp_info(E.INVALID_LOGIN)
        if user != session.investor_id:
            return data, E.rsp_info(E.INVALID_LOGIN)
        password = str(req.get("Password", ""))
        account = self.accounts.get(user)
        if account is None:
            account = self._create_account(user, broker, password)
        elif account.broker_id != broker:
            return data, E.rsp_info(E.INVALID_LOGIN)
        elif account.password != password:
            return data, E.rsp_info(E.WRONG_USER_OR_PASSWORD)
        state.logged_in = True
        self._commit()
        return data, E.rsp_info(E.NONE)

    def max_order_ref(self, investor: str) -> int:
        """The login's MaxOrderRef: the highest numeric OrderRef any session of ``investor`` used
        today (1 when none, as the real counter), so a client numbering above it never reuses
        a ref of an earlier session."""
        refs = (_ref_number(o.order_ref) for o in self.orders.values() if o.investor_id == investor)
        return max((r for r in refs if r is not None), default=1)

    def _create_account(self, investor: str, broker: str, password: str) -> Account:
        account = Account(investor, broker, password, pre_balance=self.config.capital)
        self.accounts[investor] = account
        self.books[investor] = self._new_book(account)
        self._touch("account", investor, account)
        if self.config.initial_etf_shares > 0:
            for info in self.instruments.values():
                if not info.is_option:
                    stock = self._stock(investor, info.instrument_id, info.exchange_id)
                    stock.volume = stock.yd_volume = self.config.initial_etf_shares
        return account

    def logout(self, session: SessionRef, req: Data) -> tuple[Data, Data]:
        self.sessions.pop((session.front_id, session.session_id), None)
        data = {"BrokerID": session.broker_id, "UserID": session.investor_id}
        return data, E.rsp_info(E.NONE)

    def settlement_confirm(self, session: SessionRef, req: Data) -> tuple[Data, Data]:
        """Records the confirmation (not required before trading)."""
        account = self.accounts.get(session.investor_id)
        now = self.now()
        data: Data = {
            "BrokerID": session.broker_id,
            "InvestorID": session.investor_id,
            "ConfirmDate": self.trading_day,
            "ConfirmTime": now.strftime("%H:%M:%S"),
            "SettlementID": 1,
            "AccountID": session.investor_id,
            "CurrencyID": "CNY",
        }
        if account is None:
            return data, E.rsp_info(E.NOT_LOGIN_YET)
        account.confirm_date, account.confirm_time = self.trading_day, data["ConfirmTime"]
        self._touch("account", account.investor_id, account)
        self._commit()
        return data, E.rsp_info(E.NONE)

    def _flows_error(self, session: SessionRef, error_id: int) -> bool:
        """Whether a rejection also goes to the investor's private flow (OnErrRtn*): not when
        the request had no valid identity (not logged in, another investor's id)."""
        if error_id in (E.NOT_LOGIN_YET, E.NO_PRIVILEGE):
            return False
        return session.investor_id in self.accounts

    def _throttle(self, session: SessionRef) -> None:
        """116 when the session exceeds ``max_orders_per_second`` (inserts and cancels)."""
        limit = self.config.max_orders_per_second
        if limit <= 0:
            return
        state = self._session(session)
        now = self.now()
        state.recent = [t for t in state.recent if (now - t).total_seconds() < 1.0]
        if len(state.recent) >= limit:
            raise Refused(E.ORDER_FREQ_LIMIT)
        state.recent.append(now)

    def _check_session(self, session: SessionRef, req: Data) -> Account:
        state = self.sessions.get((session.front_id, session.session_id))
        account = self.accounts.get(session.investor_id)
        if state is None or not state.logged_in or account is None:
            raise Refused(E.NOT_LOGIN_YET)
        investor = str(req.get("InvestorID", "")) or session.investor_id
        broker = str(req.get("BrokerID", "")) or session.broker_id
        if investor != session.investor_id or broker != account.broker_id:
            raise Refused(E.NO_PRIVILEGE)
        return account

    # --- records ---------------------------------------------------------------------------
    def _new_book(self, account: Account) -> Book:
        return Book(account, self._touch, self._pre_settle)

    @property
    def positions(self) -> dict[str, Position]:
        """Every option position row of every investor (Position.key -> Position), a merged
        view of the books (for checks and tests; the books own the rows)."""
        return {k: r for book in self.books.values() for k, r in book.positions.items()}

    @property
    def stocks(self) -> dict[str, Stock]:
        """Every ETF share record (Stock.key -> Stock), a merged view of the books."""
        return {k: r for book in self.books.values() for k, r in book.stocks.items()}

    def _stocks_of(self, investor: str) -> list[Stock]:
        book = self.books.get(investor)
        return list(book.stocks.values()) if book is not None else []

    def _position(self, investor: str, info: Contract, direction: str, hedge: str) -> Position:
        return self.books[investor].position(info, direction, hedge)

    def _stock(self, investor: str, underlying: str, exchange: str) -> Stock:
        return self.books[investor].stock(underlying, exchange)

    def _book(self, instrument_id: str) -> RestingBook:
        """The resting client orders of ``instrument_id`` (created empty)."""
        book = self.resting.get(instrument_id)
        if book is None:
            book = self.resting[instrument_id] = RestingBook()
        return book

    @staticmethod
    def _resting(order: Order) -> Resting:
        return Resting(
            order.key, order.investor_id, order.direction, order.price, order.remaining, order.seq
        )

    # --- market view -----------------------------------------------------------------------
    def _market_book(self, iid: str) -> tuple[list[tuple[float, int]], list[tuple[float, int]]]:
        book = self.market.book(iid)
        if isinstance(book, tuple) and len(book) == 2:
            bids, asks = book
        else:
            bids, asks = _attr(book, "bids", default=[]), _attr(book, "asks", default=[])
        return [(float(p), int(v)) for p, v in bids], [(float(p), int(v)) for p, v in asks]

    def _limits(self, iid: str) -> tuple[float, float]:
        lower, upper = self.market.limits(iid)
        return float(lower), float(upper)

    def _pre_settle(self, iid: str) -> float:
        try:
            return float(self.market.pre_settlement(iid))
        except (KeyError, AttributeError):
            return 0.0

    def _pre_close(self, underlying: str) -> float:
        return float(self.market.pre_close(underlying))

    def _take(self, iid: str, taker: str, fill: Fill) -> None:
        if fill.level_price is None:
            return
        book_side = "ask" if taker == BUY else "bid"
        self.market.take_liquidity(iid, book_side, fill.level_price, fill.volume)

    def _record_trade(self, iid: str, price: float, volume: int, oi_delta: int) -> None:
        """Tell the market about a client trade (last price, volume, turnover, open interest)."""
        recorder = getattr(self.market, "record_trade", None)
        if recorder is not None:
            recorder(iid, price, volume, oi_delta)

    @staticmethod
    def _oi_effect(order: Order, volume: int) -> int:
        return volume if order.offset == OPEN else -volume

    # --- margins and fees ------------------------------------------------------------------
    def open_margin(self, info: Contract) -> tuple[float, float]:
        """(broker, exchange) opening margin per short contract."""
        prices = PriceRef(
            0.0, 0.0, self._pre_settle(info.instrument_id), self._pre_close(info.underlying)
        )
        return open_margin(info, prices, self.config.margin_markup)

    # --- order insert ----------------------------------------------------------------------
    def order_insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        """ReqOrderInsert: validate, freeze, send to the (simulated) exchange and match."""
        out: list[Outgoing] = []
        data = dict(req)
        try:
            account = self._check_session(session, req)
            self._throttle(session)
            order = self._validate_order(session, account, data, reqid)
        except Refused as rejection:
            return self._reject(out, session, "onRspOrderInsert", data, reqid, rejection.error_id)
        self._accept_order(order, out)
        self._commit()
        return out

    def _validate_order(
        self, session: SessionRef, account: Account, req: Data, reqid: int, quote_key: int = 0
    ) -> Order:
        state = self._session(session)
        ref_text = state.check_ref("order", str(req.get("OrderRef", "")), E.DUPLICATE_ORDER_REF)
        iid = str(req.get("InstrumentID", ""))
        info = self.instruments.get(iid)
        if info is None:
            raise Refused(E.INSTRUMENT_NOT_FOUND)
        exchange = str(req.get("ExchangeID", ""))
        if exchange and exchange != info.exchange_id:
            raise Refused(E.ERROR_EXCHANGEID)
        check_tradable(info, self.trading_day)
        if str(req.get("ContingentCondition", "1") or "1") != C.THOST_FTDC_CC_Immediately:
            raise Refused(E.UNSUPPORTED_FUNCTION)
        kind, error = resolve_order_kind(
            info.exchange_id,
            str(req.get("OrderPriceType", "")),
            str(req.get("TimeCondition", "")),
            str(req.get("VolumeCondition", "")),
            self.config.accept_limit_fak,
        )
        if kind is None:
            raise Refused(error)
        direction = str(req.get("Direction", ""))
        if direction not in (BUY, SELL):
            raise Refused(E.BAD_FIELD)
        offset = normalize_offset(str(req.get("CombOffsetFlag", ""))[:1])
        if offset is None:
            raise Refused(E.BAD_FIELD)
        hedge = str(req.get("CombHedgeFlag", ""))[:1] or SPEC
        volume = int(req.get("VolumeTotalOriginal", 0) or 0)
        price = float(req.get("LimitPrice", 0.0) or 0.0)
        lower, upper = self._limits(iid)
        prices = PriceRef(lower, upper, self._pre_settle(iid), self._pre_close(info.underlying))
        new = NewOrder(info, direction, offset, hedge, kind, volume, price)
        investor = session.investor_id
        live = (o for o in self.live_orders.values() if o.investor_id == investor)
        maker = investor in self.config.market_makers
        reserve = check_order(
            self.books[investor], new, self.terms, prices, live, self.instruments, maker
        )
        if self.config.self_trade_check:
            resting = self.resting.get(iid)
            opposite = resting.side(SELL if direction == BUY else BUY) if resting else ()
            if would_self_trade(investor, opposite, direction, kind, price):
                raise Refused(E.MAY_SELFTRADE)
        order = Order(
            key=0,
            investor_id=investor,
            instrument_id=iid,
            exchange_id=info.exchange_id,
            kind=kind.value,
            direction=direction,
            offset=offset,
            hedge=hedge,
            front_id=session.front_id,
            session_id=session.session_id,
            order_ref="",
            volume=volume,
            price=price,
            data={},
            cash_per_lot=reserve.cash_per_lot,
            margin_per_lot=reserve.margin_per_lot,
            exch_margin_per_lot=reserve.exch_margin_per_lot,
            fee_per_lot=reserve.fee_per_lot,
            shares_per_lot=reserve.shares_per_lot,
            quote_key=quote_key,
        )
        # accepted by the counter: assign identity
        order.order_ref = state.take_ref("order", ref_text)
        order.key = self._next("order")
        order.seq = order.key
        now = self.now()
        order.data = self._order_data(req, order, info, reqid, now)
        return order

    def _order_data(
        self, req: Data, order: Order, info: Contract, reqid: int, now: datetime
    ) -> Data:
        account = self.accounts[order.investor_id]
        data: Data = {
            "BrokerID": account.broker_id,
            "InvestorID": order.investor_id,
            "InstrumentID": order.instrument_id,
            "OrderRef": order.order_ref,
            "UserID": str(req.get("UserID", "")) or order.investor_id,
            "OrderPriceType": str(req.get("OrderPriceType", "")),
            "Direction": order.direction,
            "CombOffsetFlag": str(req.get("CombOffsetFlag", ""))[:1],
            "CombHedgeFlag": order.hedge,
            "LimitPrice": order.price,
            "VolumeTotalOriginal": order.volume,
            "TimeCondition": str(req.get("TimeCondition", "")),
            "GTDDate": str(req.get("GTDDate", "")),
            "VolumeCondition": str(req.get("VolumeCondition", "")),
            "MinVolume": int(req.get("MinVolume", 1) or 1),
            "ContingentCondition": str(req.get("ContingentCondition", "1") or "1"),
            "StopPrice": float(req.get("StopPrice", 0.0) or 0.0),
            "ForceCloseReason": str(req.get("ForceCloseReason", "0") or "0"),
            "IsAutoSuspend": int(req.get("IsAutoSuspend", 0) or 0),
            "BusinessUnit": str(req.get("BusinessUnit", "")),
            "RequestID": reqid,
            "OrderLocalID": f"{order.key:>12}",
            "ExchangeID": info.exchange_id,
            "ParticipantID": account.broker_id,
            "ClientID": order.investor_id,
            "ExchangeInstID": order.instrument_id,
            "TraderID": "sim",
            "InstallID": 1,
            "OrderSubmitStatus": C.THOST_FTDC_OSS_InsertSubmitted,
            "NotifySequence": 0,
            "TradingDay": self.trading_day,
            "SettlementID": 1,
            "OrderSysID": "",
            "OrderSource": C.THOST_FTDC_OSRC_Participant,
            "OrderStatus": C.THOST_FTDC_OST_Unknown,
            "OrderType": (
                C.THOST_FTDC_ORDT_DeriveFromQuote if order.quote_key else C.THOST_FTDC_ORDT_Normal
            ),
            "VolumeTraded": 0,
            "VolumeTotal": order.volume,
            "InsertDate": now.strftime("%Y%m%d"),
            "InsertTime": now.strftime("%H:%M:%S"),
            "ActiveTime": "",
            "SuspendTime": "",
            "UpdateTime": now.strftime("%H:%M:%S"),
            "CancelTime": "",
            "ActiveTraderID": "sim",
            "ClearingPartID": account.broker_id,
            "SequenceNo": 0,
            "FrontID": order.front_id,
            "SessionID": order.session_id,
            "UserProductInfo": str(req.get("UserProductInfo", "")),
            "StatusMsg": "报单已提交",
            "UserForceClose": int(req.get("UserForceClose", 0) or 0),
            "ActiveUserID": "",
            "BrokerOrderSeq": order.key,
            "RelativeOrderSysID": "",
            "ZCETotalTradedVolume": 0,
            "IsSwapOrder": int(req.get("IsSwapOrder", 0) or 0),
            "BranchID": "",
            "InvestUnitID": str(req.get("InvestUnitID", "")),
            "AccountID": order.investor_id,
            "CurrencyID": "CNY",
            "reserve1": "",
            "MacAddress": str(req.get("MacAddress", "")),
            "OwnerType": "1",
            "ComTradeID": "",
            "LoginPBU": "",
            "IPAddress": str(req.get("IPAddress", "")),
        }
        return data

    def _freeze(self, order: Order, sign: int, volume: int, filled: bool = False) -> None:
        """Freeze (sign 1) or release (sign -1) the resources of ``volume`` lots."""
        info = self.instruments[order.instrument_id]
        self.books[order.investor_id].freeze(order, info, sign, volume, filled)

    def _update(self, order: Order, now: datetime, **values: Any) -> Data:
        order.data.update(values)
        order.data["NotifySequence"] = int(order.data.get("NotifySequence", 0)) + 1
        order.data["SequenceNo"] = self._next("sequence_no")
        order.data["UpdateTime"] = now.strftime("%H:%M:%S")
        order.data["VolumeTraded"] = order.traded
        order.data["VolumeTotal"] = order.remaining
        if not order.live:
            self.live_orders.pop(order.key, None)
        self._touch("order", order.key, order)
        return order.data

    def _accept_order(self, order: Order, out: list[Outgoing]) -> None:
        """Register an order accepted by the counter, then run it through the exchange."""
        now = self.now()
        self.orders[order.key] = order
        self.live_orders[order.key] = order
        self.order_refs[(order.front_id, order.session_id, order.order_ref)] = order.key
        self._touch("order", order.key, order)
        self._freeze(order, 1, order.volume)
        self._push(out, order.investor_id, "onRtnOrder", order.data)
        kind = OrderKind(order.kind)
        phase = self._phase()
        info = self.instruments[order.instrument_id]
        if not order_accepted(phase, kind):
            self._freeze(order, -1, order.remaining)
            msg = f"已撤单报单被拒绝{info.exchange_id}:当前状态禁止此项操作"
            data = self._update(
                order,
                now,
                OrderSubmitStatus=C.THOST_FTDC_OSS_InsertRejected,
                OrderStatus=C.THOST_FTDC_OST_Canceled,
                StatusMsg=msg,
                CancelTime=now.strftime("%H:%M:%S"),
            )
            self._push(out, order.investor_id, "onRtnOrder", data)
            return
        sysid = str(self._next(f"sysid:{info.exchange_id}"))
        self.order_sysids[(info.exchange_id, sysid)] = order.key
        order.data["OrderSysID"] = sysid
        order.data["OrderSubmitStatus"] = C.THOST_FTDC_OSS_Accepted
        order.data["InsertTime"] = now.strftime("%H:%M:%S")
        book = self._book(order.instrument_id)
        if matching_allowed(phase):
            bids, asks = self._market_book(order.instrument_id)
            result = match_incoming(
                kind, order.direction, order.volume, order.price, bids, asks, book
            )
        else:  # auction or pause: limit GFD orders are held without matching
            result = match_incoming(
                OrderKind.LIMIT_GFD,
                order.direction,
                order.volume,
                order.price,
                [],
                [],
                RestingBook(),
            )
        if result.rest_price is not None:
            order.price = result.rest_price
            order.data["LimitPrice"] = result.rest_price if kind.is_market else order.price
        if not result.fills and result.cancelled:
            self._cancel(order, now, out, result.reason or "已撤单")
            return
        data = self._update(
            order, now, OrderStatus=C.THOST_FTDC_OST_NoTradeQueueing, StatusMsg="未成交"
        )
        self._push(out, order.investor_id, "onRtnOrder", data)
        for fill in result.fills:
            self._take(order.instrument_id, order.direction, fill)
            queueing = result.rest_price is not None or kind.rests
            # a match with a resting client order: one TradeID on both sides
            shared = None if fill.resting_key is None else self._new_trade_id(info.exchange_id)
            self._trade(order, fill.price, fill.volume, out, now, queueing, shared)
            oi = self._oi_effect(order, fill.volume)
            if fill.resting_key is not None:
                other = self.orders[fill.resting_key]
                book.reduce(other.key, fill.volume)
                self._trade(other, fill.price, fill.volume, out, now, True, shared)
                oi = (oi + self._oi_effect(other, fill.volume)) // 2
            self._record_trade(order.instrument_id, fill.price, fill.volume, oi)
        if result.rest_price is not None and order.remaining > 0:
            order.resting = True
            order.held = not matching_allowed(phase)
            book.add(self._resting(order))
        elif order.remaining > 0:
            self._cancel(order, now, out, result.reason or "已撤单")

    def _cancel(self, order: Order, now: datetime, out: list[Outgoing], msg: str) -> None:
        """Cancel the untraded rest of a live order and release its resources."""
        self._freeze(order, -1, order.remaining)
        if order.resting:
            book = self.resting.get(order.instrument_id)
            if book is not None:
                book.remove(order.key)
            order.resting = False
        data = self._update(
            order,
            now,
            OrderStatus=C.THOST_FTDC_OST_Canceled,
            StatusMsg=msg,
            CancelTime=now.strftime("%H:%M:%S"),
        )
        self._push(out, order.investor_id, "onRtnOrder", data)
        if order.quote_key:
            self._quote_side_done(order, now, out)

    def _trade(
        self,
        order: Order,
        price: float,
        volume: int,
        out: list[Outgoing],
        now: datetime,
        queueing: bool,
        trade_id: str | None = None,
    ) -> None:
        """Apply a fill of ``volume`` at ``price``: order state, money, position, pushes.

        ``trade_id``: the match's TradeID when the other side is a client order too (both
        sides of one match share it, as on the exchange); None draws a new one."""
        info = self.instruments[order.instrument_id]
        self.books[order.investor_id].fill(order, info, price, volume)
        order.traded += volume
        if order.remaining == 0:
            status, msg = C.THOST_FTDC_OST_AllTraded, "全部成交"
            order.resting = False
        elif queueing:
            status, msg = C.THOST_FTDC_OST_PartTradedQueueing, "部分成交还在队列中"
        else:
            status, msg = C.THOST_FTDC_OST_PartTradedNotQueueing, "部分成交"
        data = self._update(order, now, OrderStatus=status, StatusMsg=msg)
        self._push(out, order.investor_id, "onRtnOrder", data)
        trade = self._trade_data(order, info, price, volume, now, trade_id)
        self.trades.setdefault(order.investor_id, []).append(trade)
        self._touch("trade", f"{order.investor_id}|{trade['SequenceNo']:012d}", trade)
        self._push(out, order.investor_id, "onRtnTrade", trade)
        if order.quote_key and order.remaining == 0:
            self._quote_side_done(order, now, out)

    def _new_trade_id(self, exchange_id: str) -> str:
        """The next TradeID of ``exchange_id``: one per match (not per side), persisted."""
        return str(self._next(f"tradeid:{exchange_id}"))

    def _trade_data(
        self,
        order: Order,
        info: Contract,
        price: float,
        volume: int,
        now: datetime,
        trade_id: str | None = None,
    ) -> Data:
        data = order.data
        return {
            "BrokerID": data["BrokerID"],
            "InvestorID": order.investor_id,
            "InstrumentID": order.instrument_id,
            "OrderRef": order.order_ref,
            "UserID": data["UserID"],
            "ExchangeID": info.exchange_id,
            "TradeID": trade_id or self._new_trade_id(info.exchange_id),
            "Direction": order.direction,
            "OrderSysID": data["OrderSysID"],
            "ParticipantID": data["ParticipantID"],
            "ClientID": data["ClientID"],
            "TradingRole": C.THOST_FTDC_ER_Broker,
            "ExchangeInstID": order.instrument_id,
            "OffsetFlag": data["CombOffsetFlag"],
            "HedgeFlag": order.hedge,
            "Price": price,
            "Volume": volume,
            "TradeDate": now.strftime("%Y%m%d"),
            "TradeTime": now.strftime("%H:%M:%S"),
            "TradeType": C.THOST_FTDC_TRDT_Common,
            "PriceSource": C.THOST_FTDC_PSRC_LastPrice,
            "TraderID": data["TraderID"],
            "OrderLocalID": data["OrderLocalID"],
            "ClearingPartID": data["ClearingPartID"],
            "BusinessUnit": data["BusinessUnit"],
            "SequenceNo": self._next("trade_sequence_no"),
            "TradingDay": self.trading_day,
            "SettlementID": 1,
            "BrokerOrderSeq": order.key,
            "TradeSource": C.THOST_FTDC_TSRC_NORMAL,
            "InvestUnitID": data["InvestUnitID"],
            "OwnerType": "1",
            "ComTradeID": "",
            "LoginPBU": "",
        }

    # --- order action ----------------------------------------------------------------------
    def order_action(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        """ReqOrderAction (delete only): by FrontID+SessionID+OrderRef or ExchangeID+OrderSysID."""
        out: list[Outgoing] = []
        now = self.now()
        try:
            self._check_session(session, req)
            self._throttle(session)
            order = self._find_order(session, req)
            if str(req.get("ActionFlag", C.THOST_FTDC_AF_Delete)) != C.THOST_FTDC_AF_Delete:
                raise Refused(E.BAD_ORDER_ACTION_FIELD)
            if not order.live:
                raise Refused(E.INSUITABLE_ORDER_STATUS)
            if not cancel_allowed(self._phase(), now.time()):
                raise Refused(E.OUT_OF_ACTION_TIME)
        except Refused as rejection:
            action = self._order_action_data(session, req, now, rejection.error_id)
            rsp = "onRspOrderAction"
            return self._reject(out, session, rsp, dict(req), reqid, rejection.error_id, action)
        data = self._update(
            order,
            now,
            OrderSubmitStatus=C.THOST_FTDC_OSS_CancelSubmitted,
            ActiveUserID=session.investor_id,
        )
        self._push(out, order.investor_id, "onRtnOrder", data)
        self._cancel(order, now, out, "已撤单")
        self._commit()
        return out

    def _find_order(self, session: SessionRef, req: Data) -> Order:
        ref = str(req.get("OrderRef", "")).strip()
        key: int | None = None
        if ref:
            front = int(req.get("FrontID", 0) or session.front_id)
            sess = int(req.get("SessionID", 0) or session.session_id)
            key = self.order_refs.get((front, sess, ref))
        else:
            sysid = str(req.get("OrderSysID", "")).strip()
            exchange = str(req.get("ExchangeID", ""))
            if sysid:
                key = self.order_sysids.get((exchange, sysid))
        order = self.orders.get(key) if key is not None else None
        if order is None or order.investor_id != session.investor_id:
            raise Refused(E.ORDER_NOT_FOUND)
        return order

    def _order_action_data(
        self, session: SessionRef, req: Data, now: datetime, error_id: int
    ) -> Data:
        return {
            "BrokerID": session.broker_id,
            "InvestorID": session.investor_id,
            "OrderActionRef": int(req.get("OrderActionRef", 0) or 0),
            "OrderRef": str(req.get("OrderRef", "")),
            "RequestID": int(req.get("RequestID", 0) or 0),
            "FrontID": int(req.get("FrontID", 0) or 0),
            "SessionID": int(req.get("SessionID", 0) or 0),
            "ExchangeID": str(req.get("ExchangeID", "")),
            "OrderSysID": str(req.get("OrderSysID", "")),
            "ActionFlag": str(req.get("ActionFlag", "0")),
            "LimitPrice": float(req.get("LimitPrice", 0.0) or 0.0),
            "VolumeChange": int(req.get("VolumeChange", 0) or 0),
            "ActionDate": now.strftime("%Y%m%d"),
            "ActionTime": now.strftime("%H:%M:%S"),
            "TraderID": "sim",
            "InstallID": 1,
            "OrderLocalID": "",
            "ActionLocalID": "",
            "ParticipantID": session.broker_id,
            "ClientID": session.investor_id,
            "BusinessUnit": "",
            "OrderActionStatus": C.THOST_FTDC_OAS_Rejected,
            "UserID": str(req.get("UserID", "")) or session.investor_id,
            "StatusMsg": E.MESSAGES[error_id],
            "InstrumentID": str(req.get("InstrumentID", "")),
            "BranchID": "",
            "InvestUnitID": "",
            "reserve1": "",
            "MacAddress": "",
            "OwnerType": "1",
            "LoginPBU": "",
            "IPAddress": "",
        }

    # --- market steps ----------------------------------------------------------------------
    def on_market(self, now: datetime) -> list[Outgoing]:
        """After the market advanced to ``now``: in continuous trading, crossed client orders
        trade with each other, then resting orders the refreshed book crosses are filled at their
        own price, limited by displayed volume. With exchange hours, the opening call auction
        is uncrossed at the first step from 9:25 and the closing one at the first step from
        15:00 (``_call_auction``); orders held through the 9:25-9:30 pause or the lunch break
        meet the book at the next continuous step at the book's prices, as incoming orders."""
        self._last_now = now
        out: list[Outgoing] = []
        phase = self._phase(now)
        if self.config.hours == "exchange":
            self._auctions(now, phase, out)
        if not matching_allowed(phase):
            if out or self._dirty:  # an auction ran
                self._commit()
            return out
        for iid in list(self.resting):
            book = self.resting[iid]
            if not len(book):
                continue
            for buy_key, sell_key, price, volume in uncross_clients(book):
                oi = 0
                shared = self._new_trade_id(self.instruments[iid].exchange_id)
                for key in (buy_key, sell_key):
                    book.reduce(key, volume)
                    self._trade(self.orders[key], price, volume, out, now, True, shared)
                    oi += self._oi_effect(self.orders[key], volume)
                self._record_trade(iid, price, volume, oi // 2)
            if not len(book):
                continue
            takers = {k for k in book.by_key if self.orders[k].held}
            for key in takers:  # from now on ordinary resting orders
                self.orders[key].held = False
                self._touch("order", key, self.orders[key])
            bids, asks = self._market_book(iid)
            for fill in cross_resting(book, bids, asks, takers):
                order = self.orders[fill.resting_key] if fill.resting_key is not None else None
                if order is None or fill.resting_key not in book.by_key:
                    continue
                self._take(iid, order.direction, fill)
                book.reduce(order.key, fill.volume)
                self._trade(order, fill.price, fill.volume, out, now, queueing=True)
                oi = self._oi_effect(order, fill.volume)
                self._record_trade(iid, fill.price, fill.volume, oi)
        self._commit()
        return out

    def _auctions(self, now: datetime, phase: Phase, out: list[Outgoing]) -> None:
        """Run the day's opening auction (first step from ``timetable.OPEN_UNCROSS``, 9:25; its
        orders are the held ones entered before it) and closing auction (first step from
        ``CLOSE_UNCROSS``, 15:00, of the trading day; every resting order) once each."""
        today = now.strftime("%Y%m%d")
        if today != self.trading_day:
            return
        t = now.time()
        if t >= OPEN_UNCROSS and phase != Phase.CLOSED and self._open_matched != today:
            self._open_matched = today
            cutoff = OPEN_UNCROSS.strftime("%H:%M:%S")
            for iid in list(self.resting):
                keys = [
                    k
                    for k in self.resting[iid].by_key
                    if self.orders[k].held
                    and str(self.orders[k].data.get("InsertTime", "")) < cutoff
                ]
                if keys:
                    self._call_auction(iid, keys, now, out, closing=False)
        if t >= CLOSE_UNCROSS and phase == Phase.CLOSED and self._close_matched != today:
            self._close_matched = today
            for iid in list(self.resting):
                keys = list(self.resting[iid].by_key)
                if keys:
                    self._call_auction(iid, keys, now, out, closing=True)

    def _call_auction(
        self, iid: str, keys: list[int], now: datetime, out: list[Outgoing], closing: bool
    ) -> None:
        """Uncross the call auction of ``iid`` over the client orders ``keys`` and the market's
        book at this instant (its five levels as limit orders): one price for every match
        (matching.call_auction; reference: the previous settlement at the open, the last price
        at the close), fills through ``_trade`` (one TradeID per client-client match), the
        price published as the day's open/close. The rest stays as ordinary resting orders."""
        book = self.resting[iid]
        info = self.instruments[iid]
        bids, asks = self._market_book(iid)
        orders = [
            AuctionOrder(k, o.direction, o.price, o.remaining, o.seq)
            for k in keys
            for o in (book.by_key[k],)
        ]
        orders.extend(market_auction_orders(bids, asks))
        reference = self._auction_reference(iid, closing)
        result = call_auction(orders, reference, info.tick or 0.0001)
        for key in keys:
            self.orders[key].held = False
            self._touch("order", key, self.orders[key])
        if result.price is None:
            return
        price = result.price
        for match in result.matches:
            clients = [o.key for o in (match.buy, match.sell) if o.key is not None]
            if not clients:
                continue
            shared = self._new_trade_id(info.exchange_id) if len(clients) == 2 else None
            oi = 0
            for side in (match.buy, match.sell):
                if side.key is None:
                    taker = SELL if side.direction == BUY else BUY
                    self._take(iid, taker, Fill(price, match.volume, None, side.price))
                    continue
                order = self.orders[side.key]
                book.reduce(order.key, match.volume)
                self._trade(order, price, match.volume, out, now, True, shared)
                oi += self._oi_effect(order, match.volume)
            self._record_trade(iid, price, match.volume, oi // len(clients))
        publish = getattr(self.market, "auction_price", None)
        if publish is not None:
            publish(iid, price, closing)

    def _auction_reference(self, iid: str, closing: bool) -> float:
        """Tie-break reference of a call auction: the previous settlement at the open; the
        latest price (last trade, else the previous close) at the close, else the model value."""
        if not closing:
            return self._pre_settle(iid)
        for name in ("last_price", "theo"):
            getter = getattr(self.market, name, None)
            if getter is None:
                continue
            try:
                value = float(getter(iid))
            except (KeyError, ValueError):
                continue
            if value > 0:
                return value
        return self._pre_settle(iid)

    # --- exercise --------------------------------------------------------------------------
    def exec_order_insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        """ReqExecOrderInsert: exercise of long options on expiry day in the exercise window."""
        out: list[Outgoing] = []
        data = dict(req)
        now = self.now()
        try:
            self._check_session(session, req)
            state = self._session(session)
            ref = state.check_ref(
                "exec", str(req.get("ExecOrderRef", "")), E.DUPLICATE_EXECORDER_REF
            )
            iid = str(req.get("InstrumentID", ""))
            info = self.instruments.get(iid)
            if info is None:
                raise Refused(E.INSTRUMENT_NOT_FOUND)
            if not info.is_option:
                raise Refused(E.EXECORDER_NOTOPTIONS)
            action = str(req.get("ActionType", C.THOST_FTDC_ACTP_Exec))
            if action == C.THOST_FTDC_ACTP_Abandon:
                raise Refused(E.OPTIONS_NOT_SUPPORT_ABANDON)
            if action != C.THOST_FTDC_ACTP_Exec:
                raise Refused(E.BAD_EXECUTE_TYPE)
            in_window = self.config.hours != "exchange" or exercise_time_allowed(
                info.exchange_id, now.time()
            )
            volume = int(req.get("Volume", 0) or 0)
            hedge = str(req.get("HedgeFlag", SPEC) or SPEC)
            book = self.books[session.investor_id]
            fees = self.config.fees
            reserve = X.check_exercise(book, info, hedge, volume, self.trading_day, fees, in_window)
        except Refused as rejection:
            rsp = "onRspExecOrderInsert"
            return self._reject(out, session, rsp, data, reqid, rejection.error_id)
        ref = state.take_ref("exec", ref)
        key = self._next("exec")
        X.freeze_exercise(book, info, hedge, volume, reserve)
        exec_data = self._exec_data(session, req, info, key, ref, volume, hedge, reqid, now)
        exec_order = ExecOrder(
            key,
            session.investor_id,
            iid,
            info.exchange_id,
            volume,
            session.front_id,
            session.session_id,
            ref,
            exec_data,
            reserve.cash,
            reserve.fee,
            reserve.shares,
        )
        self.exec_orders[key] = exec_order
        self._touch("exec", key, exec_order)
        self._push(out, session.investor_id, "onRtnExecOrder", exec_data)
        sysid = str(self._next(f"execsysid:{info.exchange_id}"))
        exec_data.update(
            ExecOrderSysID=sysid,
            OrderSubmitStatus=C.THOST_FTDC_OSS_Accepted,
            StatusMsg="已接受",
            NotifySequence=2,
        )
        self._push(out, session.investor_id, "onRtnExecOrder", exec_data)
        self._commit()
        return out

    def _exec_data(
        self,
        session: SessionRef,
        req: Data,
        info: Contract,
        key: int,
        ref: str,
        volume: int,
        hedge: str,
        reqid: int,
        now: datetime,
    ) -> Data:
        return {
            "BrokerID": session.broker_id,
            "InvestorID": session.investor_id,
            "InstrumentID": info.instrument_id,
            "ExecOrderRef": ref,
            "UserID": str(req.get("UserID", "")) or session.investor_id,
            "Volume": volume,
            "RequestID": reqid,
            "BusinessUnit": str(req.get("BusinessUnit", "")),
            "OffsetFlag": str(req.get("OffsetFlag", CLOSE) or CLOSE),
            "HedgeFlag": hedge,
            "ActionType": C.THOST_FTDC_ACTP_Exec,
            "PosiDirection": LONG,
            "ReservePositionFlag": str(req.get("ReservePositionFlag", "0") or "0"),
            "CloseFlag": str(req.get("CloseFlag", "0") or "0"),
            "ExecOrderLocalID": f"{key:>12}",
            "ExchangeID": info.exchange_id,
            "ParticipantID": session.broker_id,
            "ClientID": session.investor_id,
            "ExchangeInstID": info.instrument_id,
            "TraderID": "sim",
            "InstallID": 1,
            "OrderSubmitStatus": C.THOST_FTDC_OSS_InsertSubmitted,
            "NotifySequence": 1,
            "TradingDay": self.trading_day,
            "SettlementID": 1,
            "ExecOrderSysID": "",
            "InsertDate": now.strftime("%Y%m%d"),
            "InsertTime": now.strftime("%H:%M:%S"),
            "CancelTime": "",
            "ExecResult": C.THOST_FTDC_OER_NoExec,
            "ClearingPartID": session.broker_id,
            "SequenceNo": key,
            "FrontID": session.front_id,
            "SessionID": session.session_id,
            "UserProductInfo": "",
            "StatusMsg": "已提交",
            "ActiveUserID": "",
            "BrokerExecOrderSeq": key,
            "BranchID": "",
            "InvestUnitID": "",
            "AccountID": session.investor_id,
            "CurrencyID": "CNY",
            "reserve1": "",
            "MacAddress": "",
            "OwnerType": "1",
            "LoginPBU": "",
            "IPAddress": "",
        }

    def exec_order_action(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        """ReqExecOrderAction: cancel an exercise declaration while the window is open."""
        out: list[Outgoing] = []
        now = self.now()
        try:
            self._check_session(session, req)
            items = self.exec_orders.values()
            target = _find_ref(items, session, req, "ExecOrderRef", "ExecOrderSysID")
            if target is None:
                raise Refused(E.EXECORDER_NOT_FOUND)
            if not target.active:
                raise Refused(E.BAD_EXECORDER_ACTION_FIELD)
            if self.config.hours == "exchange" and not exercise_time_allowed(
                target.exchange_id, now.time()
            ):
                raise Refused(E.EXEC_FORBIDDEN_TIME)
        except Refused as rejection:
            rsp = "onRspExecOrderAction"
            return self._reject(out, session, rsp, dict(req), reqid, rejection.error_id)
        self._release_exec(target)
        target.data.update(
            ExecResult=C.THOST_FTDC_OER_Canceled,
            CancelTime=now.strftime("%H:%M:%S"),
            StatusMsg="已撤单",
            ActiveUserID=session.investor_id,
            NotifySequence=int(target.data.get("NotifySequence", 0)) + 1,
        )
        self._push(out, session.investor_id, "onRtnExecOrder", target.data)
        self._commit()
        return out

    def _release_exec(self, item: ExecOrder) -> None:
        info = self.instruments.get(item.instrument_id)
        hedge = str(item.data.get("HedgeFlag", SPEC))
        reserve = X.ExerciseReserve(item.cash_frozen, item.fee_frozen, item.shares_frozen)
        book = self.books[item.investor_id]
        X.release_exercise(book, info, item.instrument_id, hedge, item.volume, reserve)
        item.active = False
        self._touch("exec", item.key, item)

    # --- lock ------------------------------------------------------------------------------
    def lock_insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        """ReqLockInsert: lock ('1') / unlock ('2') ETF shares on SSE; SZSE has no lock (100)."""
        out: list[Outgoing] = []
        data = dict(req)
        now = self.now()
        try:
            self._check_session(session, req)
            state = self._session(session)
            ref = state.check_ref("lock", str(req.get("LockRef", "")), E.DUPLICATE_ORDER_REF)
            info = self.instruments.get(str(req.get("InstrumentID", "")))
            exchange = str(req.get("ExchangeID", "")) or (info.exchange_id if info else "")
            if exchange == SZSE:
                raise Refused(E.NOT_SUPPORT_LOCK)
            if info is None or info.is_option:
                raise Refused(E.INSTRUMENT_NOT_FOUND)
            if info.exchange_id == SZSE:
                raise Refused(E.NOT_SUPPORT_LOCK)
            if not lock_allowed(self._phase(now)):
                # sopt-rules.md A.10 names no error for a lock outside trading hours; 145 is
                # the closest SOPT error (sopt_error.xml BROKER_BREAK_SECTION)
                raise Refused(E.BROKER_BREAK_SECTION)
            volume = int(req.get("Volume", 0) or 0)
            lock_type = str(req.get("LockType", ""))
            lock_kind = {C.THOST_FTDC_LCKT_Lock: True, C.THOST_FTDC_LCKT_Unlock: False}
            book = self.books[session.investor_id]
            check_lock(book, info, lock_kind.get(lock_type), volume)
        except Refused as rejection:
            return self._reject(out, session, "onRspLockInsert", data, reqid, rejection.error_id)
        ref = state.take_ref("lock", ref)
        book.lock(info, lock_type == C.THOST_FTDC_LCKT_Lock, volume)
        key = self._next("lock")
        lock = {
            "BrokerID": session.broker_id,
            "InvestorID": session.investor_id,
            "InstrumentID": info.instrument_id,
            "LockRef": ref,
            "UserID": str(req.get("UserID", "")) or session.investor_id,
            "Volume": volume,
            "RequestID": reqid,
            "BusinessUnit": str(req.get("BusinessUnit", "")),
            "LockType": lock_type,
            "LockLocalID": f"{key:>12}",
            "ExchangeID": info.exchange_id,
            "ParticipantID": session.broker_id,
            "ClientID": session.investor_id,
            "ExchangeInstID": info.instrument_id,
            "TraderID": "sim",
            "InstallID": 1,
            "OrderSubmitStatus": C.THOST_FTDC_OSS_InsertSubmitted,
            "NotifySequence": 1,
            "TradingDay": self.trading_day,
            "SettlementID": 1,
            "LockSysID": "",
            "InsertDate": now.strftime("%Y%m%d"),
            "InsertTime": now.strftime("%H:%M:%S"),
            "CancelTime": "",
            "LockStatus": C.THOST_FTDC_OAS_Submitted,
            "ClearingPartID": session.broker_id,
            "SequenceNo": key,
            "FrontID": session.front_id,
            "SessionID": session.session_id,
            "UserProductInfo": "",
            "StatusMsg": "已提交",
            "ActiveUserID": "",
            "BrokerLockSeq": key,
            "BranchID": "",
            "reserve1": "",
            "MacAddress": "",
            "LoginPBU": "",
            "IPAddress": "",
        }
        self._push(out, session.investor_id, "onRtnLock", lock)
        lock.update(
            LockSysID=str(self._next(f"locksysid:{info.exchange_id}")),
            OrderSubmitStatus=C.THOST_FTDC_OSS_Accepted,
            LockStatus=C.THOST_FTDC_OAS_Accepted,
            NotifySequence=2,
            StatusMsg="已接受",
        )
        self._push(out, session.investor_id, "onRtnLock", lock)
        self.locks.setdefault(session.investor_id, []).append(lock)
        self._touch("lock", f"{session.investor_id}|{lock['BrokerLockSeq']:012d}", lock)
        self._commit()
        return out

    # --- quotes ----------------------------------------------------------------------------
    def quote_insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        """ReqQuoteInsert (market makers only, else 28): a two-sided quote whose sides live as
        derived limit orders; a new quote on the same instrument replaces the investor's
        previous one."""
        out: list[Outgoing] = []
        data = dict(req)
        now = self.now()
        try:
            account = self._check_session(session, req)
            if session.investor_id not in self.config.market_makers:
                # a hedge flag only makers may use is refused as such (94), else the right (28)
                hedges = {str(req.get(f"{p}HedgeFlag", SPEC) or SPEC) for p in ("Ask", "Bid")}
                refused = E.SPEC_COVERED_ONLY if hedges - {SPEC, COVERED} else E.NO_TRADING_RIGHT
                raise Refused(refused)
            state = self._session(session)
            ref = state.check_ref("quote", str(req.get("QuoteRef", "")), E.DUPLICATE_ORDER_REF)
            iid = str(req.get("InstrumentID", ""))
            info = self.instruments.get(iid)
            if info is None:
                raise Refused(E.INSTRUMENT_NOT_FOUND)
            if not info.is_option:
                raise Refused(E.INSTR_NOTSUPPORT_QUOTE)
            ask, bid = float(req.get("AskPrice", 0) or 0), float(req.get("BidPrice", 0) or 0)
            if ask <= bid:
                raise Refused(E.PRICE_NOTSUPPORT)
            # replace the previous quote before checking resources
            for quote in list(self.quotes.values()):
                if (
                    quote.active
                    and quote.investor_id == session.investor_id
                    and (quote.instrument_id == iid)
                ):
                    self._cancel_quote(quote, now, out)
            sides = []
            for direction, prefix in ((SELL, "Ask"), (BUY, "Bid")):
                side_req = {
                    "BrokerID": req.get("BrokerID", ""),
                    "InvestorID": req.get("InvestorID", ""),
                    "InstrumentID": iid,
                    "ExchangeID": req.get("ExchangeID", ""),
                    "OrderRef": str(req.get(f"{prefix}OrderRef", "")).strip(),
                    "UserID": req.get("UserID", ""),
                    "OrderPriceType": C.THOST_FTDC_OPT_LimitPrice,
                    "Direction": direction,
                    "CombOffsetFlag": str(req.get(f"{prefix}OffsetFlag", OPEN) or OPEN),
                    "CombHedgeFlag": str(req.get(f"{prefix}HedgeFlag", SPEC) or SPEC),
                    "LimitPrice": ask if direction == SELL else bid,
                    "VolumeTotalOriginal": int(req.get(f"{prefix}Volume", 0) or 0),
                    "TimeCondition": C.THOST_FTDC_TC_GFD,
                    "VolumeCondition": C.THOST_FTDC_VC_AV,
                    "ContingentCondition": C.THOST_FTDC_CC_Immediately,
                }
                sides.append(side_req)
            key = self._next("quote")
            saved = dict(state.refs)
            orders = []
            try:
                for side_req in sides:
                    order = self._validate_order(session, account, side_req, reqid, quote_key=key)
                    orders.append(order)
                    self._freeze(order, 1, order.volume)  # so the second side sees the first
            except Refused:
                state.refs = saved  # a refused quote uses none of its side refs
                raise
            finally:
                for order in orders:
                    self._freeze(order, -1, order.volume)
        except Refused as rejection:
            return self._reject(out, session, "onRspQuoteInsert", data, reqid, rejection.error_id)
        ref = state.take_ref("quote", ref)
        ask_order, bid_order = orders
        quote_data = {
            "BrokerID": session.broker_id,
            "InvestorID": session.investor_id,
            "InstrumentID": iid,
            "QuoteRef": ref,
            "UserID": str(req.get("UserID", "")) or session.investor_id,
            "AskPrice": ask,
            "BidPrice": bid,
            "AskVolume": ask_order.volume,
            "BidVolume": bid_order.volume,
            "RequestID": reqid,
            "BusinessUnit": str(req.get("BusinessUnit", "")),
            "AskOffsetFlag": ask_order.offset,
            "BidOffsetFlag": bid_order.offset,
            "AskHedgeFlag": ask_order.hedge,
            "BidHedgeFlag": bid_order.hedge,
            "QuoteLocalID": f"{key:>12}",
            "ExchangeID": info.exchange_id,
            "ParticipantID": session.broker_id,
            "ClientID": session.investor_id,
            "ExchangeInstID": iid,
            "TraderID": "sim",
            "InstallID": 1,
            "NotifySequence": 1,
            "OrderSubmitStatus": C.THOST_FTDC_OSS_InsertSubmitted,
            "TradingDay": self.trading_day,
            "SettlementID": 1,
            "QuoteSysID": "",
            "InsertDate": now.strftime("%Y%m%d"),
            "InsertTime": now.strftime("%H:%M:%S"),
            "CancelTime": "",
            "QuoteStatus": C.THOST_FTDC_OST_Unknown,
            "ClearingPartID": session.broker_id,
            "SequenceNo": key,
            "AskOrderSysID": "",
            "BidOrderSysID": "",
            "FrontID": session.front_id,
            "SessionID": session.session_id,
            "UserProductInfo": "",
            "StatusMsg": "报价已提交",
            "ActiveUserID": "",
            "BrokerQuoteSeq": key,
            "AskOrderRef": ask_order.order_ref,
            "BidOrderRef": bid_order.order_ref,
            "ForQuoteSysID": str(req.get("ForQuoteSysID", "")),
            "BranchID": "",
            "InvestUnitID": "",
            "AccountID": session.investor_id,
            "CurrencyID": "CNY",
            "reserve1": "",
            "MacAddress": "",
            "LoginPBU": "",
            "IPAddress": "",
        }
        quote = Quote(
            key,
            session.investor_id,
            iid,
            session.front_id,
            session.session_id,
            ref,
            ask_order.key,
            bid_order.key,
            quote_data,
        )
        self.quotes[key] = quote
        self._touch("quote", key, quote)
        self._push(out, session.investor_id, "onRtnQuote", quote_data)
        sub: list[Outgoing] = []
        for order in orders:
            self._accept_order(order, sub)
        quote_data.update(
            QuoteSysID=str(self._next(f"quotesysid:{info.exchange_id}")),
            AskOrderSysID=str(ask_order.data.get("OrderSysID", "")),
            BidOrderSysID=str(bid_order.data.get("OrderSysID", "")),
            OrderSubmitStatus=C.THOST_FTDC_OSS_Accepted,
            NotifySequence=2,
            StatusMsg="报价已接受",
        )
        out.extend(sub)
        if quote.active:
            quote_data["QuoteStatus"] = C.THOST_FTDC_OST_NoTradeQueueing
            self._push(out, session.investor_id, "onRtnQuote", quote_data)
        self._commit()
        return out

    def _quote_side_done(self, order: Order, now: datetime, out: list[Outgoing]) -> None:
        quote = self.quotes.get(order.quote_key)
        if quote is None or not quote.active:
            return
        sides = [self.orders.get(quote.ask_key), self.orders.get(quote.bid_key)]
        if any(side is not None and side.live for side in sides):
            return
        quote.active = False
        traded = all(side is not None and side.remaining == 0 for side in sides)
        quote.data.update(
            QuoteStatus=C.THOST_FTDC_OST_AllTraded if traded else C.THOST_FTDC_OST_Canceled,
            StatusMsg="全部成交" if traded else "已撤单",
            NotifySequence=int(quote.data.get("NotifySequence", 0)) + 1,
        )
        if not traded:
            quote.data["CancelTime"] = now.strftime("%H:%M:%S")
        self._touch("quote", quote.key, quote)
        self._push(out, quote.investor_id, "onRtnQuote", quote.data)

    def _cancel_quote(self, quote: Quote, now: datetime, out: list[Outgoing]) -> None:
        for key in (quote.ask_key, quote.bid_key):
            order = self.orders.get(key)
            if order is not None and order.live:
                self._cancel(order, now, out, "已撤单")
        if quote.active:
            quote.active = False
            quote.data.update(
                QuoteStatus=C.THOST_FTDC_OST_Canceled,
                StatusMsg="已撤单",
                CancelTime=now.strftime("%H:%M:%S"),
                NotifySequence=int(quote.data.get("NotifySequence", 0)) + 1,
            )
            self._touch("quote", quote.key, quote)
            self._push(out, quote.investor_id, "onRtnQuote", quote.data)

    def quote_action(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        """ReqQuoteAction: cancel both sides of a quote (86 when not found or finished)."""
        out: list[Outgoing] = []
        now = self.now()
        try:
            self._check_session(session, req)
            target = _find_ref(self.quotes.values(), session, req, "QuoteRef", "QuoteSysID")
            if target is None or not target.active:
                raise Refused(E.QUOTE_NOT_FOUND)
            if not cancel_allowed(self._phase(), now.time()):
                raise Refused(E.OUT_OF_ACTION_TIME)
        except Refused as rejection:
            rsp = "onRspQuoteAction"
            return self._reject(out, session, rsp, dict(req), reqid, rejection.error_id)
        self._cancel_quote(target, now, out)
        self._commit()
        return out

    def for_quote_insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        """ReqForQuoteInsert: a request for quote, delivered as OnRtnForQuoteRsp to the
        instrument's ForQuoteRsp subscribers (target ``forquote``)."""
        out: list[Outgoing] = []
        data = dict(req)
        now = self.now()
        try:
            self._check_session(session, req)
            info = self.instruments.get(str(req.get("InstrumentID", "")))
            if info is None:
                raise Refused(E.INSTRUMENT_NOT_FOUND)
            if not info.is_option:
                raise Refused(E.INSTR_NOTSUPPORT_FORQUOTE)
        except Refused as rejection:
            rsp = "onRspForQuoteInsert"
            return self._reject(out, session, rsp, data, reqid, rejection.error_id)
        rsp_data = {
            "TradingDay": self.trading_day,
            "InstrumentID": info.instrument_id,
            "ForQuoteSysID": str(self._next(f"forquote:{info.exchange_id}")),
            "ForQuoteTime": now.strftime("%H:%M:%S"),
            "ActionDay": now.strftime("%Y%m%d"),
            "ExchangeID": info.exchange_id,
        }
        out.append(Outgoing(TARGET_FORQUOTE, info.instrument_id, ("onRtnForQuoteRsp", (rsp_data,))))
        self._commit()
        return out

    # --- queries ---------------------------------------------------------------------------
    def query(self, session: SessionRef, name: str, req: Data) -> list[Data]:
        """Rows of a query in the real struct shape (``[]`` for an empty result).

        ``name`` is the table as in ``ReqQry<Name>`` ("TradingAccount") or snake case
        ("trading_account"). Filters: InstrumentID and ExchangeID where the struct has them,
        OrderSysID for orders, TradeID for trades.
        """
        table = _snake(name) if any(ch.isupper() for ch in name) else name
        investor = session.investor_id
        iid = str(req.get("InstrumentID", "") or "")
        exchange = str(req.get("ExchangeID", "") or "")

        def keep(row: Mapping[str, Any]) -> bool:
            if iid and row.get("InstrumentID") != iid:
                return False
            return not (exchange and row.get("ExchangeID") != exchange)

        rows: list[Data]
        if table == "instrument":
            rows = [self._instrument_row(i) for i in self._raw_instruments]
            rows = [r for r in rows if keep(r)]
        elif table == "trading_account":
            account = self.accounts.get(investor)
            rows = [self._account_row(account)] if account is not None else []
        elif table == "investor_position":
            rows = [r for r in self._position_rows(investor) if keep(r)]
        elif table == "order":
            sysid = str(req.get("OrderSysID", "") or "")
            rows = [
                dict(o.data)
                for o in sorted(self.orders.values(), key=lambda o: o.key)
                if o.investor_id == investor
                and keep(o.data)
                and (not sysid or o.data.get("OrderSysID") == sysid)
            ]
        elif table == "trade":
            trade_id = str(req.get("TradeID", "") or "")
            rows = [
                dict(t, TradeSource=C.THOST_FTDC_TSRC_QUERY)
                for t in self.trades.get(investor, [])
                if keep(t) and (not trade_id or t.get("TradeID") == trade_id)
            ]
        elif table == "exec_order":
            rows = [
                dict(e.data)
                for e in sorted(self.exec_orders.values(), key=lambda e: e.key)
                if e.investor_id == investor and keep(e.data)
            ]
        elif table == "lock":
            rows = [dict(lk) for lk in self.locks.get(investor, []) if keep(lk)]
        elif table == "lock_position":
            rows = [
                {
                    "BrokerID": s.broker_id,
                    "InvestorID": s.investor_id,
                    "InstrumentID": s.instrument_id,
                    "ExchangeID": s.exchange_id,
                    "Volume": s.locked,
                    "FrozenVolume": s.lock_frozen,
                    "TodayVolume": s.today_locked,
                }
                for s in sorted(self._stocks_of(investor), key=lambda s: s.key)
                if s.exchange_id != SZSE
            ]
            rows = [r for r in rows if keep(r)]
        elif table == "quote":
            rows = [
                dict(q.data)
                for q in sorted(self.quotes.values(), key=lambda q: q.key)
                if q.investor_id == investor and keep(q.data)
            ]
        elif table in ("instrument_commission_rate", "option_instr_comm_rate"):
            rows = self._commission_rows(session, iid, table == "option_instr_comm_rate")
        elif table == "option_instr_trade_cost":
            rows = self._trade_cost_rows(session, req)
        elif table == "depth_market_data":
            now = self.now()
            ids = [iid] if iid else list(self.instruments)
            rows = []
            for i in ids:
                if i in self._raw_instruments:
                    try:
                        rows.append(dict(self.market.snapshot(i, now)))
                    except KeyError:
                        continue
        else:
            rows = []
        return rows

    def _account_row(self, account: Account) -> Data:
        option_value = self.books[account.investor_id].option_value(self.instruments, self._mark)
        return {
            "BrokerID": account.broker_id,
            "AccountID": account.investor_id,
            "PreMortgage": 0.0,
            "PreCredit": 0.0,
            "PreDeposit": 0.0,
            "PreBalance": account.pre_balance,
            "PreMargin": account.pre_margin,
            "InterestBase": 0.0,
            "Interest": 0.0,
            "Deposit": account.deposit,
            "Withdraw": account.withdraw,
            "FrozenMargin": account.frozen_margin,
            "FrozenCash": account.frozen_cash,
            "FrozenCommission": account.frozen_commission,
            "CurrMargin": account.curr_margin,
            "CashIn": account.cash_in,
            "Commission": account.commission,
            "CloseProfit": 0.0,
            "PositionProfit": 0.0,
            "Balance": account.balance,
            "Available": account.available,
            "WithdrawQuota": max(0.0, account.available),
            "Reserve": 0.0,
            "TradingDay": self.trading_day,
            "SettlementID": 1,
            "Credit": 0.0,
            "Mortgage": 0.0,
            "ExchangeMargin": account.exchange_margin,
            "DeliveryMargin": account.delivery_margin,
            "ExchangeDeliveryMargin": account.delivery_margin,
            "ReserveBalance": 0.0,
            "CurrencyID": "CNY",
            "PreFundMortgageIn": 0.0,
            "PreFundMortgageOut": 0.0,
            "FundMortgageIn": 0.0,
            "FundMortgageOut": 0.0,
            "FundMortgageAvailable": 0.0,
            "MortgageableFund": 0.0,
            "SpecProductMargin": 0.0,
            "SpecProductFrozenMargin": 0.0,
            "SpecProductCommission": 0.0,
            "SpecProductFrozenCommission": 0.0,
            "SpecProductPositionProfit": 0.0,
            "SpecProductCloseProfit": 0.0,
            "SpecProductPositionProfitByAlg": 0.0,
            "SpecProductExchangeMargin": 0.0,
            "BizType": C.THOST_FTDC_BZTP_Stock,
            "FrozenSwap": 0.0,
            "RemainSwap": 0.0,
            "OptionValue": option_value,
        }

    def _mark(self, iid: str) -> float:
        last = getattr(self.market, "last_price", None)
        if last is not None:
            try:
                value = float(last(iid))
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
        return self._pre_settle(iid)

    def _position_rows(self, investor: str) -> list[Data]:
        rows: list[Data] = []
        book = self.books.get(investor)
        if book is None:
            return rows
        for row in sorted(book.positions.values(), key=lambda r: r.key):
            if not (row.position or row.yd_position or row.open_volume or row.close_volume):
                continue
            long_row = row.direction == LONG
            mark = self._mark(row.instrument_id)
            info = self.instruments.get(row.instrument_id)
            unit = info.unit if info is not None else 1
            frozen_margin = frozen_cash = frozen_fee = 0.0
            for order in self.live_orders.values():
                if order.investor_id != investor or order.instrument_id != row.instrument_id:
                    continue
                if not order.live or order.hedge != row.hedge:
                    continue
                opens_this = order.offset == OPEN and (order.direction == BUY) == long_row
                closes_this = order.offset == CLOSE and (order.direction == SELL) == long_row
                if opens_this or closes_this:
                    frozen_margin += order.margin_per_lot * order.remaining
                    frozen_cash += order.cash_per_lot * order.remaining
                    frozen_fee += order.fee_per_lot * order.remaining
            rows.append(
                {
                    "InstrumentID": row.instrument_id,
                    "BrokerID": row.broker_id,
                    "InvestorID": row.investor_id,
                    "PosiDirection": row.direction,
                    "HedgeFlag": row.hedge,
                    "PositionDate": C.THOST_FTDC_PSD_Today,
                    "YdPosition": row.yd_position,
                    "Position": row.position,
                    "LongFrozen": 0 if long_row else row.close_frozen,
                    "ShortFrozen": row.close_frozen if long_row else 0,
                    "LongFrozenAmount": frozen_cash if long_row else 0.0,
                    "ShortFrozenAmount": 0.0 if long_row else frozen_margin,
                    "OpenVolume": row.open_volume,
                    "CloseVolume": row.close_volume,
                    "OpenAmount": row.open_amount,
                    "CloseAmount": row.close_amount,
                    "PositionCost": row.position_cost,
                    "PreMargin": row.pre_margin,
                    "UseMargin": row.use_margin,
                    "FrozenMargin": frozen_margin,
                    "FrozenCash": frozen_cash,
                    "FrozenCommission": frozen_fee,
                    "CashIn": row.cash_in,
                    "Commission": row.commission,
                    "CloseProfit": row.close_profit,
                    "PositionProfit": 0.0,
                    "PreSettlementPrice": row.pre_settlement,
                    "SettlementPrice": mark,
                    "TradingDay": self.trading_day,
                    "SettlementID": 1,
                    "OpenCost": row.open_cost,
                    "ExchangeMargin": row.exchange_margin,
                    "CombPosition": 0,
                    "CombLongFrozen": 0,
                    "CombShortFrozen": 0,
                    "CloseProfitByDate": row.close_profit,
                    "CloseProfitByTrade": row.close_profit,
                    "TodayPosition": row.today_position,
                    "MarginRateByMoney": 0.0,
                    "MarginRateByVolume": 0.0,
                    "StrikeFrozen": row.strike_frozen,
                    "StrikeFrozenAmount": 0.0,
                    "AbandonFrozen": 0,
                    "ExchangeID": row.exchange_id,
                    "YdStrikeFrozen": min(row.strike_frozen, row.yd_position),
                    "InvestUnitID": "",
                    # sopt-rules.md B.9.1: LastPrice x Position x unit on long and short rows
                    # alike; the account's OptionValue subtracts the shorts (B.9.2)
                    "OptionValue": mark * unit * row.position,
                }
            )
        for stock in sorted(book.stocks.values(), key=lambda s: s.key):
            if not (stock.volume or stock.yd_volume):
                continue
            price = self._mark(stock.instrument_id)
            blank: Data = {key: 0.0 for key in POSITION_MONEY_FIELDS}
            blank.update({key: 0 for key in POSITION_VOLUME_FIELDS})
            blank.update(InvestUnitID="", PreSettlementPrice=price, SettlementPrice=price)
            rows.append(
                blank
                | {
                    "InstrumentID": stock.instrument_id,
                    "BrokerID": stock.broker_id,
                    "InvestorID": stock.investor_id,
                    "PosiDirection": LONG,
                    "HedgeFlag": SPEC,
                    "PositionDate": C.THOST_FTDC_PSD_Today,
                    "YdPosition": stock.yd_volume,
                    "Position": stock.volume,
                    "LongFrozen": 0,
                    "ShortFrozen": stock.locked + stock.frozen,
                    "TodayPosition": max(0, stock.volume - stock.yd_volume),
                    "PositionCost": price * stock.volume,
                    "OpenCost": price * stock.volume,
                    "UseMargin": 0.0,
                    "ExchangeMargin": 0.0,
                    "StrikeFrozen": 0,
                    "ExchangeID": stock.exchange_id,
                    "TradingDay": self.trading_day,
                    "SettlementID": 1,
                    "OptionValue": 0.0,
                }
            )
        return rows

    def _commission_rows(self, session: SessionRef, iid: str, option: bool) -> list[Data]:
        fees = self.config.fees
        if iid:
            infos = [self.instruments[iid]] if iid in self.instruments else []
            ids = [(i.instrument_id, i.exchange_id) for i in infos if i.is_option]
        else:
            ids = sorted(
                {(i.underlying, i.exchange_id) for i in self.instruments.values() if i.is_option}
            )
        rows = []
        for instrument_id, exchange_id in ids:
            row: Data = {
                "InstrumentID": instrument_id,
                "InvestorRange": "3",
                "BrokerID": session.broker_id,
                "InvestorID": session.investor_id,
                "OpenRatioByMoney": 0.0,
                "OpenRatioByVolume": fees.buy_open,
                "CloseRatioByMoney": 0.0,
                "CloseRatioByVolume": fees.close,
                "CloseTodayRatioByMoney": 0.0,
                "CloseTodayRatioByVolume": fees.close,
                "ExchangeID": exchange_id,
                "InvestUnitID": "",
            }
            if option:
                row["StrikeRatioByMoney"] = 0.0
                row["StrikeRatioByVolume"] = fees.exercise
            else:
                row["BizType"] = C.THOST_FTDC_BZTP_Stock
            rows.append(row)
        return rows

    def _trade_cost_rows(self, session: SessionRef, req: Data) -> list[Data]:
        info = self.instruments.get(str(req.get("InstrumentID", "")))
        if info is None or not info.is_option:
            return []
        premium = float(req.get("InputPrice", 0.0) or 0.0) or self._pre_settle(info.instrument_id)
        underlying = float(req.get("UnderlyingPrice", 0.0) or 0.0) or self._pre_close(
            info.underlying
        )
        fixed, mini = margin_parts(info.is_call, premium, underlying, info.strike, info.unit)
        markup = 1.0 + self.config.margin_markup
        return [
            {
                "BrokerID": session.broker_id,
                "InvestorID": session.investor_id,
                "InstrumentID": info.instrument_id,
                "HedgeFlag": str(req.get("HedgeFlag", SPEC) or SPEC),
                "FixedMargin": fixed * markup,
                "MiniMargin": mini * markup,
                "Royalty": premium * info.unit,
                "ExchFixedMargin": fixed,
                "ExchMiniMargin": mini,
                "ExchangeID": info.exchange_id,
                "InvestUnitID": "",
            }
        ]

    # --- day roll --------------------------------------------------------------------------
    def _settle_market(self) -> dict[str, float]:
        """Settlement prices of the day (options) and closes (ETFs), from ``market.settle()``;
        a missing or unusable price falls back to the last price."""
        settler = getattr(self.market, "settle", None)
        prices: dict[str, float] = {}
        if settler is not None:
            prices = {str(k): float(v) for k, v in dict(settler()).items()}
        for iid in self.instruments:
            value = prices.get(iid, 0.0)
            if not 0 < value < 1e300:
                prices[iid] = self._mark(iid)
        return prices

    def roll_day(self) -> list[Outgoing]:
        """End of the trading day and start of the next one.

        1. every live order is cancelled (the exchanges keep no order overnight);
        2. expiring options (ExpireDate = today): exercise declarations are executed (calls pay
           strike cash and receive shares, puts deliver shares and receive strike cash, the
           exercise fee is charged, ExecResult '0'); short positions are assigned in full when
           in the money at the underlying close (the market's long holders exercise them:
           call writers deliver shares - covered ones their locked/frozen shares - and receive
           strike cash, a shortfall of shares is cash-settled at the close; put writers pay
           strike cash and receive shares), else they lapse; undeclared longs lapse;
        3. short speculative positions get the maintenance margin (settlement price and
           underlying close), yesterday's values roll (YdPosition, PreBalance, PreMargin,
           PreSettlementPrice, PositionCost at settlement);
        4. the market rolls and the new trading day starts with empty orders, trades and flows.
        """
        settlements = self._settle_market()
        out = self._close_day(settlements)
        self.trading_day = self._roll_market(settlements)
        self._kv_dirty = self._save_market = self._save_listing = True
        self._commit()
        return out

    def _catch_up(self, market_day: str) -> None:
        """A state file from an earlier trading day met a market already on ``market_day``
        (restart after the close): settle the stored day at the market's previous settlement
        prices and underlying closes, then continue on ``market_day``."""
        settlements: dict[str, float] = {}
        for iid, info in self.instruments.items():
            try:
                if info.is_option:
                    settlements[iid] = float(self.market.pre_settlement(iid))
                else:
                    settlements[iid] = float(self.market.pre_close(iid))
            except (KeyError, AttributeError):
                continue
        self._close_day(settlements, expire_before=market_day)
        self.trading_day = market_day
        self._kv_dirty = True
        self._commit()

    def _close_day(
        self, settlements: Mapping[str, float], expire_before: str = ""
    ) -> list[Outgoing]:
        """Steps 1-3 of ``roll_day``; options with ExpireDate <= today (< ``expire_before``
        when catching up) expire."""
        out: list[Outgoing] = []
        now = self.now()
        for order in sorted(self.live_orders.values(), key=lambda o: o.key):
            self._cancel(order, now, out, "已撤单")
        delivery: dict[str, float] = {}
        expiring = S.expiring_contracts(self.instruments, self.trading_day, expire_before)
        for item in sorted(self.exec_orders.values(), key=lambda e: e.key):
            if not item.active or item.instrument_id not in expiring:
                continue
            self._exercise(item, delivery, out, now)
        closes = {
            info.underlying: settlements.get(info.underlying) or self._pre_close(info.underlying)
            for info in self.instruments.values()
            if info.is_option
        }
        for investor, book in self.books.items():
            start = delivery.get(investor, 0.0)
            delivery[investor] = S.expire_positions(book, self.instruments, expiring, closes, start)
        for iid in expiring:
            self._touch("instrument", iid, None)
        for book in self.books.values():
            S.reset_margins(book)
        for book in self.books.values():
            S.roll_book(book, self.instruments, settlements, closes, self.terms, expiring)
        for investor, book in self.books.items():
            S.roll_account(book, delivery.get(investor, 0.0))
        for book in self.books.values():
            S.roll_stocks(book)
        for key in self.orders:
            self._touch("order", key, None)
        for key in self.exec_orders:
            self._touch("exec", key, None)
        for key in self.quotes:
            self._touch("quote", key, None)
        for investor, rows in self.trades.items():
            for trade in rows:
                self._touch("trade", f"{investor}|{trade['SequenceNo']:012d}", None)
        for investor, rows in self.locks.items():
            for lock in rows:
                self._touch("lock", f"{investor}|{lock['BrokerLockSeq']:012d}", None)
        self.orders.clear()
        self.live_orders.clear()
        self.order_refs.clear()
        self.order_sysids.clear()
        self.trades.clear()
        self.exec_orders.clear()
        self.locks.clear()
        self.quotes.clear()
        self.resting.clear()
        self.flows.clear()
        return out

    def _roll_market(self, settlements: Mapping[str, float]) -> str:
        """Move the market to the next trading day with the next day's listing (expired
        contracts dropped, new months and strikes listed around the ETF closes)."""
        next_day = calendar.next_trading_day(self._trading_date())
        current = _attr(self.market, "instruments")
        spots = {
            info.instrument_id: settlements[info.instrument_id]
            for info in self.instruments.values()
            if not info.is_option and info.instrument_id in settlements
        }
        listing = build_instruments(next_day, spots, existing=list(_instrument_objects(current)))
        self.market.roll(next_day, listing)
        self._load_instruments(_attr(self.market, "instruments"))
        return next_day.strftime("%Y%m%d")

    def _exercise(
        self, item: ExecOrder, delivery: dict[str, float], out: list[Outgoing], now: datetime
    ) -> None:
        info = self.instruments[item.instrument_id]
        self._release_exec(item)
        hedge = str(item.data.get("HedgeFlag", SPEC))
        book = self.books[item.investor_id]
        cash = X.settle_exercise(book, info, hedge, item.volume, self.config.fees)
        delivery[item.investor_id] = delivery.get(item.investor_id, 0.0) + cash
        item.data.update(
            ExecResult=C.THOST_FTDC_OER_OK,
            StatusMsg="执行成功",
            NotifySequence=int(item.data.get("NotifySequence", 0)) + 1,
        )
        self._touch("exec", item.key, item)
        self._push(out, item.investor_id, "onRtnExecOrder", item.data)

    # --- invariants ------------------------------------------------------------------------
    def check_invariants(self) -> list[str]:
        """Consistency of money, positions and shares; returns the violations found.

        Recomputes frozen amounts from live orders and exercise declarations, margins from
        positions, CashIn and Commission from today's trades, close-frozen volumes from
        pending closes and frozen shares from covered positions and pending orders.
        """
        problems: list[str] = []
        positions, stocks = self.positions, self.stocks

        def near(a: float, b: float) -> bool:
            return abs(a - b) <= 1e-4 * max(1.0, abs(a), abs(b))

        for investor, account in self.accounts.items():
            live = [o for o in self.orders.values() if o.investor_id == investor and o.live]
            execs = [e for e in self.exec_orders.values() if e.investor_id == investor and e.active]
            expected = {
                "frozen_cash": sum(o.cash_per_lot * o.remaining for o in live),
                "frozen_margin": sum(o.margin_per_lot * o.remaining for o in live),
                "frozen_commission": sum(o.fee_per_lot * o.remaining for o in live)
                + sum(e.fee_frozen for e in execs),
                "delivery_margin": sum(e.cash_frozen for e in execs),
                "curr_margin": sum(
                    r.use_margin for r in positions.values() if r.investor_id == investor
                ),
                "exchange_margin": sum(
                    r.exchange_margin for r in positions.values() if r.investor_id == investor
                ),
            }
            cash_in = fees = 0.0
            for trade in self.trades.get(investor, []):
                info = self.instruments[trade["InstrumentID"]]
                amount = trade["Price"] * info.unit * trade["Volume"]
                cash_in += amount if trade["Direction"] == SELL else -amount
                action = fee_action(trade["Direction"], normalize_offset(trade["OffsetFlag"]) or "")
                fees += self.config.fees.fee(action, trade["Volume"])
            expected["cash_in"] = cash_in
            expected["commission"] = fees
            for name, value in expected.items():
                actual = getattr(account, name)
                if not near(actual, value):
                    problems.append(f"{investor} {name} {actual} != {value}")
            balance = account.pre_balance + account.cash_in - account.commission
            if not near(account.balance, balance + account.deposit - account.withdraw):
                problems.append(f"{investor} balance {account.balance} != {balance}")
            for name in ("frozen_cash", "frozen_margin", "frozen_commission", "curr_margin"):
                if getattr(account, name) < -EPS:
                    problems.append(f"{investor} {name} negative")
        for row in positions.values():
            pending = sum(
                o.remaining
                for o in self.orders.values()
                if o.live
                and o.offset == CLOSE
                and o.investor_id == row.investor_id
                and o.instrument_id == row.instrument_id
                and o.hedge == row.hedge
                and (SHORT if o.direction == BUY else LONG) == row.direction
            )
            if pending != row.close_frozen:
                problems.append(f"{row.key} close_frozen {row.close_frozen} != {pending}")
            if row.position < 0 or row.closable < 0 or row.today_position > row.position:
                problems.append(f"{row.key} bad volumes {row}")
            if row.direction == LONG and row.use_margin:
                problems.append(f"{row.key} long row with margin")
        for stock in stocks.values():
            covered = 0
            for row in positions.values():
                inst = self.instruments.get(row.instrument_id)
                if (
                    row.investor_id == stock.investor_id
                    and row.hedge == COVERED
                    and inst is not None
                    and inst.underlying == stock.instrument_id
                ):
                    covered += row.position * inst.unit
            pending = sum(
                o.shares_per_lot * o.remaining
                for o in self.orders.values()
                if o.live
                and o.investor_id == stock.investor_id
                and self.instruments[o.instrument_id].underlying == stock.instrument_id
            )
            exec_shares = sum(
                e.shares_frozen
                for e in self.exec_orders.values()
                if e.active
                and e.investor_id == stock.investor_id
                and self.instruments[e.instrument_id].underlying == stock.instrument_id
            )
            if stock.exchange_id == SZSE:
                if stock.frozen != covered + pending + exec_shares:
                    problems.append(f"{stock.key} frozen {stock.frozen}")
            else:
                if stock.lock_frozen != covered + pending:
                    problems.append(f"{stock.key} lock_frozen {stock.lock_frozen}")
                if stock.frozen != exec_shares:
                    problems.append(f"{stock.key} frozen {stock.frozen}")
            if stock.free < 0 or stock.lock_frozen > stock.locked:
                problems.append(f"{stock.key} negative free shares")
        live_keys = {o.key for o in self.orders.values() if o.live}
        if live_keys != set(self.live_orders):
            problems.append(f"live order index {sorted(self.live_orders)} != {sorted(live_keys)}")
        for iid, book in self.resting.items():
            for resting in book.by_key.values():
                order = self.orders.get(resting.key)
                if order is None or not order.live or order.remaining != resting.remaining:
                    problems.append(f"{iid} book entry {resting.key} stale")
        return problems
