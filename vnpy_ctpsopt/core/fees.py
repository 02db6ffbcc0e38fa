"""Where fees are charged: per-contract fees per action (reference/sopt-rules.md A.13)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..api import constant as C


class FeeAction(Enum):
    BUY_OPEN = "buy_open"
    SELL_OPEN = "sell_open"
    CLOSE = "close"
    EXERCISE = "exercise"


@dataclass(frozen=True)
class FeeSchedule:
    """Per-contract fees (CNY, all-in: broker commission + exchange and clearing fees).

    Defaults are typical retail broker terms for ETF options in 2024-2025: 2.0 per contract to
    buy open and to close (brokers quote 1.7-2.5, exchange fees included), 0 to sell open or
    covered open (SSE waives its handling fee for sell-open and many brokers follow), 1.0 per
    contract exercised (settlement fee plus a small broker fee). All configurable.
    """

    buy_open: float = 2.0
    sell_open: float = 0.0
    close: float = 2.0
    exercise: float = 1.0

    def per_contract(self, action: FeeAction) -> float:
        if action is FeeAction.BUY_OPEN:
            return self.buy_open
        if action is FeeAction.SELL_OPEN:
            return self.sell_open
        if action is FeeAction.CLOSE:
            return self.close
        return self.exercise

    def fee(self, action: FeeAction, volume: int) -> float:
        return self.per_contract(action) * volume


def fee_action(direction: str, offset: str) -> FeeAction:
    """The fee action of an order side: open by direction, every close alike."""
    if offset == C.THOST_FTDC_OF_Open:
        return FeeAction.BUY_OPEN if direction == C.THOST_FTDC_D_Buy else FeeAction.SELL_OPEN
    return FeeAction.CLOSE
