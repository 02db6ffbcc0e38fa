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
