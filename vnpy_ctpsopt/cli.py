"""Command line: ``python -m vnpy_ctpsopt <check|apilib|demo|backtest|record>``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from . import health
from .apilib import cli as apilib_cli


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vnpy_ctpsopt", description="vnpy_ctpsopt 工具")
    sub = parser.add_subparsers(dest="command", required=True)
    health.add_parser(sub)
    apilib_cli.add_parser(sub)
    from .demo import add_parser as add_demo

    add_demo(sub)
    from .backtesting.cli import add_parser as add_backtest
    from .backtesting.cli import run_backtest

    add_backtest(sub)
    from .recorder.cli import add_parser as add_record

    add_record(sub)
    args = parser.parse_args(argv)
    if args.command == "check":
        return health.run(args)
    if args.command == "apilib":
        return apilib_cli.run(args)
    if args.command == "backtest":
        return run_backtest(args)
    if args.command == "record":
        from .recorder.cli import run_record

        return run_record(args)
    from .demo import run as run_demo

    return run_demo(args)
