"""SSE lock / unlock of ETF shares for covered calls (ReqLockInsert); SZSE has no lock."""

from __future__ import annotations

from ...api import constant as C
from ...core.orders import (
    check_lock,
)
from ...core.terms import (
    SZSE,
    Refused,
)
from ...core.timetable import (
    lock_allowed,
)
from .. import errors as E
from . import fields as F
from .records import (
    Data,
    Outgoing,
    SessionRef,
)
from .state import CounterState


class LockDesk:
    """Lock and unlock."""

    def __init__(self, state: CounterState) -> None:
        self.s = state

    def insert(self, session: SessionRef, req: Data, reqid: int) -> list[Outgoing]:
        """ReqLockInsert: lock ('1') / unlock ('2') ETF shares on SSE; SZSE has no lock (100)."""
        out: list[Outgoing] = []
        data = dict(req)
        now = self.s.now()
        try:
            self.s.check_session(session, req)
            state = self.s.session(session)
            ref = state.check_ref("lock", str(req.get("LockRef", "")), E.DUPLICATE_ORDER_REF)
            info = self.s.instruments.get(str(req.get("InstrumentID", "")))
            exchange = str(req.get("ExchangeID", "")) or (info.exchange_id if info else "")
            if exchange == SZSE:
                raise Refused(E.NOT_SUPPORT_LOCK)
            if info is None or info.is_option:
                raise Refused(E.INSTRUMENT_NOT_FOUND)
            if info.exchange_id == SZSE:
                raise Refused(E.NOT_SUPPORT_LOCK)
            if not lock_allowed(self.s.phase(now)):
                # sopt-rules.md A.10 names no error for a lock outside trading hours; 145 is
                # the closest SOPT error (sopt_error.xml BROKER_BREAK_SECTION)
                raise Refused(E.BROKER_BREAK_SECTION)
            volume = int(req.get("Volume", 0) or 0)
            lock_type = str(req.get("LockType", ""))
            lock_kind = {C.THOST_FTDC_LCKT_Lock: True, C.THOST_FTDC_LCKT_Unlock: False}
            book = self.s.books[session.investor_id]
            check_lock(book, info, lock_kind.get(lock_type), volume)
        except Refused as rejection:
            return self.s.reject(out, session, "onRspLockInsert", data, reqid, rejection.error_id)
        ref = state.take_ref("lock", ref)
        book.lock(info, lock_type == C.THOST_FTDC_LCKT_Lock, volume)
        key = self.s.next("lock")
        lock = F.lock_field(
            session, req, info, ref, volume, lock_type, key, reqid, now, self.s.trading_day
        )
        self.s.push(out, session.investor_id, "onRtnLock", lock)
        lock.update(
            LockSysID=str(self.s.next(f"locksysid:{info.exchange_id}")),
            OrderSubmitStatus=C.THOST_FTDC_OSS_Accepted,
            LockStatus=C.THOST_FTDC_OAS_Accepted,
            NotifySequence=2,
            StatusMsg="已接受",
        )
        self.s.push(out, session.investor_id, "onRtnLock", lock)
        self.s.locks.setdefault(session.investor_id, []).append(lock)
        self.s.touch("lock", f"{session.investor_id}|{lock['BrokerLockSeq']:012d}", lock)
        self.s.commit()
        return out
