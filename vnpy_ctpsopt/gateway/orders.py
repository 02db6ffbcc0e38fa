"""Orders and trades of one td session: sending, cancelling, and the order/trade reports
(buffered before the contracts, de-duplicated, trades held until their order is known).

State: ``book`` (OrderBook: orders by vn.py orderid, trades by (ExchangeID, TradeID, Direction)),
``buffer`` (("order" | "trade", dict) that arrived before the contracts, in arrival order),
``rfqs`` (vn.py orderid -> the OrderData of a request for quote sent as OrderType.RFQ). All
are guarded by the session's lock (``ctx.lock``); requests go to the api outside it.
"""

from __future__ import annotations

from copy import copy
from dataclasses import replace

from vnpy.trader.constant import Exchange, OrderType, Status
from vnpy.trader.object import CancelRequest, OrderData, OrderRequest, TradeData

from ..api import constant as c
from .context import TdContext
from .events import SoptOrderType
from .mapping import SOPTTYPE2VT
from .parsing import (
    Data,
    format_error,
    make_orderid,
    parse_order,
    parse_trade,
    rejected_copy,
    rejected_order,
    split_orderid,
    trade_key,
)
from .requests import build_cancel, build_for_quote, build_order_insert, resolve_order_type
from .state import OrderBook

# Order states after which the counter's frozen amounts have changed (fills refresh anyway).
FREEZE_CHANGES: frozenset[Status] = frozenset(
    {Status.NOTTRADED, Status.CANCELLED, Status.REJECTED}
)


class OrderDesk:
    """Sends and cancels orders and turns order/trade reports into vn.py objects, once each."""

    def __init__(self, ctx: TdContext) -> None:
        self.ctx: TdContext = ctx
        self.book: OrderBook = OrderBook()
        self.buffer: list[tuple[str, Data]] = []
        self.rfqs: dict[str, OrderData] = {}

    def flush_buffer(self) -> None:
        """After the contracts: the orders and trades that arrived before them, in order."""
        with self.ctx.lock:
            buffered, self.buffer = self.buffer, []
        for kind, item in buffered:
            self.process_safely(kind, item)

    def mark_unseen(self) -> None:
        """Before an order query: every order is unseen until the query reports it."""
        with self.ctx.lock:
            for record in self.book.records.values():
                record.seen_in_query = False

    def process_order(self, data: Data, from_query: bool = False) -> None:
        with self.ctx.lock:
            if not self.ctx.contract_inited:
                self.buffer.append(("order", data))
                return
            exchange: Exchange | None = self.ctx.exchange_of(data)
            if exchange is None:
                self.ctx.gateway.write_log(
                    f"收到未知交易所的委托，已忽略：{data.get('InstrumentID', '')}"
                )
                return
            frontid: int = int(data.get("FrontID", 0))
            sessionid: int = int(data.get("SessionID", 0))
            order_ref: str = str(data.get("OrderRef", "")).strip()
            orderid: str = make_orderid(frontid, sessionid, order_ref)
            record = self.book.get(orderid)
            order: OrderData | None = parse_order(
                data, exchange, orderid, self.ctx.gateway_name, record.reference if record else ""
            )
            if order is None:
                self.ctx.gateway.write_error(
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
        if push and not from_query and order.status in FREEZE_CHANGES and self.ctx.login_status:
            # Accepted orders freeze cash/margin/positions, ended ones release them: refresh the
            # account and positions (queued behind the query scheduler's flow control, and
            # merged with any refresh already waiting) rather than wait for the 10 s poll.
            self.ctx.refresh_after_trade()
        if push:
            self.ctx.gateway.on_order(order)
            if order.status == Status.REJECTED:
                self.ctx.gateway.write_error(
                    f"委托被拒绝：{order.vt_symbol} 委托号{orderid}，"
                    f"{data.get('StatusMsg', '')}"
                )
        if cancel_refused:
            self.ctx.gateway.write_error(
                f"撤单被拒绝：{order.vt_symbol} 委托号{orderid}，{data.get('StatusMsg', '')}"
            )
        for trade_data in released:
            self.process_safely("trade", trade_data)

    def process_safely(self, kind: str, data: Data) -> None:
        """Process one held order ("order") or trade dict: a broken one is logged, so the ones
        after it (and the resync that follows) still go."""
        try:
            if kind == "order":
                self.process_order(data)
            else:
                self.process_trade(data)
        except Exception as exc:  # noqa: BLE001
            word: str = "委托" if kind == "order" else "成交"
            self.ctx.gateway.write_error(f"{word}回报处理异常：{exc!r}")

    def process_trade(self, data: Data) -> None:
        with self.ctx.lock:
            if not self.ctx.contract_inited:
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
        exchange: Exchange | None = self.ctx.exchange_of(data)
        if exchange is None:
            return None
        if not self.book.is_new_trade(*trade_key(data, exchange)):
            return None
        return parse_trade(data, exchange, orderid, self.ctx.gateway_name)

    def _emit_trades(self, trades: list[TradeData]) -> None:
        """Push trades, then refresh positions/account once (outside the session lock)."""
        covered: bool = False
        for trade in trades:
            self.ctx.gateway.on_trade(trade)
            covered = covered or bool(trade.extra and trade.extra.get("covered"))
        if trades and self.ctx.login_status:
            self.ctx.refresh_after_trade(covered)

    def flush_orphan_trades(self) -> None:
        """After the order and trade queries: trades whose order never appeared are pushed with
        an order id made of their OrderSysID, rather than held forever."""
        trades: list[TradeData] = []
        with self.ctx.lock:
            for data in self.book.release_all_trades():
                sysid: str = str(data.get("OrderSysID", "")).strip()
                orderid: str | None = self.book.orderid_for_trade(data.get("ExchangeID", ""), sysid)
                if orderid is None:
                    orderid = f"{data.get('ExchangeID', '')}_{sysid}"
                    self.ctx.gateway.write_log(
                        f"成交{data.get('TradeID', '')}找不到对应委托，按系统编号{sysid}推送"
                    )
                try:
                    trade = self._new_trade(data, orderid)
                except Exception as exc:  # noqa: BLE001 - the other held trades still go out
                    self.ctx.gateway.write_error(f"成交回报处理异常：{exc!r}")
                    continue
                if trade is not None:
                    trades.append(trade)
        self._emit_trades(trades)

    def resolve_stuck_orders(self) -> None:
        """Orders sent in an earlier session that are still 提交中 and that the counter does not
        know: they never reached it (the connection dropped first), so they are rejected."""
        rejected: list[OrderData] = []
        with self.ctx.lock:
            for record in self.book.records.values():
                if (
                    record.order.status == Status.SUBMITTING
                    and record.sessionid != self.ctx.sessionid
                    and not record.seen_in_query
                    and not record.order_sysid
                ):
                    order: OrderData = rejected_copy(
                        record.order, "断线前发出的委托未到达柜台（柜台无此委托）"
                    )
                    record.order = order
                    rejected.append(order)
        for order in rejected:
            self.ctx.gateway.on_order(order)
            self.ctx.gateway.write_error(f"委托{order.vt_orderid}在断线前未到达柜台，已标记为拒单")

    def send(
        self, req: OrderRequest, covered: bool, sopt_type: SoptOrderType | None = None
    ) -> str:
        """Send an order as vn.py's ``req.type`` or, when given, as the exchange type
        ``sopt_type``; bad input gives a REJECTED order saying why."""
        try:
            if req.type == OrderType.RFQ and sopt_type is None:
                return self._send_rfq(req)
            return self._send(req, covered, sopt_type)
        except Exception as exc:  # noqa: BLE001
            self.ctx.gateway.write_error(f"委托失败：{req.vt_symbol}，{exc!r}")
            return ""

    def _send(self, req: OrderRequest, covered: bool, sopt_type: SoptOrderType | None) -> str:
        brokerid, userid = self.ctx.ids()
        kind, _ = resolve_order_type(req.type, req.exchange, sopt_type)
        if kind is not None:  # shown in vn.py as the OrderType that reports of it read back as
            req = replace(req, type=SOPTTYPE2VT[kind])
        with self.ctx.lock:
            order_ref: str = self.ctx.order_refs.next()
            orderid: str = make_orderid(self.ctx.frontid, self.ctx.sessionid, order_ref)
            contract = self.ctx.contracts.get_vt(req.vt_symbol)
            ctp_req, reason = build_order_insert(
                req, contract, order_ref, brokerid, userid, covered, sopt_type
            )
            if not reason:
                reason = self.ctx.limit_refusal(req, contract)
            if not reason and not (self.ctx.login_status and self.ctx.api is not None):
                reason = "交易服务器未登录"
            if ctp_req is None or reason:
                order: OrderData = rejected_order(req, orderid, self.ctx.gateway_name, reason)
            else:
                order = req.create_order_data(orderid, self.ctx.gateway_name)
            order.extra = {
                **(order.extra or {}),
                "covered": covered,
                "sopt_order_type": kind.name if kind else "",
            }
            self.book.add_sent(order, self.ctx.frontid, self.ctx.sessionid, order_ref, req.reference)
            self.ctx.gateway.on_order(order)
            reqid: int = self.ctx.next_reqid()
            api = self.ctx.api
        if order.status == Status.REJECTED:
            self.ctx.gateway.write_error(f"委托被拒绝：{req.vt_symbol}，{reason}")
            return order.vt_orderid
        n: int = api.reqOrderInsert(ctp_req, reqid) if api and ctp_req else -1
        if n != 0:
            with self.ctx.lock:
                record = self.book.get(orderid)
                if record is None or record.order.status != Status.SUBMITTING:
                    return order.vt_orderid
                failed: OrderData = rejected_copy(record.order, f"委托请求发送失败，返回码{n}")
                record.order = failed
            self.ctx.gateway.on_order(failed)
            self.ctx.gateway.write_error(f"委托请求发送失败（流控或未连接），返回码{n}：{req.vt_symbol}")
        return order.vt_orderid

    def cancel(self, req: CancelRequest) -> None:
        brokerid, userid = self.ctx.ids()
        with self.ctx.lock:
            if req.orderid in self.rfqs:
                self.ctx.gateway.write_log(f"撤单忽略：{req.orderid}是询价，无需撤销")
                return
            record = self.book.get(req.orderid)
            if record is not None:
                if not record.order.is_active():
                    self.ctx.gateway.write_log(f"撤单忽略：委托{req.orderid}已结束")
                    return
                frontid, sessionid, order_ref = record.frontid, record.sessionid, record.order_ref
                symbol, exchange = record.order.symbol, record.order.exchange
                sysid: str = record.order_sysid
            else:
                parts = split_orderid(req.orderid)
                if parts is None:
                    self.ctx.gateway.write_error(f"撤单失败：无效的委托号 {req.orderid}")
                    return
                frontid, sessionid, order_ref = parts
                symbol, exchange, sysid = req.symbol, req.exchange, ""
            api = self.ctx.api
            if not self.ctx.login_status or api is None:
                self.ctx.gateway.write_error(f"撤单失败：交易服务器未登录，委托号{req.orderid}")
                return
        ctp_req: Data = build_cancel(
            symbol, exchange, frontid, sessionid, order_ref, brokerid, userid, sysid
        )
        n: int = api.reqOrderAction(ctp_req, self.ctx.next_reqid())
        if n != 0:
            self.ctx.gateway.write_error(f"撤单请求发送失败，返回码{n}：委托号{req.orderid}")

    def reject_own_order(self, data: Data, error: Data) -> None:
        """An insert refused by the counter (OnRspOrderInsert / OnErrRtnOrderInsert)."""
        order_ref: str = str(data.get("OrderRef", "")).strip()
        orderid: str = make_orderid(self.ctx.frontid, self.ctx.sessionid, order_ref)
        msg: str = format_error(error)
        with self.ctx.lock:
            record = self.book.get(orderid)
            if record is None or not record.order.is_active():
                return
            order: OrderData = rejected_copy(record.order, str(error.get("ErrorMsg", "")))
            record.order = order
        self.ctx.gateway.on_order(order)
        self.ctx.gateway.write_error(f"交易委托失败：{order.vt_symbol} 委托号{orderid}，{msg}")

    def action_error(self, data: Data, error: Data) -> None:
        """A cancel refused by the counter or the exchange."""
        self.ctx.gateway.write_error(
            f"交易撤单失败：委托引用{data.get('OrderRef', '')}，{format_error(error)}"
        )

    # -- requests for quote (OrderType.RFQ) ------------------------------------------------------

    def _send_rfq(self, req: OrderRequest) -> str:
        """ReqForQuoteInsert, as vnpy_ctp sends OrderType.RFQ. The OrderData (type RFQ) goes
        SUBMITTING -> ALLTRADED "询价已发送" once sent (a request for quote has no fill and no
        cancel), or REJECTED when the gateway, the send or the counter refuses it."""
        ctx = self.ctx
        brokerid, userid = ctx.ids()
        with ctx.lock:
            ref: str = ctx.order_refs.next()
            orderid: str = make_orderid(ctx.frontid, ctx.sessionid, ref)
            contract = ctx.contracts.get_vt(req.vt_symbol)
            ctp_req, reason = build_for_quote(req, contract, ref, brokerid, userid)
            if not reason and not (ctx.login_status and ctx.api is not None):
                reason = "交易服务器未登录"
            if ctp_req is None or reason:
                order: OrderData = rejected_order(req, orderid, ctx.gateway_name, reason)
            else:
                order = req.create_order_data(orderid, ctx.gateway_name)
            order.extra = {**(order.extra or {}), "rfq": True}
            self.rfqs[orderid] = order
            reqid: int = ctx.next_reqid()
            api = ctx.api
        ctx.gateway.on_order(order)
        if order.status == Status.REJECTED or api is None or ctp_req is None:
            ctx.gateway.write_error(f"询价被拒绝：{req.vt_symbol}，{reason}")
            return order.vt_orderid
        n: int = api.reqForQuoteInsert(ctp_req, reqid)
        if n != 0:
            self._finish_rfq(orderid, Status.REJECTED, f"询价请求发送失败，返回码{n}")
        else:
            self._finish_rfq(orderid, Status.ALLTRADED, "询价已发送")
        return order.vt_orderid

    def _finish_rfq(self, orderid: str, status: Status, msg: str) -> None:
        with self.ctx.lock:
            order = self.rfqs.get(orderid)
            if order is None or order.status == Status.REJECTED:
                return
            new: OrderData = copy(order)
            new.status = status
            new.extra = {**(order.extra or {}), "status_msg": msg}
            self.rfqs[orderid] = new
        self.ctx.gateway.on_order(new)
        if status == Status.REJECTED:
            self.ctx.gateway.write_error(f"询价失败：{new.vt_symbol}，{msg}")
        else:
            self.ctx.gateway.write_log(f"{msg}：{new.vt_symbol}")

    def rfq_error(self, data: Data, error: Data) -> None:
        """A request for quote refused by the counter (OnRspForQuoteInsert / OnErrRtn...)."""
        ref: str = str(data.get("ForQuoteRef", "")).strip()
        orderid: str = make_orderid(self.ctx.frontid, self.ctx.sessionid, ref)
        self._finish_rfq(orderid, Status.REJECTED, format_error(error))
