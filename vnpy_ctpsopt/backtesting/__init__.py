"""Option-aware tick backtester with vnpy_portfoliostrategy's BacktestingEngine surface."""

from vnpy.trader.optimize import OptimizationSetting

from .book import AccountBook
from .contracts import BtContract
from .engine import BacktestingEngine
from .feed import BacktestError, DayFeed

__all__ = [
    "AccountBook",
    "BacktestError",
    "BacktestingEngine",
    "BtContract",
    "DayFeed",
    "OptimizationSetting",
]
