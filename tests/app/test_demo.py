"""The README's demo really trades on the simulated counter through a MainEngine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_trades_and_ends_flat() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vnpy_ctpsopt", "demo", "--seed", "11", "--speed", "20"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    assert "合约信息查询成功" in out
    assert out.count("  成交 ") == 4
    assert "== 演示完成：共 4 笔成交" in out
    after_open = out.split("资金(开仓后)")[1].splitlines()[0]
    assert "保证金 0.00" not in after_open  # the short put holds margin
    after_close = out.split("资金(平仓后)")[1].splitlines()[0]
    assert "保证金 0.00" in after_close
