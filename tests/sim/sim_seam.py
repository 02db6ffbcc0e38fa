"""Helpers for the seam tests: recording spis that tests can wait on, and login shortcuts.

The sim is driven only through ``create_td_api`` / ``create_md_api`` and the control object.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from vnpy_ctpsopt.api import create_md_api, create_td_api
from vnpy_ctpsopt.api.base import (
    MD_CALLBACKS,
    TD_CALLBACKS,
    MdApi,
    MdSpi,
    TdApi,
    TdSpi,
)
from vnpy_ctpsopt.api.constant import THOST_TERT_QUICK

TIMEOUT = 10.0
_names = itertools.count(1)


def unique_name(prefix: str = "t") -> str:
    """A fresh exchange NAME so tests never share a counter by accident."""
    return f"{prefix}{next(_names)}_{threading.get_ident() % 10000}"


Call = tuple[str, tuple[Any, ...]]


def poll_until(predicate: Callable[[], bool], timeout: float = TIMEOUT) -> bool:
    """Re-check ``predicate`` every 10 ms until it holds (True) or ``timeout`` passes (False)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            return False
        pause.wait(0.01)
    return True


class Recorder:
    """Stores every callback in order; flags callbacks on the test's own thread or re-entrant."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.problems: list[str] = []
        self.threads: set[int] = set()
        self._cond = threading.Condition()
        self._busy = False
        self._owner = threading.get_ident()
        self.hook: Callable[[str, tuple[Any, ...]], None] | None = None

    def record(self, name: str, args: tuple[Any, ...]) -> None:
        if threading.get_ident() == self._owner:
            self.problems.append(f"{name} ran on the caller's thread")
        with self._cond:
            if self._busy:
                self.problems.append(f"{name} re-entered")
            self._busy = True
        try:
            if self.hook is not None:
                self.hook(name, args)
        finally:
            with self._cond:
                self._busy = False
                self.threads.add(threading.get_ident())
                self.calls.append((name, args))
                self._cond.notify_all()

    def named(self, name: str) -> list[tuple[Any, ...]]:
        with self._cond:
            return [args for call, args in self.calls if call == name]

    def mark(self) -> int:
        """Position to pass as ``since`` to later waits."""
        with self._cond:
            return len(self.calls)

    def since(self, position: int) -> list[Call]:
        with self._cond:
            return list(self.calls[position:])

    def wait(
        self,
        name: str,
        count: int = 1,
        since: int = 0,
        where: Callable[[tuple[Any, ...]], bool] | None = None,
        timeout: float = TIMEOUT,
    ) -> list[tuple[Any, ...]]:
        """Wait for ``count`` calls of ``name`` (after ``since``) matching ``where``."""

        def found() -> list[tuple[Any, ...]]:
            return [
                args
                for call, args in self.calls[since:]
                if call == name and (where is None or where(args))
            ]

        with self._cond:
            if not self._cond.wait_for(lambda: len(found()) >= count, timeout):
                seen = [call for call, _ in self.calls[since:]]
                raise AssertionError(f"waited for {count} x {name}, got {seen[-30:]}")
            return found()

    def wait_rsp(self, name: str, reqid: int, since: int = 0) -> list[tuple[Any, ...]]:
        """All rows of the response ``name`` to ``reqid``, waiting for the ``last`` one."""
        self.wait(name, since=since, where=lambda a: a[-2] == reqid and a[-1] is True)
        return [a for a in self.named(name)[0:] if a[-2] == reqid]


def _recording(name: str) -> Callable[..., None]:
    def method(self: Recorder, *args: Any) -> None:
        self.record(name, args)

    method.__name__ = name
    return method


class RecordingTdSpi(Recorder, TdSpi):
    """A TdSpi that records every callback."""


class RecordingMdSpi(Recorder, MdSpi):
    """An MdSpi that records every callback."""


for _name in TD_CALLBACKS:
    setattr(RecordingTdSpi, _name, _recording(_name))
for _name in MD_CALLBACKS:
    setattr(RecordingMdSpi, _name, _recording(_name))


_reqids = itertools.count(1)


def next_reqid() -> int:
    return next(_reqids)


def login_req(user: str = "00001", password: str = "pw") -> dict[str, Any]:
    return {"BrokerID": "2001", "UserID": user, "Password": password}


def open_td(
    address: str,
    user: str = "00001",
    password: str = "pw",
    resume_type: int = THOST_TERT_QUICK,
    auth: tuple[str, str] | None = None,
) -> tuple[TdApi, RecordingTdSpi, tuple[Any, ...]]:
    """Connect, (authenticate,) log in; returns the api, its spi and the login rsp args."""
    spi = RecordingTdSpi()
    api = create_td_api(address, spi, resume_type=resume_type)
    api.connect()
    spi.wait("onFrontConnected")
    if auth is not None:
        reqid = next_reqid()
        req = {"BrokerID": "2001", "UserID": user, "AppID": auth[0], "AuthCode": auth[1]}
        assert api.reqAuthenticate(req, reqid) == 0
        spi.wait("onRspAuthenticate", where=lambda a: a[2] == reqid)
    reqid = next_reqid()
    assert api.reqUserLogin(login_req(user, password), reqid) == 0
    rsp = spi.wait("onRspUserLogin", where=lambda a: a[2] == reqid)[0]
    return api, spi, rsp


def open_md(address: str) -> tuple[MdApi, RecordingMdSpi]:
    spi = RecordingMdSpi()
    api = create_md_api(address, spi)
    api.connect()
    spi.wait("onFrontConnected")
    reqid = next_reqid()
    assert api.reqUserLogin(login_req(), reqid) == 0
    data, error, _, _ = spi.wait("onRspUserLogin")[0]
    assert error["ErrorID"] == 0, error
    return api, spi


# --- conformance-suite helpers (test_seam_*.py) ---------------------------------------------

BUY, SELL = "0", "1"
OPEN, CLOSE = "0", "1"
SPEC, COVERED = "1", "4"
LONG, SHORT = "2", "3"
LIMIT_GFD = ("2", "3", "1")
LIMIT_FOK = ("2", "1", "3")
LIMIT_FAK = ("2", "1", "1")
MARKET_IOC = ("1", "1", "1")
MARKET_FOK = ("1", "1", "3")
MARKET_GFD = ("1", "3", "1")  # SSE market-to-limit; SZSE best-opposite on some counters
BEST_PRICE_GFD = ("3", "3", "1")  # SZSE best-opposite
BEST_OWN_GFD = ("H", "3", "1")  # SZSE best-own
FIVE_LEVEL_IOC = ("G", "1", "1")  # SZSE best-5 IOC
FINAL_STATUSES = ("0", "5")


def sim_url(name: str, **params: object) -> str:
    """``sim://NAME?...``: manual clock, in-memory state, a fixed seed and start, a query rate
    that never throttles; ``params`` override (a value of None drops the key)."""
    values: dict[str, object] = {
        "seed": 11,
        "state": "memory",
        "clock": "manual",
        "start": "20261130T100000",
        "qps": 1000,
    }
    values.update(params)
    return f"sim://{name}?" + "&".join(f"{k}={v}" for k, v in values.items() if v is not None)


class Trader:
    """One logged-in td session with shortcuts for orders and queries (all through the seam).

    OrderRefs come from a per-session counter so every order of a session is accepted as new.
    """

    def __init__(
        self,
        address: str,
        user: str = "00001",
        password: str = "pw",
        resume_type: int = THOST_TERT_QUICK,
    ) -> None:
        self.api, self.spi, self.login = open_td(address, user, password, resume_type)
        assert self.login[1]["ErrorID"] == 0, self.login
        self.address = address
        self.user = user
        self.front_id = int(self.login[0]["FrontID"])
        self.session_id = int(self.login[0]["SessionID"])
        self._refs = itertools.count(100)
        self._instruments: list[dict[str, Any]] | None = None

    @property
    def exchange(self) -> Any:
        """The sim control object (``get_sim_exchange(NAME)``)."""
        return self.api.exchange  # type: ignore[attr-defined]

    def close(self) -> None:
        self.api.close()

    def next_ref(self) -> str:
        return str(next(self._refs))

    # --- queries --------------------------------------------------------------------------
    def query(self, table: str, req: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows of ``ReqQry<table>`` (an empty result is ``[]``); asserts no error."""
        reqid = next_reqid()
        code = getattr(self.api, f"reqQry{table}")(dict(req or {}), reqid)
        assert code == 0, f"reqQry{table} returned {code}"
        rows = self.spi.wait_rsp(f"onRspQry{table}", reqid)
        for row in rows:
            assert not row[1] or row[1].get("ErrorID", 0) == 0, row[1]
        return [dict(row[0]) for row in rows if row[0]]

    def sync(self) -> dict[str, Any]:
        """The account row; also a barrier: every push queued before it has been delivered."""
        return self.query("TradingAccount")[0]

    def instruments(self) -> list[dict[str, Any]]:
        if self._instruments is None:
            self._instruments = self.query("Instrument")
        return self._instruments

    def instrument(self, iid: str) -> dict[str, Any]:
        return next(row for row in self.instruments() if row["InstrumentID"] == iid)

    def options(self, exchange: str, expire: str | None = None) -> list[dict[str, Any]]:
        """Standard-unit options of ``exchange`` (of one expiry, default the nearest)."""
        rows = [
            r
            for r in self.instruments()
            if r["ExchangeID"] == exchange
            and r.get("OptionsType") in ("1", "2")
            and r["VolumeMultiple"] == 10000
        ]
        day = expire or min(r["ExpireDate"] for r in rows)
        return sorted((r for r in rows if r["ExpireDate"] == day), key=lambda r: r["InstrumentID"])

    def depth(self, iid: str) -> dict[str, Any]:
        rows = self.query("DepthMarketData", {"InstrumentID": iid})
        assert len(rows) == 1 and rows[0]["InstrumentID"] == iid
        return rows[0]

    def depths(self) -> list[dict[str, Any]]:
        return self.query("DepthMarketData")

    def account(self) -> dict[str, Any]:
        return self.sync()

    def positions(self) -> list[dict[str, Any]]:
        return self.query("InvestorPosition")

    def position(self, iid: str, direction: str = LONG, hedge: str = SPEC) -> dict[str, Any] | None:
        rows = [
            r
            for r in self.positions()
            if r["InstrumentID"] == iid
            and r["PosiDirection"] == direction
            and r["HedgeFlag"] == hedge
        ]
        assert len(rows) <= 1, rows
        return rows[0] if rows else None

    # --- orders ---------------------------------------------------------------------------
    def order_req(
        self,
        iid: str,
        price: float = 0.0,
        direction: str = BUY,
        offset: str = OPEN,
        volume: int = 1,
        hedge: str = SPEC,
        kind: tuple[str, str, str] = LIMIT_GFD,
        exchange: str | None = None,
        ref: str | None = None,
    ) -> dict[str, Any]:
        if exchange is None:
            exchange = next(
                (r["ExchangeID"] for r in self.instruments() if r["InstrumentID"] == iid), ""
            )
        price_type, time_condition, volume_condition = kind
        return {
            "BrokerID": "2001", "InvestorID": self.user, "UserID": self.user,
            "InstrumentID": iid, "ExchangeID": exchange,
            "OrderRef": self.next_ref() if ref is None else ref,
            "OrderPriceType": price_type, "Direction": direction, "CombOffsetFlag": offset,
            "CombHedgeFlag": hedge, "LimitPrice": price, "VolumeTotalOriginal": volume,
            "TimeCondition": time_condition, "VolumeCondition": volume_condition,
            "MinVolume": 1, "ContingentCondition": "1", "ForceCloseReason": "0",
            "IsAutoSuspend": 0, "UserForceClose": 0,
        }  # fmt: skip

    def send(self, req: dict[str, Any]) -> str:
        """Send an order request; returns its OrderRef."""
        assert self.api.reqOrderInsert(req, next_reqid()) == 0
        return str(req["OrderRef"])

    def mine(self, ref: str) -> Callable[[tuple[Any, ...]], bool]:
        """Filter for pushes of this session's order ``ref``."""
        return lambda a: (a[0]["OrderRef"], a[0]["SessionID"]) == (ref, self.session_id)

    def wait_order(
        self, ref: str, statuses: tuple[str, ...] = FINAL_STATUSES, since: int = 0
    ) -> dict[str, Any]:
        """The first OnRtnOrder of ``ref`` (this session) in one of ``statuses``."""
        mine = self.mine(ref)
        return dict(
            self.spi.wait(
                "onRtnOrder",
                since=since,
                where=lambda a: mine(a) and a[0]["OrderStatus"] in statuses,
            )[0][0]
        )

    def updates(self, ref: str) -> list[dict[str, Any]]:
        """Every OnRtnOrder of ``ref`` (this session) so far, in order."""
        mine = self.mine(ref)
        return [dict(a[0]) for a in self.spi.named("onRtnOrder") if mine(a)]

    def statuses(self, ref: str) -> list[str]:
        return [u["OrderStatus"] for u in self.updates(ref)]

    def trades(self, sysid: str, exchange: str) -> list[dict[str, Any]]:
        """OnRtnTrade pushes of the order ``(exchange, sysid)``."""
        return [
            dict(a[0])
            for a in self.spi.named("onRtnTrade")
            if (a[0]["OrderSysID"], a[0]["ExchangeID"]) == (sysid, exchange)
        ]

    def place(
        self, req: dict[str, Any], statuses: tuple[str, ...] = ("0", "1", "2", "3", "5")
    ) -> dict[str, Any]:
        """Send ``req`` and wait until it is in one of ``statuses`` with every push of the
        request delivered; returns the last OnRtnOrder of the order."""
        ref = self.send(req)
        self.wait_order(ref, statuses)
        self.sync()
        return self.updates(ref)[-1]

    def reject(self, req: dict[str, Any]) -> dict[str, Any]:
        """Send an order the counter must reject: returns the RspInfo after checking it arrived
        as OnRspOrderInsert (to this request) and OnErrRtnOrderInsert, with no OnRtnOrder."""
        reqid = next_reqid()
        ref = str(req["OrderRef"])
        before = len(self.updates(ref))
        mark = self.spi.mark()
        assert self.api.reqOrderInsert(req, reqid) == 0
        rsp = self.spi.wait("onRspOrderInsert", where=lambda a: a[2] == reqid)[0]
        err = self.spi.wait(
            "onErrRtnOrderInsert", since=mark, where=lambda a: a[0]["OrderRef"] == ref
        )[0]
        assert rsp[3] is True and rsp[0]["OrderRef"] == ref
        assert err[1] == rsp[1], (err, rsp)
        self.sync()
        assert len(self.updates(ref)) == before, "a counter rejection sends no OnRtnOrder"
        return dict(rsp[1])

    def cancel(self, **fields: Any) -> int:
        """Send ReqOrderAction (delete) with ``fields`` (OrderRef/FrontID/SessionID or
        ExchangeID/OrderSysID); returns the request id."""
        reqid = next_reqid()
        req = {"BrokerID": "2001", "InvestorID": self.user, "UserID": self.user, "ActionFlag": "0"}
        req.update(fields)
        assert self.api.reqOrderAction(req, reqid) == 0
        return reqid
