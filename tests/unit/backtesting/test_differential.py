"""The differential test: one tick stream and one order sequence through the simulated counter
(``SimCounter`` on a market with scripted five-level books) and through the backtester give the
same fills, fees, margin and cash, step by step and across three day closes (expiry included:
exercise, assignment, covered delivery, lapse)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pytest
from vnpy.trader.constant import Direction, Exchange, Offset, OrderType
from vnpy.trader.object import TickData

from tests.unit.sim.counter_kit import Harness, callbacks, ladder
from vnpy_ctpsopt.backtesting import BacktestingEngine, DayFeed
from vnpy_ctpsopt.backtesting.contracts import from_sim
from vnpy_ctpsopt.backtesting.feed import SnapshotBlock

from .kit import ScriptStrategy

ENCODING = {  # vn.py order type -> (OrderPriceType, TimeCondition, VolumeCondition)
    OrderType.LIMIT: ("2", "3", "1"),
    OrderType.FAK: ("2", "1", "1"),
    OrderType.FOK: ("2", "1", "3"),
    OrderType.MARKET: ("1", "1", "1"),
}
ACCOUNT_FIELDS = ("PreBalance", "CashIn", "Commission", "CurrMargin", "FrozenCash",
                  "FrozenMargin", "FrozenCommission", "Balance", "Available")  # fmt: skip


@dataclass
class Step:
    """Books set at this step (call/put: (bids, asks)), then the actions."""

    books: dict[str, tuple[list[tuple[float, int]], list[tuple[float, int]]]]
    actions: list[tuple[Any, ...]] = field(default_factory=list)


def book(bid: float, ask: float, bids: list[int], asks: list[int]) -> tuple[Any, Any]:
    return ladder(bid, 0.0001, bids, down=True), ladder(ask, 0.0001, asks, down=False)


B, S, OP, CL = Direction.LONG, Direction.SHORT, Offset.OPEN, Offset.CLOSE
# (day, steps, settlements of the day's close: call, put, ETF)
SCRIPT: list[tuple[list[Step], tuple[float, float, float]]] = [
    (
        [
            Step(
                {
                    "call": book(0.0500, 0.0502, [10, 20, 30, 40, 50], [5, 6, 7, 8, 9]),
                    "put": book(0.0400, 0.0402, [10, 20, 30, 40, 50], [5, 6, 7, 8, 9]),
                },
                [
                    ("order", "call", B, OP, 0.0503, 8, OrderType.LIMIT, False),  # 5 + 3, done
                    ("order", "put", S, OP, 0.0399, 3, OrderType.LIMIT, False),  # short 3 at 0.0400
                    ("order", "put", B, OP, 0.0402, 20, OrderType.FOK, False),  # only 5: cancelled
                    ("lock", 20000),
                    ("order", "call", S, OP, 0.0500, 2, OrderType.LIMIT, True),
                ],
            ),  # covered 2
            Step(
                {"call": book(0.0499, 0.0501, [10, 10, 10, 10, 10], [4, 4, 4, 4, 4])},
                [("order", "call", B, OP, 0.0498, 2, OrderType.LIMIT, False)],
            ),  # rests below
            Step(
                {"call": book(0.0495, 0.0497, [10, 10, 10, 10, 10], [1, 5, 5, 5, 5])},
                [("order", "put", B, CL, 0.0, 1, OrderType.MARKET, False)],
            ),  # cover 1 put
            Step(
                {}, [("order", "put", B, OP, 0.0390, 4, OrderType.LIMIT, False)]
            ),  # rests to close
        ],
        (0.0496, 0.0405, 2.85),
    ),
    (
        [
            Step(
                {
                    "call": book(0.0600, 0.0603, [3, 3, 3, 3, 3], [2, 2, 2, 2, 2]),
                    "put": book(0.0300, 0.0302, [10, 20, 30, 40, 50], [5, 6, 7, 8, 9]),
                },
                [
                    (
                        "order",
                        "call",
                        S,
                        OP,
                        0.0599,
                        5,
                        OrderType.FAK,
                        False,
                    ),  # short 3, 2 cancelled
                    ("order", "put", B, OP, 0.0303, 2, OrderType.LIMIT, False),
                ],
            ),
        ],
        (0.0650, 0.0280, 2.93),
    ),
    (
        [
            Step(
                {
                    "call": book(0.0990, 0.0995, [10, 10, 10, 10, 10], [10, 10, 10, 10, 10]),
                    "put": book(0.0001, 0.0002, [10, 10, 10, 10, 10], [10, 10, 10, 10, 10]),
                },
                [("exercise", "call", 4)],
            ),
        ],
        (0.1000, 0.0001, 3.00),
    ),
]


def run_counter(h: Harness) -> tuple[list[Any], list[dict[str, float]], list[Any]]:
    """The script through the counter: fills, account after every step and close, snapshots
    (books, limits, settlements) for the backtester's feed."""
    s = h.login("D1")
    names = {"call": h.names["sse_call"], "put": h.names["sse_put"]}
    fills: list[Any] = []
    states: list[dict[str, float]] = []
    days: list[Any] = []
    for steps, (call_settle, put_settle, etf) in SCRIPT:
        day_books: list[Any] = []
        limits = {k: h.market.limits(iid) for k, iid in names.items()}
        pre = {k: h.market.pre_settlement(iid) for k, iid in names.items()}
        pre_close = h.market.pre_close("510050")
        for step in steps:
            for key, (bids, asks) in step.books.items():
                h.market.set_book(names[key], bids, asks)
            day_books.append({k: h.market.book(iid) for k, iid in names.items()})
            fills += _fills(h.counter.on_market(h.clock.now))
            for action in step.actions:
                fills += _fills(_counter_action(h, s, names, action))
            states.append(_state(h.account(s)))
        h.market.settlements = {names["call"]: call_settle, names["put"]: put_settle}
        h.market.spots["510050"] = etf
        settle = h.market.settle()
        days.append((day_books, limits, pre, pre_close, settle, h.counter.trading_day))
        fills += _fills(h.counter.roll_day())
        states.append(_state(h.account(s)))
    return fills, states, days


def _counter_action(h: Harness, s: Any, names: dict[str, str], action: tuple) -> list[Any]:
    if action[0] == "lock":
        return h.call("lock_insert", s, {"InstrumentID": "510050", "ExchangeID": "SSE",
                                         "Volume": action[1], "LockType": "1"})  # fmt: skip
    if action[0] == "exercise":
        req = {"InstrumentID": names[action[1]], "Volume": action[2], "ActionType": "1",
               "PosiDirection": "2", "OffsetFlag": "1", "HedgeFlag": "1"}  # fmt: skip
        return h.call("exec_order_insert", s, req)
    _, key, direction, offset, price, volume, kind, covered = action
    price_type, tc, vc = ENCODING[kind]
    return h.order(s, names[key], "0" if direction == B else "1", "0" if offset == OP else "1",
                   price, volume, price_type=price_type, time_condition=tc,
                   volume_condition=vc, hedge="4" if covered else "1")  # fmt: skip


def _fills(out: list[Any]) -> list[tuple[str, str, float, int]]:
    return [(t["InstrumentID"], t["Direction"], round(t["Price"], 4), t["Volume"])
            for (t,) in callbacks(out, "onRtnTrade")]  # fmt: skip


def _state(row: dict[str, Any]) -> dict[str, float]:
    return {k: round(float(row[k]), 6) for k in ACCOUNT_FIELDS}


class Feeds:
    """The counter's books, limits and settlements as the backtester's day feeds (ticks, or
    one SnapshotBlock per day with ``as_blocks``)."""

    def __init__(self, h: Harness, days: list[Any], as_blocks: bool = False) -> None:
        self.as_blocks = as_blocks
        self.contracts = {c.vt_symbol: c for c in map(from_sim, h.instruments.values())}
        self.names = {"call": h.names["sse_call"], "put": h.names["sse_put"]}
        self.days_data = days

    def days(self, start: date, end: date) -> Iterator[DayFeed]:
        for day_books, limits, pre, pre_close, settle, trading_day in self.days_data:
            day = datetime.strptime(trading_day, "%Y%m%d")
            ticks: list[TickData] = []
            for i, books in enumerate(day_books):
                dt = day.replace(hour=10, second=i)
                ticks.append(_tick("510050", dt, [], [], 2.8, (2.52, 3.08), pre_close))
                for key in ("call", "put"):
                    bids, asks = books[key]
                    ticks.append(_tick(self.names[key], dt, bids, asks, pre[key], limits[key],
                                       pre[key]))  # fmt: skip
            vt_of = {c.symbol: vt for vt, c in self.contracts.items()}
            settlements = {vt_of[iid]: p for iid, p in settle.items() if iid in vt_of}
            if self.as_blocks:
                yield DayFeed(day.date(), self.contracts, (), {}, settlements, [to_block(ticks)])
            else:
                yield DayFeed(day.date(), self.contracts, ticks, {}, settlements)


def to_block(ticks: list[TickData]) -> SnapshotBlock:
    """Ticks (every instrument at every time, in column order) as one SnapshotBlock."""
    columns = list(dict.fromkeys(t.vt_symbol for t in ticks))
    times = list(dict.fromkeys(t.datetime for t in ticks))
    n, steps = len(columns), len(times)
    assert len(ticks) == n * steps
    arrays = {k: np.zeros((5, steps, n)) for k in ("bp", "bv", "ap", "av")}
    last = np.zeros((steps, n))
    for i, t in enumerate(ticks):
        r, c = divmod(i, n)
        for k in range(5):
            arrays["bp"][k, r, c] = getattr(t, f"bid_price_{k + 1}")
            arrays["bv"][k, r, c] = getattr(t, f"bid_volume_{k + 1}")
            arrays["ap"][k, r, c] = getattr(t, f"ask_price_{k + 1}")
            arrays["av"][k, r, c] = getattr(t, f"ask_volume_{k + 1}")
        last[r, c] = t.last_price
    first = ticks[:n]
    return SnapshotBlock(times, columns, arrays["bp"], arrays["bv"].astype(np.int64),
                         arrays["ap"], arrays["av"].astype(np.int64), last, np.zeros((steps, n)),
                         np.array([t.limit_down for t in first]),
                         np.array([t.limit_up for t in first]),
                         np.array([t.pre_close for t in first]))  # fmt: skip


def _tick(iid: str, dt: datetime, bids: Any, asks: Any, last: float, limits: tuple[float, float],
          pre_close: float) -> TickData:  # fmt: skip
    t = TickData("DIFF", iid, Exchange.SSE, dt, last_price=last, limit_down=limits[0],
                 limit_up=limits[1], pre_close=pre_close)  # fmt: skip
    for k, (p, v) in enumerate(bids, 1):
        setattr(t, f"bid_price_{k}", p)
        setattr(t, f"bid_volume_{k}", v)
    for k, (p, v) in enumerate(asks, 1):
        setattr(t, f"ask_price_{k}", p)
        setattr(t, f"ask_volume_{k}", v)
    return t


def run_backtester(
    h: Harness, days: list[Any], as_blocks: bool = False
) -> tuple[list[Any], list[dict[str, float]], Any]:
    feeds = Feeds(h, days, as_blocks)
    names = {k: f"{iid}.SSE" for k, iid in feeds.names.items()}
    states: list[dict[str, float]] = []
    script: dict[int, Any] = {}
    n = 0
    for steps, _ in SCRIPT:
        for step in steps:
            n += 3  # ETF, call, put tick of the step; act on the last
            script[n - 1] = _backtest_actions(step.actions, names, states)
    engine = BacktestingEngine()
    engine.show_progress = False
    engine.set_parameters(list(names.values()) + ["510050.SSE"], start=datetime(2026, 12, 21),
                          end=datetime(2026, 12, 23), capital=1_000_000.0,
                          stocks={"510050": 100_000, "159919": 100_000}, auto_exercise=False,
                          hours="24x7")  # fmt: skip
    engine.set_source(feeds)
    closes: list[dict[str, float]] = []
    original = engine._close_day

    def close_and_record(feed: DayFeed) -> None:
        original(feed)
        closes.append(_state(_account_row(engine)))

    engine._close_day = close_and_record  # type: ignore[method-assign]
    engine.add_strategy(ScriptStrategy, {"script": script})
    engine.run_backtesting()
    fills = [
        (t.symbol, "0" if t.direction == B else "1", round(t.price, 4), int(t.volume))
        for t in engine.get_all_trades()
        if not (t.extra or {}).get("settlement")
    ]
    # interleave: the counter's states are per step then per close
    merged: list[dict[str, float]] = []
    i = 0
    for d, (steps, _) in enumerate(SCRIPT):
        merged += states[i : i + len(steps)]
        i += len(steps)
        merged.append(closes[d])
    return fills, merged, engine


def _backtest_actions(actions: list[tuple], names: dict[str, str], states: list) -> Any:
    def act(s: ScriptStrategy) -> None:
        e = s.strategy_engine
        for action in actions:
            if action[0] == "lock":
                assert e.send_lock(s, "510050.SSE", True, action[1])
            elif action[0] == "exercise":
                assert e.send_exercise(s, names[action[1]], action[2])
            else:
                _, key, direction, offset, price, volume, kind, covered = action
                e.send_order(s, names[key], direction, offset, price, volume, order_type=kind,
                             covered=covered)  # fmt: skip
        states.append(_state(_account_row(e)))

    return act


def _account_row(engine: BacktestingEngine) -> dict[str, float]:
    a = engine.account.book.account
    return {"PreBalance": a.pre_balance, "CashIn": a.cash_in, "Commission": a.commission,
            "CurrMargin": a.curr_margin, "FrozenCash": a.frozen_cash,
            "FrozenMargin": a.frozen_margin, "FrozenCommission": a.frozen_commission,
            "Balance": a.balance, "Available": a.available}  # fmt: skip


@pytest.mark.parametrize("as_blocks", [False, True], ids=["ticks", "blocks"])
def test_backtester_and_counter_agree_on_fills_fees_margin_and_cash(as_blocks: bool) -> None:
    h = Harness()
    counter_fills, counter_states, days = run_counter(h)
    bt_fills, bt_states, engine = run_backtester(Harness(), days, as_blocks)
    assert len(counter_fills) >= 8  # the script trades on every path it means to
    assert bt_fills == counter_fills
    assert len(bt_states) == len(counter_states)
    for i, (ours, theirs) in enumerate(zip(bt_states, counter_states, strict=True)):
        for key in ACCOUNT_FIELDS:
            assert ours[key] == pytest.approx(theirs[key], abs=1e-6), (i, key)
    # shares: 100,000 + 4 calls exercised - 2 covered delivered - 5 short calls assigned
    counter_stock = h.counter.stocks["D1|510050"]
    assert engine.account.stocks["510050"].volume == counter_stock.volume == 70_000
    assert not engine.account.positions
    assert not [r for r in h.counter.positions.values() if r.investor_id == "D1" and r.position]
    # calls (K 2.9, ETF close 3.0, in the money): long 10 = 4 declared + 6 lapse (the counter
    # does not auto-exercise), 2 covered and 5 short assigned; puts (K 2.7, out): long 2 and
    # short 2 lapse
    settled = sorted((e.kind, e.side, e.volume, e.contract.is_call)
                     for e in engine.settlement_events)  # fmt: skip
    assert settled == [
        ("assigned", "covered", -2, True),
        ("assigned", "short", -5, True),
        ("exercised", "long", 4, True),
        ("expired", "long", 2, False),
        ("expired", "long", 6, True),
        ("expired", "short", -2, False),
    ]
