"""Order pricing against a five-level book, pure functions shared by the sample strategies.

An order that must trade now is priced at the worst of the visible levels it needs (so it fills
against the displayed depth, no further), kept inside the day's price limits and on the tick,
and split to the exchange's per-order maximum: the reasons a counter would refuse an order are
checked before it is sent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vnpy.trader.constant import Direction
from vnpy.trader.object import TickData

LEVELS: int = 5
MAX_LIMIT_VOLUME: int = 50  # SSE/SZSE: at most 50 option contracts per limit order


@dataclass(frozen=True)
class Take:
    """What the visible book offers to an order: ``volume`` fillable (<= asked), at ``vwap``
    on average, ``price`` the worst level needed (0 when the side is empty)."""

    volume: int
    vwap: float
    price: float


def levels(tick: TickData, direction: Direction) -> list[tuple[float, int]]:
    """The side an order of ``direction`` trades against: (price, volume), best first; a buy
    takes the asks, a sell the bids. Empty levels end the list."""
    side = "ask" if direction == Direction.LONG else "bid"
    out: list[tuple[float, int]] = []
    for i in range(1, LEVELS + 1):
        price = float(getattr(tick, f"{side}_price_{i}") or 0.0)
        volume = int(getattr(tick, f"{side}_volume_{i}") or 0)
        if price <= 0 or volume <= 0 or not math.isfinite(price):
            break
        out.append((price, volume))
    return out


def take(tick: TickData, direction: Direction, volume: int) -> Take:
    """Walk the visible levels for ``volume`` contracts."""
    done = 0
    cost = 0.0
    worst = 0.0
    for price, available in levels(tick, direction):
        if done >= volume:
            break
        part = min(available, volume - done)
        done += part
        cost += part * price
        worst = price
    return Take(done, cost / done if done else 0.0, worst)


def on_tick(price: float, pricetick: float, direction: Direction) -> float:
    """``price`` on the tick grid, rounded towards the passive side (a buy down, a sell up), so
    that rounding never makes an order pay more than asked for."""
    steps = price / pricetick
    steps = math.floor(steps + 1e-9) if direction == Direction.LONG else math.ceil(steps - 1e-9)
    return round(steps * pricetick, 10)


def inside_limits(price: float, tick: TickData) -> bool:
    """Whether ``price`` is inside the day's limits of ``tick`` (no limits known: True)."""
    if tick.limit_up and price > tick.limit_up + 1e-9:
        return False
    return not (tick.limit_down and price < tick.limit_down - 1e-9)


def order_price(
    tick: TickData, direction: Direction, volume: int, pricetick: float, extra_ticks: int = 0
) -> float:
    """A limit price that takes ``volume`` from the visible book (the worst level needed,
    ``extra_ticks`` further), inside the limits and on the tick; 0.0 when the side is empty."""
    got = take(tick, direction, volume)
    if not got.volume:
        return 0.0
    sign = 1 if direction == Direction.LONG else -1
    price = got.price + sign * extra_ticks * pricetick
    if tick.limit_up and price > tick.limit_up:
        price = float(tick.limit_up)
    if tick.limit_down and price < tick.limit_down:
        price = float(tick.limit_down)
    price = on_tick(price, pricetick, direction)
    if price <= 0 or not inside_limits(price, tick):
        return 0.0
    return price


def split_volume(volume: int, max_volume: int = MAX_LIMIT_VOLUME) -> list[int]:
    """``volume`` cut into orders of at most ``max_volume`` contracts."""
    if volume <= 0:
        return []
    cap = max(int(max_volume), 1)
    full, rest = divmod(int(volume), cap)
    return [cap] * full + ([rest] if rest else [])
