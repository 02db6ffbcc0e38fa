"""Authentication, login (accounts created at the first login), logout and settlement
confirmation."""

from __future__ import annotations

from ...core.book import Account
from .. import errors as E
from .records import (
    Data,
    SessionRef,
    ref_number,
)
from .state import CounterState


class SessionDesk:
    """Sessions and accounts."""

    def __init__(self, state: CounterState) -> None:
        self.s = state

    def authenticate(self, session: SessionRef, req: Data) -> tuple[Data, Data]:
        """ReqAuthenticate: checks (AppID, AuthCode) when ``config.auth`` is set (63)."""
        app_id = str(req.get("AppID", ""))
        data = {
            "BrokerID": str(req.get("BrokerID", "")),
            "UserID": str(req.get("UserID", "")),
            "UserProductInfo": str(req.get("UserProductInfo", "")),
            "AppID": app_id,
            "AppType": "1",
        }
        if self.s.config.auth and (app_id, str(req.get("AuthCode", ""))) not in self.s.config.auth:
            return data, E.rsp_info(E.AUTH_FAILED)
        self.s.session(session).authenticated = True
        return data, E.rsp_info(E.NONE)

    def login(self, session: SessionRef, req: Data) -> tuple[Data, Data]:
        """ReqUserLogin: 64 without authentication when required, 3 for a wrong broker or
        user, 132 for a wrong password; the first login creates the account."""
        state = self.s.session(session)
        now = self.s.now()
        user = str(req.get("UserID", "")) or session.investor_id
        broker = str(req.get("BrokerID", "")) or session.broker_id
        data: Data = {
            "TradingDay": self.s.trading_day,
            "LoginTime": now.strftime("%H:%M:%S"),
            "BrokerID": broker,
            "UserID": user,
            "SystemName": self.s.config.system_name,
            "FrontID": session.front_id,
            "SessionID": session.session_id,
            "MaxOrderRef": str(self.max_order_ref(user)),
            "SHFETime": now.strftime("%H:%M:%S"),
            "DCETime": now.strftime("%H:%M:%S"),
            "CZCETime": now.strftime("%H:%M:%S"),
            "FFEXTime": now.strftime("%H:%M:%S"),
            "INETime": now.strftime("%H:%M:%S"),
        }
        if self.s.config.auth and not state.authenticated:
            return data, E.rsp_info(E.NOT_AUTHENT)
        if not user or (self.s.config.broker_id and broker != self.s.config.broker_id):
            return data, E.rsp_info(E.INVALID_LOGIN)
        if user != session.investor_id:
            return data, E.rsp_info(E.INVALID_LOGIN)
        password = str(req.get("Password", ""))
        account = self.s.accounts.get(user)
        if account is None:
            account = self.create_account(user, broker, password)
        elif account.broker_id != broker:
            return data, E.rsp_info(E.INVALID_LOGIN)
        elif account.password != password:
            return data, E.rsp_info(E.WRONG_USER_OR_PASSWORD)
        state.logged_in = True
        self.s.commit()
        return data, E.rsp_info(E.NONE)

    def max_order_ref(self, investor: str) -> int:
        """The login's MaxOrderRef: the highest numeric OrderRef any session of ``investor`` used
        today (1 when none, as the real counter), so a client numbering above it never reuses
        a ref of an earlier session."""
        refs = (
            ref_number(o.order_ref) for o in self.s.orders.values() if o.investor_id == investor
        )
        return max((r for r in refs if r is not None), default=1)

    def create_account(self, investor: str, broker: str, password: str) -> Account:
        account = Account(investor, broker, password, pre_balance=self.s.config.capital)
        self.s.accounts[investor] = account
        self.s.books[investor] = self.s.new_book(account)
        self.s.touch("account", investor, account)
        if self.s.config.initial_etf_shares > 0:
            for info in self.s.instruments.values():
                if not info.is_option:
                    stock = self.s.stock(investor, info.instrument_id, info.exchange_id)
                    stock.volume = stock.yd_volume = self.s.config.initial_etf_shares
        return account

    def logout(self, session: SessionRef, req: Data) -> tuple[Data, Data]:
        self.s.sessions.pop((session.front_id, session.session_id), None)
        data = {"BrokerID": session.broker_id, "UserID": session.investor_id}
        return data, E.rsp_info(E.NONE)

    def settlement_confirm(self, session: SessionRef, req: Data) -> tuple[Data, Data]:
        """Records the confirmation (not required before trading)."""
        account = self.s.accounts.get(session.investor_id)
        now = self.s.now()
        data: Data = {
            "BrokerID": session.broker_id,
            "InvestorID": session.investor_id,
            "ConfirmDate": self.s.trading_day,
            "ConfirmTime": now.strftime("%H:%M:%S"),
            "SettlementID": 1,
            "AccountID": session.investor_id,
            "CurrencyID": "CNY",
        }
        if account is None:
            return data, E.rsp_info(E.NOT_LOGIN_YET)
        account.confirm_date, account.confirm_time = self.s.trading_day, data["ConfirmTime"]
        self.s.touch("account", account.investor_id, account)
        self.s.commit()
        return data, E.rsp_info(E.NONE)
