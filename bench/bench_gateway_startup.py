"""Gateway start-up on the simulated counter: wall time from ``MainEngine.connect`` to
"合约信息查询成功", to the first account push, and to positions pushed with the order/trade
re-synchronisation done (the gateway ready to trade).

Two settings side by side in one run: the defaults a user gets (gateway queries at most 1/s,
the sim front allows 1 query/s like a real CTP front), and a fast front (qps=100, gateway interval
0.02 s) that shows the gateway's own cost. vnpy_sopt cannot be pointed at the sim (its binding is
the C++ library), so there is no peer column; for reference vnpy_sopt asks for account and
positions only from its 2-second timer rotation after "合约信息查询成功".

Usage: .venv/bin/python bench/bench_gateway_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

home = Path(tempfile.mkdtemp(prefix="ctpsopt-bench-"))
(home / ".vntrader").mkdir()
os.chdir(home)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vnpy.event import Event, EventEngine  # noqa: E402
from vnpy.trader.engine import MainEngine  # noqa: E402
from vnpy.trader.event import EVENT_ACCOUNT, EVENT_LOG, EVENT_POSITION  # noqa: E402

from vnpy_ctpsopt import CtpsoptGateway  # noqa: E402


def one_run(name: str, qps: float, interval: float) -> dict[str, float]:
    event_engine = EventEngine()
    main_engine = MainEngine(event_engine)
    gateway = main_engine.add_gateway(CtpsoptGateway, "CTPSOPT")
    assert isinstance(gateway, CtpsoptGateway)
    gateway.td.scheduler.interval = interval
    marks: dict[str, float] = {}
    ready = threading.Event()
    t0 = 0.0

    def on_event(event: Event) -> None:
        now = time.perf_counter() - t0
        if event.type == EVENT_LOG and "合约信息查询成功" in event.data.msg:
            marks.setdefault("contracts", now)
        elif event.type == EVENT_ACCOUNT:
            marks.setdefault("account", now)
        elif event.type == EVENT_POSITION:
            marks.setdefault("positions", now)
            ready.set()

    event_engine.register_general(on_event)
    address = f"sim://{name}?seed=7&state=memory&qps={qps:g}"
    t0 = time.perf_counter()
    main_engine.connect(
        {"用户名": "bench", "密码": "pw", "交易服务器": address, "行情服务器": address}, "CTPSOPT"
    )
    assert ready.wait(60), marks
    # ready to trade: positions pushed and the order/trade re-synchronisation finished
    deadline = time.perf_counter() + 60
    while not (gateway.td.resync_done and not gateway.td.scheduler.pending()):
        assert time.perf_counter() < deadline
        time.sleep(0.0005)
    marks["ready"] = time.perf_counter() - t0
    main_engine.close()
    return marks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {args.runs} runs each, 677 instruments listed")
    print(
        f"{'setting':<44} {'contracts':>10} {'account':>10} {'positions':>10} {'ready':>10}"
        "  (median s)"
    )
    for label, qps, interval in (
        ("defaults (gateway 1 query/s, front 1 qps)", 1.0, 1.0),
        ("fast front (qps 100, gateway 0.02 s)", 100.0, 0.02),
    ):
        runs = [one_run(f"startup{i}_{qps:g}", qps, interval) for i in range(args.runs)]
        keys = ("contracts", "account", "positions", "ready")
        med = {k: statistics.median(r[k] for r in runs) for k in keys}
        print(f"{label:<44} " + " ".join(f"{med[k]:>10.3f}" for k in keys))


if __name__ == "__main__":
    main()
