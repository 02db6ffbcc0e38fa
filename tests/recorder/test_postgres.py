"""The sim round trip on a real PostgreSQL server through vnpy_postgresql."""

from __future__ import annotations

from pathlib import Path

import pytest

from vnpy_ctpsopt.recorder import RecorderEngine, RecorderSetting, load_contracts, open_database

from .kit import CHAINS, SimChains, expected_rows, stored_rows
from .pg_server import PostgresServer

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("fast", [True, False])
def test_round_trip_on_postgresql(pg_server: PostgresServer, tmp_path: Path, fast: bool) -> None:
    database = open_database(pg_server.create_database())
    assert type(database).__module__.startswith("vnpy_postgresql")
    sim = SimChains(speed=20)
    setting = RecorderSetting(
        stale_seconds=None, spill_folder=str(tmp_path / "spill"), fast_writer=fast
    )
    engine = RecorderEngine(sim.harness.main_engine, sim.harness.event_engine, setting, database)
    try:
        engine.start(chains=CHAINS)
        assert engine.writer is not None
        assert engine.writer.store.name == ("postgresql-copy" if fast else "adapter")
        sim.wait_ticks(3000)
        sim.stop_market()
        engine.close()
        symbols = {c.vt_symbol for c in sim.chain_contracts()}
        expected = expected_rows(sim.ticks, symbols)
        for vt_symbol in symbols:
            assert stored_rows(database, vt_symbol) == expected[vt_symbol], vt_symbol
        stats = engine.stats
        assert stats.written == sum(len(v) for v in expected.values()) and stats.balance() == 0
        overview = {(o.symbol, o.exchange.value): o.count for o in database.get_tick_overview()}
        for vt_symbol in symbols:
            symbol, exchange = vt_symbol.rsplit(".", 1)
            assert overview[(symbol, exchange)] == len(expected[vt_symbol])
        listed = {c.vt_symbol for c in load_contracts(sim.ticks[0].datetime.date(), database)}
        assert listed == symbols
    finally:
        engine.close()
        sim.close()
