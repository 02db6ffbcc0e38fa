"""The displayed book of each instrument during a backtest and the strategy's resting orders
in it. Matching itself is ``core/matching.py`` (the simulated counter's pure functions):
an incoming order goes through ``match_incoming`` against the latest snapshot's five levels,
resting orders through ``cross_resting`` when a new snapshot arrives. Volume taken from a
level is gone until the instrument's next snapshot (no liquidity is used twice).
"""

from __future__ import annotations

from vnpy.trader.object import TickData

from ..core.matching import Fill, RestingBook
from ..core.terms import BUY, PRICE_EPS
from .contracts import BtContract

Levels = list[tuple[float, int]]


def tick_levels(tick: TickData) -> tuple[Levels, Levels]:
    """(bids, asks) of a vn.py tick: five (price, volume) pairs best first, empty levels
    (price or volume <= 0) left out."""
    t = tick
    bids = [
        (t.bid_price_1, int(t.bid_volume_1)),
        (t.bid_price_2, int(t.bid_volume_2)),
        (t.bid_price_3, int(t.bid_volume_3)),
        (t.bid_price_4, int(t.bid_volume_4)),
        (t.bid_price_5, int(t.bid_volume_5)),
    ]
    asks = [
        (t.ask_price_1, int(t.ask_volume_1)),
        (t.ask_price_2, int(t.ask_volume_2)),
        (t.ask_price_3, int(t.ask_volume_3)),
        (t.ask_price_4, int(t.ask_volume_4)),
        (t.ask_price_5, int(t.ask_volume_5)),
    ]
    return (
        [(p, v) for p, v in bids if p > 0 and v > 0],
        [(p, v) for p, v in asks if p > 0 and v > 0],
    )


class Quote:
    """One instrument's market state: the latest tick, its levels after what the strategy
    took (built lazily), the day's price limits and the strategy's resting orders
    (``resting``, keyed by the engine's order key)."""

    __slots__ = ("contract", "tick", "_bids", "_asks", "limits", "resting", "last_price")

    def __init__(self, contract: BtContract) -> None:
        self.contract = contract
        self.tick: TickData | None = None
        self._bids: Levels | None = None
        self._asks: Levels | None = None
        self.limits: tuple[float, float] = (0.0, 0.0)
        self.resting = RestingBook()
        self.last_price: float = 0.0

    def update(self, tick: TickData) -> None:
        """A new snapshot: fresh levels, limits when the tick has them."""
        self.tick = tick
        self._bids = self._asks = None
        self.last_price = tick.last_price
        if tick.limit_up and tick.limit_down:
            self.limits = (tick.limit_down, tick.limit_up)

    def levels(self) -> tuple[Levels, Levels]:
        if self._bids is None or self._asks is None:
            if self.tick is None:
                return [], []
            self._bids, self._asks = tick_levels(self.tick)
        return self._bids, self._asks

    def consume(self, direction: str, fill: Fill) -> None:
        """Remove the displayed volume a fill of a ``direction`` order took."""
        if fill.level_price is None:
            return
        bids, asks = self.levels()
        side = asks if direction == BUY else bids
        for i, (price, volume) in enumerate(side):
            if abs(price - fill.level_price) < PRICE_EPS:
                left = volume - fill.volume
                if left > 0:
                    side[i] = (price, left)
                else:
                    del side[i]
                return
