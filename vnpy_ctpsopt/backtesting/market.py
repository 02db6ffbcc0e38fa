"""The displayed book of each instrument during a backtest and the strategy's resting orders
in it. Matching itself is ``core/matching.py`` (the simulated counter's pure functions): an
incoming order goes through ``match_incoming`` against the latest snapshot's five levels,
resting orders through ``cross_resting`` when a new snapshot arrives. Volume taken from a
level is gone until the instrument's next snapshot (no liquidity is used twice).

A snapshot comes as a vn.py TickData or as one column of a ``SnapshotBlock`` row; from a
block, levels and the TickData are built only when something reads them.
"""

from __future__ import annotations

from datetime import datetime

from vnpy.trader.constant import Exchange
from vnpy.trader.object import TickData

from ..core.matching import Fill, RestingBook
from ..core.terms import BUY, PRICE_EPS
from .contracts import BACKTESTING, BtContract
from .feed import SnapshotBlock

Levels = list[tuple[float, int]]
_new = object.__new__


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


def block_tick(block: SnapshotBlock, row: int, col: int, contract: BtContract) -> TickData:
    """The TickData of one column of one block row (filled through ``__dict__``, as the
    gateway's tick parser does)."""
    bp = block.bid_price[:, row, col].tolist()
    bv = block.bid_volume[:, row, col].tolist()
    ap = block.ask_price[:, row, col].tolist()
    av = block.ask_volume[:, row, col].tolist()
    tick: TickData = _new(TickData)
    tick.__dict__ = {
        "gateway_name": BACKTESTING,
        "extra": None,
        "symbol": contract.symbol,
        "exchange": Exchange(contract.exchange),
        "datetime": block.times[row],
        "name": contract.name,
        "volume": float(block.volume[row, col]),
        "turnover": 0.0,
        "open_interest": 0.0,
        "last_price": float(block.last[row, col]),
        "last_volume": 0,
        "limit_up": float(block.limit_up[col]),
        "limit_down": float(block.limit_down[col]),
        "open_price": 0.0,
        "high_price": 0.0,
        "low_price": 0.0,
        "pre_close": float(block.pre_close[col]),
        "bid_price_1": bp[0], "bid_price_2": bp[1], "bid_price_3": bp[2],
        "bid_price_4": bp[3], "bid_price_5": bp[4],
        "ask_price_1": ap[0], "ask_price_2": ap[1], "ask_price_3": ap[2],
        "ask_price_4": ap[3], "ask_price_5": ap[4],
        "bid_volume_1": bv[0], "bid_volume_2": bv[1], "bid_volume_3": bv[2],
        "bid_volume_4": bv[3], "bid_volume_5": bv[4],
        "ask_volume_1": av[0], "ask_volume_2": av[1], "ask_volume_3": av[2],
        "ask_volume_4": av[3], "ask_volume_5": av[4],
        "localtime": None,
        "vt_symbol": contract.vt_symbol,
    }  # fmt: skip
    return tick


class Quote:
    """One instrument's market state: the latest snapshot (a tick, or a block row and column:
    ``source``), its levels after what the strategy took (built lazily), the day's price
    limits, the previous close and the strategy's resting orders (``resting``, keyed by the
    engine's order key)."""

    __slots__ = ("contract", "_tick", "_bids", "_asks", "limits", "resting", "last_price",
                 "pre_close", "has_data", "source")  # fmt: skip

    def __init__(self, contract: BtContract) -> None:
        self.contract = contract
        self._tick: TickData | None = None
        self._bids: Levels | None = None
        self._asks: Levels | None = None
        self.limits: tuple[float, float] = (0.0, 0.0)
        self.resting = RestingBook()
        self.last_price: float = 0.0
        self.pre_close: float = 0.0
        self.has_data = False
        self.source: tuple[SnapshotBlock, int, int] | None = None

    def update(self, tick: TickData) -> None:
        """A new snapshot as a tick: fresh levels, limits when the tick has them."""
        self._tick = tick
        self.source = None
        self._bids = self._asks = None
        self.last_price = tick.last_price
        self.pre_close = tick.pre_close
        self.has_data = True
        if tick.limit_up and tick.limit_down:
            self.limits = (tick.limit_down, tick.limit_up)

    def load(self, block: SnapshotBlock, row: int, col: int) -> None:
        """A new snapshot as a block row: levels and tick are built when read."""
        if self.source is not None and self.source[0] is block and self.source[1] == row:
            return
        self.source = (block, row, col)
        self._tick = None
        self._bids = self._asks = None
        self.last_price = float(block.last[row, col])
        if not self.has_data:
            self.pre_close = float(block.pre_close[col])
            self.limits = (float(block.limit_down[col]), float(block.limit_up[col]))
            self.has_data = True

    def new_day(self) -> None:
        """Limits and previous close are re-read from the next day's first snapshot."""
        self.has_data = False
        self.resting = RestingBook()

    @property
    def tick(self) -> TickData | None:
        if self._tick is None and self.source is not None:
            block, row, col = self.source
            self._tick = block_tick(block, row, col, self.contract)
        return self._tick

    @property
    def time(self) -> datetime | None:
        tick = self.tick
        return tick.datetime if tick else None

    def levels(self) -> tuple[Levels, Levels]:
        if self._bids is None or self._asks is None:
            if self.source is not None:
                block, row, col = self.source
                bp = block.bid_price[:, row, col].tolist()
                bv = block.bid_volume[:, row, col].tolist()
                ap = block.ask_price[:, row, col].tolist()
                av = block.ask_volume[:, row, col].tolist()
                self._bids = [(p, int(v)) for p, v in zip(bp, bv, strict=True) if p > 0 and v > 0]
                self._asks = [(p, int(v)) for p, v in zip(ap, av, strict=True) if p > 0 and v > 0]
            elif self._tick is not None:
                self._bids, self._asks = tick_levels(self._tick)
            else:
                return [], []
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
