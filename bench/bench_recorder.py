"""Recorder throughput side by side, one run: this recorder vs vnpy_datarecorder into SQLite,
the plain sqlite3 executemany limit, the PostgreSQL write paths, and a real-time full chain.

    PYTHONPATH=. TZ=Asia/Shanghai .venv/bin/python bench/bench_recorder.py [--ticks 200000]

The stream: a full-chain shape (``--instruments`` instruments, 5 levels, one snapshot each per
round, distinct timestamps near now so vnpy_datarecorder's 60 s filter keeps them).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
HOME = Path(tempfile.mkdtemp(prefix="bench-recorder-"))
(HOME / ".vntrader").mkdir()
os.chdir(HOME)  # vn.py settings (and databases) in a throw-away folder
sys.path.insert(0, str(ROOT))

from vnpy.event import Event, EventEngine  # noqa: E402
from vnpy.trader.constant import Exchange, Product  # noqa: E402
from vnpy.trader.engine import MainEngine  # noqa: E402
from vnpy.trader.event import EVENT_CONTRACT, EVENT_TICK  # noqa: E402
from vnpy.trader.object import ContractData, TickData  # noqa: E402
from vnpy.trader.setting import SETTINGS  # noqa: E402

from vnpy_ctpsopt.recorder import RecorderEngine, RecorderSetting, open_database  # noqa: E402
from vnpy_ctpsopt.recorder.rows import TICK_COLUMNS, tick_row  # noqa: E402
from vnpy_ctpsopt.recorder.storage import AdapterStore, make_store  # noqa: E402

SETTINGS["log.active"] = False
CN = ZoneInfo("Asia/Shanghai")


def contracts(n: int) -> list[ContractData]:
    return [
        ContractData(
            symbol=f"{10000000 + i}", exchange=Exchange.SSE, name=f"opt{i}", product=Product.OPTION,
            size=10000, pricetick=0.0001, gateway_name="BENCH",
        )
        for i in range(n)
    ]  # fmt: skip


def stream(instruments: int, total: int) -> list[TickData]:
    base = datetime.now(CN).replace(microsecond=0) - timedelta(seconds=20)
    ticks: list[TickData] = []
    k = 0
    while len(ticks) < total:
        dt = base + timedelta(milliseconds=k)  # 1 ms apart per round: distinct, within 60 s
        for i in range(instruments):
            if len(ticks) == total:
                break
            p = 0.1 + (i % 50) * 0.01 + k * 1e-4
            t = TickData(
                symbol=f"{10000000 + i}", exchange=Exchange.SSE, datetime=dt, name=f"opt{i}",
                volume=k, turnover=k * 100.0, open_interest=1000, last_price=p, gateway_name="BENCH",
                limit_up=1.0, limit_down=0.0001, open_price=p, high_price=p, low_price=p, pre_close=p,
            )  # fmt: skip
            for lvl in range(1, 6):
                setattr(t, f"bid_price_{lvl}", p - lvl * 1e-4)
                setattr(t, f"ask_price_{lvl}", p + lvl * 1e-4)
                setattr(t, f"bid_volume_{lvl}", 10 * lvl)
                setattr(t, f"ask_volume_{lvl}", 11 * lvl)
            ticks.append(t)
        k += 1
    return ticks


def count_rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        try:
            return int(conn.execute("SELECT COUNT(*) FROM dbtickdata").fetchone()[0])
        except sqlite3.OperationalError:
            return 0


def wait_rows(path: Path, want: int, timeout: float, start: float) -> float:
    """Seconds from ``start`` until ``want`` rows are in the file (or the timeout); polls 50 ms."""
    while count_rows(path) < want and time.perf_counter() - start < timeout:
        time.sleep(0.05)
    return time.perf_counter() - start


def run_ours(ticks: list[TickData], db_file: Path, close_now: bool) -> tuple[float, int]:
    database = open_database({"database.name": "sqlite", "database.database": str(db_file)})
    ee = EventEngine()
    me = MainEngine(ee)
    setting = RecorderSetting(
        session_filter=False, stale_seconds=None, spill_folder=str(HOME / "spill")
    )
    engine = RecorderEngine(me, ee, setting, database)
    engine.start(symbols=sorted({t.vt_symbol for t in ticks}))
    start = time.perf_counter()
    for t in ticks:
        ee.put(Event(EVENT_TICK, t))
    if close_now:
        me.close()
        return 0.0, count_rows(db_file)
    while engine.stats.written < len(ticks) and time.perf_counter() - start < 300:
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    me.close()
    return elapsed, count_rows(db_file)


def run_datarecorder(ticks: list[TickData], db_file: Path, close_now: bool) -> tuple[float, int]:
    import vnpy.trader.database as vdb
    from vnpy_datarecorder.engine import RecorderEngine as PeerEngine

    vdb.database = open_database({"database.name": "sqlite", "database.database": str(db_file)})

    ee = EventEngine()
    me = MainEngine(ee)
    peer: PeerEngine = me.add_engine(PeerEngine)
    peer.timer_interval = 1
    for c in contracts(len({t.vt_symbol for t in ticks})):
        ee.put(Event(EVENT_CONTRACT, c))
    while len(me.get_all_contracts()) < len({t.vt_symbol for t in ticks}):
        time.sleep(0.01)
    for vt_symbol in sorted({t.vt_symbol for t in ticks}):
        peer.add_tick_recording(vt_symbol)
    start = time.perf_counter()
    for t in ticks:
        ee.put(Event(EVENT_TICK, t))
    if close_now:
        me.close()
        return 0.0, count_rows(db_file)
    elapsed = wait_rows(db_file, len(ticks), 300, start)
    me.close()
    return elapsed, count_rows(db_file)


def run_executemany(ticks: list[TickData], db_file: Path) -> float:
    open_database({"database.name": "sqlite", "database.database": str(db_file)})
    rows = [
        tuple(v.isoformat(" ") if isinstance(v, datetime) else v for v in tick_row(t, t.datetime))
        for t in ticks
    ]
    cols = ", ".join(f'"{c}"' for c in TICK_COLUMNS)
    sql = f"INSERT INTO dbtickdata ({cols}) VALUES ({', '.join('?' * len(TICK_COLUMNS))})"
    conn = sqlite3.connect(db_file)
    start = time.perf_counter()
    with conn:
        conn.executemany(sql, rows)
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def bench_postgres(ticks: list[TickData]) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from tests.recorder.pg_server import start_server

        server = start_server()
    except BaseException as exc:  # noqa: BLE001 - skip or fail raise pytest outcomes
        print(f"PostgreSQL: skipped ({exc})")
        return
    try:
        rows = [tick_row(t, t.datetime) for t in ticks]
        for name, fast in (
            ("vnpy_postgresql save_tick_data", False),
            ("this recorder (COPY)", True),
        ):
            database = open_database(server.create_database())
            store = make_store(database, fast=fast)
            assert fast or isinstance(store, AdapterStore)
            start = time.perf_counter()
            for i in range(0, len(rows), 20000):
                store.write(rows[i : i + 20000], [])
            elapsed = time.perf_counter() - start
            store.close()
            print(f"PostgreSQL {name}: {len(rows) / elapsed:,.0f} rows/s")
    finally:
        server.stop()


def realtime(instruments: int, seconds: float) -> None:
    """2 snapshots/s of every instrument at real time; process CPU share and event backlog."""
    database = open_database({"database.name": "sqlite", "database.database": str(HOME / "rt.db")})
    ee = EventEngine()
    me = MainEngine(ee)
    setting = RecorderSetting(
        session_filter=False, stale_seconds=None, spill_folder=str(HOME / "spill")
    )
    engine = RecorderEngine(me, ee, setting, database)
    engine.start(symbols=[f"{10000000 + i}.SSE" for i in range(instruments)])
    rounds = int(seconds * 2)
    batches = [stream(instruments, instruments) for _ in range(1)]
    backlog = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for r in range(rounds):
        dt = datetime.now(CN)
        for t in batches[0]:
            t.datetime = dt
            t.volume = r
            ee.put(Event(EVENT_TICK, t))
        target = wall0 + (r + 1) * 0.5
        while time.perf_counter() < target:
            backlog = max(backlog, ee._queue.qsize())
            time.sleep(0.005)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    me.close()
    print(
        f"real time: {instruments} instruments x 2/s = {instruments * 2} ticks/s for {wall:.0f} s: "
        f"process CPU {cpu / wall:.1%} of one core (feeder included), largest event backlog {backlog}, "
        f"written {engine.stats.written}/{engine.stats.received}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ticks", type=int, default=200_000)
    parser.add_argument("--peer-ticks", type=int, default=40_000)
    parser.add_argument("--instruments", type=int, default=700)
    parser.add_argument("--realtime", type=float, default=20.0)
    args = parser.parse_args()
    ticks = stream(args.instruments, args.ticks)
    peer_ticks = ticks[: args.peer_ticks]
    elapsed, rows = run_ours(ticks, HOME / "ours.db", close_now=False)
    ours = rows / elapsed
    print(f"this recorder: {rows}/{len(ticks)} rows in {elapsed:.2f} s = {ours:,.0f} ticks/s")
    elapsed, rows = run_datarecorder(peer_ticks, HOME / "peer.db", close_now=False)
    peer = rows / elapsed
    print(
        f"vnpy_datarecorder: {rows}/{len(peer_ticks)} rows in {elapsed:.2f} s = {peer:,.0f} ticks/s"
    )
    limit = len(ticks) / run_executemany(ticks, HOME / "limit.db")
    print(f"plain sqlite3 executemany: {limit:,.0f} rows/s")
    print(
        f"ratio: {ours / peer:.1f}x vnpy_datarecorder, {ours / limit:.0%} of the executemany limit"
    )
    few = ticks[:5000]
    _, kept = run_ours(few, HOME / "ours_close.db", close_now=True)
    print(f"lost after close, this recorder: {len(few) - kept} of {len(few)}")
    _, kept = run_datarecorder(few, HOME / "peer_close.db", close_now=True)
    print(f"lost after close, vnpy_datarecorder: {len(few) - kept} of {len(few)}")
    bench_postgres(ticks[:100_000])
    if args.realtime > 0:
        realtime(675, args.realtime)
    threading.Event().wait(0.1)


if __name__ == "__main__":
    main()
