"""Parameters of one simulated counter."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...core.fees import FeeSchedule
from ...core.terms import AccountTerms


@dataclass(frozen=True)
class CounterConfig:
    """Parameters of one simulated counter.

    - ``capital``: cash of an account created at its first login (CNY).
    - ``fees``: per-contract fees per action (see ``core.fees.FeeSchedule`` for the defaults).
    - ``margin_markup``: broker margin = exchange margin x (1 + markup); 0.1 is a typical
      broker add-on of 10 %.
    - ``hours``: ``"24x7"`` (always continuous trading) or ``"exchange"`` (real sessions).
    - ``initial_etf_shares``: shares of every listed ETF underlying (SSE and SZSE) seeded into
      each new account, so covered calls and put exercise can be tried (default 100,000).
    - ``auth``: accepted (AppID, AuthCode) pairs; empty means authentication is not required
      (any ReqAuthenticate succeeds and login does not check it).
    - ``accept_limit_fak``: accept (LimitPrice, IOC, AV) (vn.py's FAK) as a price-bounded IOC
      on both exchanges; False rejects it with 80 as the exchanges list no limit FAK.
    - ``max_limit_volume`` / ``max_market_volume``: per-order maxima (limit 50, market 10).
    - ``self_trade_check``: reject an order that would trade against the same investor's
      resting order with 154.
    - ``max_orders_per_second``: order inserts + cancels a session may send per second of
      simulated time (0 = unlimited); beyond it 116 "CTP:下单频率限制".
    - ``position_limits``: (权利仓 long, 总持仓 total, 单日买入开仓 buy-opens today) per
      underlying, pending opening orders included; the exchange maxima 5000/10000/10000 by
      default (brokers start new accounts at 100/200/400); 0 disables a limit. Beyond: 106.
    - ``market_makers``: investors allowed to quote (ReqQuoteInsert; others get 28) and to
      use the MarketMaker hedge flag '5' (quote sides use the hedge flags given, speculation
      by default).
    - ``broker_id``: BrokerID the counter accepts ("" accepts any).
    - Password policy: the first login of a user stores its password; later logins must match
      it, else 132 "CTP:用户名或密码错误".
    """

    capital: float = 1_000_000.0
    fees: FeeSchedule = field(default_factory=FeeSchedule)
    margin_markup: float = 0.1
    hours: str = "24x7"
    initial_etf_shares: int = 100_000
    auth: frozenset[tuple[str, str]] = frozenset()
    accept_limit_fak: bool = True
    max_limit_volume: int = 50
    max_market_volume: int = 10
    self_trade_check: bool = True
    max_orders_per_second: float = 0.0
    position_limits: tuple[int, int, int] = (5000, 10000, 10000)
    market_makers: frozenset[str] = frozenset()
    broker_id: str = ""
    system_name: str = "TradingHosting"

    @property
    def terms(self) -> AccountTerms:
        """The account terms the exchange core applies (fees, markup, position limits)."""
        return AccountTerms(self.fees, self.margin_markup, self.position_limits)
