"""Exercise declarations (ReqExecOrderInsert / ReqExecOrderAction) over ``core.exercise``,
and their delivery at the day close."""

from __future__ import annotations

from datetime import datetime

from ...api import constant as C
from ...core import exercise as X
from ...core.terms import (
    SPEC,
    Refused,
)
from ...core.timetable import (
    exercise_time_allowed,
)
from .. import errors as E
from . import fields as F
from .records import (
    Data,
    ExecOrder,
    Outgoing,
    SessionRef,
    find_ref,
)
from .state import CounterState


class ExerciseDesk:
    """Exercise declarations."""

    def __init__(self, state: CounterState) -> None:
        self.s = state

    def insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        """ReqExecOrderInsert: exercise of long options on expiry day in the exercise window."""
        out: list[Outgoing] = []
        data = dict(req)
        now = self.s.now()
        try:
            self.s.check_session(session, req)
            state = self.s.session(session)
            ref = state.check_ref(
                "exec", str(req.get("ExecOrderRef", "")), E.DUPLICATE_EXECORDER_REF
            )
            iid = str(req.get("InstrumentID", ""))
            info = self.s.instruments.get(iid)
            if info is None:
                raise Refused(E.INSTRUMENT_NOT_FOUND)
            if not info.is_option:
                raise Refused(E.EXECORDER_NOTOPTIONS)
            action = str(req.get("ActionType", C.THOST_FTDC_ACTP_Exec))
            if action == C.THOST_FTDC_ACTP_Abandon:
                raise Refused(E.OPTIONS_NOT_SUPPORT_ABANDON)
            if action != C.THOST_FTDC_ACTP_Exec:
                raise Refused(E.BAD_EXECUTE_TYPE)
            in_window = self.s.config.hours != "exchange" or exercise_time_allowed(
                info.exchange_id, now.time()
            )
            volume = int(req.get("Volume", 0) or 0)
            hedge = str(req.get("HedgeFlag", SPEC) or SPEC)
            book = self.s.books[session.investor_id]
            fees = self.s.config.fees
            reserve = X.check_exercise(
                book, info, hedge, volume, self.s.trading_day, fees, in_window
            )
        except Refused as rejection:
            rsp = "onRspExecOrderInsert"
            return self.s.reject(out, session, rsp, data, reqid, rejection.error_id)
        ref = state.take_ref("exec", ref)
        key = self.s.next("exec")
        X.freeze_exercise(book, info, hedge, volume, reserve)
        exec_data = F.exec_order_field(
            session, req, info, key, ref, volume, hedge, reqid, now, self.s.trading_day
        )
        exec_order = ExecOrder(
            key,
            session.investor_id,
            iid,
            info.exchange_id,
            volume,
            session.front_id,
            session.session_id,
            ref,
            exec_data,
            reserve.cash,
            reserve.fee,
            reserve.shares,
        )
        self.s.exec_orders[key] = exec_order
        self.s.touch("exec", key, exec_order)
        self.s.push(out, session.investor_id, "onRtnExecOrder", exec_data)
        sysid = str(self.s.next(f"execsysid:{info.exchange_id}"))
        exec_data.update(
            ExecOrderSysID=sysid,
            OrderSubmitStatus=C.THOST_FTDC_OSS_Accepted,
            StatusMsg="已接受",
            NotifySequence=2,
        )
        self.s.push(out, session.investor_id, "onRtnExecOrder", exec_data)
        self.s.commit()
        return out

    def action(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        """ReqExecOrderAction: cancel an exercise declaration while the window is open."""
        out: list[Outgoing] = []
        now = self.s.now()
        try:
            self.s.check_session(session, req)
            items = self.s.exec_orders.values()
            target = find_ref(items, session, req, "ExecOrderRef", "ExecOrderSysID")
            if target is None:
                raise Refused(E.EXECORDER_NOT_FOUND)
            if not target.active:
                raise Refused(E.BAD_EXECORDER_ACTION_FIELD)
            if self.s.config.hours == "exchange" and not exercise_time_allowed(
                target.exchange_id, now.time()
            ):
                raise Refused(E.EXEC_FORBIDDEN_TIME)
        except Refused as rejection:
            rsp = "onRspExecOrderAction"
            return self.s.reject(out, session, rsp, dict(req), reqid, rejection.error_id)
        self.release(target)
        target.data.update(
            ExecResult=C.THOST_FTDC_OER_Canceled,
            CancelTime=now.strftime("%H:%M:%S"),
            StatusMsg="已撤单",
            ActiveUserID=session.investor_id,
            NotifySequence=int(target.data.get("NotifySequence", 0)) + 1,
        )
        self.s.push(out, session.investor_id, "onRtnExecOrder", target.data)
        self.s.commit()
        return out

    def release(self, item: ExecOrder) -> None:
        info = self.s.instruments.get(item.instrument_id)
        hedge = str(item.data.get("HedgeFlag", SPEC))
        reserve = X.ExerciseReserve(item.cash_frozen, item.fee_frozen, item.shares_frozen)
        book = self.s.books[item.investor_id]
        X.release_exercise(book, info, item.instrument_id, hedge, item.volume, reserve)
        item.active = False
        self.s.touch("exec", item.key, item)

    def settle(
        self, item: ExecOrder, delivery: dict[str, float], out: list[Outgoing], now: datetime
    ) -> None:
        info = self.s.instruments[item.instrument_id]
        self.release(item)
        hedge = str(item.data.get("HedgeFlag", SPEC))
        book = self.s.books[item.investor_id]
        cash = X.settle_exercise(book, info, hedge, item.volume, self.s.config.fees)
        delivery[item.investor_id] = delivery.get(item.investor_id, 0.0) + cash
        item.data.update(
            ExecResult=C.THOST_FTDC_OER_OK,
            StatusMsg="执行成功",
            NotifySequence=int(item.data.get("NotifySequence", 0)) + 1,
        )
        self.s.touch("exec", item.key, item)
        self.s.push(out, item.investor_id, "onRtnExecOrder", item.data)
