"""Covered call (备兑开仓) on an ETF the account holds."""

from __future__ import annotations

from datetime import date

from vnpy.trader.constant import Direction, Exchange, Offset, OptionType
from vnpy.trader.object import ContractData, TickData

from vnpy_ctpsopt.strategy import DETAIL_LOCKED
from vnpy_ctpsopt.strategy import chain_template as base


class CoveredCallStrategy(base.ChainStrategyTemplate):
    """备兑开仓（covered call）。

    Idea: the account holds the ETF ``underlying``; the strategy writes ``lots`` out-of-the-money
    calls against it by covered open, so the premium is income and no margin is charged. On SSE
    the shares are locked first (锁定, lots x contract unit); on SZSE the covered order freezes
    them itself. ``roll_days`` calendar days before expiry the calls are bought back (covered
    close) and new ones written on a later expiry; locked shares no longer needed are unlocked.

    Risks: the ETF falls (the premium cushions only a little; the loss of the shares is the
    strategy's); a rally past the strike caps the gain, and an in-the-money call left to expiry
    is assigned: the locked shares are delivered at the strike. A covered short needs the shares
    (locked on SSE) for its whole life; buying back before expiry costs the spread.

    Parameters:
    - ``underlying``: ETF vt_symbol, e.g. "510050.SSE" (its ETF shares must be in the account;
      the simulated counter gives every new account 100,000 shares of each ETF).
    - ``lots``: calls written (each covers one contract unit of shares, 10,000 as a rule).
    - ``otm_ratio``: the strike is the lowest standard one at or above spot x (1 + otm_ratio).
    - ``min_days``: calls are written on the nearest expiry at least this many days away.
    - ``roll_days``: calls are bought back (and rolled) at this many days to expiry or fewer;
      0 keeps them to expiry (assigned when in the money).
    - ``interval``: seconds of market time between two decisions.
    """

    author: str = "vnpy_ctpsopt"

    lots: int = 2
    otm_ratio: float = 0.03
    min_days: int = 10
    roll_days: int = 3
    interval: float = 30.0

    call_symbol: str = ""
    covered_lots: int = 0
    locked_shares: int = 0

    parameters: list[str] = [
        "underlying", "lots", "otm_ratio", "min_days", "roll_days", "interval",
    ]  # fmt: skip
    variables: list[str] = ["call_symbol", "covered_lots", "locked_shares"]

    def on_init(self) -> None:
        super().on_init()
        self.last_decision: float = -1e18
        self.lock_sent: float = -1e18
        self.rolls = 0

    def on_tick(self, tick: TickData) -> None:
        if not self.ready(tick):
            return
        stamp = tick.datetime.timestamp()
        if stamp - self.last_decision < self.interval or self.busy():
            return
        self.last_decision = stamp
        self.decide(stamp)
        self.put_event()

    def on_lock(self, vt_symbol: str, volume: float) -> None:
        self.lock_sent = -1e18
        self.write_log(f"{'锁定' if volume > 0 else '解锁'} {vt_symbol} {abs(volume):g} 份生效")

    def on_position(self, vt_symbol: str, delta: float) -> None:
        self.write_log(f"{vt_symbol} 持仓变动 {delta:+g}（行权/指派/到期）")

    def on_new_day(self, day: date) -> None:
        if self.call_symbol and not self.get_pos(self.call_symbol):
            self.call_symbol = ""

    # ------------------------------------------------------------------------------------------

    def decide(self, stamp: float) -> None:
        detail = self.get_position_detail()
        self.locked_shares = int(detail.get(self.underlying, {}).get(DETAIL_LOCKED, 0))
        self.covered_lots = -int(self.get_pos(self.call_symbol)) if self.call_symbol else 0
        call = self._contract(self.call_symbol) if self.call_symbol else None

        if call is not None and self.covered_lots > 0:
            excess = self.covered_lots - max(self.lots, 0)
            if excess > 0:
                self.write_log(f"持有 {self.covered_lots} 张，目标 {self.lots} 张：买回 {excess} 张")
                self.take(call.vt_symbol, Direction.LONG, Offset.CLOSE, excess, covered=True)
                return
            if self.days_left(call) <= self.roll_days:
                self.write_log(f"{call.vt_symbol} 距到期 {self.days_left(call)} 天，买回平仓以移仓")
                self.rolls += 1
                self.take(call.vt_symbol, Direction.LONG, Offset.CLOSE, self.covered_lots,
                          covered=True)  # fmt: skip
                return
            self.keep_lock(self.covered_lots * int(call.size), stamp)
            return

        if self.lots <= 0:
            self.keep_lock(0, stamp)
            return
        new = self.pick_call()
        if new is None:
            return
        need = self.lots * int(new.size)
        if not self.keep_lock(need, stamp):
            return
        self.call_symbol = new.vt_symbol
        self.take(new.vt_symbol, Direction.SHORT, Offset.OPEN, self.lots, covered=True)

    def pick_call(self) -> ContractData | None:
        """The lowest standard call strike at or above spot x (1 + otm_ratio) on the nearest
        expiry at least ``min_days`` away."""
        spot = self.spot()
        expiry = self.expiry_at_least(self.min_days)
        if not spot or expiry is None or self.chain is None:
            return None
        calls = self.chain.select(expiry, OptionType.CALL)
        if not calls:
            return None
        floor = spot * (1.0 + self.otm_ratio)
        above = [c for c in calls if float(c.option_strike or 0.0) >= floor - 1e-9]
        return above[0] if above else calls[-1]

    def keep_lock(self, need: int, stamp: float) -> bool:
        """SSE: lock or unlock so that exactly ``need`` shares are locked; True when they are.
        SZSE freezes shares per covered order: always True."""
        etf = self._contract(self.underlying)
        exchange = etf.exchange if etf else Exchange(self.underlying.rsplit(".", 1)[-1])
        if exchange != Exchange.SSE:
            return True
        if stamp - self.lock_sent < self.order_timeout:
            return False  # a lock request is on its way
        gap = need - self.locked_shares
        if gap > 0:
            if self.lock(self.underlying, gap):
                self.lock_sent = stamp
            else:
                self.write_log(f"锁定 {self.underlying} {gap} 份未能发出，检查账户持有的ETF份额")
            return False
        if gap < 0:
            self.write_log(f"解锁不再需要的 {-gap} 份 {self.underlying}")
            if self.unlock(self.underlying, -gap):
                self.lock_sent = stamp
        return True

    def on_stop(self) -> None:
        """Unlock every locked share no written call needs any more."""
        if self.trading and not self.covered_lots and self.locked_shares > 0:
            self.unlock(self.underlying, self.locked_shares)
        super().on_stop()
