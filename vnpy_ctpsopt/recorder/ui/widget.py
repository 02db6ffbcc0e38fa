"""RecorderManager: start/stop whole-chain recording and watch the counters (VeighNa Trader)."""

from __future__ import annotations

from typing import Any

from vnpy.event import Event, EventEngine
from vnpy.trader.engine import MainEngine
from vnpy.trader.ui import QtCore, QtWidgets

from ..base import APP_NAME, EVENT_RECORDER_LOG, EVENT_RECORDER_STATS, RecorderStats
from ..engine import RecorderEngine

# (label, RecorderStats attribute or property)
COUNTERS: tuple[tuple[str, str], ...] = (
    ("收到", "received"),
    ("写入", "written"),
    ("过滤", "filtered"),
    ("合并重复", "merged"),
    ("错开保存", "shifted"),
    ("异常", "malformed"),
    ("缓存中", "buffered"),
    ("溢出文件", "spill_pending"),
    ("K线", "bars_written"),
    ("数据库错误", "db_errors"),
)


class RecorderManager(QtWidgets.QWidget):
    """Chains to record (ETF vt_symbols), bars on/off, start/stop, live counters and log."""

    signal_stats: QtCore.Signal = QtCore.Signal(Event)
    signal_log: QtCore.Signal = QtCore.Signal(Event)

    def __init__(self, main_engine: MainEngine, event_engine: EventEngine) -> None:
        super().__init__()
        self.main_engine: MainEngine = main_engine
        self.event_engine: EventEngine = event_engine
        engine: Any = main_engine.get_engine(APP_NAME)
        self.engine: RecorderEngine = engine
        self.setWindowTitle("期权链行情录制")

        self.chains_edit = QtWidgets.QLineEdit("510050.SSE,159919.SZSE")
        self.all_check = QtWidgets.QCheckBox("全部期权链")
        self.bars_check = QtWidgets.QCheckBox("同时录制1分钟K线")
        self.start_button = QtWidgets.QPushButton("开始录制")
        self.stop_button = QtWidgets.QPushButton("停止录制")
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)

        self.labels: dict[str, QtWidgets.QLabel] = {}
        grid = QtWidgets.QGridLayout()
        for i, (text, name) in enumerate(COUNTERS):
            label = QtWidgets.QLabel("0")
            self.labels[name] = label
            grid.addWidget(QtWidgets.QLabel(text), i // 5 * 2, i % 5)
            grid.addWidget(label, i // 5 * 2 + 1, i % 5)
        self.log_monitor = QtWidgets.QTextEdit()
        self.log_monitor.setReadOnly(True)

        form = QtWidgets.QFormLayout()
        form.addRow("期权链（标的代码.交易所）", self.chains_edit)
        form.addRow(self.all_check, self.bars_check)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        layout = QtWidgets.QVBoxLayout()
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addLayout(grid)
        layout.addWidget(self.log_monitor)
        self.setLayout(layout)

        self.signal_stats.connect(self.process_stats_event)
        self.signal_log.connect(self.process_log_event)
        self.event_engine.register(EVENT_RECORDER_STATS, self.signal_stats.emit)
        self.event_engine.register(EVENT_RECORDER_LOG, self.signal_log.emit)

    def start(self) -> None:
        chains = [c.strip() for c in self.chains_edit.text().split(",") if c.strip()]
        self.engine.setting.bars = self.bars_check.isChecked()
        self.engine.start(chains=chains, all_chains=self.all_check.isChecked())

    def stop(self) -> None:
        self.engine.close()

    def process_stats_event(self, event: Event) -> None:
        stats: RecorderStats = event.data
        for name, label in self.labels.items():
            label.setText(str(getattr(stats, name)))

    def process_log_event(self, event: Event) -> None:
        self.log_monitor.append(event.data.msg)
