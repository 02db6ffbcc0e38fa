"""Shared runner of the backtest scripts: one sample strategy over the simulator's synthetic
market (seeded, generated on the fly), statistics printed, plotly charts written.

Every script takes ``--start --end --seed --step --capital --out``; the defaults give a few
weeks of December 2026.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python backtests/x.py` puts backtests/ first, not the root
    sys.path.insert(0, str(ROOT))

from vnpy_portfoliostrategy import StrategyTemplate  # noqa: E402

from vnpy_ctpsopt.backtesting import BacktestingEngine  # noqa: E402
from vnpy_ctpsopt.backtesting.data import SimSource  # noqa: E402
from vnpy_ctpsopt.core.fees import FeeSchedule  # noqa: E402

START = date(2026, 12, 1)
END = date(2026, 12, 31)
ETF_SHARES = 100_000  # what the simulated counter gives every new account


def make_engine(
    strategy_class: type[StrategyTemplate],
    setting: dict[str, Any],
    start: date = START,
    end: date = END,
    seed: int = 7,
    step: float = 30.0,
    capital: float = 1_000_000.0,
    progress: bool = True,
    fees: FeeSchedule | None = None,
    etf_shares: int = 0,
) -> BacktestingEngine:
    """An engine with the strategy added over the synthetic market of its underlying;
    ``etf_shares`` of the ETF in the account at the start (their price moves count in the
    PnL), for strategies that need them (the covered call)."""
    underlying = str(setting.get("underlying") or getattr(strategy_class, "underlying", ""))
    code = underlying.split(".")[0]
    engine = BacktestingEngine()
    engine.show_progress = progress
    engine.set_parameters(
        [underlying],
        start=datetime.combine(start, datetime.min.time()),
        end=datetime.combine(end, datetime.min.time()),
        capital=capital,
        stocks={code: etf_shares} if etf_shares else {},
        fees=fees,
    )
    engine.set_source(SimSource(code, seed=seed, step_seconds=step))
    engine.add_strategy(strategy_class, setting)
    return engine


def run(
    strategy_class: type[StrategyTemplate], setting: dict[str, Any], **kwargs: Any
) -> BacktestingEngine:
    """Run one backtest and compute its daily results."""
    engine = make_engine(strategy_class, setting, **kwargs)
    engine.run_backtesting()
    engine.calculate_result()
    return engine


def main(
    strategy_class: type[StrategyTemplate], setting: dict[str, Any], name: str, etf_shares: int = 0
) -> int:
    """The command line of one backtest script."""
    parser = argparse.ArgumentParser(description=f"{strategy_class.__name__} 回测（模拟行情）")
    parser.add_argument("--start", type=date.fromisoformat, default=START)
    parser.add_argument("--end", type=date.fromisoformat, default=END)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--step", type=float, default=30.0, help="行情快照间隔（秒）")
    parser.add_argument("--capital", type=float, default=1_000_000.0)
    parser.add_argument("--out", type=Path, default=ROOT / "backtests" / "output" / name)
    args = parser.parse_args()
    engine = run(strategy_class, setting, start=args.start, end=args.end, seed=args.seed,
                 step=args.step, capital=args.capital, etf_shares=etf_shares)  # fmt: skip
    engine.calculate_statistics()
    print(f"成交笔数 {len(engine.get_all_trades())}，委托笔数 {len(engine.get_all_orders())}")
    args.out.mkdir(parents=True, exist_ok=True)
    for path in engine.show_chart(path=str(args.out)):
        print(f"图表：{path}")
    return 0
