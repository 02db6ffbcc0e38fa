"""The check's results: one row per front, the environment, a terminal table and JSON."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from .fronts import FrontTarget, TcpResult
from .session import ApiResult


@dataclass(frozen=True)
class FrontResult:
    """Everything found out about one front. ``up``: reachable and, where the API could be
    asked, connected (and logged in when credentials were given)."""

    target: FrontTarget
    tcp: TcpResult | None  # None for sim:// fronts
    api: ApiResult
    seconds: float
    api_version: str = ""  # what the API library reports ("" when it was not reached)

    @property
    def up(self) -> bool:
        if self.tcp is not None and not self.tcp.connected:
            return False
        if self.api.state != "connected":
            return False
        return self.api.login_ok is not False

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.target.label,
            "role": self.target.role,
            "address": self.target.address,
            "up": self.up,
            "ip": self.tcp.ip if self.tcp else "",
            "tcp_connected": self.tcp.connected if self.tcp else None,
            "latency_ms": round(self.tcp.latency_ms, 2) if self.tcp and self.tcp.latency_ms is not None else None,
            "tcp_error": self.tcp.error if self.tcp else "",
            **{f"api_{key}": value for key, value in asdict(self.api).items()},
            "api_version": self.api_version,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class Environment:
    """The machine's side: package and Python versions, the native library's state."""

    package_version: str
    python: str
    platform: str
    native_ok: bool
    native_detail: str  # the API version, or why the native library cannot be used
    library: str  # which library files are in use (apilib.describe_loaded)
    notes: list[str] = field(default_factory=list)


def to_json(env: Environment, results: list[FrontResult]) -> str:
    return json.dumps(
        {
            "ok": all(r.up for r in results),
            "environment": asdict(env),
            "fronts": [r.as_dict() for r in results],
        },
        ensure_ascii=False,
        indent=2,
    )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _network(r: FrontResult) -> str:
    if r.tcp is None:
        return "进程内模拟"
    if r.tcp.connected:
        return f"TCP 通 {r.tcp.latency_ms:.1f} ms"
    return r.tcp.error


def to_table(env: Environment, results: list[FrontResult]) -> str:
    lines = [
        f"vnpy_ctpsopt {env.package_version}，Python {env.python}，{env.platform}",
        f"原生库：{env.native_detail}",
        f"库文件：{env.library}",
        *env.notes,
        "",
    ]
    header = ["环境", "类型", "地址", "网络", "API", "登录", "结果"]
    rows = [
        [
            r.target.label, r.target.role, r.target.address, _network(r), r.api.detail,
            r.api.login or "-", "正常" if r.up else "不可用",
        ]
        for r in results
    ]
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        lines.append("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
    down = sum(not r.up for r in results)
    lines.append("")
    lines.append("全部前置正常" if not down else f"{down} 个前置不可用")
    return "\n".join(lines)
