"""Write paths into vn.py's tick and bar tables.

``make_store(database, fast=True)`` picks one for a vn.py database adapter:

- vnpy_sqlite: ``SqliteStore``, plain sqlite3 ``executemany`` into the adapter's own file and
  tables (WAL journal, one transaction per batch) - vnpy_sqlite's ``save_tick_data`` inserts 10
  rows per statement through peewee and is the bottleneck;
- vnpy_postgresql: ``PostgresStore``, ``COPY`` into a temporary table then one
  ``INSERT ... ON CONFLICT DO NOTHING`` into the adapter's table;
- any other adapter (or ``fast=False``): ``AdapterStore``, the adapter's own ``save_tick_data``
  / ``save_bar_data``.

Every store keeps the adapter's overview tables up to date, so ``load_tick_data``,
``get_tick_overview`` and vn.py's DataManager read what was written. Ticks are inserted with
"do nothing" on the unique (symbol, exchange, datetime) key: a row already stored (a spill file
replayed twice) is counted as merged, never overwritten. Stores are used by one thread only.
"""

from __future__ import annotations

import contextlib
import io
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from vnpy.trader.constant import Exchange, Interval
from vnpy.trader.database import DB_TZ, BaseDatabase
from vnpy.trader.object import BarData, TickData

from .rows import BAR_COLUMNS, TICK_COLUMNS

Row = tuple[Any, ...]
# (symbol, exchange) -> ticks inserted
Counts = dict[tuple[str, str], int]


class Store(Protocol):
    """A write path: ``write`` stores tick and bar rows in one transaction."""

    name: str

    def write(self, ticks: Sequence[Row], bars: Sequence[Row]) -> Counts: ...

    def close(self) -> None: ...


def group_rows(rows: Sequence[Row]) -> dict[tuple[str, str], list[Row]]:
    """(symbol, exchange) -> its rows, in arrival order."""
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        groups[(row[0], row[1])].append(row)
    return groups


def _quoted(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


class SqliteStore:
    """sqlite3 straight into vnpy_sqlite's file (``path``)."""

    name: str = "sqlite3"

    def __init__(self, path: str, timeout: float = 1.0) -> None:
        self.path: str = path
        self.timeout: float = timeout
        self.conn: sqlite3.Connection | None = None
        marks: str = ", ".join("?" * len(TICK_COLUMNS))
        self.tick_sql: str = (
            f"INSERT INTO dbtickdata ({_quoted(TICK_COLUMNS)}) VALUES ({marks}) "
            "ON CONFLICT (symbol, exchange, datetime) DO NOTHING"
        )
        bar_marks: str = ", ".join("?" * len(BAR_COLUMNS))
        updates: str = ", ".join(f'"{c}" = excluded."{c}"' for c in BAR_COLUMNS[4:])
        self.bar_sql: str = (
            f"INSERT INTO dbbardata ({_quoted(BAR_COLUMNS)}) VALUES ({bar_marks}) "
            f"ON CONFLICT (symbol, exchange, interval, datetime) DO UPDATE SET {updates}"
        )

    def _connect(self) -> sqlite3.Connection:
        if self.conn is None:
            conn = sqlite3.connect(
                self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error:
                conn.close()
                raise
            self.conn = conn
        return self.conn

    def write(self, ticks: Sequence[Row], bars: Sequence[Row]) -> Counts:
        conn = self._connect()
        counts: Counts = {}
        conn.execute("BEGIN IMMEDIATE")
        try:
            for key, rows in group_rows(ticks).items():
                text_rows = [_sqlite_tick(r) for r in rows]
                inserted: int = conn.executemany(self.tick_sql, text_rows).rowcount
                if inserted > 0:
                    counts[key] = inserted
                    times = [r[2] for r in text_rows]
                    conn.execute(
                        'INSERT INTO dbtickoverview (symbol, exchange, count, start, "end") '
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (symbol, exchange) DO UPDATE SET "
                        "count = count + excluded.count, start = MIN(start, excluded.start), "
                        '"end" = MAX("end", excluded."end")',
                        (key[0], key[1], inserted, min(times), max(times)),
                    )
            if bars:
                conn.executemany(self.bar_sql, [_sqlite_bar(r) for r in bars])
                for symbol, exchange, interval in {(r[0], r[1], r[3]) for r in bars}:
                    conn.execute(_BAR_OVERVIEW_SQL.replace("%s", "?"), (symbol, exchange, interval))
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        return counts

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


_BAR_OVERVIEW_SQL: str = (
    'INSERT INTO dbbaroverview (symbol, exchange, interval, count, start, "end") '
    "SELECT symbol, exchange, interval, COUNT(*), MIN(datetime), MAX(datetime) FROM dbbardata "
    "WHERE symbol = %s AND exchange = %s AND interval = %s GROUP BY symbol, exchange, interval "
    "ON CONFLICT (symbol, exchange, interval) DO UPDATE SET count = excluded.count, "
    'start = excluded.start, "end" = excluded."end"'
)


def _rollback(conn: Any) -> None:
    # the connection may be gone; the original error is what matters
    with contextlib.suppress(Exception):
        conn.rollback() if not isinstance(conn, sqlite3.Connection) else conn.execute("ROLLBACK")


def _sqlite_tick(row: Row) -> Row:
    """Datetimes as the text peewee stores in SQLite (``isoformat(" ")``)."""
    local = row[35]
    return (
        *row[:2], row[2].isoformat(" "), *row[3:35],
        local.isoformat(" ") if isinstance(local, datetime) else local,
    )  # fmt: skip


def _sqlite_bar(row: Row) -> Row:
    return (*row[:2], row[2].isoformat(" "), *row[3:])


class PostgresStore:
    """psycopg2 into vnpy_postgresql's tables: COPY to a temporary table, then one INSERT."""

    name: str = "postgresql-copy"

    def __init__(self, connect_kwargs: dict[str, Any]) -> None:
        self.connect_kwargs: dict[str, Any] = connect_kwargs
        self.conn: Any = None
        cols: str = _quoted(TICK_COLUMNS)
        self.tick_sql: str = (
            f"WITH ins AS (INSERT INTO dbtickdata ({cols}) SELECT {cols} FROM ctpsopt_tick_in "
            "ON CONFLICT (symbol, exchange, datetime) DO NOTHING "
            "RETURNING symbol, exchange, datetime), "
            "agg AS (SELECT symbol, exchange, COUNT(*) AS n, MIN(datetime) AS s, "
            "MAX(datetime) AS e FROM ins GROUP BY symbol, exchange), "
            'ov AS (INSERT INTO dbtickoverview (symbol, exchange, count, start, "end") '
            "SELECT symbol, exchange, n, s, e FROM agg ON CONFLICT (symbol, exchange) DO UPDATE "
            "SET count = dbtickoverview.count + EXCLUDED.count, "
            "start = LEAST(dbtickoverview.start, EXCLUDED.start), "
            '"end" = GREATEST(dbtickoverview."end", EXCLUDED."end")) '
            "SELECT symbol, exchange, n FROM agg"
        )
        updates: str = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in BAR_COLUMNS[4:])
        self.bar_sql: str = (
            f"INSERT INTO dbbardata ({_quoted(BAR_COLUMNS)}) VALUES %s "
            f"ON CONFLICT (symbol, exchange, interval, datetime) DO UPDATE SET {updates}"
        )

    def _connect(self) -> Any:
        if self.conn is None or self.conn.closed:
            import psycopg2

            conn = psycopg2.connect(**self.connect_kwargs)
            with conn.cursor() as cursor:
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS ctpsopt_tick_in AS SELECT "
                    f"{_quoted(TICK_COLUMNS)} FROM dbtickdata WITH NO DATA"
                )
            conn.commit()
            self.conn = conn
        return self.conn

    def write(self, ticks: Sequence[Row], bars: Sequence[Row]) -> Counts:
        try:
            conn = self._connect()
        except Exception:
            self.close()
            raise
        counts: Counts = {}
        try:
            with conn.cursor() as cursor:
                if ticks:
                    cursor.execute("TRUNCATE ctpsopt_tick_in")
                    cursor.copy_expert(
                        f"COPY ctpsopt_tick_in ({_quoted(TICK_COLUMNS)}) FROM STDIN",
                        io.StringIO(_copy_text(ticks)),
                    )
                    cursor.execute(self.tick_sql)
                    for symbol, exchange, n in cursor.fetchall():
                        counts[(symbol, exchange)] = int(n)
                if bars:
                    from psycopg2.extras import execute_values

                    execute_values(cursor, self.bar_sql, list(bars))
                    for key in {(r[0], r[1], r[3]) for r in bars}:
                        cursor.execute(_BAR_OVERVIEW_SQL, key)
            conn.commit()
        except BaseException:
            _rollback(conn)
            if getattr(conn, "closed", 0):
                self.conn = None
            raise
        return counts

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            finally:
                self.conn = None


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return repr(value)


def _copy_text(rows: Sequence[Row]) -> str:
    return "".join("\t".join(map(_copy_value, row)) + "\n" for row in rows)


class AdapterStore:
    """The adapter's own save_tick_data / save_bar_data (any vn.py database).

    The adapters upsert, so the count reported is the rows handed over.
    """

    name: str = "adapter"

    def __init__(self, database: BaseDatabase) -> None:
        self.database: BaseDatabase = database

    def write(self, ticks: Sequence[Row], bars: Sequence[Row]) -> Counts:
        counts: Counts = {}
        for key, rows in group_rows(ticks).items():
            self.database.save_tick_data([row_tick(r) for r in rows], stream=True)
            counts[key] = len(rows)
        for _key, rows in group_rows(bars).items():
            self.database.save_bar_data([row_bar(r) for r in rows], stream=True)
        return counts

    def close(self) -> None:
        return


def row_tick(row: Row) -> TickData:
    """A TickData from a dbtickdata row (aware datetimes in DB_TZ)."""
    values: dict[str, Any] = dict(zip(TICK_COLUMNS, row, strict=True))
    values["exchange"] = Exchange(values["exchange"])
    values["datetime"] = values["datetime"].replace(tzinfo=DB_TZ)
    if isinstance(values["localtime"], datetime):
        values["localtime"] = values["localtime"].replace(tzinfo=DB_TZ)
    return TickData(gateway_name="DB", **values)


def row_bar(row: Row) -> BarData:
    values: dict[str, Any] = dict(zip(BAR_COLUMNS, row, strict=True))
    values["exchange"] = Exchange(values["exchange"])
    values["interval"] = Interval(values["interval"])
    values["datetime"] = values["datetime"].replace(tzinfo=DB_TZ)
    return BarData(gateway_name="DB", **values)


def make_store(database: BaseDatabase, fast: bool = True) -> Store:
    """The fastest write path for ``database`` (see the module docstring)."""
    module: str = type(database).__module__.split(".")[0]
    peewee_db: Any = getattr(database, "db", None)
    if fast and module == "vnpy_sqlite" and peewee_db is not None:
        return SqliteStore(str(peewee_db.database))
    if fast and module == "vnpy_postgresql" and peewee_db is not None:
        kwargs: dict[str, Any] = dict(peewee_db.connect_params)
        kwargs.pop("autorollback", None)
        kwargs["dbname"] = peewee_db.database
        return PostgresStore(kwargs)
    return AdapterStore(database)
