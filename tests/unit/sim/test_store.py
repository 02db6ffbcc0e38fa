"""Persistence: state survives a restart on the same file, and a kill -9 at any moment."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from counter_kit import Clock, Harness, orders, trades

from vnpy_ctpsopt.sim.counter import CounterConfig
from vnpy_ctpsopt.sim.store import SimStore

BUY, SELL, OPEN, CLOSE = "0", "1", "0", "1"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]


MARKED = ("OptionValue", "SettlementPrice")  # marked to the market's last price, not stored


def snapshot(h: Harness, investor: str) -> dict:
    s = h.login(investor)
    tables = {
        name: [
            {k: v for k, v in row.items() if k not in MARKED}
            for row in h.counter.query(s, name, {})
        ]
        for name in ("TradingAccount", "InvestorPosition", "Order", "Trade", "ExecOrder", "Lock",
                     "LockPosition", "Quote")
    }
    return tables | {"flow": h.counter.private_flow(investor)}


def test_restart_restores_everything(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    h = Harness(store=SimStore(path))
    s = h.login("P1")
    call, szse_call = h.names["sse_call"], h.names["szse_call"]
    h.order(s, call, BUY, OPEN, 0.0503, 7)
    h.order(s, call, SELL, OPEN, 0.0520, 2, ref="40")  # rests
    h.order(s, szse_call, SELL, OPEN, 0.1000, 2, hedge="4")  # SZSE covered
    h.call("lock_insert", s, {"InstrumentID": "510050", "ExchangeID": "SSE", "Volume": 10000,
                              "LockType": "1"})
    h.call("quote_insert", s, {"InstrumentID": h.names["sse_put"], "AskPrice": 0.045,
                               "BidPrice": 0.035, "AskVolume": 1, "BidVolume": 1})
    before = snapshot(h, "P1")
    h.counter.store.close()

    again = Harness(store=SimStore(path))
    again.check()
    after = snapshot(again, "P1")
    for key in ("TradingAccount", "InvestorPosition", "Order", "Trade", "Lock", "LockPosition",
                "Quote", "flow"):
        assert after[key] == before[key], key
    assert again.counter.trading_day == h.counter.trading_day
    # the resting order is live again: it can be cancelled, new ids do not collide
    s2 = again.login("P1")
    out = again.call("order_action", s2, {"ExchangeID": "SSE",
                                          "OrderSysID": before["Order"][1]["OrderSysID"]})
    assert orders(out)[-1]["OrderStatus"] == "5"
    new = trades(again.order(s2, call, BUY, OPEN, 0.0505, 1))
    old_ids = {t["TradeID"] for t in before["Trade"]}
    assert new and new[0]["TradeID"] not in old_ids
    last_seq = before["flow"][-1][0]
    assert all(o.seq > last_seq for o in out)


def test_day_roll_persists(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    h = Harness(store=SimStore(path))
    s = h.login("P2")
    h.order(s, h.names["sse_put"], SELL, OPEN, 0.0399, 1)
    h.counter.roll_day()
    before = snapshot(h, "P2")
    h.counter.store.close()
    again = Harness(store=SimStore(path))
    assert again.counter.trading_day == "20261222"
    after = snapshot(again, "P2")
    assert after["TradingAccount"] == before["TradingAccount"]
    assert after["InvestorPosition"] == before["InvestorPosition"]
    assert after["Order"] == after["Trade"] == after["flow"] == []


def test_memory_state_has_no_file(tmp_path: Path) -> None:
    h = Harness()
    s = h.login()
    h.order(s, h.names["sse_call"], BUY, OPEN, 0.0503, 1)
    assert h.counter.store is None and list(tmp_path.iterdir()) == []


CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[2])
from counter_kit import Harness, orders, trades
from vnpy_ctpsopt.sim.store import SimStore
h = Harness(store=SimStore(sys.argv[1]))
s = h.login("K1")
call = h.names["sse_call"]
i = 0
while True:
    i += 1
    if i % 3 == 0:
        out = h.order(s, call, "1", "1", 0.0400, 1)   # sell close into the bid (if any long)
    elif i % 5 == 0:
        out = h.order(s, call, "1", "0", 0.0600, 1)   # sell open, rests
    else:
        out = h.order(s, call, "0", "0", 0.0520, 1)   # buy open: fills while asks last
    pushes = orders(out)
    ack = {
        "orders": [(p["OrderRef"], p["OrderSysID"], p["OrderStatus"], p["VolumeTraded"])
                   for p in pushes[-1:]],
        "trades": [t["TradeID"] for t in trades(out)],
        "flow": max((o.seq for o in out if o.seq), default=0),
    }
    sys.stdout.write(json.dumps(ack) + "\n")
    sys.stdout.flush()
"""


def test_kill_9_keeps_every_acknowledged_item(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(HERE)],
        stdout=subprocess.PIPE,
        cwd=str(ROOT),
        text=True,
    )
    acks = []
    try:
        assert child.stdout is not None
        while len(acks) < 60:
            line = child.stdout.readline()
            assert line, "child ended early"
            acks.append(json.loads(line))
    finally:
        child.kill()  # SIGKILL on POSIX, TerminateProcess on Windows
        child.wait()
    assert child.returncode != 0

    again = Harness(store=SimStore(path))
    again.check()
    s = again.login("K1")
    stored_orders = {o["OrderRef"]: o for o in again.counter.query(s, "Order", {})}
    stored_trades = {t["TradeID"] for t in again.counter.query(s, "Trade", {})}
    flow = again.counter.private_flow("K1")
    acked_trades = [tid for ack in acks for tid in ack["trades"]]
    assert len(acked_trades) > 0
    assert set(acked_trades) <= stored_trades
    for ack in acks:
        for ref, sysid, status, traded in ack["orders"]:
            stored = stored_orders[ref]
            assert stored["OrderSysID"] == sysid
            assert stored["VolumeTraded"] >= traded
            if status in ("0", "5"):
                assert stored["OrderStatus"] == status
    assert flow and flow[-1][0] >= max(ack["flow"] for ack in acks)
    assert [seq for seq, _ in flow] == list(range(1, len(flow) + 1))
    # money and positions agree with the trades that survived
    account = again.account(s)
    kinds = [(t["Direction"], t["OffsetFlag"]) for t in again.counter.query(s, "Trade", {})]
    long_row = again.position(s, again.names["sse_call"], "2")
    short_row = again.position(s, again.names["sse_call"], "3")
    assert long_row["Position"] == kinds.count((BUY, OPEN)) - kinds.count((SELL, CLOSE))
    assert short_row.get("Position", 0) == kinds.count((SELL, OPEN))
    assert account["Balance"] == account["PreBalance"] + account["CashIn"] - account["Commission"]


def test_restart_on_a_later_day_catches_up(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    h = Harness(store=SimStore(path))
    s = h.login("C1")
    call, put = h.names["sse_call"], h.names["sse_put"]
    h.order(s, put, SELL, OPEN, 0.0399, 2)
    h.order(s, call, BUY, OPEN, 0.0503, 1)
    h.order(s, call, BUY, OPEN, 0.0400, 1)  # rests: gone after the close
    balance = h.account(s)["Balance"]
    h.counter.store.close()

    later = Harness(store=SimStore(path), market_day="20261222")
    later.check()
    assert later.counter.trading_day == "20261222"
    s = later.login("C1")
    assert later.counter.query(s, "Order", {}) == []
    account = later.account(s)
    assert account["PreBalance"] == balance and account["FrozenCash"] == 0.0
    short = later.position(s, put, "3")
    assert short["YdPosition"] == 2 and short["TodayPosition"] == 0 and short["UseMargin"] > 0
    assert later.position(s, call, "2")["YdPosition"] == 1


def test_restart_after_expiry_settles_delisted_contracts(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    h = Harness(store=SimStore(path), market_day="20261223")
    s = h.login("C2")
    call = h.names["sse_call"]
    h.order(s, call, SELL, OPEN, 0.0499, 1)  # short call, expires today
    h.counter.store.close()

    # next day: the market no longer lists the expired options; the underlying closed at 3.0
    later = Harness(store=SimStore(path), market_day="20261224", delist_options=True,
                    pre_closes={"510050": 3.0})
    later.check()
    s = later.login("C2")
    assert later.counter.trading_day == "20261224"
    assert later.position(s, call, "3") == {}
    assert later.position(s, "510050", "2")["Position"] == 100_000 - 10_000  # assigned
    assert later.account(s)["CurrMargin"] == 0.0


def test_a_restart_during_the_opening_auction_keeps_its_orders(tmp_path: Path) -> None:
    path = tmp_path / "auction.db"
    clock = Clock(datetime(2026, 12, 21, 9, 16))
    h = Harness(CounterConfig(hours="exchange"), store=SimStore(path), clock=clock)
    buyer, seller = h.login("1001"), h.login("1002")
    call = h.names["sse_call"]  # bids 0.0500 down, asks 0.0502 up
    h.order(buyer, call, BUY, OPEN, 0.0501, 2, ref="1")
    h.order(seller, call, SELL, OPEN, 0.0501, 1, ref="2")
    h.counter.store.close()
    clock.now = datetime(2026, 12, 21, 9, 25)
    again = Harness(CounterConfig(hours="exchange"), store=SimStore(path), clock=clock)
    out = again.counter.on_market(clock.now)
    again.check(out)
    # both orders are still the auction's: one lot at 0.0501, one TradeID on both sides
    rows = [(t["InvestorID"], t["Price"], t["Volume"], t["TradeID"]) for t in trades(out)]
    assert [r[:3] for r in rows] == [("1001", 0.0501, 1), ("1002", 0.0501, 1)]
    assert rows[0][3] == rows[1][3]
    again.counter.store.close()
