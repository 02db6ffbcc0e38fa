"""CtpsoptGateway: vn.py BaseGateway for CTP stock-option (SOPT) counters, and CtpsoptSimGateway
preset to the embedded simulated counter.

Layout: the gateway owns one ContractCache, a td session (CtpsoptTdSession, a TdSpi) and an md
session (CtpsoptMdSession, an MdSpi). Sessions receive CTP-shaped dicts on the backend's worker
thread, translate them with the pure functions of ``parsing`` and push vn.py objects through
``gateway.on_xxx``. Requests go the other way through ``build_*`` and the seam's ``req*``.

Private-flow resume type (setting 私有流模式): QUICK by default. RESTART makes the counter replay
the whole day's order and trade flow at every login (minutes on a busy account, and every status
transition again); QUICK only streams what happens after login, and the session then asks the
counter for the current state of every order and trade (ReqQryOrder, ReqQryTrade) after each
login. Both paths are de-duplicated, so nothing is lost and nothing is pushed twice either way.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar, cast
from urllib.parse import quote

from vnpy.event import EVENT_TIMER, Event, EventEngine
from vnpy.trader.constant import Exchange, Status
from vnpy.trader.event import EVENT_TICK
from vnpy.trader.gateway import BaseGateway
from vnpy.trader.logger import ERROR
from vnpy.trader.object import (
    BarData,
    CancelRequest,
    ContractData,
    HistoryRequest,
    LogData,
    OrderData,
    OrderRequest,
    PositionData,
    QuoteData,
    QuoteRequest,
    SubscribeRequest,
    TickData,
    TradeData,
)
from vnpy.trader.utility import get_folder_path

from ..api import MdApi, MdSpi, TdApi, TdSpi, create_md_api, create_td_api
from ..api import constant as c
from ..api.address import FrontAddressError, normalize_front_address, parse_front_address
from .events import (
    EVENT_CTPSOPT_EXERCISE,
    EVENT_CTPSOPT_LOCK,
    ExerciseData,
    ExerciseRequest,
    LockData,
    LockRequest,
    LockType,
)
from .mapping import ACTIVE_SOPT2VT, DISCONNECT_REASONS, EXCHANGE_SOPT2VT
from .parsing import (
    LOCKED_SUFFIX,
    Data,
    TickTimeCache,
    build_cancel,
    build_exec_action,
    build_exec_order,
    build_lock,
    build_order_insert,
    build_quote,
    build_quote_action,
    format_error,
    is_error,
    make_orderid,
    parse_account,
    parse_contract,
    parse_exec_order,
    parse_lock,
    parse_lock_position,
    parse_order,
    parse_positions,
    parse_quote,
    parse_tick,
    parse_trade,
    rejected_order,
    split_orderid,
    trade_key,
)
from .state import (
    ContractCache,
    LogThrottle,
    OrderBook,
    PositionBook,
    QueryScheduler,
    RefAllocator,
    SideRecord,
)

# The password may come from this environment variable instead of the saved settings file.
PASSWORD_ENV: str = "CTPSOPT_PASSWORD"

PRESET_CUSTOM: str = "自定义"
PRESET_SIM: str = "本地模拟柜台"
PRESETS: dict[str, tuple[str, str]] = {
    "宏源期货仿真": ("tcp://118.26.194.228:42205", "tcp://118.26.194.228:42213"),
    "兴证期货仿真 电信": ("tcp://58.32.234.179:46666", "tcp://58.32.234.179:47777"),
    "兴证期货仿真 联通": ("tcp://58.247.2.86:46666", "tcp://58.247.2.86:47777"),
    PRESET_SIM: ("sim://ctpsopt", "sim://ctpsopt"),
}

RESUME_TYPES: dict[str, int] = {
    "QUICK": c.THOST_TERT_QUICK,
    "RESTART": c.THOST_TERT_RESTART,
    "RESUME": c.THOST_TERT_RESUME,
}

# Login/auth errors that a retry after reconnect cannot fix: stop until the user reconnects.
# 63 客户端认证失败; 3 不合法的登录; 48 无效的投资者或者密码; 132 用户名或密码错误;
# 75 连续登录失败次数超限.
FATAL_AUTH_ERRORS: frozenset[int] = frozenset({63})
FATAL_LOGIN_ERRORS: frozenset[int] = frozenset({3, 48, 75, 132})

QUERY_ERROR_NOT_READY: int = 90

STATUS_WORDS: dict[Status, str] = {
    Status.SUBMITTING: "已提交",
    Status.NOTTRADED: "已接受",
    Status.PARTTRADED: "部分完成",
    Status.ALLTRADED: "成功",
    Status.CANCELLED: "已撤销",
    Status.REJECTED: "被拒绝",
}

READ_FAILURE: int = 0x1001
# 4097 before any login is what users see when the front address is wrong or when the counter
# runs another API generation (production vs 评测/CP build, 3.5/3.6 vs 3.7): say so.
NEVER_LOGGED_IN_HINT: str = (
    "；若一直无法登录，请检查前置地址，以及柜台是否为生产版 SOPT API 3.7"
    "（openctp-ctpopt 不支持评测版）"
)

# Seconds between login attempts while connected but refused for a reason a retry can fix.
LOGIN_RETRY: float = 15.0

# Seconds between background refreshes of account and positions (trades refresh at once).
POLL_INTERVAL: int = 10

P = ParamSpec("P")
S = TypeVar("S", bound="_Session")


def guarded(func: Callable[Concatenate[S, P], None]) -> Callable[Concatenate[S, P], None]:
    """Callback wrapper: nothing raised by a handler ever reaches the backend; it is logged."""

    @wraps(func)
    def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> None:
        try:
            func(self, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            self.gateway.write_error(f"{func.__name__} 处理异常：{exc!r}")

    return cast(Callable[Concatenate[S, P], None], wrapper)


@dataclass(frozen=True)
class ConnectSetting:
    """Validated connect settings. ``repr`` never shows the password or auth code."""

    userid: str
    password: str
    brokerid: str
    td_address: str
    md_address: str
    appid: str
    auth_code: str
    resume_type: int = c.THOST_TERT_QUICK

    def __repr__(self) -> str:
        return (
            f"ConnectSetting(userid={self.userid!r}, brokerid={self.brokerid!r}, "
            f"td={self.td_address!r}, md={self.md_address!r}, appid={self.appid!r}, "
            f"password=***, auth_code=***, resume_type={self.resume_type})"
        )


def parse_setting(
    setting: dict[str, Any], environ: dict[str, str] | None = None
) -> tuple[ConnectSetting | None, str]:
    """The vn.py settings dict to a ConnectSetting, or (None, reason in Chinese).

    A preset (预设环境) other than 自定义 supplies both fronts; addresses without a scheme get
    ``tcp://``; an empty 密码 is read from the CTPSOPT_PASSWORD environment variable.
    """
    env: dict[str, str] = dict(os.environ) if environ is None else environ
    preset: str = str(setting.get("预设环境", PRESET_CUSTOM) or PRESET_CUSTOM)
    if preset in PRESETS:
        td_address, md_address = PRESETS[preset]
    elif preset == PRESET_CUSTOM:
        td_address = normalize_front_address(str(setting.get("交易服务器", "")))
        md_address = normalize_front_address(str(setting.get("行情服务器", "")))
    else:
        return None, f"未知的预设环境：{preset}"
    for label, address in (("交易服务器", td_address), ("行情服务器", md_address)):
        if not address:
            return None, f"{label}地址为空"
        try:
            parse_front_address(address)
        except FrontAddressError as exc:
            return None, f"{label}地址无效：{exc}"
    password: str = str(setting.get("密码", "") or "") or env.get(PASSWORD_ENV, "")
    resume_name: str = str(setting.get("私有流模式", "QUICK") or "QUICK")
    resume_type: int | None = RESUME_TYPES.get(resume_name)
    if resume_type is None:
        return None, f"未知的私有流模式：{resume_name}"
    userid: str = str(setting.get("用户名", "")).strip()
    if not userid:
        return None, "用户名为空"
    return (
        ConnectSetting(
            userid=userid,
            password=password,
            brokerid=str(setting.get("经纪商代码", "")).strip(),
            td_address=td_address,
            md_address=md_address,
            appid=str(setting.get("产品名称", "")).strip(),
            auth_code=str(setting.get("授权编码", "")).strip(),
            resume_type=resume_type,
        ),
        "",
    )


def contract_terms(contract: ContractData) -> tuple[Any, ...]:
    """What makes two pushes of a contract different (its live ``extra`` flags excluded)."""
    return (
        contract.name,
        contract.product,
        contract.size,
        contract.pricetick,
        contract.min_volume,
        contract.max_volume,
        contract.option_strike,
        contract.option_underlying,
        contract.option_type,
        contract.option_listed,
        contract.option_expiry,
        contract.option_portfolio,
        contract.option_index,
    )


def rejected_copy(order: OrderData, msg: str) -> OrderData:
    """A REJECTED copy of a pushed order saying why, keeping the rest of its ``extra``."""
    rejected: OrderData = copy(order)
    rejected.status = Status.REJECTED
    rejected.extra = {**(order.extra or {}), "status_msg": msg}
    return rejected


def disconnect_text(reason: int) -> str:
    """OnFrontDisconnected reason in words."""
    return f"{DISCONNECT_REASONS.get(reason, '未知原因')}（{reason:#x}）"


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

    def on_tick(self, tick: TickData) -> None:
        """Same two events as BaseGateway.on_tick (EVENT_TICK and EVENT_TICK + vt_symbol), with
        fewer calls on the hot path."""
        put = self.event_engine.put
        put(Event(EVENT_TICK, tick))
        put(Event(EVENT_TICK + tick.vt_symbol, tick))

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
        except Exception as exc:  # noqa: BLE001
            self.write_error(f"定时任务异常：{exc!r}")

    # -- vn.py operations -----------------------------------------------------------------------

    def subscribe(self, req: SubscribeRequest) -> None:
        """Subscribe ticks; kept across reconnects."""
        try:
            self.md.subscribe(req)
        except Exception as exc:  # noqa: BLE001
            self.write_error(f"订阅失败：{req.vt_symbol}，{exc!r}")

    def send_order(self, req: OrderRequest) -> str:
        """Send a speculative order; bad input gives a REJECTED order saying why."""
        return self.td.send_order(req, covered=False)

    def send_covered_order(self, req: OrderRequest) -> str:
        """Send a covered order (备兑): short+open to write covered calls, long+close to close."""
        return self.td.send_order(req, covered=True)

    def cancel_order(self, req: CancelRequest) -> None:
        """Cancel an order (ExchangeID and OrderSysID filled from the gateway's records)."""
        try:
            self.td.cancel_order(req)
        except Exception as exc:  # noqa: BLE001
            self.write_error(f"撤单失败：{req.orderid}，{exc!r}")

    def send_quote(self, req: QuoteRequest) -> str:
        """Send a market-maker two-sided quote (ReqQuoteInsert)."""
        return self.td.send_quote(req)

    def cancel_quote(self, req: CancelRequest) -> None:
        """Cancel a quote by its quoteid (ReqQuoteAction)."""
        try:
            self.td.cancel_quote(req)
        except Exception as exc:  # noqa: BLE001
            self.write_error(f"撤销报价失败：{req.orderid}，{exc!r}")

    def send_exercise(self, req: ExerciseRequest) -> str:
        """Declare exercise of long option contracts; returns the vt_exerciseid."""
        return self.td.send_exercise(req)

    def cancel_exercise(self, exerciseid: str) -> None:
        """Cancel an exercise declaration (vt_exerciseid or exerciseid)."""
        try:
            self.td.cancel_exercise(exerciseid)
        except Exception as exc:  # noqa: BLE001
            self.write_error(f"撤销行权失败：{exerciseid}，{exc!r}")

    def send_lock(self, req: LockRequest) -> str:
        """Lock or unlock ETF shares for covered calls (SSE); returns the vt_lockid."""
        return self.td.send_lock(req)

    def query_account(self) -> None:
        self.td.query_account()

    def query_position(self) -> None:
        self.td.query_position()

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


def sim_address(gateway_name: str, setting: dict[str, Any]) -> tuple[str, str]:
    """The ``sim://`` address for CtpsoptSimGateway settings, or ("", reason)."""
    params: list[str] = []
    try:
        capital: float = float(setting.get("初始资金", 1_000_000.0) or 1_000_000.0)
        speed: float = float(setting.get("行情倍速", 1.0) or 1.0)
    except (TypeError, ValueError):
        return "", "初始资金和行情倍速必须是数字"
    if capital <= 0 or speed <= 0:
        return "", "初始资金和行情倍速必须大于0"
    params.append(f"capital={capital:.2f}")
    params.append(f"speed={speed:g}")
    seed: str = str(setting.get("随机种子", "") or "").strip()
    if seed:
        if not seed.isdigit():
            return "", f"随机种子必须是非负整数：{seed}"
        params.append(f"seed={seed}")
    state: str = str(setting.get("状态文件", "") or "").strip()
    if state:
        params.append(f"state={quote(state, safe='/:')}")
    address: str = f"sim://{gateway_name.lower()}?" + "&".join(params)
    try:
        parse_front_address(address)
    except FrontAddressError as exc:
        return "", str(exc)
    return address, ""


class _Session:
    """What the callback guard needs."""

    gateway: CtpsoptGateway


class CtpsoptMdSession(MdSpi, _Session):
    """Market-data session. ``subscribed`` holds exchange symbols, resubscribed at every login."""

    def __init__(self, gateway: CtpsoptGateway) -> None:
        self.gateway = gateway
        self.gateway_name: str = gateway.gateway_name
        self.api: MdApi | None = None
        self.setting: ConnectSetting | None = None
        self.connect_status: bool = False
        self.login_status: bool = False
        self.last_login_attempt: float = 0.0
        self.subscribed: set[str] = set()
        self.reqid: int = 0
        self.times: TickTimeCache = TickTimeCache()
        self._get_contract: Callable[[str], ContractData | None] = (
            gateway.contracts.by_symbol.get
        )
        self._on_tick: Callable[[TickData], None] = gateway.on_tick
        self._lock = threading.Lock()

    def connect(self, setting: ConnectSetting, flow_path: Path) -> None:
        self.setting = setting
        if self.api is not None:
            return
        self.api = create_md_api(setting.md_address, self, flow_path)
        self.api.connect()

    def close(self) -> None:
        api, self.api = self.api, None
        self.login_status = False
        if api is not None:
            api.close()

    def _next_reqid(self) -> int:
        with self._lock:
            self.reqid += 1
            return self.reqid

    @guarded
    def onFrontConnected(self) -> None:
        self.connect_status = True
        self.gateway.write_throttled("行情服务器连接成功")
        self.login()

    @guarded
    def onFrontDisconnected(self, reason: int) -> None:
        self.connect_status = False
        self.login_status = False
        self.gateway.write_throttled(f"行情服务器连接断开，原因：{disconnect_text(reason)}")

    def retry_login(self) -> None:
        """Timer: connected but a login failed (front not ready...): retry every LOGIN_RETRY s."""
        if (
            self.connect_status
            and not self.login_status
            and time.monotonic() - self.last_login_attempt >= LOGIN_RETRY
        ):
            self.login()

    @guarded
    def onHeartBeatWarning(self, time_lapse: int) -> None:
        self.gateway.write_throttled(
            f"行情服务器心跳警告：{time_lapse}秒未收到报文", key="md.heartbeat"
        )

    @guarded
    def onRspUserLogin(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(f"行情服务器登录失败，{format_error(error)}")
            return
        self.login_status = True
        self.gateway.write_log("行情服务器登录成功")
        with self._lock:
            symbols: list[str] = sorted(self.subscribed)
        if symbols and self.api is not None:
            self.api.subscribeMarketData(symbols)

    @guarded
    def onRspError(self, error: Data, reqid: int, last: bool) -> None:
        self.gateway.write_error(f"行情接口报错，{format_error(error)}")

    @guarded
    def onRspSubMarketData(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(
                f"行情订阅失败：{data.get('InstrumentID', '')}，{format_error(error)}"
            )

    def onRtnDepthMarketData(self, data: Data) -> None:
        """Hot path: no decorator, one lookup, one parse, one push."""
        try:
            contract: ContractData | None = self._get_contract(data["InstrumentID"])
            if contract is None:
                return
            tick: TickData | None = parse_tick(data, contract, self.gateway_name, self.times)
            if tick is not None:
                self._on_tick(tick)
        except Exception as exc:  # noqa: BLE001
            self.gateway.write_throttled(
                f"行情数据处理异常：{exc!r}", error=True, key=f"md.tick.{type(exc).__name__}"
            )

    def login(self) -> None:
        if self.api is None or self.setting is None:
            return
        self.last_login_attempt = time.monotonic()
        req: Data = {
            "UserID": self.setting.userid,
            "Password": self.setting.password,
            "BrokerID": self.setting.brokerid,
        }
        self.api.reqUserLogin(req, self._next_reqid())

    def subscribe(self, req: SubscribeRequest) -> None:
        contract: ContractData | None = self.gateway.contracts.get_vt(req.vt_symbol)
        if contract is None and self.gateway.contracts:
            self.gateway.write_log(f"订阅失败：找不到合约 {req.vt_symbol}")
            return
        with self._lock:
            if req.symbol in self.subscribed:
                return
            self.subscribed.add(req.symbol)
        if self.login_status and self.api is not None:
            self.api.subscribeMarketData([req.symbol])


class CtpsoptTdSession(TdSpi, _Session):
    """Trading session: login flow, contracts, orders, trades, positions, account, SOPT business.

    State (all per instance): ``book`` (orders/trades, see OrderBook), ``positions`` (last pushed
    positions), ``exercises``/``locks``/``quotes`` (id -> SideRecord), ``buffer`` (order and trade
    dicts that arrived before the contracts), reference allocators, the query ``scheduler``.
    Everything that mutates state runs under ``self.lock``; requests to the api are made outside it.
    """

    def __init__(self, gateway: CtpsoptGateway) -> None:
        self.gateway = gateway
        self.gateway_name: str = gateway.gateway_name
        self.contracts: ContractCache = gateway.contracts
        self.api: TdApi | None = None
        self.setting: ConnectSetting | None = None
        self.lock = threading.RLock()

        # Session
        self.reqid: int = 0
        self.frontid: int = 0
        self.sessionid: int = 0
        self.trading_day: str = ""
        self.connect_status: bool = False
        self.login_status: bool = False
        self.auth_failed: bool = False
        self.login_failed: bool = False
        self.last_login_attempt: float = 0.0
        self.ever_logged_in: bool = False
        self.contract_inited: bool = False
        self.contracts_day: str = ""
        self.resync_done: bool = False

        # References
        self.order_refs: RefAllocator = RefAllocator()
        self.exec_refs: RefAllocator = RefAllocator()
        self.lock_refs: RefAllocator = RefAllocator()
        self.quote_refs: RefAllocator = RefAllocator()

        # Records
        self.book: OrderBook = OrderBook()
        self.positions: PositionBook = PositionBook()
        self.lock_positions: PositionBook = PositionBook()
        self.exercises: dict[str, SideRecord] = {}
        self.locks: dict[str, SideRecord] = {}
        self.quotes: dict[str, SideRecord] = {}
        self.buffer: list[tuple[str, Data]] = []

        self.scheduler: QueryScheduler = QueryScheduler(
            self._next_reqid, on_give_up=self._on_query_give_up
        )

    # -- plumbing -------------------------------------------------------------------------------

    def _next_reqid(self) -> int:
        with self.lock:
            self.reqid += 1
            return self.reqid

    def _on_query_give_up(self, name: str) -> None:
        self.gateway.write_error(f"查询{name}多次发送失败，已放弃，等待下次刷新")

    def _ids(self) -> tuple[str, str]:
        s = self.setting
        return (s.brokerid, s.userid) if s else ("", "")

    def _investor(self) -> Data:
        """The BrokerID/InvestorID pair that investor queries and confirmations carry."""
        brokerid, userid = self._ids()
        return {"BrokerID": brokerid, "InvestorID": userid}

    def connect(self, setting: ConnectSetting, flow_path: Path) -> None:
        self.setting = setting
        self.auth_failed = False
        self.login_failed = False
        if self.api is not None:
            # Already connected: a new connect() with fresh settings re-authenticates.
            if self.connect_status and not self.login_status:
                self.authenticate_or_login()
            return
        self.api = create_td_api(setting.td_address, self, flow_path, setting.resume_type)
        self.api.connect()

    def close(self) -> None:
        self.scheduler.active = False
        self.scheduler.reset()
        api, self.api = self.api, None
        self.login_status = False
        if api is not None:
            api.close()

    # -- connection and login -------------------------------------------------------------------

    @guarded
    def onFrontConnected(self) -> None:
        self.connect_status = True
        self.gateway.write_throttled("交易服务器连接成功")
        self.authenticate_or_login()

    @guarded
    def onFrontDisconnected(self, reason: int) -> None:
        self.connect_status = False
        self.login_status = False
        self.scheduler.active = False
        self.scheduler.reset()
        hint: str = ""
        if reason == READ_FAILURE and not self.ever_logged_in:
            hint = NEVER_LOGGED_IN_HINT
        self.gateway.write_throttled(
            f"交易服务器连接断开，原因：{disconnect_text(reason)}{hint}", error=True
        )

    @guarded
    def onHeartBeatWarning(self, time_lapse: int) -> None:
        self.gateway.write_throttled(
            f"交易服务器心跳警告：{time_lapse}秒未收到报文", key="td.heartbeat"
        )

    def retry_login(self) -> None:
        """Timer: connected but not logged in after a retryable failure (front not ready,
        session limit...): try again every LOGIN_RETRY seconds, as a reconnect would."""
        if (
            self.connect_status
            and not self.login_status
            and not self.auth_failed
            and not self.login_failed
            and time.monotonic() - self.last_login_attempt >= LOGIN_RETRY
        ):
            self.authenticate_or_login()

    def authenticate_or_login(self) -> None:
        s = self.setting
        if s is None or self.api is None:
            return
        self.last_login_attempt = time.monotonic()
        if s.auth_code or s.appid:
            if self.auth_failed:
                return
            req: Data = {
                "UserID": s.userid,
                "BrokerID": s.brokerid,
                "AuthCode": s.auth_code,
                "AppID": s.appid,
            }
            self.api.reqAuthenticate(req, self._next_reqid())
        else:
            self.login()

    def login(self) -> None:
        s = self.setting
        if s is None or self.api is None or self.login_failed:
            return
        req: Data = {
            "UserID": s.userid,
            "Password": s.password,
            "BrokerID": s.brokerid,
        }
        self.api.reqUserLogin(req, self._next_reqid())

    @guarded
    def onRspAuthenticate(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            if error.get("ErrorID") in FATAL_AUTH_ERRORS:
                self.auth_failed = True
                self.gateway.write_error(
                    f"交易服务器授权验证失败（请检查产品名称和授权编码，修改后重新连接），"
                    f"{format_error(error)}"
                )
            else:
                self.gateway.write_error(f"交易服务器授权验证失败，稍后重试，{format_error(error)}")
            return
        self.gateway.write_log("交易服务器授权验证成功")
        self.login()

    @guarded
    def onRspUserLogin(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            if error.get("ErrorID") in FATAL_LOGIN_ERRORS:
                self.login_failed = True
                self.gateway.write_error(
                    f"交易服务器登录失败（请检查用户名和密码，修改后重新连接），{format_error(error)}"
                )
            else:
                self.gateway.write_error(f"交易服务器登录失败，稍后重试，{format_error(error)}")
            return
        with self.lock:
            self.frontid = int(data.get("FrontID", 0))
            self.sessionid = int(data.get("SessionID", 0))
            self.trading_day = str(data.get("TradingDay", ""))
            self.order_refs.floor(data.get("MaxOrderRef", 0))
            self.login_status = True
            self.ever_logged_in = True
        self.gateway.write_log("交易服务器登录成功")
        api = self.api
        if self.setting is not None and api is not None:
            api.reqSettlementInfoConfirm(self._investor(), self._next_reqid())

    @guarded
    def onRspSettlementInfoConfirm(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(f"结算信息确认失败，{format_error(error)}")
        else:
            self.gateway.write_log("结算信息确认成功")
        self.scheduler.active = True
        if not self.contract_inited or self.trading_day != self.contracts_day:
            # First login, or a new trading day (new listings, adjusted contracts): contracts.
            self.scheduler.request("合约", self._send_qry_instrument)
        else:
            self._schedule_resync()

    def _schedule_resync(self) -> None:
        """After contracts (first login) or at every later login: state from the counter."""
        self.resync_done = False
        self.query_account()
        self.query_position()
        self.scheduler.request("锁定持仓", self._send_qry_lock_position)
        self.scheduler.request("委托", self._send_qry_order)
        self.scheduler.request("成交", self._send_qry_trade)
        # exercise declarations (and live quotes, for a gateway that sent some) made while away
        self.scheduler.request("行权", self._send_qry_exec_order)
        if self.quotes:
            self.scheduler.request("报价", self._send_qry_quote)

    # -- queries --------------------------------------------------------------------------------

    def _send_qry_instrument(self, reqid: int) -> int:
        return api.reqQryInstrument({}, reqid) if (api := self.api) else -1

    def _send_qry_account(self, reqid: int) -> int:
        return api.reqQryTradingAccount(self._investor(), reqid) if (api := self.api) else -1

    def _send_qry_position(self, reqid: int) -> int:
        with self.lock:
            self.positions.rows = []
        return api.reqQryInvestorPosition(self._investor(), reqid) if (api := self.api) else -1

    def _send_qry_lock_position(self, reqid: int) -> int:
        with self.lock:
            self.lock_positions.rows = []
        return api.reqQryLockPosition(self._investor(), reqid) if (api := self.api) else -1

    def _send_qry_order(self, reqid: int) -> int:
        with self.lock:
            for record in self.book.records.values():
                record.seen_in_query = False
        return api.reqQryOrder(self._investor(), reqid) if (api := self.api) else -1

    def _send_qry_trade(self, reqid: int) -> int:
        return api.reqQryTrade(self._investor(), reqid) if (api := self.api) else -1

    def _send_qry_exec_order(self, reqid: int) -> int:
        return api.reqQryExecOrder(self._investor(), reqid) if (api := self.api) else -1

    def _send_qry_quote(self, reqid: int) -> int:
        return api.reqQryQuote(self._investor(), reqid) if (api := self.api) else -1

    @guarded
    def onRspQryExecOrder(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(f"行权查询失败，{format_error(error)}")
        if data:
            self.onRtnExecOrder(data)
        if last:
            self.scheduler.done(reqid)

    @guarded
    def onRspQryQuote(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(f"报价查询失败，{format_error(error)}")
        if data:
            self.onRtnQuote(data)
        if last:
            self.scheduler.done(reqid)

    def query_account(self) -> None:
        if self.contract_inited:
            self.scheduler.request("资金", self._send_qry_account)

    def query_position(self) -> None:
        if self.contract_inited:
            self.scheduler.request("持仓", self._send_qry_position)

    def refresh_after_trade(self, covered: bool = False) -> None:
        """Positions and account right after a fill, ahead of the background polling."""
        self.scheduler.request("持仓", self._send_qry_position, front=True)
        self.scheduler.request("资金", self._send_qry_account)
        if covered:
            self.scheduler.request("锁定持仓", self._send_qry_lock_position)

    @guarded
    def onRspError(self, error: Data, reqid: int, last: bool) -> None:
        if error.get("ErrorID") == QUERY_ERROR_NOT_READY and self.scheduler.retry(reqid):
            return
        self.gateway.write_error(f"交易接口报错，{format_error(error)}")

    @guarded
    def onRspQryInstrument(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(f"合约查询失败，{format_error(error)}")
        if data:
            contract: ContractData | None = parse_contract(data, self.gateway_name)
            if contract is not None:
                with self.lock:
                    known = self.contracts.get(contract.symbol)
                    # A re-query (new trading day) pushes only new or changed contracts: apps
                    # such as OptionMaster rebuild their objects on every contract event.
                    fresh: bool = known is None or contract_terms(known) != contract_terms(
                        contract
                    )
                    if fresh:
                        self.contracts.add(contract)
                if fresh:
                    self.gateway.on_contract(contract)
        if not last:
            return
        with self.lock:
            self.contract_inited = True
            self.contracts_day = self.trading_day
            buffered, self.buffer = self.buffer, []
        self.gateway.write_log(f"合约信息查询成功（{len(self.contracts)}个）")
        for kind, item in buffered:
            self._process_safely(kind, item)
        self.scheduler.done(reqid)
        self._schedule_resync()

    @guarded
    def onRspQryTradingAccount(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(f"资金查询失败，{format_error(error)}")
        if data:
            account = parse_account(data, self.gateway_name)
            if account is not None:
                self.gateway.on_account(account)
        if last:
            self.scheduler.done(reqid)

    @guarded
    def onRspQryInvestorPosition(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(f"持仓查询失败，{format_error(error)}")
        with self.lock:
            if data:
                self.positions.rows.append(data)
            if not last:
                return
            fresh = parse_positions(
                self.positions.rows, self.contracts.by_symbol, self.gateway_name
            )
            self.positions.rows = []
            result: list[PositionData] = self.positions.diff(
                list(fresh.values()), lambda p: True
            )
        for position in result:
            self.gateway.on_position(position)
        self.scheduler.done(reqid)

    @guarded
    def onRspQryLockPosition(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(f"锁定持仓查询失败，{format_error(error)}")
        with self.lock:
            if data:
                self.lock_positions.rows.append(data)
            if not last:
                return
            fresh: list[PositionData] = []
            for row in self.lock_positions.rows:
                position = parse_lock_position(row, self.gateway_name)
                if position is not None:
                    fresh.append(position)
            self.lock_positions.rows = []
            result = self.lock_positions.diff(
                fresh, lambda p: p.symbol.endswith(LOCKED_SUFFIX)
            )
        for position in result:
            self.gateway.on_position(position)
        self.scheduler.done(reqid)

    @guarded
    def onRspQryOrder(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(f"委托查询失败，{format_error(error)}")
        if data:
            self._process_order(data, from_query=True)
        if last:
            try:
                self._resolve_stuck_orders()
            finally:
                self.scheduler.done(reqid)

    @guarded
    def onRspQryTrade(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(f"成交查询失败，{format_error(error)}")
        if data:
            self._process_trade(data)
        if last:
            try:
                self._flush_orphan_trades()
            finally:
                self.resync_done = True
                self.scheduler.done(reqid)

    # -- orders and trades ----------------------------------------------------------------------

    def _exchange_of(self, data: Data) -> Exchange | None:
        exchange: Exchange | None = EXCHANGE_SOPT2VT.get(data.get("ExchangeID", ""))
        if exchange is None:
            contract = self.contracts.get(data.get("InstrumentID", ""))
            exchange = contract.exchange if contract else None
        return exchange

    def _process_order(self, data: Data, from_query: bool = False) -> None:
        with self.lock:
            if not self.contract_inited:
                self.buffer.append(("order", data))
                return
            exchange: Exchange | None = self._exchange_of(data)
            if exchange is None:
                self.gateway.write_log(
                    f"收到未知交易所的委托，已忽略：{data.get('InstrumentID', '')}"
                )
                return
            frontid: int = int(data.get("FrontID", 0))
            sessionid: int = int(data.get("SessionID", 0))
            order_ref: str = str(data.get("OrderRef", "")).strip()
            orderid: str = make_orderid(frontid, sessionid, order_ref)
            record = self.book.get(orderid)
            order: OrderData | None = parse_order(
                data, exchange, orderid, self.gateway_name, record.reference if record else ""
            )
            if order is None:
                self.gateway.write_error(
                    f"收到不支持的委托状态：{data.get('OrderStatus', '')!r}，委托号{orderid}"
                )
                return
            exchange_id: str = data.get("ExchangeID", "") or exchange.value
            sysid: str = str(data.get("OrderSysID", "")).strip()
            push: bool = self.book.accept(order, frontid, sessionid, order_ref, exchange_id, sysid)
            accepted = self.book.get(orderid)
            submit: str = data.get("OrderSubmitStatus", "")
            # A cancel the exchange refused changes no status (nothing is pushed): say so once.
            cancel_refused: bool = (
                submit == c.THOST_FTDC_OSS_CancelRejected
                and accepted is not None
                and accepted.submit_status != submit
            )
            if accepted is not None:
                accepted.submit_status = submit
                if from_query:
                    accepted.seen_in_query = True
            released: list[Data] = self.book.release_trades(exchange_id, sysid) if sysid else []
        if push:
            self.gateway.on_order(order)
            if order.status == Status.REJECTED:
                self.gateway.write_error(
                    f"委托被拒绝：{order.vt_symbol} 委托号{orderid}，"
                    f"{data.get('StatusMsg', '')}"
                )
        if cancel_refused:
            self.gateway.write_error(
                f"撤单被拒绝：{order.vt_symbol} 委托号{orderid}，{data.get('StatusMsg', '')}"
            )
        for trade_data in released:
            self._process_safely("trade", trade_data)

    def _process_safely(self, kind: str, data: Data) -> None:
        """Process one held order ("order") or trade dict: a broken one is logged, so the ones
        after it (and the resync that follows) still go."""
        try:
            if kind == "order":
                self._process_order(data)
            else:
                self._process_trade(data)
        except Exception as exc:  # noqa: BLE001
            word: str = "委托" if kind == "order" else "成交"
            self.gateway.write_error(f"{word}回报处理异常：{exc!r}")

    def _process_trade(self, data: Data) -> None:
        with self.lock:
            if not self.contract_inited:
                self.buffer.append(("trade", data))
                return
            exchange_id: str = data.get("ExchangeID", "")
            sysid: str = str(data.get("OrderSysID", "")).strip()
            orderid: str | None = self.book.orderid_for_trade(exchange_id, sysid)
            if orderid is None:
                self.book.hold_trade(data)
                return
            trade = self._new_trade(data, orderid)
        if trade is not None:
            self._emit_trades([trade])

    def _new_trade(self, data: Data, orderid: str) -> TradeData | None:
        """The TradeData for ``data`` unless its trade id was already pushed (call under lock)."""
        exchange: Exchange | None = self._exchange_of(data)
        if exchange is None:
            return None
        if not self.book.is_new_trade(*trade_key(data, exchange)):
            return None
        return parse_trade(data, exchange, orderid, self.gateway_name)

    def _emit_trades(self, trades: list[TradeData]) -> None:
        """Push trades, then refresh positions/account once (outside the session lock)."""
        covered: bool = False
        for trade in trades:
            self.gateway.on_trade(trade)
            covered = covered or bool(trade.extra and trade.extra.get("covered"))
        if trades and self.login_status:
            self.refresh_after_trade(covered)

    def _flush_orphan_trades(self) -> None:
        """After the order and trade queries: trades whose order never appeared are pushed with
        an order id made of their OrderSysID, rather than held forever."""
        trades: list[TradeData] = []
        with self.lock:
            for data in self.book.release_all_trades():
                sysid: str = str(data.get("OrderSysID", "")).strip()
                orderid: str | None = self.book.orderid_for_trade(data.get("ExchangeID", ""), sysid)
                if orderid is None:
                    orderid = f"{data.get('ExchangeID', '')}_{sysid}"
                    self.gateway.write_log(
                        f"成交{data.get('TradeID', '')}找不到对应委托，按系统编号{sysid}推送"
                    )
                try:
                    trade = self._new_trade(data, orderid)
                except Exception as exc:  # noqa: BLE001 - the other held trades still go out
                    self.gateway.write_error(f"成交回报处理异常：{exc!r}")
                    continue
                if trade is not None:
                    trades.append(trade)
        self._emit_trades(trades)

    def _resolve_stuck_orders(self) -> None:
        """Orders sent in an earlier session that are still 提交中 and that the counter does not
        know: they never reached it (the connection dropped first), so they are rejected."""
        rejected: list[OrderData] = []
        with self.lock:
            for record in self.book.records.values():
                if (
                    record.order.status == Status.SUBMITTING
                    and record.sessionid != self.sessionid
                    and not record.seen_in_query
                    and not record.order_sysid
                ):
                    order: OrderData = rejected_copy(
                        record.order, "断线前发出的委托未到达柜台（柜台无此委托）"
                    )
                    record.order = order
                    rejected.append(order)
        for order in rejected:
            self.gateway.on_order(order)
            self.gateway.write_error(f"委托{order.vt_orderid}在断线前未到达柜台，已标记为拒单")

    def send_order(self, req: OrderRequest, covered: bool) -> str:
        try:
            return self._send_order(req, covered)
        except Exception as exc:  # noqa: BLE001
            self.gateway.write_error(f"委托失败：{req.vt_symbol}，{exc!r}")
            return ""

    def _send_order(self, req: OrderRequest, covered: bool) -> str:
        brokerid, userid = self._ids()
        with self.lock:
            order_ref: str = self.order_refs.next()
            orderid: str = make_orderid(self.frontid, self.sessionid, order_ref)
            contract = self.contracts.get_vt(req.vt_symbol)
            ctp_req, reason = build_order_insert(
                req, contract, order_ref, brokerid, userid, covered
            )
            if not reason and not (self.login_status and self.api is not None):
                reason = "交易服务器未登录"
            if ctp_req is None or reason:
                order: OrderData = rejected_order(req, orderid, self.gateway_name, reason)
            else:
                order = req.create_order_data(orderid, self.gateway_name)
            order.extra = {**(order.extra or {}), "covered": covered}
            self.book.add_sent(order, self.frontid, self.sessionid, order_ref, req.reference)
            self.gateway.on_order(order)
            self.reqid += 1
            reqid: int = self.reqid
            api = self.api
        if order.status == Status.REJECTED:
            self.gateway.write_error(f"委托被拒绝：{req.vt_symbol}，{reason}")
            return order.vt_orderid
        n: int = api.reqOrderInsert(ctp_req, reqid) if api and ctp_req else -1
        if n != 0:
            with self.lock:
                record = self.book.get(orderid)
                if record is None or record.order.status != Status.SUBMITTING:
                    return order.vt_orderid
                failed: OrderData = rejected_copy(record.order, f"委托请求发送失败，返回码{n}")
                record.order = failed
            self.gateway.on_order(failed)
            self.gateway.write_error(f"委托请求发送失败（流控或未连接），返回码{n}：{req.vt_symbol}")
        return order.vt_orderid

    def cancel_order(self, req: CancelRequest) -> None:
        brokerid, userid = self._ids()
        with self.lock:
            record = self.book.get(req.orderid)
            if record is not None:
                if not record.order.is_active():
                    self.gateway.write_log(f"撤单忽略：委托{req.orderid}已结束")
                    return
                frontid, sessionid, order_ref = record.frontid, record.sessionid, record.order_ref
                symbol, exchange = record.order.symbol, record.order.exchange
                sysid: str = record.order_sysid
            else:
                parts = split_orderid(req.orderid)
                if parts is None:
                    self.gateway.write_error(f"撤单失败：无效的委托号 {req.orderid}")
                    return
                frontid, sessionid, order_ref = parts
                symbol, exchange, sysid = req.symbol, req.exchange, ""
            api = self.api
            if not self.login_status or api is None:
                self.gateway.write_error(f"撤单失败：交易服务器未登录，委托号{req.orderid}")
                return
        ctp_req: Data = build_cancel(
            symbol, exchange, frontid, sessionid, order_ref, brokerid, userid, sysid
        )
        n: int = api.reqOrderAction(ctp_req, self._next_reqid())
        if n != 0:
            self.gateway.write_error(f"撤单请求发送失败，返回码{n}：委托号{req.orderid}")

    @guarded
    def onRtnOrder(self, data: Data) -> None:
        self._process_order(data)

    @guarded
    def onRtnTrade(self, data: Data) -> None:
        self._process_trade(data)

    def _reject_own_order(self, data: Data, error: Data) -> None:
        """An insert refused by the counter (OnRspOrderInsert / OnErrRtnOrderInsert)."""
        order_ref: str = str(data.get("OrderRef", "")).strip()
        orderid: str = make_orderid(self.frontid, self.sessionid, order_ref)
        msg: str = format_error(error)
        with self.lock:
            record = self.book.get(orderid)
            if record is None or not record.order.is_active():
                return
            order: OrderData = rejected_copy(record.order, str(error.get("ErrorMsg", "")))
            record.order = order
        self.gateway.on_order(order)
        self.gateway.write_error(f"交易委托失败：{order.vt_symbol} 委托号{orderid}，{msg}")

    @guarded
    def onRspOrderInsert(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self._reject_own_order(data, error)

    @guarded
    def onErrRtnOrderInsert(self, data: Data, error: Data) -> None:
        if is_error(error):
            self._reject_own_order(data, error)

    @guarded
    def onRspOrderAction(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(
                f"交易撤单失败：委托引用{data.get('OrderRef', '')}，{format_error(error)}"
            )

    @guarded
    def onErrRtnOrderAction(self, data: Data, error: Data) -> None:
        if is_error(error) and int(data.get("SessionID", 0) or 0) != self.sessionid:
            self.gateway.write_error(
                f"交易撤单失败：委托引用{data.get('OrderRef', '')}，{format_error(error)}"
            )

    @guarded
    def onRtnInstrumentStatus(self, data: Data) -> None:
        contract = self.contracts.get(data.get("InstrumentID", ""))
        if contract is not None and contract.extra is not None:
            # vnpy_sopt-compatible live flag; a bool store is atomic for readers.
            contract.extra["trading_active"] = ACTIVE_SOPT2VT.get(
                data.get("InstrumentStatus", ""), False
            )

    # -- exercise -------------------------------------------------------------------------------

    def _push_exercise(self, data: ExerciseData) -> None:
        self.gateway.on_event(EVENT_CTPSOPT_EXERCISE, data)
        self.gateway.on_event(EVENT_CTPSOPT_EXERCISE + data.vt_exerciseid, data)

    def send_exercise(self, req: ExerciseRequest) -> str:
        try:
            brokerid, userid = self._ids()
            with self.lock:
                ref: str = self.exec_refs.next()
                exerciseid: str = make_orderid(self.frontid, self.sessionid, ref)
                contract = self.contracts.get_vt(req.vt_symbol)
                ctp_req, reason = build_exec_order(req, contract, ref, brokerid, userid)
                if not reason and not (self.login_status and self.api):
                    reason = "交易服务器未登录"
                data = ExerciseData(
                    gateway_name=self.gateway_name,
                    symbol=req.symbol,
                    exchange=req.exchange,
                    exerciseid=exerciseid,
                    volume=req.volume,
                    status=Status.REJECTED if reason else Status.SUBMITTING,
                    msg=reason,
                    reference=req.reference,
                )
                self.exercises[exerciseid] = SideRecord(
                    req.symbol, req.exchange, self.frontid, self.sessionid, ref,
                    req.reference, data=data,
                )
                self.reqid += 1
                reqid: int = self.reqid
                api = self.api
            self._push_exercise(data)
            if reason or ctp_req is None or api is None:
                self.gateway.write_error(f"行权申报被拒绝：{req.vt_symbol}，{reason}")
                return data.vt_exerciseid
            n: int = api.reqExecOrderInsert(ctp_req, reqid)
            if n != 0:
                self._reject_side(self.exercises, exerciseid, f"行权请求发送失败，返回码{n}")
            return data.vt_exerciseid
        except Exception as exc:  # noqa: BLE001
            self.gateway.write_error(f"行权申报失败：{req.vt_symbol}，{exc!r}")
            return ""

    def _reject_side(self, records: dict[str, SideRecord], key: str, msg: str) -> None:
        with self.lock:
            record = records.get(key)
            if record is None or record.data is None:
                return
            old = record.data
            if not isinstance(old, (ExerciseData, LockData, QuoteData)):
                return
            if old.status not in (Status.SUBMITTING, Status.NOTTRADED):
                return
            new = copy(old)
            new.status = Status.REJECTED
            if isinstance(new, QuoteData):
                new.extra = {"status_msg": msg}
            else:
                new.msg = msg
            record.data = new
        if isinstance(new, ExerciseData):
            self._push_exercise(new)
            self.gateway.write_error(f"行权申报失败：{new.vt_symbol}，{msg}")
        elif isinstance(new, LockData):
            self._push_lock(new)
            self.gateway.write_error(f"{new.lock_type.value}失败：{new.vt_symbol}，{msg}")
        else:
            self.gateway.on_quote(new)
            self.gateway.write_error(f"报价失败：{new.vt_symbol}，{msg}")

    def _side_error(
        self, records: dict[str, SideRecord], ref_field: str, data: Data, error: Data
    ) -> None:
        """An insert of this session refused by the counter (OnRsp... / OnErrRtn...Insert)."""
        ref: str = str(data.get(ref_field, "")).strip()
        key: str = make_orderid(self.frontid, self.sessionid, ref)
        self._reject_side(records, key, format_error(error))

    def cancel_exercise(self, exerciseid: str) -> None:
        key: str = exerciseid.split(".", 1)[1] if exerciseid.startswith(
            self.gateway_name + "."
        ) else exerciseid
        brokerid, userid = self._ids()
        with self.lock:
            record = self.exercises.get(key)
            api = self.api
        if record is None:
            self.gateway.write_error(f"撤销行权失败：找不到行权申报 {exerciseid}")
            return
        if isinstance(record.data, ExerciseData) and not record.data.is_active():
            self.gateway.write_log(f"撤销行权忽略：行权申报{exerciseid}已结束")
            return
        if api is None or not self.login_status:
            self.gateway.write_error(f"撤销行权失败：交易服务器未登录，{exerciseid}")
            return
        req: Data = build_exec_action(
            record.exchange, record.symbol, record.frontid, record.sessionid, record.ref,
            brokerid, userid, record.sysid,
        )
        n: int = api.reqExecOrderAction(req, self._next_reqid())
        if n != 0:
            self.gateway.write_error(f"撤销行权请求发送失败，返回码{n}：{exerciseid}")

    @guarded
    def onRtnExecOrder(self, data: Data) -> None:
        exchange = self._exchange_of(data)
        if exchange is None:
            return
        frontid: int = int(data.get("FrontID", 0))
        sessionid: int = int(data.get("SessionID", 0))
        ref: str = str(data.get("ExecOrderRef", "")).strip()
        exerciseid: str = make_orderid(frontid, sessionid, ref)
        with self.lock:
            record = self.exercises.get(exerciseid)
            if record is None:
                record = SideRecord(data["InstrumentID"], exchange, frontid, sessionid, ref)
                self.exercises[exerciseid] = record
            record.sysid = str(data.get("ExecOrderSysID", "")).strip() or record.sysid
            exercise = parse_exec_order(
                data, exchange, exerciseid, self.gateway_name, record.reference
            )
            old = record.data
            changed: bool = not (
                isinstance(old, ExerciseData)
                and (old.status, old.exec_result, old.msg)
                == (exercise.status, exercise.exec_result, exercise.msg)
            )
            if isinstance(old, ExerciseData) and not old.is_active() and exercise.is_active():
                changed = False
            if changed:
                record.data = exercise
        if changed:
            self._push_exercise(exercise)
            self.gateway.write_log(
                f"行权申报{STATUS_WORDS[exercise.status]}：{exercise.vt_symbol} "
                f"{exercise.volume:g}张，{exercise.msg}"
            )
            if self.login_status:
                self.refresh_after_trade()

    @guarded
    def onRspExecOrderInsert(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self._side_error(self.exercises, "ExecOrderRef", data, error)

    @guarded
    def onErrRtnExecOrderInsert(self, data: Data, error: Data) -> None:
        if is_error(error):
            self._side_error(self.exercises, "ExecOrderRef", data, error)

    @guarded
    def onRspExecOrderAction(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(f"撤销行权失败，{format_error(error)}")

    @guarded
    def onErrRtnExecOrderAction(self, data: Data, error: Data) -> None:
        if is_error(error) and int(data.get("SessionID", 0) or 0) != self.sessionid:
            self.gateway.write_error(f"撤销行权失败，{format_error(error)}")

    # -- lock / unlock --------------------------------------------------------------------------

    def _push_lock(self, data: LockData) -> None:
        self.gateway.on_event(EVENT_CTPSOPT_LOCK, data)
        self.gateway.on_event(EVENT_CTPSOPT_LOCK + data.vt_lockid, data)

    def send_lock(self, req: LockRequest) -> str:
        try:
            brokerid, userid = self._ids()
            with self.lock:
                ref: str = self.lock_refs.next()
                lockid: str = make_orderid(self.frontid, self.sessionid, ref)
                contract = self.contracts.get_vt(req.vt_symbol)
                ctp_req, reason = build_lock(req, contract, ref, brokerid, userid)
                if not reason and not (self.login_status and self.api):
                    reason = "交易服务器未登录"
                data = LockData(
                    gateway_name=self.gateway_name,
                    symbol=req.symbol,
                    exchange=req.exchange,
                    lockid=lockid,
                    lock_type=req.lock_type,
                    volume=req.volume,
                    status=Status.REJECTED if reason else Status.SUBMITTING,
                    msg=reason,
                    reference=req.reference,
                )
                self.locks[lockid] = SideRecord(
                    req.symbol, req.exchange, self.frontid, self.sessionid, ref,
                    req.reference, data=data,
                )
                self.reqid += 1
                reqid: int = self.reqid
                api = self.api
            self._push_lock(data)
            if reason or ctp_req is None or api is None:
                self.gateway.write_error(f"{req.lock_type.value}被拒绝：{req.vt_symbol}，{reason}")
                return data.vt_lockid
            n: int = api.reqLockInsert(ctp_req, reqid)
            if n != 0:
                self._reject_side(self.locks, lockid, f"锁定请求发送失败，返回码{n}")
            return data.vt_lockid
        except Exception as exc:  # noqa: BLE001
            self.gateway.write_error(f"锁定/解锁失败：{req.vt_symbol}，{exc!r}")
            return ""

    @guarded
    def onRtnLock(self, data: Data) -> None:
        exchange = self._exchange_of(data)
        if exchange is None:
            return
        frontid: int = int(data.get("FrontID", 0))
        sessionid: int = int(data.get("SessionID", 0))
        ref: str = str(data.get("LockRef", "")).strip()
        lockid: str = make_orderid(frontid, sessionid, ref)
        with self.lock:
            record = self.locks.get(lockid)
            if record is None:
                record = SideRecord(data["InstrumentID"], exchange, frontid, sessionid, ref)
                self.locks[lockid] = record
            lock = parse_lock(data, exchange, lockid, self.gateway_name, record.reference)
            old = record.data
            changed: bool = not (isinstance(old, LockData) and old.status == lock.status)
            if changed:
                record.data = lock
        if changed:
            self._push_lock(lock)
            self.gateway.write_log(
                f"{lock.lock_type.value}{STATUS_WORDS[lock.status]}：{lock.vt_symbol} "
                f"{lock.volume:g}份，{lock.msg}"
            )
            if lock.status == Status.ALLTRADED and self.login_status:
                self.scheduler.request("锁定持仓", self._send_qry_lock_position, front=True)
                self.scheduler.request("资金", self._send_qry_account)

    @guarded
    def onRspLockInsert(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self._side_error(self.locks, "LockRef", data, error)

    @guarded
    def onErrRtnLockInsert(self, data: Data, error: Data) -> None:
        if is_error(error):
            self._side_error(self.locks, "LockRef", data, error)

    # -- quotes ---------------------------------------------------------------------------------

    def send_quote(self, req: QuoteRequest) -> str:
        try:
            brokerid, userid = self._ids()
            with self.lock:
                ref: str = self.quote_refs.next()
                # The ask side's derived order is registered first, so it gets the lower ref.
                ask_ref: str = self.order_refs.next()
                bid_ref: str = self.order_refs.next()
                quoteid: str = make_orderid(self.frontid, self.sessionid, ref)
                contract = self.contracts.get_vt(req.vt_symbol)
                ctp_req, reason = build_quote(
                    req, contract, ref, bid_ref, ask_ref, brokerid, userid
                )
                if not reason and not (self.login_status and self.api):
                    reason = "交易服务器未登录"
                quote_data: QuoteData = req.create_quote_data(quoteid, self.gateway_name)
                if reason:
                    quote_data.status = Status.REJECTED
                    quote_data.extra = {"status_msg": reason}
                self.quotes[quoteid] = SideRecord(
                    req.symbol, req.exchange, self.frontid, self.sessionid, ref,
                    req.reference, data=quote_data,
                )
                self.reqid += 1
                reqid: int = self.reqid
                api = self.api
            self.gateway.on_quote(quote_data)
            if reason or ctp_req is None or api is None:
                self.gateway.write_error(f"报价被拒绝：{req.vt_symbol}，{reason}")
                return quote_data.vt_quoteid
            n: int = api.reqQuoteInsert(ctp_req, reqid)
            if n != 0:
                self._reject_side(self.quotes, quoteid, f"报价请求发送失败，返回码{n}")
            return quote_data.vt_quoteid
        except Exception as exc:  # noqa: BLE001
            self.gateway.write_error(f"报价失败：{req.vt_symbol}，{exc!r}")
            return ""

    def cancel_quote(self, req: CancelRequest) -> None:
        brokerid, userid = self._ids()
        with self.lock:
            record = self.quotes.get(req.orderid)
            api = self.api
        if record is None:
            self.gateway.write_error(f"撤销报价失败：找不到报价 {req.orderid}")
            return
        if isinstance(record.data, QuoteData) and not record.data.is_active():
            self.gateway.write_log(f"撤销报价忽略：报价{req.orderid}已结束")
            return
        if api is None or not self.login_status:
            self.gateway.write_error(f"撤销报价失败：交易服务器未登录，{req.orderid}")
            return
        ctp_req: Data = build_quote_action(
            record.symbol, record.exchange, record.frontid, record.sessionid, record.ref,
            brokerid, userid, record.sysid,
        )
        n: int = api.reqQuoteAction(ctp_req, self._next_reqid())
        if n != 0:
            self.gateway.write_error(f"撤销报价请求发送失败，返回码{n}：{req.orderid}")

    @guarded
    def onRtnQuote(self, data: Data) -> None:
        exchange = self._exchange_of(data)
        if exchange is None:
            return
        frontid: int = int(data.get("FrontID", 0))
        sessionid: int = int(data.get("SessionID", 0))
        ref: str = str(data.get("QuoteRef", "")).strip()
        quoteid: str = make_orderid(frontid, sessionid, ref)
        with self.lock:
            record = self.quotes.get(quoteid)
            if record is None:
                record = SideRecord(data["InstrumentID"], exchange, frontid, sessionid, ref)
                self.quotes[quoteid] = record
            record.sysid = str(data.get("QuoteSysID", "")).strip() or record.sysid
            quote_data = parse_quote(data, exchange, quoteid, self.gateway_name, record.reference)
            if quote_data is None:
                self.gateway.write_error(
                    f"收到不支持的报价状态：{data.get('QuoteStatus', '')!r}，报价号{quoteid}"
                )
                return
            old = record.data
            changed: bool = not (isinstance(old, QuoteData) and old.status == quote_data.status)
            if isinstance(old, QuoteData) and not old.is_active() and quote_data.is_active():
                changed = False
            if changed:
                record.data = quote_data
        if changed:
            self.gateway.on_quote(quote_data)
            if quote_data.status == Status.REJECTED:
                self.gateway.write_error(
                    f"报价被拒绝：{quote_data.vt_symbol}，{data.get('StatusMsg', '')}"
                )

    @guarded
    def onRspQuoteInsert(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self._side_error(self.quotes, "QuoteRef", data, error)

    @guarded
    def onErrRtnQuoteInsert(self, data: Data, error: Data) -> None:
        if is_error(error):
            self._side_error(self.quotes, "QuoteRef", data, error)

    @guarded
    def onRspQuoteAction(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(f"撤销报价失败，{format_error(error)}")

    @guarded
    def onErrRtnQuoteAction(self, data: Data, error: Data) -> None:
        if is_error(error) and int(data.get("SessionID", 0) or 0) != self.sessionid:
            self.gateway.write_error(f"撤销报价失败，{format_error(error)}")


__all__ = [
    "CtpsoptGateway",
    "CtpsoptSimGateway",
    "ConnectSetting",
    "LockType",
    "PASSWORD_ENV",
    "parse_setting",
    "sim_address",
]
