"""The recorder inside a MainEngine on the simulated counter, read back through vn.py's database."""

from __future__ import annotations

from pathlib import Path

import pytest
from vnpy.trader.database import BaseDatabase

from vnpy_ctpsopt.recorder import RecorderEngine, RecorderSetting, load_contracts

from .kit import (
    CHAINS,
    SimChains,
    bars_from_ticks,
    expected_rows,
    kept_ticks,
    load_bars,
    stored_rows,
)


def record_chains(
    database: BaseDatabase, tmp_path: Path, ticks: int, bars: bool = True, fast: bool = True
) -> tuple[SimChains, RecorderEngine, set[str]]:
    sim = SimChains(speed=30)
    setting = RecorderSetting(
        bars=bars, stale_seconds=None, spill_folder=str(tmp_path / "spill"), fast_writer=fast
    )
    engine = RecorderEngine(sim.harness.main_engine, sim.harness.event_engine, setting, database)
    sim.harness.main_engine.engines[engine.engine_name] = engine
    engine.start(chains=CHAINS)
    symbols = {c.vt_symbol for c in sim.chain_contracts()}
    sim.wait_ticks(ticks)
    sim.stop_market()
    engine.close()
    return sim, engine, symbols


def check_round_trip(
    database: BaseDatabase, sim: SimChains, engine: RecorderEngine, symbols: set[str]
) -> None:
    assert set(engine.symbols) == symbols
    expected = expected_rows(sim.ticks, symbols)
    assert sum(len(v) for v in expected.values()) > 1000
    assert len(expected) == len(symbols), "every subscribed instrument delivered ticks"
    for vt_symbol in symbols:
        assert stored_rows(database, vt_symbol) == expected[vt_symbol], vt_symbol
    stats = engine.stats
    delivered = sum(1 for t in sim.ticks if t.vt_symbol in symbols)
    assert stats.received == delivered
    assert stats.written == sum(len(v) for v in expected.values())
    assert stats.balance() == 0 and stats.buffered == 0 and stats.spill_pending == 0
    assert stats.received == stats.written + stats.filtered + stats.merged


def test_two_chains_every_tick_stored_and_bars_agree(
    sqlite_db: BaseDatabase, tmp_path: Path
) -> None:
    sim, engine, symbols = record_chains(sqlite_db, tmp_path, ticks=8000)
    try:
        check_round_trip(sqlite_db, sim, engine, symbols)
        # Bars: the time-based flush wrote the last (unfinished) minute too.
        for vt_symbol in sorted(symbols)[:40]:
            expected = bars_from_ticks(kept_ticks(sim.ticks, vt_symbol))
            bars = {b.datetime: b for b in load_bars(sqlite_db, vt_symbol)}
            assert set(bars) == set(expected), vt_symbol
            for minute, values in expected.items():
                bar = bars[minute]
                assert (bar.open_price, bar.close_price, bar.volume) == (
                    values["open"],
                    values["close"],
                    values["volume"],
                ), (vt_symbol, minute)
                assert bar.high_price >= values["high"] and bar.low_price <= values["low"]
        # The day's contract list, read back with one call.
        day = sim.ticks[0].datetime.date()
        listed = {c.vt_symbol: c for c in load_contracts(day, sqlite_db)}
        assert set(listed) == symbols
        for contract in sim.chain_contracts():
            got = listed[contract.vt_symbol]
            assert (
                got.name,
                got.size,
                got.pricetick,
                got.option_strike,
                got.option_type,
                got.option_expiry,
            ) == (
                contract.name,
                contract.size,
                contract.pricetick,
                contract.option_strike,
                contract.option_type,
                contract.option_expiry,
            )
        adjusted = {s for s, c in listed.items() if c.extra and c.extra["adjusted"]}
        assert adjusted == {
            c.vt_symbol for c in sim.chain_contracts() if c.option_type and c.size != 10000
        }
        assert adjusted
    finally:
        sim.close()


@pytest.mark.parametrize("bars", [False])
def test_adapter_write_path_stores_the_same(
    sqlite_db: BaseDatabase, tmp_path: Path, bars: bool
) -> None:
    """fast_writer=False goes through vnpy_sqlite's own save_tick_data: same rows."""
    sim, engine, symbols = record_chains(sqlite_db, tmp_path, ticks=3000, bars=bars, fast=False)
    try:
        assert engine.writer is not None and engine.writer.store.name == "adapter"
        check_round_trip(sqlite_db, sim, engine, symbols)
    finally:
        sim.close()
