"""Option pricing and greeks shared by the sim, strategies, the backtester and notebooks."""

from .pricing import (
    Greeks,
    bs_greeks,
    bs_price,
    implied_vol,
)

__all__ = [
    "Greeks",
    "bs_greeks",
    "bs_price",
    "implied_vol",
]
