"""Each backtest script runs as documented (`python backtests/<name>.py`) and writes its charts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.parametrize(
    "script", ["covered_call", "short_strangle", "parity_arbitrage", "volatility_premium"]
)
def test_script_prints_statistics_and_writes_charts(script: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, f"backtests/{script}.py", "--start", "2026-12-16", "--end",
         "2026-12-17", "--step", "120", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "总交易日：\t2" in result.stdout and "收取权利金" in result.stdout
    charts = sorted(tmp_path.glob("*.html"))
    assert charts and all(p.stat().st_size > 1000 for p in charts)
    assert f"图表：{charts[0]}" in result.stdout
