"""A real vn.py MainEngine + EventEngine with the gateway connected to a fresh simulated counter.

Every wait is on events with a timeout; nothing sleeps for a fixed time.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from vnpy.event import Event, EventEngine
from vnpy.trader.constant import Direction, Exchange, Offset, OrderType, Product
from vnpy.trader.engine import MainEngine
from vnpy.trader.event import (
    EVENT_ACCOUNT,
    EVENT_CONTRACT,
    EVENT_LOG,
    EVENT_ORDER,
    EVENT_POSITION,
    EVENT_TICK,
    EVENT_TRADE,
)
from vnpy.trader.object import (
    ContractData,
    OrderData,
    OrderRequest,
    PositionData,
    SubscribeRequest,
    TickData,
)

from vnpy_ctpsopt import CtpsoptGateway
from vnpy_ctpsopt.sim.counter import SessionRef
from vnpy_ctpsopt.sim.exchange import SimExchange, get_sim_exchange

TIMEOUT = 15.0
_names = itertools.count(1)


def sim_name(prefix: str = "gw") -> str:
    return f"{prefix}{next(_names)}x{threading.get_ident() % 10000}"


class Harness:
    """One MainEngine, one or more gateways, every event recorded in order."""

    def __init__(self) -> None:
        self.event_engine = EventEngine()
        self.main_engine = MainEngine(self.event_engine)
        self.events: list[Event] = []
        self.cond = threading.Condition()
        self.event_engine.register_general(self._record)

    def _record(self, event: Event) -> None:
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def add(
        self, name: str = "CTPSOPT", cls: type[CtpsoptGateway] = CtpsoptGateway
    ) -> CtpsoptGateway:
        gateway = self.main_engine.add_gateway(cls, name)
        assert isinstance(gateway, CtpsoptGateway)
        gateway.td.scheduler.interval = 0.02
        return gateway

    def connect(
        self,
        gateway: CtpsoptGateway,
        sim: str,
        user: str = "u1",
        params: str = "seed=7&state=memory&qps=100&reconnect=0.2",
        wait: bool = True,
        resume: str = "QUICK",
    ) -> None:
        address = f"sim://{sim}?{params}"
        setting = {
            "用户名": user,
            "密码": "pw",
            "交易服务器": address,
            "行情服务器": address,
            "私有流模式": resume,
        }
        self.main_engine.connect(setting, gateway.gateway_name)
        if wait:
            self.wait_log("合约信息查询成功", gateway.gateway_name)
            self.wait(lambda e: e.type == EVENT_ACCOUNT and e.data.gateway_name == gateway.gateway_name)
            self.wait_resync(gateway)

    def wait_resync(self, gateway: CtpsoptGateway) -> None:
        assert poll(lambda: gateway.td.resync_done and not gateway.td.scheduler.pending()), (
            gateway.td.scheduler.pending()
        )

    def close(self) -> None:
        self.main_engine.close()

    # -- waiting --------------------------------------------------------------------------------

    def wait(self, predicate: Callable[[Event], bool], timeout: float = TIMEOUT, start: int = 0) -> Event:
        deadline = time.monotonic() + timeout
        with self.cond:
            index = start
            while True:
                while index < len(self.events):
                    event = self.events[index]
                    index += 1
                    if predicate(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("event not seen")
                self.cond.wait(remaining)

    def mark(self) -> int:
        with self.cond:
            return len(self.events)

    def wait_log(self, fragment: str, gateway_name: str = "", start: int = 0) -> str:
        event = self.wait(
            lambda e: e.type == EVENT_LOG
            and fragment in e.data.msg
            and (not gateway_name or e.data.gateway_name == gateway_name),
            start=start,
        )
        return str(event.data.msg)

    def wait_order(self, vt_orderid: str, statuses: set[str], start: int = 0) -> OrderData:
        event = self.wait(
            lambda e: e.type == EVENT_ORDER
            and e.data.vt_orderid == vt_orderid
            and e.data.status.name in statuses,
            start=start,
        )
        return event.data  # type: ignore[no-any-return]

    def of(self, kind: str, start: int = 0) -> list[Any]:
        with self.cond:
            return [e.data for e in self.events[start:] if e.type == kind]

    def logs(self, start: int = 0) -> list[str]:
        return [d.msg for d in self.of(EVENT_LOG, start)]

    def tick(self, vt_symbol: str, start: int = 0) -> TickData:
        event = self.wait(
            lambda e: e.type == EVENT_TICK and e.data.vt_symbol == vt_symbol, start=start
        )
        return event.data  # type: ignore[no-any-return]

    # -- trading helpers ------------------------------------------------------------------------

    def options(self, gateway: CtpsoptGateway, exchange: Exchange) -> list[ContractData]:
        return sorted(
            (
                c
                for c in gateway.contracts.by_symbol.values()
                if c.product == Product.OPTION and c.exchange == exchange
            ),
            key=lambda c: c.symbol,
        )

    def liquid_call(
        self, gateway: CtpsoptGateway, exchange: Exchange, underlying: str = ""
    ) -> tuple[ContractData, TickData]:
        """A standard-series call with a two-sided book, and its latest tick."""
        for contract in self.options(gateway, exchange):
            if contract.option_type is None or contract.option_type.name != "CALL":
                continue
            if contract.size != 10000 or (underlying and contract.option_portfolio != f"{underlying}_O"):
                continue
            start = self.mark()
            self.main_engine.subscribe(SubscribeRequest(contract.symbol, exchange), gateway.gateway_name)
            tick = self.tick(contract.vt_symbol, start)
            if tick.ask_price_1 and tick.bid_price_1 and tick.ask_price_1 > 0.002:
                return contract, tick
        raise AssertionError("no liquid call")

    def send(
        self,
        gateway: CtpsoptGateway,
        contract: ContractData,
        direction: Direction,
        offset: Offset,
        price: float,
        volume: float,
        order_type: OrderType = OrderType.LIMIT,
        covered: bool = False,
    ) -> str:
        req = OrderRequest(
            contract.symbol, contract.exchange, direction, order_type, volume, price, offset
        )
        if covered:
            return gateway.send_covered_order(req)
        return self.main_engine.send_order(req, gateway.gateway_name)


def poll(predicate: Callable[[], bool], timeout: float = TIMEOUT) -> bool:
    """Re-check a condition every 10 ms until it holds or the timeout passes."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            return False
        pause.wait(0.01)
    return True


def exchange_of(name: str) -> SimExchange:
    exchange = get_sim_exchange(name)
    assert exchange is not None
    return exchange


def counter_rows(name: str, user: str, table: str) -> list[dict[str, Any]]:
    """What the simulated counter itself holds for ``user`` (its query rows)."""
    exchange = exchange_of(name)
    with exchange.lock:
        return exchange.counter.query(SessionRef(0, 0, "", user), table, {})


def counter_positions(name: str, user: str) -> dict[tuple[str, str, str], float]:
    """(InstrumentID, PosiDirection, HedgeFlag) -> Position, summed, non-zero only."""
    result: dict[tuple[str, str, str], float] = {}
    for row in counter_rows(name, user, "investor_position"):
        key = (row["InstrumentID"], row["PosiDirection"], row["HedgeFlag"])
        result[key] = result.get(key, 0) + row["Position"]
    return {k: v for k, v in result.items() if v}


def gateway_positions(harness: Harness, gateway_name: str) -> dict[tuple[str, str, str], float]:
    """The same view from what the gateway pushed into vn.py's OMS."""
    result: dict[tuple[str, str, str], float] = {}
    for p in harness.main_engine.get_all_positions():
        if p.gateway_name != gateway_name or not p.volume or (p.extra or {}).get("locked"):
            continue
        extra = p.extra or {}
        direction = {"LONG": "2", "SHORT": "3", "NET": "1"}[p.direction.name]
        result[(extra["instrument"], direction, extra["hedge_flag"])] = p.volume
    return result


def positions_agree(harness: Harness, gateway: CtpsoptGateway, sim: str, user: str = "u1") -> bool:
    """Wait (bounded) until vn.py's positions equal the counter's, as after a refresh."""
    return poll(lambda: gateway_positions(harness, gateway.gateway_name) == counter_positions(sim, user))


def account_agrees(harness: Harness, gateway: CtpsoptGateway, sim: str, user: str = "u1") -> bool:
    def check() -> bool:
        rows = counter_rows(sim, user, "trading_account")
        account = harness.main_engine.get_account(f"{gateway.gateway_name}.{user}")
        return bool(rows) and account is not None and (
            abs(account.balance - rows[0]["Balance"]) < 1e-6
            and abs(account.available - rows[0]["Available"]) < 1e-6
        )

    return poll(check)


def position(harness: Harness, vt_positionid: str) -> PositionData | None:
    return harness.main_engine.get_position(vt_positionid)


__all__ = [
    "EVENT_CONTRACT",
    "EVENT_POSITION",
    "EVENT_TICK",
    "EVENT_TRADE",
    "Harness",
    "account_agrees",
    "counter_positions",
    "exchange_of",
    "poll",
    "position",
    "positions_agree",
    "sim_name",
]
