"""US bars: raw -> staging, each US session linked to the next A-share session."""

import polars as pl

from etl.gate.references import PROVENANCE
from etl.market import next_trading_day


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
