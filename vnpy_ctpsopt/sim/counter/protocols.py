"""The counter's two seams, typed: the market it trades against and the store it commits to.

``sim.market.SimMarket`` and ``sim.store.SimStore`` are the real ones; a test's hand-built
market (tests/unit/sim/counter_kit.BookMarket) implements the same ``MarketView``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from ...core.terms import Contract
from ..instruments import SimInstrument

Levels = list[tuple[float, int]]


class MarketView(Protocol):
    """What the counter reads from and tells the market.

    Optional (looked up with ``getattr``): ``theo(id)`` (model value, the closing auction's
    last resort) and ``state_dict()`` (the market's state for the store).
    """

    @property
    def trading_day(self) -> date | str: ...
    @property
    def instruments(self) -> Sequence[SimInstrument] | Mapping[str, SimInstrument]: ...
    def book(self, instrument_id: str) -> tuple[Levels, Levels]: ...
    def take_liquidity(self, instrument_id: str, side: str, price: float, volume: int) -> None: ...
    def record_trade(
        self, instrument_id: str, price: float, volume: int, oi_delta: int
    ) -> None: ...
    def auction_price(self, instrument_id: str, price: float, closing: bool) -> None: ...
    def limits(self, instrument_id: str) -> tuple[float, float]: ...
    def pre_settlement(self, instrument_id: str) -> float: ...
    def pre_close(self, underlying_id: str) -> float: ...
    def last_price(self, instrument_id: str) -> float: ...
    def snapshot(self, instrument_id: str, now: datetime) -> dict[str, Any]: ...
    def settle(self) -> dict[str, float]: ...
    def roll(self, next_day: date, instruments: list[SimInstrument]) -> None: ...


class StateStore(Protocol):
    """The counter's durable state (``sim.store.SimStore``): everything at start, one
    transaction per request or market step."""

    def load(self) -> dict[str, Any]: ...
    def commit(
        self,
        entities: dict[tuple[str, str], dict[str, Any] | None],
        kv: dict[str, Any],
        flows: list[tuple[str, int, str, str, str]],
    ) -> None: ...


InstrumentSource = Iterable[SimInstrument] | Mapping[str, SimInstrument]


def instrument_list(source: InstrumentSource | None) -> list[SimInstrument]:
    """The instruments of a listing given as a sequence or a mapping by id."""
    if source is None:
        return []
    if isinstance(source, Mapping):
        return list(source.values())
    return list(source)


def contract_of(inst: SimInstrument) -> Contract:
    """The core's view of a listed instrument."""
    return Contract(
        instrument_id=inst.instrument_id,
        exchange_id=inst.exchange_id,
        is_option=inst.is_option,
        underlying=inst.underlying_id or inst.instrument_id,
        strike=float(inst.strike or 0.0),
        is_call=inst.is_call,
        expire_date=inst.expire_date,
        unit=int(inst.unit),
        tick=float(inst.price_tick),
        max_limit=int(inst.max_limit_volume),
        max_market=int(inst.max_market_volume),
    )
