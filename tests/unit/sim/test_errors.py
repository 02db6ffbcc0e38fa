"""RspInfo dicts: every caller gets its own, the shared tables cannot be changed."""

from __future__ import annotations

from typing import Any

import pytest

from vnpy_ctpsopt.sim import errors, exchange


def test_rsp_info_is_fresh_per_call() -> None:
    first = errors.rsp_info(errors.NONE)
    first["ErrorID"] = 999
    first["ErrorMsg"] = "MUTATED"
    assert errors.rsp_info(errors.NONE) == {"ErrorID": 0, "ErrorMsg": "CTP:正确"}
    assert errors.rsp_info(errors.INSUFFICIENT_MONEY) == {
        "ErrorID": 31,
        "ErrorMsg": "CTP:资金不足",
    }


@pytest.mark.parametrize(
    "table",
    [errors.MESSAGES, exchange.MD_OK, exchange.DUPLICATE_LOGIN, exchange.TD_ORDER_REQUESTS],
)
def test_shared_tables_are_read_only(table: Any) -> None:
    key = next(iter(table))
    with pytest.raises(TypeError):
        table[key] = "MUTATED"
