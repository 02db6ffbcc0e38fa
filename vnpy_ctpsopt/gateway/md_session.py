"""Market-data session: login, subscriptions kept across reconnects, ticks to vn.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from vnpy.trader.object import ContractData, SubscribeRequest, TickData

from ..api import MdApi, MdSpi, create_md_api
from .context import GatewayPort, disconnect_text, guarded
from .parsing import Data, TickTimeCache, format_error, is_error, parse_tick
from .setting import ConnectSetting

# Seconds between login attempts while connected but refused for a reason a retry can fix.
LOGIN_RETRY: float = 15.0

# Seconds without OnFrontConnected after which a front is reported as not answering (a tcp://
# address where nothing listens gives no callback at all; the library keeps redialling).
CONNECT_TIMEOUT: float = 10.0


def front_silence(
    gateway: GatewayPort, word: str, address: str, started: float, timeout: float
) -> None:
    """Timer: log (at most once a minute) that ``word`` (交易/行情) 服务器 has not answered for
    ``timeout`` seconds since ``started`` (0 = connected, nothing to say)."""
    if not started:
        return
    waited: float = time.monotonic() - started
    if waited >= timeout:
        gateway.write_throttled(
            f"{word}服务器{address}无响应：{waited:.0f}秒内未能连接，继续重试"
            "（请检查地址、端口、网络，以及柜台是否在运行）",
            error=True,
            key=f"{word}.silent",
        )


class CtpsoptMdSession(MdSpi):
    """Market-data session. ``subscribed`` (ticks) and ``subscribed_rfq`` (requests for quote)
    hold exchange symbols, resubscribed at every login."""

    def __init__(self, gateway: GatewayPort) -> None:
        self.gateway: GatewayPort = gateway
        self.gateway_name: str = gateway.gateway_name
        self.api: MdApi | None = None
        self.setting: ConnectSetting | None = None
        self.connect_status: bool = False
        self.login_status: bool = False
        self.last_login_attempt: float = 0.0
        # monotonic time a connection attempt began (0 while connected), for check_front()
        self.connect_started: float = 0.0
        self.connect_timeout: float = CONNECT_TIMEOUT
        self.subscribed: set[str] = set()
        self.subscribed_rfq: set[str] = set()
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
        self.connect_started = time.monotonic()
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
        self.connect_started = 0.0
        self.gateway.write_throttled("行情服务器连接成功")
        self.login()

    @guarded
    def onFrontDisconnected(self, reason: int) -> None:
        self.connect_status = False
        self.login_status = False
        self.connect_started = time.monotonic()
        self.gateway.write_throttled(
            f"行情服务器连接断开，原因：{disconnect_text(reason)}", error=True
        )

    def check_front(self) -> None:
        """Timer: say so when the front has not answered for ``connect_timeout`` seconds."""
        if self.api is not None and self.setting is not None:
            front_silence(
                self.gateway, "行情", self.setting.md_address, self.connect_started,
                self.connect_timeout,
            )

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
            rfq_symbols: list[str] = sorted(self.subscribed_rfq)
        if rfq_symbols and self.api is not None:
            self.api.subscribeForQuoteRsp(rfq_symbols)
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

    def subscribe_rfq(self, req: SubscribeRequest) -> None:
        """Receive the requests for quote (询价) on ``req``'s option (SubscribeForQuoteRsp)."""
        contract: ContractData | None = self.gateway.contracts.get_vt(req.vt_symbol)
        if contract is None and self.gateway.contracts:
            self.gateway.write_log(f"询价订阅失败：找不到合约 {req.vt_symbol}")
            return
        with self._lock:
            if req.symbol in self.subscribed_rfq:
                return
            self.subscribed_rfq.add(req.symbol)
        if self.login_status and self.api is not None:
            self.api.subscribeForQuoteRsp([req.symbol])

    @guarded
    def onRtnForQuoteRsp(self, data: Data) -> None:
        self.gateway.on_for_quote_rsp(data)

    @guarded
    def onRspSubForQuoteRsp(self, data: Data, error: Data, reqid: int, last: bool) -> None:
        if is_error(error):
            self.gateway.write_error(
                f"询价订阅失败：{data.get('InstrumentID', '')}，{format_error(error)}"
            )
