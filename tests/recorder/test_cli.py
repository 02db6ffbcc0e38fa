"""``python -m vnpy_ctpsopt record`` as a child process: duration, SIGTERM, arguments."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path

import pytest

from vnpy_ctpsopt.cli import main
from vnpy_ctpsopt.recorder import load_contracts, open_database

from .proc import RecorderProcess, make_home

SIM = ("--sim-speed", "10", "--sim-start", "20260302T093000", "--progress-interval", "0.5")


def db_rows(home: Path) -> int:
    """Rows in vn.py's tick table, counted with plain sqlite3 (not the recorder's code)."""
    with sqlite3.connect(home / ".vntrader" / "ticks.db") as conn:
        return int(conn.execute("SELECT COUNT(*) FROM dbtickdata").fetchone()[0])


@pytest.mark.slow
def test_record_for_a_duration_then_read_back(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    proc = RecorderProcess(home, "--underlying", "510050.SSE", "--duration", "3", "--bars", *SIM)
    assert proc.finish() == 0, proc.output()[-3000:]
    s = proc.summary()
    assert s["received"] > 500
    assert s["written"] == db_rows(home)
    assert s["received"] == s["written"] + s["filtered"] + s["merged"]
    assert "核对无误" in proc.output()
    assert "[录制] 收到" in proc.output()  # plain progress lines (stdout is not a terminal)
    database = open_database(
        {"database.name": "sqlite", "database.database": str(home / ".vntrader" / "ticks.db")}
    )
    contracts = load_contracts("20260302", database)
    assert "510050.SSE" in {c.vt_symbol for c in contracts}
    assert {c.option_portfolio for c in contracts if c.option_type} == {"510050_O"}


@pytest.mark.slow
def test_sigterm_mid_run_loses_nothing(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    proc = RecorderProcess(home, "--underlying", "510050.SSE", "--underlying", "159919.SZSE", *SIM)
    proc.wait_line(r"写入 [1-9]\d{3,}")  # recording, thousands of rows already written
    proc.proc.send_signal(signal.SIGTERM)
    assert proc.finish() == 0, proc.output()[-3000:]
    s = proc.summary()
    assert s["buffered"] == 0 and s["spill_pending"] == 0
    assert s["written"] == db_rows(home)
    assert s["received"] == s["written"] + s["filtered"] + s["merged"] + s["malformed"]


def test_record_needs_chains(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["record"]) == 2
    assert "--underlying" in capsys.readouterr().out
