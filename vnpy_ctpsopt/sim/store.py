"""Persistence of the simulated counter in one sqlite3 file (stdlib).

The counter commits the records it changed at the end of every request and market step, before
it returns its callbacks, in one transaction (WAL journal, ``synchronous=FULL``): whatever a
client was told survives a kill -9. Tables:

- ``entity(kind, key, value)``: JSON of one record (account, position, stock, order, exec,
  quote; trades and locks as one row per investor), deleted when the counter drops it;
- ``kv(key, value)``: JSON values: trading day, sequence counters (``seqs``), the market state
  (``market``, saved at a cadence, see ``SimCounter.save_market``) and the day's instrument
  list (``listing``, saved when it changes);
- ``flow(investor, seq, trading_day, name, args)``: the numbered private flow.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entity ("
    " kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, key))",
    "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS flow ("
    " investor TEXT NOT NULL, seq INTEGER NOT NULL, trading_day TEXT NOT NULL,"
    " name TEXT NOT NULL, args TEXT NOT NULL, PRIMARY KEY (investor, seq))",
)


class SimStore:
    """One state file. Calls are serialised by an internal lock (the counter already runs under
    its exchange's lock; the store's own lock only guards against misuse)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        for statement in SCHEMA:
            self._conn.execute(statement)
        self._day: str | None = None

    def load(self) -> dict[str, Any]:
        """Everything stored: ``{"kv": {...}, "entities": {kind: {key: value}}, "flows": [...]}``
        with flows as (investor, seq, trading_day, name, args JSON) ordered by seq."""
        with self._lock:
            kv = {k: json.loads(v) for k, v in self._conn.execute("SELECT key, value FROM kv")}
            entities: dict[str, dict[str, Any]] = {}
            for kind, key, value in self._conn.execute("SELECT kind, key, value FROM entity"):
                entities.setdefault(kind, {})[key] = json.loads(value)
            flows = list(
                self._conn.execute(
                    "SELECT investor, seq, trading_day, name, args FROM flow ORDER BY investor, seq"
                )
            )
        self._day = kv.get("trading_day")
        return {"kv": kv, "entities": entities, "flows": flows}

    def value(self, key: str, default: Any = None) -> Any:
        """One stored scalar of ``kv`` (``default`` when absent)."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM kv WHERE key=?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def commit(
        self,
        entities: dict[tuple[str, str], dict[str, Any] | None],
        kv: dict[str, Any],
        flows: list[tuple[str, int, str, str, str]],
    ) -> None:
        """Upsert (or delete, for None) records, set scalars and append flow entries, in one
        durable transaction. Flow entries of earlier trading days are pruned on a day change."""
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                for (kind, key), value in entities.items():
                    if value is None:
                        cur.execute("DELETE FROM entity WHERE kind=? AND key=?", (kind, key))
                    else:
                        cur.execute(
                            "INSERT OR REPLACE INTO entity (kind, key, value) VALUES (?, ?, ?)",
                            (kind, key, json.dumps(value, ensure_ascii=False)),
                        )
                for key, value in kv.items():
                    cur.execute(
                        "INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)",
                        (key, json.dumps(value, ensure_ascii=False)),
                    )
                cur.executemany(
                    "INSERT OR REPLACE INTO flow (investor, seq, trading_day, name, args)"
                    " VALUES (?, ?, ?, ?, ?)",
                    flows,
                )
                day = kv.get("trading_day")
                if day is not None and day != self._day:
                    cur.execute("DELETE FROM flow WHERE trading_day <> ?", (day,))
                    self._day = day
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            self._conn.close()
