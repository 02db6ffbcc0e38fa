"""A contract listed mid-run (a day roll on the sim's control object) gets recorded."""

from __future__ import annotations

from pathlib import Path

from vnpy.trader.database import BaseDatabase

from tests.gateway.harness import exchange_of, poll
from vnpy_ctpsopt.recorder import RecorderEngine, RecorderSetting, load_contracts

from .kit import SimChains, expected_rows, stored_rows


def test_new_listing_after_day_roll_is_recorded(sqlite_db: BaseDatabase, tmp_path: Path) -> None:
    # 2026-03-25 is the March expiry (4th Wednesday): the next trading day lists a new month.
    sim = SimChains(speed=20, start="20260325T093000")
    setting = RecorderSetting(stale_seconds=None, spill_folder=str(tmp_path / "spill"))
    engine = RecorderEngine(sim.harness.main_engine, sim.harness.event_engine, setting, sqlite_db)
    try:
        engine.start(chains=["510050.SSE"])
        before = set(engine.symbols)
        assert poll(lambda: engine.stats.written > 200, 60)
        exchange = exchange_of(sim.sim)
        exchange.roll_day()
        exchange.drop()  # the counter restarts overnight: the gateway logs in again, re-queries
        assert poll(lambda: set(engine.symbols) - before, 60)
        new = set(engine.symbols) - before
        by_symbol = {c.vt_symbol: c for c in sim.harness.main_engine.get_all_contracts()}
        assert all(by_symbol[s].option_portfolio == "510050_O" for s in new)
        assert poll(
            lambda: sum(1 for t in list(sim.ticks) if t.vt_symbol in new) >= 2 * len(new), 60
        )
        sim.stop_market()
        engine.close()
        expected = expected_rows(sim.ticks, new)
        assert set(expected) == new
        for vt_symbol in new:
            assert stored_rows(sqlite_db, vt_symbol) == expected[vt_symbol]
        day = sim.ticks[0].datetime.date()
        listed = {c.vt_symbol for c in load_contracts(day, sqlite_db)}
        assert new <= listed and before <= listed
        assert engine.stats.balance() == 0
    finally:
        engine.close()
        sim.close()
