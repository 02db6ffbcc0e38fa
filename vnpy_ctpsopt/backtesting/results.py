"""Daily results and statistics of a backtest.

Daily PnL follows vn.py's formulas per instrument (holding PnL on the start position from the
previous mark to today's, trading PnL of each fill to today's mark) with today's settlement
price as the mark; exercise, assignment and expiry enter as trades (the option leg at 0, the ETF
at the strike), so the PnL columns add up to the change of cash plus marked positions. The
option columns: fees, premium received/paid, margin at the close and its intraday peak,
exercised/assigned/expired lots and the greeks of the holdings at the close.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

import numpy as np
from pandas import DataFrame
from vnpy.trader.constant import Direction
from vnpy.trader.object import TradeData

from ..options.pricing import bs_greeks, implied_vol
from .book import AccountBook, Settlement
from .contracts import BtContract


class Host(Protocol):
    """What the recorder reads from the engine."""

    account: AccountBook
    stocks: dict[str, int]
    contracts: dict[str, BtContract]
    rates: dict[str, float]
    slippages: dict[str, float]
    greeks: bool


GREEKS_RATE = 0.015
COLUMNS = (
    "trade_count", "turnover", "commission", "slippage", "trading_pnl", "holding_pnl",
    "total_pnl", "net_pnl", "premium_received", "premium_paid", "margin", "peak_margin",
    "exercised", "assigned", "expired", "delta", "gamma", "vega", "theta",
)  # fmt: skip


class DailyRecorder:
    """Accumulates one day's trades and produces a row per day. ``positions`` (net lots or
    shares) and ``marks`` (last mark price) are keyed by vt_symbol."""

    def __init__(self, engine: Host) -> None:
        self.engine = engine
        self.rows: list[dict[str, Any]] = []
        self.positions: dict[str, int] = {}
        self.marks: dict[str, float] = {}
        for code, shares in engine.stocks.items():
            for c in engine.contracts.values():
                if not c.is_option and c.symbol == code:
                    self.positions[c.vt_symbol] = int(shares)
        self._stock_codes = dict(engine.stocks)
        self._new_day()

    def _new_day(self) -> None:
        self.fills: list[tuple[str, int, float, int, int]] = []  # vt, sign, price, volume, size
        self.fees = 0.0
        self.turnover = 0.0
        self.slippage = 0.0
        self.rate_fees = 0.0
        self.count = 0
        self.received = 0.0
        self.paid = 0.0
        self.peak_margin = self.engine.account.curr_margin

    def on_trade(self, trade: TradeData, contract: BtContract, fee: float) -> None:
        sign = 1 if trade.direction == Direction.LONG else -1
        size = contract.size
        amount = trade.price * trade.volume * size
        self.fills.append((trade.vt_symbol, sign, trade.price, int(trade.volume), size))
        self.fees += fee
        self.turnover += amount
        self.rate_fees += amount * self.engine.rates.get(trade.vt_symbol, 0.0)
        self.slippage += trade.volume * size * self.engine.slippages.get(trade.vt_symbol, 0.0)
        self.count += 1
        if sign > 0:
            self.paid += amount
        else:
            self.received += amount
        account = self.engine.account
        self.peak_margin = max(self.peak_margin, account.curr_margin + account.frozen_margin)

    def on_settlement_trade(self, trade: TradeData, size: int) -> None:
        sign = 1 if trade.direction == Direction.LONG else -1
        self.fills.append((trade.vt_symbol, sign, trade.price, int(trade.volume), size))

    def close_day(self, day: date, marks: dict[str, float], events: list[Settlement]) -> None:
        engine = self.engine
        contracts = engine.contracts
        for code, shares in list(self._stock_codes.items()):  # ETF shares given at the start
            for c in contracts.values():
                if not c.is_option and c.symbol == code:
                    self.positions.setdefault(c.vt_symbol, int(shares))
                    del self._stock_codes[code]
                    break
        holding = trading = 0.0
        symbols = {vt for vt, pos in self.positions.items() if pos} | {f[0] for f in self.fills}
        for vt in symbols:
            start = self.positions.get(vt, 0)
            contract = contracts.get(vt)
            size = contract.size if contract else 1
            mark = marks.get(vt) or self.marks.get(vt, 0.0)
            pre = self.marks.get(vt, mark)
            holding += start * (mark - pre) * size
            self.positions[vt] = start
        for vt, sign, price, volume, size in self.fills:
            mark = marks.get(vt) or self.marks.get(vt, price)
            trading += sign * volume * (mark - price) * size
            self.positions[vt] = self.positions.get(vt, 0) + sign * volume
        self.marks.update({k: v for k, v in marks.items() if v})
        commission = self.fees + self.rate_fees + sum(e.fee for e in events)
        total = trading + holding
        lots = {"exercised": 0, "assigned": 0, "expired": 0}
        for e in events:
            lots[e.kind] += abs(e.volume)
        row: dict[str, Any] = {
            "date": day,
            "trade_count": self.count,
            "turnover": self.turnover,
            "commission": commission,
            "slippage": self.slippage,
            "trading_pnl": trading,
            "holding_pnl": holding,
            "total_pnl": total,
            "net_pnl": total - commission - self.slippage,
            "premium_received": self.received,
            "premium_paid": self.paid,
            "margin": engine.account.curr_margin,
            "peak_margin": max(self.peak_margin, engine.account.curr_margin),
            **lots,
            **self._greeks(day, marks),
        }
        self.rows.append(row)
        self._new_day()

    def _greeks(self, day: date, marks: dict[str, float]) -> dict[str, float]:
        """Holdings' delta (shares), gamma (shares per CNY), vega (CNY per vol point) and
        theta (CNY per calendar day) at the close: one vectorised call for all options."""
        out = {"delta": 0.0, "gamma": 0.0, "vega": 0.0, "theta": 0.0}
        if not self.engine.greeks:
            return out
        contracts = self.engine.contracts
        rows = [
            (contracts[vt], pos) for vt, pos in self.positions.items() if pos and vt in contracts
        ]
        for c, pos in rows:
            if not c.is_option:
                out["delta"] += pos
        opts = [
            (c, pos)
            for c, pos in rows
            if c.is_option
            and c.expiry
            and c.expiry > day
            and marks.get(c.vt_symbol)
            and marks.get(c.underlying_vt_symbol)
        ]
        if not opts:
            return out
        price = np.array([marks[c.vt_symbol] for c, _ in opts])
        spot = np.array([marks[c.underlying_vt_symbol] for c, _ in opts])
        strike = np.array([c.strike for c, _ in opts])
        t = np.array([(c.expiry - day).days / 365.0 for c, _ in opts if c.expiry])
        call = np.array([c.is_call for c, _ in opts])
        weight = np.array([pos * c.size for c, pos in opts], dtype=float)
        sigma = implied_vol(price, spot, strike, t, GREEKS_RATE, call)
        ok = np.isfinite(sigma)
        if not ok.any():
            return out
        g = bs_greeks(spot[ok], strike[ok], t[ok], GREEKS_RATE, sigma[ok], call[ok])
        w = weight[ok]
        out["delta"] += float(np.sum(w * g.delta))
        out["gamma"] = float(np.sum(w * g.gamma))
        out["vega"] = float(np.sum(w * g.vega) / 100.0)
        out["theta"] = float(np.sum(w * g.theta) / 365.0)
        return out

    def to_dataframe(self) -> DataFrame:
        if not self.rows:
            return DataFrame(columns=list(COLUMNS))
        return DataFrame(self.rows).set_index("date")


def calculate_statistics(
    df: DataFrame,
    capital: float,
    risk_free: float,
    annual_days: int,
    events: list[Settlement],
) -> dict[str, Any]:
    """vn.py's statistic keys (same definitions) plus the option ones."""
    stats: dict[str, Any] = {
        "start_date": "", "end_date": "", "total_days": 0, "profit_days": 0, "loss_days": 0,
        "capital": capital, "end_balance": 0.0, "max_drawdown": 0.0, "max_ddpercent": 0.0,
        "max_drawdown_duration": 0, "total_net_pnl": 0.0, "daily_net_pnl": 0.0,
        "total_commission": 0.0, "daily_commission": 0.0, "total_slippage": 0.0,
        "daily_slippage": 0.0, "total_turnover": 0.0, "daily_turnover": 0.0,
        "total_trade_count": 0, "daily_trade_count": 0.0, "total_return": 0.0,
        "annual_return": 0.0, "daily_return": 0.0, "return_std": 0.0, "sharpe_ratio": 0.0,
        "return_drawdown_ratio": 0.0,
        "total_premium_received": 0.0, "total_premium_paid": 0.0, "max_margin": 0.0,
        "max_margin_ratio": 0.0, "exercised_lots": 0, "assigned_lots": 0, "expired_lots": 0,
        "settlement_events": len(events),
    }  # fmt: skip
    if df is None or df.empty:
        return stats
    df["balance"] = df["net_pnl"].cumsum() + capital
    df["return"] = np.log(df["balance"] / df["balance"].shift(1)).fillna(0)
    df["highlevel"] = df["balance"].cummax()
    df["drawdown"] = df["balance"] - df["highlevel"]
    df["ddpercent"] = df["drawdown"] / df["highlevel"] * 100
    df["margin_ratio"] = df["peak_margin"] / df["balance"] * 100
    stats.update(
        total_premium_received=float(df["premium_received"].sum()),
        total_premium_paid=float(df["premium_paid"].sum()),
        max_margin=float(df["peak_margin"].max()),
        max_margin_ratio=float(df["margin_ratio"].max()),
        exercised_lots=int(df["exercised"].sum()),
        assigned_lots=int(df["assigned"].sum()),
        expired_lots=int(df["expired"].sum()),
    )
    if not (df["balance"] > 0).all():
        return _clean(stats)
    days = len(df)
    end_balance = float(df["balance"].iloc[-1])
    max_drawdown = float(df["drawdown"].min())
    end = df["drawdown"].idxmin()
    start = df["balance"][:end].idxmax()
    total_net = float(df["net_pnl"].sum())
    total_return = (end_balance / capital - 1) * 100
    daily_return = float(df["return"].mean() * 100)
    return_std = float(df["return"].std() * 100) if days > 1 else 0.0
    sharpe = 0.0
    if return_std:
        daily_rf = risk_free / np.sqrt(annual_days)
        sharpe = (daily_return - daily_rf) / return_std * np.sqrt(annual_days)
    stats.update(
        start_date=df.index[0],
        end_date=df.index[-1],
        total_days=days,
        profit_days=int((df["net_pnl"] > 0).sum()),
        loss_days=int((df["net_pnl"] < 0).sum()),
        end_balance=end_balance,
        max_drawdown=max_drawdown,
        max_ddpercent=float(df["ddpercent"].min()),
        max_drawdown_duration=(end - start).days if isinstance(end, date) else 0,
        total_net_pnl=total_net,
        daily_net_pnl=total_net / days,
        total_commission=float(df["commission"].sum()),
        daily_commission=float(df["commission"].sum()) / days,
        total_slippage=float(df["slippage"].sum()),
        daily_slippage=float(df["slippage"].sum()) / days,
        total_turnover=float(df["turnover"].sum()),
        daily_turnover=float(df["turnover"].sum()) / days,
        total_trade_count=int(df["trade_count"].sum()),
        daily_trade_count=float(df["trade_count"].sum()) / days,
        total_return=total_return,
        annual_return=total_return / days * annual_days,
        daily_return=daily_return,
        return_std=return_std,
        sharpe_ratio=sharpe,
        return_drawdown_ratio=-total_net / max_drawdown if max_drawdown else 0.0,
    )
    return _clean(stats)


def _clean(stats: dict[str, Any]) -> dict[str, Any]:
    for key, value in stats.items():
        if isinstance(value, float):
            stats[key] = 0.0 if not np.isfinite(value) else value
    return stats


LABELS: dict[str, str] = {
    "start_date": "首个交易日", "end_date": "最后交易日", "total_days": "总交易日",
    "profit_days": "盈利交易日", "loss_days": "亏损交易日", "capital": "起始资金",
    "end_balance": "结束资金", "total_return": "总收益率%", "annual_return": "年化收益%",
    "max_drawdown": "最大回撤", "max_ddpercent": "百分比最大回撤%",
    "max_drawdown_duration": "最长回撤天数", "total_net_pnl": "总盈亏",
    "total_commission": "总手续费", "total_slippage": "总滑点", "total_turnover": "总成交金额",
    "total_trade_count": "总成交笔数", "daily_net_pnl": "日均盈亏", "sharpe_ratio": "Sharpe Ratio",
    "return_drawdown_ratio": "收益回撤比", "total_premium_received": "收取权利金",
    "total_premium_paid": "支付权利金", "max_margin": "峰值保证金",
    "max_margin_ratio": "峰值保证金占用%", "exercised_lots": "行权张数",
    "assigned_lots": "被指派张数", "expired_lots": "到期作废张数",
}  # fmt: skip


def print_statistics(stats: dict[str, Any], output: Callable[[str], None]) -> None:
    output("-" * 30)
    for key, label in LABELS.items():
        value = stats.get(key)
        text = f"{value:,.2f}" if isinstance(value, float) else str(value)
        output(f"{label}：\t{text}")
