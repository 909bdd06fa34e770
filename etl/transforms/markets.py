"""CSI official index history, US bars linked to the next A-share session, dividends."""

from __future__ import annotations

import polars as pl

from etl.market import next_trading_day
from etl.transforms.bars import PROVENANCE, require_unique


def stage_csi(raw: pl.DataFrame) -> pl.DataFrame:
    return raw.select(
        "trade_date",
        "index_code",
        "index_name",
        "open",
        "high",
        "low",
        "close",
        "change",
        "pct_change",
        "volume_shares",
        "amount_cny",
        "constituents",
        "pe_ttm",
        *PROVENANCE,
        "partition_date",
    )


def stage_us(raw: pl.DataFrame) -> pl.DataFrame:
    """A US session closes at 16:00 New York, 04:00/05:00 the next morning in Shanghai: its news reaches
    the first SSE session after the US date (2025-01-27's crash reached A-shares on 2025-02-05)."""
    days = raw.select("us_trade_date").unique()
    days = days.with_columns(
        next_cn_trade_date=pl.Series([next_trading_day(d) for d in days["us_trade_date"]], dtype=pl.Date)
    )
    out = raw.join(days, on="us_trade_date", how="left").select(
        "us_trade_date",
        "symbol",
        pl.col("symbol").str.split(".").list.last().alias("ticker"),
        "next_cn_trade_date",
        "open",
        "high",
        "low",
        "close",
        "volume_shares",
        "amount_usd",
        "pct_change",
        "change",
        *PROVENANCE,
    )
    return out.sort("us_trade_date", "symbol")


def stage_dividends(raw: pl.DataFrame) -> pl.DataFrame:
    out = (
        raw.sort("fetched_at")
        .unique(["symbol", "report_period"], keep="last")
        .select(
            "symbol",
            "report_period",
            "name",
            "cash_dividend_per_share_cny",
            "dividend_yield_ratio",
            "bonus_per10",
            "transfer_per10",
            "plan_date",
            "record_date",
            "ex_date",
            "plan_status",
            *PROVENANCE,
        )
    )
    return require_unique(out.sort("symbol", "report_period"), ["symbol", "report_period"], "staging.dividends")


def trailing_dividend_yield(dividends: pl.DataFrame, closes: pl.DataFrame) -> pl.DataFrame:
    """Trailing 12-month cash dividend per share (ex-dates in the 365 days up to the day) / unadjusted close,
    as a fraction. `closes`: trade_date, symbol, close (adjust = 'none')."""
    paid = dividends.filter(pl.col("ex_date").is_not_null() & pl.col("cash_dividend_per_share_cny").is_not_null())
    joined = closes.join(paid.select("symbol", "ex_date", "cash_dividend_per_share_cny"), on="symbol", how="left")
    window = (pl.col("ex_date") <= pl.col("trade_date")) & (
        pl.col("ex_date") > pl.col("trade_date") - pl.duration(days=365)
    )
    return (
        joined.group_by("trade_date", "symbol", "close")
        .agg(ttm_dividend_cny=pl.col("cash_dividend_per_share_cny").filter(window).sum())
        .with_columns(ttm_dividend_yield_ratio=pl.col("ttm_dividend_cny") / pl.col("close"))
        .sort("trade_date", "symbol")
    )
