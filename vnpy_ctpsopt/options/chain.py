"""An option-chain view over vn.py ContractData: by underlying, expiry, strike and type.

Pure and immutable: built from the contracts listed on one day (live: the gateway's contracts;
backtest: the day's contract list). Adjusted contracts (non-standard unit, series 'A'/'B' after
a dividend) are flagged and left out of ATM/delta selection unless asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from numpy.typing import NDArray
from vnpy.trader.constant import OptionType, Product
from vnpy.trader.object import ContractData

from .pricing import bs_greeks

STANDARD_UNIT: float = 10000.0
YEAR_DAYS: float = 365.0


def is_adjusted(contract: ContractData) -> bool:
    """True for an adjusted contract: a series letter other than 'M' or a non-standard unit."""
    index = contract.option_index or ""
    series = index.split("-", 1)[1] if "-" in index else ""
    if series[:1].isalpha() and series[:1] != "M":
        return True
    return float(contract.size) != STANDARD_UNIT


def expiry_date(contract: ContractData) -> date:
    """The contract's expiry day (vn.py keeps it as a naive datetime)."""
    expiry = contract.option_expiry
    if expiry is None:
        raise ValueError(f"{contract.vt_symbol} 不是期权合约")
    return expiry.date() if isinstance(expiry, datetime) else expiry


@dataclass(frozen=True)
class OptionChain:
    """The options of one underlying, sorted by (expiry, strike, type call first, adjusted).

    ``underlying`` is the ETF vt_symbol ("510050.SSE"); ``today`` the day days to expiry are
    counted from. Arrays are aligned with ``contracts``.
    """

    underlying: str
    contracts: tuple[ContractData, ...]
    today: date
    strike: NDArray[np.float64] = field(init=False, repr=False)
    is_call: NDArray[np.bool_] = field(init=False, repr=False)
    adjusted: NDArray[np.bool_] = field(init=False, repr=False)
    size: NDArray[np.float64] = field(init=False, repr=False)
    days: NDArray[np.int64] = field(init=False, repr=False)

    @classmethod
    def build(
        cls, underlying: str, contracts: Iterable[ContractData], today: date
    ) -> OptionChain:
        """The chain of ``underlying`` among ``contracts`` (others and expired ones dropped)."""
        code, _, exchange = underlying.partition(".")
        portfolio = f"{code}_O"
        picked = [
            c
            for c in contracts
            if c.product == Product.OPTION
            and c.option_portfolio == portfolio
            and (not exchange or c.exchange.value == exchange)
            and c.option_expiry is not None
            and expiry_date(c) >= today
        ]
        picked.sort(
            key=lambda c: (
                expiry_date(c),
                float(c.option_strike or 0.0),
                c.option_type != OptionType.CALL,
                is_adjusted(c),
                c.symbol,
            )
        )
        return cls(underlying, tuple(picked), today)

    def __post_init__(self) -> None:
        cs = self.contracts
        set_ = object.__setattr__
        set_(self, "strike", np.array([float(c.option_strike or 0.0) for c in cs], dtype=np.float64))
        set_(self, "is_call", np.array([c.option_type == OptionType.CALL for c in cs], dtype=bool))
        set_(self, "adjusted", np.array([is_adjusted(c) for c in cs], dtype=bool))
        set_(self, "size", np.array([float(c.size) for c in cs], dtype=np.float64))
        set_(
            self,
            "days",
            np.array([(expiry_date(c) - self.today).days for c in cs], dtype=np.int64),
        )

    def __len__(self) -> int:
        return len(self.contracts)

    @property
    def vt_symbols(self) -> list[str]:
        return [c.vt_symbol for c in self.contracts]

    def expiries(self) -> list[date]:
        """Expiry days, nearest first."""
        return sorted({expiry_date(c) for c in self.contracts})

    def days_to_expiry(self, expiry: date | ContractData) -> int:
        """Calendar days from ``today`` to the expiry (0 on the expiry day)."""
        day = expiry if isinstance(expiry, date) else expiry_date(expiry)
        return (day - self.today).days

    def select(
        self,
        expiry: date | None = None,
        option_type: OptionType | None = None,
        adjusted: bool | None = False,
    ) -> list[ContractData]:
        """Contracts matching every given filter (``adjusted=None``: both kinds)."""
        return [self.contracts[i] for i in self._rows(expiry, option_type, adjusted)]

    def strikes(self, expiry: date, adjusted: bool | None = False) -> list[float]:
        """Distinct strikes of one expiry, ascending."""
        return sorted({float(self.strike[i]) for i in self._rows(expiry, None, adjusted)})

    def get(
        self, expiry: date, strike: float, option_type: OptionType, adjusted: bool = False
    ) -> ContractData | None:
        """The contract at exactly this expiry, strike (within 1e-6) and type."""
        for i in self._rows(expiry, option_type, adjusted):
            if abs(float(self.strike[i]) - strike) < 1e-6:
                found: ContractData = self.contracts[int(i)]
                return found
        return None

    def atm_strike(self, spot: float, expiry: date | None = None) -> float:
        """The standard strike nearest ``spot`` (lower one on a tie) of ``expiry`` (default:
        the nearest expiry)."""
        exp = expiry if expiry is not None else self._front()
        strikes = np.array(self.strikes(exp), dtype=np.float64)
        if not len(strikes):
            raise ValueError(f"{self.underlying} 在 {exp} 没有标准合约")
        return float(strikes[int(np.argmin(np.abs(strikes - spot)))])

    def atm(self, spot: float, option_type: OptionType, expiry: date | None = None) -> ContractData:
        """The at-the-money standard contract of a type."""
        exp = expiry if expiry is not None else self._front()
        contract = self.get(exp, self.atm_strike(spot, exp), option_type)
        if contract is None:
            raise ValueError(f"{self.underlying} 在 {exp} 没有平值{option_type.value}")
        return contract

    def by_delta(
        self,
        target: float,
        spot: float,
        option_type: OptionType,
        expiry: date | None = None,
        *,
        sigma: float | Sequence[float] | NDArray[np.float64] = 0.2,
        rate: float = 0.0,
        t: float | None = None,
    ) -> ContractData:
        """The standard contract whose Black-Scholes delta is nearest ``target`` (puts: a negative
        target such as -0.25). ``sigma``: one volatility or one per contract of that expiry and
        type in strike order; ``t`` in years defaults to days to expiry (at least half a day)
        over 365."""
        exp = expiry if expiry is not None else self._front()
        rows = self._rows(exp, option_type, False)
        if not len(rows):
            raise ValueError(f"{self.underlying} 在 {exp} 没有{option_type.value}")
        tt = t if t is not None else max(self.days_to_expiry(exp), 0.5) / YEAR_DAYS
        delta = bs_greeks(
            spot, self.strike[rows], tt, rate, np.asarray(sigma, dtype=np.float64),
            option_type == OptionType.CALL,
        ).delta  # fmt: skip
        return self.contracts[int(rows[int(np.argmin(np.abs(delta - target)))])]

    def atm_first(self, spot: float) -> list[ContractData]:
        """Every contract, nearest strike to ``spot`` first (then expiry, type, adjusted)."""
        order = sorted(
            range(len(self.contracts)),
            key=lambda i: (
                round(abs(float(self.strike[i]) - spot), 9),
                int(self.days[i]),
                not bool(self.is_call[i]),
                bool(self.adjusted[i]),
                self.contracts[i].symbol,
            ),
        )
        return [self.contracts[i] for i in order]

    def _front(self) -> date:
        expiries = self.expiries()
        if not expiries:
            raise ValueError(f"{self.underlying} 没有上市的期权合约")
        return expiries[0]

    def _rows(
        self, expiry: date | None, option_type: OptionType | None, adjusted: bool | None
    ) -> NDArray[np.int64]:
        mask = np.ones(len(self.contracts), dtype=bool)
        if expiry is not None:
            mask &= self.days == (expiry - self.today).days
        if option_type is not None:
            mask &= self.is_call == (option_type == OptionType.CALL)
        if adjusted is not None:
            mask &= self.adjusted == adjusted
        return np.nonzero(mask)[0]
