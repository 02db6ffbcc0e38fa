"""Recorded ticks and the recorder's per-day contract list as the data source (a vnpy_sqlite
file of the test): the same ticks preloaded give the same backtest."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from vnpy.trader.database import BaseDatabase

from vnpy_ctpsopt.backtesting import BacktestError, BacktestingEngine
from vnpy_ctpsopt.backtesting.data import DatabaseSource
from vnpy_ctpsopt.recorder.contracts import save_contracts
from vnpy_ctpsopt.recorder.database import open_database

from .kit import CALL, CONTRACTS, ETF, PUT, ScriptStrategy, tick

CN = ZoneInfo("Asia/Shanghai")


def _ticks() -> list:
    out = []
    for day in (21, 22):
        for i in range(6):
            dt = datetime(2026, 12, day, 10, 0, i, tzinfo=CN)
            px = round(3.0 + 0.001 * i, 3)
            out.append(tick(ETF.vt_symbol, dt, [(px, 10**5)], [(round(px + 0.001, 3), 10**5)],
                            last=px, limits=(2.7, 3.3), pre_close=3.0))  # fmt: skip
            b = round(0.0500 + 0.0001 * i, 4)
            out.append(tick(CALL.vt_symbol, dt, [(b, 10)],
                            [(round(b + 0.0003, 4), 4), (round(b + 0.0004, 4), 9)],
                            pre_close=0.05))  # fmt: skip
    return out


@pytest.fixture
def db(tmp_path: Path) -> BaseDatabase:
    database = open_database(
        {"database.name": "sqlite", "database.database": str(tmp_path / "ticks.db")}
    )
    ticks = _ticks()
    database.save_tick_data(ticks)
    for day in ("20261221", "20261222"):
        save_contracts(database, day, [c.to_contract_data() for c in CONTRACTS])
    return database


SCRIPT = {
    0: lambda s: s.buy(CALL.vt_symbol, 0.0504, 6),  # 4 + 2
    3: lambda s: s.short(CALL.vt_symbol, 0.0503, 1),
    8: lambda s: s.sell(CALL.vt_symbol, 0.0502, 3),  # day 2, bid 0.0502
}


def _engine() -> BacktestingEngine:
    engine = BacktestingEngine()
    engine.show_progress = False
    engine.set_parameters([CALL.vt_symbol], start=datetime(2026, 12, 21),
                          end=datetime(2026, 12, 22), hours="24x7")  # fmt: skip
    engine.add_strategy(ScriptStrategy, {"script": SCRIPT})
    return engine


def test_database_source_equals_preloaded_ticks(db: BaseDatabase) -> None:
    from_db = _engine()
    from_db.set_source(DatabaseSource([CALL.vt_symbol], database=db))
    from_db.run_backtesting()
    preloaded = _engine()
    preloaded.set_history(_ticks(), CONTRACTS)
    preloaded.run_backtesting()
    trades = [[(t.vt_symbol, t.direction.name, t.price, t.volume) for t in e.get_all_trades()]
              for e in (from_db, preloaded)]  # fmt: skip
    assert trades[0] == [
        (CALL.vt_symbol, "LONG", 0.0503, 4), (CALL.vt_symbol, "LONG", 0.0504, 2),
        (CALL.vt_symbol, "SHORT", 0.0503, 1), (CALL.vt_symbol, "SHORT", 0.0502, 3),
    ]  # fmt: skip
    assert trades[0] == trades[1]
    # the recorded contract list gives the option's terms (strike, unit, expiry, underlying)
    c = from_db.contracts[CALL.vt_symbol]
    assert (c.strike, c.size, c.expiry, c.underlying) == (3.0, 10000, CALL.expiry, "510050")
    assert PUT.vt_symbol in from_db.contracts  # listed that day though never traded
    assert from_db.calculate_result().equals(preloaded.calculate_result())


def test_no_data_in_the_range_is_a_clear_error(db: BaseDatabase) -> None:
    engine = _engine()
    engine.set_parameters([CALL.vt_symbol], start=datetime(2026, 11, 2),
                          end=datetime(2026, 11, 6))  # fmt: skip
    engine.add_strategy(ScriptStrategy, {"script": {}})
    engine.set_source(DatabaseSource([CALL.vt_symbol], database=db))
    with pytest.raises(BacktestError, match="区间内没有行情数据"):
        engine.run_backtesting()
