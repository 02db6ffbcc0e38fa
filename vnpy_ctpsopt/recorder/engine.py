"""RecorderEngine: whole option chains from any vn.py process into vn.py's database.

Usage inside a MainEngine (VeighNa Trader loads it as the app ``RecorderApp``)::

    engine = main_engine.add_engine(RecorderEngine)
    engine.start(chains=["510050.SSE", "159919.SZSE"])   # or start(all_chains=True)
    ...
    engine.close()          # MainEngine.close() calls it too; writes everything received

A chain is the ETF and every option whose ``option_portfolio`` is ``<ETF code>_O`` on the same
exchange, including contracts pushed later (EVENT_CONTRACT: new expiries, adjusted contracts);
each is subscribed through its own gateway. ``add_symbol`` records any other instrument whose
ticks arrive (other gateways too). The event thread only filters, places and buffers ticks; the
writer thread (writer.py) writes them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vnpy.event import EVENT_TIMER, Event, EventEngine
from vnpy.trader.constant import Product
from vnpy.trader.database import BaseDatabase, get_database
from vnpy.trader.engine import BaseEngine, MainEngine
from vnpy.trader.event import EVENT_CONTRACT, EVENT_TICK
from vnpy.trader.object import BarData, ContractData, LogData, SubscribeRequest, TickData
from vnpy.trader.utility import get_folder_path

from .bars import BarRecorder
from .base import (
    APP_NAME,
    EVENT_RECORDER_LOG,
    EVENT_RECORDER_STATS,
    SPILL_FOLDER,
    RecorderSetting,
    RecorderStats,
    UnderlyingStats,
)
from .contracts import underlying_of
from .rows import DuplicatePolicy, in_session
from .storage import make_store
from .writer import Writer

EVENT_RECORDER_DRAIN: str = "eCtpsoptRecorderDrain"
MALFORMED_LOG_FIRST: int = 10
MALFORMED_LOG_EVERY: int = 1000


class RecorderEngine(BaseEngine):
    """State (event thread unless noted): ``chains`` chain keys (``510050.SSE``) recorded whole;
    ``explicit`` single vt_symbols; ``symbols`` vt_symbol -> chain key of every recorded
    instrument; ``keys`` (symbol, exchange value) -> chain key (read by the writer);
    ``contracts`` vt_symbol -> ContractData of recorded instruments; ``buffer`` (tick, stored
    datetime) pairs not yet handed to the writer (under ``lock``)."""

    def __init__(
        self,
        main_engine: MainEngine,
        event_engine: EventEngine,
        setting: RecorderSetting | None = None,
        database: BaseDatabase | None = None,
    ) -> None:
        super().__init__(main_engine, event_engine, APP_NAME)
        self.setting: RecorderSetting = setting or RecorderSetting()
        self.database: BaseDatabase | None = database
        self.stats: RecorderStats = RecorderStats()
        self.chains: set[str] = set()
        self.all_chains: bool = False
        self.explicit: set[str] = set()
        self.symbols: dict[str, str] = {}
        self.keys: dict[tuple[str, str], str] = {}
        self.contracts: dict[str, ContractData] = {}
        self.buffer: list[tuple[TickData, datetime]] = []
        self.bar_buffer: list[BarData] = []
        self.lock: threading.Lock = threading.Lock()
        self.policy: DuplicatePolicy = DuplicatePolicy()
        self.bars: BarRecorder | None = None
        self.writer: Writer | None = None
        self.day: date | None = None
        self.active: bool = False
        self.started_at: float = 0.0
        self.on_log: Callable[[str], None] | None = None
        self._timer_seconds: float = 0.0

    # -- control ------------------------------------------------------------------------------------

    def start(
        self,
        chains: Iterable[str] = (),
        symbols: Iterable[str] = (),
        all_chains: bool = False,
    ) -> None:
        """Start recording the given chains (ETF vt_symbols) and single symbols."""
        if self.active:
            return
        database: BaseDatabase = self.database or get_database()
        self.database = database
        folder: Path = (
            Path(self.setting.spill_folder)
            if self.setting.spill_folder
            else get_folder_path(SPILL_FOLDER)
        )
        self.writer = Writer(
            make_store(database, self.setting.fast_writer),
            database,
            self.setting,
            self.stats,
            folder,
            self.write_log,
            self.keys,
        )
        self.writer.start()
        if self.setting.bars:
            self.bars = BarRecorder(self._on_bar, self.setting.bar_grace)
        self.active = True
        self.started_at = time.monotonic()
        self.event_engine.register(EVENT_TICK, self.process_tick_event)
        self.event_engine.register(EVENT_CONTRACT, self.process_contract_event)
        self.event_engine.register(EVENT_TIMER, self.process_timer_event)
        self.all_chains = self.all_chains or all_chains
        self.chains.update(chains)
        self.explicit.update(symbols)
        for contract in self.main_engine.get_all_contracts():
            self._consider(contract)
        for vt_symbol in self.explicit:
            self._track(vt_symbol)
        self.write_log(
            f"开始录制：{len(self.chains) or ('全部' if self.all_chains else 0)} 条期权链，"
            f"{len(self.symbols)} 个合约，写入方式 {self.writer.store.name}"
        )

    def add_chain(self, vt_symbol: str) -> None:
        """Record a whole chain (the ETF ``vt_symbol`` and all its options, also later ones)."""
        self.chains.add(vt_symbol)
        for contract in self.main_engine.get_all_contracts():
            self._consider(contract)

    def add_symbol(self, vt_symbol: str) -> None:
        """Record one instrument (any gateway)."""
        self.explicit.add(vt_symbol)
        contract = self.main_engine.get_contract(vt_symbol)
        if contract is not None:
            self._consider(contract)
        self._track(vt_symbol)

    def _track(self, vt_symbol: str) -> None:
        """Record ``vt_symbol``'s ticks even without a contract (another gateway's symbol)."""
        if vt_symbol in self.symbols:
            return
        self.symbols[vt_symbol] = vt_symbol
        symbol, _, exchange = vt_symbol.rpartition(".")
        self.keys[(symbol, exchange)] = vt_symbol
        self.stats.per_underlying.setdefault(vt_symbol, UnderlyingStats())

    def close(self, log_summary: bool = True) -> None:
        """Stop and write everything received (MainEngine.close() calls this)."""
        if not self.active or self.writer is None:
            return
        self.active = False
        for kind, handler in (
            (EVENT_TICK, self.process_tick_event),
            (EVENT_CONTRACT, self.process_contract_event),
            (EVENT_TIMER, self.process_timer_event),
        ):
            self.event_engine.unregister(kind, handler)
        self._drain_stopped_event_engine()
        if self.bars is not None:
            self.bars.flush_all()
        self.flush()
        ended: bool = self.writer.close()
        if not ended:
            self.write_log("录制写入线程未能在限定时间内结束")
        if log_summary:
            for line in summary_lines(self.stats):
                self.write_log(line)

    def stop(self) -> None:
        self.close()

    def _drain_stopped_event_engine(self) -> None:
        """MainEngine.close() stops the event engine before closing apps; ticks still queued
        there would be dropped. Process them here (the event engine is stopped, so nothing else
        reads its queue any more). With a running event engine (the app's stop button), wait
        until a handler call in flight has finished instead."""
        if getattr(self.event_engine, "_active", True):
            if threading.current_thread() is not getattr(self.event_engine, "_thread", None):
                passed = threading.Event()
                self.event_engine.register(EVENT_RECORDER_DRAIN, lambda e: passed.set())
                self.event_engine.put(Event(EVENT_RECORDER_DRAIN))
                passed.wait(5.0)
            return
        q: Any = getattr(self.event_engine, "_queue", None)
        if q is None:
            return
        while True:
            try:
                event: Event = q.get_nowait()
            except Exception:  # noqa: BLE001 - queue.Empty
                return
            if event.type == EVENT_TICK:
                self.process_tick_event(event)
            elif event.type == EVENT_CONTRACT:
                self.process_contract_event(event)

    # -- chains ---------------------------------------------------------------------------------

    def chain_of(self, contract: ContractData) -> str | None:
        """The chain key to record ``contract`` under, or None."""
        vt_symbol: str = contract.vt_symbol
        if vt_symbol in self.explicit:
            return vt_symbol
        if contract.product == Product.OPTION and contract.option_portfolio:
            key: str = f"{underlying_of(contract)}.{contract.exchange.value}"
            if self.all_chains or key in self.chains:
                return key
            return None
        if vt_symbol in self.chains:
            return vt_symbol
        return None

    def _consider(self, contract: ContractData) -> None:
        key: str | None = self.chain_of(contract)
        if key is None:
            return
        if self.all_chains and contract.product == Product.OPTION and key not in self.chains:
            self.chains.add(key)
            etf: ContractData | None = self.main_engine.get_contract(key)
            if etf is not None:
                self._add(etf, key)
        self._add(contract, key)

    def _add(self, contract: ContractData, key: str) -> None:
        vt_symbol: str = contract.vt_symbol
        new: bool = vt_symbol not in self.contracts
        self.contracts[vt_symbol] = contract
        self.symbols[vt_symbol] = key
        self.keys[(contract.symbol, contract.exchange.value)] = key
        if key not in self.stats.per_underlying:
            self.stats.per_underlying[key] = UnderlyingStats()
        self.main_engine.subscribe(
            SubscribeRequest(contract.symbol, contract.exchange), contract.gateway_name
        )
        if new and self.day is not None and self.writer is not None:
            self.writer.put_contracts(self.day, [contract])

    # -- events ---------------------------------------------------------------------------------

    def process_contract_event(self, event: Event) -> None:
        try:
            self._consider(event.data)
        except Exception as exc:  # noqa: BLE001 - never into the event engine
            self.write_log(f"处理合约推送异常：{exc!r}")

    def process_tick_event(self, event: Event) -> None:
        """Hot path: count, filter, place (same-timestamp policy), buffer."""
        tick: TickData = event.data
        try:
            key: str | None = self.symbols.get(tick.vt_symbol)
        except Exception:  # noqa: BLE001 - not a TickData at all
            return
        if key is None:
            return
        stats = self.stats
        stats.received += 1
        try:
            stats.per_underlying[key].received += 1
            dt: datetime = tick.datetime
            if dt.tzinfo is None or dt.utcoffset() is None:
                raise ValueError(f"时间戳缺少时区：{dt!r}")
            if self.setting.session_filter and not in_session(dt):
                stats.filtered_session += 1
                return
            stale: float | None = self.setting.stale_seconds
            if stale is not None and abs(dt.timestamp() - time.time()) > stale:
                stats.filtered_stale += 1
                return
            placed: datetime | None = self.policy.place(tick)
            if placed is None:
                stats.merged_same += 1
                return
            if placed is not dt:
                stats.shifted += 1
            if self.day != dt.date():
                self._new_day(dt.date())
            with self.lock:
                self.buffer.append((tick, placed))
                stats.accepted += 1
                full: bool = len(self.buffer) >= self.setting.batch_rows
            if self.bars is not None:
                self.bars.update_tick(tick)
        except Exception as exc:  # noqa: BLE001 - a bad tick is skipped, never fatal
            stats.malformed += 1
            if stats.malformed <= MALFORMED_LOG_FIRST or stats.malformed % MALFORMED_LOG_EVERY == 0:
                self.write_log(f"异常行情已跳过（第{stats.malformed}条）：{tick.vt_symbol} {exc!r}")
            return
        if full:
            self.flush()

    def process_timer_event(self, event: Event) -> None:
        try:
            self._timer_seconds += 1.0
            if self._timer_seconds >= self.setting.flush_interval:
                self._timer_seconds = 0.0
                if self.bars is not None:
                    self.bars.flush_due()
                self.flush()
            self.event_engine.put(Event(EVENT_RECORDER_STATS, self.stats.snapshot()))
        except Exception as exc:  # noqa: BLE001
            self.write_log(f"录制定时任务异常：{exc!r}")

    def _new_day(self, day: date) -> None:
        """First tick of a new trading day: store the day's contract list."""
        self.day = day
        if self.writer is not None:
            self.writer.put_contracts(day, list(self.contracts.values()))

    def flush(self) -> None:
        """Hand everything buffered to the writer (timer, full buffer, close)."""
        writer = self.writer
        if writer is None:
            return
        with self.lock:
            items, self.buffer = self.buffer, []
        bars, self.bar_buffer[:] = list(self.bar_buffer), []
        if items:
            writer.put_ticks(items)
        if bars:
            writer.put_bars(bars)

    def _on_bar(self, bar: BarData) -> None:
        self.stats.bars_generated += 1
        self.bar_buffer.append(bar)

    # -- logs -----------------------------------------------------------------------------------

    def write_log(self, msg: str) -> None:
        if self.on_log is not None:
            self.on_log(msg)
        log = LogData(msg=msg, gateway_name=APP_NAME)
        self.event_engine.put(Event(EVENT_RECORDER_LOG, log))
        self.main_engine.write_log(msg, APP_NAME)


def summary_lines(stats: RecorderStats) -> list[str]:
    """The final accounting, each figure once (Chinese, for traders)."""
    s = stats
    lines: list[str] = [
        f"收到行情 {s.received} = 写入 {s.written} + 过滤 {s.filtered}"
        f"（非交易时段 {s.filtered_session}，过期 {s.filtered_stale}）"
        f" + 合并重复 {s.merged}（同时间戳同内容 {s.merged_same}，库中已有 {s.merged_stored}）"
        f" + 异常 {s.malformed + s.malformed_rows} + 缓存中 {s.buffered}"
        f" + 溢出未回放 {s.spill_pending}",
        f"同时间戳不同内容、错开1微秒保存 {s.shifted} 条；K线写入 {s.bars_written} 根；"
        f"合约记录 {s.contracts_written} 条",
        f"溢出到文件 {s.spilled} 条，回放上次遗留 {s.recovered} 条（其中已在库 {s.recovered_merged}），"
        f"数据库错误 {s.db_errors} 次",
    ]
    unaccounted: int = s.balance()
    lines.append("核对无误" if unaccounted == 0 else f"核对不符：差 {unaccounted} 条")
    return lines
