"""A scripted, seeded SimCounter run recorded for the golden test (test_counter_golden.py).

Real SimMarket (seed 11, pinned start 2026-12-21 09:16 China time), real SimStore, a
ManualClock and exchange hours: the opening auction, continuous trading, the lunch break, the
closing auction, covered calls on SSE (lock) and SZSE (frozen shares), quotes, exercise, and
three day rolls through the December expiry. Everything the counter says is recorded: every
Outgoing, every query row after each day, the private flows and the final store snapshot.

Regenerate (only when a behaviour change is intended, and say so in the commit)::

    PYTHONPATH=$PWD TZ=Asia/Shanghai python -m tests.unit.sim.golden_counter --write
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from vnpy_ctpsopt.sim.clock import ManualClock
from vnpy_ctpsopt.sim.counter import CounterConfig, Outgoing, SessionRef, SimCounter
from vnpy_ctpsopt.sim.instruments import SimInstrument, build_instruments
from vnpy_ctpsopt.sim.market import SimMarket
from vnpy_ctpsopt.sim.store import SimStore

HERE = Path(__file__).parent
GOLDEN = HERE / "golden_counter.json"
STATE_FIXTURE = HERE / "golden_state_v1.db.gz"
SEED = 11
START = datetime(2026, 12, 21, 9, 16, 0)
TABLES = (
    "TradingAccount",
    "InvestorPosition",
    "Order",
    "Trade",
    "ExecOrder",
    "Lock",
    "LockPosition",
    "Quote",
    "InstrumentCommissionRate",
    "OptionInstrCommRate",
)


def jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def record(out: list[Outgoing]) -> list[Any]:
    return [[o.target, jsonable(o.key), o.callback[0], jsonable(o.callback[1]), o.seq] for o in out]


class Script:
    """Drives one counter and keeps a log of everything it said."""

    def __init__(self, folder: Path) -> None:
        self.clock = ManualClock(START)
        day = START.date()
        self.market = SimMarket(build_instruments(day, {}), SEED, day, START)
        self.store = SimStore(folder / "state.db")
        self.config = CounterConfig(hours="exchange", market_makers=frozenset({"MM"}))
        self.counter = SimCounter(
            self.config, self.market, self.market.instruments, self.store, self.clock.now
        )
        self.log: list[Any] = []
        self.reqid = 0
        self.sessions: dict[str, SessionRef] = {}
        self.refs: dict[str, int] = {}

    # --- time ---------------------------------------------------------------------------------
    def at(self, hh: int, mm: int, ss: int = 0) -> None:
        """Advance the clock, the market and the counter to hh:mm:ss of the counter's day."""
        day = datetime.strptime(self.counter.trading_day, "%Y%m%d").date()
        instant = datetime(day.year, day.month, day.day, hh, mm, ss)
        self.clock.set(instant)
        self.market.advance(instant)
        self.log.append(["market", instant.isoformat(), record(self.counter.on_market(instant))])

    def roll(self) -> None:
        self.log.append(["roll", self.counter.trading_day, record(self.counter.roll_day())])

    # --- requests -----------------------------------------------------------------------------
    def login(self, investor: str, session_id: int) -> SessionRef:
        ref = SessionRef(1, session_id, "9999", investor)
        req = {"BrokerID": "9999", "UserID": investor, "Password": "pw"}
        self.log.append(["login", investor, jsonable(self.counter.login(ref, req))])
        self.sessions[investor] = ref
        return ref

    def call(self, method: str, investor: str, req: dict[str, Any]) -> list[Outgoing]:
        self.reqid += 1
        session = self.sessions[investor]
        out: list[Outgoing] = getattr(self.counter, method)(session, req, self.reqid)
        self.log.append([method, investor, jsonable(req), record(out)])
        return out

    def order(
        self,
        investor: str,
        iid: str,
        direction: str,
        offset: str,
        price: float,
        volume: int,
        *,
        price_type: str = "2",
        tc: str = "3",
        vc: str = "1",
        hedge: str = "1",
    ) -> list[Outgoing]:
        self.refs[investor] = self.refs.get(investor, 0) + 1
        req = {
            "BrokerID": "9999",
            "InvestorID": investor,
            "UserID": investor,
            "InstrumentID": iid,
            "ExchangeID": self.info(iid).exchange_id,
            "OrderRef": str(self.refs[investor]),
            "OrderPriceType": price_type,
            "Direction": direction,
            "CombOffsetFlag": offset,
            "CombHedgeFlag": hedge,
            "LimitPrice": price,
            "VolumeTotalOriginal": volume,
            "TimeCondition": tc,
            "VolumeCondition": vc,
            "MinVolume": 1,
            "ContingentCondition": "1",
            "ForceCloseReason": "0",
        }
        return self.call("order_insert", investor, req)

    def queries(self, label: str) -> None:
        for investor, session in sorted(self.sessions.items()):
            for table in TABLES:
                rows = self.counter.query(session, table, {})
                self.log.append(["query", label, investor, table, jsonable(rows)])
            self.log.append(["invariants", label, self.counter.check_invariants()])

    # --- market lookups -----------------------------------------------------------------------
    def info(self, iid: str) -> SimInstrument:
        return next(i for i in self.market.instruments if i.instrument_id == iid)

    def pick(self, underlying: str, call: bool, expire: str, rank: int = 0) -> str:
        """The ``rank``-th option nearest the money of ``underlying`` expiring ``expire``."""
        spot = self.market.pre_close(underlying)
        items = [
            i
            for i in self.market.instruments
            if i.is_option
            and i.underlying_id == underlying
            and i.is_call == call
            and i.expire_date == expire
            and i.adjust_flag != "A"
        ]
        items.sort(key=lambda i: (abs(i.strike - spot), i.strike))
        return items[rank].instrument_id

    def deep_otm_put(self, underlying: str, expire: str) -> str:
        items = [
            i
            for i in self.market.instruments
            if i.is_option
            and i.underlying_id == underlying
            and not i.is_call
            and i.expire_date == expire
            and i.adjust_flag != "A"
        ]
        return min(items, key=lambda i: i.strike).instrument_id

    def best(self, iid: str) -> tuple[float, float]:
        bids, asks = self.market.book(iid)
        return (bids[0][0] if bids else 0.0), (asks[0][0] if asks else 0.0)


EXPIRE = "20261223"


def day_one(s: Script, on_pause: Callable[[Script], None] | None = None) -> dict[str, str]:
    s.login("1001", 101)
    s.login("MM", 102)
    s.login("2002", 103)
    ids = {
        "sse_call": s.pick("510050", True, EXPIRE),
        "sse_put": s.pick("510050", False, EXPIRE),
        "sse_call2": s.pick("510050", True, EXPIRE, 1),
        "sse_deep_put": s.deep_otm_put("510050", EXPIRE),
        "szse_call": s.pick("159919", True, EXPIRE),
        "szse_put": s.pick("159919", False, EXPIRE),
    }
    s.log.append(["ids", ids])
    s.at(9, 16)
    # opening auction: held limit orders, a market order refused by the exchange, a lock
    bid, ask = s.best(ids["sse_call"])
    s.order("1001", ids["sse_call"], "0", "0", ask, 2)
    s.order("2002", ids["sse_call"], "1", "0", bid, 1)
    s.order("1001", ids["sse_call"], "0", "0", 0.0, 1, price_type="1", tc="1")
    s.call(
        "lock_insert",
        "1001",
        {"InstrumentID": "510050", "ExchangeID": "SSE", "LockType": "1", "Volume": 30000},
    )
    s.at(9, 21)
    s.call("order_action", "1001", {"OrderRef": "1", "ActionFlag": "0"})  # 9:20-9:25: no cancel
    s.at(9, 25)
    s.at(9, 28)
    s.at(9, 30)
    s.at(10, 0)
    # continuous trading
    bid, ask = s.best(ids["sse_call"])
    s.order("1001", ids["sse_call"], "0", "0", ask, 3)
    bid, ask = s.best(ids["sse_put"])
    s.order("1001", ids["sse_put"], "1", "0", bid, 2)
    bid, ask = s.best(ids["sse_deep_put"])
    s.order("1001", ids["sse_deep_put"], "1", "0", max(bid, 0.0001), 1)
    bid, ask = s.best(ids["sse_call2"])
    s.order("1001", ids["sse_call2"], "1", "0", bid, 2, hedge="4")  # covered by the lock
    bid, ask = s.best(ids["szse_call"])
    s.order("1001", ids["szse_call"], "1", "0", bid, 3, hedge="4")  # covered by free shares
    s.order("1001", ids["szse_put"], "0", "0", 0.0, 2, price_type="G", tc="1")  # best 5 IOC
    bid, ask = s.best(ids["szse_put"])
    s.order("1001", ids["szse_put"], "0", "0", bid, 50, tc="1", vc="3")  # FOK: cancelled
    s.order("1001", ids["sse_call"], "1", "1", 0.0001, 20)  # over close: 30
    s.order("1001", ids["sse_call"], "0", "0", 0.00015, 1)  # off the tick: 105
    s.order("1001", ids["sse_put"], "1", "0", bid, 1, hedge="4")  # covered put: 136
    # a resting order, then cancelled; one resting for later steps
    bid, ask = s.best(ids["sse_put"])
    s.order("2002", ids["sse_put"], "0", "0", bid, 4)
    s.order("2002", ids["sse_call"], "0", "0", round(max(bid - 0.001, 0.0001), 4), 1)
    s.call("order_action", "2002", {"OrderRef": str(s.refs["2002"]), "ActionFlag": "0"})
    # quotes and request for quote
    bid, ask = s.best(ids["szse_call"])
    quote = {
        "InstrumentID": ids["szse_call"],
        "ExchangeID": "SZSE",
        "QuoteRef": "1",
        "AskPrice": round(ask + 0.002, 4),
        "BidPrice": round(bid - 0.002, 4),
        "AskVolume": 2,
        "BidVolume": 2,
        "AskOffsetFlag": "0",
        "BidOffsetFlag": "0",
        "AskHedgeFlag": "1",
        "BidHedgeFlag": "1",
    }
    s.call("quote_insert", "MM", quote)
    s.call("quote_insert", "1001", dict(quote, QuoteRef="9"))  # not a market maker: 28
    s.call("for_quote_insert", "2002", {"InstrumentID": ids["szse_call"]})
    for second in range(1, 7):
        s.at(10, 0, second * 5)
    s.call("quote_action", "MM", {"QuoteRef": "1"})
    if on_pause is not None:
        on_pause(s)
    # lunch break: an order is held; afternoon continuous; closing auction
    s.at(11, 40)
    bid, ask = s.best(ids["szse_put"])
    s.order("2002", ids["szse_put"], "0", "0", ask, 1)
    s.at(13, 0)
    s.at(13, 0, 1)
    s.at(14, 58)
    bid, ask = s.best(ids["sse_call"])
    s.order("2002", ids["sse_call"], "1", "0", bid, 1)
    s.at(15, 0)
    s.at(15, 1)
    s.queries("day1")
    return ids


def day_two(s: Script, ids: dict[str, str]) -> None:
    s.roll()
    s.at(10, 0)
    bid, ask = s.best(ids["sse_call"])
    s.order("1001", ids["sse_call"], "1", "1", bid, 1)  # close part of the long
    bid, ask = s.best(ids["sse_put"])
    s.order("1001", ids["sse_put"], "0", "1", ask, 1)  # close part of the short
    s.call(
        "lock_insert",
        "1001",
        {"InstrumentID": "510050", "ExchangeID": "SSE", "LockType": "2", "Volume": 1000},
    )
    s.call("lock_insert", "1001", {"InstrumentID": "159919", "LockType": "1", "Volume": 10})
    s.at(10, 1)
    s.queries("day2")


def day_three(s: Script, ids: dict[str, str]) -> None:
    s.roll()
    s.at(10, 0)
    exec_req = {"InstrumentID": ids["sse_call"], "ExchangeID": "SSE", "Volume": 1, "HedgeFlag": "1"}
    s.call("exec_order_insert", "1001", dict(exec_req, ExecOrderRef="1"))
    s.call("exec_order_insert", "1001", dict(exec_req, ExecOrderRef="2"))
    s.call("exec_order_action", "1001", {"ExecOrderRef": "2", "ActionFlag": "0"})
    s.call("exec_order_insert", "1001", dict(exec_req, ExecOrderRef="3", Volume=99))  # too many
    s.at(10, 1)
    s.queries("day3")
    s.roll()  # the December contracts expire
    s.queries("day4")


def digest(value: Any) -> str:
    """sha256 of a value's canonical JSON (the market state and listing are large and belong
    to the market; the counter only has to leave them as the old code did)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def snapshot(store: SimStore) -> dict[str, Any]:
    loaded = store.load()
    kv = dict(loaded["kv"])
    for key in ("market", "listing"):
        if key in kv:
            kv[key] = digest(kv[key])
    return {
        "kv": jsonable(kv),
        "entities": jsonable(loaded["entities"]),
        "flows": jsonable(loaded["flows"]),
    }


def save_state_copy(s: Script, target: Path) -> None:
    """A consistent single-file copy of the state file as it is now (sqlite backup API)."""
    target.unlink(missing_ok=True)
    dst = sqlite3.connect(str(target))
    with s.store._lock:
        s.store._conn.backup(dst)
    dst.execute("PRAGMA journal_mode=DELETE")
    dst.close()


def run(folder: Path, state_copy: Path | None = None) -> dict[str, Any]:
    """The whole script; with ``state_copy`` the state file as of 10:00:30 on day one is
    copied there (the fixture an old state file is reopened from)."""
    s = Script(folder)
    pause = (lambda sc: save_state_copy(sc, state_copy)) if state_copy is not None else None
    ids = day_one(s, pause)
    day_two(s, ids)
    day_three(s, ids)
    flows = {inv: jsonable(s.counter.private_flow(inv)) for inv in sorted(s.sessions)}
    result = {"log": s.log, "flows": flows, "store": snapshot(s.store)}
    s.store.close()
    return result


def reopen(folder: Path, state_file: Path) -> dict[str, Any]:
    """Open a copy of ``state_file`` (written by the counter at 10:00:30 on day one) the way
    the exchange does, and record what the restored counter answers and does next."""
    from vnpy_ctpsopt.sim.wiring import restore_market

    path = folder / "reopened.db"
    if state_file.suffix == ".gz":
        with gzip.open(state_file) as src, path.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    else:
        shutil.copy(state_file, path)
    store = SimStore(path)
    day = datetime.strptime(str(store.value("trading_day")), "%Y%m%d").date()
    market = restore_market(store.value("market"), store.value("listing"), day)
    assert market is not None
    clock = ManualClock(datetime(2026, 12, 21, 10, 0, 30))
    config = CounterConfig(hours="exchange", market_makers=frozenset({"MM"}))
    counter = SimCounter(config, market, market.instruments, store, clock.now)
    log: list[Any] = []
    for number, investor in ((201, "1001"), (202, "MM"), (203, "2002")):
        session = SessionRef(1, number, "9999", investor)
        log.append(jsonable(counter.login(session, {"UserID": investor, "Password": "pw"})))
        for table in TABLES:
            log.append([investor, table, jsonable(counter.query(session, table, {}))])
        log.append(jsonable(counter.private_flow(investor)))
    log.append(counter.check_invariants())
    instant = datetime(2026, 12, 21, 10, 0, 35)
    clock.set(instant)
    market.advance(instant)
    log.append(record(counter.on_market(instant)))
    log.append(record(counter.roll_day()))
    result = {"log": log, "store": snapshot(store)}
    store.close()
    return result


def dumps(result: dict[str, Any]) -> str:
    """JSON with one log entry per line (reviewable diffs)."""
    lines = ["{"]
    for part, body in result.items():
        lines.append(f"{json.dumps(part)}: {{")
        items = list(body.items())
        for i, (key, value) in enumerate(items):
            if isinstance(value, list):
                inner = ",\n".join(json.dumps(v, ensure_ascii=False) for v in value)
                text = f"{json.dumps(key)}: [\n{inner}\n]"
            else:
                text = f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
            lines.append(text + ("," if i < len(items) - 1 else ""))
        lines.append("}," if part != list(result)[-1] else "}")
    lines.append("}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fixture = folder / "state_copy.db"
        result = run(folder, fixture)
        reopened = reopen(folder, fixture)
        if args.write:
            with fixture.open("rb") as src, gzip.open(STATE_FIXTURE, "wb") as dst:
                shutil.copyfileobj(src, dst)
    text = dumps({"run": result, "reopen": reopened})
    if args.write:
        GOLDEN.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {GOLDEN} ({len(text)} chars) and {STATE_FIXTURE}")
    else:
        print(len(text))


if __name__ == "__main__":
    main()
