"""Sell implied volatility when it is rich to realised volatility (short straddle)."""

from __future__ import annotations

import math
from collections import deque
from datetime import date

import numpy as np
from vnpy.trader.constant import Direction, OptionType
from vnpy.trader.object import TickData

from vnpy_ctpsopt.options.pricing import implied_vol
from vnpy_ctpsopt.strategy import chain_template as base
from vnpy_ctpsopt.strategy import execution

TRADING_SECONDS_PER_YEAR: float = 244 * 4 * 3600.0


def realised_vol(prices: list[float], sample_seconds: float) -> float:
    """Annualised volatility of log returns between prices sampled every ``sample_seconds`` of
    trading time (244 days of 4 hours a year); nan with fewer than 3 prices."""
    if len(prices) < 3:
        return math.nan
    returns = np.diff(np.log(np.asarray(prices, dtype=np.float64)))
    return float(np.std(returns, ddof=1) * math.sqrt(TRADING_SECONDS_PER_YEAR / sample_seconds))


class VolatilityPremiumStrategy(base.ChainStrategyTemplate):
    """波动率溢价：隐含波动率高于已实现波动率时卖出跨式（short straddle on rich IV）。

    Idea: option sellers are paid a premium: implied volatility (IV) is usually above the
    volatility the ETF then realises (RV). The strategy samples the ETF's mid every
    ``sample_seconds`` and keeps RV over the last ``rv_window`` samples; it compares it with the
    at-the-money IV (mean of the call's and the put's mid IV) of the nearest expiry at least
    ``min_days`` away. When IV / RV >= ``entry_ratio`` it sells ``lots`` at-the-money straddles
    (call + put at one strike); it buys them back when IV / RV <= ``exit_ratio`` (the premium is
    gone), when buying back costs more than (1 + ``stop_loss``) x the premium received, or at
    ``close_days`` before expiry. Delta is not hedged.

    Risks: unhedged short gamma: a trend or a gap loses much more than the premium (the stop
    acts at the next decision, at the prices then); volatility can stay rich or rise further
    (vega); both legs hold margin that grows when the market moves; RV from a short window is
    noisy, so entries can come from a quiet hour rather than real richness.

    Parameters:
    - ``underlying``: ETF vt_symbol, e.g. "510050.SSE".
    - ``lots``: straddles sold.
    - ``entry_ratio`` / ``exit_ratio``: IV / RV to sell at / to buy back at.
    - ``sample_seconds``: spacing of the ETF samples for RV (market time).
    - ``rv_window``: samples in the RV window (enough are needed before the first trade).
    - ``stop_loss``: buy back when closing costs more than (1 + stop_loss) x premium received.
    - ``min_days`` / ``close_days``: expiries used / closing days before expiry.
    - ``interval``: seconds of market time between two decisions.
    """

    author: str = "vnpy_ctpsopt"

    lots: int = 2
    entry_ratio: float = 1.2
    exit_ratio: float = 1.0
    sample_seconds: float = 60.0
    rv_window: int = 120
    stop_loss: float = 1.0
    min_days: int = 7
    close_days: int = 2
    interval: float = 60.0

    iv: float = 0.0
    rv: float = 0.0
    ratio: float = 0.0
    strike: float = 0.0
    premium: float = 0.0

    parameters: list[str] = [
        "underlying", "lots", "entry_ratio", "exit_ratio", "sample_seconds", "rv_window",
        "stop_loss", "min_days", "close_days", "interval",
    ]  # fmt: skip
    variables: list[str] = ["iv", "rv", "ratio", "strike", "premium"]

    def on_init(self) -> None:
        super().on_init()
        self.last_decision: float = -1e18
        self.last_sample: float = -1e18
        self.samples: deque[float] = deque(maxlen=max(self.rv_window, 3) + 1)
        self.legs: list[str] = []
        self.closing = False
        # (time, iv, rv, action) of every entry and exit
        self.signals: list[tuple[object, float, float, str]] = []

    def on_tick(self, tick: TickData) -> None:
        if not self.ready(tick):
            return
        stamp = tick.datetime.timestamp()
        if stamp - self.last_sample >= self.sample_seconds and self.spot():
            self.last_sample = stamp
            self.samples.append(self.spot())
        if stamp - self.last_decision < self.interval or self.busy():
            return
        self.last_decision = stamp
        self.decide()
        self.put_event()

    def on_new_day(self, day: date) -> None:
        if self.legs and not any(self.get_pos(vt) for vt in self.legs):
            self.legs = []
            self.premium = 0.0

    # ------------------------------------------------------------------------------------------

    def decide(self) -> None:
        held = [vt for vt in self.legs if self.get_pos(vt)]
        if self.closing:
            if held:
                for vt_symbol in held:
                    self.move_to(vt_symbol, 0)
                return
            self.closing = False
            self.legs = []
            self.premium = 0.0
        self.rv = round(realised_vol(list(self.samples), self.sample_seconds), 4)
        if held:
            self.manage(held)
            return
        if len(self.samples) <= self.rv_window or self.lots <= 0:
            return
        expiry = self.expiry_at_least(max(self.min_days, self.close_days + 1))
        if expiry is None:
            return
        iv = self.atm_iv(expiry)
        if not iv or not self.rv or math.isnan(self.rv):
            return
        self.iv, self.ratio = round(iv, 4), round(iv / self.rv, 3)
        if self.ratio < self.entry_ratio:
            return
        assert self.chain is not None
        call = self.chain.get(expiry, self.strike, OptionType.CALL)
        put = self.chain.get(expiry, self.strike, OptionType.PUT)
        if call is None or put is None:
            return
        bids = [self.get_tick(c.vt_symbol) for c in (call, put)]
        if any(t is None for t in bids):
            return
        self.premium = sum(
            execution.take(t, Direction.SHORT, self.lots).vwap for t in bids if t is not None
        )
        self.write_log(f"IV {iv:.2%} / RV {self.rv:.2%} = {self.ratio:.2f}：卖出跨式 "
                       f"{self.strike:g} {self.lots} 组")  # fmt: skip
        self.signals.append((self.now, iv, self.rv, "sell"))
        self.legs = [call.vt_symbol, put.vt_symbol]
        for vt_symbol in self.legs:
            self.move_to(vt_symbol, -self.lots)

    def manage(self, held: list[str]) -> None:
        first = self._contract(held[0])
        if first is None or first.option_expiry is None:
            return
        expiry = first.option_expiry.date()
        days = self.days_left(first)
        iv = self.atm_iv(expiry, keep_strike=True)
        if iv and self.rv and not math.isnan(self.rv):
            self.iv, self.ratio = round(iv, 4), round(iv / self.rv, 3)
        cost = 0.0
        for vt_symbol in held:
            tick = self.get_tick(vt_symbol)
            if tick is None:
                return
            cost += execution.take(tick, Direction.LONG, abs(int(self.get_pos(vt_symbol)))).vwap
        reason = ""
        if days <= self.close_days:
            reason = f"距到期 {days} 天"
        elif self.premium and cost > self.premium * (1 + self.stop_loss):
            reason = f"买回成本 {cost:.4f} 超过止损线（权利金 {self.premium:.4f}）"
        elif iv and self.ratio and self.ratio <= self.exit_ratio:
            reason = f"IV/RV 回落到 {self.ratio:.2f}"
        if reason:
            self.write_log(f"{reason}：买回跨式")
            self.signals.append((self.now, iv, self.rv, "buy"))
            self.closing = True
            for vt_symbol in held:
                self.move_to(vt_symbol, 0)

    def atm_iv(self, expiry: date, keep_strike: bool = False) -> float:
        """Mean implied vol of the call and put mids at the ATM strike (the held strike when
        ``keep_strike``); 0.0 when a mid is missing."""
        assert self.chain is not None
        spot = self.spot()
        if not spot:
            return 0.0
        if not (keep_strike and self.strike):
            self.strike = self.chain.atm_strike(spot, expiry)
        t = max(self.chain.days_to_expiry(expiry), 0.5) / 365.0
        vols: list[float] = []
        for option_type in (OptionType.CALL, OptionType.PUT):
            contract = self.chain.get(expiry, self.strike, option_type)
            tick = self.get_tick(contract.vt_symbol) if contract is not None else None
            if tick is None or tick.bid_price_1 <= 0 or tick.ask_price_1 <= 0:
                return 0.0
            mid = (tick.bid_price_1 + tick.ask_price_1) / 2.0
            iv = float(implied_vol(mid, spot, self.strike, t, self.option_rate,
                                   option_type == OptionType.CALL))  # fmt: skip
            if not math.isfinite(iv) or iv <= 0:
                return 0.0
            vols.append(iv)
        return sum(vols) / len(vols)
