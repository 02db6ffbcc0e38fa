"""``python -m vnpy_ctpsopt record``: record whole option chains headless until stopped.

Connects (the embedded simulated counter by default, ``--setting`` a CtpsoptGateway connect json
for a real counter), discovers the chains from the contracts, subscribes each ETF and all its
options, follows later listings and writes through vn.py's database (``vt_setting.json``).
SIGINT / SIGTERM / ``--duration`` stop it: the gateway is closed, the event queue drained and
everything received written (or spilled when the database is down) before the summary.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
import time
from pathlib import Path
from typing import Any

from vnpy.event import Event, EventEngine
from vnpy.trader.engine import MainEngine
from vnpy.trader.event import EVENT_LOG

from .base import RecorderSetting
from .engine import RecorderEngine, summary_lines
from .progress import Progress

SIM_GATEWAY: str = "CTPSOPT_SIM"
REAL_GATEWAY: str = "CTPSOPT"
CONTRACT_TIMEOUT: float = 120.0


def add_parser(sub: Any) -> None:
    """Register the ``record`` sub-command on an argparse sub-parser set."""
    p = sub.add_parser("record", help="录制期权链行情到数据库（整条期权链，含新挂牌合约）")
    p.add_argument(
        "--underlying",
        action="append",
        default=[],
        help="标的 ETF，如 510050.SSE（可重复）",
    )
    p.add_argument("--all", action="store_true", help="录制全部期权链")
    p.add_argument("--setting", default="", help="CtpsoptGateway 连接配置 json（不给则用模拟柜台）")
    p.add_argument(
        "--duration", type=float, default=0.0, help="录制秒数（0 = 直到 Ctrl+C / SIGTERM）"
    )
    p.add_argument("--bars", action="store_true", help="同时合成并写入1分钟K线")
    p.add_argument(
        "--session-filter",
        choices=("auto", "on", "off"),
        default="auto",
        help="丢弃交易时段外的行情（auto：实盘开，模拟柜台关）",
    )
    p.add_argument(
        "--stale",
        type=float,
        default=-1.0,
        help="丢弃与本机时间相差超过该秒数的行情（0 关闭；默认实盘300，模拟柜台关闭）",
    )
    p.add_argument(
        "--memory-rows",
        type=int,
        default=500_000,
        help="数据库不可用时内存中最多保留的行数，超出写入溢出文件",
    )
    p.add_argument(
        "--spill-folder", default="", help="溢出文件目录（默认 .vntrader/ctpsopt_recorder_spill）"
    )
    p.add_argument("--close-timeout", type=float, default=30.0, help="关闭时等待数据库的秒数")
    p.add_argument(
        "--progress-interval", type=float, default=5.0, help="非终端输出时进度行的间隔秒数"
    )
    p.add_argument("--sim-speed", type=float, default=1.0, help="模拟柜台行情倍速")
    p.add_argument("--sim-seed", type=int, default=7, help="模拟柜台随机种子")
    p.add_argument("--sim-start", default="", help="模拟柜台起始时间 YYYYMMDDTHHMMSS（默认现在）")


def build_setting(args: argparse.Namespace, sim: bool) -> RecorderSetting:
    session: bool = args.session_filter == "on" or (args.session_filter == "auto" and not sim)
    stale: float | None = None
    if args.stale > 0 or (args.stale < 0 and not sim):
        stale = args.stale if args.stale > 0 else 300.0
    return RecorderSetting(
        bars=args.bars,
        session_filter=session,
        stale_seconds=stale,
        memory_rows=args.memory_rows,
        spill_folder=args.spill_folder,
        close_timeout=args.close_timeout,
    )


def connect(main_engine: MainEngine, args: argparse.Namespace) -> str:
    """Add and connect the gateway; returns its name."""
    from ..gateway import CtpsoptGateway

    if args.setting:
        setting: dict[str, Any] = json.loads(Path(args.setting).read_text(encoding="utf-8"))
        name: str = REAL_GATEWAY
    else:
        params: list[str] = [f"seed={args.sim_seed}", f"speed={args.sim_speed:g}", "state=memory"]
        if args.sim_start:
            params.append(f"start={args.sim_start}")
        address: str = "sim://recorder?" + "&".join(params)
        setting = {
            "用户名": "recorder",
            "密码": "recorder",
            "交易服务器": address,
            "行情服务器": address,
        }
        name = SIM_GATEWAY
    main_engine.add_gateway(CtpsoptGateway, name)
    main_engine.connect(setting, name)
    return name


def run_record(args: argparse.Namespace) -> int:
    """The ``record`` command; 0 when every tick received is accounted for and stored."""
    if not args.underlying and not args.all:
        print("请用 --underlying 510050.SSE（可重复）或 --all 指定要录制的期权链")
        return 2
    sim: bool = not args.setting
    from vnpy.trader.setting import SETTINGS

    SETTINGS["log.active"] = False  # vn.py's console log would print every subscription
    event_engine = EventEngine()
    main_engine = MainEngine(event_engine)
    engine: RecorderEngine = main_engine.add_engine(RecorderEngine)
    engine.setting = build_setting(args, sim)
    engine.on_log = lambda msg: print(f"[录制] {msg}", flush=True)

    stop = threading.Event()
    contracts_ready = threading.Event()

    def on_log(event: Event) -> None:
        msg: str = event.data.msg
        if "合约信息查询成功" in msg:
            contracts_ready.set()
        if event.data.gateway_name in (SIM_GATEWAY, REAL_GATEWAY):
            print(f"[{event.data.gateway_name}] {msg}", flush=True)

    event_engine.register(EVENT_LOG, on_log)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    gateway_name: str = connect(main_engine, args)
    if not contracts_ready.wait(CONTRACT_TIMEOUT) and not stop.is_set():
        print("等待合约信息超时，请检查连接配置")
        main_engine.close()
        return 1
    if stop.is_set():
        main_engine.close()
        return 0
    engine.start(chains=args.underlying, all_chains=args.all)
    progress = Progress(interval=args.progress_interval)
    deadline: float = time.monotonic() + args.duration if args.duration > 0 else float("inf")
    while not stop.wait(min(1.0, max(0.0, deadline - time.monotonic()))):
        progress.update(engine.stats)
        if time.monotonic() >= deadline:
            break
    progress.update(engine.stats)
    progress.close()
    shutdown(main_engine, event_engine, engine, gateway_name)
    for line in summary_lines(engine.stats):
        print(line, flush=True)
    return 0 if engine.stats.balance() == 0 and engine.stats.spill_pending == 0 else 1


def shutdown(
    main_engine: MainEngine, event_engine: EventEngine, engine: RecorderEngine, gateway_name: str
) -> None:
    """Stop the data at its source, let the event engine deliver what is queued, write it all."""
    gateway = main_engine.get_gateway(gateway_name)
    if gateway is not None:
        gateway.close()
    drained = threading.Event()
    event_engine.register("eCtpsoptRecorderDrain", lambda e: drained.set())
    event_engine.put(Event("eCtpsoptRecorderDrain"))
    drained.wait(30.0)
    engine.close(log_summary=False)  # the caller prints the summary
    main_engine.close()
