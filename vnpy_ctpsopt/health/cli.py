"""``python -m vnpy_ctpsopt check``: the fronts' health (a local stand-in for openctp's
environment monitor) and the machine's (locale, native library, library files).

Bounds: each front takes at most ``--timeout`` for DNS+TCP and again for the API (connect, then
authenticate and log in when ``--user`` is given); fronts run in parallel, so the whole check ends
within about 2 x timeout + 3 s. Exit code: 0 when every front is up, 1 when one is not, 2 for bad
arguments. The password comes only from CTPSOPT_PASSWORD and is never printed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
import threading
import time
from collections.abc import Iterator

from .. import __version__
from ..api.address import parse_front_address
from ..apilib.describe import loaded_version
from .fronts import (
    ROLE_TD,
    FrontTarget,
    TcpResult,
    custom_targets,
    preset_targets,
    private_sim,
    tcp_probe,
)
from .report import Environment, FrontResult, to_json, to_table
from .session import CLOSE_WAIT, ApiResult, Credentials, api_probe

PASSWORD_ENV: str = "CTPSOPT_PASSWORD"
DEFAULT_TIMEOUT: float = 5.0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "check", help="检查运行环境（locale、原生库）和前置是否可用",
        description="检查前置：DNS/TCP、连接延迟、API 连接结果、登录结果（密码只从环境变量 CTPSOPT_PASSWORD 读取）",
    )
    parser.add_argument("--preset", action="append", default=None, metavar="NAME",
                        help="只检查这个预设环境（可重复；默认全部预设）")
    parser.add_argument("--td", default="", metavar="ADDR", help="交易前置地址，如 tcp://1.2.3.4:5678")
    parser.add_argument("--md", default="", metavar="ADDR", help="行情前置地址")
    parser.add_argument("--user", default="", help="用户名（给出后尝试认证和登录）")
    parser.add_argument("--broker", default="", help="经纪商代码 BrokerID")
    parser.add_argument("--appid", default="", help="产品名称 AppID（穿透式认证）")
    parser.add_argument("--authcode", default="", help="授权编码 AuthCode（穿透式认证）")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="每一步的超时秒数（默认 5）")
    parser.add_argument("--json", action="store_true", help="输出 JSON（供脚本使用）")


def environment() -> Environment:
    from ..api.native import NativeLibraryError, load_modules
    from ..apilib import describe_loaded

    notes: list[str] = []
    try:
        td, _ = load_modules()
    except NativeLibraryError as exc:
        native_ok, detail = False, f"不可用：{exc}"
        notes.append("模拟柜台 (sim://) 可以使用。")
    else:
        native_ok, detail = True, f"可用，openctp-ctpopt API {td.CThostFtdcTraderApi.GetApiVersion()}"
    return Environment(
        package_version=__version__, python=platform.python_version(), platform=sys.platform,
        native_ok=native_ok, native_detail=detail, library=describe_loaded(), notes=notes,
    )


def check_front(target: FrontTarget, timeout: float, cred: Credentials | None) -> FrontResult:
    """DNS/TCP (tcp://, ssl://), then the API, for one front."""
    started = time.monotonic()
    front = parse_front_address(target.address)
    tcp: TcpResult | None = None
    address = target.address
    if front.is_native:
        tcp = tcp_probe(front.host, front.port, timeout)
        if not tcp.connected:
            api = ApiResult("skipped", "未尝试（网络不通）")
            return FrontResult(target, tcp, api, time.monotonic() - started)
    else:
        address = private_sim(address)
    api = api_probe(target.role, address, timeout, cred)
    version = ""
    if api.state != "error":
        version = loaded_version("td" if target.role == ROLE_TD else "md") if front.is_native else (
            f"模拟柜台 vnpy_ctpsopt {__version__}"
        )
    return FrontResult(target, tcp, api, time.monotonic() - started, version)


def check_all(targets: list[FrontTarget], timeout: float, cred: Credentials | None) -> list[FrontResult]:
    """All fronts in parallel (daemon threads: a stuck one is reported, never waited for)."""
    results: dict[int, FrontResult] = {}
    done = threading.Condition()

    def work(index: int, target: FrontTarget) -> None:
        try:
            result = check_front(target, timeout, cred)
        except Exception as exc:  # noqa: BLE001 - reported as that front's failure
            result = FrontResult(target, None, ApiResult("error", f"检查出错：{exc!r}"), 0.0)
        with done:
            results[index] = result
            done.notify_all()

    for index, target in enumerate(targets):
        threading.Thread(target=work, args=(index, target), name=f"check-{index}", daemon=True).start()
    deadline = time.monotonic() + 2 * timeout + CLOSE_WAIT + 2.0
    with done:
        while len(results) < len(targets) and (remaining := deadline - time.monotonic()) > 0:
            done.wait(remaining)
    overdue = ApiResult("error", "检查超时（未在限定时间内结束）")
    return [
        results.get(i, FrontResult(t, None, overdue, deadline)) for i, t in enumerate(targets)
    ]


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """The native library prints its own lines on file descriptor 1: send them to stderr while
    probing, so that stdout carries only our table or JSON."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real descriptor (embedded interpreters)
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def run(args: argparse.Namespace) -> int:
    try:
        if args.td or args.md:
            if args.preset:
                raise ValueError("--preset 与 --td/--md 只能选一种")
            targets = custom_targets(args.td, args.md)
        else:
            targets = preset_targets(args.preset)
        if not args.timeout > 0:
            raise ValueError("--timeout 必须大于 0")
    except ValueError as exc:
        print(f"参数错误：{exc}", file=sys.stderr)
        return 2
    cred: Credentials | None = None
    if args.user:
        cred = Credentials(
            userid=args.user, brokerid=args.broker, appid=args.appid, auth_code=args.authcode,
            password=os.environ.get(PASSWORD_ENV, ""),
        )
    with stdout_to_stderr():
        env = environment()
        if cred is not None and not cred.password:
            env.notes.append(f"未设置环境变量 {PASSWORD_ENV}，以空密码登录")
        results = check_all(targets, args.timeout, cred)
    print(to_json(env, results) if args.json else to_table(env, results))
    return 0 if all(r.up for r in results) else 1
