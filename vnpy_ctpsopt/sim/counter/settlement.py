"""The day roll: settlement prices, cancels, exercise delivery, expiry and roll of the
books (``core.settlement``), the market's next day and listing; catching up after a restart."""

from __future__ import annotations

from collections.abc import Mapping

from ...core import settlement as S
from .. import calendar
from ..instruments import build_instruments
from .exercise import ExerciseDesk
from .orders import OrderDesk
from .protocols import instrument_list
from .records import (
    Outgoing,
)
from .state import CounterState


class SettlementDesk:
    """End of day and the next trading day."""

    def __init__(self, state: CounterState, orders: OrderDesk, exercise: ExerciseDesk) -> None:
        self.s = state
        self.orders = orders
        self.exercise = exercise

    def settle_market(self) -> dict[str, float]:
        """Settlement prices of the day (options) and closes (ETFs), from ``market.settle()``;
        a missing or unusable price falls back to the last price."""
        settler = getattr(self.s.market, "settle", None)
        prices: dict[str, float] = {}
        if settler is not None:
            prices = {str(k): float(v) for k, v in dict(settler()).items()}
        for iid in self.s.instruments:
            value = prices.get(iid, 0.0)
            if not 0 < value < 1e300:
                prices[iid] = self.s.mark(iid)
        return prices

    def roll_day(self) -> list[Outgoing]:
        """End of the trading day and start of the next one.

        1. every live order is cancelled (the exchanges keep no order overnight);
        2. expiring options (ExpireDate = today): exercise declarations are executed (calls pay
           strike cash and receive shares, puts deliver shares and receive strike cash, the
           exercise fee is charged, ExecResult '0'); short positions are assigned in full when
           in the money at the underlying close (the market's long holders exercise them:
           call writers deliver shares - covered ones their locked/frozen shares - and receive
           strike cash, a shortfall of shares is cash-settled at the close; put writers pay
           strike cash and receive shares), else they lapse; undeclared longs lapse;
        3. short speculative positions get the maintenance margin (settlement price and
           underlying close), yesterday's values roll (YdPosition, PreBalance, PreMargin,
           PreSettlementPrice, PositionCost at settlement);
        4. the market rolls and the new trading day starts with empty orders, trades and flows.
        """
        settlements = self.settle_market()
        out = self.close_day(settlements)
        self.s.trading_day = self.roll_market(settlements)
        self.s.journal.kv_dirty = self.s.journal.save_market_due = (
            self.s.journal.save_listing_due
        ) = True
        self.s.commit()
        return out

    def catch_up(self, market_day: str) -> None:
        """A state file from an earlier trading day met a market already on ``market_day``
        (restart after the close): settle the stored day at the market's previous settlement
        prices and underlying closes, then continue on ``market_day``."""
        settlements: dict[str, float] = {}
        for iid, info in self.s.instruments.items():
            try:
                if info.is_option:
                    settlements[iid] = float(self.s.market.pre_settlement(iid))
                else:
                    settlements[iid] = float(self.s.market.pre_close(iid))
            except (KeyError, AttributeError):
                continue
        self.close_day(settlements, expire_before=market_day)
        self.s.trading_day = market_day
        self.s.journal.kv_dirty = True
        self.s.commit()

    def close_day(
        self, settlements: Mapping[str, float], expire_before: str = ""
    ) -> list[Outgoing]:
        """Steps 1-3 of ``roll_day``; options with ExpireDate <= today (< ``expire_before``
        when catching up) expire."""
        out: list[Outgoing] = []
        now = self.s.now()
        for order in sorted(self.s.live_orders.values(), key=lambda o: o.key):
            self.orders.cancel(order, now, out, "已撤单")
        delivery: dict[str, float] = {}
        expiring = S.expiring_contracts(self.s.instruments, self.s.trading_day, expire_before)
        for item in sorted(self.s.exec_orders.values(), key=lambda e: e.key):
            if not item.active or item.instrument_id not in expiring:
                continue
            self.exercise.settle(item, delivery, out, now)
        closes = {
            info.underlying: settlements.get(info.underlying) or self.s.pre_close(info.underlying)
            for info in self.s.instruments.values()
            if info.is_option
        }
        for investor, book in self.s.books.items():
            start = delivery.get(investor, 0.0)
            delivery[investor] = S.expire_positions(
                book, self.s.instruments, expiring, closes, start
            )
        for iid in expiring:
            self.s.touch("instrument", iid, None)
        for book in self.s.books.values():
            S.reset_margins(book)
        for book in self.s.books.values():
            S.roll_book(book, self.s.instruments, settlements, closes, self.s.terms, expiring)
        for investor, book in self.s.books.items():
            S.roll_account(book, delivery.get(investor, 0.0))
        for book in self.s.books.values():
            S.roll_stocks(book)
        for key in self.s.orders:
            self.s.touch("order", key, None)
        for key in self.s.exec_orders:
            self.s.touch("exec", key, None)
        for key in self.s.quotes:
            self.s.touch("quote", key, None)
        for investor, rows in self.s.trades.items():
            for trade in rows:
                self.s.touch("trade", f"{investor}|{trade['SequenceNo']:012d}", None)
        for investor, rows in self.s.locks.items():
            for lock in rows:
                self.s.touch("lock", f"{investor}|{lock['BrokerLockSeq']:012d}", None)
        self.s.orders.clear()
        self.s.live_orders.clear()
        self.s.order_refs.clear()
        self.s.order_sysids.clear()
        self.s.trades.clear()
        self.s.exec_orders.clear()
        self.s.locks.clear()
        self.s.quotes.clear()
        self.s.resting.clear()
        self.s.journal.clear_day()
        return out

    def roll_market(self, settlements: Mapping[str, float]) -> str:
        """Move the market to the next trading day with the next day's listing (expired
        contracts dropped, new months and strikes listed around the ETF closes)."""
        next_day = calendar.next_trading_day(self.s.trading_date())
        current = instrument_list(self.s.market.instruments)
        spots = {
            info.instrument_id: settlements[info.instrument_id]
            for info in self.s.instruments.values()
            if not info.is_option and info.instrument_id in settlements
        }
        listing = build_instruments(next_day, spots, existing=current)
        self.s.market.roll(next_day, listing)
        self.s.load_instruments(self.s.market.instruments)
        return next_day.strftime("%Y%m%d")
