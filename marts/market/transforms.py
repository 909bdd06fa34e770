"""marts.index_daily and marts.market_breadth_daily (polars, from staging frames)."""

import datetime as dt
from collections.abc import Sequence

import polars as pl

from domains.stocks.transforms import price_limit_band
from etl.market import PRICE_TICK


def index_daily(bars: pl.DataFrame, days: Sequence[dt.date]) -> pl.DataFrame:
    """`bars` holds staging index bars for `days` plus the session before the first (for prev_close)."""
    return (
        bars.sort("index_code", "trade_date")
        .with_columns(prev_close=pl.col("close").shift(1).over("index_code"))
        .filter(pl.col("trade_date").is_in(list(days)))
        .with_columns(pct_change=((pl.col("close") / pl.col("prev_close") - 1) * 100).round(4))
        .select(
            "trade_date",
            "index_code",
            "index_name",
            "open",
            "high",
            "low",
            "close",
            "prev_close",
            "pct_change",
            "amount_cny",
        )
        .sort("trade_date", "index_code")
    )


def _round_half_up(expr: pl.Expr, decimals: int = 2) -> pl.Expr:
    scale = 10**decimals
    return (expr * scale + 0.5 + 1e-9).floor() / scale


def limit_flags(bars: pl.DataFrame) -> pl.DataFrame:
    """Flag closes at the up/down price limit. `bars` carry price_limit_pct (the band in force that day).
    The limit price is the previous close times (1 ± band), rounded to the tick as the exchanges do;
    prev_close = close − change (both on the same price basis)."""
    prev_close = (
        pl.when(pl.col("change").is_not_null())
        .then(pl.col("close") - pl.col("change"))
        .otherwise(pl.col("close") / (1 + pl.col("pct_change") / 100))
    )
    band = pl.col("price_limit_pct") / 100
    return (
        bars.with_columns(prev_close=prev_close)
        .with_columns(
            limit_up=pl.col("close") >= _round_half_up(pl.col("prev_close") * (1 + band)) - PRICE_TICK / 2,
            limit_down=pl.col("close") <= _round_half_up(pl.col("prev_close") * (1 - band)) + PRICE_TICK / 2,
        )
        .with_columns(
            pl.col("limit_up").fill_null(False) & (pl.col("pct_change") > 0),
            pl.col("limit_down").fill_null(False) & (pl.col("pct_change") < 0),
        )
    )


def market_breadth_daily(bars: pl.DataFrame, names: pl.DataFrame, days: Sequence[dt.date]) -> pl.DataFrame:
    """`bars`: staging stock bars (one price basis) for `days` plus the session before the first (its
    total is the reference for total_amount_change_cny); `names`: staging.stock_name_history, whose ST
    flag in force each day sets the price-limit band. A stock is traded on a day it has volume > 0."""
    traded = price_limit_band(bars.filter(pl.col("volume_shares") > 0), names)
    daily = (
        limit_flags(traded)
        .sort("trade_date", "symbol")  # a fixed summation order: re-runs give identical totals
        .group_by("trade_date", maintain_order=True)
        .agg(
            stocks_traded=pl.len().cast(pl.Int32),
            advancers=(pl.col("pct_change") > 0).sum().cast(pl.Int32),
            decliners=(pl.col("pct_change") < 0).sum().cast(pl.Int32),
            unchanged=(pl.col("pct_change") == 0).sum().cast(pl.Int32),
            limit_up=pl.col("limit_up").sum().cast(pl.Int32),
            limit_down=pl.col("limit_down").sum().cast(pl.Int32),
            total_amount_cny=pl.when(pl.col("amount_cny").is_not_null().any()).then(pl.col("amount_cny").sum()),
            amount_coverage=pl.col("amount_cny").is_not_null().mean(),
            median_pct_change=pl.col("pct_change").median(),
        )
        .sort("trade_date")
        .with_columns(total_amount_change_cny=pl.col("total_amount_cny") - pl.col("total_amount_cny").shift(1))
    )
    return daily.filter(pl.col("trade_date").is_in(list(days))).select(
        "trade_date",
        "stocks_traded",
        "advancers",
        "decliners",
        "unchanged",
        "limit_up",
        "limit_down",
        "total_amount_cny",
        "total_amount_change_cny",
        "amount_coverage",
        "median_pct_change",
    )
