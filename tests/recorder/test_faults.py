"""Faults: a database that fails then recovers, bad ticks, filters, kill -9 and the spill file."""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from vnpy.event import Event, EventEngine
from vnpy.trader.constant import Exchange
from vnpy.trader.database import BaseDatabase
from vnpy.trader.engine import MainEngine
from vnpy.trader.event import EVENT_TICK
from vnpy.trader.object import TickData

from tests.gateway.harness import poll
from vnpy_ctpsopt.recorder import RecorderEngine, RecorderSetting

from .kit import CHAINS, SimChains, expected_rows, stored_rows
from .proc import RecorderProcess, make_home

CN = ZoneInfo("Asia/Shanghai")


def sqlite_path(database: BaseDatabase) -> str:
    return str(database.db.database)  # type: ignore[attr-defined]


class Lock:
    """Another connection holding SQLite's write lock: every writer gets 'database is locked'."""

    def __init__(self, path: str | Path) -> None:
        self.conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        self.conn.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


def test_database_failing_for_a_while_loses_nothing(
    sqlite_db: BaseDatabase, tmp_path: Path
) -> None:
    sim = SimChains(speed=30)
    setting = RecorderSetting(
        stale_seconds=None,
        spill_folder=str(tmp_path / "spill"),
        memory_rows=300,
        retry_initial=0.05,
        retry_max=0.2,
    )
    engine = RecorderEngine(sim.harness.main_engine, sim.harness.event_engine, setting, sqlite_db)
    try:
        engine.start(chains=CHAINS)
        assert poll(lambda: engine.stats.written > 500, 60)
        lock = Lock(sqlite_path(sqlite_db))
        try:
            # failing: retried with backoff, rows past the memory bound spilled to the file
            assert poll(lambda: engine.stats.db_errors >= 3 and engine.stats.spilled > 1000, 60)
            written_while_locked = engine.stats.written
            spill_files = list((tmp_path / "spill").glob("spill-*.jsonl"))
            assert spill_files and spill_files[0].stat().st_size > 0
        finally:
            lock.release()
        # recovering: the spill file is replayed and deleted, writing goes on
        assert poll(
            lambda: (
                engine.stats.spill_pending == 0
                and engine.stats.written > written_while_locked + 1000
            ),
            60,
        )
        assert poll(lambda: not list((tmp_path / "spill").glob("spill-*.jsonl")), 30)
        sim.stop_market()
        engine.close()
        symbols = {c.vt_symbol for c in sim.chain_contracts()}
        expected = expected_rows(sim.ticks, symbols)
        for vt_symbol in symbols:
            assert stored_rows(sqlite_db, vt_symbol) == expected[vt_symbol], vt_symbol
        assert engine.stats.balance() == 0 and engine.stats.spill_pending == 0
    finally:
        engine.close()
        sim.close()


def make_tick(second: int, ms: int = 0, **fields: object) -> TickData:
    tick = TickData(
        symbol="IF2606",
        exchange=Exchange.CFFEX,
        gateway_name="OTHER",
        name="IF2606",
        datetime=datetime(2026, 3, 2, 10, 0, second, ms * 1000, tzinfo=CN),
        last_price=4000.0,
        volume=10.0,
        bid_price_1=3999.8,
        ask_price_1=4000.2,
    )
    for key, value in fields.items():
        setattr(tick, key, value)
    return tick


def run_ticks(
    database: BaseDatabase, tmp_path: Path, setting: RecorderSetting, ticks: list[object]
) -> RecorderEngine:
    """Push events straight into a running event engine (another gateway's ticks), then close."""
    event_engine = EventEngine()
    main_engine = MainEngine(event_engine)
    engine = RecorderEngine(main_engine, event_engine, setting, database)
    engine.start(symbols=["IF2606.CFFEX"])
    done = threading.Event()
    event_engine.register("test-done", lambda e: done.set())
    for tick in ticks:
        event_engine.put(Event(EVENT_TICK, tick))
    event_engine.put(Event("test-done"))
    assert done.wait(30)
    engine.close()
    main_engine.close()
    return engine


def test_bad_ticks_are_skipped_and_counted_event_engine_survives(
    sqlite_db: BaseDatabase, tmp_path: Path
) -> None:
    naive = make_tick(1)
    naive.datetime = naive.datetime.replace(tzinfo=None)
    nan = make_tick(2, bid_price_1=float("nan"))
    quote_only = make_tick(3, volume=0.0, last_price=0.0)  # zero-volume quote: kept
    ticks: list[object] = [
        make_tick(0),
        naive,
        nan,
        make_tick(0),  # the same message again: merged
        make_tick(0, volume=11.0),  # same timestamp, different: kept 1 µs later
        quote_only,
        make_tick(4, ms=500),
    ]
    setting = RecorderSetting(stale_seconds=None, spill_folder=str(tmp_path / "spill"))
    engine = run_ticks(sqlite_db, tmp_path, setting, ticks)
    s = engine.stats
    assert (s.received, s.malformed, s.malformed_rows, s.merged_same, s.shifted) == (7, 1, 1, 1, 1)
    assert s.written == 4 and s.balance() == 0
    rows = sqlite_db.load_tick_data(
        "IF2606", Exchange.CFFEX, datetime(2026, 3, 2), datetime(2026, 3, 3)
    )
    assert [(t.datetime.second, t.datetime.microsecond, t.volume) for t in rows] == [
        (0, 0, 10.0),
        (0, 1, 11.0),
        (3, 0, 0.0),
        (4, 500000, 10.0),
    ]


def test_session_and_stale_filters(sqlite_db: BaseDatabase, tmp_path: Path) -> None:
    night = make_tick(0)
    night.datetime = night.datetime.replace(hour=20)
    lunch = make_tick(0)
    lunch.datetime = lunch.datetime.replace(hour=12)
    closing = make_tick(0)
    closing.datetime = closing.datetime.replace(hour=15, minute=0, second=30)  # close grace
    setting = RecorderSetting(stale_seconds=None, spill_folder=str(tmp_path / "spill"))
    s = run_ticks(sqlite_db, tmp_path, setting, [make_tick(0), night, lunch, closing]).stats
    assert (s.received, s.filtered_session, s.written) == (4, 2, 2)

    now = datetime.now(CN).replace(microsecond=0)
    fresh, old = make_tick(0), make_tick(0)
    fresh.datetime, old.datetime = now, now - timedelta(hours=2)
    setting = RecorderSetting(
        session_filter=False, stale_seconds=60, spill_folder=str(tmp_path / "spill2")
    )
    s = run_ticks(sqlite_db, tmp_path, setting, [fresh, old]).stats
    assert (s.received, s.filtered_stale, s.written, s.balance()) == (2, 1, 1, 0)


def spilled_keys(folder: Path) -> set[tuple[str, str]]:
    """(symbol, datetime text) of every complete tick line in the spill files, parsed here."""
    keys: set[tuple[str, str]] = set()
    for path in folder.glob("spill-*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            if line.endswith("\n"):
                kind, values = json.loads(line)
                if kind == "tick":
                    keys.add((values[0], values[2]))
    return keys


@pytest.mark.slow
def test_kill_9_spill_replayed_at_next_start(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    spill = tmp_path / "spill"
    args = ("--underlying", "510050.SSE", "--sim-speed", "10", "--sim-start", "20260302T093000")
    extra = ("--progress-interval", "0.3", "--memory-rows", "200", "--spill-folder", str(spill))
    proc = RecorderProcess(home, *args, *extra)
    proc.wait_line(r"写入 [1-9]\d{2,}")  # the database file and its tables exist, WAL mode on
    lock = Lock(home / ".vntrader" / "ticks.db")
    try:
        proc.wait_line(r"溢出 [1-9]\d{3,}")  # > 1000 rows spilled while the database is locked
        proc.proc.send_signal(signal.SIGKILL)
        proc.finish()
    finally:
        lock.release()
    keys = spilled_keys(spill)
    assert len(keys) >= 1000
    again = RecorderProcess(home, *args, "--duration", "1", "--spill-folder", str(spill))
    assert again.finish() == 0, again.output()[-3000:]
    recovered, already = again.recovered()
    assert recovered + already >= len(keys)
    assert not list(spill.glob("spill-*.jsonl"))
    with sqlite3.connect(home / ".vntrader" / "ticks.db") as conn:
        stored = set(conn.execute("SELECT symbol, datetime FROM dbtickdata").fetchall())
    assert keys <= stored, len(keys - stored)
