"""OptionEngine over vnpy_portfoliostrategy's live StrategyEngine, a MainEngine and CtpsoptGateway.

One ``LiveOptionEngine`` serves every strategy of one StrategyEngine (``for_engine`` keeps it on
the engine). Covered orders go through ``CtpsoptGateway.send_covered_order`` and are registered
in the StrategyEngine's ``orderid_strategy_map``, so their order/trade events reach the strategy
like those of ``send_order``. Lock and exercise updates arrive as ``EVENT_CTPSOPT_LOCK`` /
``EVENT_CTPSOPT_EXERCISE`` events and are turned into ``update_lock`` / ``update_position``
calls on the strategy that sent them.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from functools import partial
from typing import TYPE_CHECKING, Any

from vnpy.event import Event
from vnpy.trader.constant import Direction, Offset, OptionType, OrderType, Product, Status
from vnpy.trader.event import EVENT_TRADE
from vnpy.trader.object import ContractData, OrderRequest, TickData, TradeData
from vnpy.trader.utility import extract_vt_symbol, round_to

from ..gateway.events import (
    EVENT_CTPSOPT_EXERCISE,
    EVENT_CTPSOPT_LOCK,
    ExerciseData,
    ExerciseRequest,
    LockData,
    LockRequest,
    LockType,
)
from .protocol import DETAIL_COVERED, DETAIL_EXERCISING, DETAIL_LOCKED

if TYPE_CHECKING:
    from vnpy_portfoliostrategy import StrategyEngine, StrategyTemplate

_ATTR: str = "_ctpsopt_option_engine"
REFERENCE_PREFIX: str = "PortfolioStrategy_"  # vnpy_portfoliostrategy's APP_NAME + "_"


class _Pending:
    """A lock or exercise request of one strategy, until it is done or refused."""

    def __init__(self, strategy: StrategyTemplate, vt_symbol: str, volume: float) -> None:
        self.strategy = strategy
        self.vt_symbol = vt_symbol
        self.volume = volume
        self.accepted = False


class LiveOptionEngine:
    """The live OptionEngine.

    Maps: ``covered_orders`` vt_orderid -> strategy (covered orders sent), ``locks`` /
    ``exercises`` vt_lockid / vt_exerciseid -> pending request, ``details`` strategy name ->
    vt_symbol -> DETAIL_* -> volume.
    """

    def __init__(self, strategy_engine: StrategyEngine) -> None:
        self.strategy_engine = strategy_engine
        self.main_engine = strategy_engine.main_engine
        self.event_engine = strategy_engine.event_engine
        self._lock = threading.Lock()
        self.covered_orders: dict[str, StrategyTemplate] = {}
        self.locks: dict[str, _Pending] = {}
        self.exercises: dict[str, _Pending] = {}
        self.details: dict[str, dict[str, dict[str, float]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(float))
        )
        self.event_engine.register(EVENT_TRADE, self._on_trade)
        self.event_engine.register(EVENT_CTPSOPT_LOCK, self._on_lock)
        self.event_engine.register(EVENT_CTPSOPT_EXERCISE, self._on_exercise)

    @classmethod
    def for_engine(cls, strategy_engine: Any) -> LiveOptionEngine:
        """The engine's shared adapter (created at the first call)."""
        existing = getattr(strategy_engine, _ATTR, None)
        if isinstance(existing, LiveOptionEngine):
            return existing
        engine = cls(strategy_engine)
        setattr(strategy_engine, _ATTR, engine)
        return engine

    def close(self) -> None:
        self.event_engine.unregister(EVENT_TRADE, self._on_trade)
        self.event_engine.unregister(EVENT_CTPSOPT_LOCK, self._on_lock)
        self.event_engine.unregister(EVENT_CTPSOPT_EXERCISE, self._on_exercise)

    # ------------------------------------------------------------------------------------------
    # Requests

    def _gateway(self, contract: ContractData) -> Any:
        gateway = self.main_engine.get_gateway(contract.gateway_name)
        return gateway if gateway is not None and hasattr(gateway, "send_lock") else None

    def _contract(self, strategy: StrategyTemplate, vt_symbol: str, what: str) -> ContractData | None:
        contract: ContractData | None = self.main_engine.get_contract(vt_symbol)
        if contract is None:
            self.strategy_engine.write_log(f"{what}失败，找不到合约：{vt_symbol}", strategy)
            return None
        if self._gateway(contract) is None:
            self.strategy_engine.write_log(
                f"{what}失败，合约{vt_symbol}所在接口不支持股票期权业务", strategy
            )
            return None
        return contract

    def send_covered_order(
        self,
        strategy: StrategyTemplate,
        vt_symbol: str,
        direction: Direction,
        offset: Offset,
        price: float,
        volume: float,
    ) -> list[str]:
        contract = self._contract(strategy, vt_symbol, "备兑委托")
        if contract is None:
            return []
        req = OrderRequest(
            symbol=contract.symbol,
            exchange=contract.exchange,
            direction=direction,
            offset=offset,
            type=OrderType.LIMIT,
            price=round_to(price, contract.pricetick),
            volume=round_to(volume, contract.min_volume),
            reference=REFERENCE_PREFIX + strategy.strategy_name,
        )
        # Registered after sending, as StrategyEngine.send_order does (events are queued).
        vt_orderid: str = self._gateway(contract).send_covered_order(req)
        if not vt_orderid:
            return []
        with self._lock:
            self.covered_orders[vt_orderid] = strategy
        self.strategy_engine.orderid_strategy_map[vt_orderid] = strategy
        return [vt_orderid]

    def send_lock(self, strategy: StrategyTemplate, vt_symbol: str, lock: bool, volume: int) -> str:
        contract = self._contract(strategy, vt_symbol, "锁定" if lock else "解锁")
        if contract is None:
            return ""
        req = LockRequest(
            contract.symbol,
            contract.exchange,
            volume,
            LockType.LOCK if lock else LockType.UNLOCK,
            reference=REFERENCE_PREFIX + strategy.strategy_name,
        )
        with self._lock:
            vt_lockid: str = self._gateway(contract).send_lock(req)
            if vt_lockid:
                self.locks[vt_lockid] = _Pending(strategy, vt_symbol, volume if lock else -volume)
        return vt_lockid

    def send_exercise(self, strategy: StrategyTemplate, vt_symbol: str, volume: int) -> str:
        contract = self._contract(strategy, vt_symbol, "行权")
        if contract is None:
            return ""
        req = ExerciseRequest(
            contract.symbol,
            contract.exchange,
            volume,
            reference=REFERENCE_PREFIX + strategy.strategy_name,
        )
        with self._lock:
            vt_exerciseid: str = self._gateway(contract).send_exercise(req)
            if vt_exerciseid:
                self.exercises[vt_exerciseid] = _Pending(strategy, vt_symbol, volume)
        return vt_exerciseid

    # ------------------------------------------------------------------------------------------
    # Queries

    def get_option_contracts(self, underlying: str) -> list[ContractData]:
        symbol, exchange = extract_vt_symbol(underlying)
        portfolio = f"{symbol}_O"
        return [
            c
            for c in self.main_engine.get_all_contracts()
            if c.product == Product.OPTION
            and c.exchange == exchange
            and c.option_portfolio == portfolio
        ]

    def get_tick(self, vt_symbol: str) -> TickData | None:
        tick: TickData | None = self.main_engine.get_tick(vt_symbol)
        return tick

    def get_position_detail(self, strategy: StrategyTemplate) -> dict[str, dict[str, float]]:
        with self._lock:
            per = self.details.get(strategy.strategy_name, {})
            return {
                vt_symbol: {k: v for k, v in d.items() if v}
                for vt_symbol, d in per.items()
                if any(d.values())
            }

    # ------------------------------------------------------------------------------------------
    # Events (event engine thread, like vnpy_portfoliostrategy's own handlers)

    def _on_trade(self, event: Event) -> None:
        trade: TradeData = event.data
        with self._lock:
            strategy = self.covered_orders.get(trade.vt_orderid)
            if strategy is None:
                return
            sign = -1.0 if trade.direction == Direction.SHORT else 1.0
            d = self.details[strategy.strategy_name][trade.vt_symbol]
            d[DETAIL_COVERED] = max(d[DETAIL_COVERED] - sign * trade.volume, 0.0)

    def _on_lock(self, event: Event) -> None:
        data: LockData = event.data
        with self._lock:
            pending = self.locks.get(data.vt_lockid)
            if pending is None or data.status not in (Status.ALLTRADED, Status.REJECTED):
                return
            del self.locks[data.vt_lockid]
            if data.status == Status.ALLTRADED:
                d = self.details[pending.strategy.strategy_name][pending.vt_symbol]
                d[DETAIL_LOCKED] = max(d[DETAIL_LOCKED] + pending.volume, 0.0)
        if data.status == Status.ALLTRADED:
            update = getattr(pending.strategy, "update_lock", None)
            if update is not None:
                self.strategy_engine.call_strategy_func(
                    pending.strategy, partial(update, pending.vt_symbol, pending.volume)
                )

    def _on_exercise(self, event: Event) -> None:
        data: ExerciseData = event.data
        with self._lock:
            pending = self.exercises.get(data.vt_exerciseid)
            if pending is None:
                return
            d = self.details[pending.strategy.strategy_name][pending.vt_symbol]
            if data.status == Status.NOTTRADED and not pending.accepted:
                pending.accepted = True
                d[DETAIL_EXERCISING] += pending.volume
                return
            if data.status not in (Status.ALLTRADED, Status.CANCELLED, Status.REJECTED):
                return
            del self.exercises[data.vt_exerciseid]
            if pending.accepted:
                d[DETAIL_EXERCISING] = max(d[DETAIL_EXERCISING] - pending.volume, 0.0)
        if data.status == Status.ALLTRADED:
            self._deliver(pending)

    def _deliver(self, pending: _Pending) -> None:
        """An executed exercise: the option position goes, the ETF moves by volume x size."""
        strategy = pending.strategy
        update = getattr(strategy, "update_position", None)
        if update is None:
            return
        func = self.strategy_engine.call_strategy_func
        func(strategy, partial(update, pending.vt_symbol, -pending.volume))
        contract = self.main_engine.get_contract(pending.vt_symbol)
        if contract is None or not contract.option_portfolio:
            return
        etf = f"{contract.option_portfolio.removesuffix('_O')}.{contract.exchange.value}"
        shares = pending.volume * contract.size
        sign = 1.0 if contract.option_type == OptionType.CALL else -1.0
        func(strategy, partial(update, etf, sign * shares))
