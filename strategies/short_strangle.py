"""Short strangle on the near expiry, delta kept inside a band with a synthetic."""

from __future__ import annotations

import math
from datetime import date

from vnpy.trader.constant import OptionType
from vnpy.trader.object import ContractData, OrderData, TickData, TradeData

from vnpy_ctpsopt.options.pricing import implied_vol
from vnpy_ctpsopt.strategy import chain_template as base


class DeltaBandStrangleStrategy(base.ChainStrategyTemplate):
    """卖出宽跨式 + Delta 区间对冲（short strangle, delta band）。

    Idea: sell ``lots`` out-of-the-money calls and puts (about ``wing_delta`` each) on the
    nearest expiry at least ``min_days`` away and earn their time value. Whenever the position's
    delta leaves the band of ``delta_band`` contracts (1 contract = one contract unit of the ETF,
    10,000 shares), trade a synthetic future at the at-the-money strike (long call + short put
    = +1 contract of delta per lot; the reverse for -1) to bring it back to the nearest whole
    contract: the residual after a hedge is at most half a contract, inside the band. ETF shares
    cannot be traded on an option counter, so the synthetic is the hedge. ``close_days`` before
    expiry everything is bought/sold back and the strangle is opened again on the next expiry.

    Risks: a large move (gap) loses far more than the premium before the band hedge reacts;
    hedging in a choppy market pays the spread every time (whipsaw); both short legs and the
    short leg of the synthetic hold margin, which rises when the market moves against them;
    volatility rising marks the short options up (vega). Deltas come from Black-Scholes on the
    mid's implied volatility.

    Parameters:
    - ``underlying``: ETF vt_symbol, e.g. "510050.SSE".
    - ``lots``: contracts sold on each side.
    - ``wing_delta``: absolute delta of the sold call and put (0.25: the 25-delta options).
    - ``min_days``: the strangle is sold on the nearest expiry at least this many days away.
    - ``close_days``: everything is closed at this many days to expiry or fewer.
    - ``delta_band``: hedge when |delta| exceeds this many contracts (at least 0.5: the
      synthetic moves delta in whole contracts).
    - ``interval``: seconds of market time between two decisions.
    """

    author: str = "vnpy_ctpsopt"

    lots: int = 2
    wing_delta: float = 0.25
    min_days: int = 3
    close_days: int = 1
    delta_band: float = 1.0
    interval: float = 30.0

    call_symbol: str = ""
    put_symbol: str = ""
    hedge_strike: float = 0.0
    delta: float = 0.0
    hedges: int = 0

    parameters: list[str] = [
        "underlying", "lots", "wing_delta", "min_days", "close_days", "delta_band", "interval",
    ]  # fmt: skip
    variables: list[str] = ["call_symbol", "put_symbol", "hedge_strike", "delta", "hedges"]

    def on_init(self) -> None:
        super().on_init()
        self.last_decision: float = -1e18
        self.closing = False
        self.hedge_pending = False
        # (time, delta before, lots traded, delta after) of every completed hedge
        self.hedge_log: list[tuple[object, float, int, float]] = []
        self._hedge_started: tuple[object, float, int] | None = None
        self.hedge_targets: dict[str, int] = {}

    def on_tick(self, tick: TickData) -> None:
        if not self.ready(tick):
            return
        stamp = tick.datetime.timestamp()
        if stamp - self.last_decision < self.interval or self.busy():
            return
        self.last_decision = stamp
        self.decide()
        self.put_event()

    def on_new_day(self, day: date) -> None:
        for name in ("call_symbol", "put_symbol"):
            symbol = getattr(self, name)
            if symbol and not self.get_pos(symbol):
                setattr(self, name, "")

    # ------------------------------------------------------------------------------------------

    def held(self) -> list[str]:
        return [vt for vt, volume in self.pos_data.items() if volume and vt != self.underlying]

    def decide(self) -> None:
        held = self.held()
        if self.closing:
            if held:
                for vt_symbol in held:
                    self.move_to(vt_symbol, 0)
                return
            self.closing = False
            self.call_symbol = self.put_symbol = ""
            self.hedge_strike = 0.0
        leg = self._contract(self.call_symbol) if self.call_symbol else None
        if leg is not None and self.days_left(leg) <= self.close_days:
            self.write_log(f"距到期 {self.days_left(leg)} 天，全部平仓后移到下一到期月")
            self.closing = True
            for vt_symbol in held:
                self.move_to(vt_symbol, 0)
            return
        if not self.call_symbol:
            self.open_strangle()
            return
        self.hedge()

    def open_strangle(self) -> None:
        spot = self.spot()
        expiry = self.expiry_at_least(self.min_days)
        if not spot or expiry is None or self.chain is None or self.lots <= 0:
            return
        sigma = self.atm_vol(expiry, spot)
        if not sigma:
            return
        days = max(self.chain.days_to_expiry(expiry), 0.5)
        t = days / 365.0
        call = self.chain.by_delta(abs(self.wing_delta), spot, OptionType.CALL, expiry,
                                   sigma=sigma, t=t)  # fmt: skip
        put = self.chain.by_delta(-abs(self.wing_delta), spot, OptionType.PUT, expiry,
                                  sigma=sigma, t=t)  # fmt: skip
        self.call_symbol, self.put_symbol = call.vt_symbol, put.vt_symbol
        self.write_log(f"卖出宽跨式：{call.name} / {put.name} 各 {self.lots} 张")
        self.move_to(call.vt_symbol, -self.lots)
        self.move_to(put.vt_symbol, -self.lots)

    def atm_vol(self, expiry: date, spot: float) -> float:
        """Implied volatility of the at-the-money call's mid (0.0 when there is none)."""
        assert self.chain is not None
        atm = self.chain.atm(spot, OptionType.CALL, expiry)
        tick = self.get_tick(atm.vt_symbol)
        if tick is None or tick.bid_price_1 <= 0 or tick.ask_price_1 <= 0:
            return 0.0
        mid = (tick.bid_price_1 + tick.ask_price_1) / 2.0
        t = max(self.chain.days_to_expiry(expiry), 0.5) / 365.0
        iv = float(implied_vol(mid, spot, float(atm.option_strike or 0.0), t, self.option_rate,
                               True))  # fmt: skip
        return iv if math.isfinite(iv) and iv > 0 else 0.0

    def delta_lots(self) -> float | None:
        """The position's delta in contracts (None when a leg has no implied volatility)."""
        greeks = self.get_greeks(self.now)
        if any(math.isnan(leg[0]) for leg in greeks.legs.values()):
            return None
        leg = self._contract(self.call_symbol)
        size = float(leg.size) if leg is not None else 10000.0
        return greeks.delta / size

    def hedge(self) -> None:
        delta = self.delta_lots()
        if delta is None:
            return
        self.delta = round(delta, 3)
        band = max(self.delta_band, 0.5)
        if abs(delta) <= band:
            return
        pair = self.synthetic()
        if pair is None:
            return
        call, put = pair
        lots = -round(delta)
        self.write_log(f"Delta {delta:+.2f} 张超出 ±{band:g}：合成期货 {lots:+d} 张（行权价 "
                       f"{self.hedge_strike:g}）")  # fmt: skip
        self.hedges += 1
        self.hedge_pending = True
        self._hedge_started = (self.now, delta, lots)
        self.hedge_targets = {
            call.vt_symbol: int(self.get_pos(call.vt_symbol)) + lots,
            put.vt_symbol: int(self.get_pos(put.vt_symbol)) - lots,
        }
        for vt_symbol, target in self.hedge_targets.items():
            self.move_to(vt_symbol, target)

    def synthetic(self) -> tuple[ContractData, ContractData] | None:
        """Call and put of the hedge strike (the ATM one when no hedge is held)."""
        leg = self._contract(self.call_symbol)
        if leg is None or self.chain is None or leg.option_expiry is None:
            return None
        expiry = leg.option_expiry.date()
        if not self.hedge_strike:
            self.hedge_strike = self.chain.atm_strike(self.spot(), expiry)
        call = self.chain.get(expiry, self.hedge_strike, OptionType.CALL)
        put = self.chain.get(expiry, self.hedge_strike, OptionType.PUT)
        return (call, put) if call is not None and put is not None else None

    def update_order(self, order: OrderData) -> None:
        super().update_order(order)
        self.check_hedge_done()

    def update_trade(self, trade: TradeData) -> None:
        super().update_trade(trade)
        self.check_hedge_done()

    def check_hedge_done(self) -> None:
        """Once every hedge order is done and the legs are at their targets, log the delta."""
        if not self.hedge_pending or self.active_orderids:
            return
        if any(self.get_pos(vt) != target for vt, target in self.hedge_targets.items()):
            return
        self.hedge_pending = False
        after = self.delta_lots()
        if self._hedge_started is not None and after is not None:
            when, before, lots = self._hedge_started
            self.hedge_log.append((when, before, lots, after))
            self.delta = round(after, 3)
            self.on_hedged(before, lots, after)

    def on_hedged(self, before: float, lots: int, after: float) -> None:
        """Called once the orders of a hedge are done, with the delta (contracts) around it."""
        self.write_log(f"对冲完成：Delta {before:+.2f} -> {after:+.2f} 张")
