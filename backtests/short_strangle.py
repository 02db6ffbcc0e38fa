"""Backtest of the delta-band short strangle over a few weeks of the simulator's 50ETF market:
``python backtests/short_strangle.py [--start 2026-12-01 --end 2026-12-31 --seed 7]``."""

import sys

from common import main

from strategies.short_strangle import DeltaBandStrangleStrategy

SETTING = {"underlying": "510050.SSE", "lots": 5, "wing_delta": 0.25, "min_days": 5,
           "close_days": 2, "delta_band": 1.0}  # fmt: skip

if __name__ == "__main__":
    sys.exit(main(DeltaBandStrangleStrategy, SETTING, "short_strangle"))
