"""The sim backend of the seam: SimTdApi / SimMdApi talk to the in-process SimExchange ``NAME``.

Each api object owns one delivery thread. Requests are copied, queued and answered on it like a
network front; callbacks never run on the caller's thread and never re-enter (the spi gets one
callback at a time, in order). Request return codes follow the native library:

====  =====================================================================================
code  meaning
====  =====================================================================================
 0    sent
-1    not connected (before ``connect()``/``onFrontConnected``, after a drop, after close)
-2    a query is still in flight on this session (its ``last`` row has not been delivered)
-3    more than ``qps`` queries per second on this session (``sim://...?qps=``, default 1)
====  =====================================================================================
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from ..api.base import Data, MdApi, MdSpi, TdApi, TdSpi
from .config import parse_sim_config
from .exchange import REGISTRY, SessionRecord, SimExchange, SimExchangeRegistry
from .sink import PrivateFlowSink

logger: logging.Logger = logging.getLogger("vnpy_ctpsopt.sim")

NOT_CONNECTED: int = -1
QUERY_IN_FLIGHT: int = -2
QUERY_RATE: int = -3

Job = Callable[[], None]


def fresh(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Copies of the dict arguments of a callback (CTP dicts are flat)."""
    return tuple(dict(arg) if isinstance(arg, dict) else arg for arg in args)


class Worker:
    """The delivery thread of one api object.

    Runs queued jobs in (due time, arrival) order. A job tagged with a connection generation is
    skipped when the api's connection has changed since it was queued (like bytes lost with a
    dropped socket).
    """

    def __init__(self, name: str, current_generation: Callable[[], int]) -> None:
        self._heap: list[tuple[float, int, int | None, Job]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._stopped = False
        self._generation = current_generation
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def post(self, job: Job, generation: int | None, due: float | None = None) -> None:
        """Queue ``job`` to run at monotonic time ``due`` (default now: first come, first
        served, so a stream of pushes cannot starve queued requests)."""
        when = time.monotonic() if due is None else due
        with self._cond:
            if self._stopped:
                return
            heapq.heappush(self._heap, (when, next(self._order), generation, job))
            self._cond.notify()

    def stop(self, timeout: float) -> None:
        with self._cond:
            self._stopped = True
            self._heap.clear()
            self._cond.notify_all()
        if threading.current_thread() is not self.thread:
            self.thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped:
                    if self._heap:
                        wait = self._heap[0][0] - time.monotonic()
                        if wait <= 0:
                            break
                        self._cond.wait(wait)
                    else:
                        self._cond.wait()
                if self._stopped:
                    return
                _, _, generation, job = heapq.heappop(self._heap)
            if generation is not None and generation != self._generation():
                continue
            try:
                job()
            except Exception:
                logger.exception("模拟柜台回调处理异常")


class SimApiBase:
    """State shared by the td and md sim apis.

    ``_generation`` counts connections: it increases on every drop, so work queued for an old
    connection is discarded. ``_session`` is the exchange's record of the current connection.
    """

    kind: str = ""

    def __init__(self, exchange: SimExchange, spi: Any) -> None:
        self.exchange: SimExchange = exchange
        self._spi = spi
        self._lock = threading.Lock()
        self._generation: int = 0
        self._connecting: bool = False
        self._closed: bool = False
        self._session: SessionRecord | None = None
        self._last_due: float = 0.0
        self._worker = Worker(f"sim-{self.kind}-{exchange.name}", lambda: self._generation)

    # --- called by the client -------------------------------------------------------------
    def connect(self) -> None:
        with self._lock:
            if self._closed or self._connecting or self._session is not None:
                return
            self._connecting = True
            generation = self._generation
        self._worker.post(self._open, generation, time.monotonic() + self.exchange.connect_delay)

    def close(self, timeout: float = 5.0) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._generation += 1
            self._connecting = False
        deadline = time.monotonic() + timeout
        self.exchange.close_session(self)
        self._worker.stop(timeout)
        self.exchange.release(self, max(0.0, deadline - time.monotonic()))

    def getTradingDay(self) -> str:
        session = self._session
        return session.trading_day if session is not None and session.logged_in else ""

    @property
    def session_id(self) -> int | None:
        """The SessionID of the current connection (None while disconnected)."""
        session = self._session
        return session.session_id if session is not None else None

    # --- called by the exchange (under its lock) --------------------------------------------
    def deliver(self, generation: int | None, name: str, *args: Any) -> None:
        """Queue ``spi.name(*args)`` for the connection ``generation`` (None: whatever happens
        to the connection); dict arguments are copied when delivered."""
        self._worker.post(lambda: self._call(name, args), generation)

    def deliver_each(self, generation: int, name: str, items: list[Any]) -> None:
        """Queue ``spi.name(copy of item)`` for every dict item as one job (market-data fan-out,
        no bookkeeping callbacks)."""

        def job() -> None:
            method = getattr(self._spi, name)
            for item in items:
                if generation != self._generation:
                    return
                try:
                    method(dict(item))
                except Exception:
                    logger.exception("模拟柜台回调处理异常")

        self._worker.post(job, generation)

    def drop(self, reason: int, reconnect_delay: float) -> None:
        """Lose the connection: ``onFrontDisconnected(reason)``, then reconnect after a delay."""
        with self._lock:
            if self._closed or self._session is None:
                return
            self._session = None
            self._generation += 1
            self._connecting = True
            self._on_disconnect()
            generation = self._generation
        self._worker.post(lambda: self._call("onFrontDisconnected", (reason,)), generation)
        self._worker.post(self._open, generation, time.monotonic() + reconnect_delay)

    def current_generation(self) -> int:
        return self._generation

    # --- internals ------------------------------------------------------------------------
    def _on_disconnect(self) -> None:
        """Reset per-connection state (under ``_lock``)."""

    def _private_sink(self) -> PrivateFlowSink | None:
        """The private-flow end of this api (td apis), None for md."""
        return None

    def _open(self) -> None:
        session = self.exchange.open_session(self, self._private_sink())
        with self._lock:
            closed = self._closed
            if not closed:
                self._connecting = False
                self._session = session
        if closed:  # closed meanwhile (the exchange lock is never taken under ``_lock``)
            self.exchange.close_session(self)
            return
        self._call("onFrontConnected", ())

    def _call(self, name: str, args: tuple[Any, ...]) -> None:
        self._before_call(name, args)
        getattr(self._spi, name)(*fresh(args))

    def _before_call(self, name: str, args: tuple[Any, ...]) -> None:
        """Bookkeeping on the worker thread right before a callback."""

    def _submit(self, job: Callable[[SessionRecord], None]) -> int:
        """Queue a request on the current connection; -1 when there is none."""
        with self._lock:
            return self._submit_locked(job)

    def _submit_locked(self, job: Callable[[SessionRecord], None]) -> int:
        session = self._session
        if self._closed or session is None:
            return NOT_CONNECTED
        due = max(
            time.monotonic() + self.exchange.response_delay(session.session_id), self._last_due
        )
        self._last_due = due
        self._worker.post(lambda: job(session), self._generation, due)
        return 0


class SimTdApi(SimApiBase, TdApi):
    """Trading api of the simulated front ``sim://NAME``.

    ``_query_pending`` is true from an accepted query until its ``last`` callback is delivered;
    ``_tokens``/``_refill_at`` form the per-second query token bucket of this api.
    """

    kind = "td"

    def __init__(self, exchange: SimExchange, spi: TdSpi, resume_type: int) -> None:
        self.resume_type: int = resume_type
        self.last_private_seq: int = 0
        self.private_day: str = ""
        self._query_pending: bool = False
        self._tokens: float = max(1.0, exchange.config.qps)
        self._refill_at: float = time.monotonic()
        super().__init__(exchange, spi)

    def _on_disconnect(self) -> None:
        self._query_pending = False

    def _private_sink(self) -> PrivateFlowSink | None:
        return self

    def deliver_private(
        self, generation: int, trading_day: str, seq: int, name: str, *args: Any
    ) -> None:
        """Queue a private-flow push numbered ``seq``; it counts as seen once delivered."""

        def job() -> None:
            self.mark_private_seen(trading_day, seq)
            self._call(name, args)

        self._worker.post(job, generation)

    def mark_private_seen(self, trading_day: str, seq: int) -> None:
        """Remember the private-flow position for a later RESUME login."""
        if trading_day != self.private_day:
            self.private_day = trading_day
            self.last_private_seq = 0
        self.last_private_seq = max(self.last_private_seq, seq)

    def _before_call(self, name: str, args: tuple[Any, ...]) -> None:
        if (name.startswith("onRspQry") or name == "onRspError") and args[-1]:
            with self._lock:
                self._query_pending = False

    def _request(self, name: str, req: Data, reqid: int) -> int:
        payload = dict(req)
        return self._submit(lambda s: self.exchange.td_request(s, name, payload, reqid))

    def _query(self, name: str, req: Data, reqid: int) -> int:
        payload = dict(req)
        with self._lock:
            if self._closed or self._session is None:
                return NOT_CONNECTED
            if self._query_pending:
                return QUERY_IN_FLIGHT
            qps = self.exchange.config.qps
            now = time.monotonic()
            self._tokens = min(max(1.0, qps), self._tokens + (now - self._refill_at) * qps)
            self._refill_at = now
            if self._tokens < 1.0:
                return QUERY_RATE
            self._tokens -= 1.0
            self._query_pending = True
            return self._submit_locked(lambda s: self.exchange.td_query(s, name, payload, reqid))

    def reqAuthenticate(self, req: Data, reqid: int) -> int:
        return self._request("reqAuthenticate", req, reqid)

    def reqUserLogin(self, req: Data, reqid: int) -> int:
        return self._request("reqUserLogin", req, reqid)

    def reqUserLogout(self, req: Data, reqid: int) -> int:
        return self._request("reqUserLogout", req, reqid)

    def reqSettlementInfoConfirm(self, req: Data, reqid: int) -> int:
        return self._request("reqSettlementInfoConfirm", req, reqid)

    def reqOrderInsert(self, req: Data, reqid: int) -> int:
        return self._request("reqOrderInsert", req, reqid)

    def reqOrderAction(self, req: Data, reqid: int) -> int:
        return self._request("reqOrderAction", req, reqid)

    def reqExecOrderInsert(self, req: Data, reqid: int) -> int:
        return self._request("reqExecOrderInsert", req, reqid)

    def reqExecOrderAction(self, req: Data, reqid: int) -> int:
        return self._request("reqExecOrderAction", req, reqid)

    def reqLockInsert(self, req: Data, reqid: int) -> int:
        return self._request("reqLockInsert", req, reqid)

    def reqCombActionInsert(self, req: Data, reqid: int) -> int:
        return self._request("reqCombActionInsert", req, reqid)

    def reqQuoteInsert(self, req: Data, reqid: int) -> int:
        return self._request("reqQuoteInsert", req, reqid)

    def reqQuoteAction(self, req: Data, reqid: int) -> int:
        return self._request("reqQuoteAction", req, reqid)

    def reqForQuoteInsert(self, req: Data, reqid: int) -> int:
        return self._request("reqForQuoteInsert", req, reqid)

    def reqExecCombineOrderInsert(self, req: Data, reqid: int) -> int:
        return self._request("reqExecCombineOrderInsert", req, reqid)  # not simulated yet: 27

    def reqExecCombineOrderAction(self, req: Data, reqid: int) -> int:
        return self._request("reqExecCombineOrderAction", req, reqid)

    def reqQryInstrument(self, req: Data, reqid: int) -> int:
        return self._query("reqQryInstrument", req, reqid)

    def reqQryTradingAccount(self, req: Data, reqid: int) -> int:
        return self._query("reqQryTradingAccount", req, reqid)

    def reqQryInvestorPosition(self, req: Data, reqid: int) -> int:
        return self._query("reqQryInvestorPosition", req, reqid)

    def reqQryOrder(self, req: Data, reqid: int) -> int:
        return self._query("reqQryOrder", req, reqid)

    def reqQryTrade(self, req: Data, reqid: int) -> int:
        return self._query("reqQryTrade", req, reqid)

    def reqQryExecOrder(self, req: Data, reqid: int) -> int:
        return self._query("reqQryExecOrder", req, reqid)

    def reqQryLock(self, req: Data, reqid: int) -> int:
        return self._query("reqQryLock", req, reqid)

    def reqQryLockPosition(self, req: Data, reqid: int) -> int:
        return self._query("reqQryLockPosition", req, reqid)

    def reqQryLimitPosi(self, req: Data, reqid: int) -> int:
        return self._query("reqQryLimitPosi", req, reqid)

    def reqQryQuote(self, req: Data, reqid: int) -> int:
        return self._query("reqQryQuote", req, reqid)

    def reqQryInstrumentCommissionRate(self, req: Data, reqid: int) -> int:
        return self._query("reqQryInstrumentCommissionRate", req, reqid)

    def reqQryOptionInstrCommRate(self, req: Data, reqid: int) -> int:
        return self._query("reqQryOptionInstrCommRate", req, reqid)

    def reqQryOptionInstrTradeCost(self, req: Data, reqid: int) -> int:
        return self._query("reqQryOptionInstrTradeCost", req, reqid)

    def reqQryDepthMarketData(self, req: Data, reqid: int) -> int:
        return self._query("reqQryDepthMarketData", req, reqid)


class SimMdApi(SimApiBase, MdApi):
    """Market-data api of the simulated front ``sim://NAME``."""

    kind = "md"

    def __init__(self, exchange: SimExchange, spi: MdSpi) -> None:
        super().__init__(exchange, spi)

    def reqUserLogin(self, req: Data, reqid: int) -> int:
        payload = dict(req)
        return self._submit(lambda s: self.exchange.md_login(s, payload, reqid))

    def reqUserLogout(self, req: Data, reqid: int) -> int:
        payload = dict(req)
        return self._submit(lambda s: self.exchange.md_logout(s, payload, reqid))

    def _subscription(self, kind: str, subscribe: bool, symbols: list[str]) -> int:
        codes = [s.decode() if isinstance(s, bytes) else str(s) for s in symbols]
        return self._submit(lambda s: self.exchange.md_subscribe(s, kind, subscribe, codes))

    def subscribeMarketData(self, symbols: list[str]) -> int:
        return self._subscription("MarketData", True, symbols)

    def unSubscribeMarketData(self, symbols: list[str]) -> int:
        return self._subscription("MarketData", False, symbols)

    def subscribeForQuoteRsp(self, symbols: list[str]) -> int:
        return self._subscription("ForQuoteRsp", True, symbols)

    def unSubscribeForQuoteRsp(self, symbols: list[str]) -> int:
        return self._subscription("ForQuoteRsp", False, symbols)


def create_sim_td_api(
    address: str, spi: TdSpi, resume_type: int, registry: SimExchangeRegistry | None = None
) -> TdApi:
    """A td api on the exchange named by ``address`` in ``registry`` (default: the process-wide
    ``REGISTRY``); the exchange is created on first use, address errors are raised now."""
    exchange = (REGISTRY if registry is None else registry).acquire(parse_sim_config(address))
    return SimTdApi(exchange, spi, resume_type)


def create_sim_md_api(
    address: str, spi: MdSpi, registry: SimExchangeRegistry | None = None
) -> MdApi:
    """An md api on the exchange named by ``address`` in ``registry`` (default: the process-wide
    ``REGISTRY``); the exchange is created on first use, address errors are raised now."""
    exchange = (REGISTRY if registry is None else registry).acquire(parse_sim_config(address))
    return SimMdApi(exchange, spi)
