"""Command line: ``python -m vnpy_ctpsopt <check|demo|backtest|record>``."""

from __future__ import annotations

import argparse
import platform
import sys
from collections.abc import Sequence


def check() -> int:
    """Report whether the native backend can be used on this machine."""
    from . import __version__
    from .api.native import NativeLibraryError, load_modules

    print(f"vnpy_ctpsopt {__version__}, Python {platform.python_version()}, {sys.platform}")
    try:
        td, _ = load_modules()
    except NativeLibraryError as exc:
        print(f"原生后端不可用: {exc}")
        print("模拟柜台 (sim://) 可以使用。")
        return 1
    print(f"原生后端可用: openctp-ctpopt API {td.CThostFtdcTraderApi.GetApiVersion()}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vnpy_ctpsopt", description="vnpy_ctpsopt 工具")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="检查运行环境（locale、原生库）")
    demo_parser = sub.add_parser("demo", help="在本地模拟柜台上运行纸面交易演示")
    demo_parser.add_argument("--seed", type=int, default=7, help="随机种子")
    demo_parser.add_argument("--speed", type=float, default=20.0, help="行情倍速")
    from .backtesting.cli import add_parser as add_backtest
    from .backtesting.cli import run_backtest

    add_backtest(sub)
    from .recorder.cli import add_parser as add_record

    add_record(sub)
    args = parser.parse_args(argv)
    if args.command == "check":
        return check()
    if args.command == "backtest":
        return run_backtest(args)
    if args.command == "record":
        from .recorder.cli import run_record

        return run_record(args)
    from .demo import run_demo

    return run_demo(seed=args.seed, speed=args.speed)
