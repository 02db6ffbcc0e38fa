"""Events, data and request classes for the SOPT operations vn.py has no object for.

Exercise (行权) and lock/unlock of ETF shares (锁定/解锁, SSE only) are sent with
``CtpsoptGateway.send_exercise`` / ``send_lock``. Their status updates are pushed on the event
engine as ``EVENT_CTPSOPT_EXERCISE`` / ``EVENT_CTPSOPT_LOCK`` (plus ``+ vt_id`` variants, like
vn.py's order events). ``status`` reuses vn.py's ``Status``:

- SUBMITTING: sent, waiting for the counter;
- NOTTRADED: accepted (an exercise waits for the expiry-day settlement);
- ALLTRADED: done (lock/unlock effective, exercise executed);
- CANCELLED: cancelled (exercise only);
- REJECTED: refused by the gateway, the counter or the exchange (``msg`` says why).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from vnpy.trader.constant import Direction, Exchange, Status

EVENT_CTPSOPT_EXERCISE: str = "eCtpsoptExercise."
EVENT_CTPSOPT_LOCK: str = "eCtpsoptLock."
# Combine / split of a combination strategy position (组合/拆分), CombActionData.
EVENT_CTPSOPT_COMB: str = "eCtpsoptComb."
# A request for quote (询价) received from the market: market makers' td flow and md
# subscribers (CtpsoptGateway.subscribe_rfq). Also pushed as ``EVENT_CTPSOPT_RFQ + vt_symbol``.
EVENT_CTPSOPT_RFQ: str = "eCtpsoptRfq."


class SoptOrderType(Enum):
    """Every order type of the SSE/SZSE option markets (sopt-rules A.6), for
    ``CtpsoptGateway.send_sopt_order``. vn.py's LIMIT, FOK and MARKET are LIMIT, LIMIT_FOK and
    MARKET_IOC; the rest has no vn.py OrderType. Values are the Chinese names (SSE / SZSE)."""

    LIMIT = "普通限价"
    LIMIT_FOK = "限价全额即时成交或撤销"
    MARKET_IOC = "市价即时成交剩余撤销"
    MARKET_FOK = "市价全额即时成交或撤销"
    MARKET_TO_LIMIT = "市价剩余转限价"  # SSE only
    BEST_OPPOSITE = "对手方最优价格"  # SZSE only
    BEST_OWN = "本方最优价格"  # SZSE only
    BEST5_IOC = "最优五档即时成交剩余撤销"  # SZSE only


class LockType(Enum):
    """Lock (锁定) or unlock (解锁) ETF shares for covered calls."""

    LOCK = "锁定"
    UNLOCK = "解锁"


@dataclass
class ExerciseRequest:
    """Exercise ``volume`` long contracts of an option on its expiry day."""

    symbol: str
    exchange: Exchange
    volume: float
    reference: str = ""

    def __post_init__(self) -> None:
        self.vt_symbol: str = f"{self.symbol}.{self.exchange.value}"


@dataclass
class LockRequest:
    """Lock or unlock ``volume`` shares (份) of an underlying ETF (SSE only)."""

    symbol: str
    exchange: Exchange
    volume: float
    lock_type: LockType = LockType.LOCK
    reference: str = ""

    def __post_init__(self) -> None:
        self.vt_symbol: str = f"{self.symbol}.{self.exchange.value}"


@dataclass
class ExerciseData:
    """The latest state of an exercise declaration."""

    gateway_name: str
    symbol: str
    exchange: Exchange
    exerciseid: str
    volume: float = 0
    status: Status = Status.SUBMITTING
    exec_result: str = ""
    msg: str = ""
    datetime: datetime | None = None
    reference: str = ""
    extra: dict[str, Any] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.vt_symbol: str = f"{self.symbol}.{self.exchange.value}"
        self.vt_exerciseid: str = f"{self.gateway_name}.{self.exerciseid}"

    def is_active(self) -> bool:
        return self.status in (Status.SUBMITTING, Status.NOTTRADED)


@dataclass
class LockData:
    """The latest state of a lock/unlock instruction."""

    gateway_name: str
    symbol: str
    exchange: Exchange
    lockid: str
    lock_type: LockType = LockType.LOCK
    volume: float = 0
    status: Status = Status.SUBMITTING
    msg: str = ""
    datetime: datetime | None = None
    reference: str = ""
    extra: dict[str, Any] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.vt_symbol: str = f"{self.symbol}.{self.exchange.value}"
        self.vt_lockid: str = f"{self.gateway_name}.{self.lockid}"

    def is_active(self) -> bool:
        return self.status in (Status.SUBMITTING, Status.NOTTRADED)


@dataclass
class RfqData:
    """A request for quote (询价) on an option, as the exchange broadcasts it to market makers.

    ``rfqid`` is the exchange's ForQuoteSysID (unique per exchange and day), to be given back in
    a quote answering it."""

    gateway_name: str
    symbol: str
    exchange: Exchange
    rfqid: str
    datetime: datetime | None = None
    trading_day: str = ""

    def __post_init__(self) -> None:
        self.vt_symbol: str = f"{self.symbol}.{self.exchange.value}"
        self.vt_rfqid: str = f"{self.gateway_name}.{self.exchange.value}_{self.rfqid}"


@dataclass
class CombExerciseRequest:
    """Exercise ``volume`` pairs of a call and a put of one strike and expiry together (合并行权,
    SZSE only, 15:00-15:30 of the expiry day). Updates arrive as ExerciseData on
    EVENT_CTPSOPT_EXERCISE for the call, ``extra["put_symbol"]`` naming the put."""

    call_symbol: str
    put_symbol: str
    exchange: Exchange
    volume: float
    reference: str = ""

    def __post_init__(self) -> None:
        self.symbol: str = self.call_symbol
        self.vt_symbol: str = f"{self.call_symbol}.{self.exchange.value}"
        self.put_vt_symbol: str = f"{self.put_symbol}.{self.exchange.value}"


@dataclass
class CombActionRequest:
    """Combine (``combine=True``) or split ``volume`` of a combination strategy (组合保证金,
    sopt-rules A.11/B.7). ``symbol`` is the combination contract the counter lists (ProductClass
    combination); a split names the combination's ``com_tradeid`` (组合编号). ``direction``
    is as the counter defines for the strategy (straddles: SHORT)."""

    symbol: str
    exchange: Exchange
    volume: float
    direction: Direction = Direction.SHORT
    combine: bool = True
    com_tradeid: str = ""
    reference: str = ""

    def __post_init__(self) -> None:
        self.vt_symbol: str = f"{self.symbol}.{self.exchange.value}"


@dataclass
class CombActionData:
    """The latest state of a combine/split instruction (status as LockData's)."""

    gateway_name: str
    symbol: str
    exchange: Exchange
    combid: str
    combine: bool = True
    volume: float = 0
    status: Status = Status.SUBMITTING
    com_tradeid: str = ""
    msg: str = ""
    reference: str = ""

    def __post_init__(self) -> None:
        self.vt_symbol: str = f"{self.symbol}.{self.exchange.value}"
        self.vt_combid: str = f"{self.gateway_name}.{self.combid}"

    def is_active(self) -> bool:
        return self.status in (Status.SUBMITTING, Status.NOTTRADED)
