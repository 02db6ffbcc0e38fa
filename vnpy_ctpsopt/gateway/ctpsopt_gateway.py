"""CtpsoptGateway: vn.py BaseGateway for CTP stock-option (SOPT) counters, and CtpsoptSimGateway
preset to the embedded simulated counter.

Layout: the gateway owns one ContractCache, a td session (td_session.CtpsoptTdSession) and an md
session (md_session.CtpsoptMdSession). Sessions receive CTP-shaped dicts on the backend's worker
thread, translate them with the pure functions of ``parsing`` and push vn.py objects through
``gateway.on_xxx``. Requests go the other way through ``requests.build_*`` and the seam's ``req*``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from vnpy.event import EVENT_TIMER, Event, EventEngine
from vnpy.trader.constant import Exchange
from vnpy.trader.event import EVENT_TICK
from vnpy.trader.gateway import BaseGateway
from vnpy.trader.logger import ERROR
from vnpy.trader.object import (
    BarData,
    CancelRequest,
    ContractData,
    HistoryRequest,
    LogData,
    OrderRequest,
    QuoteRequest,
    SubscribeRequest,
    TickData,
)
from vnpy.trader.utility import get_folder_path

from .events import (
    EVENT_CTPSOPT_RFQ,
    CombActionRequest,
    CombExerciseRequest,
    ExerciseRequest,
    LockRequest,
    RfqData,
    SoptOrderType,
)
from .limits import PositionLimit
from .mapping import EXCHANGE_SOPT2VT
from .md_session import CtpsoptMdSession
from .parsing import Data, parse_for_quote_rsp
from .setting import (
    PASSWORD_ENV,
    PRESET_CUSTOM,
    PRESETS,
    RESUME_TYPES,
    ConnectSetting,
    parse_setting,
    sim_address,
)
from .state import ContractCache, LogThrottle
from .td_session import CtpsoptTdSession

# Seconds between background refreshes of account and positions (trades refresh at once).
POLL_INTERVAL: int = 10


class CtpsoptGateway(BaseGateway):
    """VeighNa gateway for CTP stock-option counters (SSE and SZSE ETF options).

    Besides vn.py's standard operations it offers the SOPT business vn.py has no call for:
    ``send_covered_order`` (备兑开仓 = short+open, 备兑平仓 = long+close), ``send_exercise`` /
    ``cancel_exercise`` (行权), ``send_lock`` (锁定/解锁 ETF shares, SSE only), and market-maker
    quotes through ``send_quote`` / ``cancel_quote``. Exercise and lock updates arrive as
    ``EVENT_CTPSOPT_EXERCISE`` / ``EVENT_CTPSOPT_LOCK`` events.

    Positions: one PositionData per (instrument, direction, hedge flag). Covered shorts are pushed
    on ``<symbol>-COVERED`` (so their vt_positionid never equals the speculative short's, and vn.py's
    OffsetConverter, which can only close speculative positions with normal orders, keeps counting
    speculative volume only); locked ETF shares on ``<ETF>-LOCKED``. Both carry ``extra``.
    """

    default_name: str = "CTPSOPT"

    default_setting: dict[str, Any] = {
        "用户名": "",
        "密码": "",
        "经纪商代码": "",
        "交易服务器": "",
        "行情服务器": "",
        "产品名称": "",
        "授权编码": "",
        "预设环境": [PRESET_CUSTOM, *PRESETS],
        "私有流模式": list(RESUME_TYPES),
    }

    exchanges: list[Exchange] = [Exchange.SSE, Exchange.SZSE]

    def __init__(self, event_engine: EventEngine, gateway_name: str = "") -> None:
        super().__init__(event_engine, gateway_name or self.default_name)
        self.contracts: ContractCache = ContractCache()
        self.log_throttle: LogThrottle = LogThrottle()
        self.td: CtpsoptTdSession = CtpsoptTdSession(self)
        self.md: CtpsoptMdSession = CtpsoptMdSession(self)
        self.setting: ConnectSetting | None = None
        self._timer_registered: bool = False
        self._timer_count: int = 0
        # (ExchangeID, ForQuoteSysID) of every request for quote pushed: the td flow (market
        # makers) and the md subscription may both deliver one.
        self._rfq_seen: set[tuple[str, str]] = set()
        self._rfq_lock = threading.Lock()

    def on_tick(self, tick: TickData) -> None:
        """Same two events as BaseGateway.on_tick (EVENT_TICK and EVENT_TICK + vt_symbol), with
        fewer calls on the hot path."""
        put = self.event_engine.put
        put(Event(EVENT_TICK, tick))
        put(Event(EVENT_TICK + tick.vt_symbol, tick))

    def on_for_quote_rsp(self, data: Data) -> None:
        """OnRtnForQuoteRsp (td or md): push RfqData on EVENT_CTPSOPT_RFQ (and + vt_symbol) once
        per (ExchangeID, ForQuoteSysID)."""
        exchange: Exchange | None = EXCHANGE_SOPT2VT.get(data.get("ExchangeID", ""))
        if exchange is None:
            contract = self.contracts.get(data.get("InstrumentID", ""))
            exchange = contract.exchange if contract else None
        rfq: RfqData | None = (
            parse_for_quote_rsp(data, exchange, self.gateway_name) if exchange else None
        )
        if rfq is None:
            self.write_log(f"收到无法识别的询价：{data.get('InstrumentID', '')}")
            return
        key: tuple[str, str] = (rfq.exchange.value, rfq.rfqid)
        with self._rfq_lock:
            if key in self._rfq_seen:
                return
            self._rfq_seen.add(key)
        self.on_event(EVENT_CTPSOPT_RFQ, rfq)
        self.on_event(EVENT_CTPSOPT_RFQ + rfq.vt_symbol, rfq)

    # -- logging --------------------------------------------------------------------------------

    def write_error(self, msg: str) -> None:
        """An ERROR-level log line."""
        self.on_log(LogData(msg=msg, level=ERROR, gateway_name=self.gateway_name))

    def write_throttled(self, msg: str, error: bool = False, key: str = "") -> None:
        """Log ``msg`` unless the same text (or ``key``) was logged within the last minute."""
        text: str | None = self.log_throttle.check(msg, key)
        if text is not None:
            if error:
                self.write_error(text)
            else:
                self.write_log(text)

    # -- connection -----------------------------------------------------------------------------

    def connect(self, setting: dict[str, Any]) -> None:
        """Connect td and md fronts; contracts, account, positions, orders and trades follow."""
        try:
            parsed, reason = parse_setting(setting)
        except Exception as exc:  # noqa: BLE001
            parsed, reason = None, repr(exc)
        if parsed is None:
            self.write_error(f"连接参数错误：{reason}")
            return
        self.connect_with(parsed)

    def connect_with(self, setting: ConnectSetting) -> None:
        """Connect with validated settings (used by connect and by CtpsoptSimGateway)."""
        self.setting = setting
        if not self._timer_registered:
            self.event_engine.register(EVENT_TIMER, self.process_timer_event)
            self._timer_registered = True
        folder: Path = get_folder_path(self.gateway_name.lower())
        try:
            self.td.connect(setting, folder / "td")
            self.md.connect(setting, folder / "md")
        except Exception as exc:  # noqa: BLE001
            self.write_error(f"连接失败：{exc}")

    def close(self) -> None:
        """Release both connections (bounded in time)."""
        if self._timer_registered:
            self.event_engine.unregister(EVENT_TIMER, self.process_timer_event)
            self._timer_registered = False
        for session in (self.td, self.md):
            try:
                session.close()
            except Exception as exc:  # noqa: BLE001 - one failing side must not keep the other open
                self.write_log(f"关闭连接异常：{exc!r}")

    def process_timer_event(self, event: Event) -> None:
        """Drives the query scheduler and the background account/position refresh."""
        try:
            self._timer_count += 1
            if self._timer_count % POLL_INTERVAL == 0:
                self.td.query_account()
                self.td.query_position()
            self.td.scheduler.on_timer()
            self.td.retry_login()
            self.md.retry_login()
            self.td.check_front()
            self.md.check_front()
        except Exception as exc:  # noqa: BLE001
            self.write_error(f"定时任务异常：{exc!r}")

    # -- vn.py operations -----------------------------------------------------------------------

    def subscribe(self, req: SubscribeRequest) -> None:
        """Subscribe ticks; kept across reconnects."""
        try:
            self.md.subscribe(req)
        except Exception as exc:  # noqa: BLE001
            self.write_error(f"订阅失败：{req.vt_symbol}，{exc!r}")

    def subscribe_rfq(self, req: SubscribeRequest) -> None:
        """Receive requests for quote (询价) on an option as EVENT_CTPSOPT_RFQ (market-maker
        accounts also get them on the trading flow without subscribing)."""
        try:
            self.md.subscribe_rfq(req)
        except Exception as exc:  # noqa: BLE001
            self.write_error(f"询价订阅失败：{req.vt_symbol}，{exc!r}")

    def send_order(self, req: OrderRequest) -> str:
        """Send a speculative order (OrderType.RFQ: a request for quote, ReqForQuoteInsert);
        bad input gives a REJECTED order saying why."""
        return self.td.orders.send(req, covered=False)

    def send_covered_order(self, req: OrderRequest) -> str:
        """Send a covered order (备兑): short+open to write covered calls, long+close to close."""
        return self.td.orders.send(req, covered=True)

    def send_sopt_order(
        self, req: OrderRequest, order_type: SoptOrderType, covered: bool = False
    ) -> str:
        """Send an order as any exchange order type, including those vn.py's OrderType lacks
        (SSE 市价剩余转限价 / 全额即时市价; SZSE 对手方最优, 本方最优, 最优五档即时成交剩余撤销,
        全额成交或撤销). ``req.type`` is ignored; a type the contract's exchange does not take
        gives a REJECTED order saying which it takes. ``covered`` as send_covered_order."""
        return self.td.orders.send(req, covered=covered, sopt_type=order_type)

    def cancel_order(self, req: CancelRequest) -> None:
        """Cancel an order (ExchangeID and OrderSysID filled from the gateway's records)."""
        try:
            self.td.orders.cancel(req)
        except Exception as exc:  # noqa: BLE001
            self.write_error(f"撤单失败：{req.orderid}，{exc!r}")

    def send_quote(self, req: QuoteRequest) -> str:
        """Send a market-maker two-sided quote (ReqQuoteInsert)."""
        return self.td.quotes.send(req)

    def cancel_quote(self, req: CancelRequest) -> None:
        """Cancel a quote by its quoteid (ReqQuoteAction)."""
        try:
            self.td.quotes.cancel(req.orderid)
        except Exception as exc:  # noqa: BLE001
            self.write_error(f"撤销报价失败：{req.orderid}，{exc!r}")

    def send_exercise(self, req: ExerciseRequest) -> str:
        """Declare exercise of long option contracts; returns the vt_exerciseid."""
        return self.td.exercises.send(req)

    def cancel_exercise(self, exerciseid: str) -> None:
        """Cancel an exercise declaration (vt_exerciseid or exerciseid)."""
        try:
            self.td.exercises.cancel(exerciseid)
        except Exception as exc:  # noqa: BLE001
            self.write_error(f"撤销行权失败：{exerciseid}，{exc!r}")

    def send_combined_exercise(self, req: CombExerciseRequest) -> str:
        """Exercise a call and a put of one strike and expiry together (合并行权, SZSE only,
        15:00-15:30 of the expiry day); returns the vt_exerciseid (updates on
        EVENT_CTPSOPT_EXERCISE). Refused locally on SSE, which does not offer it."""
        return self.td.comb_exercises.send(req)

    def cancel_combined_exercise(self, exerciseid: str) -> None:
        """Cancel a combined exercise (vt_exerciseid or exerciseid)."""
        try:
            self.td.comb_exercises.cancel(exerciseid)
        except Exception as exc:  # noqa: BLE001
            self.write_error(f"撤销合并行权失败：{exerciseid}，{exc!r}")

    def send_comb_action(self, req: CombActionRequest) -> str:
        """Combine or split a combination strategy position (ReqCombActionInsert); returns the
        vt_combid, updates as CombActionData on EVENT_CTPSOPT_COMB."""
        return self.td.comb_actions.send(req)

    def send_lock(self, req: LockRequest) -> str:
        """Lock or unlock ETF shares for covered calls (SSE); returns the vt_lockid."""
        return self.td.locks.send(req)

    def query_account(self) -> None:
        self.td.query_account()

    def query_position(self) -> None:
        self.td.query_position()

    def query_position_limits(self) -> dict[str, PositionLimit]:
        """Position limits (限仓) per underlying from the counter, with what is used of each
        (权利仓, 总持仓, 当日买入开仓); empty when the counter offers none."""
        return self.td.query_position_limits()

    def query_history(self, req: HistoryRequest) -> list[BarData]:
        """The counter has no history service."""
        return []

    def get_contract(self, vt_symbol: str) -> ContractData | None:
        """This gateway's contract for ``vt_symbol``."""
        return self.contracts.get_vt(vt_symbol)


class CtpsoptSimGateway(CtpsoptGateway):
    """The gateway preset to the embedded simulated counter (``sim://``): paper trading with the
    counter's rules, fills against a seeded synthetic option chain, state kept across restarts."""

    default_name: str = "CTPSOPT_SIM"

    default_setting: dict[str, Any] = {
        "用户名": "paper",
        "密码": "",
        "初始资金": 1_000_000.0,
        "行情倍速": 1.0,
        "随机种子": "",
        "状态文件": "",
    }

    def connect(self, setting: dict[str, Any]) -> None:
        try:
            address, reason = sim_address(self.gateway_name, setting)
        except Exception as exc:  # noqa: BLE001
            address, reason = "", repr(exc)
        if not address:
            self.write_error(f"连接参数错误：{reason}")
            return
        userid: str = str(setting.get("用户名", "") or "paper").strip()
        password: str = str(setting.get("密码", "") or "") or os.environ.get(PASSWORD_ENV, "")
        self.connect_with(
            ConnectSetting(
                userid=userid,
                password=password,
                brokerid="",
                td_address=address,
                md_address=address,
                appid="",
                auth_code="",
            )
        )
