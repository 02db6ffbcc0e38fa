"""Queries (ReqQry*): a table name to the rows in the real struct shapes (``fields``)."""

from __future__ import annotations

from collections.abc import Callable

from ...api import constant as C
from ...core.book import Account
from ...core.margin import margin_parts
from ...core.orders import position_limit_usage
from ...core.terms import (
    BUY,
    CLOSE,
    LONG,
    OPEN,
    SELL,
    SPEC,
    SZSE,
)
from ..instruments import instrument_field
from . import fields as F
from .records import (
    Data,
    SessionRef,
    snake,
)
from .state import CounterState


class QueryDesk:
    """Query rows."""

    def __init__(self, state: CounterState) -> None:
        self.s = state

    def query(self, session: SessionRef, name: str, req: Data) -> list[Data]:
        """Rows of a query in the real struct shape (``[]`` for an empty result).

        ``name`` is the table as in ``ReqQry<Name>`` ("TradingAccount") or snake case
        ("trading_account"). Filters: InstrumentID and ExchangeID where the struct has them,
        OrderSysID for orders, TradeID for trades.
        """
        table = snake(name) if any(ch.isupper() for ch in name) else name
        entry = self.tables.get(table)
        if entry is None:
            return []
        builder, filtered = entry
        rows = builder(session, req)
        if not filtered:
            return rows
        iid = str(req.get("InstrumentID", "") or "")
        exchange = str(req.get("ExchangeID", "") or "")
        return [
            r
            for r in rows
            if (not iid or r.get("InstrumentID") == iid)
            and not (exchange and r.get("ExchangeID") != exchange)
        ]

    @property
    def tables(self) -> dict[str, tuple[Callable[[SessionRef, Data], list[Data]], bool]]:
        """Table name -> (row builder, whether InstrumentID/ExchangeID filter its rows)."""
        return {
            "instrument": (self._instruments, True),
            "trading_account": (self._account, False),
            "investor_position": (lambda s, r: self.position_rows(s.investor_id), True),
            "order": (self._orders, True),
            "trade": (self._trades, True),
            "exec_order": (self._exec_orders, True),
            "lock": (lambda s, r: [dict(lk) for lk in self.s.locks.get(s.investor_id, [])], True),
            "lock_position": (self._lock_positions, True),
            "quote": (self._quotes, True),
            "instrument_commission_rate": (self._commission, False),
            "option_instr_comm_rate": (self._option_commission, False),
            "option_instr_trade_cost": (self.trade_cost_rows, False),
            "depth_market_data": (self._depth, False),
            "limit_posi": (self.limit_posi_rows, True),
        }

    def limit_posi_rows(self, session: SessionRef, req: Data) -> list[Data]:
        """CThostFtdcLimitPosiField per underlying with listed options (InstrumentID: the ETF):
        the limits (long, total, buy-opens today; 0 = none) and in the *Frozen fields what
        counts against them, positions plus working opening orders, as the 106 check counts."""
        book = self.s.books.get(session.investor_id)
        if book is None:
            return []
        limit_long, limit_total, limit_day = self.s.terms.position_limits
        live = [o for o in self.s.live_orders.values() if o.investor_id == session.investor_id]
        underlyings = sorted(
            {(c.underlying, c.exchange_id) for c in self.s.instruments.values() if c.is_option}
        )
        rows: list[Data] = []
        for underlying, exchange in underlyings:
            long, total, day = position_limit_usage(book, self.s.instruments, live, underlying)
            rows.append(
                {
                    "BrokerID": session.broker_id,
                    "InvestorID": session.investor_id,
                    "InstrumentID": underlying,
                    "ExchangeID": exchange,
                    "TotalVolume": limit_total,
                    "LongVolume": limit_long,
                    "OpenVolume": limit_day,
                    "LongAmount": 0.0,
                    "TotalVolumeFrozen": total,
                    "LongVolumeFrozen": long,
                    "OpenVolumeFrozen": day,
                    "LongAmountFrozen": 0.0,
                }
            )
        return rows

    def _instruments(self, session: SessionRef, req: Data) -> list[Data]:
        return [self.instrument_row(i) for i in self.s.raw_instruments]

    def _account(self, session: SessionRef, req: Data) -> list[Data]:
        account = self.s.accounts.get(session.investor_id)
        return [self.account_row(account)] if account is not None else []

    def _orders(self, session: SessionRef, req: Data) -> list[Data]:
        sysid = str(req.get("OrderSysID", "") or "")
        return [
            dict(o.data)
            for o in sorted(self.s.orders.values(), key=lambda o: o.key)
            if o.investor_id == session.investor_id
            and (not sysid or o.data.get("OrderSysID") == sysid)
        ]

    def _trades(self, session: SessionRef, req: Data) -> list[Data]:
        trade_id = str(req.get("TradeID", "") or "")
        return [
            dict(t, TradeSource=C.THOST_FTDC_TSRC_QUERY)
            for t in self.s.trades.get(session.investor_id, [])
            if not trade_id or t.get("TradeID") == trade_id
        ]

    def _exec_orders(self, session: SessionRef, req: Data) -> list[Data]:
        return [
            dict(e.data)
            for e in sorted(self.s.exec_orders.values(), key=lambda e: e.key)
            if e.investor_id == session.investor_id
        ]

    def _lock_positions(self, session: SessionRef, req: Data) -> list[Data]:
        return [
            {
                "BrokerID": s.broker_id,
                "InvestorID": s.investor_id,
                "InstrumentID": s.instrument_id,
                "ExchangeID": s.exchange_id,
                "Volume": s.locked,
                "FrozenVolume": s.lock_frozen,
                "TodayVolume": s.today_locked,
            }
            for s in sorted(self.s.stocks_of(session.investor_id), key=lambda s: s.key)
            if s.exchange_id != SZSE
        ]

    def _quotes(self, session: SessionRef, req: Data) -> list[Data]:
        return [
            dict(q.data)
            for q in sorted(self.s.quotes.values(), key=lambda q: q.key)
            if q.investor_id == session.investor_id
        ]

    def _commission(self, session: SessionRef, req: Data) -> list[Data]:
        return self.commission_rows(session, str(req.get("InstrumentID", "") or ""), False)

    def _option_commission(self, session: SessionRef, req: Data) -> list[Data]:
        return self.commission_rows(session, str(req.get("InstrumentID", "") or ""), True)

    def _depth(self, session: SessionRef, req: Data) -> list[Data]:
        now = self.s.now()
        iid = str(req.get("InstrumentID", "") or "")
        rows: list[Data] = []
        for i in [iid] if iid else list(self.s.instruments):
            if i in self.s.raw_instruments:
                try:
                    rows.append(dict(self.s.market.snapshot(i, now)))
                except KeyError:
                    continue
        return rows

    def instrument_row(self, iid: str) -> Data:
        """CThostFtdcInstrumentField of a listed instrument."""
        return instrument_field(self.s.raw_instruments[iid], self.s.trading_date())

    def account_row(self, account: Account) -> Data:
        option_value = self.s.books[account.investor_id].option_value(
            self.s.instruments, self.s.mark
        )
        return F.account_row(account, option_value, self.s.trading_day)

    def position_rows(self, investor: str) -> list[Data]:
        rows: list[Data] = []
        book = self.s.books.get(investor)
        if book is None:
            return rows
        for row in sorted(book.positions.values(), key=lambda r: r.key):
            if not (row.position or row.yd_position or row.open_volume or row.close_volume):
                continue
            long_row = row.direction == LONG
            mark = self.s.mark(row.instrument_id)
            info = self.s.instruments.get(row.instrument_id)
            unit = info.unit if info is not None else 1
            frozen_margin = frozen_cash = frozen_fee = 0.0
            for order in self.s.live_orders.values():
                if order.investor_id != investor or order.instrument_id != row.instrument_id:
                    continue
                if not order.live or order.hedge != row.hedge:
                    continue
                opens_this = order.offset == OPEN and (order.direction == BUY) == long_row
                closes_this = order.offset == CLOSE and (order.direction == SELL) == long_row
                if opens_this or closes_this:
                    frozen_margin += order.margin_per_lot * order.remaining
                    frozen_cash += order.cash_per_lot * order.remaining
                    frozen_fee += order.fee_per_lot * order.remaining
            frozen = (frozen_margin, frozen_cash, frozen_fee)
            rows.append(F.option_position_row(row, frozen, mark, unit, self.s.trading_day))
        for stock in sorted(book.stocks.values(), key=lambda s: s.key):
            if not (stock.volume or stock.yd_volume):
                continue
            price = self.s.mark(stock.instrument_id)
            rows.append(F.stock_position_row(stock, price, self.s.trading_day))
        return rows

    def commission_rows(self, session: SessionRef, iid: str, option: bool) -> list[Data]:
        fees = self.s.config.fees
        if iid:
            infos = [self.s.instruments[iid]] if iid in self.s.instruments else []
            ids = [(i.instrument_id, i.exchange_id) for i in infos if i.is_option]
        else:
            ids = sorted(
                {(i.underlying, i.exchange_id) for i in self.s.instruments.values() if i.is_option}
            )
        rows = []
        for instrument_id, exchange_id in ids:
            row: Data = {
                "InstrumentID": instrument_id,
                "InvestorRange": "3",
                "BrokerID": session.broker_id,
                "InvestorID": session.investor_id,
                "OpenRatioByMoney": 0.0,
                "OpenRatioByVolume": fees.buy_open,
                "CloseRatioByMoney": 0.0,
                "CloseRatioByVolume": fees.close,
                "CloseTodayRatioByMoney": 0.0,
                "CloseTodayRatioByVolume": fees.close,
                "ExchangeID": exchange_id,
                "InvestUnitID": "",
            }
            if option:
                row["StrikeRatioByMoney"] = 0.0
                row["StrikeRatioByVolume"] = fees.exercise
            else:
                row["BizType"] = C.THOST_FTDC_BZTP_Stock
            rows.append(row)
        return rows

    def trade_cost_rows(self, session: SessionRef, req: Data) -> list[Data]:
        info = self.s.instruments.get(str(req.get("InstrumentID", "")))
        if info is None or not info.is_option:
            return []
        premium = float(req.get("InputPrice", 0.0) or 0.0) or self.s.pre_settle(info.instrument_id)
        underlying = float(req.get("UnderlyingPrice", 0.0) or 0.0) or self.s.pre_close(
            info.underlying
        )
        fixed, mini = margin_parts(info.is_call, premium, underlying, info.strike, info.unit)
        markup = 1.0 + self.s.config.margin_markup
        return [
            {
                "BrokerID": session.broker_id,
                "InvestorID": session.investor_id,
                "InstrumentID": info.instrument_id,
                "HedgeFlag": str(req.get("HedgeFlag", SPEC) or SPEC),
                "FixedMargin": fixed * markup,
                "MiniMargin": mini * markup,
                "Royalty": premium * info.unit,
                "ExchFixedMargin": fixed,
                "ExchMiniMargin": mini,
                "ExchangeID": info.exchange_id,
                "InvestUnitID": "",
            }
        ]
