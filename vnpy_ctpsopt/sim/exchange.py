"""The simulated front ``sim://NAME``: one market, one counter, one clock, one market thread.

td and md apis with the same NAME in one process share a SimExchange (through ``REGISTRY``);
different NAMEs are independent. Every call into the counter or the market happens under the
exchange lock, either on an api's delivery thread (requests) or on the market thread.

The exchange is also the control object for tests and demos (``get_sim_exchange(name)`` or the
api's ``.exchange``): ``drop``, ``delay_responses``, ``refuse_logins``, ``roll_day``,
``set_speed``, ``advance`` / ``wait_market``.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

from ..api.constant import (
    THOST_TERT_QUICK,
    THOST_TERT_RESTART,
    THOST_FTDC_IS_AuctionAfterClosed,
    THOST_FTDC_IS_AuctionMatch,
    THOST_FTDC_IS_AuctionOrdering,
    THOST_FTDC_IS_Closed,
    THOST_FTDC_IS_Continous,
)
from ..core.timetable import status_at
from . import errors
from .clock import Clock, LiveClock, ManualClock
from .config import CLOCK_MANUAL, HOURS_EXCHANGE, SimConfig, SimConfigError
from .counter import (
    TARGET_FORQUOTE,
    TARGET_INVESTOR,
    TARGET_PUBLIC,
    TARGET_SESSION,
    CounterConfig,
    Outgoing,
    SessionRef,
    SimCounter,
)
from .sink import PrivateFlowSink, SessionSink
from .wiring import ROLL_TIME, build_market_and_counter, instrument_ids, is_trading_day

logger: logging.Logger = logging.getLogger("vnpy_ctpsopt.sim")

# OnFrontDisconnected reasons (reference/sopt-rules.md C.3).
REASON_READ_FAILURE: int = 0x1001
REASON_WRITE_FAILURE: int = 0x1002
REASON_HEARTBEAT_TIMEOUT: int = 0x2001
REASON_HEARTBEAT_SEND: int = 0x2002
REASON_ERROR_MESSAGE: int = 0x2003

FRONT_ID: int = 1
TICK_INTERVAL: timedelta = timedelta(milliseconds=500)
# A step this far behind the clock is processed (book, fills) but its snapshots are not sent.
STALE_AFTER: timedelta = 5 * TICK_INTERVAL
EXCHANGES: tuple[str, ...] = ("SSE", "SZSE")
# RspInfo templates outside errors.MESSAGES, read-only: hand out ``dict(...)`` copies only.
MD_OK: Final[Mapping[str, Any]] = MappingProxyType({"ErrorID": 0, "ErrorMsg": "CTP:No Error"})
DUPLICATE_LOGIN: Final[Mapping[str, Any]] = MappingProxyType(
    {"ErrorID": 5, "ErrorMsg": "CTP:重复的登录"}  # error.xml
)
SYSTEM_NAME: str = "TradingHosting"
INTERNAL_ERROR: int = -1  # not a CTP code: the sim itself failed (logged with its traceback)

# Order-like td requests -> SimCounter method and the Rsp callback carrying its rejection.
TD_ORDER_REQUESTS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "reqOrderInsert": ("order_insert", "onRspOrderInsert"),
        "reqOrderAction": ("order_action", "onRspOrderAction"),
        "reqExecOrderInsert": ("exec_order_insert", "onRspExecOrderInsert"),
        "reqExecOrderAction": ("exec_order_action", "onRspExecOrderAction"),
        "reqLockInsert": ("lock_insert", "onRspLockInsert"),
        "reqQuoteInsert": ("quote_insert", "onRspQuoteInsert"),
        "reqQuoteAction": ("quote_action", "onRspQuoteAction"),
        "reqForQuoteInsert": ("for_quote_insert", "onRspForQuoteInsert"),
    }
)

# Phases with market-data snapshots (plus one final snapshot when the market closes).
PUBLISHING_PHASES: frozenset[str] = frozenset(
    {
        THOST_FTDC_IS_AuctionOrdering,
        THOST_FTDC_IS_AuctionMatch,
        THOST_FTDC_IS_Continous,
        THOST_FTDC_IS_AuctionAfterClosed,
    }
)
MAX_ROLLS_PER_STEP: int = 10
# The market state is stored every MARKET_SAVE_STEPS steps (60 simulated seconds), stretched at
# high speeds to at most one save per MARKET_SAVE_WALL wall seconds (a save costs ~10 ms), and
# at every day roll and shutdown. A kill -9 loses at most that much market movement.
MARKET_SAVE_STEPS: int = 120
MARKET_SAVE_WALL: float = 2.0
MAX_CATCH_UP_ROLLS: int = 400


def roll_instant(trading_day: str) -> datetime:
    """When the counter rolls past ``trading_day`` (``YYYYMMDD``)."""
    return datetime.combine(datetime.strptime(trading_day, "%Y%m%d").date(), ROLL_TIME)


def phase_at(instant: datetime, hours: str, trading_day: bool = True) -> str:
    """Instrument status at ``instant`` (``core.timetable``): always continuous in 24x7 mode."""
    if hours != HOURS_EXCHANGE:
        return THOST_FTDC_IS_Continous
    return status_at(instant.time(), trading_day)


def error_rsp(error_id: int) -> dict[str, Any]:
    return errors.rsp_info(error_id)


@dataclass(eq=False)
class SessionRecord:
    """The exchange's record of one connection, keyed by SessionID in ``SimExchange._sessions``.

    ``market_data`` / ``for_quote`` hold the instrument ids an md session subscribed to;
    ``private`` is the api's private-flow end (td apis only).
    """

    api: SessionSink
    kind: str
    session_id: int
    generation: int
    front_id: int = FRONT_ID
    ref: SessionRef | None = None
    logged_in: bool = False
    user_id: str = ""
    trading_day: str = ""
    market_data: set[str] = field(default_factory=set)
    for_quote: set[str] = field(default_factory=set)
    private: PrivateFlowSink | None = None

    def deliver(self, name: str, *args: Any) -> None:
        self.api.deliver(self.generation, name, *args)

    def deliver_last(self, name: str, *args: Any) -> None:
        """Deliver even though the connection is about to close (the logout answer)."""
        self.api.deliver(None, name, *args)


class SimExchange:
    """One simulated front. See the module docstring; all state below is guarded by ``lock``.

    - ``_sessions``: SessionID -> SessionRecord of every connected td and md api
    - ``_investors``: investor id -> SessionIDs of its logged-in td sessions
    - ``_delays``: SessionID (None = every session) -> response delay in seconds
    """

    def __init__(self, config: SimConfig, registry: SimExchangeRegistry) -> None:
        self.config: SimConfig = config
        self.name: str = config.name
        self._registry = registry
        self.seed: int = config.seed if config.seed is not None else secrets.randbelow(2**31)
        if config.seed is None:
            logger.info(f"模拟柜台 {self.name} 使用随机种子 seed={self.seed}")
        self.lock = threading.RLock()
        self.front_id: int = FRONT_ID
        self.connect_delay: float = 0.0
        self.clock: Clock = (
            ManualClock(config.start)
            if config.clock == CLOCK_MANUAL
            else LiveClock(config.start, config.speed)
        )
        self._refs: int = 0
        self._closed: bool = False
        self._sessions: dict[int, SessionRecord] = {}
        self._investors: dict[str, set[int]] = {}
        self._delays: dict[int | None, float] = {}
        self._refuse: int | None = None
        self._reconnect: float = config.reconnect
        self._stop = False
        self._progress = threading.Condition(self.lock)
        self._processed: datetime = self.clock.now()
        self._phase: str = ""
        self._unsaved_steps: int = 0

        self.market, self.counter, self.store = self._build()
        self.instrument_ids: frozenset[str] = frozenset(self._instrument_ids())
        self._phase = self._current_phase(self.clock.now())
        self._next_roll: datetime = roll_instant(str(self.counter.trading_day))
        self._catch_up(self.clock.now())
        self._thread = threading.Thread(
            target=self._run_market, name=f"sim-market-{self.name}", daemon=True
        )
        self._thread.start()

    # --- construction ---------------------------------------------------------------------
    def _build(self) -> tuple[Any, SimCounter, Any]:
        counter_config = CounterConfig(
            capital=self.config.capital,
            hours=self.config.hours,
            auth=self.config.auth,
            market_makers=self.config.makers,
        )
        return build_market_and_counter(self.config, self.seed, self.clock, counter_config)

    def _instrument_ids(self) -> Iterable[str]:
        return instrument_ids(self.market)

    # --- control object -------------------------------------------------------------------
    @property
    def trading_day(self) -> str:
        with self.lock:
            return str(self.counter.trading_day)

    def now(self) -> datetime:
        """The current simulated instant."""
        return self.clock.now()

    def sessions(self, kind: str | None = None) -> list[int]:
        """SessionIDs of the connected apis (``kind``: ``"td"``, ``"md"`` or None for all)."""
        with self.lock:
            return [s.session_id for s in self._sessions.values() if kind in (None, s.kind)]

    def drop(
        self,
        session_id: int | None = None,
        reason: int = REASON_READ_FAILURE,
        reconnect_delay: float | None = None,
    ) -> int:
        """Drop one connection (or all): ``onFrontDisconnected(reason)``, then the api reconnects
        by itself after ``reconnect_delay`` wall seconds (default: the ``reconnect`` parameter)
        and gets ``onFrontConnected`` with a new SessionID. Returns how many were dropped."""
        delay = self._reconnect if reconnect_delay is None else reconnect_delay
        with self.lock:
            victims = [s for s in self._sessions.values() if session_id in (None, s.session_id)]
            for record in victims:
                self._remove(record)
                record.api.drop(reason, delay)
            return len(victims)

    def delay_responses(self, milliseconds: float, session_id: int | None = None) -> None:
        """Answer requests ``milliseconds`` later (one session, or every session when None)."""
        if milliseconds < 0:
            raise ValueError("delay must be >= 0")
        with self.lock:
            self._delays[session_id] = milliseconds / 1000.0

    def response_delay(self, session_id: int) -> float:
        delays = self._delays
        return delays.get(session_id, delays.get(None, 0.0))

    def refuse_logins(self, error_id: int | None = errors.INVALID_LOGIN) -> None:
        """Answer every td and md login with ``error_id`` (None: accept logins again)."""
        with self.lock:
            self._refuse = error_id

    def set_reconnect_delay(self, seconds: float) -> None:
        """Wall delay of the automatic reconnect after a drop."""
        with self.lock:
            self._reconnect = seconds

    def set_speed(self, speed: float) -> None:
        """Simulated seconds per wall second from now on."""
        self.clock.set_speed(speed)

    def roll_day(self) -> str:
        """Settle and move the counter (and market) to the next trading day; returns it."""
        with self.lock:
            self._roll()
            return str(self.counter.trading_day)

    def _catch_up(self, now: datetime) -> None:
        """Roll a stored counter forward to the trading day of ``now`` (before any session)."""
        rolls = 0
        while now >= self._next_roll and rolls < MAX_CATCH_UP_ROLLS:
            self._roll()
            rolls += 1
        if rolls:
            logger.info(f"模拟柜台 {self.name} 已结算至交易日 {self.counter.trading_day}")

    def _roll(self) -> None:
        """One trading-day roll (under ``lock``): settlement pushes, new listing, new day."""
        self._route(self.counter.roll_day())
        self.instrument_ids = frozenset(self._instrument_ids())
        for record in self._sessions.values():
            if record.logged_in:
                record.trading_day = str(self.counter.trading_day)
        self._next_roll = roll_instant(str(self.counter.trading_day))

    def advance(self, seconds: float, timeout: float = 10.0) -> datetime:
        """Manual clock only: move simulated time and wait until the market thread caught up."""
        clock = self.clock
        if not isinstance(clock, ManualClock):
            raise RuntimeError("advance() needs a manual clock (sim://NAME?clock=manual)")
        clock.advance(seconds)
        if not self.wait_market(timeout):
            raise TimeoutError(f"market thread did not reach {clock.now()} in {timeout}s")
        return clock.now()

    def wait_market(self, timeout: float = 10.0) -> bool:
        """Wait until the market thread processed every 500 ms step up to now."""
        target = self.clock.now() - TICK_INTERVAL
        with self._progress:
            return self._progress.wait_for(lambda: self._processed > target or self._stop, timeout)

    # --- lifecycle (registry) -------------------------------------------------------------
    def shutdown(self, timeout: float = 5.0) -> None:
        with self.lock:
            self._stop = True
            self._closed = True
            self._progress.notify_all()
        self.clock.wake()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)
        close = getattr(self.store, "close", None)
        if callable(close):
            with self.lock:
                try:
                    self.counter.save_market()
                except Exception:
                    logger.exception(f"模拟柜台 {self.name} 行情状态保存失败")
                close()

    def release(self, api: SessionSink, timeout: float = 5.0) -> None:
        """Called by an api's ``close()``; the last one shuts the exchange down."""
        self._registry.release(self, timeout)

    # --- sessions -------------------------------------------------------------------------
    def open_session(
        self, api: SessionSink, private: PrivateFlowSink | None = None
    ) -> SessionRecord:
        """Record a new connection of ``api`` (``private``: its private-flow end, td only)."""
        with self.lock:
            session_id = self.counter.new_session_id()
            record = SessionRecord(
                api=api,
                kind=api.kind,
                session_id=session_id,
                generation=api.current_generation(),
                front_id=self.front_id,
                private=private,
            )
            self._sessions[session_id] = record
            return record

    def close_session(self, api: SessionSink) -> None:
        with self.lock:
            for record in [s for s in self._sessions.values() if s.api is api]:
                self._remove(record)

    def _remove(self, record: SessionRecord) -> None:
        self._sessions.pop(record.session_id, None)
        if record.ref is not None:
            sessions = self._investors.get(record.ref.investor_id)
            if sessions is not None:
                sessions.discard(record.session_id)
                if not sessions:
                    del self._investors[record.ref.investor_id]
        record.logged_in = False

    def _live(self, record: SessionRecord) -> bool:
        return (
            self._sessions.get(record.session_id) is record
            and record.generation == record.api.current_generation()
        )

    # --- td requests (api delivery thread) ------------------------------------------------
    def td_request(self, record: SessionRecord, name: str, req: dict[str, Any], reqid: int) -> None:
        with self.lock:
            if not self._live(record):
                return
            try:
                self._td_request(record, name, req, reqid)
            except Exception as exc:
                self._internal_error(record, "onRsp" + name[3:], req, reqid, exc)

    def _internal_error(
        self,
        record: SessionRecord,
        callback: str,
        req: dict[str, Any],
        reqid: int,
        exc: Exception,
    ) -> None:
        """A sim bug must not leave the client waiting: answer with ErrorID -1 and log it."""
        logger.exception(f"模拟柜台 {self.name} 处理 {callback} 出错")
        error = {"ErrorID": INTERNAL_ERROR, "ErrorMsg": f"模拟柜台内部错误: {exc!r}"[:80]}
        record.deliver(callback, req, error, reqid, True)

    def _td_request(
        self, record: SessionRecord, name: str, req: dict[str, Any], reqid: int
    ) -> None:
        if name == "reqAuthenticate":
            data, error = self.counter.authenticate(self._ref(record, req), req)
            record.deliver("onRspAuthenticate", data, error, reqid, True)
        elif name == "reqUserLogin":
            self._td_login(record, req, reqid)
        elif name == "reqUserLogout":
            if record.ref is None or not record.logged_in:
                record.deliver("onRspUserLogout", req, error_rsp(errors.NOT_LOGIN_YET), reqid, True)
                return
            data, error = self.counter.logout(record.ref, req)
            record.deliver_last("onRspUserLogout", data, error, reqid, True)
            self._remove(record)
            record.api.drop(REASON_READ_FAILURE, self._reconnect)
        elif name == "reqSettlementInfoConfirm":
            if record.ref is None or not record.logged_in:
                record.deliver(
                    "onRspSettlementInfoConfirm", {}, error_rsp(errors.NOT_LOGIN_YET), reqid, True
                )
                return
            data, error = self.counter.settlement_confirm(record.ref, req)
            record.deliver("onRspSettlementInfoConfirm", data, error, reqid, True)
        elif name in TD_ORDER_REQUESTS:
            method, rsp = TD_ORDER_REQUESTS[name]
            if record.ref is None or not record.logged_in:
                record.deliver(rsp, req, error_rsp(errors.NOT_LOGIN_YET), reqid, True)
                return
            self._route(getattr(self.counter, method)(record.ref, req, reqid))
        else:  # reqCombActionInsert: combinations are not simulated
            rsp = "onRsp" + name[3:]
            record.deliver(rsp, req, error_rsp(errors.UNSUPPORTED_FUNCTION), reqid, True)

    def _ref(self, record: SessionRecord, req: dict[str, Any]) -> SessionRef:
        user = str(req.get("UserID", "")) or str(req.get("InvestorID", ""))
        return SessionRef(record.front_id, record.session_id, str(req.get("BrokerID", "")), user)

    def _td_login(self, record: SessionRecord, req: dict[str, Any], reqid: int) -> None:
        if self._refuse is not None:
            record.deliver("onRspUserLogin", {}, error_rsp(self._refuse), reqid, True)
            return
        if record.logged_in:
            record.deliver("onRspUserLogin", {}, dict(DUPLICATE_LOGIN), reqid, True)
            return
        ref = self._ref(record, req)
        data, error = self.counter.login(ref, req)
        if error.get("ErrorID", 0):
            record.deliver("onRspUserLogin", data, error, reqid, True)
            return
        record.ref = ref
        record.logged_in = True
        record.user_id = ref.investor_id
        record.trading_day = str(self.counter.trading_day)
        self._investors.setdefault(ref.investor_id, set()).add(record.session_id)
        record.deliver("onRspUserLogin", data, error, reqid, True)
        self._replay(record)
        for status in self._status_pushes(self.clock.now()):
            record.deliver("onRtnInstrumentStatus", status)

    def _replay(self, record: SessionRecord) -> None:
        """Private-flow replay after login, as the api's resume type asks."""
        api = record.private
        if api is None or record.ref is None:
            return
        flow = self.counter.private_flow(record.ref.investor_id)
        if api.resume_type == THOST_TERT_QUICK:
            after = flow[-1][0] if flow else 0
            api.mark_private_seen(record.trading_day, after)
            return
        after = 0
        if api.resume_type != THOST_TERT_RESTART and api.private_day == record.trading_day:
            after = api.last_private_seq
        for seq, (name, args) in flow:
            if seq > after:
                api.deliver_private(record.generation, record.trading_day, seq, name, *args)

    def td_query(self, record: SessionRecord, name: str, req: dict[str, Any], reqid: int) -> None:
        table = name[len("reqQry") :]
        callback = "onRspQry" + table
        with self.lock:
            if not self._live(record):
                return
            if record.ref is None or not record.logged_in:
                record.deliver(callback, {}, error_rsp(errors.NOT_LOGIN_YET), reqid, True)
                return
            try:
                rows = self.counter.query(record.ref, table, req)
            except Exception as exc:
                self._internal_error(record, callback, {}, reqid, exc)
                return
            if not rows:
                record.deliver(callback, {}, {}, reqid, True)
                return
            last = len(rows) - 1
            for index, row in enumerate(rows):
                record.deliver(callback, row, {}, reqid, index == last)

    # --- md requests ----------------------------------------------------------------------
    def md_login(self, record: SessionRecord, req: dict[str, Any], reqid: int) -> None:
        with self.lock:
            if not self._live(record):
                return
            if self._refuse is not None:
                record.deliver("onRspUserLogin", {}, error_rsp(self._refuse), reqid, True)
                return
            now = self.clock.now()
            record.logged_in = True
            record.user_id = str(req.get("UserID", ""))
            record.trading_day = str(self.counter.trading_day)
            data = {
                "TradingDay": record.trading_day,
                "LoginTime": now.strftime("%H:%M:%S"),
                "BrokerID": str(req.get("BrokerID", "")),
                "UserID": record.user_id,
                "SystemName": SYSTEM_NAME,
                "FrontID": record.front_id,
                "SessionID": record.session_id,
                "MaxOrderRef": "",
                "SHFETime": "",
                "DCETime": "",
                "CZCETime": "",
                "FFEXTime": "",
                "INETime": "",
            }
            record.deliver("onRspUserLogin", data, dict(MD_OK), reqid, True)

    def md_logout(self, record: SessionRecord, req: dict[str, Any], reqid: int) -> None:
        with self.lock:
            if not self._live(record):
                return
            if not record.logged_in:
                record.deliver("onRspUserLogout", req, error_rsp(errors.NOT_LOGIN_YET), reqid, True)
                return
            data = {"BrokerID": req.get("BrokerID", ""), "UserID": record.user_id}
            record.deliver_last("onRspUserLogout", data, dict(MD_OK), reqid, True)
            self._remove(record)
            record.api.drop(REASON_READ_FAILURE, self._reconnect)

    def md_subscribe(
        self, record: SessionRecord, kind: str, subscribe: bool, codes: list[str]
    ) -> None:
        """(Un)subscribe: one rsp per code. Like the real front, an unknown code is answered
        with ErrorID 0 and simply gets no data (the sim logs a warning); the subscription is
        kept, so the code is served if it gets listed later."""
        callback = ("onRspSub" if subscribe else "onRspUnSub") + kind
        with self.lock:
            if not self._live(record):
                return
            subs = record.market_data if kind == "MarketData" else record.for_quote
            now = self.clock.now()
            last = len(codes) - 1
            for index, code in enumerate(codes):
                error = dict(MD_OK) if record.logged_in else error_rsp(errors.NOT_LOGIN_YET)
                record.deliver(callback, {"InstrumentID": code}, error, 0, index == last)
                if error["ErrorID"]:
                    continue
                if not subscribe:
                    subs.discard(code)
                    continue
                subs.add(code)
                if code not in self.instrument_ids:
                    logger.warning(f"模拟柜台 {self.name} 订阅了不存在的合约 {code}，不会有行情")
                elif kind == "MarketData":
                    record.deliver("onRtnDepthMarketData", self.market.snapshot(code, now))

    # --- market thread --------------------------------------------------------------------
    def _run_market(self) -> None:
        """Every 500 ms of simulated time: book update -> resting fills -> publish.

        The market advances first, then the counter matches resting orders against the new
        books and its pushes are routed, and only then are snapshots published: an order sent
        in reaction to a snapshot can only match at a later step. Every step is processed, so
        the market and the fills only depend on the seed and the clock; when the thread runs
        behind the clock, snapshots of steps older than ``STALE_AFTER`` are skipped.
        """
        step = self._first_step(self.clock.now())
        stopped = lambda: self._stop  # noqa: E731
        while self.clock.wait_until(step, stopped):
            try:
                with self.lock:
                    if self._stop:
                        return
                    self._step(step)
                    self._processed = step
                    self._progress.notify_all()
            except Exception:
                logger.exception(f"模拟柜台 {self.name} 行情线程异常")
                with self.lock:
                    self._processed = step
                    self._progress.notify_all()
            step += TICK_INTERVAL

    @staticmethod
    def _first_step(now: datetime) -> datetime:
        floor = now.replace(microsecond=(now.microsecond // 500_000) * 500_000)
        return floor + TICK_INTERVAL

    def _step(self, now: datetime) -> None:
        rolls = 0
        while now >= self._next_roll and rolls < MAX_ROLLS_PER_STEP:
            self._roll()
            rolls += 1
        self.market.advance(now)
        self._route(self.counter.on_market(now))
        self._unsaved_steps += 1
        if self._unsaved_steps >= max(
            MARKET_SAVE_STEPS, self.clock.speed * MARKET_SAVE_WALL / TICK_INTERVAL.total_seconds()
        ):
            self._unsaved_steps = 0
            self.counter.save_market()
        phase = self._current_phase(now)
        changed = phase != self._phase
        if changed:
            self._phase = phase
            pushes = self._status_pushes(now)
            for record in self._sessions.values():
                if record.kind == "td" and record.logged_in:
                    for status in pushes:
                        record.deliver("onRtnInstrumentStatus", status)
        if phase not in PUBLISHING_PHASES and not (changed and phase == THOST_FTDC_IS_Closed):
            return
        if self.clock.now() - now > STALE_AFTER:
            return  # catching up (speed beyond what this machine sustains): only fresh steps
        readers = [
            (record, sorted(record.market_data & self.instrument_ids))
            for record in self._sessions.values()
            if record.kind == "md" and record.logged_in and record.market_data
        ]
        wanted = sorted({code for _, codes in readers for code in codes})
        if not wanted:
            return
        snapshots = dict(zip(wanted, self.market.snapshots(wanted, now), strict=True))
        for record, codes in readers:
            record.api.deliver_each(
                record.generation, "onRtnDepthMarketData", [snapshots[c] for c in codes]
            )

    def _current_phase(self, now: datetime) -> str:
        if self.config.hours != HOURS_EXCHANGE:
            return THOST_FTDC_IS_Continous
        return phase_at(now, self.config.hours, is_trading_day(now.date()))

    def _status_pushes(self, now: datetime) -> list[dict[str, Any]]:
        status = self._phase or self._current_phase(now)
        return [
            {
                "ExchangeID": exchange,
                "ExchangeInstID": "",
                "SettlementGroupID": "",
                "InstrumentID": "",
                "InstrumentStatus": status,
                "TradingSegmentSN": 1,
                "EnterTime": now.strftime("%H:%M:%S"),
                "EnterReason": "1",
            }
            for exchange in EXCHANGES
        ]

    # --- routing --------------------------------------------------------------------------
    def _route(self, outgoing: Iterable[Outgoing]) -> None:
        """Deliver counter output to its targets (under ``lock``)."""
        outgoing = list(outgoing)
        for out in outgoing:
            name, args = out.callback
            if out.target == TARGET_SESSION:
                record = self._sessions.get(out.key.session_id)
                if record is not None:
                    record.deliver(name, *args)
            elif out.target == TARGET_INVESTOR:
                seq = out.seq or 0
                for session_id in sorted(self._investors.get(str(out.key), ())):
                    record = self._sessions[session_id]
                    if record.private is not None:
                        record.private.deliver_private(
                            record.generation, record.trading_day, seq, name, *args
                        )
            elif out.target == TARGET_PUBLIC:
                for record in self._sessions.values():
                    if record.kind == "td" and record.logged_in:
                        record.deliver(name, *args)
            elif out.target == TARGET_FORQUOTE:  # md subscribers and market makers' td
                makers = self.config.makers
                for record in self._sessions.values():
                    if not record.logged_in:
                        continue
                    if (record.kind == "md" and out.key in record.for_quote) or (
                        record.kind == "td" and record.user_id in makers
                    ):
                        record.deliver(name, *args)


class SimExchangeRegistry:
    """A map NAME -> SimExchange (``_exchanges``, keyed by the ``sim://NAME``), guarded by its
    own lock. Each api acquires its exchange at creation and releases it on ``close()``; the
    exchange shuts down with its last api.

    ``REGISTRY`` below is the default one; ``create_sim_td_api`` / ``create_sim_md_api`` (and
    ``create_td_api`` / ``create_md_api``) take ``registry=`` to use another, e.g. one per test.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._exchanges: dict[str, SimExchange] = {}

    def acquire(self, config: SimConfig) -> SimExchange:
        with self._lock:
            exchange = self._exchanges.get(config.name)
            if exchange is None:
                exchange = SimExchange(config, self)
                self._exchanges[config.name] = exchange
            else:
                conflicts = exchange.config.conflicts(config)
                if conflicts:
                    keys = ", ".join(conflicts)
                    raise SimConfigError(
                        f"模拟柜台 {config.name} 已在运行，参数 {keys} 与已有设置不同"
                        f" [sim exchange {config.name!r} already runs with other {keys}]"
                    )
            exchange._refs += 1
            return exchange

    def release(self, exchange: SimExchange, timeout: float = 5.0) -> None:
        with self._lock:
            exchange._refs -= 1
            if exchange._refs > 0:
                return
            if self._exchanges.get(exchange.name) is exchange:
                del self._exchanges[exchange.name]
        exchange.shutdown(timeout)

    def get(self, name: str) -> SimExchange | None:
        with self._lock:
            return self._exchanges.get(name)

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._exchanges)


# The package's one process global, on purpose: a td and an md api created separately (by the
# gateway, in one process) find their shared front by NAME here. Everything else is per instance.
REGISTRY: SimExchangeRegistry = SimExchangeRegistry()


def get_sim_exchange(name: str, registry: SimExchangeRegistry | None = None) -> SimExchange | None:
    """The running simulated front ``name`` (its control object) in ``registry`` (default:
    the process-wide ``REGISTRY``), or None."""
    return (REGISTRY if registry is None else registry).get(name)
