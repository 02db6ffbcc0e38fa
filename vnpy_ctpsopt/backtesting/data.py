"""Data sources of a backtest, each yielding one ``DayFeed`` per trading day.

- ``SimSource``: the simulator's seeded synthetic market (``sim.market.SimMarket``, the model
  the live sim runs) for one underlying and its options, generated on the fly: a backtest runs
  on a fresh machine without any data; the same seed gives the same series.
- ``DatabaseSource``: ticks from the vn.py database (what the recorder writes) with the contract
  list of each day (the recorder's contract table), so expired contracts keep their strikes,
  expiries and units.
"""

from __future__ import annotations

import heapq
import importlib
import importlib.util
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import numpy as np
from vnpy.trader.constant import Exchange
from vnpy.trader.object import ContractData, TickData

from ..gateway.parsing import TickTimeCache, parse_tick
from ..sim.calendar import is_trading_day, next_trading_day, trading_day_on_or_after
from ..sim.instruments import UNDERLYINGS, SimInstrument, build_instruments
from ..sim.market import SimMarket
from .contracts import BACKTESTING, BtContract, from_contract_data, from_sim
from .feed import BacktestError, DayFeed, SnapshotBlock

MORNING = (time(9, 30), time(11, 30))
AFTERNOON = (time(13, 0), time(15, 0))
SESSION_SECONDS = 4 * 3600
CHINA_TZ = timezone(timedelta(hours=8))


def session_time(day: date, elapsed: float) -> datetime:
    """Wall time of ``elapsed`` trading seconds into ``day`` (9:30-11:30, 13:00-15:00)."""
    start = datetime.combine(day, MORNING[0])
    if elapsed >= 7200:
        return datetime.combine(day, AFTERNOON[0]) + timedelta(seconds=elapsed - 7200)
    return start + timedelta(seconds=elapsed)


def trading_days(start: date, end: date) -> list[date]:
    days: list[date] = []
    day = trading_day_on_or_after(start)
    while day <= end:
        days.append(day)
        day = next_trading_day(day)
    return days


class SimSource:
    """The synthetic market of ``underlying`` (ETF code) over a date range.

    ``step_seconds``: snapshot interval (0.5 = the sim's grid, 2 snapshots a second);
    ``symbols``: vt_symbols to emit (the ETF is always emitted; None: the whole chain).
    """

    def __init__(
        self,
        underlying: str = "510050",
        seed: int = 7,
        step_seconds: float = 0.5,
        symbols: Sequence[str] | None = None,
        activity: float = 1.0,
    ) -> None:
        codes = {u.code for u in UNDERLYINGS}
        if underlying not in codes:
            raise BacktestError(f"未知标的 {underlying}，可选: {', '.join(sorted(codes))}")
        if step_seconds < 0.5:
            raise BacktestError("step_seconds 不能小于 0.5 秒（模拟行情的时间粒度）")
        self.underlying = underlying
        self.seed = seed
        self.step_seconds = step_seconds
        self.symbols = list(symbols) if symbols is not None else None
        self.activity = activity

    def count_days(self, start: date, end: date) -> int:
        return len(trading_days(start, end))

    def _listing(self, day: date, existing: Sequence[SimInstrument] = ()) -> list[SimInstrument]:
        spots: dict[str, float] = {}
        rows = build_instruments(day, spots, existing=list(existing))
        return [
            r
            for r in rows
            if r.instrument_id == self.underlying or r.underlying_id == self.underlying
        ]

    def days(self, start: date, end: date) -> Iterator[DayFeed]:
        days = trading_days(start, end)
        if not days:
            return
        listing = self._listing(days[0])
        market = SimMarket(listing, self.seed, days[0], activity=self.activity)
        pre: dict[str, float] = {}
        for i, day in enumerate(days):
            if i:
                closes = {inst.instrument_id: pre[f"{inst.instrument_id}.{inst.exchange_id}"]
                          for inst in listing if not inst.is_option}  # fmt: skip
                listing = [
                    r
                    for r in build_instruments(day, closes, existing=listing)
                    if r.instrument_id == self.underlying or r.underlying_id == self.underlying
                ]
                market.roll(day, listing)
            feed = self._day(market, day, listing, pre)
            yield feed
            pre = feed.settlements

    def _day(
        self, market: SimMarket, day: date, listing: list[SimInstrument], pre: dict[str, float]
    ) -> DayFeed:
        contracts = {c.vt_symbol: c for c in map(from_sim, listing)}
        wanted = self.symbols
        emit = [
            c
            for c in contracts.values()
            if wanted is None or c.vt_symbol in wanted or not c.is_option
        ]
        data = {c.symbol: _contract_data(c) for c in emit}
        ids = list(data)
        settlements: dict[str, float] = {}
        ticks = _LazyTicks(market, day, ids, data, self.step_seconds, settlements)
        return DayFeed(day, contracts, ticks, pre, settlements)


class _LazyTicks:
    """The day's snapshots, generated while the engine iterates."""

    def __init__(
        self,
        market: SimMarket,
        day: date,
        ids: list[str],
        data: dict[str, ContractData],
        step_seconds: float,
        settlements: dict[str, float],
    ) -> None:
        self.market, self.day, self.ids, self.data, self.step = market, day, ids, data, step_seconds
        self.settlements = settlements

    def __len__(self) -> int:
        return int(SESSION_SECONDS / self.step) * len(self.ids)

    def __iter__(self) -> Iterator[TickData]:
        market, day, ids, data = self.market, self.day, self.ids, self.data
        origin = datetime.combine(day, MORNING[0])
        market.advance(origin)
        times = TickTimeCache()
        steps = int(SESSION_SECONDS / self.step)
        for k in range(1, steps + 1):
            elapsed = k * self.step
            market.advance(origin + timedelta(seconds=elapsed))
            now = session_time(day, elapsed - 1e-6 if elapsed >= SESSION_SECONDS else elapsed)
            for snap in market.snapshots(ids, now):
                tick = parse_tick(snap, data[snap["InstrumentID"]], BACKTESTING, times)
                if tick is not None:
                    yield tick
        vt = {c.symbol: c.vt_symbol for c in self.data.values()}
        for code, price in market.settle().items():
            if code in vt:
                self.settlements[vt[code]] = price


def _contract_data(c: BtContract) -> ContractData:
    contract = c.to_contract_data()
    contract.extra = {"trading_active": True}
    return contract


class DatabaseSource:
    """Recorded ticks from the vn.py database (``get_database()`` unless given) for
    ``vt_symbols`` (their underlying ETFs are added), with each day's contract list from
    ``contracts_for_day`` (default: the recorder's contract table)."""

    def __init__(
        self,
        vt_symbols: Sequence[str],
        database: Any = None,
        contracts_for_day: Callable[[date], list[ContractData]] | None = None,
    ) -> None:
        self.vt_symbols = list(vt_symbols)
        self.database = database
        self.contracts_for_day = contracts_for_day

    def _db(self) -> Any:
        if self.database is None:
            from vnpy.trader.database import get_database

            self.database = get_database()
        return self.database

    def _contracts(self, day: date) -> list[ContractData]:
        if self.contracts_for_day is not None:
            return self.contracts_for_day(day)
        from ..recorder.contracts import load_contracts

        return load_contracts(day, self._db())

    def count_days(self, start: date, end: date) -> int:
        return len(trading_days(start, end))

    def days(self, start: date, end: date) -> Iterator[DayFeed]:
        db = self._db()
        for day in trading_days(start, end):
            if not is_trading_day(day):
                continue
            contracts = {c.vt_symbol: c for c in map(from_contract_data, self._contracts(day))}
            symbols = set(self.vt_symbols)
            for vt in self.vt_symbols:
                c = contracts.get(vt)
                if c is not None and c.is_option:
                    symbols.add(c.underlying_vt_symbol)
            begin = datetime.combine(day, time(0, 0))
            finish = datetime.combine(day, time(23, 59, 59))
            streams = []
            for vt in sorted(symbols):
                symbol, _, exchange = vt.rpartition(".")
                ticks = db.load_tick_data(symbol, Exchange(exchange), begin, finish)
                if ticks:
                    streams.append(ticks)
            if not streams:
                continue
            merged = list(heapq.merge(*streams, key=lambda t: t.datetime))
            for c in {t.vt_symbol for t in merged} - set(contracts):
                raise BacktestError(f"{day} 的合约表中没有 {c}（请先用录制器保存当日合约）")
            yield DayFeed(day, contracts, merged)


class SimBlockSource:
    """The synthetic market of ``underlying`` as numpy blocks (``sim.stream.iter_day_blocks``,
    the live sim's model, seed and listing): the whole chain every 500 ms, at array speed."""

    def __init__(self, underlying: str = "510050", seed: int = 7, activity: float = 1.0) -> None:
        codes = {u.code for u in UNDERLYINGS}
        if underlying not in codes:
            raise BacktestError(f"未知标的 {underlying}，可选: {', '.join(sorted(codes))}")
        self.underlying = underlying
        self.seed = seed
        self.activity = activity

    @staticmethod
    def available() -> bool:
        """Whether the block generator (``vnpy_ctpsopt.sim.stream``) is installed."""
        return importlib.util.find_spec("vnpy_ctpsopt.sim.stream") is not None

    def count_days(self, start: date, end: date) -> int:
        return len(trading_days(start, end))

    def days(self, start: date, end: date) -> Iterator[DayFeed]:
        stream: Any = importlib.import_module("vnpy_ctpsopt.sim.stream")
        blocks: Any = importlib.import_module("vnpy_ctpsopt.sim.blocks")
        source = iter(stream.iter_day_blocks([self.underlying], start, end, self.seed,
                                             activity=self.activity))  # fmt: skip
        state: dict[str, Any] = {"next": next(source, None)}
        while state["next"] is not None:
            first = state["next"]
            chain = first.chains[self.underlying]
            spec, opening = chain.spec, chain.open
            listed = [from_sim(inst) for inst in spec.instruments]
            columns = [c.vt_symbol for c in listed]
            pre = {vt: float(p) for vt, p in zip(columns, opening.pre_settle.tolist(), strict=True)}
            settlements: dict[str, float] = {}
            feed = DayFeed(
                first.day,
                {c.vt_symbol: c for c in listed},
                (),
                pre,
                settlements,
                self._day_blocks(source, state, first.day, columns, settlements, blocks),
            )
            yield feed

    def _day_blocks(
        self,
        source: Iterator[Any],
        state: dict[str, Any],
        day: date,
        columns: list[str],
        settlements: dict[str, float],
        blocks: Any,
    ) -> Iterator[SnapshotBlock]:
        last: Any = None
        while state["next"] is not None and state["next"].day == day:
            market = state["next"]
            chain = market.chains[self.underlying]
            last = chain
            yield _snapshot_block(market, chain, columns)
            state["next"] = next(source, None)
        if last is not None:
            b = last.block
            prices = blocks.settlement(last.spec, last.open, b.theo[-1], b.last[-1])
            settlements.update(zip(columns, prices.tolist(), strict=True))


def _snapshot_block(market: Any, chain: Any, columns: list[str]) -> SnapshotBlock:
    """One chain's ``sim.blocks.ChainBlock`` as a SnapshotBlock (prices from tick counts)."""
    spec, opening, b = chain.spec, chain.open, chain.block
    tick = spec.tick
    times = [t.replace(tzinfo=CHINA_TZ) for t in market.times.astype("datetime64[us]").tolist()]
    return SnapshotBlock(
        times=times,
        vt_symbols=columns,
        bid_price=np.round(b.bid_t * tick, 4),
        bid_volume=b.bid_v.astype(np.int64),
        ask_price=np.round(b.ask_t * tick, 4),
        ask_volume=b.ask_v.astype(np.int64),
        last=np.where(np.isnan(b.last), opening.pre_close, b.last),
        volume=b.volume.astype(np.float64),
        limit_down=np.asarray(opening.lower, dtype=np.float64),
        limit_up=np.asarray(opening.upper, dtype=np.float64),
        pre_close=np.asarray(opening.pre_close, dtype=np.float64),
    )
