"""Option strategies on vnpy_portfoliostrategy: the template and the engine protocol it needs."""

from .live import LiveOptionEngine
from .protocol import DETAIL_COVERED, DETAIL_EXERCISING, DETAIL_LOCKED, OptionEngine
from .template import OptionStrategyTemplate, resolve_option_engine, underlying_of

__all__ = [
    "DETAIL_COVERED",
    "DETAIL_EXERCISING",
    "DETAIL_LOCKED",
    "LiveOptionEngine",
    "OptionEngine",
    "OptionStrategyTemplate",
    "resolve_option_engine",
    "underlying_of",
]
