"""Combination strategies (组合策略, reference/sopt-rules.md A.11 and B.7) as data, and the
rules a combine/split request must pass that need only the legs' terms.

``STRATEGIES`` is keyed by the exchange strategy code; each row says the CTP CombinationType,
the legs (call or put, long or short) in the order of the combination instrument
``"<code> <leg1>&<leg2>"`` and how the legs' strikes must compare. The combination margin is
``core.margin.combination_margin``. Position bookkeeping (which lots are combined, their
ComTradeID) belongs to the counter/backtester that holds the positions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..api import constant as C
from ..sim import errors as E
from .terms import LONG, SELL, SHORT, Contract, Refused


@dataclass(frozen=True)
class Leg:
    """One leg of a strategy: a call or a put, held long or short."""

    is_call: bool
    side: str  # terms.LONG / terms.SHORT


@dataclass(frozen=True)
class Strategy:
    """One combination strategy. ``strikes`` compares leg 1's strike with leg 2's: "<", ">",
    "=" or "" (one leg). ``spread``: a vertical spread (refused from E-1, split at its close)."""

    code: str
    combination_type: str
    legs: tuple[Leg, ...]
    strikes: str
    spread: bool


def _s(code: str, ctype: str, legs: tuple[Leg, ...], strikes: str, spread: bool) -> Strategy:
    return Strategy(code, ctype, legs, strikes, spread)


CALL_LONG, CALL_SHORT = Leg(True, LONG), Leg(True, SHORT)
PUT_LONG, PUT_SHORT = Leg(False, LONG), Leg(False, SHORT)
# strategy code -> Strategy (A.11 table; legs in the order of the combination instrument)
STRATEGIES: Mapping[str, Strategy] = {
    s.code: s
    for s in (
        _s("CNSJC", C.THOST_FTDC_COMBT_BUL, (CALL_LONG, CALL_SHORT), "<", True),
        _s("PXSJC", C.THOST_FTDC_COMBT_BER, (PUT_LONG, PUT_SHORT), ">", True),
        _s("PNSJC", C.THOST_FTDC_COMBT_BUL, (PUT_LONG, PUT_SHORT), "<", True),
        _s("CXSJC", C.THOST_FTDC_COMBT_BER, (CALL_LONG, CALL_SHORT), ">", True),
        _s("KS", C.THOST_FTDC_COMBT_STD, (CALL_SHORT, PUT_SHORT), "=", False),
        _s("KKS", C.THOST_FTDC_COMBT_STG, (CALL_SHORT, PUT_SHORT), ">", False),
        _s("ZBD", C.THOST_FTDC_COMBT_PRT, (CALL_SHORT,), "", False),
    )
}
STRADDLES = frozenset({"KS", "KKS"})


def parse_combination(instrument_id: str) -> tuple[Strategy, list[str]]:
    """``"<code> <leg1>&<leg2>"`` (or ``"ZBD <leg>"``) -> (strategy, leg instrument ids);
    82 "CTP:无效的组合合约" for an unknown code or the wrong number of legs."""
    code, _, rest = instrument_id.strip().partition(" ")
    strategy = STRATEGIES.get(code)
    legs = [leg.strip() for leg in rest.split("&")] if rest.strip() else []
    if strategy is None or len(legs) != len(strategy.legs) or not all(legs):
        raise Refused(E.BAD_OPTION_INSTR)
    return strategy, legs


def combination_id(code: str, legs: Sequence[str]) -> str:
    """The combination instrument id: ``"<code> <leg1>&<leg2>"``."""
    return f"{code} {'&'.join(legs)}"


def check_combine(
    strategy: Strategy,
    legs: Sequence[Contract],
    direction: str,
    trading_day: str,
    day_before_expiry: str,
) -> None:
    """The leg rules of a combine request (raises ``Refused``):

    82 legs not options of one underlying, expiry and unit, or not the strategy's call/put
    types and strike order; 121 a straddle/strangle not sent as Sell; 119 a spread on or after
    the trading day before expiry (``day_before_expiry``, 'YYYYMMDD').
    """
    if len(legs) != len(strategy.legs) or not all(c.is_option for c in legs):
        raise Refused(E.BAD_OPTION_INSTR)
    first = legs[0]
    for leg, spec in zip(legs, strategy.legs, strict=True):
        if leg.is_call != spec.is_call:
            raise Refused(E.BAD_OPTION_INSTR)
        if (leg.underlying, leg.expire_date, leg.unit) != (
            first.underlying,
            first.expire_date,
            first.unit,
        ):
            raise Refused(E.BAD_OPTION_INSTR)
    if len(legs) == 2:
        k1, k2 = legs[0].strike, legs[1].strike
        ok = {"<": k1 < k2, ">": k1 > k2, "=": abs(k1 - k2) < 1e-9}[strategy.strikes]
        if not ok:
            raise Refused(E.BAD_OPTION_INSTR)
    if strategy.code in STRADDLES and direction != SELL:
        raise Refused(E.STD_ONLY_SELL)
    if strategy.spread and trading_day >= day_before_expiry:
        raise Refused(E.OUT_OF_COMB_TIME)


def check_split(strategy: Strategy) -> None:
    """118 "CTP:转备兑只能填组合": a ZBD (margin short -> covered) cannot be split."""
    if strategy.code == "ZBD":
        raise Refused(E.COVER_ONLY_COMB)


def split_at_close(strategy: Strategy, trading_day: str, day_before_expiry: str) -> bool:
    """Whether the day close of ``trading_day`` splits this combination automatically: spreads
    at the close of the trading day before expiry (E-1) or later."""
    return strategy.spread and trading_day >= day_before_expiry
