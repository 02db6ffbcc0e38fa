"""Backtest of the covered call over a few weeks of the simulator's 50ETF market:
``python backtests/covered_call.py [--start 2026-12-01 --end 2026-12-31 --seed 7]``."""

import sys

from common import ETF_SHARES, main

from strategies.covered_call import CoveredCallStrategy

SETTING = {"underlying": "510050.SSE", "lots": 5, "otm_ratio": 0.03, "min_days": 10,
           "roll_days": 3}  # fmt: skip

if __name__ == "__main__":
    # the account holds the ETF (as every new account on the simulated counter does)
    sys.exit(main(CoveredCallStrategy, SETTING, "covered_call", etf_shares=ETF_SHARES))
