"""What the API itself reports for one front: connected or the disconnect reason, and the login
result when credentials are given. Runs through the seam (native for tcp/ssl, sim for sim://),
bounded by a deadline; the api is closed in a daemon thread so a stuck close cannot hang us."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..api import MdApi, MdSpi, TdApi, TdSpi, create_md_api, create_td_api
from ..api.base import Data
from ..gateway.mapping import DISCONNECT_REASONS
from .fronts import ROLE_TD

CLOSE_WAIT: float = 3.0
GRACE: float = 0.5


@dataclass(frozen=True)
class Credentials:
    """Login data for the check; ``password`` only ever comes from the environment and is never
    printed (``repr`` hides it)."""

    userid: str
    brokerid: str = ""
    appid: str = ""
    auth_code: str = ""
    password: str = ""

    def __repr__(self) -> str:
        return f"Credentials(userid={self.userid!r}, brokerid={self.brokerid!r}, appid={self.appid!r})"


@dataclass(frozen=True)
class ApiResult:
    """``state``: connected / disconnected / silent (no callback) / error; ``detail`` in words;
    ``login``: "" when not attempted, else the result in words; ``login_ok``."""

    state: str
    detail: str
    login: str = ""
    login_ok: bool | None = None


def reason_words(reason: int) -> str:
    """An OnFrontDisconnected reason code in words (4097 -> 网络读失败（0x1001）)."""
    return f"{DISCONNECT_REASONS.get(reason, '未知原因')}（{reason:#x}）"


def _error_words(error: Data) -> str:
    return f"{error.get('ErrorMsg', '')}（错误码 {error.get('ErrorID', '')}）"


class _Recorder(TdSpi, MdSpi):
    """Collects the callbacks of one api; ``changed`` wakes the waiting probe. ``events`` holds
    (callback name, arguments) in arrival order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        self.changed = threading.Condition()

    def _add(self, name: str, *args: Any) -> None:
        with self.changed:
            self.events.append((name, args))
            self.changed.notify_all()

    def onFrontConnected(self) -> None:
        self._add("connected")

    def onFrontDisconnected(self, reason: int) -> None:
        self._add("disconnected", reason)

    def onRspAuthenticate(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        self._add("auth", error)

    def onRspUserLogin(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        self._add("login", error)

    def wait_for(self, names: set[str], deadline: float) -> tuple[str, tuple[Any, ...]] | None:
        """The first event named in ``names`` (looking at all so far), or None at the deadline."""
        with self.changed:
            while True:
                for name, args in self.events:
                    if name in names:
                        return name, args
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.changed.wait(remaining)


def _close_bounded(api: TdApi | MdApi, folder: Path) -> None:
    def work() -> None:
        try:
            api.close()
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    thread = threading.Thread(target=work, name="check-close", daemon=True)
    thread.start()
    thread.join(CLOSE_WAIT)


def _login(api: TdApi | MdApi, spi: _Recorder, role: str, cred: Credentials, deadline: float) -> tuple[str, bool]:
    if role == ROLE_TD and (cred.appid or cred.auth_code):
        assert isinstance(api, TdApi)
        api.reqAuthenticate(
            {"UserID": cred.userid, "BrokerID": cred.brokerid, "AppID": cred.appid,
             "AuthCode": cred.auth_code}, 1,
        )
        event = spi.wait_for({"auth", "disconnected"}, deadline)
        if event is None:
            return "穿透式认证无应答（超时）", False
        if event[0] == "disconnected":
            return f"认证前连接断开：{reason_words(event[1][0])}", False
        if event[1][0].get("ErrorID"):
            return f"穿透式认证失败：{_error_words(event[1][0])}", False
    api.reqUserLogin({"UserID": cred.userid, "BrokerID": cred.brokerid, "Password": cred.password}, 2)
    event = spi.wait_for({"login"}, deadline)
    if event is None:
        return "登录无应答（超时）", False
    error: Data = event[1][0]
    if error.get("ErrorID"):
        return f"登录失败：{_error_words(error)}", False
    return "登录成功", True


def api_probe(role: str, address: str, timeout: float, cred: Credentials | None = None) -> ApiResult:
    """Connect one td or md api to ``address`` and report within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    folder = Path(tempfile.mkdtemp(prefix="ctpsopt-check-"))
    spi = _Recorder()
    try:
        api: TdApi | MdApi = (
            create_td_api(address, spi, folder) if role == ROLE_TD else create_md_api(address, spi, folder)
        )
    except Exception as exc:  # noqa: BLE001 - NativeLibraryError, a bad sim address, ...
        shutil.rmtree(folder, ignore_errors=True)
        return ApiResult("error", str(exc))
    try:
        api.connect()
        event = spi.wait_for({"connected", "disconnected"}, deadline)
        if event is None:
            return ApiResult("silent", f"{timeout:g} 秒内 API 未收到前置的任何回应")
        if event[0] == "disconnected":
            return ApiResult("disconnected", f"连接断开：{reason_words(event[1][0])}")
        if cred is None:
            # a front that accepts and then drops us says so at once: give it a moment
            dropped = spi.wait_for({"disconnected"}, min(deadline, time.monotonic() + GRACE))
            if dropped is not None:
                return ApiResult("disconnected", f"连接后断开：{reason_words(dropped[1][0])}")
            return ApiResult("connected", "已连接")
        words, ok = _login(api, spi, role, cred, deadline)
        return ApiResult("connected", "已连接", words, ok)
    finally:
        _close_bounded(api, folder)
