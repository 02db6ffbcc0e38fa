"""Charts of a backtest as plotly HTML files (balance, drawdown, daily PnL, margin, greeks)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import plotly.graph_objects as go
from pandas import DataFrame
from plotly.subplots import make_subplots


def write_charts(df: DataFrame, capital: float, path: str | None = None) -> list[str]:
    """Write ``backtest.html`` (balance, drawdown, daily PnL, PnL histogram) and
    ``backtest_options.html`` (margin and greeks over time) into folder ``path`` (a temporary
    folder when None); returns the two file paths."""
    folder = Path(path) if path else Path(tempfile.mkdtemp(prefix="ctpsopt_backtest_"))
    folder.mkdir(parents=True, exist_ok=True)
    if df.empty:
        return []
    if "balance" not in df:
        df = df.copy()
        df["balance"] = df["net_pnl"].cumsum() + capital
        df["drawdown"] = df["balance"] - df["balance"].cummax()
    fig = make_subplots(
        rows=4, cols=1, vertical_spacing=0.06,
        subplot_titles=["资金 Balance", "回撤 Drawdown", "每日盈亏 Daily PnL", "盈亏分布 PnL"],
    )  # fmt: skip
    fig.add_trace(go.Scatter(x=df.index, y=df["balance"], mode="lines", name="Balance"), 1, 1)
    fig.add_trace(
        go.Scatter(x=df.index, y=df["drawdown"], fill="tozeroy", fillcolor="red", mode="lines",
                   name="Drawdown"), 2, 1)  # fmt: skip
    fig.add_trace(go.Bar(x=df.index, y=df["net_pnl"], name="Daily PnL"), 3, 1)
    fig.add_trace(go.Histogram(x=df["net_pnl"], nbinsx=100, name="Days"), 4, 1)
    fig.update_layout(height=1000, width=1000)
    main = folder / "backtest.html"
    fig.write_html(main, include_plotlyjs="cdn")

    fig = make_subplots(
        rows=3, cols=1, vertical_spacing=0.08,
        subplot_titles=["保证金 Margin", "Delta / Gamma", "Vega / Theta"],
    )  # fmt: skip
    fig.add_trace(go.Scatter(x=df.index, y=df["peak_margin"], name="峰值保证金"), 1, 1)
    fig.add_trace(go.Scatter(x=df.index, y=df["margin"], name="收盘保证金"), 1, 1)
    fig.add_trace(go.Scatter(x=df.index, y=df["delta"], name="Delta (份)"), 2, 1)
    fig.add_trace(go.Scatter(x=df.index, y=df["gamma"], name="Gamma"), 2, 1)
    fig.add_trace(go.Scatter(x=df.index, y=df["vega"], name="Vega (元/波动率点)"), 3, 1)
    fig.add_trace(go.Scatter(x=df.index, y=df["theta"], name="Theta (元/天)"), 3, 1)
    fig.update_layout(height=900, width=1000)
    options = folder / "backtest_options.html"
    fig.write_html(options, include_plotlyjs="cdn")
    return [str(main), str(options)]
