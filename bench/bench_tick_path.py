"""Tick path: µs per tick from an openctp-ctpopt CThostFtdcDepthMarketDataField to EVENT_TICK in
the event queue, ours against vnpy_sopt's ``SoptMdApi.onRtnDepthMarketData(dict)``, one run.

Ours pays what the native backend pays per tick: the struct copy of ``api/native.py``
(``StructCopier.to_dict``), the hand-off to the api's worker thread (a
``SimpleQueue`` put and get, done inline here), then ``CtpsoptMdSession.onRtnDepthMarketData``:
contract lookup, ``parse_tick`` (DBL_MAX sanitising, cached date/time, five levels) and
``gateway.on_tick`` (two events on the engine's queue). vnpy_sopt's C++ binding builds its dict
in C++, so its figure starts at the dict: the handler only (strptime, TickData, five levels,
``on_tick``). Both are fed the same tick content: ``K`` instruments, every tick half a second
later than the previous one of its instrument, DBL_MAX in the unset fields as a real front sends.

Usage: .venv/bin/python bench/bench_tick_path.py [--ticks 20000] [--rounds 7] [--symbols 50]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path
from queue import SimpleQueue
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vnpy.event import EventEngine  # noqa: E402
from vnpy.trader.constant import Exchange, Product  # noqa: E402
from vnpy.trader.object import ContractData  # noqa: E402

from vnpy_ctpsopt.api.native import StructCopier, load_modules  # noqa: E402
from vnpy_ctpsopt.gateway import CtpsoptGateway  # noqa: E402

DBL_MAX = 1.7976931348623157e308


def make_structs(md: Any, symbols: int, ticks: int) -> list[Any]:
    """``ticks`` depth structs cycling over ``symbols`` instruments, 500 ms apart each."""
    structs: list[Any] = []
    for i in range(ticks):
        s = md.CThostFtdcDepthMarketDataField()
        n = i % symbols
        step = i // symbols
        seconds = 9 * 3600 + 30 * 60 + step // 2
        s.TradingDay = "20261130"
        s.ActionDay = "20261130"
        s.InstrumentID = f"1000{7000 + n:04d}"
        s.ExchangeID = "SSE"
        s.UpdateTime = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        s.UpdateMillisec = 500 * (step % 2)
        base = 0.05 + 0.001 * n
        s.LastPrice = base
        s.PreSettlementPrice = base
        s.PreClosePrice = base
        s.OpenPrice = base
        s.HighestPrice = base + 0.002
        s.LowestPrice = base - 0.002
        s.Volume = 100 + step
        s.Turnover = 1000.0 * step
        s.OpenInterest = 5000.0
        s.PreOpenInterest = 5000.0
        s.ClosePrice = DBL_MAX
        s.SettlementPrice = DBL_MAX
        s.UpperLimitPrice = base * 3
        s.LowerLimitPrice = 0.0001
        s.PreDelta = 0.0
        s.CurrDelta = DBL_MAX
        s.AveragePrice = base * 10000
        for level in range(1, 6):
            setattr(s, f"BidPrice{level}", round(base - 0.0001 * level, 4))
            setattr(s, f"AskPrice{level}", round(base + 0.0001 * level, 4) if level < 5 else DBL_MAX)
            setattr(s, f"BidVolume{level}", 10 * level)
            setattr(s, f"AskVolume{level}", 11 * level if level < 5 else 0)
        structs.append(s)
    return structs


def contracts(symbols: int, gateway_name: str) -> list[ContractData]:
    result = []
    for n in range(symbols):
        c = ContractData(
            gateway_name=gateway_name,
            symbol=f"1000{7000 + n:04d}",
            exchange=Exchange.SSE,
            name=f"50ETF购12月{2800 + n}",
            product=Product.OPTION,
            size=10000,
            pricetick=0.0001,
        )
        c.extra = {"trading_active": True}
        result.append(c)
    return result


def drain(engine: EventEngine) -> None:
    queue = engine._queue  # noqa: SLF001 - the engine is never started: empty its queue
    while not queue.empty():
        queue.get_nowait()


def run_ours(structs: list[Any], to_dict: Any) -> tuple[float, EventEngine]:
    engine = EventEngine()
    gateway = CtpsoptGateway(engine, "CTPSOPT")
    for c in contracts(len({s.InstrumentID for s in structs}), "CTPSOPT"):
        gateway.contracts.add(c)
    session = gateway.md
    worker_queue: SimpleQueue[tuple[str, tuple[Any, ...]]] = SimpleQueue()
    put, get = worker_queue.put, worker_queue.get
    gc.collect()
    gc.disable()
    t0 = time.perf_counter()
    for raw in structs:
        # native callback: copy the struct, enqueue; worker: dequeue, dispatch to the spi
        put(("onRtnDepthMarketData", (to_dict(raw),)))
        method, args = get()
        getattr(session, method)(*args)
    elapsed = time.perf_counter() - t0
    gc.enable()
    return elapsed / len(structs) * 1e6, engine


def run_peer(dicts: list[dict[str, Any]]) -> tuple[float, EventEngine]:
    from vnpy_sopt.gateway.sopt_gateway import SoptGateway, symbol_contract_map

    engine = EventEngine()
    gateway = SoptGateway(engine, "SOPT")
    for c in contracts(len({d["InstrumentID"] for d in dicts}), "SOPT"):
        symbol_contract_map[c.symbol] = c
    handler = gateway.md_api.onRtnDepthMarketData
    gc.collect()
    gc.disable()
    t0 = time.perf_counter()
    for data in dicts:
        handler(data)
    elapsed = time.perf_counter() - t0
    gc.enable()
    return elapsed / len(dicts) * 1e6, engine


def run_parts(structs: list[Any]) -> dict[str, float]:
    """Where our time goes: the struct copy alone, the handler alone (same ticks)."""
    to_dict = StructCopier().to_dict
    gc.collect()
    gc.disable()
    t0 = time.perf_counter()
    dicts = [to_dict(s) for s in structs]
    copy_us = (time.perf_counter() - t0) / len(structs) * 1e6
    engine = EventEngine()
    gateway = CtpsoptGateway(engine, "CTPSOPT")
    for c in contracts(len({d["InstrumentID"] for d in dicts}), "CTPSOPT"):
        gateway.contracts.add(c)
    handler = gateway.md.onRtnDepthMarketData
    t0 = time.perf_counter()
    for d in dicts:
        handler(d)
    handler_us = (time.perf_counter() - t0) / len(dicts) * 1e6
    gc.enable()
    drain(engine)
    return {"copy": copy_us, "handler": handler_us}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ticks", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--symbols", type=int, default=50)
    args = parser.parse_args()

    _, md = load_modules()
    structs = make_structs(md, args.symbols, args.ticks)
    copier = StructCopier()
    peer_dicts = [copier.to_dict(s) for s in structs]  # the same content vnpy_sopt gets

    ours: list[float] = []
    peer: list[float] = []
    parts: list[dict[str, float]] = []
    events_ours = events_peer = 0
    for _ in range(args.rounds):
        us, engine = run_ours(structs, StructCopier().to_dict)
        events_ours = engine._queue.qsize()  # noqa: SLF001
        drain(engine)
        ours.append(us)
        us, engine = run_peer(peer_dicts)
        events_peer = engine._queue.qsize()  # noqa: SLF001
        drain(engine)
        peer.append(us)
        parts.append(run_parts(structs))

    assert events_ours == events_peer == 2 * args.ticks, (events_ours, events_peer)
    o, p = statistics.median(ours), statistics.median(peer)
    print(f"python {sys.version.split()[0]}, {args.ticks} ticks x {args.rounds} rounds, "
          f"{args.symbols} instruments")
    print(f"ours  struct -> EVENT_TICK : median {o:6.2f} us/tick (min {min(ours):.2f})")
    print(f"  of which struct copy     : median {statistics.median(x['copy'] for x in parts):6.2f} us")
    print(f"  of which handler         : median {statistics.median(x['handler'] for x in parts):6.2f} us")
    print(f"vnpy_sopt dict -> EVENT_TICK: median {p:6.2f} us/tick (min {min(peer):.2f})")
    print(f"ratio ours / vnpy_sopt     : {o / p:.2f}")


if __name__ == "__main__":
    main()
