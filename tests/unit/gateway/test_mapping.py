"""Mapping tables: every SOPT code the counter can send is covered, inverses agree."""

from __future__ import annotations

import pytest
from vnpy.trader.constant import Direction, Exchange, Offset, OrderType, Product, Status

from vnpy_ctpsopt.api import constant as c
from vnpy_ctpsopt.gateway import mapping as m


def codes(prefix: str) -> dict[str, str]:
    """name -> value of every constant with a THOST_FTDC_<prefix>_ name."""
    return {
        name: getattr(c, name)
        for name in dir(c)
        if name.startswith(f"THOST_FTDC_{prefix}_")
    }


@pytest.mark.parametrize("name,value", sorted(codes("OST").items()))
def test_every_order_status_is_mapped(name: str, value: str) -> None:
    assert value in m.STATUS_SOPT2VT, name


def test_partly_traded_not_queueing_and_no_trade_not_queueing_are_final() -> None:
    assert m.STATUS_SOPT2VT[c.THOST_FTDC_OST_PartTradedNotQueueing].name == "CANCELLED"
    assert m.STATUS_SOPT2VT[c.THOST_FTDC_OST_NoTradeNotQueueing].name == "CANCELLED"
    assert m.STATUS_SOPT2VT[c.THOST_FTDC_OST_Unknown].name == "SUBMITTING"


@pytest.mark.parametrize("name,value", sorted(codes("IS").items()))
def test_every_instrument_status_is_mapped(name: str, value: str) -> None:
    assert value in m.ACTIVE_SOPT2VT, name


@pytest.mark.parametrize("name,value", sorted(codes("OER").items()))
def test_every_exec_result_has_a_name(name: str, value: str) -> None:
    assert m.EXEC_RESULT_NAMES[value]


@pytest.mark.parametrize(
    "prefix,table",
    [
        ("OF", m.OFFSET_SOPT2VT),
        ("D", m.DIRECTION_SOPT2VT),
        ("PD", m.POSDIRECTION_SOPT2VT),
        ("CP", m.OPTIONTYPE_SOPT2VT),
        ("OAS", m.ACTION_STATUS_NAMES),
    ],
)
def test_prefix_tables_are_complete(prefix: str, table: dict[str, object]) -> None:
    missing = {name for name, value in codes(prefix).items() if value not in table}
    assert not missing


def test_inverses_round_trip() -> None:
    for vt, sopt in m.DIRECTION_VT2SOPT.items():
        assert m.DIRECTION_SOPT2VT[sopt] is vt
    for vt, sopt in m.OFFSET_VT2SOPT.items():
        assert m.OFFSET_SOPT2VT[sopt] is vt
    for vt_pos, sopt in m.POSDIRECTION_VT2SOPT.items():
        assert m.POSDIRECTION_SOPT2VT[sopt] is vt_pos


@pytest.mark.parametrize("exchange", [Exchange.SSE, Exchange.SZSE])
def test_order_types_per_exchange(exchange: Exchange) -> None:
    table = m.ORDERTYPE_VT2SOPT[exchange]
    assert table[OrderType.LIMIT] == ("2", "3", "1")
    assert table[OrderType.FOK] == ("2", "1", "3")
    assert table[OrderType.MARKET] == ("1", "1", "1")
    # Neither exchange has a limit FAK: refused, never turned into something else.
    assert OrderType.FAK not in table
    for order_type, code in table.items():
        assert m.ORDERTYPE_SOPT2VT[code] is order_type


def test_reported_order_types_of_other_terminals() -> None:
    assert m.ORDERTYPE_SOPT2VT[m.LIMIT_FAK].name == "FAK"
    assert m.ORDERTYPE_SOPT2VT[m.MARKET_FOK].name == "FOK"
    assert m.ORDERTYPE_SOPT2VT[m.MARKET_TO_LIMIT].name == "MARKET"


def test_products() -> None:
    assert m.PRODUCT_SOPT2VT[c.THOST_FTDC_PC_ETFOption] is Product.OPTION
    assert m.PRODUCT_SOPT2VT[c.THOST_FTDC_PC_Stock] is Product.ETF
    assert m.PRODUCT_SOPT2VT[c.THOST_FTDC_PC_Combination] is Product.SPREAD


def test_enum_names_used() -> None:
    assert {s.name for s in m.STATUS_SOPT2VT.values()} <= {s.name for s in Status}
    assert Offset.CLOSE in m.OFFSET_SOPT2VT.values()
    assert Direction.NET in m.POSDIRECTION_SOPT2VT.values()
