"""What the sessions and desks need from the gateway and from the td session, as Protocols (so
no module imports the class that uses it), the callback guard, and texts shared by the sessions.

Layering: ``ctpsopt_gateway`` (CtpsoptGateway) owns ``md_session`` and ``td_session``; the td
session owns ``orders`` (OrderDesk) and the ``desks`` (SideDesk for exercise, lock, quote,
combined exercise). Those lower modules see the gateway as a ``GatewayPort`` and the td session
as a ``TdContext``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, Protocol, TypeVar, cast

from vnpy.trader.constant import Exchange, Status
from vnpy.trader.object import (
    AccountData,
    ContractData,
    OrderData,
    OrderRequest,
    PositionData,
    QuoteData,
    TickData,
    TradeData,
)

from ..api import TdApi
from .mapping import DISCONNECT_REASONS
from .parsing import Data
from .state import ContractCache, QueryScheduler, RefAllocator

STATUS_WORDS: dict[Status, str] = {
    Status.SUBMITTING: "已提交",
    Status.NOTTRADED: "已接受",
    Status.PARTTRADED: "部分完成",
    Status.ALLTRADED: "成功",
    Status.CANCELLED: "已撤销",
    Status.REJECTED: "被拒绝",
}


def disconnect_text(reason: int) -> str:
    """OnFrontDisconnected reason in words."""
    return f"{DISCONNECT_REASONS.get(reason, '未知原因')}（{reason:#x}）"


class GatewayPort(Protocol):
    """The gateway as the sessions see it (CtpsoptGateway implements it)."""

    @property
    def gateway_name(self) -> str: ...

    @property
    def contracts(self) -> ContractCache: ...

    def on_tick(self, tick: TickData) -> None: ...
    def on_order(self, order: OrderData) -> None: ...
    def on_trade(self, trade: TradeData) -> None: ...
    def on_position(self, position: PositionData) -> None: ...
    def on_account(self, account: AccountData) -> None: ...
    def on_contract(self, contract: ContractData) -> None: ...
    def on_quote(self, quote: QuoteData) -> None: ...
    def on_event(self, type: str, data: object = None) -> None: ...  # noqa: A002 - vn.py name
    def write_log(self, msg: str) -> None: ...
    def write_error(self, msg: str) -> None: ...
    def write_throttled(self, msg: str, error: bool = False, key: str = "") -> None: ...
    def on_for_quote_rsp(self, data: Data) -> None: ...


class TdContext(Protocol):
    """The td session as its desks see it (CtpsoptTdSession implements it).

    Desks mutate their own state under ``lock`` (the session's) and call the api outside it."""

    @property
    def gateway(self) -> GatewayPort: ...

    @property
    def gateway_name(self) -> str: ...

    @property
    def contracts(self) -> ContractCache: ...

    @property
    def lock(self) -> threading.RLock: ...

    @property
    def api(self) -> TdApi | None: ...

    @property
    def frontid(self) -> int: ...

    @property
    def sessionid(self) -> int: ...

    @property
    def login_status(self) -> bool: ...

    @property
    def contract_inited(self) -> bool: ...

    @property
    def scheduler(self) -> QueryScheduler: ...

    @property
    def order_refs(self) -> RefAllocator: ...

    def next_reqid(self) -> int: ...
    def ids(self) -> tuple[str, str]: ...
    def exchange_of(self, data: Data) -> Exchange | None: ...
    def refresh_after_trade(self, covered: bool = False) -> None: ...
    def refresh_lock_positions(self) -> None: ...
    def limit_refusal(self, req: OrderRequest, contract: ContractData | None) -> str: ...


class HasGateway(Protocol):
    @property
    def gateway(self) -> GatewayPort: ...


P = ParamSpec("P")
S = TypeVar("S", bound=HasGateway)


def guarded(func: Callable[Concatenate[S, P], None]) -> Callable[Concatenate[S, P], None]:
    """Callback wrapper: nothing raised by a handler ever reaches the backend; it is logged."""

    @wraps(func)
    def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> None:
        try:
            func(self, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            self.gateway.write_error(f"{func.__name__} 处理异常：{exc!r}")

    return cast(Callable[Concatenate[S, P], None], wrapper)
