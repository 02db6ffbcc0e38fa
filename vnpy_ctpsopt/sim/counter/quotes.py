"""Quotes (ReqQuoteInsert / ReqQuoteAction, market makers only): two derived limit orders
per quote, replaced by a newer quote; requests for quote (ReqForQuoteInsert)."""

from __future__ import annotations

from datetime import datetime

from ...api import constant as C
from ...core.book import Account
from ...core.terms import (
    BUY,
    COVERED,
    OPEN,
    SELL,
    SPEC,
    Contract,
    Refused,
)
from ...core.timetable import (
    cancel_allowed,
)
from .. import errors as E
from . import fields as F
from .orders import OrderDesk
from .records import (
    TARGET_FORQUOTE,
    Data,
    Order,
    Outgoing,
    Quote,
    SessionRef,
    find_ref,
)
from .state import CounterState


class QuoteDesk:
    """Quotes and requests for quote."""

    def __init__(self, state: CounterState, orders: OrderDesk) -> None:
        self.s = state
        self.orders = orders

    def insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        """ReqQuoteInsert (market makers only, else 28): a two-sided quote whose sides live as
        derived limit orders; a new quote on the same instrument replaces the investor's
        previous one."""
        out: list[Outgoing] = []
        data = dict(req)
        now = self.s.now()
        try:
            account = self.s.check_session(session, req)
            if session.investor_id not in self.s.config.market_makers:
                # a hedge flag only makers may use is refused as such (94), else the right (28)
                hedges = {str(req.get(f"{p}HedgeFlag", SPEC) or SPEC) for p in ("Ask", "Bid")}
                refused = E.SPEC_COVERED_ONLY if hedges - {SPEC, COVERED} else E.NO_TRADING_RIGHT
                raise Refused(refused)
            state = self.s.session(session)
            ref = state.check_ref("quote", str(req.get("QuoteRef", "")), E.DUPLICATE_ORDER_REF)
            iid = str(req.get("InstrumentID", ""))
            info = self.s.instruments.get(iid)
            if info is None:
                raise Refused(E.INSTRUMENT_NOT_FOUND)
            if not info.is_option:
                raise Refused(E.INSTR_NOTSUPPORT_QUOTE)
            ask, bid = float(req.get("AskPrice", 0) or 0), float(req.get("BidPrice", 0) or 0)
            if ask <= bid:
                raise Refused(E.PRICE_NOTSUPPORT)
            # replace the previous quote before checking resources
            for quote in list(self.s.quotes.values()):
                if (
                    quote.active
                    and quote.investor_id == session.investor_id
                    and (quote.instrument_id == iid)
                ):
                    self.cancel_quote(quote, now, out)
            sides = [side_request(req, iid, SELL, ask), side_request(req, iid, BUY, bid)]
            key = self.s.next("quote")
            orders = self.validate_sides(session, account, sides, reqid, key)
        except Refused as rejection:
            return self.s.reject(out, session, "onRspQuoteInsert", data, reqid, rejection.error_id)
        ref = state.take_ref("quote", ref)
        return self.accept(session, req, info, key, ref, orders, reqid, now, out)

    def validate_sides(
        self, session: SessionRef, account: Account, sides: list[Data], reqid: int, key: int
    ) -> list[Order]:
        """Both sides as orders (the core's checks), the second checked with the first's
        resources frozen; a refusal leaves no side ref used."""
        state = self.s.session(session)
        saved = dict(state.refs)
        orders: list[Order] = []
        try:
            for side_req in sides:
                order = self.orders.validate(session, account, side_req, reqid, quote_key=key)
                orders.append(order)
                self.orders.freeze(order, 1, order.volume)  # so the second side sees the first
        except Refused:
            state.refs = saved  # a refused quote uses none of its side refs
            raise
        finally:
            for order in orders:
                self.orders.freeze(order, -1, order.volume)
        return orders

    def accept(
        self,
        session: SessionRef,
        req: Data,
        info: Contract,
        key: int,
        ref: str,
        orders: list[Order],
        reqid: int,
        now: datetime,
        out: list[Outgoing],
    ) -> list[Outgoing]:
        """Register an accepted quote and send its two sides to the exchange."""
        ask_order, bid_order = orders
        quote_data = F.quote_field(
            session, req, info, key, ref, (ask_order, bid_order), reqid, now, self.s.trading_day
        )
        quote = Quote(
            key,
            session.investor_id,
            info.instrument_id,
            session.front_id,
            session.session_id,
            ref,
            ask_order.key,
            bid_order.key,
            quote_data,
        )
        self.s.quotes[key] = quote
        self.s.touch("quote", key, quote)
        self.s.push(out, session.investor_id, "onRtnQuote", quote_data)
        sub: list[Outgoing] = []
        for order in orders:
            self.orders.accept(order, sub)
        quote_data.update(
            QuoteSysID=str(self.s.next(f"quotesysid:{info.exchange_id}")),
            AskOrderSysID=str(ask_order.data.get("OrderSysID", "")),
            BidOrderSysID=str(bid_order.data.get("OrderSysID", "")),
            OrderSubmitStatus=C.THOST_FTDC_OSS_Accepted,
            NotifySequence=2,
            StatusMsg="报价已接受",
        )
        out.extend(sub)
        if quote.active:
            quote_data["QuoteStatus"] = C.THOST_FTDC_OST_NoTradeQueueing
            self.s.push(out, session.investor_id, "onRtnQuote", quote_data)
        self.s.commit()
        return out

    def cancel_quote(self, quote: Quote, now: datetime, out: list[Outgoing]) -> None:
        for key in (quote.ask_key, quote.bid_key):
            order = self.s.orders.get(key)
            if order is not None and order.live:
                self.orders.cancel(order, now, out, "已撤单")
        if quote.active:
            quote.active = False
            quote.data.update(
                QuoteStatus=C.THOST_FTDC_OST_Canceled,
                StatusMsg="已撤单",
                CancelTime=now.strftime("%H:%M:%S"),
                NotifySequence=int(quote.data.get("NotifySequence", 0)) + 1,
            )
            self.s.touch("quote", quote.key, quote)
            self.s.push(out, quote.investor_id, "onRtnQuote", quote.data)

    def action(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        """ReqQuoteAction: cancel both sides of a quote (86 when not found or finished)."""
        out: list[Outgoing] = []
        now = self.s.now()
        try:
            self.s.check_session(session, req)
            target = find_ref(self.s.quotes.values(), session, req, "QuoteRef", "QuoteSysID")
            if target is None or not target.active:
                raise Refused(E.QUOTE_NOT_FOUND)
            if not cancel_allowed(self.s.phase(), now.time()):
                raise Refused(E.OUT_OF_ACTION_TIME)
        except Refused as rejection:
            rsp = "onRspQuoteAction"
            return self.s.reject(out, session, rsp, dict(req), reqid, rejection.error_id)
        self.cancel_quote(target, now, out)
        self.s.commit()
        return out

    def for_quote_insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        """ReqForQuoteInsert: a request for quote, delivered as OnRtnForQuoteRsp to the
        instrument's ForQuoteRsp subscribers (target ``forquote``)."""
        out: list[Outgoing] = []
        data = dict(req)
        now = self.s.now()
        try:
            self.s.check_session(session, req)
            info = self.s.instruments.get(str(req.get("InstrumentID", "")))
            if info is None:
                raise Refused(E.INSTRUMENT_NOT_FOUND)
            if not info.is_option:
                raise Refused(E.INSTR_NOTSUPPORT_FORQUOTE)
        except Refused as rejection:
            rsp = "onRspForQuoteInsert"
            return self.s.reject(out, session, rsp, data, reqid, rejection.error_id)
        rsp_data = {
            "TradingDay": self.s.trading_day,
            "InstrumentID": info.instrument_id,
            "ForQuoteSysID": str(self.s.next(f"forquote:{info.exchange_id}")),
            "ForQuoteTime": now.strftime("%H:%M:%S"),
            "ActionDay": now.strftime("%Y%m%d"),
            "ExchangeID": info.exchange_id,
        }
        out.append(Outgoing(TARGET_FORQUOTE, info.instrument_id, ("onRtnForQuoteRsp", (rsp_data,))))
        self.s.commit()
        return out


def side_request(req: Data, iid: str, direction: str, price: float) -> Data:
    """The ReqOrderInsert of one side of a quote (a GFD limit order)."""
    prefix = "Ask" if direction == SELL else "Bid"
    return {
        "BrokerID": req.get("BrokerID", ""),
        "InvestorID": req.get("InvestorID", ""),
        "InstrumentID": iid,
        "ExchangeID": req.get("ExchangeID", ""),
        "OrderRef": str(req.get(f"{prefix}OrderRef", "")).strip(),
        "UserID": req.get("UserID", ""),
        "OrderPriceType": C.THOST_FTDC_OPT_LimitPrice,
        "Direction": direction,
        "CombOffsetFlag": str(req.get(f"{prefix}OffsetFlag", OPEN) or OPEN),
        "CombHedgeFlag": str(req.get(f"{prefix}HedgeFlag", SPEC) or SPEC),
        "LimitPrice": price,
        "VolumeTotalOriginal": int(req.get(f"{prefix}Volume", 0) or 0),
        "TimeCondition": C.THOST_FTDC_TC_GFD,
        "VolumeCondition": C.THOST_FTDC_VC_AV,
        "ContingentCondition": C.THOST_FTDC_CC_Immediately,
    }
