"""Every dict the counter hands out has exactly the fields of its CThostFtdc*Field struct, as
the installed openctp-ctpopt wheel defines them (skipped where the native library cannot load)."""

from __future__ import annotations

from typing import Any

import pytest
from counter_kit import Harness

from vnpy_ctpsopt.api.native import NativeLibraryError, load_modules
from vnpy_ctpsopt.sim.counter import SessionRef


@pytest.fixture(scope="module")
def td() -> Any:
    try:
        return load_modules()[0]
    except NativeLibraryError as exc:
        pytest.skip(f"native library unavailable: {exc}")


def struct_fields(td: Any, name: str) -> set[str]:
    cls = getattr(td, name)
    return {n for n, v in vars(cls).items() if isinstance(v, property)} - {"thisown"}


def test_pushes_and_rows_have_the_struct_fields(td: Any) -> None:
    h = Harness()
    s, t = h.login("A"), h.login("B")
    c = h.names["sse_call"]
    out = h.order(s, c, "0", "0", 0.0503, 3)
    out += h.order(s, c, "0", "0", 0.0503, 0)
    out += h.call("order_action", s, {"OrderRef": "99"})
    out += h.call("lock_insert", s, {"InstrumentID": "510050", "ExchangeID": "SSE",
                                     "Volume": 10000, "LockType": "1"})
    out += h.call("quote_insert", t, {"InstrumentID": c, "AskPrice": 0.06, "BidPrice": 0.04,
                                      "AskVolume": 1, "BidVolume": 1})
    out += h.call("for_quote_insert", t, {"InstrumentID": c})
    day_rows = {
        "Order": h.counter.query(s, "Order", {}),
        "Lock": h.counter.query(s, "Lock", {}),
        "Quote": h.counter.query(t, "Quote", {}),
        "Trade": h.counter.query(s, "Trade", {}),
    }
    h.counter.roll_day()
    h.counter.roll_day()
    out += h.call("exec_order_insert", s, {"InstrumentID": c, "Volume": 1, "ActionType": "1"})
    pushes = {
        "onRtnOrder": "CThostFtdcOrderField",
        "onRtnTrade": "CThostFtdcTradeField",
        "onErrRtnOrderAction": "CThostFtdcOrderActionField",
        "onRtnLock": "CThostFtdcLockField",
        "onRtnQuote": "CThostFtdcQuoteField",
        "onRtnForQuoteRsp": "CThostFtdcForQuoteRspField",
        "onRtnExecOrder": "CThostFtdcExecOrderField",
    }
    seen = set()
    for o in out:
        name, args = o.callback
        if name in pushes:
            assert set(args[0]) == struct_fields(td, pushes[name]), name
            seen.add(name)
        if name.startswith("onRsp") or name.startswith("onErrRtn"):
            assert set(args[1]) == struct_fields(td, "CThostFtdcRspInfoField")
    assert seen == set(pushes)
    queries = {
        "TradingAccount": "CThostFtdcTradingAccountField",
        "InvestorPosition": "CThostFtdcInvestorPositionField",
        "LockPosition": "CThostFtdcLockPositionField",
        "InstrumentCommissionRate": "CThostFtdcInstrumentCommissionRateField",
        "OptionInstrCommRate": "CThostFtdcOptionInstrCommRateField",
        "OptionInstrTradeCost": "CThostFtdcOptionInstrTradeCostField",
        "Instrument": "CThostFtdcInstrumentField",
        "Order": "CThostFtdcOrderField",
        "ExecOrder": "CThostFtdcExecOrderField",
        "Lock": "CThostFtdcLockField",
        "Quote": "CThostFtdcQuoteField",
        "Trade": "CThostFtdcTradeField",
    }
    for table, struct in queries.items():
        filters = {"InstrumentID": c} if "Rate" in table or "Cost" in table else {}
        rows = day_rows.get(table) or h.counter.query(s, table, filters)
        assert rows, table
        for row in rows:
            assert set(row) == struct_fields(td, struct), (table, row.get("InstrumentID"))
    ref = SessionRef(1, 77, "9999", "A")
    login, _ = h.counter.login(ref, {"BrokerID": "9999", "UserID": "A", "Password": "pw"})
    assert set(login) == struct_fields(td, "CThostFtdcRspUserLoginField")
    auth, _ = h.counter.authenticate(ref, {})
    assert set(auth) == struct_fields(td, "CThostFtdcRspAuthenticateField")
    confirm, _ = h.counter.settlement_confirm(ref, {})
    assert set(confirm) == struct_fields(td, "CThostFtdcSettlementInfoConfirmField")
