"""The plain data the exchange core works with: a contract's static terms, an account's terms
(fees, broker margin markup, position limits), the reference prices of a contract for one
order, the CTP side codes, and the refusal every core check raises."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..api import constant as C
from .fees import FeeSchedule

SSE = "SSE"
SZSE = "SZSE"
EXCHANGES = (SSE, SZSE)
EPS = 1e-6
"""Money tolerance (CNY): far below a fen."""
PRICE_EPS = 1e-9
BUY = C.THOST_FTDC_D_Buy
SELL = C.THOST_FTDC_D_Sell
LONG = C.THOST_FTDC_PD_Long
SHORT = C.THOST_FTDC_PD_Short
OPEN = C.THOST_FTDC_OF_Open
CLOSE = C.THOST_FTDC_OF_Close
SPEC = C.THOST_FTDC_HF_Speculation
COVERED = C.THOST_FTDC_HF_Covered


class Refused(Exception):
    """An order, exercise or lock the rules refuse, with its SOPT error id (the Chinese
    message is ``sim.errors.MESSAGES[error_id]``)."""

    def __init__(self, error_id: int) -> None:
        super().__init__(error_id)
        self.error_id = error_id


@dataclass(frozen=True)
class Contract:
    """What the core needs to know about one instrument (an option or its ETF).

    ``underlying`` is the ETF code (the instrument itself for an ETF); ``strike`` the adjusted
    strike; ``expire_date`` 'YYYYMMDD' ('' for an ETF); ``unit`` the contract multiplier;
    ``tick`` the price tick; ``max_limit``/``max_market`` the per-order volume maxima.
    """

    instrument_id: str
    exchange_id: str
    is_option: bool
    underlying: str
    strike: float
    is_call: bool
    expire_date: str
    unit: int
    tick: float
    max_limit: int
    max_market: int


@dataclass(frozen=True)
class AccountTerms:
    """The broker's terms of one account.

    - ``fees``: per-contract fees per action (``fees.FeeSchedule``);
    - ``margin_markup``: broker margin = exchange margin x (1 + markup);
    - ``position_limits``: (long, total, buy-opens today) per underlying, 0 disables one.
    """

    fees: FeeSchedule = field(default_factory=FeeSchedule)
    margin_markup: float = 0.1
    position_limits: tuple[int, int, int] = (5000, 10000, 10000)


@dataclass(frozen=True)
class PriceRef:
    """Reference prices of one option for an order: the day's price limits, the previous
    settlement (the opening margin's premium) and the underlying's previous close."""

    lower: float
    upper: float
    pre_settlement: float
    underlying_pre_close: float
