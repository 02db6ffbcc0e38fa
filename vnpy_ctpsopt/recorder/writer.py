"""The writer thread: batches, retries with backoff, spills past the memory bound, replays.

The event thread hands over lists with ``put_ticks`` / ``put_bars`` / ``put_contracts`` and never
waits. The writer converts ticks to rows, writes them in transactions of up to ``batch_rows``,
and on a database error keeps everything, retrying after 0.5 s, 1 s, 2 s ... up to
``retry_max``. Past ``memory_rows`` rows in memory the oldest go to the run's spill file, which
is replayed (before newer rows) when the database answers again. ``close`` writes everything
still held; if the database is still failing at the close deadline, the rest is spilled, so a
later start replays it.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vnpy.trader.object import BarData, ContractData, TickData

from .base import RecorderSetting, RecorderStats, UnderlyingStats
from .contracts import save_contracts
from .rows import bar_row, tick_row
from .spill import SpillFile, leftover_files
from .storage import Counts, Store

Row = tuple[Any, ...]
Log = Callable[[str], None]
_STOP = object()


class Writer:
    """Owns the store (used on this thread only), the pending rows and the spill file.

    ``underlyings`` maps (symbol, exchange value) -> the chain key counted in per-underlying
    stats (shared with the engine, which adds keys). ``contracts`` maps trading day -> vt_symbol ->
    contract still to store.
    """

    def __init__(
        self,
        store: Store,
        database: Any,
        setting: RecorderSetting,
        stats: RecorderStats,
        spill_folder: Path,
        log: Log,
        underlyings: dict[tuple[str, str], str],
    ) -> None:
        self.store: Store = store
        self.database: Any = database
        self.setting: RecorderSetting = setting
        self.stats: RecorderStats = stats
        self.log: Log = log
        self.underlyings: dict[tuple[str, str], str] = underlyings
        self.spill_folder: Path = spill_folder
        self.spill: SpillFile = SpillFile.for_run(spill_folder)
        self.leftovers: list[SpillFile] = leftover_files(spill_folder)
        self.queue: queue.Queue[Any] = queue.Queue()
        self.ticks: list[Row] = []
        self.bars: list[Row] = []
        self.contracts: dict[str, dict[str, ContractData]] = {}
        self.oldest: float = 0.0
        self.failing: bool = False
        self.next_try: float = 0.0
        self.backoff: float = setting.retry_initial
        self.stopping: bool = False
        self.deadline: float = 0.0
        self.thread: threading.Thread = threading.Thread(
            target=self.run, name="ctpsopt-recorder-writer", daemon=True
        )

    # -- producer side (any thread) ---------------------------------------------------------------

    def start(self) -> None:
        self.thread.start()

    def put_ticks(self, items: list[tuple[TickData, datetime]]) -> None:
        self.queue.put(("ticks", items, time.monotonic()))

    def put_bars(self, bars: list[BarData]) -> None:
        self.queue.put(("bars", bars, time.monotonic()))

    def put_contracts(self, day: date, contracts: Sequence[ContractData]) -> None:
        self.queue.put(("contracts", (day, list(contracts)), time.monotonic()))

    def close(self) -> bool:
        """Write (or spill) everything, stop the thread; True when the thread ended."""
        if not self.thread.is_alive():
            return True
        self.queue.put(_STOP)
        self.thread.join(self.setting.close_timeout + 30.0)
        return not self.thread.is_alive()

    # -- writer thread ------------------------------------------------------------------------------

    def run(self) -> None:
        try:
            self._loop()
        except BaseException as exc:  # noqa: BLE001 - last resort: never lose what is held
            self.log(f"录制写入线程异常：{exc!r}\n{traceback.format_exc()}")
            self._spill_all()
        finally:
            with contextlib.suppress(Exception):
                self.store.close()

    def _loop(self) -> None:
        if self.leftovers:
            self.log(f"发现上次未写入的溢出文件 {len(self.leftovers)} 个，将在数据库可用时回放")
        while True:
            self._drain(0.2 if not self.failing else max(0.01, self.next_try - time.monotonic()))
            if self._has_work() and time.monotonic() >= self.next_try:
                self._attempt()
            if len(self.ticks) + len(self.bars) > self.setting.memory_rows:
                self._spill_all()
            if self.stopping:
                if not self._has_work() and self.queue.empty():
                    return
                if time.monotonic() >= self.deadline:
                    self._spill_all()
                    if self.queue.empty():
                        self.log(
                            f"关闭时数据库仍不可用，{self.spill.rows} 条行情已写入溢出文件 "
                            f"{self.spill.path}，下次启动时回放"
                        )
                        return

    def _drain(self, timeout: float) -> None:
        """Take everything queued (waiting up to ``timeout`` for the first item)."""
        try:
            item = self.queue.get(timeout=min(timeout, 0.2))
        except queue.Empty:
            return
        while True:
            self._take(item)
            if len(self.ticks) >= self.setting.batch_rows:
                return
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                return

    def _take(self, item: Any) -> None:
        if item is _STOP:
            self.stopping = True
            self.deadline = time.monotonic() + self.setting.close_timeout
            self.next_try = 0.0  # write now
            return
        kind, payload, enqueued = item
        if not self.ticks and not self.bars:
            self.oldest = enqueued
        if kind == "ticks":
            self.stats.dequeued += len(payload)
            rows: list[Row] = []
            for tick, dt in payload:
                try:
                    rows.append(tick_row(tick, dt))
                except Exception as exc:  # noqa: BLE001 - one bad tick must not stop the rest
                    self.stats.malformed_rows += 1
                    self.log(f"行情数据无法写入，已跳过：{getattr(tick, 'vt_symbol', '?')} {exc!r}")
            self.ticks.extend(rows)
            self.stats.pending = len(self.ticks)
        elif kind == "bars":
            self.bars.extend(bar_row(b) for b in payload)
        else:
            day, contracts = payload
            target = self.contracts.setdefault(day.strftime("%Y%m%d"), {})
            for contract in contracts:
                target[contract.vt_symbol] = contract

    def _has_work(self) -> bool:
        return bool(self.ticks or self.bars or self.contracts or self.spill.rows or self.leftovers)

    def _attempt(self) -> None:
        try:
            self._write_contracts()
            self._replay(self.leftovers, recovered=True)
            self._replay([self.spill], recovered=False)
            self._write_pending()
        except Exception as exc:  # noqa: BLE001 - any database error: keep the rows, retry
            self.stats.db_errors += 1
            self.stats.last_error = repr(exc)
            if not self.failing or self.backoff >= self.setting.retry_max:
                self.log(f"数据库写入失败，{self.backoff:.1f}秒后重试（数据保留在内存）：{exc!r}")
            self.failing = True
            self.next_try = time.monotonic() + self.backoff
            self.backoff = min(self.backoff * 2, self.setting.retry_max)
            return
        if self.failing:
            self.log("数据库已恢复，继续写入")
        self.failing = False
        self.backoff = self.setting.retry_initial
        self.next_try = 0.0

    def _write_contracts(self) -> None:
        for day in list(self.contracts):
            contracts = list(self.contracts[day].values())
            save_contracts(self.database, day, contracts)
            self.stats.contracts_written += len(contracts)
            del self.contracts[day]

    def _replay(self, files: list[SpillFile], recovered: bool) -> None:
        for spill in list(files):
            for ticks, bars, damaged, offset in spill.chunks(self.setting.batch_rows):
                counts: Counts = self.store.write(ticks, bars)
                stored: int = sum(counts.values())
                self.stats.spill_damaged += damaged
                if recovered:
                    self.stats.recovered += stored
                    self.stats.recovered_merged += len(ticks) - stored
                else:
                    self._count(ticks, counts)
                    self.stats.spill_pending -= len(ticks)
                    spill.rows -= len(ticks)
                    self.stats.bars_written += len(bars)
                spill.offset = offset
            spill.remove()
            if recovered:
                files.remove(spill)
                self.log(f"已回放溢出文件 {spill.path.name}")

    def _write_pending(self) -> None:
        size: int = self.setting.batch_rows
        while self.ticks or self.bars:
            ticks, bars = self.ticks[:size], self.bars[:size]
            counts: Counts = self.store.write(ticks, bars)
            del self.ticks[: len(ticks)]
            del self.bars[: len(bars)]
            self.stats.pending = len(self.ticks)
            self._count(ticks, counts)
            self.stats.bars_written += len(bars)
            self.stats.batches += 1
            lag: float = time.monotonic() - self.oldest
            self.stats.last_lag = lag
            self.stats.max_lag = max(self.stats.max_lag, lag)
        self.oldest = time.monotonic()

    def _count(self, ticks: Sequence[Row], counts: Counts) -> None:
        stored: int = sum(counts.values())
        self.stats.written += stored
        self.stats.merged_stored += len(ticks) - stored
        per = self.stats.per_underlying
        for key, n in counts.items():
            underlying: str = self.underlyings.get(key, f"{key[0]}.{key[1]}")
            entry = per.get(underlying)
            if entry is None:
                entry = per[underlying] = UnderlyingStats()
            entry.written += n

    def _spill_all(self) -> None:
        """Move every row held in memory to the spill file (durably), then forget them."""
        if not self.ticks and not self.bars:
            return
        try:
            self.spill.append(self.ticks, self.bars)
        except Exception as exc:  # noqa: BLE001 - disk full: keep the rows in memory
            self.log(f"溢出文件写入失败，数据保留在内存：{exc!r}")
            return
        self.stats.spilled += len(self.ticks)
        self.stats.spill_pending += len(self.ticks)
        self.ticks = []
        self.bars = []
        self.stats.pending = 0
