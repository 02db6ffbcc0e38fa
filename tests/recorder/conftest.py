"""Fixtures of the recorder tests: a fresh SQLite adapter per test, a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from vnpy.trader.database import BaseDatabase

from vnpy_ctpsopt.recorder.database import open_database

from .pg_server import PostgresServer, start_server


@pytest.fixture
def sqlite_db(tmp_path: Path) -> BaseDatabase:
    """vnpy_sqlite on a file of this test (open_database re-points the adapter module)."""
    return open_database(
        {"database.name": "sqlite", "database.database": str(tmp_path / "ticks.db")}
    )


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test session (skips, or fails under CI=true, when it cannot
    start)."""
    server = start_server(tmp_path_factory.mktemp("pg"))
    try:
        yield server
    finally:
        server.stop()
