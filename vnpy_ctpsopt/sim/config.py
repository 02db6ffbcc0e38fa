"""Parse and validate ``sim://NAME?key=value&...`` front addresses (pure functions).

Parameters (all optional; unknown, repeated, empty or malformed ones are errors, never ignored):

========== ================================ ==================================================
key        value                            meaning
========== ================================ ==================================================
seed       int >= 0                         seeds the market and every random choice
                                            (default: random, logged when the exchange starts)
speed      float > 0 (default 1)            simulated time runs this many times wall time
capital    CNY > 0 (default 1,000,000)      cash of an account created at its first login
state      ``memory`` or a file path        persistence (default: ``<name>.db`` in the vn.py
                                            settings folder ``ctpsopt_sim``)
hours      ``24x7`` (default) | ``exchange`` always continuous trading, or the real sessions
clock      ``live`` (default) | ``manual``  a manual clock stands still until the control
                                            object advances it (tests, deterministic runs)
start      ``YYYYMMDD[THHMMSS]`` or ISO     simulated start instant (China time; default now)
qps        float > 0 (default 1)            queries per second allowed per session
reconnect  seconds >= 0 (default 1)         wall delay before the automatic reconnect
auth       ``APPID:AUTHCODE[,..]``          accepted client credentials; when set, td logins
                                            need a successful ReqAuthenticate (default: none)
makers     ``INVESTOR[,..]``                market-maker investors: hedge flag '5', and their
                                            td sessions get OnRtnForQuoteRsp (default: none)
========== ================================ ==================================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..api.address import FrontAddressError, parse_front_address

DEFAULT_SPEED: float = 1.0
DEFAULT_CAPITAL: float = 1_000_000.0
DEFAULT_QPS: float = 1.0
DEFAULT_RECONNECT: float = 1.0
HOURS_24X7: str = "24x7"
HOURS_EXCHANGE: str = "exchange"
CLOCK_LIVE: str = "live"
CLOCK_MANUAL: str = "manual"
STATE_MEMORY: str = "memory"
STATE_FOLDER: str = "ctpsopt_sim"

KNOWN_KEYS: tuple[str, ...] = (
    "seed",
    "speed",
    "capital",
    "state",
    "hours",
    "clock",
    "start",
    "qps",
    "reconnect",
    "auth",
    "makers",
)

START_FORMATS: tuple[str, ...] = ("%Y%m%d", "%Y%m%dT%H%M%S", "%Y%m%d%H%M%S")


class SimConfigError(FrontAddressError):
    """A sim:// address with an unknown, repeated or malformed parameter."""


@dataclass(frozen=True)
class SimConfig:
    """The validated parameters of one ``sim://`` address.

    ``given`` holds the keys the address set explicitly, so a second api joining an existing
    exchange can be checked for conflicting parameters.
    """

    name: str
    seed: int | None = None
    speed: float = DEFAULT_SPEED
    capital: float = DEFAULT_CAPITAL
    state: str | None = None
    hours: str = HOURS_24X7
    clock: str = CLOCK_LIVE
    start: datetime | None = None
    qps: float = DEFAULT_QPS
    reconnect: float = DEFAULT_RECONNECT
    auth: frozenset[tuple[str, str]] = frozenset()
    makers: frozenset[str] = frozenset()
    given: frozenset[str] = frozenset()

    @property
    def in_memory(self) -> bool:
        return self.state == STATE_MEMORY

    def state_path(self, default_folder: Path) -> Path | None:
        """The state file, ``None`` for ``memory``; ``default_folder`` serves when unset."""
        if self.state == STATE_MEMORY:
            return None
        if self.state is None:
            return default_folder / f"{self.name}.db"
        return Path(self.state).expanduser()

    def conflicts(self, other: SimConfig) -> list[str]:
        """Keys that ``other`` sets explicitly to a value different from this config."""
        return [key for key in sorted(other.given) if getattr(self, key) != getattr(other, key)]


def _error(address: str, zh: str, en: str) -> SimConfigError:
    return SimConfigError(f"模拟柜台地址错误: {zh} ({address!r}) [sim address error: {en}]")


def _positive_float(address: str, key: str, text: str, allow_zero: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    ok = math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound_zh = "非负数" if allow_zero else "正数"
        bound_en = "a number >= 0" if allow_zero else "a number > 0"
        raise _error(
            address, f"参数 {key}={text!r} 应为{bound_zh}", f"{key}={text!r} must be {bound_en}"
        )
    return value


def _parse_start(address: str, text: str) -> datetime:
    for fmt in START_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise _error(
            address,
            f"参数 start={text!r} 应为 YYYYMMDD 或 YYYYMMDDTHHMMSS",
            f"start={text!r} must be YYYYMMDD, YYYYMMDDTHHMMSS or ISO 8601",
        ) from None
    if value.tzinfo is not None:
        raise _error(
            address,
            f"参数 start={text!r} 不应带时区，按北京时间理解",
            f"start={text!r} must be a naive China-time instant",
        )
    return value


def _parse_auth(address: str, text: str) -> frozenset[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for item in text.split(","):
        app_id, sep, code = item.partition(":")
        if not sep or not app_id.strip() or not code.strip():
            raise _error(
                address,
                f"参数 auth={text!r} 应为 AppID:AuthCode，多组用逗号分隔",
                f"auth={text!r} must be APPID:AUTHCODE[,APPID:AUTHCODE...]",
            )
        pairs.add((app_id.strip(), code.strip()))
    return frozenset(pairs)


def parse_sim_config(address: str) -> SimConfig:
    """Validate a ``sim://`` address into a SimConfig, raising SimConfigError on any problem."""
    front = parse_front_address(address)
    if front.scheme != "sim":
        raise _error(address, "不是 sim:// 地址", "not a sim:// address")
    values: dict[str, Any] = {}
    seen: set[str] = set()
    for key, text in front.params:
        if key not in KNOWN_KEYS:
            raise _error(
                address,
                f"未知参数 {key!r}，可用参数: {', '.join(KNOWN_KEYS)}",
                f"unknown parameter {key!r}; known: {', '.join(KNOWN_KEYS)}",
            )
        if key in seen:
            raise _error(address, f"参数 {key} 重复", f"parameter {key!r} given twice")
        seen.add(key)
        if not text.strip():
            raise _error(address, f"参数 {key} 没有值", f"parameter {key!r} has no value")
        text = text.strip()
        if key == "seed":
            if not text.isdigit():
                raise _error(
                    address,
                    f"参数 seed={text!r} 应为非负整数",
                    f"seed={text!r} must be an integer >= 0",
                )
            values[key] = int(text)
        elif key in ("speed", "capital", "qps"):
            values[key] = _positive_float(address, key, text)
        elif key == "reconnect":
            values[key] = _positive_float(address, key, text, allow_zero=True)
        elif key == "hours":
            if text not in (HOURS_24X7, HOURS_EXCHANGE):
                raise _error(
                    address,
                    f"参数 hours={text!r} 应为 24x7 或 exchange",
                    f"hours={text!r} must be '24x7' or 'exchange'",
                )
            values[key] = text
        elif key == "clock":
            if text not in (CLOCK_LIVE, CLOCK_MANUAL):
                raise _error(
                    address,
                    f"参数 clock={text!r} 应为 live 或 manual",
                    f"clock={text!r} must be 'live' or 'manual'",
                )
            values[key] = text
        elif key == "auth":
            values[key] = _parse_auth(address, text)
        elif key == "makers":
            makers = frozenset(item.strip() for item in text.split(","))
            if "" in makers:
                raise _error(
                    address,
                    f"参数 makers={text!r} 应为逗号分隔的投资者代码",
                    f"makers={text!r} must be INVESTOR[,INVESTOR...]",
                )
            values[key] = makers
        elif key == "start":
            values[key] = _parse_start(address, text)
        else:  # state
            values[key] = text
    return replace(SimConfig(name=front.name, given=frozenset(seen)), **values)
