"""The counter's journal: persisted sequence numbers, today's numbered private flows, and the
records changed since the last commit, written to the state store in one transaction before a
request's answer is sent (so whatever a client was told survives kill -9)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from typing import Any

from .protocols import StateStore
from .records import Callback, Data


class Journal:
    """Sequences, flows and pending changes of one counter.

    - ``seqs``: sequence name ("order", "flow:<investor>", "tradeid:SSE", ...) -> last value;
    - ``flows``: investor id -> [(seq, Callback)], today's private flow;
    - ``dirty``: (record kind, key) -> record (None: delete) changed since the last commit;
    - ``new_flow``: flow entries not yet stored, as (investor, seq, trading day, Callback).
    """

    def __init__(self, store: StateStore | None) -> None:
        self.store = store
        self.seqs: dict[str, int] = {}
        self.flows: dict[str, list[tuple[int, Callback]]] = {}
        self.dirty: dict[tuple[str, str], Any] = {}
        self.new_flow: list[tuple[str, int, str, Callback]] = []
        self.kv_dirty = False
        self.save_market_due = False
        self.save_listing_due = False

    def next(self, name: str, start: int = 1) -> int:
        """The next number of sequence ``name`` (``start`` first)."""
        value = self.seqs.get(name, start - 1) + 1
        self.seqs[name] = value
        self.kv_dirty = True
        return value

    def touch(self, kind: str, key: object, obj: object) -> None:
        """Record ``obj`` (None: deleted) as changed, to be stored at the next commit."""
        self.dirty[(kind, str(key))] = obj

    def append_flow(self, investor: str, trading_day: str, stored: Callback) -> int:
        """Number and keep a private-flow push of ``investor``; returns its sequence number."""
        seq = self.next(f"flow:{investor}")
        self.flows.setdefault(investor, []).append((seq, stored))
        self.new_flow.append((investor, seq, trading_day, stored))
        return seq

    def private_flow(self, investor_id: str) -> list[tuple[int, Callback]]:
        """Today's numbered private-flow pushes of ``investor_id`` (fresh dicts)."""
        result: list[tuple[int, Callback]] = []
        for seq, (name, args) in self.flows.get(investor_id, []):
            copied = tuple(dict(a) if isinstance(a, dict) else a for a in args)
            result.append((seq, (name, copied)))
        return result

    def commit(self, trading_day: str, market_state: Callable[[], Data]) -> None:
        """Store every pending change in one transaction (nothing without a store).
        ``market_state`` adds the market's kv entries when a save is due."""
        if self.store is None:
            self.dirty.clear()
            self.new_flow.clear()
            self.kv_dirty = False
            return
        if not (self.dirty or self.new_flow or self.kv_dirty or self.save_market_due):
            return
        entities: dict[tuple[str, str], Data | None] = {}
        for (kind, key), obj in self.dirty.items():
            entities[(kind, key)] = None if obj is None else serialise(obj)
        kv: dict[str, Any] = {"trading_day": trading_day, "seqs": self.seqs}
        kv.update(market_state())
        flows = [
            (investor, seq, day, name, json.dumps(list(args), ensure_ascii=False))
            for investor, seq, day, (name, args) in self.new_flow
        ]
        self.store.commit(entities, kv, flows)
        self.dirty.clear()
        self.new_flow.clear()
        self.kv_dirty = self.save_market_due = self.save_listing_due = False

    def clear_day(self) -> None:
        """Forget today's flows (a new trading day starts with empty flows)."""
        self.flows.clear()


def serialise(obj: Any) -> Data:
    """The JSON value of a record: a dataclass's fields, or a CTP struct dict as is."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    return dict(obj)
