"""One generic desk for the SOPT instructions that are not orders but have the same life:
exercise (行权), lock/unlock (锁定/解锁), market-maker quotes (报价) and combined exercise (合并行权).

Each is sent with a reference of its own (ExecOrderRef, LockRef, QuoteRef, ...), answered by an
OnRsp...Insert / OnErrRtn...Insert when refused and by OnRtn... status reports, and (all but lock)
cancelled with a delete action. A ``SideKind`` says what differs: the request builder, the api
request, the id and system-id fields, the vn.py data object and how it is pushed. ``SideDesk``
does the rest once for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import copy
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from vnpy.trader.constant import Exchange, Status
from vnpy.trader.object import ContractData, QuoteData, QuoteRequest

from ..api import TdApi
from .context import GatewayPort, TdContext
from .events import (
    EVENT_CTPSOPT_COMB,
    EVENT_CTPSOPT_EXERCISE,
    EVENT_CTPSOPT_LOCK,
    CombActionData,
    CombActionRequest,
    CombExerciseRequest,
    ExerciseData,
    ExerciseRequest,
    LockData,
    LockRequest,
)
from .parsing import (
    Data,
    format_error,
    make_orderid,
    parse_comb_action,
    parse_exec_combine_order,
    parse_exec_order,
    parse_lock,
    parse_quote,
)
from .requests import (
    build_comb_action,
    build_exec_action,
    build_exec_combine_action,
    build_exec_combine_order,
    build_exec_order,
    build_lock,
    build_quote,
    build_quote_action,
)
from .state import ContractCache, RefAllocator, SideRecord


class SideData(Protocol):
    """What the desk reads of a vn.py data object (ExerciseData, LockData, QuoteData, ...)."""

    status: Status

    @property
    def vt_symbol(self) -> str: ...

    def is_active(self) -> bool: ...


class SideRequest(Protocol):
    """What the desk reads of a request (ExerciseRequest, LockRequest, QuoteRequest, ...)."""

    @property
    def symbol(self) -> str: ...

    @property
    def exchange(self) -> Exchange: ...

    @property
    def vt_symbol(self) -> str: ...

    @property
    def reference(self) -> str: ...


D = TypeVar("D", bound=SideData)
R = TypeVar("R", bound=SideRequest)

# (request, contract or None, ref, brokerid, userid) -> (CTP dict or None, reason)
Builder = Callable[[R, ContractData | None, str, str, str], tuple[Data | None, str]]
ApiCall = Callable[[TdApi, Data, int], int]


@dataclass(frozen=True)
class SideKind(Generic[D, R]):
    """What distinguishes one kind of instruction.

    ``noun`` names it in logs (行权申报, 报价, 锁定/解锁); ``label`` names one instance (a lock is
    锁定 or 解锁); ``state`` is what makes a report worth pushing; ``create`` makes the first
    data object of a sent request (REJECTED with the reason when there is one)."""

    noun: str
    ref_field: str
    sysid_field: str
    build: Builder[R]
    insert: ApiCall
    create: Callable[[R, str, str, str], D]
    parse: Callable[[Data, Exchange, str, str, str], D | None]
    state: Callable[[D], tuple[object, ...]]
    rejected: Callable[[D, str], D]
    vt_id: Callable[[D], str]
    push: Callable[[GatewayPort, D], None]
    label: Callable[[D], str]
    cancel_word: str = ""
    id_prefix: str = ""  # keeps ids apart from another kind sharing the data type
    symbol_field: str = "InstrumentID"
    build_action: Callable[[SideRecord[D], str, str], Data] | None = None
    action: ApiCall | None = None


class SideDesk(Generic[D, R]):
    """Sends, cancels and follows one kind of instruction for one td session.

    ``records``: id (``FrontID_SessionID_Ref``, as make_orderid) -> SideRecord with the last
    pushed data; ``refs`` allocates this kind's references. Guarded by the session's lock.
    ``after(data, report)`` runs after each pushed report (logs, refreshes)."""

    def __init__(
        self, ctx: TdContext, kind: SideKind[D, R], after: Callable[[D, Data], None]
    ) -> None:
        self.ctx: TdContext = ctx
        self.kind: SideKind[D, R] = kind
        self.after: Callable[[D, Data], None] = after
        self.refs: RefAllocator = RefAllocator()
        self.records: dict[str, SideRecord[D]] = {}

    def send(self, req: R) -> str:
        """Validate, record and send ``req``; returns the vt id (of a REJECTED object when refused
        locally), "" only when something unexpected failed (logged)."""
        ctx, kind = self.ctx, self.kind
        try:
            brokerid, userid = ctx.ids()
            with ctx.lock:
                ref: str = self.refs.next()
                sideid: str = kind.id_prefix + make_orderid(ctx.frontid, ctx.sessionid, ref)
                contract: ContractData | None = ctx.contracts.get_vt(req.vt_symbol)
                ctp_req, reason = kind.build(req, contract, ref, brokerid, userid)
                if not reason and not (ctx.login_status and ctx.api):
                    reason = "交易服务器未登录"
                data: D = kind.create(req, sideid, ctx.gateway_name, reason)
                self.records[sideid] = SideRecord(
                    req.symbol, req.exchange, ctx.frontid, ctx.sessionid, ref, req.reference,
                    data=data,
                )
                reqid: int = ctx.next_reqid()
                api: TdApi | None = ctx.api
            kind.push(ctx.gateway, data)
            if reason or ctp_req is None or api is None:
                ctx.gateway.write_error(f"{kind.label(data)}被拒绝：{req.vt_symbol}，{reason}")
                return kind.vt_id(data)
            n: int = kind.insert(api, ctp_req, reqid)
            if n != 0:
                self.reject(sideid, f"{kind.label(data)}请求发送失败，返回码{n}")
            return kind.vt_id(data)
        except Exception as exc:  # noqa: BLE001
            ctx.gateway.write_error(f"{kind.noun}失败：{req.vt_symbol}，{exc!r}")
            return ""

    def reject(self, sideid: str, msg: str) -> None:
        """Mark a live instruction REJECTED with ``msg`` and push it (ignored when it is over)."""
        with self.ctx.lock:
            record = self.records.get(sideid)
            if record is None or record.data is None or not record.data.is_active():
                return
            new: D = self.kind.rejected(record.data, msg)
            record.data = new
        self.kind.push(self.ctx.gateway, new)
        self.ctx.gateway.write_error(f"{self.kind.label(new)}失败：{new.vt_symbol}，{msg}")

    def insert_error(self, data: Data, error: Data) -> None:
        """An insert of this session refused by the counter (OnRsp...Insert / OnErrRtn...Insert)."""
        ref: str = str(data.get(self.kind.ref_field, "")).strip()
        sideid: str = self.kind.id_prefix + make_orderid(self.ctx.frontid, self.ctx.sessionid, ref)
        self.reject(sideid, format_error(error))

    def cancel(self, sideid: str) -> None:
        """Cancel by id or vt id (a delete action carrying the system id when known)."""
        ctx, kind = self.ctx, self.kind
        prefix: str = ctx.gateway_name + "."
        key: str = sideid[len(prefix):] if sideid.startswith(prefix) else sideid
        word: str = kind.cancel_word or f"撤销{kind.noun}"
        brokerid, userid = ctx.ids()
        with ctx.lock:
            record = self.records.get(key)
            api: TdApi | None = ctx.api
        if record is None:
            ctx.gateway.write_error(f"{word}失败：找不到{kind.noun} {sideid}")
            return
        if record.data is not None and not record.data.is_active():
            ctx.gateway.write_log(f"{word}忽略：{kind.noun}{sideid}已结束")
            return
        if kind.build_action is None or kind.action is None:
            ctx.gateway.write_error(f"{word}失败：{kind.noun}不能撤销")
            return
        if api is None or not ctx.login_status:
            ctx.gateway.write_error(f"{word}失败：交易服务器未登录，{sideid}")
            return
        req: Data = kind.build_action(record, brokerid, userid)
        n: int = kind.action(api, req, ctx.next_reqid())
        if n != 0:
            ctx.gateway.write_error(f"{word}请求发送失败，返回码{n}：{sideid}")

    def action_error(self, data: Data, error: Data, pushed: bool) -> None:
        """A cancel refused: OnRsp...Action (``pushed`` False) is always ours; OnErrRtn...Action
        (``pushed`` True) is logged only for other sessions' cancels, since ours also got the Rsp."""
        if pushed and int(data.get("SessionID", 0) or 0) == self.ctx.sessionid:
            return
        word: str = self.kind.cancel_word or f"撤销{self.kind.noun}"
        self.ctx.gateway.write_error(f"{word}失败，{format_error(error)}")

    def on_report(self, data: Data) -> None:
        """An OnRtn... status report (or a query row): push it when it says something new.

        A report never turns a finished instruction back into a live one (RESTART replays
        re-send the earlier states)."""
        ctx, kind = self.ctx, self.kind
        exchange: Exchange | None = ctx.exchange_of(data)
        if exchange is None:
            return
        frontid: int = int(data.get("FrontID", 0))
        sessionid: int = int(data.get("SessionID", 0))
        ref: str = str(data.get(kind.ref_field, "")).strip()
        sideid: str = kind.id_prefix + make_orderid(frontid, sessionid, ref)
        with ctx.lock:
            record = self.records.get(sideid)
            if record is None:
                symbol: str = str(data[kind.symbol_field])
                record = SideRecord(symbol, exchange, frontid, sessionid, ref)
                self.records[sideid] = record
            record.sysid = str(data.get(kind.sysid_field, "")).strip() or record.sysid
            new: D | None = kind.parse(data, exchange, sideid, ctx.gateway_name, record.reference)
            if new is None:
                ctx.gateway.write_error(f"收到无法识别的{kind.noun}状态，{kind.noun}号{sideid}")
                return
            old: D | None = record.data
            changed: bool = old is None or kind.state(old) != kind.state(new)
            if old is not None and not old.is_active() and new.is_active():
                changed = False
            if changed:
                record.data = new
        if changed:
            kind.push(ctx.gateway, new)
            self.after(new, data)


# ---------------------------------------------------------------------------------------------
# The kinds


def _push_event(event: str, vt_id: Callable[[D], str]) -> Callable[[GatewayPort, D], None]:
    """Push on ``event`` and ``event + vt_id``, like vn.py's order events."""

    def push(gateway: GatewayPort, data: D) -> None:
        gateway.on_event(event, data)
        gateway.on_event(event + vt_id(data), data)

    return push


M = TypeVar("M", ExerciseData, LockData, CombActionData)


def _rejected_with_msg(data: M, msg: str) -> M:
    new: M = copy(data)
    new.status = Status.REJECTED
    new.msg = msg
    return new


def _rejected_quote(data: QuoteData, msg: str) -> QuoteData:
    new: QuoteData = copy(data)
    new.status = Status.REJECTED
    new.extra = {"status_msg": msg}
    return new


def _new_exercise(req: ExerciseRequest, sideid: str, gateway_name: str, reason: str) -> ExerciseData:
    return ExerciseData(
        gateway_name=gateway_name,
        symbol=req.symbol,
        exchange=req.exchange,
        exerciseid=sideid,
        volume=req.volume,
        status=Status.REJECTED if reason else Status.SUBMITTING,
        msg=reason,
        reference=req.reference,
    )


def _new_lock(req: LockRequest, sideid: str, gateway_name: str, reason: str) -> LockData:
    return LockData(
        gateway_name=gateway_name,
        symbol=req.symbol,
        exchange=req.exchange,
        lockid=sideid,
        lock_type=req.lock_type,
        volume=req.volume,
        status=Status.REJECTED if reason else Status.SUBMITTING,
        msg=reason,
        reference=req.reference,
    )


def _new_quote(req: QuoteRequest, sideid: str, gateway_name: str, reason: str) -> QuoteData:
    quote: QuoteData = req.create_quote_data(sideid, gateway_name)
    if reason:
        quote.status = Status.REJECTED
        quote.extra = {"status_msg": reason}
    return quote


EXERCISE_KIND: SideKind[ExerciseData, ExerciseRequest] = SideKind(
    noun="行权申报",
    ref_field="ExecOrderRef",
    sysid_field="ExecOrderSysID",
    build=build_exec_order,
    insert=lambda api, req, reqid: api.reqExecOrderInsert(req, reqid),
    create=_new_exercise,
    parse=parse_exec_order,
    state=lambda d: (d.status, d.exec_result, d.msg),
    rejected=_rejected_with_msg,
    vt_id=lambda d: d.vt_exerciseid,
    push=_push_event(EVENT_CTPSOPT_EXERCISE, lambda d: d.vt_exerciseid),
    label=lambda d: "行权申报",
    cancel_word="撤销行权",
    build_action=lambda r, brokerid, userid: build_exec_action(
        r.exchange, r.symbol, r.frontid, r.sessionid, r.ref, brokerid, userid, r.sysid
    ),
    action=lambda api, req, reqid: api.reqExecOrderAction(req, reqid),
)

LOCK_KIND: SideKind[LockData, LockRequest] = SideKind(
    noun="锁定/解锁",
    ref_field="LockRef",
    sysid_field="LockSysID",
    build=build_lock,
    insert=lambda api, req, reqid: api.reqLockInsert(req, reqid),
    create=_new_lock,
    parse=parse_lock,
    state=lambda d: (d.status,),
    rejected=_rejected_with_msg,
    vt_id=lambda d: d.vt_lockid,
    push=_push_event(EVENT_CTPSOPT_LOCK, lambda d: d.vt_lockid),
    label=lambda d: d.lock_type.value,
)


def quote_kind(order_refs: RefAllocator) -> SideKind[QuoteData, QuoteRequest]:
    """Quotes: each side becomes an order of its own, so the request carries two OrderRefs from
    the session's order allocator (the ask side's first, so it gets the lower one)."""

    def build(
        req: QuoteRequest, contract: ContractData | None, ref: str, brokerid: str, userid: str
    ) -> tuple[Data | None, str]:
        ask_ref: str = order_refs.next()
        bid_ref: str = order_refs.next()
        return build_quote(req, contract, ref, bid_ref, ask_ref, brokerid, userid)

    return SideKind(
        noun="报价",
        ref_field="QuoteRef",
        sysid_field="QuoteSysID",
        build=build,
        insert=lambda api, req, reqid: api.reqQuoteInsert(req, reqid),
        create=_new_quote,
        parse=parse_quote,
        state=lambda d: (d.status,),
        rejected=_rejected_quote,
        vt_id=lambda d: d.vt_quoteid,
        push=lambda gateway, d: gateway.on_quote(d),
        label=lambda d: "报价",
        cancel_word="撤销报价",
        build_action=lambda r, brokerid, userid: build_quote_action(
            r.symbol, r.exchange, r.frontid, r.sessionid, r.ref, brokerid, userid, r.sysid
        ),
        action=lambda api, req, reqid: api.reqQuoteAction(req, reqid),
    )


def _new_comb_exercise(
    req: CombExerciseRequest, sideid: str, gateway_name: str, reason: str
) -> ExerciseData:
    data: ExerciseData = _new_exercise(
        ExerciseRequest(req.call_symbol, req.exchange, req.volume, req.reference),
        sideid, gateway_name, reason,
    )
    data.extra = {"combined": True, "put_symbol": req.put_symbol}
    return data


def comb_exercise_kind(contracts: ContractCache) -> SideKind[ExerciseData, CombExerciseRequest]:
    """Combined exercise (合并行权, ReqExecCombineOrderInsert): ids start with "C" so they never
    equal a single exercise's on the same EVENT_CTPSOPT_EXERCISE."""

    def build(
        req: CombExerciseRequest, call: ContractData | None, ref: str, brokerid: str, userid: str
    ) -> tuple[Data | None, str]:
        put: ContractData | None = contracts.get_vt(req.put_vt_symbol)
        return build_exec_combine_order(req, call, put, ref, brokerid, userid)

    return SideKind(
        noun="合并行权",
        ref_field="ExecCombineOrderRef",
        sysid_field="ExecCombineOrderSysID",
        build=build,
        insert=lambda api, req, reqid: api.reqExecCombineOrderInsert(req, reqid),
        create=_new_comb_exercise,
        parse=parse_exec_combine_order,
        state=lambda d: (d.status, d.exec_result, d.msg),
        rejected=_rejected_with_msg,
        vt_id=lambda d: d.vt_exerciseid,
        push=_push_event(EVENT_CTPSOPT_EXERCISE, lambda d: d.vt_exerciseid),
        label=lambda d: "合并行权",
        cancel_word="撤销合并行权",
        id_prefix="C",
        symbol_field="CallInstrumentID",
        build_action=lambda r, brokerid, userid: build_exec_combine_action(
            r.exchange, r.frontid, r.sessionid, r.ref, brokerid, userid, r.sysid
        ),
        action=lambda api, req, reqid: api.reqExecCombineOrderAction(req, reqid),
    )


def _new_comb_action(
    req: CombActionRequest, sideid: str, gateway_name: str, reason: str
) -> CombActionData:
    return CombActionData(
        gateway_name=gateway_name,
        symbol=req.symbol,
        exchange=req.exchange,
        combid=sideid,
        combine=req.combine,
        volume=req.volume,
        status=Status.REJECTED if reason else Status.SUBMITTING,
        com_tradeid=req.com_tradeid,
        msg=reason,
        reference=req.reference,
    )


COMB_ACTION_KIND: SideKind[CombActionData, CombActionRequest] = SideKind(
    noun="组合/拆分",
    ref_field="CombActionRef",
    sysid_field="ComTradeID",
    build=build_comb_action,
    insert=lambda api, req, reqid: api.reqCombActionInsert(req, reqid),
    create=_new_comb_action,
    parse=parse_comb_action,
    state=lambda d: (d.status, d.com_tradeid),
    rejected=_rejected_with_msg,
    vt_id=lambda d: d.vt_combid,
    push=_push_event(EVENT_CTPSOPT_COMB, lambda d: d.vt_combid),
    label=lambda d: "组合" if d.combine else "拆分",
)
