"""Where margin is computed: the exchange margin of a short option (reference/sopt-rules.md
A.4), the broker markup on it, the opening margin of an order and the daily maintenance margin.

Single-leg shorts carry ``short_margin``: long options pay their premium, covered calls are
backed by shares. A combination (A.11) carries ``combination_margin`` instead of its short
legs' margins.
"""

from __future__ import annotations

from .terms import Contract, PriceRef


def short_margin(
    is_call: bool, premium: float, underlying: float, strike: float, unit: float
) -> float:
    """Exchange margin per short contract (CNY).

    Opening margin: ``premium`` = previous settlement, ``underlying`` = underlying previous
    close. Maintenance margin: today's settlement and today's underlying close.

    call: [premium + max(12% S - OTM_call, 7% S)] x unit, OTM_call = max(K - S, 0)
    put:  min[premium + max(12% S - OTM_put, 7% K), K] x unit, OTM_put = max(S - K, 0)
    """
    if is_call:
        otm = max(strike - underlying, 0.0)
        per_share = premium + max(0.12 * underlying - otm, 0.07 * underlying)
    else:
        otm = max(underlying - strike, 0.0)
        per_share = min(premium + max(0.12 * underlying - otm, 0.07 * strike), strike)
    return per_share * unit


def broker_margin(exchange_margin: float, markup: float) -> float:
    """Broker margin: exchange margin x (1 + markup)."""
    return exchange_margin * (1.0 + markup)


def margin_parts(
    is_call: bool, premium: float, underlying: float, strike: float, unit: float
) -> tuple[float, float]:
    """(FixedMargin, MiniMargin) per contract for CThostFtdcOptionInstrTradeCostField: the
    ``premium + 12% S - OTM`` part and the ``premium + 7% S`` (call) / ``7% K`` (put) part."""
    if is_call:
        otm = max(strike - underlying, 0.0)
        fixed = premium + 0.12 * underlying - otm
        mini = premium + 0.07 * underlying
    else:
        otm = max(underlying - strike, 0.0)
        fixed = min(premium + 0.12 * underlying - otm, strike)
        mini = min(premium + 0.07 * strike, strike)
    return fixed * unit, mini * unit


def open_margin(contract: Contract, prices: PriceRef, markup: float) -> tuple[float, float]:
    """(broker, exchange) opening margin per short contract: previous settlement and the
    underlying's previous close."""
    exch = short_margin(
        contract.is_call,
        prices.pre_settlement,
        prices.underlying_pre_close,
        contract.strike,
        contract.unit,
    )
    return broker_margin(exch, markup), exch


def maintenance_margin(
    contract: Contract, settlement: float, underlying_close: float, volume: int, markup: float
) -> tuple[float, float]:
    """(broker, exchange) maintenance margin of ``volume`` short contracts at the day close:
    today's settlement price and the underlying's close."""
    exch = (
        short_margin(contract.is_call, settlement, underlying_close, contract.strike, contract.unit)
        * volume
    )
    return broker_margin(exch, markup), exch


def combination_margin(
    code: str,
    strikes: tuple[float, ...],
    unit: float,
    short_margins: tuple[float, ...] = (),
    settlements: tuple[float, ...] = (),
) -> float:
    """Margin of one combination (CNY, exchange or broker alike: pass the matching leg margins).

    ``strikes``/``short_margins``/``settlements`` per leg in the order of core.combos.STRATEGIES
    (``short_margins`` and ``settlements`` are only read for KS/KKS):

    - CNSJC, PXSJC (debit spreads), ZBD (covered): 0;
    - PNSJC, CXSJC (credit spreads): |K1 - K2| x unit;
    - KS, KKS: max(margin of either short leg) + settlement of the other leg x unit.
    """
    if code in ("CNSJC", "PXSJC", "ZBD"):
        return 0.0
    if code in ("PNSJC", "CXSJC"):
        return abs(strikes[0] - strikes[1]) * unit
    if code in ("KS", "KKS"):
        call_margin, put_margin = short_margins
        call_settle, put_settle = settlements
        if call_margin >= put_margin:
            return call_margin + put_settle * unit
        return put_margin + call_settle * unit
    raise ValueError(f"unknown combination strategy {code!r}")
