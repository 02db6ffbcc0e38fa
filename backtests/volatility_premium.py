"""Backtest of the volatility-premium short straddle over a few weeks of the simulator's 50ETF
market: ``python backtests/volatility_premium.py [--start 2026-12-01 --end 2026-12-31]``."""

import sys

from common import main

from strategies.volatility_premium import VolatilityPremiumStrategy

SETTING = {"underlying": "510050.SSE", "lots": 5, "entry_ratio": 1.2, "exit_ratio": 1.0,
           "rv_window": 120, "min_days": 7, "close_days": 2}  # fmt: skip

if __name__ == "__main__":
    sys.exit(main(VolatilityPremiumStrategy, SETTING, "volatility_premium"))
