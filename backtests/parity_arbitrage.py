"""Backtest of the put-call parity (box) arbitrage over a few weeks of the simulator's 50ETF
market: ``python backtests/parity_arbitrage.py [--start 2026-12-01 --end 2026-12-31]``.

The simulator prices calls and puts from one volatility smile, so parity holds up to the
spreads: at the default ``min_edge`` the scan finds nothing to do, which is the expected result.
Pass ``--min-edge -40`` to see the mechanics (boxes bought at a small loss)."""

import sys

from common import main

from strategies.parity_arbitrage import ParityArbitrageStrategy

SETTING = {"underlying": "510050.SSE", "max_lots": 5, "min_edge": 20.0, "min_days": 5,
           "close_days": 2, "interval": 10}  # fmt: skip

if __name__ == "__main__":
    if "--min-edge" in sys.argv:
        i = sys.argv.index("--min-edge")
        SETTING["min_edge"] = float(sys.argv[i + 1])
        del sys.argv[i : i + 2]
    sys.exit(main(ParityArbitrageStrategy, SETTING, "parity_arbitrage"))
