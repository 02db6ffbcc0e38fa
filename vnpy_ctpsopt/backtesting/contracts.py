"""What the backtester knows about one instrument: an ETF option or its ETF underlying.

Built from vn.py ``ContractData`` (recorded contract lists) or from the simulator's listing
(``SimInstrument``); frozen, so one table can be shared by every run of an optimisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from vnpy.trader.constant import Exchange, OptionType, Product
from vnpy.trader.object import ContractData

from ..sim.instruments import SimInstrument

BACKTESTING: str = "BACKTESTING"


@dataclass(frozen=True, slots=True)
class BtContract:
    """One instrument. ``exchange`` is "SSE"/"SZSE"; ``size`` the contract unit (ETF: 1);
    ``underlying`` the ETF code (an ETF names itself); ``expiry`` None for an ETF."""

    vt_symbol: str
    symbol: str
    exchange: str
    name: str
    is_option: bool
    is_call: bool
    strike: float
    size: int
    pricetick: float
    expiry: date | None
    underlying: str
    max_limit_volume: int = 50
    max_market_volume: int = 10

    @property
    def underlying_vt_symbol(self) -> str:
        return f"{self.underlying}.{self.exchange}"

    def to_contract_data(self) -> ContractData:
        """A vn.py ContractData of this instrument (for strategies asking for the chain)."""
        contract = ContractData(
            symbol=self.symbol,
            exchange=Exchange(self.exchange),
            name=self.name,
            product=Product.OPTION if self.is_option else Product.ETF,
            size=self.size,
            pricetick=self.pricetick,
            min_volume=1,
            gateway_name=BACKTESTING,
        )
        if self.is_option and self.expiry is not None:
            contract.option_strike = self.strike
            contract.option_type = OptionType.CALL if self.is_call else OptionType.PUT
            contract.option_expiry = datetime(self.expiry.year, self.expiry.month, self.expiry.day)
            contract.option_portfolio = f"{self.underlying}_O"
            contract.option_underlying = f"{self.underlying}-{self.expiry:%Y%m}"
        return contract


def from_sim(inst: SimInstrument) -> BtContract:
    """The simulator's listing row as a BtContract."""
    return BtContract(
        vt_symbol=f"{inst.instrument_id}.{inst.exchange_id}",
        symbol=inst.instrument_id,
        exchange=inst.exchange_id,
        name=inst.name,
        is_option=inst.is_option,
        is_call=inst.is_option and inst.is_call,
        strike=inst.strike,
        size=inst.unit,
        pricetick=inst.price_tick,
        expiry=inst.expiry,
        underlying=inst.underlying_id,
        max_limit_volume=inst.max_limit_volume,
        max_market_volume=inst.max_market_volume,
    )


def from_contract_data(contract: ContractData) -> BtContract:
    """A vn.py ContractData (as the gateway or the recorder builds it) as a BtContract."""
    is_option = contract.product == Product.OPTION
    expiry = contract.option_expiry.date() if (is_option and contract.option_expiry) else None
    underlying = contract.symbol
    if is_option:
        portfolio = contract.option_portfolio or ""
        underlying = (
            portfolio.removesuffix("_O") or (contract.option_underlying or "").split("-")[0]
        )
    return BtContract(
        vt_symbol=contract.vt_symbol,
        symbol=contract.symbol,
        exchange=contract.exchange.value,
        name=contract.name,
        is_option=is_option,
        is_call=is_option and contract.option_type == OptionType.CALL,
        strike=float(contract.option_strike or 0.0),
        size=int(contract.size),
        pricetick=float(contract.pricetick),
        expiry=expiry,
        underlying=underlying,
        max_limit_volume=int(contract.max_volume or 50) if is_option else 1_000_000,
        max_market_volume=int((contract.extra or {}).get("max_market_volume") or 10)
        if is_option
        else 1_000_000,
    )
