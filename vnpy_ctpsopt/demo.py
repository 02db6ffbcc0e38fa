"""A short paper-trading session on the embedded simulated counter, through a real vn.py MainEngine.

It buys an at-the-money 50ETF call, sells a put, shows positions, margin and account, then closes
everything. Every figure printed comes from the simulated counter through the gateway.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from vnpy.event import Event, EventEngine
from vnpy.trader.constant import Direction, Exchange, Offset, OptionType, OrderType, Product, Status
from vnpy.trader.engine import MainEngine
from vnpy.trader.event import EVENT_LOG, EVENT_TICK, EVENT_TRADE
from vnpy.trader.object import (
    AccountData,
    ContractData,
    LogData,
    OrderRequest,
    SubscribeRequest,
    TickData,
    TradeData,
)

WAIT_SECONDS: float = 30.0


class DemoError(RuntimeError):
    """The demo could not complete a step."""


def wait_until(condition: Callable[[], Any], what: str, timeout: float = WAIT_SECONDS) -> Any:
    """Poll ``condition`` until it returns something truthy."""
    deadline: float = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise DemoError(f"等待超时: {what}")


class Demo:
    """Drives one MainEngine with a CtpsoptSimGateway."""

    def __init__(self, seed: int, speed: float) -> None:
        from .gateway import CtpsoptSimGateway

        self.event_engine = EventEngine()
        self.main_engine = MainEngine(self.event_engine)
        self.gateway_name: str = self.main_engine.add_gateway(CtpsoptSimGateway).gateway_name
        self.setting: dict[str, Any] = {
            "用户名": "demo",
            "密码": "demo",
            "初始资金": 1_000_000,
            "行情倍速": speed,
            "随机种子": seed,
            "状态文件": "memory",
        }
        self.ticks: dict[str, TickData] = {}
        self.trades: list[TradeData] = []
        self.logs: list[str] = []
        self._lock = threading.Lock()
        self.event_engine.register(EVENT_TICK, self._on_tick)
        self.event_engine.register(EVENT_TRADE, self._on_trade)
        self.event_engine.register(EVENT_LOG, self._on_log)

    def _on_tick(self, event: Event) -> None:
        tick: TickData = event.data
        with self._lock:
            self.ticks[tick.vt_symbol] = tick

    def _on_trade(self, event: Event) -> None:
        trade: TradeData = event.data
        with self._lock:
            self.trades.append(trade)
        print(
            f"  成交 {trade.symbol} {trade.direction.name if trade.direction else ''} "
            f"{trade.offset.name} {trade.volume:g} 张 @ {trade.price:.4f}"
        )

    def _on_log(self, event: Event) -> None:
        log: LogData = event.data
        with self._lock:
            self.logs.append(log.msg)
        print(f"  [日志] {log.msg}")

    def tick(self, vt_symbol: str) -> TickData | None:
        with self._lock:
            return self.ticks.get(vt_symbol)

    def account(self) -> AccountData | None:
        accounts = self.main_engine.get_all_accounts()
        return accounts[0] if accounts else None

    def run(self) -> None:
        print("== 连接本地模拟柜台 (sim://)")
        self.main_engine.connect(self.setting, self.gateway_name)
        wait_until(lambda: any("合约信息查询成功" in msg for msg in self.logs), "合约信息查询成功")
        wait_until(self.account, "资金推送")

        etf_symbol = "510050.SSE"
        self.main_engine.subscribe(SubscribeRequest("510050", Exchange.SSE), self.gateway_name)
        etf: TickData = wait_until(lambda: self.tick(etf_symbol), "50ETF 行情")
        print(f"== 50ETF 最新价 {etf.last_price:.3f}")

        call = self.pick_option(etf.last_price, OptionType.CALL)
        put = self.pick_option(etf.last_price, OptionType.PUT)
        for contract in (call, put):
            self.main_engine.subscribe(
                SubscribeRequest(contract.symbol, contract.exchange), self.gateway_name
            )
        call_tick: TickData = wait_until(lambda: self.tick(call.vt_symbol), "认购期权行情")
        put_tick: TickData = wait_until(lambda: self.tick(put.vt_symbol), "认沽期权行情")
        print(f"== {call.name} 买一 {call_tick.bid_price_1:.4f} 卖一 {call_tick.ask_price_1:.4f}")
        print(f"== {put.name} 买一 {put_tick.bid_price_1:.4f} 卖一 {put_tick.ask_price_1:.4f}")
        self.show_account("开仓前")

        print("== 买入开仓 2 张认购（对价限价单）")
        self.trade(call, Direction.LONG, Offset.OPEN, 2)
        print("== 卖出开仓 1 张认沽（义务仓，收取权利金并冻结保证金）")
        self.trade(put, Direction.SHORT, Offset.OPEN, 1)
        self.wait_positions({(call.vt_symbol, Direction.LONG): 2, (put.vt_symbol, Direction.SHORT): 1})
        self.show_positions()
        self.show_account("开仓后")

        print("== 全部平仓")
        self.trade(call, Direction.SHORT, Offset.CLOSE, 2)
        self.trade(put, Direction.LONG, Offset.CLOSE, 1)
        self.wait_positions({(call.vt_symbol, Direction.LONG): 0, (put.vt_symbol, Direction.SHORT): 0})
        self.show_positions()
        self.show_account("平仓后")

    def pick_option(self, spot: float, option_type: OptionType) -> ContractData:
        """The nearest-expiry 50ETF option of a type whose strike is closest to spot."""
        options = [
            c
            for c in self.main_engine.get_all_contracts()
            if c.product == Product.OPTION
            and c.option_type == option_type
            and (c.option_underlying or "").startswith("510050")
            and "-M" in (c.option_index or "")  # standard (not adjusted) series
            and c.option_expiry is not None
            and c.option_strike is not None
        ]
        if not options:
            raise DemoError("找不到 50ETF 期权合约")
        nearest = min(c.option_expiry for c in options if c.option_expiry)
        same_expiry = [c for c in options if c.option_expiry == nearest]
        return min(same_expiry, key=lambda c: abs((c.option_strike or 0) - spot))

    def trade(
        self, contract: ContractData, direction: Direction, offset: Offset, volume: int
    ) -> None:
        """Send a marketable limit order (5 ticks through the touch) and wait until it trades."""
        tick: TickData = wait_until(lambda: self.tick(contract.vt_symbol), "行情")
        slip: float = 5 * contract.pricetick
        if direction == Direction.LONG:
            price = min(tick.ask_price_1 + slip, tick.limit_up or tick.ask_price_1 + slip)
        else:
            price = max(tick.bid_price_1 - slip, tick.limit_down or contract.pricetick)
        price = round(round(price / contract.pricetick) * contract.pricetick, 4)
        req = OrderRequest(
            symbol=contract.symbol,
            exchange=contract.exchange,
            direction=direction,
            type=OrderType.LIMIT,
            volume=volume,
            price=price,
            offset=offset,
            reference="demo",
        )
        before = self.account()
        premium_before: float = (before.extra or {}).get("premium", 0.0) if before else 0.0
        vt_orderid: str = self.main_engine.send_order(req, self.gateway_name)
        order = wait_until(
            lambda: (o := self.main_engine.get_order(vt_orderid)) and not o.is_active() and o,
            f"委托 {vt_orderid} 完成",
        )
        if order.status != Status.ALLTRADED:
            raise DemoError(f"委托 {vt_orderid} 未全部成交: {order.status.name}")
        wait_until(
            lambda: (a := self.account()) and (a.extra or {}).get("premium") != premium_before,
            "成交后的资金推送",
        )

    def wait_positions(self, expected: dict[tuple[str, Direction], int]) -> None:
        """Wait until the gateway's pushed positions show the expected volumes."""

        def volumes_match() -> bool:
            held: dict[tuple[str, Direction], float] = {}
            for p in self.main_engine.get_all_positions():
                key = (p.vt_symbol, p.direction)
                held[key] = held.get(key, 0) + p.volume
            return all(held.get(key, 0) == volume for key, volume in expected.items())

        wait_until(volumes_match, "持仓推送")

    def show_positions(self) -> None:
        rows = [p for p in self.main_engine.get_all_positions() if p.volume]
        print("  持仓:" if rows else "  持仓: 无")
        for p in rows:
            contract = self.main_engine.get_contract(p.vt_symbol)
            unit = "张" if contract and contract.product == Product.OPTION else "份"
            print(
                f"    {p.symbol} {p.direction.name if p.direction else ''} {p.volume:g} {unit} "
                f"均价 {p.price:.4f} 冻结 {p.frozen:g}"
            )

    def show_account(self, title: str) -> None:
        account = self.account()
        if account:
            extra = account.extra or {}
            print(
                f"  资金({title}): 权益 {account.balance:,.2f} 可用 {account.available:,.2f} "
                f"保证金 {extra.get('margin', 0.0):,.2f} 冻结 {account.frozen:,.2f} "
                f"权利金收支 {extra.get('premium', 0.0):,.2f} 手续费 {extra.get('commission', 0.0):,.2f}"
            )

    def close(self) -> None:
        self.main_engine.close()


def run_demo(seed: int = 7, speed: float = 20.0) -> int:
    """Run the demo; returns a process exit code."""
    demo = Demo(seed, speed)
    try:
        demo.run()
    except DemoError as exc:
        print(f"演示失败: {exc}")
        return 1
    finally:
        demo.close()
    print(f"== 演示完成：共 {len(demo.trades)} 笔成交")
    return 0
