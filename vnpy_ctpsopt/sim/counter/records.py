"""The counter's records and the shapes it hands to the api backend.

``Outgoing`` / ``Callback`` are the counter's answer to every request and market step (see the
``SimCounter`` docstring for targets). ``Order``, ``ExecOrder`` and ``Quote`` are today's
requests with the CTP struct last pushed (``data``); together with ``core.book``'s Account,
Position and Stock they are the records the state file stores as JSON (their fields are its
format: add fields with defaults only).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from ...api import constant as C
from ...core.terms import Refused

Callback = tuple[str, tuple[Any, ...]]
Data = dict[str, Any]

TARGET_SESSION = "session"
TARGET_INVESTOR = "investor"
TARGET_PUBLIC = "public"
TARGET_FORQUOTE = "forquote"

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
            number = ref_number(text)
            if number is None or number <= self.refs.get(kind, 0):
                raise Refused(error_id)
        return text

    def take_ref(self, kind: str, text: str) -> str:
        """Record a ref of an accepted request (the next number when ``text`` is empty)."""
        number = int(text) if text else self.refs.get(kind, 0) + 1
        self.refs[kind] = max(self.refs.get(kind, 0), number)
        return text or str(number)


def ref_number(text: str) -> int | None:
    text = str(text).strip()
    return int(text) if text.isdigit() else None


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


Referenced = TypeVar("Referenced", ExecOrder, Quote)


def find_ref(
    items: Iterable[Referenced], session: SessionRef, req: Data, ref_field: str, sysid_field: str
) -> Referenced | None:
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
