"""Position limits (限仓, sopt-rules A.8): the counter's quota per underlying (ReqQryLimitPosi)
and the local check of an opening order against it. Pure functions.

Counted per underlying over all strikes and months: 权利仓 (long) = long calls + long puts,
总持仓 (total) = every long and short position, covered included, 单日买入开仓 (open) = the
buy-opens of today. Pending opening orders count as if filled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from vnpy.trader.constant import Direction, Offset, Product
from vnpy.trader.object import ContractData, OrderData, OrderRequest, PositionData

from .parsing import Data


@dataclass
class PositionLimit:
    """The quota of one underlying (0 = no limit) and what is used of it."""

    underlying: str
    long_limit: int = 0
    total_limit: int = 0
    open_limit: int = 0
    used: dict[str, float] = field(default_factory=lambda: {"long": 0, "total": 0, "open": 0})

    def text(self) -> str:
        u = self.used
        return (
            f"{self.underlying} 权利仓{u['long']:g}/{self.long_limit or '不限'}，"
            f"总持仓{u['total']:g}/{self.total_limit or '不限'}，"
            f"当日买入开仓{u['open']:g}/{self.open_limit or '不限'}"
        )


def parse_limit_posi(data: Data) -> PositionLimit | None:
    """A CThostFtdcLimitPosiField dict to a PositionLimit (InstrumentID names the underlying or
    the option product, e.g. 510050 or 510050_O); None when it names nothing."""
    key: str = str(data.get("InstrumentID", "")).strip().removesuffix("_O")
    if not key:
        return None
    return PositionLimit(
        underlying=key,
        long_limit=int(data.get("LongVolume", 0) or 0),
        total_limit=int(data.get("TotalVolume", 0) or 0),
        open_limit=int(data.get("OpenVolume", 0) or 0),
    )


def underlying_of(contract: ContractData) -> str:
    """The underlying an option counts against (``510050`` for portfolio ``510050_O``)."""
    return (contract.option_portfolio or "").removesuffix("_O")


def usage(
    underlying: str,
    positions: Iterable[PositionData],
    orders: Iterable[OrderData],
    contracts: Mapping[str, ContractData],
) -> dict[str, float]:
    """What ``underlying``'s options use of the quota: held positions (by ``extra["instrument"]``)
    plus active opening orders; buy-opens today from today's opening buy orders (traded + open).
    """
    used: dict[str, float] = {"long": 0, "total": 0, "open": 0}
    for position in positions:
        symbol: str = (position.extra or {}).get("instrument", position.symbol)
        contract = contracts.get(symbol)
        if contract is None or contract.product != Product.OPTION:
            continue
        if underlying_of(contract) != underlying:
            continue
        used["total"] += position.volume
        if position.direction == Direction.LONG:
            used["long"] += position.volume
    for order in orders:
        contract = contracts.get(order.symbol)
        if contract is None or underlying_of(contract) != underlying:
            continue
        if order.offset != Offset.OPEN:
            continue
        pending: float = (order.volume - order.traded) if order.is_active() else 0
        used["total"] += pending
        if order.direction == Direction.LONG:
            used["long"] += pending
            used["open"] += order.traded + pending
    return used


def open_refusal(limit: PositionLimit, req: OrderRequest) -> str:
    """Why opening ``req`` would break ``limit`` (its ``used`` filled in), or ""."""
    if req.offset != Offset.OPEN:
        return ""
    u = limit.used
    checks: list[tuple[str, float, int]] = [("总持仓", u["total"], limit.total_limit)]
    if req.direction == Direction.LONG:
        checks += [("权利仓", u["long"], limit.long_limit), ("当日买入开仓", u["open"],
                                                            limit.open_limit)]
    for name, used, cap in checks:
        if cap and used + req.volume > cap:
            return (
                f"超过{limit.underlying}限仓：{name}已用{used:g}，本笔{req.volume:g}，"
                f"上限{cap}（{limit.text()}）"
            )
    return ""
