"""Consistency checks of the counter's state (used by the tests after every call)."""

from __future__ import annotations

from ...core.fees import fee_action
from ...core.orders import normalize_offset
from ...core.terms import BUY, CLOSE, COVERED, EPS, LONG, SELL, SHORT, SZSE
from .state import CounterState


def check_invariants(s: CounterState) -> list[str]:
    """Consistency of money, positions and shares; returns the violations found.

    Recomputes frozen amounts from live orders and exercise declarations, margins from
    positions, CashIn and Commission from today's trades, close-frozen volumes from
    pending closes and frozen shares from covered positions and pending orders.
    """
    problems = account_problems(s)
    problems += position_problems(s)
    problems += stock_problems(s)
    problems += index_problems(s)
    return problems


def near(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-4 * max(1.0, abs(a), abs(b))


def account_problems(s: CounterState) -> list[str]:
    """Freezes from working orders and declarations, margins from rows, CashIn and
    Commission from today's trades, the balance identity."""
    problems: list[str] = []
    positions = s.positions
    for investor, account in s.accounts.items():
        live = [o for o in s.orders.values() if o.investor_id == investor and o.live]
        execs = [e for e in s.exec_orders.values() if e.investor_id == investor and e.active]
        expected = {
            "frozen_cash": sum(o.cash_per_lot * o.remaining for o in live),
            "frozen_margin": sum(o.margin_per_lot * o.remaining for o in live),
            "frozen_commission": sum(o.fee_per_lot * o.remaining for o in live)
            + sum(e.fee_frozen for e in execs),
            "delivery_margin": sum(e.cash_frozen for e in execs),
            "curr_margin": sum(
                r.use_margin for r in positions.values() if r.investor_id == investor
            ),
            "exchange_margin": sum(
                r.exchange_margin for r in positions.values() if r.investor_id == investor
            ),
        }
        cash_in = fees = 0.0
        for trade in s.trades.get(investor, []):
            info = s.instruments[trade["InstrumentID"]]
            amount = trade["Price"] * info.unit * trade["Volume"]
            cash_in += amount if trade["Direction"] == SELL else -amount
            action = fee_action(trade["Direction"], normalize_offset(trade["OffsetFlag"]) or "")
            fees += s.config.fees.fee(action, trade["Volume"])
        expected["cash_in"] = cash_in
        expected["commission"] = fees
        for name, value in expected.items():
            actual = getattr(account, name)
            if not near(actual, value):
                problems.append(f"{investor} {name} {actual} != {value}")
        balance = account.pre_balance + account.cash_in - account.commission
        if not near(account.balance, balance + account.deposit - account.withdraw):
            problems.append(f"{investor} balance {account.balance} != {balance}")
        for name in ("frozen_cash", "frozen_margin", "frozen_commission", "curr_margin"):
            if getattr(account, name) < -EPS:
                problems.append(f"{investor} {name} negative")
    return problems


def position_problems(s: CounterState) -> list[str]:
    """Close-frozen volumes from pending closes, sane volumes, no margin on long rows."""
    problems: list[str] = []
    for row in s.positions.values():
        pending = sum(
            o.remaining
            for o in s.orders.values()
            if o.live
            and o.offset == CLOSE
            and o.investor_id == row.investor_id
            and o.instrument_id == row.instrument_id
            and o.hedge == row.hedge
            and (SHORT if o.direction == BUY else LONG) == row.direction
        )
        if pending != row.close_frozen:
            problems.append(f"{row.key} close_frozen {row.close_frozen} != {pending}")
        if row.position < 0 or row.closable < 0 or row.today_position > row.position:
            problems.append(f"{row.key} bad volumes {row}")
        if row.direction == LONG and row.use_margin:
            problems.append(f"{row.key} long row with margin")
    return problems


def stock_problems(s: CounterState) -> list[str]:
    """Frozen and lock-frozen shares from covered rows, pending orders and declarations."""
    problems: list[str] = []
    positions = s.positions
    for stock in s.stocks.values():
        covered = 0
        for row in positions.values():
            inst = s.instruments.get(row.instrument_id)
            if (
                row.investor_id == stock.investor_id
                and row.hedge == COVERED
                and inst is not None
                and inst.underlying == stock.instrument_id
            ):
                covered += row.position * inst.unit
        pending = sum(
            o.shares_per_lot * o.remaining
            for o in s.orders.values()
            if o.live
            and o.investor_id == stock.investor_id
            and s.instruments[o.instrument_id].underlying == stock.instrument_id
        )
        exec_shares = sum(
            e.shares_frozen
            for e in s.exec_orders.values()
            if e.active
            and e.investor_id == stock.investor_id
            and s.instruments[e.instrument_id].underlying == stock.instrument_id
        )
        if stock.exchange_id == SZSE:
            if stock.frozen != covered + pending + exec_shares:
                problems.append(f"{stock.key} frozen {stock.frozen}")
        else:
            if stock.lock_frozen != covered + pending:
                problems.append(f"{stock.key} lock_frozen {stock.lock_frozen}")
            if stock.frozen != exec_shares:
                problems.append(f"{stock.key} frozen {stock.frozen}")
        if stock.free < 0 or stock.lock_frozen > stock.locked:
            problems.append(f"{stock.key} negative free shares")
    return problems


def index_problems(s: CounterState) -> list[str]:
    """The live-order index and the resting books agree with the orders."""
    problems: list[str] = []
    live_keys = {o.key for o in s.orders.values() if o.live}
    if live_keys != set(s.live_orders):
        problems.append(f"live order index {sorted(s.live_orders)} != {sorted(live_keys)}")
    for iid, book in s.resting.items():
        for resting in book.by_key.values():
            order = s.orders.get(resting.key)
            if order is None or not order.live or order.remaining != resting.remaining:
                problems.append(f"{iid} book entry {resting.key} stale")
    return problems
