"""The README's demo: a sample strategy runs live on the simulated counter through
vnpy_portfoliostrategy's StrategyEngine for a bounded time and prints orders, fills, positions
and a PnL that this test recomputes from the printed fills and positions."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILL = re.compile(r"^  成交 (\d+) (买开|卖开|买平|卖平) (\d+) 张 @ ([\d.]+)$")
HELD = re.compile(r"^    \S+ (\d+)\.\w+ ([+-]\d+) 张 中间价 ([\d.]+) 合约单位 (\d+)$")
PNL = re.compile(r"^== 策略盈亏 (-?[\d,.]+) 元 .* 手续费 ([\d,.]+)$")


def number(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.mark.slow
def test_demo_runs_a_sample_strategy_and_reports_its_pnl() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vnpy_ctpsopt", "demo", "--seed", "11", "--speed", "60",
         "--seconds", "10", "--start", "20261216T100000"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    assert "添加策略 DeltaBandStrangleStrategy" in out
    lines = out.splitlines()
    fills = [m.groups() for line in lines if (m := FILL.match(line))]
    held = [m.groups() for line in lines if (m := HELD.match(line))]
    pnl_line = [m.groups() for line in lines if (m := PNL.match(line))]
    assert fills and held and len(pnl_line) == 1, out[-3000:]
    assert any("委托" in line and "全部成交" in line for line in lines)
    assert f"== 演示完成：共 {len(fills)} 笔成交" in out
    # positions = the fills netted; PnL = cash of the fills + positions at the mid - fees
    net: dict[str, int] = {}
    cash = 0.0
    for symbol, side, volume, price in fills:
        sign = 1 if side.startswith("买") else -1
        net[symbol] = net.get(symbol, 0) + sign * int(volume)
        cash -= sign * int(volume) * float(price) * 10000
    assert {s: v for s, v in net.items() if v} == {s: int(v) for s, v, _, _ in held}
    value = sum(int(v) * float(mid) * int(unit) for _, v, mid, unit in held)
    pnl, fees = number(pnl_line[0][0]), number(pnl_line[0][1])
    assert pnl == pytest.approx(cash + value - fees, abs=0.01)


def test_demo_refuses_a_bad_start() -> None:
    from vnpy_ctpsopt.demo import run_demo

    assert run_demo(start="2026-12-16") == 2
