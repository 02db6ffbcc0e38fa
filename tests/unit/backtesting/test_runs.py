"""Whole runs on the simulator's synthetic market: vnpy_portfoliostrategy's own sample
strategy unchanged, same seed -> same results, PnL equal to cash plus marked positions, the
CLI and a parameter sweep on a Dask LocalCluster."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from vnpy_portfoliostrategy.strategies.trend_following_strategy import TrendFollowingStrategy

from vnpy_ctpsopt.backtesting import BacktestingEngine, OptimizationSetting
from vnpy_ctpsopt.backtesting.book import COVERED, LONG, SHORT
from vnpy_ctpsopt.backtesting.data import SimSource
from vnpy_ctpsopt.cli import main

START, END = datetime(2026, 12, 1), datetime(2026, 12, 1)


def _option(seed: int = 5) -> str:
    feed = next(SimSource("510050", seed=seed, step_seconds=60).days(START.date(), START.date()))
    calls = sorted(c.vt_symbol for c in feed.contracts.values() if c.is_option and c.is_call)
    return calls[len(calls) // 2]


def _trend(seed: int, setting: dict | None = None) -> BacktestingEngine:
    option = _option(seed)
    engine = BacktestingEngine()
    engine.show_progress = False
    engine.set_parameters([option], start=START, end=END, capital=1_000_000)
    engine.set_source(SimSource("510050", seed=seed, step_seconds=10, symbols=[option]))
    engine.add_strategy(TrendFollowingStrategy, setting or {"price_add": 0.001, "atr_window": 10,
                                                            "atr_ma_window": 5})  # fmt: skip
    engine.run_backtesting()
    engine.calculate_result()
    return engine


def test_portfolio_sample_strategy_runs_unchanged_and_pnl_matches_the_account() -> None:
    engine = _trend(5)
    stats = engine.calculate_statistics(output=False)
    assert stats["total_trade_count"] > 0
    # second method: cash after the last close plus every position at its last mark
    marks = engine.recorder.marks
    equity = engine.account.balance
    for (vt, side), row in engine.account.positions.items():
        sign = 1 if side == LONG else -1
        assert side in (LONG, SHORT, COVERED)
        equity += sign * row.volume * marks[vt] * engine.contracts[vt].size
    assert stats["total_net_pnl"] == pytest.approx(equity - engine.capital, abs=1e-6)


def test_same_seed_same_results_other_seed_differs() -> None:
    a, b, c = _trend(5), _trend(5), _trend(6)
    trades = [[(t.datetime, t.price, t.volume) for t in e.get_all_trades()] for e in (a, b, c)]
    assert trades[0] == trades[1]
    assert a.daily_df is not None and b.daily_df is not None
    assert a.daily_df.equals(b.daily_df)
    assert trades[0] != trades[2]


def test_cli_json_and_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    option = _option(5)
    code = main(["backtest", "TrendFollowingStrategy", "--start", "2026-12-01", "--end",
                 "2026-12-01", "--symbols", option, "--seed", "5", "--step", "30", "--json",
                 "--chart-dir", str(tmp_path)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    result = json.loads(out.strip().splitlines()[-1])
    assert result["total_days"] == 1 and "total_premium_received" in result
    assert all(Path(p).is_file() for p in result["charts"])
    for argv, message in (
        (["--start", "2026-12-02", "--end", "2026-12-01"], "晚于结束日期"),
        (["--start", "2026-12-01", "--end", "2026-12-01", "--symbols", "99999999.SSE"], "未知合约"),
        (["--start", "2026-12-01", "--end", "2026-12-01", "--setting", "{bad"], "不是合法的 JSON"),
    ):
        assert main(["backtest", "TrendFollowingStrategy", *argv]) == 2
        assert message in capsys.readouterr().err
    assert main(["backtest", "NoSuchStrategy", "--start", "2026-12-01", "--end", "2026-12-01"]) == 2
    assert "找不到策略类 NoSuchStrategy" in capsys.readouterr().err


@pytest.mark.slow
def test_bf_optimisation_on_a_dask_local_cluster_equals_single_runs() -> None:
    from distributed import Client, LocalCluster

    engine = _trend(5)
    setting = OptimizationSetting()
    setting.add_parameter("price_add", 0.0005, 0.001, 0.0005)
    setting.add_parameter("atr_window", 10)
    setting.add_parameter("atr_ma_window", 5)
    setting.set_target("total_net_pnl")
    with (
        LocalCluster(n_workers=2, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        results = engine.run_bf_optimization(setting, output=False, scheduler=client)
    assert len(results) == 2
    for text, target, _ in results:
        single = _trend(5, eval(text))  # noqa: S307 - str(dict) of ints written by the engine
        assert target == pytest.approx(single.calculate_statistics(output=False)["total_net_pnl"])


@pytest.mark.slow
def test_ga_on_a_local_cluster_and_bf_on_local_processes() -> None:
    from distributed import Client, LocalCluster

    engine = _trend(5)
    setting = OptimizationSetting()
    setting.add_parameter("price_add", 0.0005, 0.001, 0.0005)
    setting.add_parameter("atr_window", 10)
    setting.add_parameter("atr_ma_window", 5, 10, 5)
    setting.set_target("total_net_pnl")
    with (
        LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        ga = engine.run_ga_optimization(setting, ngen=2, output=False, scheduler=client,
                                        pop_size=4)  # fmt: skip
    singles = {}
    for text, target, _ in ga:
        single = _trend(5, eval(text))  # noqa: S307 - str(dict) of numbers written by the engine
        singles[text] = single.calculate_statistics(output=False)["total_net_pnl"]
        assert target == pytest.approx(singles[text])
    assert [r[1] for r in ga] == sorted((r[1] for r in ga), reverse=True)
    bf = engine.run_bf_optimization(setting, output=False, max_workers=2)  # spawned processes
    assert len(bf) == 4
    for text, target, _ in bf:
        if text in singles:
            assert target == pytest.approx(singles[text])
