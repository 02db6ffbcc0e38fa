"""The simulated SOPT counter: sessions, accounts, positions, orders, matching, settlement.

``SimCounter`` is a single-threaded state machine. The sim api backend (``sim/api.py``)
serialises every call under one lock and routes what comes back. Public interface::

    Callback = tuple[str, tuple[Any, ...]]   # ("onRtnOrder", (data,)),
                                             # ("onRspOrderInsert", (data, error, reqid, True))
    Outgoing(target, key, callback, seq=None)   # seq: private-flow number of investor pushes
        target "session":  only the requesting session; key = SessionRef
               "investor": the private flow of an investor (all its logged-in sessions, numbered
                           and kept for replay, see ``private_flow``); key = investor id
               "public":   every td session (instrument status); key = None
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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .rules import FeeSchedule

Callback = tuple[str, tuple[Any, ...]]
Data = dict[str, Any]

TARGET_SESSION = "session"
TARGET_INVESTOR = "investor"
TARGET_PUBLIC = "public"
TARGET_FORQUOTE = "forquote"


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
    broker_id: str = ""
    system_name: str = "TradingHosting"


class SimCounter:
    """The counter state machine. Not thread-safe: the caller serialises all calls."""

    def __init__(
        self,
        config: CounterConfig,
        market: Any,
        instruments: Mapping[str, Any] | None = None,
        store: Any | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        raise NotImplementedError

    trading_day: str

    def authenticate(self, session: SessionRef, req: Data) -> tuple[Data, Data]:
        raise NotImplementedError

    def login(self, session: SessionRef, req: Data) -> tuple[Data, Data]:
        raise NotImplementedError

    def logout(self, session: SessionRef, req: Data) -> tuple[Data, Data]:
        raise NotImplementedError

    def settlement_confirm(self, session: SessionRef, req: Data) -> tuple[Data, Data]:
        raise NotImplementedError

    def order_insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        raise NotImplementedError

    def order_action(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        raise NotImplementedError

    def exec_order_insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        raise NotImplementedError

    def exec_order_action(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        raise NotImplementedError

    def lock_insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        raise NotImplementedError

    def quote_insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        raise NotImplementedError

    def quote_action(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        raise NotImplementedError

    def for_quote_insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        raise NotImplementedError

    def query(self, session: SessionRef, name: str, req: Data) -> list[Data]:
        raise NotImplementedError

    def on_market(self, now: datetime) -> list[Outgoing]:
        raise NotImplementedError

    def roll_day(self) -> list[Outgoing]:
        raise NotImplementedError

    def private_flow(self, investor_id: str) -> list[tuple[int, Callback]]:
        raise NotImplementedError

    def check_invariants(self) -> list[str]:
        raise NotImplementedError
