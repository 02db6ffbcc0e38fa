"""Which fronts to check, and their DNS / TCP reachability (bounded, never blocking past it)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..api.address import FrontAddressError, normalize_front_address, parse_front_address
from ..gateway.setting import PRESETS

ROLE_TD: str = "交易"
ROLE_MD: str = "行情"


@dataclass(frozen=True)
class FrontTarget:
    """One front to check: ``label`` is the preset name (or 自定义), ``role`` 交易/行情."""

    label: str
    role: str
    address: str


@dataclass(frozen=True)
class TcpResult:
    """DNS and TCP outcome of one front: ``ip`` resolved, ``latency_ms`` of the TCP handshake
    (None when it did not connect), ``error`` in words."""

    ip: str = ""
    latency_ms: float | None = None
    error: str = ""

    @property
    def connected(self) -> bool:
        return self.latency_ms is not None


def preset_targets(names: list[str] | None = None) -> list[FrontTarget]:
    """The td and md fronts of the gateway's presets (all of them by default)."""
    chosen = names or list(PRESETS)
    unknown = [name for name in chosen if name not in PRESETS]
    if unknown:
        raise ValueError(f"未知的预设环境：{'、'.join(unknown)}（可选：{'、'.join(PRESETS)}）")
    targets: list[FrontTarget] = []
    for name in chosen:
        td, md = PRESETS[name]
        targets.append(FrontTarget(name, ROLE_TD, td))
        targets.append(FrontTarget(name, ROLE_MD, md))
    return targets


def custom_targets(td: str, md: str) -> list[FrontTarget]:
    """Fronts given on the command line (a missing scheme means tcp://); either may be empty."""
    targets: list[FrontTarget] = []
    for role, address in ((ROLE_TD, td), (ROLE_MD, md)):
        if address:
            text = normalize_front_address(address)
            try:
                parse_front_address(text)
            except FrontAddressError as exc:
                raise ValueError(str(exc)) from None
            targets.append(FrontTarget("自定义", role, text))
    if not targets:
        raise ValueError("请给出 --td 和/或 --md 前置地址")
    return targets


def private_sim(address: str) -> str:
    """A sim:// address with ``state=memory`` unless it names a state: a check never writes
    into the user's simulated account."""
    parts = urlsplit(address)
    params = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "state" for key, _ in params):
        return address
    params.append(("state", "memory"))
    return urlunsplit(parts._replace(query=urlencode(params, safe="/:")))


def _resolve(host: str, port: int, timeout: float) -> tuple[str, str]:
    """(ip, "") or ("", error) within ``timeout`` (getaddrinfo itself cannot be interrupted, so
    it runs in a daemon thread that is left behind on timeout)."""
    result: list[tuple[str, str]] = []
    done = threading.Event()

    def work() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            result.append((str(infos[0][4][0]), ""))
        except OSError as exc:
            result.append(("", f"域名解析失败：{exc}"))
        done.set()

    threading.Thread(target=work, name=f"dns-{host}", daemon=True).start()
    if not done.wait(timeout):
        return "", f"域名解析 {timeout:g} 秒未完成"
    return result[0]


def tcp_probe(host: str, port: int, timeout: float) -> TcpResult:
    """Resolve ``host`` and open (then close) one TCP connection, all within ``timeout``."""
    deadline = time.monotonic() + timeout
    ip, error = _resolve(host, port, timeout)
    if not ip:
        return TcpResult(error=error)
    remaining = max(0.05, deadline - time.monotonic())
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(remaining)
        started = time.perf_counter()
        try:
            sock.connect((ip, port))
        except TimeoutError:
            return TcpResult(ip=ip, error=f"TCP 连接 {timeout:g} 秒超时")
        except ConnectionRefusedError:
            return TcpResult(ip=ip, error="TCP 连接被拒绝（端口无服务）")
        except OSError as exc:
            return TcpResult(ip=ip, error=f"TCP 连接失败：{exc.strerror or exc}")
        latency = (time.perf_counter() - started) * 1000.0
    return TcpResult(ip=ip, latency_ms=latency)
