"""Trading session: connection and login, the queries and their answers (contracts, account,
positions, locked positions), and the TdSpi callbacks, which hand orders and trades to the
OrderDesk (``orders``) and exercise, lock and quote reports to their SideDesks.

Private-flow resume type (setting 私有流模式): QUICK by default. RESTART makes the counter replay
the whole day's order and trade flow at every login (minutes on a busy account, and every status
transition again); QUICK only streams what happens after login, and the session then asks the
counter for the current state of every order and trade (ReqQryOrder, ReqQryTrade) after each
login. Both paths are de-duplicated, so nothing is lost and nothing is pushed twice either way.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from vnpy.trader.constant import Exchange, Offset, Status
from vnpy.trader.object import (
    ContractData,
    OrderRequest,
    PositionData,
    QuoteData,
    QuoteRequest,
)

from ..api import TdApi, TdSpi, create_td_api
from .context import STATUS_WORDS, GatewayPort, disconnect_text, guarded
from .desks import (
    COMB_ACTION_KIND,
    EXERCISE_KIND,
    LOCK_KIND,
    SideDesk,
    comb_exercise_kind,
    quote_kind,
)
from .events import (
    CombActionData,
    CombActionRequest,
    CombExerciseRequest,
    ExerciseData,
    ExerciseRequest,
    LockData,
    LockRequest,
)
from .limits import PositionLimit, open_refusal, parse_limit_posi, underlying_of, usage
from .mapping import ACTIVE_SOPT2VT, EXCHANGE_SOPT2VT
from .md_session import CONNECT_TIMEOUT, LOGIN_RETRY, front_silence
from .orders import OrderDesk
from .parsing import (
    LOCKED_SUFFIX,
    Data,
    contract_terms,
    format_error,
    is_error,
    parse_account,
    parse_contract,
    parse_lock_position,
    parse_positions,
)
from .setting import ConnectSetting
from .state import ContractCache, OrderBook, PositionBook, QueryScheduler, RefAllocator

# 63 客户端认证失败; 3 不合法的登录; 48 无效的投资者或者密码; 132 用户名或密码错误;
# 75 连续登录失败次数超限.
FATAL_AUTH_ERRORS: frozenset[int] = frozenset({63})
FATAL_LOGIN_ERRORS: frozenset[int] = frozenset({3, 48, 75, 132})

QUERY_ERROR_NOT_READY: int = 90

READ_FAILURE: int = 0x1001
# 4097 before any login is what users see when the front address is wrong or when the counter
# runs another API generation (production vs 评测/CP build, 3.5/3.6 vs 3.7): say so.
NEVER_LOGGED_IN_HINT: str = (
    "；若一直无法登录，请检查前置地址，以及柜台是否为生产版 SOPT API 3.7"
    "（openctp-ctpopt 不支持评测版）"
)


class CtpsoptTdSession(TdSpi):
    """Trading session: login flow, contracts, positions, account; orders and SOPT business
    through its desks.

    State (all per instance): ``orders`` (OrderDesk: the order book and the early-report buffer),
    ``positions`` / ``lock_positions`` (last pushed positions), ``exercises`` / ``locks`` /
    ``quotes`` (SideDesks), ``order_refs``, the query ``scheduler``. Everything that mutates state
    runs under ``self.lock``; requests to the api are made outside it.
    """

    def __init__(self, gateway: GatewayPort) -> None:
        self.gateway: GatewayPort = gateway
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
        # monotonic time a connection attempt began (0 while connected), for check_front()
        self.connect_started: float = 0.0
        self.connect_timeout: float = CONNECT_TIMEOUT
        self.ever_logged_in: bool = False
        self.contract_inited: bool = False
        self.contracts_day: str = ""
        self.resync_done: bool = False

        # Records
        self.order_refs: RefAllocator = RefAllocator()
        self.orders: OrderDesk = OrderDesk(self)
        self.positions: PositionBook = PositionBook()
        self.lock_positions: PositionBook = PositionBook()
        self.exercises: SideDesk[ExerciseData, ExerciseRequest] = SideDesk(
            self, EXERCISE_KIND, self._after_exercise
        )
        self.locks: SideDesk[LockData, LockRequest] = SideDesk(self, LOCK_KIND, self._after_lock)
        self.comb_actions: SideDesk[CombActionData, CombActionRequest] = SideDesk(
            self, COMB_ACTION_KIND, self._after_comb_action
        )
        self.comb_exercises: SideDesk[ExerciseData, CombExerciseRequest] = SideDesk(
            self, comb_exercise_kind(self.contracts), self._after_exercise
        )
        self.quotes: SideDesk[QuoteData, QuoteRequest] = SideDesk(
            self, quote_kind(self.order_refs), self._after_quote
        )

        # Position limits (限仓): underlying -> PositionLimit from ReqQryLimitPosi, rows of the
        # answer in progress, and whether the first answer was logged.
        self.position_limits: dict[str, PositionLimit] = {}
        self.limit_rows: list[Data] = []
        self.limits_reported: bool = False

        self.scheduler: QueryScheduler = QueryScheduler(
            self.next_reqid, on_give_up=self._on_query_give_up
        )

    @property
    def book(self) -> OrderBook:
        """The order book (orders by vn.py orderid, pushed trade keys)."""
        return self.orders.book

    # -- plumbing -------------------------------------------------------------------------------

    def next_reqid(self) -> int:
        with self.lock:
            self.reqid += 1
            return self.reqid

    def _on_query_give_up(self, name: str) -> None:
        self.gateway.write_error(f"查询{name}多次发送失败，已放弃，等待下次刷新")

    def ids(self) -> tuple[str, str]:
        """(BrokerID, UserID) of the settings."""
        s = self.setting
        return (s.brokerid, s.userid) if s else ("", "")

    def _investor(self) -> Data:
        """The BrokerID/InvestorID pair that investor queries and confirmations carry."""
        brokerid, userid = self.ids()
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
        self.connect_started = time.monotonic()
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
        self.connect_started = 0.0
        self.gateway.write_throttled("交易服务器连接成功")
        self.authenticate_or_login()

    @guarded
    def onFrontDisconnected(self, reason: int) -> None:
        self.connect_status = False
        self.connect_started = time.monotonic()
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

    def check_front(self) -> None:
        """Timer: say so when the front has not answered for ``connect_timeout`` seconds."""
        if self.api is not None and self.setting is not None:
            front_silence(
                self.gateway, "交易", self.setting.td_address, self.connect_started,
                self.connect_timeout,
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
            self.api.reqAuthenticate(req, self.next_reqid())
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
        self.api.reqUserLogin(req, self.next_reqid())

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
            api.reqSettlementInfoConfirm(self._investor(), self.next_reqid())

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
        self.scheduler.request("限仓", self._send_qry_limit_posi)
        if self.quotes.records:
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
        self.orders.mark_unseen()
        return api.reqQryOrder(self._investor(), reqid) if (api := self.api) else -1

    def _send_qry_trade(self, reqid: int) -> int:
        return api.reqQryTrade(self._investor(), reqid) if (api := self.api) else -1

    def _send_qry_exec_order(self, reqid: int) -> int:
        return api.reqQryExecOrder(self._investor(), reqid) if (api := self.api) else -1

    def _send_qry_limit_posi(self, reqid: int) -> int:
        with self.lock:
            self.limit_rows = []
        return api.reqQryLimitPosi(self._investor(), reqid) if (api := self.api) else -1

    @guarded
    def onRspQryLimitPosi(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(f"限仓查询失败，{format_error(error)}")
        with self.lock:
            if data:
                self.limit_rows.append(data)
            if not last:
                return
            limits = [x for x in map(parse_limit_posi, self.limit_rows) if x is not None]
            self.limit_rows = []
            self.position_limits = {x.underlying: x for x in limits}
        self.scheduler.done(reqid)
        if not limits:
            if not self.limits_reported:
                self.gateway.write_log("柜台未提供限仓信息（ReqQryLimitPosi无记录），不做本地限仓检查")
            self.limits_reported = True
            return
        self.limits_reported = True
        for limit in self.query_position_limits().values():
            self.gateway.write_log(f"限仓：{limit.text()}")

    def query_position_limits(self) -> dict[str, PositionLimit]:
        """The counter's quota per underlying with what is used of it now (positions pushed,
        today's opening orders); empty when the counter offers none."""
        with self.lock:
            limits = list(self.position_limits.values())
            positions = list(self.positions.pushed.values())
            orders = [r.order for r in self.orders.book.records.values()]
            contracts = dict(self.contracts.by_symbol)
        result: dict[str, PositionLimit] = {}
        for limit in limits:
            fresh = PositionLimit(
                limit.underlying, limit.long_limit, limit.total_limit, limit.open_limit
            )
            fresh.used = usage(limit.underlying, positions, orders, contracts)
            result[limit.underlying] = fresh
        return result

    def limit_refusal(self, req: OrderRequest, contract: ContractData | None) -> str:
        """Why an opening order would break the underlying's quota (see limits), or ""."""
        if contract is None or req.offset != Offset.OPEN or not self.position_limits:
            return ""
        limit = self.query_position_limits().get(underlying_of(contract))
        return open_refusal(limit, req) if limit is not None else ""

    def _send_qry_quote(self, reqid: int) -> int:
        return api.reqQryQuote(self._investor(), reqid) if (api := self.api) else -1

    @guarded
    def onRspQryExecOrder(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(f"行权查询失败，{format_error(error)}")
        if data:
            self.exercises.on_report(data)
        if last:
            self.scheduler.done(reqid)

    @guarded
    def onRspQryQuote(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(f"报价查询失败，{format_error(error)}")
        if data:
            self.quotes.on_report(data)
        if last:
            self.scheduler.done(reqid)

    def query_account(self) -> None:
        if self.contract_inited:
            self.scheduler.request("资金", self._send_qry_account)

    def query_position(self) -> None:
        if self.contract_inited:
            self.scheduler.request("持仓", self._send_qry_position)

    def refresh_lock_positions(self) -> None:
        """Locked positions (and the account) at once, after a lock or unlock took effect."""
        self.scheduler.request("锁定持仓", self._send_qry_lock_position, front=True)
        self.scheduler.request("资金", self._send_qry_account)

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
        self.gateway.write_log(f"合约信息查询成功（{len(self.contracts)}个）")
        self.orders.flush_buffer()
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
            # The counter answers a row for every ETF of the account; only rows with shares in
            # them are pushed. One that empties is missing from ``fresh``, so diff() pushes it
            # once with volume 0 (vn.py keeps the last pushed position otherwise).
            fresh: list[PositionData] = []
            for row in self.lock_positions.rows:
                position = parse_lock_position(row, self.gateway_name)
                if position is not None and (position.volume or position.frozen):
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
            self.orders.process_order(data, from_query=True)
        if last:
            try:
                self.orders.resolve_stuck_orders()
            finally:
                self.scheduler.done(reqid)

    @guarded
    def onRspQryTrade(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(f"成交查询失败，{format_error(error)}")
        if data:
            self.orders.process_trade(data)
        if last:
            try:
                self.orders.flush_orphan_trades()
            finally:
                self.resync_done = True
                self.scheduler.done(reqid)

    # -- orders and trades (OrderDesk) -----------------------------------------------------------

    def exchange_of(self, data: Data) -> Exchange | None:
        """The report's exchange: its ExchangeID, else the exchange of its instrument."""
        exchange: Exchange | None = EXCHANGE_SOPT2VT.get(data.get("ExchangeID", ""))
        if exchange is None:
            contract = self.contracts.get(data.get("InstrumentID", ""))
            exchange = contract.exchange if contract else None
        return exchange

    @guarded
    def onRtnOrder(self, data: Data) -> None:
        self.orders.process_order(data)

    @guarded
    def onRtnTrade(self, data: Data) -> None:
        self.orders.process_trade(data)

    @guarded
    def onRspOrderInsert(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.orders.reject_own_order(data, error)

    @guarded
    def onErrRtnOrderInsert(self, data: Data, error: Data) -> None:
        if is_error(error):
            self.orders.reject_own_order(data, error)

    @guarded
    def onRspForQuoteInsert(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.orders.rfq_error(data, error)

    @guarded
    def onErrRtnForQuoteInsert(self, data: Data, error: Data) -> None:
        if is_error(error):
            self.orders.rfq_error(data, error)

    @guarded
    def onRtnForQuoteRsp(self, data: Data) -> None:
        """A request for quote sent to this market-maker account."""
        self.gateway.on_for_quote_rsp(data)

    @guarded
    def onRspOrderAction(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.orders.action_error(data, error)

    @guarded
    def onErrRtnOrderAction(self, data: Data, error: Data) -> None:
        if is_error(error) and int(data.get("SessionID", 0) or 0) != self.sessionid:
            self.orders.action_error(data, error)

    @guarded
    def onRtnInstrumentStatus(self, data: Data) -> None:
        contract = self.contracts.get(data.get("InstrumentID", ""))
        if contract is not None and contract.extra is not None:
            # vnpy_sopt-compatible live flag; a bool store is atomic for readers.
            contract.extra["trading_active"] = ACTIVE_SOPT2VT.get(
                data.get("InstrumentStatus", ""), False
            )

    # -- exercise, lock, quote (SideDesks) --------------------------------------------------------

    def _after_exercise(self, exercise: ExerciseData, data: Data) -> None:
        self.gateway.write_log(
            f"行权申报{STATUS_WORDS[exercise.status]}：{exercise.vt_symbol} "
            f"{exercise.volume:g}张，{exercise.msg}"
        )
        if self.login_status:
            self.refresh_after_trade()

    def _after_lock(self, lock: LockData, data: Data) -> None:
        self.gateway.write_log(
            f"{lock.lock_type.value}{STATUS_WORDS[lock.status]}：{lock.vt_symbol} "
            f"{lock.volume:g}份，{lock.msg}"
        )
        if lock.status == Status.ALLTRADED and self.login_status:
            self.refresh_lock_positions()

    def _after_quote(self, quote: QuoteData, data: Data) -> None:
        if quote.status == Status.REJECTED:
            self.gateway.write_error(f"报价被拒绝：{quote.vt_symbol}，{data.get('StatusMsg', '')}")

    @guarded
    def onRtnExecOrder(self, data: Data) -> None:
        self.exercises.on_report(data)

    @guarded
    def onRspExecOrderInsert(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.exercises.insert_error(data, error)

    @guarded
    def onErrRtnExecOrderInsert(self, data: Data, error: Data) -> None:
        if is_error(error):
            self.exercises.insert_error(data, error)

    @guarded
    def onRspExecOrderAction(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.exercises.action_error(data, error, pushed=False)

    @guarded
    def onErrRtnExecOrderAction(self, data: Data, error: Data) -> None:
        if is_error(error):
            self.exercises.action_error(data, error, pushed=True)

    @guarded
    def onRtnLock(self, data: Data) -> None:
        self.locks.on_report(data)

    @guarded
    def onRspLockInsert(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.locks.insert_error(data, error)

    @guarded
    def onErrRtnLockInsert(self, data: Data, error: Data) -> None:
        if is_error(error):
            self.locks.insert_error(data, error)

    @guarded
    def onRtnQuote(self, data: Data) -> None:
        self.quotes.on_report(data)

    @guarded
    def onRspQuoteInsert(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.quotes.insert_error(data, error)

    @guarded
    def onErrRtnQuoteInsert(self, data: Data, error: Data) -> None:
        if is_error(error):
            self.quotes.insert_error(data, error)

    @guarded
    def onRspQuoteAction(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.quotes.action_error(data, error, pushed=False)

    @guarded
    def onErrRtnQuoteAction(self, data: Data, error: Data) -> None:
        if is_error(error):
            self.quotes.action_error(data, error, pushed=True)

    @guarded
    def onRtnExecCombineOrder(self, data: Data) -> None:
        self.comb_exercises.on_report(data)

    @guarded
    def onRspExecCombineOrderInsert(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.comb_exercises.insert_error(data, error)

    @guarded
    def onErrRtnExecCombineOrderInsert(self, data: Data, error: Data) -> None:
        if is_error(error):
            self.comb_exercises.insert_error(data, error)

    @guarded
    def onRspExecCombineOrderAction(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.comb_exercises.action_error(data, error, pushed=False)

    @guarded
    def onErrRtnExecCombineOrderAction(self, data: Data, error: Data) -> None:
        if is_error(error):
            self.comb_exercises.action_error(data, error, pushed=True)


    def _after_comb_action(self, comb: CombActionData, data: Data) -> None:
        word: str = "组合" if comb.combine else "拆分"
        self.gateway.write_log(
            f"{word}{STATUS_WORDS[comb.status]}：{comb.vt_symbol} {comb.volume:g}组，"
            f"组合编号{comb.com_tradeid}，{comb.msg}"
        )
        if comb.status == Status.ALLTRADED and self.login_status:
            self.refresh_after_trade()  # margin moves between legs and combination

    @guarded
    def onRtnCombAction(self, data: Data) -> None:
        self.comb_actions.on_report(data)

    @guarded
    def onRspCombActionInsert(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.comb_actions.insert_error(data, error)

    @guarded
    def onErrRtnCombActionInsert(self, data: Data, error: Data) -> None:
        if is_error(error):
            self.comb_actions.insert_error(data, error)
