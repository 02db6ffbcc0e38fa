"""Order round trip through the seam on the simulated front.

Measures, in microseconds (median and p99):
- ``insert -> first onRtnOrder`` for a resting limit order (then cancelled, not timed);
- ``insert -> onRtnTrade`` for a marketable limit order (alternating buy open / sell close);
- side by side, the floor: the same handoff done with a bare ``queue.Queue`` and one worker
  thread (request -> worker -> callback), so the ratio shows what the sim adds.

Run: ``.venv/bin/python bench/bench_sim_roundtrip.py [--rounds 500] [--clock live|manual]``
"""

from __future__ import annotations

import argparse
import queue
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vnpy_ctpsopt.api import create_td_api  # noqa: E402
from vnpy_ctpsopt.api.base import TdSpi  # noqa: E402


class Spi(TdSpi):
    """Wakes the bench thread on the callbacks it times."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.events: list[tuple[str, dict[str, Any], float]] = []
        self.rows: dict[int, list[dict[str, Any]]] = {}
        self.done: set[int] = set()

    def _push(self, name: str, data: dict[str, Any]) -> None:
        stamp = time.perf_counter()
        with self.cond:
            self.events.append((name, data, stamp))
            self.cond.notify_all()

    def wait(self, predicate: Any, timeout: float = 10.0) -> tuple[str, dict[str, Any], float]:
        with self.cond:
            found: list[tuple[str, dict[str, Any], float]] = []

            def check() -> bool:
                found[:] = [e for e in self.events if predicate(e)]
                return bool(found)

            if not self.cond.wait_for(check, timeout):
                raise TimeoutError("no matching callback")
            return found[0]

    def onFrontConnected(self) -> None:
        self._push("connected", {})

    def onRspUserLogin(
        self, data: dict[str, Any], error: dict[str, Any], reqid: int, last: bool
    ) -> None:
        self._push("login", dict(data, **error))

    def _rows(self, data: dict[str, Any], reqid: int, last: bool) -> None:
        with self.cond:
            if data:
                self.rows.setdefault(reqid, []).append(data)
            if last:
                self.done.add(reqid)
            self.cond.notify_all()

    def onRspQryInstrument(
        self, data: dict[str, Any], error: dict[str, Any], reqid: int, last: bool
    ) -> None:
        self._rows(data, reqid, last)

    def onRspQryDepthMarketData(
        self, data: dict[str, Any], error: dict[str, Any], reqid: int, last: bool
    ) -> None:
        self._rows(data, reqid, last)

    def onRtnOrder(self, data: dict[str, Any]) -> None:
        self._push("order", data)

    def onRtnTrade(self, data: dict[str, Any]) -> None:
        self._push("trade", data)

    def onRspOrderInsert(
        self, data: dict[str, Any], error: dict[str, Any], reqid: int, last: bool
    ) -> None:
        self._push("rejected", dict(data, **error))

    def onErrRtnOrderInsert(self, data: dict[str, Any], error: dict[str, Any]) -> None:
        self._push("err_rtn", dict(data, **error))


def query(api: Any, spi: Spi, name: str, req: dict[str, Any], reqid: int) -> list[dict[str, Any]]:
    while getattr(api, name)(req, reqid) != 0:
        time.sleep(0.05)
    with spi.cond:
        spi.cond.wait_for(lambda: reqid in spi.done, 10)
        return spi.rows.get(reqid, [])


def order(inst: str, ref: int, price: float, direction: str, offset: str) -> dict[str, Any]:
    return {
        "BrokerID": "9999",
        "InvestorID": "bench",
        "UserID": "bench",
        "InstrumentID": inst,
        "OrderRef": str(ref),
        "OrderPriceType": "2",
        "Direction": direction,
        "CombOffsetFlag": offset,
        "CombHedgeFlag": "1",
        "LimitPrice": price,
        "VolumeTotalOriginal": 1,
        "TimeCondition": "3",
        "VolumeCondition": "1",
        "MinVolume": 1,
        "ContingentCondition": "1",
        "ForceCloseReason": "0",
    }


def micro(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1e6, p99 * 1e6


def bench_sim(rounds: int, clock: str) -> dict[str, tuple[float, float]]:
    spi = Spi()
    address = f"sim://bench?seed=1&state=memory&qps=100&clock={clock}"
    api = create_td_api(address, spi)
    api.connect()
    spi.wait(lambda e: e[0] == "connected")
    api.reqUserLogin({"BrokerID": "9999", "UserID": "bench", "Password": "x"}, 1)
    login = spi.wait(lambda e: e[0] == "login")[1]
    assert login["ErrorID"] == 0, login
    session = (login["FrontID"], login["SessionID"])
    rows = query(api, spi, "reqQryInstrument", {}, 2)
    options = sorted(r["InstrumentID"] for r in rows if r.get("OptionsType") in ("1", "2"))
    inst = options[len(options) // 2]
    depth = query(api, spi, "reqQryDepthMarketData", {"InstrumentID": inst}, 3)[0]
    upper, lower = depth["UpperLimitPrice"], depth["LowerLimitPrice"]
    ref = int(login.get("MaxOrderRef") or 0) + 1
    to_order: list[float] = []
    to_trade: list[float] = []
    for i in range(rounds):
        # resting: buy at the lower limit, time to the first OnRtnOrder, then cancel
        ref += 1
        mine = str(ref)
        sent = time.perf_counter()
        api.reqOrderInsert(order(inst, ref, lower, "0", "0"), 10 + i)
        first = spi.wait(lambda e, r=mine: e[0] in ("order", "rejected") and e[1]["OrderRef"] == r)
        assert first[0] == "order", first
        to_order.append(first[2] - sent)
        sysid = spi.wait(
            lambda e, r=mine: e[0] == "order" and e[1]["OrderRef"] == r and e[1]["OrderSysID"]
        )[1]["OrderSysID"]
        api.reqOrderAction(
            {
                "BrokerID": "9999",
                "InvestorID": "bench",
                "UserID": "bench",
                "InstrumentID": inst,
                "ActionFlag": "0",
                "FrontID": session[0],
                "SessionID": session[1],
                "OrderRef": mine,
                "ExchangeID": depth.get("ExchangeID", ""),
                "OrderSysID": sysid,
            },
            20 + i,
        )
        spi.wait(
            lambda e, r=mine: (
                e[0] == "order" and e[1]["OrderRef"] == r and e[1]["OrderStatus"] == "5"
            )
        )
        # marketable: buy open at the upper limit / sell close at the lower limit
        ref += 1
        mine = str(ref)
        buy = i % 2 == 0
        req = order(inst, ref, upper if buy else lower, "0" if buy else "1", "0" if buy else "1")
        sent = time.perf_counter()
        api.reqOrderInsert(req, 30 + i)
        trade = spi.wait(lambda e, r=mine: e[0] in ("trade", "rejected") and e[1]["OrderRef"] == r)
        assert trade[0] == "trade", trade
        to_trade.append(trade[2] - sent)
        with spi.cond:
            spi.events.clear()
        if clock == "manual":  # untimed: a new step refreshes the displayed book
            api.exchange.advance(0.5)  # type: ignore[attr-defined]
    api.close()
    return {"insert -> first OnRtnOrder": micro(to_order), "insert -> OnRtnTrade": micro(to_trade)}


def bench_floor(rounds: int) -> tuple[float, float]:
    """request -> queue -> worker thread -> callback that wakes the requester."""
    jobs: queue.Queue[tuple[float, threading.Event] | None] = queue.Queue()
    samples: list[float] = []

    def worker() -> None:
        while (item := jobs.get()) is not None:
            sent, done = item
            samples.append(time.perf_counter() - sent)
            done.set()

    thread = threading.Thread(target=worker)
    thread.start()
    for _ in range(rounds):
        done = threading.Event()
        jobs.put((time.perf_counter(), done))
        done.wait()
    jobs.put(None)
    thread.join()
    return micro(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--clock", choices=("live", "manual"), default="live")
    args = parser.parse_args()
    floor = bench_floor(args.rounds)
    results = bench_sim(args.rounds, args.clock)
    print(f"rounds={args.rounds} clock={args.clock} python={sys.version.split()[0]}")
    print(f"{'path':32} {'median us':>10} {'p99 us':>10} {'median/floor':>13}")
    print(f"{'floor: queue + thread handoff':32} {floor[0]:10.1f} {floor[1]:10.1f} {1.0:13.1f}")
    for name, (median, p99) in results.items():
        print(f"{name:32} {median:10.1f} {p99:10.1f} {median / floor[0]:13.1f}")


if __name__ == "__main__":
    main()
