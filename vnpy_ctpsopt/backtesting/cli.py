"""``python -m vnpy_ctpsopt backtest STRATEGY --start --end ...``: run one backtest and print
its statistics and chart paths (``--json``: one JSON object)."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import json
import sys
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from vnpy_portfoliostrategy.template import StrategyTemplate

from .feed import BacktestError

SAMPLE_PACKAGES: tuple[str, ...] = ("vnpy_ctpsopt.strategies", "vnpy_portfoliostrategy.strategies")


def _date(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD: {text!r}") from None


def add_parser(sub: Any) -> None:
    """Register the ``backtest`` sub-command on an argparse sub-parser set."""
    p = sub.add_parser("backtest", help="回测期权策略（模拟行情或数据库行情）")
    p.add_argument(
        "strategy",
        help="策略类名（示例策略或当前目录 strategies/ 中），或 path/to/file.py:ClassName",
    )
    p.add_argument("--start", type=_date, required=True, help="开始日期 YYYY-MM-DD")
    p.add_argument("--end", type=_date, required=True, help="结束日期 YYYY-MM-DD")
    p.add_argument("--source", choices=("sim", "db"), default="sim", help="行情来源（默认 sim）")
    p.add_argument("--symbols", default="", help="合约 vt_symbol，逗号分隔")
    p.add_argument(
        "--underlying",
        default="",
        help="模拟行情的标的 ETF 代码（默认取自合约或策略参数，否则 510050）",
    )
    p.add_argument("--setting", default="{}", help="策略参数 JSON")
    p.add_argument("--capital", type=float, default=1_000_000.0, help="起始资金")
    p.add_argument("--seed", type=int, default=7, help="模拟行情随机种子")
    p.add_argument(
        "--step", type=float, default=0.5,
        help="模拟行情快照间隔（秒，默认 0.5：整条期权链按块生成）",
    )  # fmt: skip
    p.add_argument("--stocks", type=int, default=0, help="起始持有的标的 ETF 份数（备兑用）")
    p.add_argument("--chart-dir", default="", help="图表输出目录（默认临时目录）")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象")


def _strategy_classes(module: ModuleType) -> dict[str, type[StrategyTemplate]]:
    return {
        name: obj
        for name, obj in vars(module).items()
        if inspect.isclass(obj) and issubclass(obj, StrategyTemplate) and obj is not StrategyTemplate
        and not inspect.isabstract(obj) and obj.__module__ == module.__name__
    }  # fmt: skip


def _load_file(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"ctpsopt_user_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise BacktestError(f"无法加载策略文件 {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise BacktestError(f"加载策略文件 {path} 出错：{type(exc).__name__}: {exc}") from None
    return module


def find_strategy(name: str, cwd: Path | None = None) -> type[StrategyTemplate]:
    """A strategy class by ``file.py:Class`` or by class name in the sample packages and in
    ``strategies/`` of the working folder."""
    if ":" in name:
        file_text, _, cls_name = name.rpartition(":")
        path = Path(file_text)
        if not path.is_file():
            raise BacktestError(f"策略文件不存在：{path}")
        found = _strategy_classes(_load_file(path))
        if cls_name not in found:
            raise BacktestError(
                f"{path} 中没有策略类 {cls_name}，可选：{', '.join(sorted(found)) or '无'}"
            )
        return found[cls_name]
    found = {}
    for package in SAMPLE_PACKAGES:
        try:
            pkg = importlib.import_module(package)
        except ImportError:
            continue
        for py in sorted(Path(pkg.__path__[0]).glob("*.py")):
            if py.stem.startswith("_"):
                continue
            try:
                module = importlib.import_module(f"{package}.{py.stem}")
            except Exception:
                continue
            found.update(_strategy_classes(module))
    folder = (cwd or Path.cwd()) / "strategies"
    if folder.is_dir():
        for py in sorted(folder.glob("*.py")):
            if not py.stem.startswith("_"):
                found.update(_strategy_classes(_load_file(py)))
    if name not in found:
        raise BacktestError(f"找不到策略类 {name}，可选：{', '.join(sorted(found)) or '无'}")
    return found[name]


def run_backtest(args: argparse.Namespace) -> int:
    """The ``backtest`` command; 0 on success, 2 with a Chinese message on bad input."""
    try:
        return _run(args)
    except BacktestError as exc:
        print(f"回测失败：{exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from .data import DatabaseSource, SimBlockSource, SimSource
    from .engine import BacktestingEngine

    if args.start > args.end:
        raise BacktestError(f"开始日期 {args.start} 晚于结束日期 {args.end}")
    try:
        setting = json.loads(args.setting)
    except json.JSONDecodeError as exc:
        raise BacktestError(f"--setting 不是合法的 JSON：{exc}") from None
    if not isinstance(setting, dict):
        raise BacktestError("--setting 应为 JSON 对象，例如 '{\"fixed_size\": 1}'")
    strategy_class = find_strategy(args.strategy)
    symbols = [s.strip() for s in args.symbols.split(",") if s.strip()]
    for vt in symbols:
        if "." not in vt:
            raise BacktestError(f"合约代码应为 vt_symbol（如 10000001.SSE）：{vt!r}")
    underlying = args.underlying or str(setting.get("underlying", "")).split(".")[0]
    if args.source == "sim":
        if not underlying:
            underlying = _underlying_of(symbols, args.start) or "510050"
        source: Any = (
            SimBlockSource(underlying, args.seed)
            if args.step == 0.5 and SimBlockSource.available()
            else SimSource(underlying, args.seed, args.step, symbols or None)
        )
    else:
        source = DatabaseSource(symbols)
    if not symbols and underlying:
        exchange = "SZSE" if underlying.startswith("159") else "SSE"
        symbols = [f"{underlying}.{exchange}"]
        setting.setdefault("underlying", symbols[0]) if "underlying" in getattr(
            strategy_class, "parameters", []
        ) else None
    if not symbols:
        raise BacktestError("请用 --symbols 指定合约，或用 --setting 给出 underlying")
    engine = BacktestingEngine()
    start = datetime.combine(args.start, datetime.min.time())
    end = datetime.combine(args.end, datetime.min.time())
    stocks = {underlying: args.stocks} if args.stocks and underlying else {}
    engine.set_parameters(symbols, start=start, end=end, capital=args.capital, stocks=stocks)
    engine.set_source(source)
    engine.add_strategy(strategy_class, setting)
    engine.run_backtesting()
    df = engine.calculate_result()
    stats = engine.calculate_statistics(output=not args.json)
    charts = engine.show_chart(df, args.chart_dir or None)
    if args.json:
        print(json.dumps({**stats, "charts": charts}, ensure_ascii=False, default=str))
    else:
        for path in charts:
            print(f"图表：{path}")
    return 0


def _underlying_of(symbols: list[str], day: date) -> str:
    """The ETF code of the first symbol in the sim's listing (ETF codes name themselves)."""
    from ..sim.instruments import UNDERLYINGS

    codes = {u.code for u in UNDERLYINGS}
    for vt in symbols:
        code = vt.split(".")[0]
        if code in codes:
            return code
    from .data import SimSource

    for u in UNDERLYINGS:
        listing = SimSource(u.code)._listing(day)
        if any(f"{r.instrument_id}.{r.exchange_id}" in symbols for r in listing):
            return u.code
    return ""
