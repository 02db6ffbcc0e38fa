"""Kill-and-restart persistence of the simulated counter, through the seam.

A child process trades on ``sim://NAME?state=FILE`` and reports every order and trade it was
told about (OnRtnOrder with an OrderSysID, OnRtnTrade) on stdout; the parent kills it with
SIGKILL (``Popen.kill``) while it is still trading, lets a second child continue on the same
file and kills that one too, then opens a td api on the file in this process and checks through
queries and the RESTART replay that everything acknowledged is there. The sqlite state file is
the only internal thing inspected.

=====  ==========================================================================================
TC     what
=====  ==========================================================================================
TC-01  every acknowledged order (OrderSysID) is in ReqQryOrder, no less advanced (status,
       VolumeTraded) than last reported; every acknowledged trade (TradeID) is in ReqQryTrade
       with its price, volume and side
TC-02  positions (per instrument, direction, hedge) equal what the queried trades add up to;
       the account's CashIn, Commission and margin follow from them; the identity holds
TC-03  a RESTART login replays the private flow with every acknowledged order and trade
TC-04  the state file holds a record of every acknowledged order
TC-04b every acknowledged lock is in ReqQryLock; the lock position adds them up
TC-05  a second process continues the stored counter (new OrderSysIDs, no reuse) before it is
       killed in turn
TC-06  a state file left on an expiry day (exercise declared, an ITM short open) and reopened on
       the next trading day is settled first: the exercise delivers, the short is assigned at
       the underlying close, the new day starts from the settled balance
=====  ==========================================================================================
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from sim_seam import LONG, SHORT, Trader, sim_url, unique_name

from vnpy_ctpsopt.api.constant import THOST_TERT_RESTART

UNIT = 10000
FEES = {("0", "0"): 2.0, ("1", "0"): 0.0}  # (direction, offset) -> fee per contract; closes 2.0
FEE_CLOSE = 2.0
MARKUP = 0.1
SEAM_DIR = Path(__file__).resolve().parent

CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from sim_seam import BUY, CLOSE, SELL, Trader

trader = Trader(sys.argv[2])
print_lock = __import__("threading").Lock()


def report(name, args):
    data = args[0]
    if name == "onRtnOrder" and data["OrderSysID"]:
        item = {"kind": "order", "sysid": data["OrderSysID"], "exchange": data["ExchangeID"],
                "status": data["OrderStatus"], "traded": data["VolumeTraded"]}
    elif name == "onRtnLock" and data["LockSysID"]:
        item = {"kind": "lock", "sysid": data["LockSysID"], "volume": data["Volume"]}
    elif name == "onRtnTrade":
        item = {"kind": "trade", "id": data["TradeID"], "exchange": data["ExchangeID"],
                "sysid": data["OrderSysID"], "price": data["Price"], "volume": data["Volume"],
                "direction": data["Direction"], "offset": data["OffsetFlag"]}
    else:
        return
    with print_lock:
        print(json.dumps(item), flush=True)


trader.spi.hook = report
picked = []
for exchange in ("SSE", "SZSE"):
    calls = [r for r in trader.options(exchange) if r["OptionsType"] == "1"]
    picked += [calls[len(calls) // 2]["InstrumentID"], calls[len(calls) // 2 + 1]["InstrumentID"]]
print(json.dumps({"kind": "ready"}), flush=True)
step = 0
while True:
    iid = picked[step % len(picked)]
    depth = trader.depth(iid)
    trader.place(trader.order_req(iid, depth["AskPrice1"], BUY, volume=2))
    trader.place(trader.order_req(iid, depth["BidPrice1"], SELL, CLOSE, volume=1))
    trader.place(trader.order_req(iid, depth["BidPrice1"], SELL, volume=1))
    resting = trader.place(trader.order_req(iid, depth["LowerLimitPrice"], BUY, volume=1))
    if step % 2:
        trader.cancel(ExchangeID=resting["ExchangeID"], OrderSysID=resting["OrderSysID"])
    lock_req = {"BrokerID": "2001", "InvestorID": "00001", "UserID": "00001", "InstrumentID": "510050",
            "ExchangeID": "SSE", "LockRef": trader.next_ref(), "Volume": 1000, "LockType": "1"}
    trader.api.reqLockInsert(lock_req, 0)
    trader.exchange.advance(0.5)
    step += 1
"""


def run_child(script: Path, address: str, acks: int) -> list[dict[str, Any]]:
    """Start a trading child, read its reports until ``acks`` items, kill -9 it mid-stream and
    return every complete report it printed."""
    proc = subprocess.Popen(
        [sys.executable, str(script), str(SEAM_DIR), address],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=SEAM_DIR.parent.parent,
    )
    assert proc.stdout is not None and proc.stderr is not None
    items: list[dict[str, Any]] = []
    enough = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut by the kill was never a complete report
            if item["kind"] != "ready":
                items.append(item)
            if len(items) >= acks:
                enough.set()
        enough.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        got = enough.wait(60)
        alive = proc.poll() is None
        proc.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no cleanup runs
        proc.wait(10)
        reader.join(10)
        errors = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert got and alive, f"the child stopped early: {errors[-2000:]}"
    assert len(items) >= acks
    return items


def last_by_order(items: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for item in items:
        if item["kind"] == "order":
            latest[(item["exchange"], item["sysid"])] = item
    return latest


RANK = {"a": 0, "3": 1, "1": 2, "2": 2, "0": 3, "5": 3}


def test_kill_and_restart_keeps_every_acknowledged_item(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    state = tmp_path / "counter.db"
    child_address = sim_url(unique_name("kill"), seed=51, state=state, capital=10_000_000)

    first = run_child(script, child_address, 40)
    second = run_child(script, child_address, 40)
    # TC-05: the second process continued the stored counter: no OrderSysID reused
    first_ids, second_ids = set(last_by_order(first)), set(last_by_order(second))
    assert first_ids and second_ids and not first_ids & second_ids
    acked = first + second
    orders = last_by_order(acked)
    trades = {(i["exchange"], i["id"]): i for i in acked if i["kind"] == "trade"}
    locks = {i["sysid"]: i for i in acked if i["kind"] == "lock"}
    assert len(trades) >= 10 and locks

    # TC-04: the state file holds every acknowledged order (read before any restart)
    with sqlite3.connect(state) as conn:
        stored = {
            (value["exchange_id"], value["data"]["OrderSysID"])
            for (text,) in conn.execute("SELECT value FROM entity WHERE kind = 'order'")
            for value in [json.loads(text)]
        }
    conn.close()
    assert set(orders) <= stored

    address = sim_url(unique_name("back"), seed=51, state=state, capital=10_000_000)
    trader = Trader(address, resume_type=THOST_TERT_RESTART)
    try:
        # TC-03: the RESTART replay carries every acknowledged order and trade
        replay_trades = trader.spi.wait("onRtnTrade", len(trades))
        replayed = {(a[0]["ExchangeID"], a[0]["TradeID"]) for a in replay_trades}
        assert set(trades) <= replayed
        replayed_orders = {
            (a[0]["ExchangeID"], a[0]["OrderSysID"])
            for a in trader.spi.named("onRtnOrder")
            if a[0]["OrderSysID"]
        }
        assert set(orders) <= replayed_orders

        # TC-01: orders and trades
        order_rows = trader.query("Order")
        queried = {(o["ExchangeID"], o["OrderSysID"]): o for o in order_rows}
        assert len(queried) == len(order_rows)  # one row per exchange order number
        for key, item in orders.items():
            row = queried[key]
            assert RANK[row["OrderStatus"]] >= RANK[item["status"]], (row, item)
            assert row["VolumeTraded"] >= item["traded"]
            if item["status"] in ("0", "5"):
                assert row["OrderStatus"] == item["status"]
        all_trades = {(t["ExchangeID"], t["TradeID"]): t for t in trader.query("Trade")}
        for key, item in trades.items():
            row = all_trades[key]
            assert (row["OrderSysID"], row["Price"], row["Volume"]) == (
                item["sysid"], item["price"], item["volume"])  # fmt: skip
            assert (row["Direction"], row["OffsetFlag"]) == (item["direction"], item["offset"])

        # TC-04b: locks
        lock_rows = {r["LockSysID"]: r for r in trader.query("Lock", {"InstrumentID": "510050"})}
        assert set(locks) <= set(lock_rows)
        (lock_position,) = trader.query("LockPosition", {"InstrumentID": "510050"})
        assert lock_position["Volume"] == sum(r["Volume"] for r in lock_rows.values())

        # TC-02: positions and money follow from the trades
        net: dict[tuple[str, str], int] = {}
        cash_in = commission = 0.0
        for t in all_trades.values():
            opening = t["OffsetFlag"] == "0"
            buy = t["Direction"] == "0"
            side = (LONG if buy else SHORT) if opening else (SHORT if buy else LONG)
            key = (t["InstrumentID"], side)
            net[key] = net.get(key, 0) + (t["Volume"] if opening else -t["Volume"])
            cash_in += (-1 if buy else 1) * t["Price"] * UNIT * t["Volume"]
            fee = FEES[(t["Direction"], "0")] if opening else FEE_CLOSE
            commission += fee * t["Volume"]
        rows = {
            (r["InstrumentID"], r["PosiDirection"]): r
            for r in trader.positions()
            if len(r["InstrumentID"]) == 8
        }
        for key, volume in net.items():
            assert rows[key]["Position"] == volume, key
        account = trader.account()
        assert account["PreBalance"] == 10_000_000
        assert account["CashIn"] == pytest.approx(cash_in)
        assert account["Commission"] == pytest.approx(commission)
        assert account["Balance"] == pytest.approx(10_000_000 + cash_in - commission)
        margin = sum(r["UseMargin"] for r in rows.values())
        assert account["CurrMargin"] == pytest.approx(margin)
        assert margin > 0 and all(r["UseMargin"] == 0 for k, r in rows.items() if k[1] == LONG)
        available = (
            account["Balance"]
            - account["CurrMargin"]
            - account["FrozenMargin"]
            - account["FrozenCash"]
            - account["FrozenCommission"]
            - account["DeliveryMargin"]
        )
        assert account["Available"] == pytest.approx(available)
        live = [o for o in queried.values() if o["OrderStatus"] in ("3", "1")]
        frozen = sum(
            o["LimitPrice"] * UNIT * o["VolumeTotal"] for o in live if o["Direction"] == "0"
        )
        assert account["FrozenCash"] == pytest.approx(frozen)
    finally:
        trader.close()


def test_tc06_a_stored_expiry_day_is_settled_at_restart(tmp_path: Path) -> None:
    state = tmp_path / "expiry.db"
    address = sim_url(unique_name("eday"), seed=43, state=state, start="20261223T100000")
    trader = Trader(address)
    try:
        chain = [
            r
            for r in trader.options("SSE", "20261223")
            if r["OptionsType"] == "1" and r["UnderlyingInstrID"] == "510050"
        ]
        itm, deeper = chain[0], chain[1]
        depth = trader.depth(itm["InstrumentID"])
        bought = trader.place(trader.order_req(itm["InstrumentID"], depth["AskPrice1"], volume=2))
        assert bought["OrderStatus"] == "0"
        depth = trader.depth(deeper["InstrumentID"])
        sold = trader.place(trader.order_req(deeper["InstrumentID"], depth["BidPrice1"], "1"))
        assert sold["OrderStatus"] == "0"
        req = {"BrokerID": "2001", "InvestorID": "00001", "UserID": "00001",
               "InstrumentID": itm["InstrumentID"], "ExchangeID": "SSE", "ExecOrderRef": "7",
               "Volume": 2, "ActionType": "1", "PosiDirection": LONG, "OffsetFlag": "1",
               "HedgeFlag": "1"}  # fmt: skip
        assert trader.api.reqExecOrderInsert(req, 1) == 0
        trader.spi.wait("onRtnExecOrder", 2)
        before = trader.account()
        shares = trader.position("510050")
        assert shares is not None
    finally:
        trader.close()

    later = sim_url(unique_name("eday"), seed=43, state=state, start="20261224T100000")
    trader = Trader(later)
    try:
        assert trader.login[0]["TradingDay"] == "20261224"
        close = trader.depth("510050")["PreClosePrice"]
        assert close > deeper["StrikePrice"]
        delivery = UNIT * (deeper["StrikePrice"] - 2 * itm["StrikePrice"])
        account = trader.account()
        assert account["PreBalance"] == pytest.approx(before["Balance"] - 2 * 1.0 + delivery)
        assert account["CurrMargin"] == 0.0
        etf = trader.position("510050")
        assert etf is not None and etf["Position"] == shares["Position"] + 2 * UNIT - UNIT
        expired = {itm["InstrumentID"], deeper["InstrumentID"]}
        assert not [r for r in trader.positions() if r["InstrumentID"] in expired]
    finally:
        trader.close()
