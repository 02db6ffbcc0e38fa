"""Option-chain tick recorder: whole SSE/SZSE ETF option chains into vn.py's database.

``RecorderEngine`` works in any vn.py process; ``RecorderApp`` lets VeighNa Trader load it;
``python -m vnpy_ctpsopt record`` runs it headless. ``load_contracts(day)`` /
``load_contract_days(start, end)`` read back the contract list of recorded days.
"""

from __future__ import annotations

from pathlib import Path

from vnpy.trader.app import BaseApp

from .base import (
    APP_NAME,
    EVENT_RECORDER_LOG,
    EVENT_RECORDER_STATS,
    RecorderSetting,
    RecorderStats,
)
from .contracts import load_contract_days, load_contracts, save_contracts
from .database import open_database
from .engine import RecorderEngine, summary_lines


class RecorderApp(BaseApp):
    """VeighNa Trader app: 期权链行情录制."""

    app_name: str = APP_NAME
    app_module: str = __module__
    app_path: Path = Path(__file__).parent
    display_name: str = "期权链录制"
    engine_class: type[RecorderEngine] = RecorderEngine
    widget_name: str = "RecorderManager"
    icon_name: str = str(app_path / "ui" / "recorder.ico")


__all__ = [
    "APP_NAME",
    "EVENT_RECORDER_LOG",
    "EVENT_RECORDER_STATS",
    "RecorderApp",
    "RecorderEngine",
    "RecorderSetting",
    "RecorderStats",
    "load_contract_days",
    "load_contracts",
    "open_database",
    "save_contracts",
    "summary_lines",
]
