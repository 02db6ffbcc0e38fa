"""Per-instrument matching: an incoming order against the synthetic five-level book of the
market plus the sim clients' resting orders (price-time priority).

Pure functions over small value classes; the driver (the sim counter, a backtester) applies the
results to its books (``core.book``) and tells its market which displayed volume was taken.

Conventions: ``Levels`` are ``(price, volume)`` pairs best first (bids descending, asks
ascending), displayed volume only. At the same price a resting client order comes before the
synthetic book (it is older than the book's latest refresh).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from .orders import OrderKind
from .terms import BUY, PRICE_EPS, SELL

Levels = Sequence[tuple[float, int]]


@dataclass
class Resting:
    """A client order resting in the sim book. ``key`` is the counter's order key."""

    key: int
    investor_id: str
    direction: str
    price: float
    remaining: int
    seq: int


@dataclass(frozen=True)
class Fill:
    """One trade of an incoming or resting order.

    ``resting_key`` is the counterparty client order (None: the synthetic book), ``level_price``
    the synthetic level whose displayed volume was taken (None: no synthetic volume used).
    """

    price: float
    volume: int
    resting_key: int | None = None
    level_price: float | None = None


@dataclass
class MatchResult:
    """Outcome of matching an incoming order.

    ``rest_price``: the remainder rests at this price (None: nothing rests). ``cancelled``: the
    remainder (possibly the whole order) was cancelled by the order type's rules; ``reason``
    says why in Chinese for StatusMsg.
    """

    fills: list[Fill] = field(default_factory=list)
    rest_price: float | None = None
    cancelled: bool = False
    reason: str = ""

    @property
    def filled(self) -> int:
        return sum(f.volume for f in self.fills)


def crosses(direction: str, limit: float, price: float) -> bool:
    """Whether a ``direction`` order at ``limit`` trades at ``price``."""
    return price <= limit + PRICE_EPS if direction == BUY else price >= limit - PRICE_EPS


class RestingBook:
    """Resting client orders of one instrument: ``bids``/``asks`` lists in priority order;
    ``by_key`` maps order key -> Resting."""

    def __init__(self) -> None:
        self.bids: list[Resting] = []
        self.asks: list[Resting] = []
        self.by_key: dict[int, Resting] = {}

    def __len__(self) -> int:
        return len(self.by_key)

    def side(self, direction: str) -> list[Resting]:
        return self.bids if direction == BUY else self.asks

    @staticmethod
    def _rank(order: Resting) -> tuple[float, int]:
        return (-order.price if order.direction == BUY else order.price, order.seq)

    def add(self, order: Resting) -> None:
        side = self.side(order.direction)
        index = bisect.bisect_right(side, self._rank(order), key=self._rank)
        side.insert(index, order)
        self.by_key[order.key] = order

    def remove(self, key: int) -> Resting | None:
        order = self.by_key.pop(key, None)
        if order is not None:
            self.side(order.direction).remove(order)
        return order

    def reduce(self, key: int, volume: int) -> None:
        """Take ``volume`` from a resting order, removing it when exhausted."""
        order = self.by_key[key]
        order.remaining -= volume
        if order.remaining <= 0:
            self.remove(key)

    def best(self, direction: str) -> float | None:
        side = self.side(direction)
        return side[0].price if side else None


def _opposite_liquidity(
    direction: str, book_bids: Levels, book_asks: Levels, resting: RestingBook
) -> list[tuple[float, int, int | None]]:
    """Opposite liquidity as (price, volume, resting key or None), in matching order."""
    if direction == BUY:
        synthetic, clients, sign = book_asks, resting.asks, 1.0
    else:
        synthetic, clients, sign = book_bids, resting.bids, -1.0
    merged: list[tuple[float, int, int | None]] = [(o.price, o.remaining, o.key) for o in clients]
    for price, volume in synthetic:
        if volume > 0:
            merged.append((price, volume, None))
    # clients first at equal price: stable sort on price only keeps client rows ahead
    merged.sort(key=lambda row: sign * row[0])
    return merged


def _price_levels(rows: list[tuple[float, int, int | None]]) -> Iterator[float]:
    last: float | None = None
    for price, _, _ in rows:
        if last is None or abs(price - last) > PRICE_EPS:
            last = price
            yield price


def match_incoming(
    kind: OrderKind,
    direction: str,
    volume: int,
    limit_price: float,
    book_bids: Levels,
    book_asks: Levels,
    resting: RestingBook,
) -> MatchResult:
    """Match an incoming order of ``kind`` (see rules.OrderKind) without mutating anything.

    - limit GFD: trades while the price crosses ``limit_price``; the rest rests at it.
    - limit FAK: as GFD, the rest is cancelled. Limit FOK: all within the limit or nothing.
    - market IOC: walks the whole opposite side, the rest is cancelled; market FOK: all or
      nothing against the whole opposite side; best-5 IOC: at most five opposite price levels.
    - market-to-limit (SSE): trades at the best opposite price level only; the rest becomes a
      limit order at that (the last fill) price.
    - best-opposite (SZSE): a limit order at the best opposite price.
    - best-own (SZSE): a limit order at the best own-side price (no immediate trade).
    Market kinds with an empty reference side are cancelled.
    """
    own_levels = book_bids if direction == BUY else book_asks
    own_resting = resting.best(direction)
    rows = _opposite_liquidity(direction, book_bids, book_asks, resting)
    result = MatchResult()

    if kind == OrderKind.BEST_OWN:
        candidates = [p for p, v in own_levels[:1] if v > 0]
        if own_resting is not None:
            candidates.append(own_resting)
        if not candidates:
            result.cancelled = True
            result.reason = "本方无申报，已撤单"
            return result
        price = max(candidates) if direction == BUY else min(candidates)
        kind, limit_price = OrderKind.LIMIT_GFD, price

    if kind.is_market and not rows:
        result.cancelled = True
        result.reason = "对手方无申报，已撤单"
        return result

    if kind in (OrderKind.MARKET_TO_LIMIT, OrderKind.BEST_OPPOSITE):
        limit_price = rows[0][0]
        kind = OrderKind.LIMIT_GFD
    elif kind == OrderKind.BEST5_IOC:
        levels = list(_price_levels(rows))[:5]
        limit_price = levels[-1]
        kind = OrderKind.LIMIT_FAK
    elif kind == OrderKind.MARKET_IOC:
        limit_price = rows[-1][0]
        kind = OrderKind.LIMIT_FAK
    elif kind == OrderKind.MARKET_FOK:
        limit_price = rows[-1][0]
        kind = OrderKind.LIMIT_FOK

    eligible = [row for row in rows if crosses(direction, limit_price, row[0])]
    if kind == OrderKind.LIMIT_FOK and sum(v for _, v, _ in eligible) < volume:
        result.cancelled = True
        result.reason = "全额成交条件不满足，已撤单"
        return result

    left = volume
    for price, available, key in eligible:
        if left <= 0:
            break
        take = min(left, available)
        if take <= 0:
            continue
        level = price if key is None else None
        result.fills.append(Fill(price=price, volume=take, resting_key=key, level_price=level))
        left -= take

    if left > 0:
        if kind == OrderKind.LIMIT_GFD:
            result.rest_price = limit_price
        else:
            result.cancelled = True
            result.reason = "剩余部分已撤单"
    return result


def cross_resting(
    resting: RestingBook,
    book_bids: Levels,
    book_asks: Levels,
    takers: AbstractSet[int] = frozenset(),
) -> list[Fill]:
    """Fills of resting client orders that the refreshed synthetic book crosses.

    A resting buy trades against displayed asks priced at or below it (a sell against bids at
    or above it), at the resting order's own price, limited by the crossing displayed volume,
    shared out in price-time priority. Orders whose key is in ``takers`` (held through an
    auction: they meet the book as the auction's incoming orders) trade at the price of each
    level they take instead. ``resting_key`` is the resting order, ``level_price`` the
    synthetic level consumed. Nothing is mutated.
    """
    fills: list[Fill] = []
    for direction, synthetic in ((BUY, book_asks), (SELL, book_bids)):
        levels = [[price, volume] for price, volume in synthetic if volume > 0]
        for order in resting.side(direction):
            left = order.remaining
            for level in levels:
                if left <= 0:
                    break
                if not crosses(direction, order.price, level[0]):
                    break
                take = min(left, int(level[1]))
                if take <= 0:
                    continue
                price = level[0] if order.key in takers else order.price
                fill = Fill(price, take, resting_key=order.key, level_price=level[0])
                fills.append(fill)
                level[1] -= take
                left -= take
    return fills


def uncross_clients(resting: RestingBook) -> list[tuple[int, int, float, int]]:
    """Trades between crossed client orders (after an auction or a pause), as
    (buy key, sell key, price, volume); the price is the earlier order's. Nothing is mutated."""
    bids = [[o.key, o.price, o.remaining, o.seq] for o in resting.bids]
    asks = [[o.key, o.price, o.remaining, o.seq] for o in resting.asks]
    trades: list[tuple[int, int, float, int]] = []
    i = j = 0
    while i < len(bids) and j < len(asks):
        bid, ask = bids[i], asks[j]
        if bid[1] < ask[1] - PRICE_EPS:
            break
        volume = min(int(bid[2]), int(ask[2]))
        price = float(bid[1] if bid[3] < ask[3] else ask[1])
        trades.append((int(bid[0]), int(ask[0]), price, volume))
        bid[2] -= volume
        ask[2] -= volume
        if bid[2] == 0:
            i += 1
        if ask[2] == 0:
            j += 1
    return trades


# --- call auctions ---------------------------------------------------------------------------
# A market order of the synthetic book sorts after every client order at its price.
MARKET_SEQ = 1 << 62


@dataclass(frozen=True)
class AuctionOrder:
    """One order of a call auction: a client order (``key`` = the counter's order key) or a
    level of the synthetic market's book (``key`` None; ``price`` is the level's price)."""

    key: int | None
    direction: str
    price: float
    volume: int
    seq: int


@dataclass(frozen=True)
class AuctionMatch:
    """``volume`` traded between ``buy`` and ``sell`` at the auction price."""

    buy: AuctionOrder
    sell: AuctionOrder
    volume: int


@dataclass
class AuctionResult:
    """Outcome of a call auction: ``price`` None when nothing crosses (``volume`` 0)."""

    price: float | None = None
    volume: int = 0
    matches: list[AuctionMatch] = field(default_factory=list)


def market_auction_orders(bids: Levels, asks: Levels) -> list[AuctionOrder]:
    """The synthetic market's auction interest: its displayed levels as limit orders, after
    every client order at the same price."""
    orders: list[AuctionOrder] = []
    for direction, levels in ((BUY, bids), (SELL, asks)):
        for i, (price, volume) in enumerate(levels):
            if volume > 0:
                orders.append(
                    AuctionOrder(None, direction, float(price), int(volume), MARKET_SEQ + i)
                )
    return orders


def auction_price(
    orders: Sequence[AuctionOrder], reference: float, tick: float = 0.0001
) -> tuple[float | None, int]:
    """(price, volume) of a single-price call auction over ``orders`` (limit orders).

    The price maximises the executed volume min(buy volume at or above it, sell volume at or
    below it); ties: the smallest imbalance |buy - sell| at that price, then the price closest
    to ``reference`` (SSE option trading rules as recalled, unverified: the previous
    settlement for the opening auction, the latest trade price for the closing one), then the
    higher price (arbitrary, documented in docs/sim-front.md). The candidates are the
    orders' prices plus ``reference`` (on the tick, when > 0): between two neighbouring order
    prices the volume and imbalance are constant, so the reference is the only interior price
    that can win. (None, 0) when nothing crosses.
    """
    buys = [
        (round(o.price / tick), o.volume) for o in orders if o.direction == BUY and o.volume > 0
    ]
    sells = [
        (round(o.price / tick), o.volume) for o in orders if o.direction != BUY and o.volume > 0
    ]
    if not buys or not sells:
        return None, 0
    ref = round(reference / tick) if reference > 0 else None
    candidates = {t for t, _ in buys} | {t for t, _ in sells}
    if ref is not None:
        candidates.add(ref)
    best: tuple[int, int, int, int] | None = None
    best_volume = 0
    for t in candidates:
        demand = sum(v for p, v in buys if p >= t)
        supply = sum(v for p, v in sells if p <= t)
        volume = min(demand, supply)
        if volume <= 0:
            continue
        distance = abs(t - ref) if ref is not None else 0
        rank = (-volume, abs(demand - supply), distance, -t)
        if best is None or rank < best:
            best, best_volume = rank, volume
    if best is None:
        return None, 0
    return round(-best[3] * tick, 10), best_volume


def call_auction(
    orders: Sequence[AuctionOrder], reference: float, tick: float = 0.0001
) -> AuctionResult:
    """Uncross a call auction: every order crossing the auction price (see ``auction_price``)
    trades at that one price; on each side the executed volume goes to the better price first,
    then the earlier order (``seq``), so only the marginal orders at the price trade partly.
    Matches pair the two sides in that priority order. Nothing is mutated."""
    price, volume = auction_price(orders, reference, tick)
    result = AuctionResult(price, volume)
    if price is None:
        return result
    buys = sorted(
        (o for o in orders if o.direction == BUY and o.volume > 0 and crosses(BUY, o.price, price)),
        key=lambda o: (-o.price, o.seq),
    )
    sells = sorted(
        (
            o
            for o in orders
            if o.direction != BUY and o.volume > 0 and crosses(SELL, o.price, price)
        ),
        key=lambda o: (o.price, o.seq),
    )
    i = j = 0
    buy_left = buys[0].volume
    sell_left = sells[0].volume
    left = volume
    while left > 0:
        take = min(buy_left, sell_left, left)
        result.matches.append(AuctionMatch(buys[i], sells[j], take))
        left -= take
        buy_left -= take
        sell_left -= take
        if left and not buy_left:
            i += 1
            buy_left = buys[i].volume
        if left and not sell_left:
            j += 1
            sell_left = sells[j].volume
    return result
