"""OptionStrategyTemplate: vnpy_portfoliostrategy's StrategyTemplate plus what option strategies need.

Adds covered open/close (备兑), lock/unlock of ETF shares, exercise, the option chain of an
underlying, greeks of the strategy's holdings and price helpers (tick rounding, limits). It
runs unchanged live (vnpy_portfoliostrategy's StrategyEngine, via LiveOptionEngine) and in the
backtester (which implements OptionEngine itself).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import numpy as np
from vnpy.trader.constant import Direction, Offset, OptionType, Product
from vnpy.trader.object import ContractData, TickData
from vnpy.trader.utility import extract_vt_symbol, round_to
from vnpy_portfoliostrategy import StrategyTemplate

from ..options.chain import OptionChain, expiry_date
from ..options.vector import HoldingGreeks, chain_greeks, holding_greeks
from .live import LiveOptionEngine
from .protocol import OptionEngine

EXPIRY_CLOSE: time = time(15, 0)
_YEAR_SECONDS: float = 365.0 * 86400.0
_MIN_T: float = 60.0 / _YEAR_SECONDS


def resolve_option_engine(strategy_engine: Any) -> OptionEngine:
    """The engine itself when it is an OptionEngine (the backtester), else the live adapter."""
    if isinstance(strategy_engine, OptionEngine):
        return strategy_engine
    return LiveOptionEngine.for_engine(strategy_engine)


def underlying_of(contract: ContractData) -> str:
    """The ETF vt_symbol of an option contract ("510050_O" on SSE -> "510050.SSE")."""
    code = (contract.option_portfolio or "").removesuffix("_O")
    return f"{code}.{contract.exchange.value}"


class OptionStrategyTemplate(StrategyTemplate):
    """Portfolio strategy template for ETF options (SSE/SZSE).

    ``option_rate``: the risk-free rate used for greeks and implied volatility.
    """

    option_rate: float = 0.015

    def __init__(
        self,
        strategy_engine: Any,
        strategy_name: str,
        vt_symbols: list[str],
        setting: dict[str, Any],
    ) -> None:
        super().__init__(strategy_engine, strategy_name, vt_symbols, setting)
        self.option_engine: OptionEngine = resolve_option_engine(strategy_engine)

    # ------------------------------------------------------------------------------------------
    # SOPT business

    def sell_covered(self, vt_symbol: str, price: float, volume: float) -> list[str]:
        """Covered open (备兑开仓): write calls against locked ETF shares."""
        return self._send_covered(vt_symbol, Direction.SHORT, Offset.OPEN, price, volume)

    def buy_covered(self, vt_symbol: str, price: float, volume: float) -> list[str]:
        """Covered close (备兑平仓): buy back covered calls."""
        return self._send_covered(vt_symbol, Direction.LONG, Offset.CLOSE, price, volume)

    def _send_covered(
        self, vt_symbol: str, direction: Direction, offset: Offset, price: float, volume: float
    ) -> list[str]:
        if not self.trading:
            return []
        vt_orderids = self.option_engine.send_covered_order(
            self, vt_symbol, direction, offset, price, volume
        )
        self.active_orderids.update(vt_orderids)
        return vt_orderids

    def lock(self, vt_symbol: str, volume: int) -> str:
        """Lock ETF shares of ``vt_symbol`` (SSE) so that they cover written calls."""
        return self.option_engine.send_lock(self, vt_symbol, True, volume) if self.trading else ""

    def unlock(self, vt_symbol: str, volume: int) -> str:
        """Unlock ETF shares no longer needed as cover."""
        return self.option_engine.send_lock(self, vt_symbol, False, volume) if self.trading else ""

    def exercise(self, vt_symbol: str, volume: int) -> str:
        """Declare exercise of long contracts (on the expiry day)."""
        return self.option_engine.send_exercise(self, vt_symbol, volume) if self.trading else ""

    # Engine -> strategy notifications (see strategy.protocol). Override the on_* hooks.

    def update_lock(self, vt_symbol: str, volume: float) -> None:
        """A lock (+volume) or unlock (-volume) took effect."""
        self.on_lock(vt_symbol, volume)

    def update_position(self, vt_symbol: str, delta: float) -> None:
        """A position change without a trade (exercise, assignment, expiry, delivery)."""
        self.pos_data[vt_symbol] += delta
        self.on_position(vt_symbol, delta)

    def on_lock(self, vt_symbol: str, volume: float) -> None:
        """Callback after a lock (+) or unlock (-) took effect."""

    def on_position(self, vt_symbol: str, delta: float) -> None:
        """Callback after a position change without a trade."""

    def get_position_detail(self) -> dict[str, dict[str, float]]:
        """vt_symbol -> {"covered", "locked", "exercising": volume} (see strategy.protocol)."""
        return self.option_engine.get_position_detail(self)

    # ------------------------------------------------------------------------------------------
    # Chain, market, greeks

    def get_tick(self, vt_symbol: str) -> TickData | None:
        return self.option_engine.get_tick(vt_symbol)

    def get_chain(self, underlying: str, today: date | None = None) -> OptionChain:
        """The options listed on ``underlying`` ("510050.SSE"); days counted from ``today``
        (default: the underlying's last tick, else the local date)."""
        if today is None:
            tick = self.get_tick(underlying)
            today = tick.datetime.date() if tick is not None else date.today()
        return OptionChain.build(underlying, self.option_engine.get_option_contracts(underlying),
                                 today)  # fmt: skip

    def get_greeks(self, now: datetime | None = None) -> HoldingGreeks:
        """Greeks of the strategy's holdings from the latest ticks (one vectorised call).

        Options: implied vol from the mid price (last when a side is empty), Black-Scholes on
        the underlying's mid; ETFs count one share of delta each. Options without a tick or an
        implied vol contribute nan legs and nothing to the sums.
        """
        contracts: list[ContractData] = []
        pos: list[float] = []
        etf_delta = 0.0
        etf_legs: dict[str, tuple[float, float, float, float]] = {}
        for vt_symbol, volume in self.pos_data.items():
            if not volume:
                continue
            contract = self._contract(vt_symbol)
            if contract is None or contract.product != Product.OPTION:
                etf_delta += float(volume)
                etf_legs[vt_symbol] = (float(volume), 0.0, 0.0, 0.0)
                continue
            contracts.append(contract)
            pos.append(float(volume))
        if not contracts:
            return HoldingGreeks(etf_delta, 0.0, 0.0, 0.0, etf_legs)
        n = len(contracts)
        price = np.full(n, np.nan)
        spot = np.full(n, np.nan)
        t = np.full(n, np.nan)
        for i, c in enumerate(contracts):
            tick = self.get_tick(c.vt_symbol)
            under = self.get_tick(underlying_of(c))
            if tick is None or under is None:
                continue
            price[i] = _mid(tick)
            spot[i] = _mid(under)
            at = now or tick.datetime
            close = datetime.combine(expiry_date(c), EXPIRY_CLOSE)
            seconds = (close - at.replace(tzinfo=None)).total_seconds()
            t[i] = max(seconds / _YEAR_SECONDS, _MIN_T)
        greeks = chain_greeks(
            spot,
            np.array([float(c.option_strike or 0.0) for c in contracts]),
            t,
            self.option_rate,
            np.array([c.option_type == OptionType.CALL for c in contracts]),
            price=price,
        )
        held = holding_greeks(
            [c.vt_symbol for c in contracts], pos, [float(c.size) for c in contracts], greeks
        )
        return HoldingGreeks(
            held.delta + etf_delta, held.gamma, held.vega, held.theta, {**held.legs, **etf_legs}
        )

    # ------------------------------------------------------------------------------------------
    # Price helpers

    def round_price(self, vt_symbol: str, price: float, direction: Direction | None = None) -> float:
        """``price`` on the tick: nearest, or the passive side (buy down, sell up) when a
        direction is given."""
        tick = self.get_pricetick(vt_symbol) or 0.0001
        steps = price / tick
        if direction == Direction.LONG:
            steps = np.floor(steps + 1e-9)
        elif direction == Direction.SHORT:
            steps = np.ceil(steps - 1e-9)
        else:
            return float(round_to(price, tick))
        return round(float(steps) * tick, 10)

    def clamp_price(self, vt_symbol: str, price: float) -> float:
        """``price`` inside the day's limits of the latest tick (unchanged without a tick)."""
        tick = self.get_tick(vt_symbol)
        if tick is None:
            return price
        if tick.limit_up and price > tick.limit_up:
            return float(tick.limit_up)
        if tick.limit_down and price < tick.limit_down:
            return float(tick.limit_down)
        return price

    def _contract(self, vt_symbol: str) -> ContractData | None:
        symbol, _ = extract_vt_symbol(vt_symbol)
        if "-" in symbol:  # "510050-LOCKED" style position ids are not contracts
            return None
        engine = self.strategy_engine
        main_engine = getattr(engine, "main_engine", None)
        if main_engine is not None:
            found: ContractData | None = main_engine.get_contract(vt_symbol)
            return found
        get_contract = getattr(engine, "get_contract", None)
        return get_contract(vt_symbol) if get_contract is not None else None


def _mid(tick: TickData) -> float:
    if tick.bid_price_1 > 0 and tick.ask_price_1 > 0:
        return (tick.bid_price_1 + tick.ask_price_1) / 2.0
    return float(tick.last_price)
