"""One market step of the counter: client orders crossing each other and the refreshed
book, held orders meeting the book after a pause, and the opening / closing call auctions at
the instants of ``core.timetable``. The per-instrument engine: resting books live in
``CounterState.resting``."""

from __future__ import annotations

from datetime import datetime

from ...core.matching import (
    AuctionOrder,
    Fill,
    call_auction,
    cross_resting,
    market_auction_orders,
    uncross_clients,
)
from ...core.terms import (
    BUY,
    SELL,
)
from ...core.timetable import (
    CLOSE_UNCROSS,
    OPEN_UNCROSS,
    Phase,
    matching_allowed,
)
from .orders import OrderDesk
from .records import (
    Outgoing,
)
from .state import CounterState


class MarketStep:
    """Continuous matching of resting orders and the call auctions."""

    def __init__(self, state: CounterState, orders: OrderDesk) -> None:
        self.s = state
        self.orders = orders

    def step(self, now: datetime) -> list[Outgoing]:
        """After the market advanced to ``now``: in continuous trading, crossed client orders
        trade with each other, then resting orders the refreshed book crosses are filled at their
        own price, limited by displayed volume. With exchange hours, the opening call auction
        is uncrossed at the first step from 9:25 and the closing one at the first step from
        15:00 (``_call_auction``); orders held through the 9:25-9:30 pause or the lunch break
        meet the book at the next continuous step at the book's prices, as incoming orders."""
        self.s.last_now = now
        out: list[Outgoing] = []
        phase = self.s.phase(now)
        if self.s.config.hours == "exchange":
            self.auctions(now, phase, out)
        if not matching_allowed(phase):
            if out or self.s.journal.dirty:  # an auction ran
                self.s.commit()
            return out
        for iid in list(self.s.resting):
            book = self.s.resting[iid]
            if not len(book):
                continue
            for buy_key, sell_key, price, volume in uncross_clients(book):
                oi = 0
                shared = self.s.new_trade_id(self.s.instruments[iid].exchange_id)
                for key in (buy_key, sell_key):
                    book.reduce(key, volume)
                    self.orders.trade(self.s.orders[key], price, volume, out, now, True, shared)
                    oi += self.s.oi_effect(self.s.orders[key], volume)
                self.s.record_trade(iid, price, volume, oi // 2)
            if not len(book):
                continue
            takers = {k for k in book.by_key if self.s.orders[k].held}
            for key in takers:  # from now on ordinary resting orders
                self.s.orders[key].held = False
                self.s.touch("order", key, self.s.orders[key])
            bids, asks = self.s.market_book(iid)
            for fill in cross_resting(book, bids, asks, takers):
                order = self.s.orders[fill.resting_key] if fill.resting_key is not None else None
                if order is None or fill.resting_key not in book.by_key:
                    continue
                self.s.take(iid, order.direction, fill)
                book.reduce(order.key, fill.volume)
                self.orders.trade(order, fill.price, fill.volume, out, now, queueing=True)
                oi = self.s.oi_effect(order, fill.volume)
                self.s.record_trade(iid, fill.price, fill.volume, oi)
        self.s.commit()
        return out

    def auctions(self, now: datetime, phase: Phase, out: list[Outgoing]) -> None:
        """Run the day's opening auction (first step from ``timetable.OPEN_UNCROSS``, 9:25; its
        orders are the held ones entered before it) and closing auction (first step from
        ``CLOSE_UNCROSS``, 15:00, of the trading day; every resting order) once each."""
        today = now.strftime("%Y%m%d")
        if today != self.s.trading_day:
            return
        t = now.time()
        if t >= OPEN_UNCROSS and phase != Phase.CLOSED and self.s.open_matched != today:
            self.s.open_matched = today
            cutoff = OPEN_UNCROSS.strftime("%H:%M:%S")
            for iid in list(self.s.resting):
                keys = [
                    k
                    for k in self.s.resting[iid].by_key
                    if self.s.orders[k].held
                    and str(self.s.orders[k].data.get("InsertTime", "")) < cutoff
                ]
                if keys:
                    self.call_auction(iid, keys, now, out, closing=False)
        if t >= CLOSE_UNCROSS and phase == Phase.CLOSED and self.s.close_matched != today:
            self.s.close_matched = today
            for iid in list(self.s.resting):
                keys = list(self.s.resting[iid].by_key)
                if keys:
                    self.call_auction(iid, keys, now, out, closing=True)

    def call_auction(
        self, iid: str, keys: list[int], now: datetime, out: list[Outgoing], closing: bool
    ) -> None:
        """Uncross the call auction of ``iid`` over the client orders ``keys`` and the market's
        book at this instant (its five levels as limit orders): one price for every match
        (matching.call_auction; reference: the previous settlement at the open, the last price
        at the close), fills through ``_trade`` (one TradeID per client-client match), the
        price published as the day's open/close. The rest stays as ordinary resting orders."""
        book = self.s.resting[iid]
        info = self.s.instruments[iid]
        bids, asks = self.s.market_book(iid)
        orders = [
            AuctionOrder(k, o.direction, o.price, o.remaining, o.seq)
            for k in keys
            for o in (book.by_key[k],)
        ]
        orders.extend(market_auction_orders(bids, asks))
        reference = self.auction_reference(iid, closing)
        result = call_auction(orders, reference, info.tick or 0.0001)
        for key in keys:
            self.s.orders[key].held = False
            self.s.touch("order", key, self.s.orders[key])
        if result.price is None:
            return
        price = result.price
        for match in result.matches:
            clients = [o.key for o in (match.buy, match.sell) if o.key is not None]
            if not clients:
                continue
            shared = self.s.new_trade_id(info.exchange_id) if len(clients) == 2 else None
            oi = 0
            for side in (match.buy, match.sell):
                if side.key is None:
                    taker = SELL if side.direction == BUY else BUY
                    self.s.take(iid, taker, Fill(price, match.volume, None, side.price))
                    continue
                order = self.s.orders[side.key]
                book.reduce(order.key, match.volume)
                self.orders.trade(order, price, match.volume, out, now, True, shared)
                oi += self.s.oi_effect(order, match.volume)
            self.s.record_trade(iid, price, match.volume, oi // len(clients))
        publish = getattr(self.s.market, "auction_price", None)
        if publish is not None:
            publish(iid, price, closing)

    def auction_reference(self, iid: str, closing: bool) -> float:
        """Tie-break reference of a call auction: the previous settlement at the open; the
        latest price (last trade, else the previous close) at the close, else the model value."""
        if not closing:
            return self.s.pre_settle(iid)
        for name in ("last_price", "theo"):
            getter = getattr(self.s.market, name, None)
            if getter is None:
                continue
            try:
                value = float(getter(iid))
            except (KeyError, ValueError):
                continue
            if value > 0:
                return value
        return self.s.pre_settle(iid)
