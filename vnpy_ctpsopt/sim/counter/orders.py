"""Orders: ReqOrderInsert (counter checks, then the core's ``check_order``), acceptance by
the exchange phase, matching on entry, fills, cancels (ReqOrderAction) and the order side of
quotes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...api import constant as C
from ...core.book import Account
from ...core.matching import (
    RestingBook,
    match_incoming,
)
from ...core.orders import (
    NewOrder,
    OrderKind,
    check_order,
    check_tradable,
    normalize_offset,
    resolve_order_kind,
    would_self_trade,
)
from ...core.terms import (
    BUY,
    SELL,
    SPEC,
    PriceRef,
    Refused,
)
from ...core.timetable import (
    cancel_allowed,
    matching_allowed,
    order_accepted,
)
from .. import errors as E
from . import fields as F
from .records import (
    Data,
    Order,
    Outgoing,
    SessionRef,
)
from .state import CounterState


class OrderDesk:
    """Order insert, cancel, fills and their pushes."""

    def __init__(self, state: CounterState) -> None:
        self.s = state

    def insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        """ReqOrderInsert: validate, freeze, send to the (simulated) exchange and match."""
        out: list[Outgoing] = []
        data = dict(req)
        try:
            account = self.s.check_session(session, req)
            self.s.throttle(session)
            order = self.validate(session, account, data, reqid)
        except Refused as rejection:
            return self.s.reject(out, session, "onRspOrderInsert", data, reqid, rejection.error_id)
        self.accept(order, out)
        self.s.commit()
        return out

    def validate(
        self, session: SessionRef, account: Account, req: Data, reqid: int, quote_key: int = 0
    ) -> Order:
        state = self.s.session(session)
        ref_text = state.check_ref("order", str(req.get("OrderRef", "")), E.DUPLICATE_ORDER_REF)
        iid = str(req.get("InstrumentID", ""))
        info = self.s.instruments.get(iid)
        if info is None:
            raise Refused(E.INSTRUMENT_NOT_FOUND)
        exchange = str(req.get("ExchangeID", ""))
        if exchange and exchange != info.exchange_id:
            raise Refused(E.ERROR_EXCHANGEID)
        check_tradable(info, self.s.trading_day)
        if str(req.get("ContingentCondition", "1") or "1") != C.THOST_FTDC_CC_Immediately:
            raise Refused(E.UNSUPPORTED_FUNCTION)
        kind, error = resolve_order_kind(
            info.exchange_id,
            str(req.get("OrderPriceType", "")),
            str(req.get("TimeCondition", "")),
            str(req.get("VolumeCondition", "")),
            self.s.config.accept_limit_fak,
        )
        if kind is None:
            raise Refused(error)
        direction = str(req.get("Direction", ""))
        if direction not in (BUY, SELL):
            raise Refused(E.BAD_FIELD)
        offset = normalize_offset(str(req.get("CombOffsetFlag", ""))[:1])
        if offset is None:
            raise Refused(E.BAD_FIELD)
        hedge = str(req.get("CombHedgeFlag", ""))[:1] or SPEC
        volume = int(req.get("VolumeTotalOriginal", 0) or 0)
        price = float(req.get("LimitPrice", 0.0) or 0.0)
        lower, upper = self.s.limits(iid)
        prices = PriceRef(lower, upper, self.s.pre_settle(iid), self.s.pre_close(info.underlying))
        new = NewOrder(info, direction, offset, hedge, kind, volume, price)
        investor = session.investor_id
        live = (o for o in self.s.live_orders.values() if o.investor_id == investor)
        maker = investor in self.s.config.market_makers
        reserve = check_order(
            self.s.books[investor], new, self.s.terms, prices, live, self.s.instruments, maker
        )
        if self.s.config.self_trade_check:
            resting = self.s.resting.get(iid)
            opposite = resting.side(SELL if direction == BUY else BUY) if resting else ()
            if would_self_trade(investor, opposite, direction, kind, price):
                raise Refused(E.MAY_SELFTRADE)
        order = Order(
            key=0,
            investor_id=investor,
            instrument_id=iid,
            exchange_id=info.exchange_id,
            kind=kind.value,
            direction=direction,
            offset=offset,
            hedge=hedge,
            front_id=session.front_id,
            session_id=session.session_id,
            order_ref="",
            volume=volume,
            price=price,
            data={},
            cash_per_lot=reserve.cash_per_lot,
            margin_per_lot=reserve.margin_per_lot,
            exch_margin_per_lot=reserve.exch_margin_per_lot,
            fee_per_lot=reserve.fee_per_lot,
            shares_per_lot=reserve.shares_per_lot,
            quote_key=quote_key,
        )
        # accepted by the counter: assign identity
        order.order_ref = state.take_ref("order", ref_text)
        order.key = self.s.next("order")
        order.seq = order.key
        now = self.s.now()
        broker = self.s.accounts[order.investor_id].broker_id
        order.data = F.order_field(req, order, info, broker, reqid, now, self.s.trading_day)
        return order

    def freeze(self, order: Order, sign: int, volume: int, filled: bool = False) -> None:
        """Freeze (sign 1) or release (sign -1) the resources of ``volume`` lots."""
        info = self.s.instruments[order.instrument_id]
        self.s.books[order.investor_id].freeze(order, info, sign, volume, filled)

    def update(self, order: Order, now: datetime, **values: Any) -> Data:
        order.data.update(values)
        order.data["NotifySequence"] = int(order.data.get("NotifySequence", 0)) + 1
        order.data["SequenceNo"] = self.s.next("sequence_no")
        order.data["UpdateTime"] = now.strftime("%H:%M:%S")
        order.data["VolumeTraded"] = order.traded
        order.data["VolumeTotal"] = order.remaining
        if not order.live:
            self.s.live_orders.pop(order.key, None)
        self.s.touch("order", order.key, order)
        return order.data

    def accept(self, order: Order, out: list[Outgoing]) -> None:
        """Register an order accepted by the counter, then run it through the exchange."""
        now = self.s.now()
        self.s.orders[order.key] = order
        self.s.live_orders[order.key] = order
        self.s.order_refs[(order.front_id, order.session_id, order.order_ref)] = order.key
        self.s.touch("order", order.key, order)
        self.freeze(order, 1, order.volume)
        self.s.push(out, order.investor_id, "onRtnOrder", order.data)
        kind = OrderKind(order.kind)
        phase = self.s.phase()
        info = self.s.instruments[order.instrument_id]
        if not order_accepted(phase, kind):
            self.freeze(order, -1, order.remaining)
            msg = f"已撤单报单被拒绝{info.exchange_id}:当前状态禁止此项操作"
            data = self.update(
                order,
                now,
                OrderSubmitStatus=C.THOST_FTDC_OSS_InsertRejected,
                OrderStatus=C.THOST_FTDC_OST_Canceled,
                StatusMsg=msg,
                CancelTime=now.strftime("%H:%M:%S"),
            )
            self.s.push(out, order.investor_id, "onRtnOrder", data)
            return
        sysid = str(self.s.next(f"sysid:{info.exchange_id}"))
        self.s.order_sysids[(info.exchange_id, sysid)] = order.key
        order.data["OrderSysID"] = sysid
        order.data["OrderSubmitStatus"] = C.THOST_FTDC_OSS_Accepted
        order.data["InsertTime"] = now.strftime("%H:%M:%S")
        book = self.s.resting_book(order.instrument_id)
        if matching_allowed(phase):
            bids, asks = self.s.market_book(order.instrument_id)
            result = match_incoming(
                kind, order.direction, order.volume, order.price, bids, asks, book
            )
        else:  # auction or pause: limit GFD orders are held without matching
            result = match_incoming(
                OrderKind.LIMIT_GFD,
                order.direction,
                order.volume,
                order.price,
                [],
                [],
                RestingBook(),
            )
        if result.rest_price is not None:
            order.price = result.rest_price
            order.data["LimitPrice"] = result.rest_price if kind.is_market else order.price
        if not result.fills and result.cancelled:
            self.cancel(order, now, out, result.reason or "已撤单")
            return
        data = self.update(
            order, now, OrderStatus=C.THOST_FTDC_OST_NoTradeQueueing, StatusMsg="未成交"
        )
        self.s.push(out, order.investor_id, "onRtnOrder", data)
        for fill in result.fills:
            self.s.take(order.instrument_id, order.direction, fill)
            queueing = result.rest_price is not None or kind.rests
            # a match with a resting client order: one TradeID on both sides
            shared = None if fill.resting_key is None else self.s.new_trade_id(info.exchange_id)
            self.trade(order, fill.price, fill.volume, out, now, queueing, shared)
            oi = self.s.oi_effect(order, fill.volume)
            if fill.resting_key is not None:
                other = self.s.orders[fill.resting_key]
                book.reduce(other.key, fill.volume)
                self.trade(other, fill.price, fill.volume, out, now, True, shared)
                oi = (oi + self.s.oi_effect(other, fill.volume)) // 2
            self.s.record_trade(order.instrument_id, fill.price, fill.volume, oi)
        if result.rest_price is not None and order.remaining > 0:
            order.resting = True
            order.held = not matching_allowed(phase)
            book.add(self.s.resting_entry(order))
        elif order.remaining > 0:
            self.cancel(order, now, out, result.reason or "已撤单")

    def cancel(self, order: Order, now: datetime, out: list[Outgoing], msg: str) -> None:
        """Cancel the untraded rest of a live order and release its resources."""
        self.freeze(order, -1, order.remaining)
        if order.resting:
            book = self.s.resting.get(order.instrument_id)
            if book is not None:
                book.remove(order.key)
            order.resting = False
        data = self.update(
            order,
            now,
            OrderStatus=C.THOST_FTDC_OST_Canceled,
            StatusMsg=msg,
            CancelTime=now.strftime("%H:%M:%S"),
        )
        self.s.push(out, order.investor_id, "onRtnOrder", data)
        if order.quote_key:
            self.quote_side_done(order, now, out)

    def trade(
        self,
        order: Order,
        price: float,
        volume: int,
        out: list[Outgoing],
        now: datetime,
        queueing: bool,
        trade_id: str | None = None,
    ) -> None:
        """Apply a fill of ``volume`` at ``price``: order state, money, position, pushes.

        ``trade_id``: the match's TradeID when the other side is a client order too (both
        sides of one match share it, as on the exchange); None draws a new one."""
        info = self.s.instruments[order.instrument_id]
        self.s.books[order.investor_id].fill(order, info, price, volume)
        order.traded += volume
        if order.remaining == 0:
            status, msg = C.THOST_FTDC_OST_AllTraded, "全部成交"
            order.resting = False
        elif queueing:
            status, msg = C.THOST_FTDC_OST_PartTradedQueueing, "部分成交还在队列中"
        else:
            status, msg = C.THOST_FTDC_OST_PartTradedNotQueueing, "部分成交"
        data = self.update(order, now, OrderStatus=status, StatusMsg=msg)
        self.s.push(out, order.investor_id, "onRtnOrder", data)
        trade_id = trade_id or self.s.new_trade_id(info.exchange_id)
        seq = self.s.next("trade_sequence_no")
        trade = F.trade_field(order, info, price, volume, now, trade_id, seq, self.s.trading_day)
        self.s.trades.setdefault(order.investor_id, []).append(trade)
        self.s.touch("trade", f"{order.investor_id}|{trade['SequenceNo']:012d}", trade)
        self.s.push(out, order.investor_id, "onRtnTrade", trade)
        if order.quote_key and order.remaining == 0:
            self.quote_side_done(order, now, out)

    def action(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        """ReqOrderAction (delete only): by FrontID+SessionID+OrderRef or ExchangeID+OrderSysID."""
        out: list[Outgoing] = []
        now = self.s.now()
        try:
            self.s.check_session(session, req)
            self.s.throttle(session)
            order = self.find(session, req)
            if str(req.get("ActionFlag", C.THOST_FTDC_AF_Delete)) != C.THOST_FTDC_AF_Delete:
                raise Refused(E.BAD_ORDER_ACTION_FIELD)
            if not order.live:
                raise Refused(E.INSUITABLE_ORDER_STATUS)
            if not cancel_allowed(self.s.phase(), now.time()):
                raise Refused(E.OUT_OF_ACTION_TIME)
        except Refused as rejection:
            action = F.order_action_field(session, req, now, rejection.error_id)
            rsp = "onRspOrderAction"
            return self.s.reject(out, session, rsp, dict(req), reqid, rejection.error_id, action)
        data = self.update(
            order,
            now,
            OrderSubmitStatus=C.THOST_FTDC_OSS_CancelSubmitted,
            ActiveUserID=session.investor_id,
        )
        self.s.push(out, order.investor_id, "onRtnOrder", data)
        self.cancel(order, now, out, "已撤单")
        self.s.commit()
        return out

    def find(self, session: SessionRef, req: Data) -> Order:
        ref = str(req.get("OrderRef", "")).strip()
        key: int | None = None
        if ref:
            front = int(req.get("FrontID", 0) or session.front_id)
            sess = int(req.get("SessionID", 0) or session.session_id)
            key = self.s.order_refs.get((front, sess, ref))
        else:
            sysid = str(req.get("OrderSysID", "")).strip()
            exchange = str(req.get("ExchangeID", ""))
            if sysid:
                key = self.s.order_sysids.get((exchange, sysid))
        order = self.s.orders.get(key) if key is not None else None
        if order is None or order.investor_id != session.investor_id:
            raise Refused(E.ORDER_NOT_FOUND)
        return order

    def quote_side_done(self, order: Order, now: datetime, out: list[Outgoing]) -> None:
        quote = self.s.quotes.get(order.quote_key)
        if quote is None or not quote.active:
            return
        sides = [self.s.orders.get(quote.ask_key), self.s.orders.get(quote.bid_key)]
        if any(side is not None and side.live for side in sides):
            return
        quote.active = False
        traded = all(side is not None and side.remaining == 0 for side in sides)
        quote.data.update(
            QuoteStatus=C.THOST_FTDC_OST_AllTraded if traded else C.THOST_FTDC_OST_Canceled,
            StatusMsg="全部成交" if traded else "已撤单",
            NotifySequence=int(quote.data.get("NotifySequence", 0)) + 1,
        )
        if not traded:
            quote.data["CancelTime"] = now.strftime("%H:%M:%S")
        self.s.touch("quote", quote.key, quote)
        self.s.push(out, quote.investor_id, "onRtnQuote", quote.data)
