"""Per-gateway state: contract cache, order/trade identity and dedupe, reference allocators,
the query scheduler. Every object belongs to one gateway instance; nothing is module-level.

Thread model: td callbacks arrive on the backend's worker thread, requests come from any vn.py
thread, the scheduler is driven by EVENT_TIMER on the event thread. Each class here guards itself
with its own lock where it can be reached from more than one thread.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from vnpy.trader.constant import Exchange, Status
from vnpy.trader.object import ContractData, OrderData, PositionData

from .parsing import Data


class ContractCache:
    """Contracts of one gateway. Keyed by exchange symbol (``InstrumentID``, unique across SSE and
    SZSE option and ETF codes) and by vt_symbol."""

    def __init__(self) -> None:
        self.by_symbol: dict[str, ContractData] = {}
        self.by_vt_symbol: dict[str, ContractData] = {}

    def add(self, contract: ContractData) -> None:
        self.by_symbol[contract.symbol] = contract
        self.by_vt_symbol[contract.vt_symbol] = contract

    def get(self, symbol: str) -> ContractData | None:
        return self.by_symbol.get(symbol)

    def get_vt(self, vt_symbol: str) -> ContractData | None:
        return self.by_vt_symbol.get(vt_symbol)

    def clear(self) -> None:
        self.by_symbol.clear()
        self.by_vt_symbol.clear()

    def __len__(self) -> int:
        return len(self.by_symbol)


class RefAllocator:
    """Strictly increasing references (OrderRef, ExecOrderRef, LockRef, QuoteRef) for one session.

    ``floor(n)`` raises the next value above a counter-reported maximum (MaxOrderRef at login);
    values never go down, so refs stay unique across reconnects too.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: int = 0

    def floor(self, value: int | str) -> None:
        try:
            n: int = int(str(value).strip() or 0)
        except ValueError:
            return
        with self._lock:
            self._last = max(self._last, n)

    def next(self) -> str:
        with self._lock:
            self._last += 1
            return str(self._last)

    @property
    def last(self) -> int:
        return self._last


@dataclass
class OrderRecord:
    """What the gateway knows of one order: the last pushed OrderData and its identities."""

    order: OrderData
    frontid: int
    sessionid: int
    order_ref: str
    exchange_id: str = ""
    order_sysid: str = ""
    reference: str = ""
    seen_in_query: bool = False
    submit_status: str = ""  # OrderSubmitStatus of the last report, pushed or not


# Order life: a status never moves to a lower rank.
STATUS_RANK: dict[Status, int] = {
    Status.SUBMITTING: 0,
    Status.NOTTRADED: 1,
    Status.PARTTRADED: 2,
    Status.ALLTRADED: 3,
    Status.CANCELLED: 3,
    Status.REJECTED: 3,
}


class OrderBook:
    """Order identity and dedupe.

    - ``records``: vn.py orderid (``FrontID_SessionID_OrderRef``) -> OrderRecord;
    - ``sysids``: (ExchangeID, OrderSysID) -> orderid, to attach trades to orders;
    - ``trade_keys``: (ExchangeID, TradeID, Direction) of every trade pushed (TradeID is unique per
      exchange and direction), so replays and re-queries never push a trade twice;
    - ``pending_trades``: (ExchangeID, OrderSysID) -> trade dicts that arrived before an order
      carrying that OrderSysID.

    Not thread-safe by itself: the td session calls it under its own lock.
    """

    def __init__(self) -> None:
        self.records: dict[str, OrderRecord] = {}
        self.sysids: dict[tuple[str, str], str] = {}
        self.trade_keys: set[tuple[str, str, str]] = set()
        self.pending_trades: OrderedDict[tuple[str, str], list[Data]] = OrderedDict()

    def get(self, orderid: str) -> OrderRecord | None:
        return self.records.get(orderid)

    def add_sent(
        self, order: OrderData, frontid: int, sessionid: int, order_ref: str, reference: str
    ) -> None:
        self.records[order.orderid] = OrderRecord(
            order=order,
            frontid=frontid,
            sessionid=sessionid,
            order_ref=order_ref,
            reference=reference,
        )

    def accept(
        self,
        order: OrderData,
        frontid: int,
        sessionid: int,
        order_ref: str,
        exchange_id: str,
        order_sysid: str,
    ) -> bool:
        """Record a reported order state; True when it must be pushed.

        A state is dropped when it repeats the last pushed one (same status, traded volume and
        OrderSysID presence), when its status ranks lower than the last one (see STATUS_RANK: a
        RESTART replay re-sends every earlier state), or when the traded volume would go down:
        replays and query snapshots never regress what vn.py saw.
        """
        record: OrderRecord | None = self.records.get(order.orderid)
        if record is None:
            record = OrderRecord(order, frontid, sessionid, order_ref)
            self.records[order.orderid] = record
            push: bool = True
        else:
            last: OrderData = record.order
            rank, last_rank = STATUS_RANK[order.status], STATUS_RANK[last.status]
            if rank < last_rank or order.traded < last.traded:
                push = False
            else:
                push = (
                    rank > last_rank
                    or order.status != last.status
                    or order.traded != last.traded
                    or (bool(order_sysid) and not record.order_sysid)
                )
        if order_sysid:
            record.order_sysid = order_sysid
            record.exchange_id = exchange_id
            self.sysids[(exchange_id, order_sysid)] = order.orderid
        if push:
            record.order = order
        return push

    def orderid_for_trade(self, exchange_id: str, order_sysid: str) -> str | None:
        return self.sysids.get((exchange_id, order_sysid))

    def is_new_trade(self, exchange_id: str, tradeid: str, direction: str) -> bool:
        """True the first time a trade key is seen (and remembers it)."""
        key = (exchange_id, tradeid, direction)
        if key in self.trade_keys:
            return False
        self.trade_keys.add(key)
        return True

    def hold_trade(self, data: Data) -> None:
        key = (data.get("ExchangeID", ""), data.get("OrderSysID", "").strip())
        self.pending_trades.setdefault(key, []).append(data)

    def release_trades(self, exchange_id: str, order_sysid: str) -> list[Data]:
        return self.pending_trades.pop((exchange_id, order_sysid), [])

    def release_all_trades(self) -> list[Data]:
        trades: list[Data] = [d for ds in self.pending_trades.values() for d in ds]
        self.pending_trades.clear()
        return trades


class PositionBook:
    """Last pushed positions, keyed by vt_positionid, so a position that disappears from the
    counter's answer is pushed once more with volume 0 (vn.py would otherwise keep showing it)."""

    def __init__(self) -> None:
        self.pushed: dict[str, PositionData] = {}
        self.rows: list[Data] = []

    def diff(self, fresh: list[PositionData], scope: Callable[[PositionData], bool]) -> list[
        PositionData
    ]:
        """``fresh`` plus zero positions for earlier ones in ``scope`` that are now missing."""
        result: list[PositionData] = list(fresh)
        ids: set[str] = {p.vt_positionid for p in fresh}
        for vt_positionid, old in list(self.pushed.items()):
            if vt_positionid not in ids and scope(old):
                zero: PositionData = PositionData(
                    symbol=old.symbol,
                    exchange=old.exchange,
                    direction=old.direction,
                    gateway_name=old.gateway_name,
                )
                zero.extra = old.extra
                result.append(zero)
                del self.pushed[vt_positionid]
        for p in fresh:
            self.pushed[p.vt_positionid] = p
        return result


@dataclass
class QueryTask:
    name: str
    send: Callable[[int], int]
    retries: int = 0


@dataclass
class _InFlight:
    task: QueryTask
    reqid: int
    sent_at: float = field(default_factory=time.monotonic)


class QueryScheduler:
    """One query at a time, at most one per ``interval`` seconds, driven by EVENT_TIMER.

    - ``request(name, send)`` queues a query unless one of that name is already queued or in flight
      (so bursts of trades cause one position refresh, not many);
    - ``on_timer()`` (every timer event) sends the next query when nothing is in flight and the
      interval has passed; a non-zero return (-1 not connected, -2 too many in flight, -3 rate) keeps
      the task at the head for the next timer event;
    - ``done(reqid)`` (the ``last`` response) frees the slot and sends the next query right away
      when the interval has passed, else arms a one-shot timer thread for the rest of the interval;
      nothing ever sleeps in a callback thread;
    - ``retry(reqid)`` (onRspError 90 "查询未就绪") puts the task back at the head;
    - a query without an answer for ``timeout`` seconds is given up so the queue cannot stall.

    Keyed by: ``queue`` is FIFO of QueryTask (names unique), ``in_flight`` the one sent.
    """

    def __init__(
        self,
        next_reqid: Callable[[], int],
        interval: float = 1.0,
        timeout: float = 15.0,
        max_retries: int = 30,
        on_give_up: Callable[[str], None] | None = None,
        wake_thread: bool = True,
    ) -> None:
        self._next_reqid = next_reqid
        self._wake_thread = wake_thread
        self.interval = interval
        self.timeout = timeout
        self.max_retries = max_retries
        self._on_give_up = on_give_up
        self._lock = threading.Lock()
        self._queue: list[QueryTask] = []
        self._in_flight: _InFlight | None = None
        self._last_sent: float = 0.0
        self._wakeup: threading.Timer | None = None
        self._generation: int = 0  # bumped by reset(), so a failed send is not requeued after it
        self.active: bool = False

    def request(self, name: str, send: Callable[[int], int], front: bool = False) -> None:
        with self._lock:
            if self._in_flight is not None and self._in_flight.task.name == name:
                # A refresh asked while the same query runs must still happen afterwards.
                if any(t.name == name for t in self._queue):
                    return
            elif any(t.name == name for t in self._queue):
                return
            task = QueryTask(name, send)
            if front:
                self._queue.insert(0, task)
            else:
                self._queue.append(task)
        self._pump()

    def pending(self) -> list[str]:
        with self._lock:
            names = [t.name for t in self._queue]
            if self._in_flight:
                names.insert(0, self._in_flight.task.name)
            return names

    def in_flight_name(self) -> str:
        with self._lock:
            return self._in_flight.task.name if self._in_flight else ""

    def on_timer(self) -> None:
        with self._lock:
            flight = self._in_flight
            if flight is not None and time.monotonic() - flight.sent_at > self.timeout:
                self._in_flight = None
        self._pump()

    def done(self, reqid: int) -> None:
        with self._lock:
            if self._in_flight is not None and self._in_flight.reqid == reqid:
                self._in_flight = None
        self._pump()

    def retry(self, reqid: int) -> bool:
        """Requeue the in-flight query ``reqid`` at the head; True when it was ours."""
        with self._lock:
            flight = self._in_flight
            if flight is None or flight.reqid != reqid:
                return False
            self._in_flight = None
            self._queue.insert(0, flight.task)
            self._last_sent = time.monotonic()
            return True

    def reset(self) -> None:
        """Forget everything (disconnect, close)."""
        with self._lock:
            self._queue.clear()
            self._in_flight = None
            self._generation += 1
            wakeup, self._wakeup = self._wakeup, None
        if wakeup is not None:
            wakeup.cancel()

    def _wake(self) -> None:
        with self._lock:
            self._wakeup = None
        self._pump()

    def _pump(self) -> None:
        with self._lock:
            if not self.active or self._in_flight is not None or not self._queue:
                return
            now: float = time.monotonic()
            wait: float = self.interval - (now - self._last_sent)
            if wait > 0:
                if self._wakeup is None and self._wake_thread:
                    self._wakeup = threading.Timer(wait, self._wake)
                    self._wakeup.daemon = True
                    self._wakeup.start()
                return
            # Out of the queue before sending: the answer, or a new request of the same name,
            # may come from another thread before send() returns.
            task: QueryTask = self._queue.pop(0)
            reqid: int = self._next_reqid()
            self._in_flight = _InFlight(task, reqid, now)
            self._last_sent = now
            generation: int = self._generation
        try:
            n: int = task.send(reqid)
        except Exception:  # noqa: BLE001 - a broken request must not stall the queue
            n = -99
        if n == 0:
            return
        give_up: str = ""
        with self._lock:
            if self._in_flight is not None and self._in_flight.reqid == reqid:
                self._in_flight = None
            task.retries += 1
            if task.retries > self.max_retries:
                give_up = task.name
            elif generation == self._generation and all(
                t.name != task.name for t in self._queue
            ):
                self._queue.insert(0, task)
        if give_up and self._on_give_up:
            self._on_give_up(give_up)


class LogThrottle:
    """Suppresses repeats of the same message within ``window`` seconds; reports how many were
    suppressed when it lets the message through again. Keyed by message text, or by the caller's
    ``key`` for messages carrying a changing number."""

    max_keys: int = 256

    def __init__(self, window: float = 60.0) -> None:
        self.window = window
        self._lock = threading.Lock()
        self._last: dict[str, tuple[float, int]] = {}

    def check(self, msg: str, key: str = "") -> str | None:
        """The text to log now, or None to stay quiet."""
        key = key or msg
        now: float = time.monotonic()
        with self._lock:
            if len(self._last) >= self.max_keys:
                # Many distinct messages: forget those whose window is over.
                self._last = {
                    k: v for k, v in self._last.items() if now - v[0] < self.window
                }
            seen = self._last.get(key)
            if seen is None or now - seen[0] >= self.window:
                suppressed: int = seen[1] if seen else 0
                self._last[key] = (now, 0)
                if suppressed:
                    return f"{msg}（{self.window:.0f}秒内重复{suppressed}次）"
                return msg
            self._last[key] = (seen[0], seen[1] + 1)
            return None


T = TypeVar("T")


@dataclass
class SideRecord(Generic[T]):
    """Identity of an exercise, lock, quote or combined exercise this gateway sent or saw (its
    vn.py id parts and the counter's system id) and the last data object pushed for it."""

    symbol: str
    exchange: Exchange
    frontid: int
    sessionid: int
    ref: str
    reference: str = ""
    sysid: str = ""
    data: T | None = None
