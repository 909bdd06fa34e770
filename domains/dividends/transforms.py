"""Dividends: raw -> staging (the latest capture of each plan), and the trailing dividend yield per stock
and day."""

import polars as pl

from etl.gate.references import PROVENANCE, require_unique


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


def with_price_check(plans: pl.DataFrame, closes: pl.DataFrame) -> pl.DataFrame:
    """`plans` with check_cash_vs_close: cash per share ÷ the stock's last unadjusted close held (`closes`:
    symbol, close), null where none is held. A cash dividend is paid out of the share's value: at or above
    the price it is a unit error (per 10 shares read as per share) or garbage, and it would be published as
    a trailing yield above 100 %."""
    held = closes.select("symbol", pl.col("close").alias("__close"))
    return (
        plans.join(held, on="symbol", how="left")
        .with_columns(check_cash_vs_close=pl.col("cash_dividend_per_share_cny") / pl.col("__close"))
        .drop("__close")
    )


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
