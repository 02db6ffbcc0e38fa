"""What an engine must offer OptionStrategyTemplate beyond vnpy_portfoliostrategy's engine surface.

The backtester implements ``OptionEngine`` itself; live, ``LiveOptionEngine`` adapts
vnpy_portfoliostrategy's ``StrategyEngine`` (MainEngine + CtpsoptGateway) to it.

Engine -> strategy notifications the engine must make (both implementations):

- order/trade events of covered orders reach the strategy like its other orders
  (``update_order`` / ``update_trade``; pos moves with the trade as for any order);
- ``strategy.update_lock(vt_symbol, volume)`` when a lock (+volume) or unlock (-volume) of ETF
  shares takes effect;
- ``strategy.update_position(vt_symbol, delta)`` for a position change without a trade:
  an executed exercise (option -volume, ETF +volume*size for a call, -volume*size for a put),
  assignment and expiry in the backtester.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from vnpy.trader.constant import Direction, Offset
from vnpy.trader.object import ContractData, TickData

if TYPE_CHECKING:
    from vnpy_portfoliostrategy import StrategyTemplate

# Keys of get_position_detail()'s inner dicts (all volumes >= 0, absent keys mean 0).
DETAIL_COVERED: str = "covered"  # covered short contracts held (备兑持仓), option vt_symbol
DETAIL_LOCKED: str = "locked"  # ETF shares locked for covered calls, ETF vt_symbol
DETAIL_EXERCISING: str = "exercising"  # contracts declared for exercise, not executed yet


@runtime_checkable
class OptionEngine(Protocol):
    """What OptionStrategyTemplate needs beyond vnpy_portfoliostrategy's StrategyEngine surface."""

    def send_covered_order(
        self,
        strategy: StrategyTemplate,
        vt_symbol: str,
        direction: Direction,
        offset: Offset,
        price: float,
        volume: float,
    ) -> list[str]:
        """A covered order (备兑): SHORT+OPEN writes, LONG+CLOSE buys back; its vt_orderids."""
        ...

    def send_lock(self, strategy: StrategyTemplate, vt_symbol: str, lock: bool, volume: int) -> str:
        """Lock (``lock=True``) or unlock ETF shares of ``vt_symbol`` (the ETF); the request id."""
        ...

    def send_exercise(self, strategy: StrategyTemplate, vt_symbol: str, volume: int) -> str:
        """Declare exercise of long contracts of the option ``vt_symbol``; the request id."""
        ...

    def get_option_contracts(self, underlying: str) -> list[ContractData]:
        """Options listed now on the underlying ``vt_symbol`` (e.g. "510050.SSE")."""
        ...

    def get_tick(self, vt_symbol: str) -> TickData | None:
        """The latest tick of ``vt_symbol``, None before the first one."""
        ...

    def get_position_detail(self, strategy: StrategyTemplate) -> dict[str, dict[str, float]]:
        """The strategy's holdings beyond ``pos``: vt_symbol -> {DETAIL_*: volume}."""
        ...
