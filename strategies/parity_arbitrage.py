"""Put-call parity arbitrage: a conversion and a reversal on two strikes (a box)."""

from __future__ import annotations

import math
from datetime import date
from typing import NamedTuple

import numpy as np
from vnpy.trader.constant import Direction, OptionType
from vnpy.trader.object import ContractData, TickData

from vnpy_ctpsopt.core.margin import broker_margin, short_margin
from vnpy_ctpsopt.strategy import chain_template as base
from vnpy_ctpsopt.strategy import execution


class Box(NamedTuple):
    """A long box of ``lots``: long synthetic at ``low`` (buy call, sell put: a reversal
    without its short ETF leg) and short synthetic at ``high`` (sell call, buy put: a
    conversion without its long ETF leg); the ETF legs cancel. It pays ``high - low`` per share
    at expiry. ``cost`` per share at the depth-walked prices, ``edge`` CNY per box after fees
    and the cost of margin."""

    low: float
    high: float
    lots: int
    cost: float
    edge: float


class StrikeQuotes(NamedTuple):
    """Per strike (ascending) for ``lots`` contracts: ``long_syn`` = call ask VWAP - put bid
    VWAP (buying the synthetic), ``short_syn`` = call bid VWAP - put ask VWAP (selling it);
    nan where the visible depth is shorter than ``lots``."""

    strikes: np.ndarray
    long_syn: np.ndarray
    short_syn: np.ndarray


def best_box(
    quotes: StrikeQuotes, lots: int, size: float, discount: float, fixed_costs: float,
    margin_cost: np.ndarray,
) -> Box | None:  # fmt: skip
    """The long box with the largest edge: for strikes a < b,
    edge = [(K_b - K_a) x discount - (long_syn_a - short_syn_b)] x size - fixed_costs
    - margin_cost[a, b] (CNY per box; ``margin_cost`` of the short put at a and the short call
    at b over the life of the box). None when no pair has both synthetics quoted."""
    k = quotes.strikes
    cost = quotes.long_syn[:, None] - quotes.short_syn[None, :]
    payoff = (k[None, :] - k[:, None]) * discount
    edge = (payoff - cost) * size - fixed_costs - margin_cost
    edge = np.where(k[None, :] > k[:, None] + 1e-9, edge, np.nan)
    if np.all(np.isnan(edge)):
        return None
    a, b = np.unravel_index(int(np.nanargmax(edge)), edge.shape)
    return Box(float(k[a]), float(k[b]), lots, float(cost[a, b]), float(edge[a, b]))


class ParityArbitrageStrategy(base.ChainStrategyTemplate):
    """期权平价套利：转换 + 反转（箱体）。

    Idea: put-call parity makes call - put + K x discount the same forward at every strike.
    A conversion (long ETF, short synthetic) and a reversal (short ETF, long synthetic) need
    the ETF leg, which an option counter does not trade; a reversal at a low strike together
    with a conversion at a high strike cancels the ETF legs and leaves a box: four options that
    pay the strike difference at expiry whatever the market does. The strategy buys the box
    when its price at the five-level depth actually displayed for ``max_lots`` (or fewer) boxes
    is below the discounted payoff by at least ``min_edge`` CNY per box after fees
    (``fee_per_contract`` for each of the 8 contract trades, open and close) and after the cost
    of the margin the two short legs hold until expiry (``margin_rate`` a year). It sells the
    box back when selling now beats holding it, and closes at ``close_days`` before expiry.

    Risks: legging (one leg fills, another does not: the strategy completes the missing legs at
    the market); early assignment does not exist for these European options but margin does
    rise on the short legs when the market moves, and an account short of cash cannot hold the
    box; displayed depth can vanish before the orders arrive; true mispricings are rare and
    small, so fees decide.

    Parameters:
    - ``underlying``: ETF vt_symbol, e.g. "510050.SSE".
    - ``max_lots``: boxes bought at most per entry (and held at most).
    - ``min_edge``: CNY per box the trade must earn after every cost.
    - ``fee_per_contract``: all-in fee assumed per contract traded (open and close alike).
    - ``margin_rate``: annual cost of the cash tied up as margin.
    - ``margin_markup``: broker markup on the exchange margin (0.1 = +10%).
    - ``min_days`` / ``close_days``: expiries used / closing days before expiry.
    - ``interval``: seconds of market time between two scans.
    """

    author: str = "vnpy_ctpsopt"

    max_lots: int = 5
    min_edge: float = 20.0
    fee_per_contract: float = 2.0
    margin_rate: float = 0.03
    margin_markup: float = 0.1
    min_days: int = 5
    close_days: int = 2
    interval: float = 5.0

    boxes: int = 0
    box_strikes: str = ""
    last_edge: float = 0.0

    parameters: list[str] = [
        "underlying", "max_lots", "min_edge", "fee_per_contract", "margin_rate",
        "margin_markup", "min_days", "close_days", "interval",
    ]  # fmt: skip
    variables: list[str] = ["boxes", "box_strikes", "last_edge"]

    def on_init(self) -> None:
        super().on_init()
        self.last_decision: float = -1e18
        self.legs: dict[str, int] = {}  # vt_symbol -> target net position of the held box
        self.entries: list[Box] = []

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
        if self.legs and not any(self.get_pos(vt) for vt in self.legs):
            self.legs = {}
            self.boxes = 0

    # ------------------------------------------------------------------------------------------

    def decide(self) -> None:
        unfinished = [vt for vt, target in self.legs.items() if self.get_pos(vt) != target]
        if unfinished:  # a leg did not fill: complete the box at the market
            for vt_symbol in unfinished:
                self.move_to(vt_symbol, self.legs[vt_symbol])
            return
        if self.legs:
            self.manage()
            return
        expiry = self.expiry_at_least(max(self.min_days, self.close_days + 1))
        if expiry is None:
            return
        box, legs = self.scan(expiry)
        if box is None:
            return
        self.last_edge = round(box.edge, 2)
        if box.edge < self.min_edge:
            return
        self.write_log(
            f"买入箱体 {box.lots} 组：{box.low:g}/{box.high:g}，成本 {box.cost:.4f}，"
            f"扣除费用和保证金成本后每组 {box.edge:.2f} 元"
        )
        self.entries.append(box)
        self.boxes = box.lots
        self.box_strikes = f"{box.low:g}/{box.high:g}"
        self.legs = {vt: sign * box.lots for vt, sign in legs.items()}
        for vt_symbol, target in self.legs.items():
            self.move_to(vt_symbol, target)

    def manage(self) -> None:
        """Sell the box back when it pays now more than at expiry, or near expiry."""
        contracts = [self._contract(vt) for vt in self.legs]
        if any(c is None for c in contracts) or self.chain is None:
            return
        first = contracts[0]
        assert first is not None
        days = self.days_left(first)
        if days <= self.close_days:
            self.write_log(f"距到期 {days} 天，卖出箱体")
            self.close_box()
            return
        proceeds = 0.0
        for vt_symbol, target in self.legs.items():
            tick = self.get_tick(vt_symbol)
            if tick is None:
                return
            direction = Direction.SHORT if target > 0 else Direction.LONG
            got = execution.take(tick, direction, abs(target))
            if got.volume < abs(target):
                return
            proceeds += got.vwap * (1 if target > 0 else -1)
        strikes = [float(c.option_strike or 0.0) for c in contracts if c is not None]
        payoff = (max(strikes) - min(strikes)) * self.discount(days)
        size = float(first.size)
        gain = (proceeds - payoff) * size - 4 * self.fee_per_contract
        if gain > 0:
            self.write_log(f"卖出箱体比持有到期多得 {gain:.2f} 元/组，平仓")
            self.close_box()

    def close_box(self) -> None:
        self.legs = {vt: 0 for vt in self.legs}
        for vt_symbol in self.legs:
            self.move_to(vt_symbol, 0)

    def discount(self, days: float) -> float:
        return math.exp(-self.option_rate * max(days, 0) / 365.0)

    def scan(self, expiry: date) -> tuple[Box | None, dict[str, int]]:
        """The best box of ``expiry`` for the largest lot count the depth allows (down to 1);
        its legs as vt_symbol -> +1/-1 per box."""
        assert self.chain is not None
        pairs: list[tuple[float, ContractData, ContractData]] = []
        for strike in self.chain.strikes(expiry):
            call = self.chain.get(expiry, strike, OptionType.CALL)
            put = self.chain.get(expiry, strike, OptionType.PUT)
            if call is not None and put is not None:
                pairs.append((strike, call, put))
        spot = self.spot()
        if len(pairs) < 2 or not spot:
            return None, {}
        days = self.chain.days_to_expiry(expiry)
        size = float(pairs[0][1].size)
        years = max(days, 0.5) / 365.0
        put_margin = np.array([self.margin_of(p, spot) for _, _, p in pairs])
        call_margin = np.array([self.margin_of(c, spot) for _, c, _ in pairs])
        margin = (put_margin[:, None] + call_margin[None, :]) * self.margin_rate * years
        fixed = 8 * self.fee_per_contract
        for lots in range(max(self.max_lots, 1), 0, -1):
            quotes = self.quotes(pairs, lots)
            if quotes is None:
                continue
            box = best_box(quotes, lots, size, self.discount(days), fixed, margin)
            if box is None or box.edge < self.min_edge and lots > 1:
                continue
            low = next(p for p in pairs if abs(p[0] - box.low) < 1e-9)
            high = next(p for p in pairs if abs(p[0] - box.high) < 1e-9)
            legs = {low[1].vt_symbol: 1, low[2].vt_symbol: -1,
                    high[1].vt_symbol: -1, high[2].vt_symbol: 1}  # fmt: skip
            return box, legs
        return None, {}

    def quotes(
        self, pairs: list[tuple[float, ContractData, ContractData]], lots: int
    ) -> StrikeQuotes | None:
        n = len(pairs)
        long_syn = np.full(n, np.nan)
        short_syn = np.full(n, np.nan)
        for i, (_, call, put) in enumerate(pairs):
            ct, pt = self.get_tick(call.vt_symbol), self.get_tick(put.vt_symbol)
            if ct is None or pt is None:
                continue
            c_ask = execution.take(ct, Direction.LONG, lots)
            c_bid = execution.take(ct, Direction.SHORT, lots)
            p_ask = execution.take(pt, Direction.LONG, lots)
            p_bid = execution.take(pt, Direction.SHORT, lots)
            if c_ask.volume == lots and p_bid.volume == lots:
                long_syn[i] = c_ask.vwap - p_bid.vwap
            if c_bid.volume == lots and p_ask.volume == lots:
                short_syn[i] = c_bid.vwap - p_ask.vwap
        if np.all(np.isnan(long_syn)) or np.all(np.isnan(short_syn)):
            return None
        return StrikeQuotes(np.array([p[0] for p in pairs]), long_syn, short_syn)

    def margin_of(self, contract: ContractData, spot: float) -> float:
        """Broker margin of one short contract at the latest prices (the counter charges the
        opening margin on the previous settlement: close enough for a cost estimate)."""
        tick = self.get_tick(contract.vt_symbol)
        premium = float(tick.pre_close or tick.last_price) if tick is not None else 0.0
        exch = short_margin(contract.option_type == OptionType.CALL, premium, spot,
                            float(contract.option_strike or 0.0), float(contract.size))  # fmt: skip
        return broker_margin(exch, self.margin_markup)
