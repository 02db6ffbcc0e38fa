"""Contracts and books for the core's unit tests (unit 10,000 as SSE/SZSE ETF options)."""

from __future__ import annotations

from vnpy_ctpsopt.core.book import Account, Book
from vnpy_ctpsopt.core.terms import Contract

DAY = "20261221"
EXPIRY = "20261223"


def option(
    strike: float, call: bool, exchange: str = "SSE", underlying: str = "510050", expire: str = EXPIRY
) -> Contract:
    cp = "C" if call else "P"
    return Contract(
        instrument_id=f"{underlying}{cp}{expire[2:6]}M{round(strike * 1000):05d}",
        exchange_id=exchange,
        is_option=True,
        underlying=underlying,
        strike=strike,
        is_call=call,
        expire_date=expire,
        unit=10000,
        tick=0.0001,
        max_limit=50,
        max_market=10,
    )


def etf(code: str = "510050", exchange: str = "SSE") -> Contract:
    return Contract(code, exchange, False, code, 0.0, False, "", 1, 0.001, 0, 0)


def book(cash: float = 1_000_000.0, pre_settle: dict[str, float] | None = None) -> Book:
    prices = pre_settle or {}
    changes: list[tuple[str, str]] = []
    bk = Book(
        Account("I1", "9999", "pw", pre_balance=cash),
        on_change=lambda kind, key, record: changes.append((kind, key)),
        pre_settlement=lambda iid: prices.get(iid, 0.0),
    )
    bk.changes = changes  # type: ignore[attr-defined]
    return bk
