"""Every request dict the gateway builds (gateway/requests.py) converts into the real SWIG struct
of the request it is sent with (api.base.TD_REQUESTS), field by field."""

from __future__ import annotations

from typing import Any

import pytest
from vnpy.trader.constant import Direction, Exchange, Offset, OrderType
from vnpy.trader.object import OrderRequest, QuoteRequest

from tests.unit.gateway import fixtures as f
from vnpy_ctpsopt.api.base import TD_REQUESTS
from vnpy_ctpsopt.api.native import StructCopier, dict_to_struct, load_modules
from vnpy_ctpsopt.gateway import parsing as p
from vnpy_ctpsopt.gateway import requests as rq
from vnpy_ctpsopt.gateway.events import (
    CombActionRequest,
    CombExerciseRequest,
    ExerciseRequest,
    LockRequest,
    SoptOrderType,
)

pytestmark = pytest.mark.native


def built() -> list[tuple[str, dict[str, Any]]]:
    """(request name, dict) for every builder and every order type each exchange takes."""
    out: list[tuple[str, dict[str, Any]]] = []
    for exchange in ("SSE", "SZSE"):
        option = p.parse_contract(f.instrument(ExchangeID=exchange), "GW")
        assert option is not None
        for kind in SoptOrderType:
            order = OrderRequest("10007001", option.exchange, Direction.SHORT, OrderType.LIMIT, 2,
                                 0.1234, Offset.OPEN)
            data, _ = rq.build_order_insert(order, option, "13", "9999", "000001", True, kind)
            if data is not None:
                out.append(("reqOrderInsert", data))
        out.append(("reqOrderAction", rq.build_cancel("10007001", option.exchange, 1, 2, "13",
                                                      "9999", "000001", "  77")))
        exec_req, _ = rq.build_exec_order(ExerciseRequest("10007001", option.exchange, 3), option,
                                          "5", "9999", "000001")
        assert exec_req is not None
        out.append(("reqExecOrderInsert", exec_req))
        out.append(("reqExecOrderAction", rq.build_exec_action(option.exchange, "10007001", 1, 2,
                                                               "5", "9999", "000001", "88")))
        quote = QuoteRequest("10007001", option.exchange, 0.1, 1, 0.2, 1, Offset.OPEN,
                             Offset.OPEN)
        quote_req, _ = rq.build_quote(quote, option, "4", "20", "21", "9999", "000001")
        assert quote_req is not None
        out.append(("reqQuoteInsert", quote_req))
        out.append(("reqQuoteAction", rq.build_quote_action("10007001", option.exchange, 1, 2, "4",
                                                            "9999", "000001", "99")))
        rfq = OrderRequest("10007001", option.exchange, Direction.LONG, OrderType.RFQ, 1, 0)
        rfq_req, _ = rq.build_for_quote(rfq, option, "31", "9999", "000001")
        assert rfq_req is not None
        out.append(("reqForQuoteInsert", rfq_req))
    call = p.parse_contract(f.instrument(ExchangeID="SZSE", InstrumentID="90000001"), "GW")
    put = p.parse_contract(f.instrument(ExchangeID="SZSE", InstrumentID="90000002",
                                        OptionsType="2"), "GW")
    comb_req, reason = rq.build_exec_combine_order(
        CombExerciseRequest("90000001", "90000002", Exchange.SZSE, 1), call, put, "7", "9999",
        "000001",
    )
    assert comb_req is not None, reason
    out.append(("reqExecCombineOrderInsert", comb_req))
    out.append(("reqExecCombineOrderAction", rq.build_exec_combine_action(
        Exchange.SZSE, 1, 2, "7", "9999", "000001", "55")))
    combo = p.parse_contract(f.instrument(InstrumentID="KS 10007001&10007002",
                                          ProductClass="3"), "GW")
    comb_action, reason = rq.build_comb_action(
        CombActionRequest("KS 10007001&10007002", Exchange.SSE, 1, combine=False,
                          com_tradeid="77"), combo, "8", "9999", "000001")
    assert comb_action is not None, reason
    out.append(("reqCombActionInsert", comb_action))
    etf = p.parse_contract(f.instrument(InstrumentID="510050", ProductClass="8",
                                        VolumeMultiple=1, PriceTick=0.001), "GW")
    assert etf is not None
    lock_req, _ = rq.build_lock(LockRequest("510050", Exchange.SSE, 10000), etf, "9", "9999",
                                "000001")
    assert lock_req is not None
    out.append(("reqLockInsert", lock_req))
    return out


def test_every_built_request_fills_its_real_struct() -> None:
    td, _ = load_modules()
    copier = StructCopier()
    requests = built()
    assert {name for name, _ in requests} >= {
        "reqOrderInsert", "reqOrderAction", "reqExecOrderInsert", "reqExecOrderAction",
        "reqQuoteInsert", "reqQuoteAction", "reqForQuoteInsert", "reqLockInsert",
        "reqExecCombineOrderInsert", "reqExecCombineOrderAction", "reqCombActionInsert",
    }
    # 5 SSE + 7 SZSE order types
    assert sum(1 for name, _ in requests if name == "reqOrderInsert") == 12
    for name, req in requests:
        struct = dict_to_struct(td, TD_REQUESTS[name], req, copier)
        back = copier.to_dict(struct)
        assert {k: back[k] for k in req} == req, name
