"""ChainStrategyTemplate: an OptionStrategyTemplate driven by one underlying and its option chain.

What the sample strategies share: the ``underlying`` parameter (the strategy gets that ETF's
chain, rebuilt every trading day), a refusal with a Chinese message when the underlying has no
options, live subscription of the chain's front expiries, and orders that the exchange would not
refuse for a reason known in advance (priced inside the limits, on the tick, against the visible
five levels, split to the per-order maximum). Orders still unfilled after ``order_timeout``
seconds of market time are cancelled.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from vnpy.trader.constant import Direction, Offset
from vnpy.trader.object import BarData, ContractData, OrderData, SubscribeRequest, TickData
from vnpy_portfoliostrategy.base import EngineType

from ..options.chain import OptionChain, expiry_date
from . import execution
from .template import OptionStrategyTemplate


class StrategyRefused(Exception):
    """The strategy cannot run with its settings (message in Chinese, for the trader)."""


class ChainStrategyTemplate(OptionStrategyTemplate):
    """Base of strategies trading one underlying's options.

    Parameters: ``underlying`` the ETF vt_symbol ("510050.SSE"); it is added to ``vt_symbols``
    so that its ticks drive ``on_tick``. ``chain_expiries``: how many front expiries are
    subscribed live. ``order_timeout``: seconds before an unfilled order is cancelled.
    Maps: ``order_times`` vt_orderid -> send time (market time) of the strategy's live orders.
    """

    underlying: str = "510050.SSE"
    chain_expiries: int = 2
    order_timeout: float = 30.0

    parameters: list[str] = ["underlying"]
    variables: list[str] = []
    trading: bool

    def __init__(
        self,
        strategy_engine: Any,
        strategy_name: str,
        vt_symbols: list[str],
        setting: dict[str, Any],
    ) -> None:
        super().__init__(strategy_engine, strategy_name, vt_symbols, setting)
        if self.underlying and self.underlying not in self.vt_symbols:
            self.vt_symbols.append(self.underlying)
        self.chain: OptionChain | None = None
        self.refused: str = ""
        self.now: datetime | None = None
        self.order_times: dict[str, datetime] = {}

    # ------------------------------------------------------------------------------------------
    # Life cycle

    def on_init(self) -> None:
        """Live: check the chain and subscribe it. A backtest knows its contracts only once the
        replay starts: the check is made on the first tick of the underlying."""
        self.write_log("策略初始化")
        if self.get_engine_type() == EngineType.BACKTESTING:
            return
        if not self.option_engine.get_option_contracts(self.underlying):
            self.refuse(self.no_chain_message())
            return
        self.subscribe_chain()

    def no_chain_message(self) -> str:
        return (
            f"标的 {self.underlying} 没有期权链（找不到以它为标的的期权合约），策略拒绝启动；"
            "请把 underlying 参数设为有期权的 ETF，例如 510050.SSE"
        )

    def on_start(self) -> None:
        if self.refused:
            self.write_log(f"策略拒绝启动：{self.refused}")
            return
        self.write_log("策略启动")

    def on_stop(self) -> None:
        self.write_log("策略停止")

    def on_bars(self, bars: dict[str, BarData]) -> None:
        """Bars are not used: the strategies run on ticks."""

    def refuse(self, message: str) -> None:
        """Log ``message`` and never trade; a backtest stops with it (StrategyRefused)."""
        self.refused = message
        self.write_log(message)
        if self.get_engine_type() == EngineType.BACKTESTING:
            raise StrategyRefused(message)

    def ready(self, tick: TickData) -> bool:
        """Whether ``tick`` of the underlying should drive the strategy: not refused, trading,
        the chain of the tick's day known. Cancels orders older than ``order_timeout``."""
        if self.refused:
            if self.trading:  # vn.py's engine starts a strategy whatever on_start did
                self.trading = False
                self.put_event()
            return False
        if tick.vt_symbol != self.underlying or not self.trading:
            return False
        self.now = tick.datetime
        day = tick.datetime.date()
        if self.chain is None or self.chain.today != day:
            self.chain = self.get_chain(self.underlying, day)
            if not len(self.chain):
                self.refuse(self.no_chain_message())
                return False
            self.on_new_day(day)
        self.cancel_stale()
        return True

    def on_new_day(self, day: date) -> None:
        """Called when the chain of a new trading day is built."""

    # ------------------------------------------------------------------------------------------
    # Market

    def subscribe_chain(self) -> None:
        """Live: subscribe the underlying and the standard contracts of the first
        ``chain_expiries`` expiries (the backtester replays every instrument anyway)."""
        main_engine = getattr(self.strategy_engine, "main_engine", None)
        if main_engine is None:
            return
        contracts = self.option_engine.get_option_contracts(self.underlying)
        expiries = sorted({expiry_date(c) for c in contracts})[: max(self.chain_expiries, 1)]
        wanted: list[ContractData] = [c for c in contracts if expiry_date(c) in expiries]
        underlying = main_engine.get_contract(self.underlying)
        if underlying is not None:
            wanted.append(underlying)
        for c in wanted:
            main_engine.subscribe(SubscribeRequest(c.symbol, c.exchange), c.gateway_name)

    def spot(self) -> float:
        """The underlying's mid (last price when a side is empty); 0.0 before its first tick."""
        tick = self.get_tick(self.underlying)
        if tick is None:
            return 0.0
        if tick.bid_price_1 > 0 and tick.ask_price_1 > 0:
            return (tick.bid_price_1 + tick.ask_price_1) / 2.0
        return float(tick.last_price)

    def days_left(self, contract: ContractData) -> int:
        """Calendar days from the chain's day to the contract's expiry."""
        assert self.chain is not None
        return self.chain.days_to_expiry(contract)

    def expiry_at_least(self, min_days: int) -> date | None:
        """The nearest expiry at least ``min_days`` calendar days away."""
        assert self.chain is not None
        for expiry in self.chain.expiries():
            if self.chain.days_to_expiry(expiry) >= min_days:
                return expiry
        return None

    # ------------------------------------------------------------------------------------------
    # Orders

    def take(
        self,
        vt_symbol: str,
        direction: Direction,
        offset: Offset,
        volume: int,
        covered: bool = False,
    ) -> list[str]:
        """Orders that trade ``volume`` now against the visible book: priced at the worst
        level needed, inside the limits, on the tick, split to the per-order maximum. Nothing
        is sent (and [] returned) without a tick of today or with an empty side."""
        tick = self.get_tick(vt_symbol)
        if tick is None or volume <= 0:
            return []
        if self.now is not None and tick.datetime.date() != self.now.date():
            return []  # yesterday's book: no market data yet today, the counter would refuse
        pricetick = self.get_pricetick(vt_symbol) or 0.0001
        price = execution.order_price(tick, direction, int(volume), pricetick)
        if not price:
            return []
        contract = self._contract(vt_symbol)
        cap = int(contract.max_volume) if contract and contract.max_volume else None
        vt_orderids: list[str] = []
        for part in execution.split_volume(int(volume), cap or execution.MAX_LIMIT_VOLUME):
            if covered:
                ids = self._send_covered(vt_symbol, direction, offset, price, part)
            else:
                ids = self.send_order(vt_symbol, direction, offset, price, part)
            vt_orderids.extend(ids)
        if self.now is not None:
            for vt_orderid in vt_orderids:
                self.order_times[vt_orderid] = self.now
        return vt_orderids

    def move_to(self, vt_symbol: str, target: int) -> list[str]:
        """Trade ``vt_symbol`` towards the net position ``target``: closes first, then opens."""
        pos = int(self.get_pos(vt_symbol))
        diff = target - pos
        ids: list[str] = []
        if diff > 0:
            close = min(diff, max(-pos, 0))
            ids += self.take(vt_symbol, Direction.LONG, Offset.CLOSE, close)
            ids += self.take(vt_symbol, Direction.LONG, Offset.OPEN, diff - close)
        elif diff < 0:
            close = min(-diff, max(pos, 0))
            ids += self.take(vt_symbol, Direction.SHORT, Offset.CLOSE, close)
            ids += self.take(vt_symbol, Direction.SHORT, Offset.OPEN, -diff - close)
        return ids

    def busy(self, vt_symbol: str | None = None) -> bool:
        """Whether the strategy has live orders (on ``vt_symbol`` when given)."""
        if vt_symbol is None:
            return bool(self.active_orderids)
        for vt_orderid in self.active_orderids:
            order = self.orders.get(vt_orderid)
            if order is None or order.vt_symbol == vt_symbol:
                return True
        return False

    def cancel_stale(self) -> None:
        """Cancel the live orders sent more than ``order_timeout`` seconds ago."""
        if self.now is None:
            return
        for vt_orderid in list(self.active_orderids):
            sent = self.order_times.get(vt_orderid)
            if sent is not None and (self.now - sent).total_seconds() >= self.order_timeout:
                self.cancel_order(vt_orderid)

    def update_order(self, order: OrderData) -> None:
        super().update_order(order)
        if not order.is_active():
            self.order_times.pop(order.vt_orderid, None)
