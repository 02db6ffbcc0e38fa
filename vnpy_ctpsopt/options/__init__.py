"""Option pricing and greeks shared by the sim, strategies, the backtester and notebooks."""

from .pricing import (
    Greeks,
    bs_delta,
    bs_gamma,
    bs_greeks,
    bs_price,
    bs_theta,
    bs_vega,
    implied_vol,
)

__all__ = [
    "Greeks",
    "bs_delta",
    "bs_gamma",
    "bs_greeks",
    "bs_price",
    "bs_theta",
    "bs_vega",
    "implied_vol",
]
