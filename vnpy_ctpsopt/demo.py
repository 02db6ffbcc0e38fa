"""``python -m vnpy_ctpsopt demo``: one sample strategy live on the embedded simulated counter.

Headless: a vn.py MainEngine with CtpsoptSimGateway and vnpy_portfoliostrategy's own
StrategyEngine, which loads the sample strategies from ``strategies/`` of the working folder as
vn.py does. The strategy runs for a bounded wall time; every order and fill is printed as it
happens, then the positions, the account and the strategy's PnL (cash flows of its fills and
fees, plus its open positions at the mid).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from vnpy.event import Event, EventEngine
from vnpy.trader.constant import Direction, Offset, Product, Status
from vnpy.trader.engine import MainEngine
from vnpy.trader.event import EVENT_LOG, EVENT_ORDER, EVENT_TRADE
from vnpy.trader.object import AccountData, LogData, OrderData, TradeData

WAIT_SECONDS: float = 60.0
DEFAULT_STRATEGY: str = "DeltaBandStrangleStrategy"
DEFAULT_SETTING: dict[str, Any] = {"underlying": "510050.SSE", "lots": 2, "interval": 20}
STRATEGY_NAME: str = "demo"
REFERENCE: str = f"PortfolioStrategy_{STRATEGY_NAME}"
SIDE: dict[tuple[Direction | None, Offset], str] = {
    (Direction.LONG, Offset.OPEN): "买开", (Direction.SHORT, Offset.OPEN): "卖开",
    (Direction.LONG, Offset.CLOSE): "买平", (Direction.SHORT, Offset.CLOSE): "卖平",
}  # fmt: skip
STATUS: dict[Status, str] = {
    Status.SUBMITTING: "提交中", Status.NOTTRADED: "未成交", Status.PARTTRADED: "部分成交",
    Status.ALLTRADED: "全部成交", Status.CANCELLED: "已撤销", Status.REJECTED: "拒单",
}  # fmt: skip


class DemoError(RuntimeError):
    """The demo could not complete a step."""


def wait_until(condition: Callable[[], Any], what: str, timeout: float = WAIT_SECONDS) -> Any:
    """Wait (on an event with a short timeout) until ``condition`` returns something truthy."""
    deadline: float = time.monotonic() + timeout
    pause = threading.Event()
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        pause.wait(0.05)
    raise DemoError(f"等待超时: {what}")


def add_parser(sub: Any) -> None:
    """Register the ``demo`` sub-command."""
    p = sub.add_parser("demo", help="在本地模拟柜台上实盘运行一个示例策略（无界面，限时）")
    p.add_argument("--seed", type=int, default=7, help="随机种子")
    p.add_argument("--speed", type=float, default=60.0, help="行情倍速（模拟时间/真实时间）")
    p.add_argument("--seconds", type=float, default=30.0, help="策略运行的真实秒数")
    p.add_argument("--start", default="20261216T100000",
                   help="模拟开始时刻 YYYYMMDDTHHMMSS（北京时间）")  # fmt: skip
    p.add_argument("--strategy", default=DEFAULT_STRATEGY, help="strategies/ 中的策略类名")
    p.add_argument("--setting", default="", help="策略参数 JSON（默认示例参数）")


class Demo:
    """A MainEngine with CtpsoptSimGateway and vnpy_portfoliostrategy's StrategyEngine."""

    def __init__(self, seed: int, speed: float, start: str) -> None:
        from vnpy_portfoliostrategy import PortfolioStrategyApp

        from .gateway import CtpsoptSimGateway
        from .gateway.setting import ConnectSetting

        self.launch_dir = Path.cwd()  # MainEngine moves the working folder to vn.py's home
        self.event_engine = EventEngine()
        self.main_engine = MainEngine(self.event_engine)
        self.logs: list[str] = []
        self.trades: list[TradeData] = []
        self._lock = threading.Lock()
        self.event_engine.register(EVENT_LOG, self._on_log)
        self.event_engine.register(EVENT_ORDER, self._on_order)
        self.event_engine.register(EVENT_TRADE, self._on_trade)
        gateway = self.main_engine.add_gateway(CtpsoptSimGateway)
        assert isinstance(gateway, CtpsoptSimGateway)
        address = (
            f"sim://ctpsopt_demo?seed={seed}&speed={speed:g}&start={start}&state=memory&qps=50"
        )
        self.address = address
        self.gateway = gateway
        self.connect_setting = ConnectSetting("demo", "demo", "", address, address, "", "")
        self.engine: Any = self.main_engine.add_app(PortfolioStrategyApp)

    # --- events (event engine thread) -------------------------------------------------------
    def _on_log(self, event: Event) -> None:
        log: LogData = event.data
        with self._lock:
            self.logs.append(log.msg)
        print(f"  [日志] {log.msg}")

    def _on_order(self, event: Event) -> None:
        order: OrderData = event.data
        if order.reference != REFERENCE:
            return
        print(
            f"  委托 {order.vt_orderid} {order.symbol} {SIDE.get((order.direction, order.offset))} "
            f"{order.volume:g} 张 @ {order.price:.4f} -> {STATUS.get(order.status)}"
            f"（已成交 {order.traded:g}）"
        )

    def _on_trade(self, event: Event) -> None:
        trade: TradeData = event.data
        strategy = self.engine.strategies.get(STRATEGY_NAME)
        if strategy is None or trade.vt_orderid not in self.engine.orderid_strategy_map:
            return
        with self._lock:
            self.trades.append(trade)
        print(
            f"  成交 {trade.symbol} {SIDE.get((trade.direction, trade.offset))} "
            f"{trade.volume:g} 张 @ {trade.price:.4f}"
        )

    # --- steps ------------------------------------------------------------------------------
    def connect(self) -> None:
        print(f"== 连接本地模拟柜台 {self.address}")
        self.gateway.connect_with(self.connect_setting)
        wait_until(lambda: any("合约信息查询成功" in m for m in self.logs), "合约信息查询成功")
        wait_until(self.account, "资金推送")
        self.engine.init_engine()
        folder = self.launch_dir / "strategies"
        if folder.is_dir():
            from .trader import load_strategies

            load_strategies(self.main_engine, folder)

    def account(self) -> AccountData | None:
        accounts = self.main_engine.get_all_accounts()
        return accounts[0] if accounts else None

    def run_strategy(self, class_name: str, setting: dict[str, Any], seconds: float) -> Any:
        if class_name not in self.engine.classes:
            raise DemoError(
                f"找不到策略类 {class_name}：请在项目根目录运行（需要 strategies/ 文件夹），"
                f"可选：{', '.join(sorted(self.engine.classes))}"
            )
        print(f"== 添加策略 {class_name}，参数 {json.dumps(setting, ensure_ascii=False)}")
        self.engine.add_strategy(class_name, STRATEGY_NAME, [], setting)
        self.engine.init_strategy(STRATEGY_NAME)
        strategy = self.engine.strategies[STRATEGY_NAME]
        wait_until(lambda: strategy.inited, "策略初始化")
        if strategy.refused:
            raise DemoError(strategy.refused)
        self.show_account("启动前")
        self.engine.start_strategy(STRATEGY_NAME)
        print(f"== 策略运行 {seconds:g} 秒（模拟时间约 {self.sim_minutes(seconds):.0f} 分钟）")
        threading.Event().wait(seconds)  # the bounded run itself: the strategy trades meanwhile
        self.engine.stop_strategy(STRATEGY_NAME)
        wait_until(lambda: not strategy.active_orderids, "撤销未成交委托", 20)
        return strategy

    def sim_minutes(self, seconds: float) -> float:
        speed = float(self.address.split("speed=")[1].split("&")[0])
        return seconds * speed / 60.0

    def report(self, strategy: Any) -> float:
        """Print positions, account and the strategy's PnL; returns the PnL."""
        print("== 策略持仓")
        cash = 0.0
        for trade in self.trades:
            contract = self.main_engine.get_contract(trade.vt_symbol)
            size = contract.size if contract else 1
            sign = 1.0 if trade.direction == Direction.LONG else -1.0
            cash -= sign * trade.price * trade.volume * size
        value = 0.0
        for vt_symbol, pos in sorted(strategy.pos_data.items()):
            if not pos:
                continue
            contract = self.main_engine.get_contract(vt_symbol)
            tick = self.main_engine.get_tick(vt_symbol)
            if contract is None or tick is None or contract.product != Product.OPTION:
                continue
            mid = (tick.bid_price_1 + tick.ask_price_1) / 2 if tick.bid_price_1 else tick.last_price
            value += pos * mid * contract.size
            print(f"    {contract.name} {vt_symbol} {pos:+g} 张 中间价 {mid:.5f} 合约单位 {contract.size:g}")
        account = self.account()
        fees = float((account.extra or {}).get("commission", 0.0)) if account else 0.0
        self.show_account("结束")
        pnl = cash + value - fees
        print(
            f"== 策略盈亏 {pnl:,.2f} 元 = 成交现金流 {cash:,.2f} + 持仓市值 {value:,.2f} "
            f"- 手续费 {fees:,.2f}"
        )
        return pnl

    def show_account(self, title: str) -> None:
        account = self.account()
        if account:
            extra = account.extra or {}
            print(
                f"  资金({title}): 权益 {account.balance:,.2f} 可用 {account.available:,.2f} "
                f"保证金 {extra.get('margin', 0.0):,.2f} 权利金收支 {extra.get('premium', 0.0):,.2f} "
                f"手续费 {extra.get('commission', 0.0):,.2f}"
            )

    def close(self) -> None:
        self.main_engine.close()


def run_demo(
    seed: int = 7,
    speed: float = 60.0,
    seconds: float = 30.0,
    start: str = "20261216T100000",
    strategy: str = DEFAULT_STRATEGY,
    setting: dict[str, Any] | None = None,
) -> int:
    """Run the demo; returns a process exit code."""
    try:
        datetime.strptime(start, "%Y%m%dT%H%M%S")
    except ValueError:
        print(f"演示失败: --start 应为 YYYYMMDDTHHMMSS：{start!r}")
        return 2
    demo = Demo(seed, speed, start)
    try:
        demo.connect()
        running = demo.run_strategy(strategy, setting or dict(DEFAULT_SETTING), seconds)
        demo.report(running)
    except DemoError as exc:
        print(f"演示失败: {exc}")
        return 1
    finally:
        demo.close()
    print(f"== 演示完成：共 {len(demo.trades)} 笔成交")
    return 0


def run(args: argparse.Namespace) -> int:
    """The ``demo`` command."""
    setting: dict[str, Any] | None = None
    if args.setting:
        try:
            setting = json.loads(args.setting)
        except json.JSONDecodeError as exc:
            print(f"演示失败: --setting 不是合法的 JSON：{exc}")
            return 2
    return run_demo(args.seed, args.speed, args.seconds, args.start, args.strategy, setting)
