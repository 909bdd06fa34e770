"""Reads that several marts share."""

import polars as pl

from etl.market import previous_trading_day

# The run's days plus the session before the first, whose close/total is the day-over-day reference.
WINDOW_SQL = "SELECT * FROM {table} WHERE trade_date BETWEEN $prev AND $last {extra}"


def window(days) -> dict:
    return {"prev": previous_trading_day(min(days)), "last": max(days)}


def member_bars(wh, days) -> pl.DataFrame:
    return wh.query(
        "SELECT trade_date, symbol, pct_change, amount_cny, turnover_pct, volume_shares "
        "FROM staging.stock_bars_daily WHERE adjust = 'qfq' AND trade_date IN (SELECT UNNEST($dates))",
        {"dates": days},
    )


def benchmark(wh, code: str) -> pl.DataFrame:
    return wh.query(
        "SELECT trade_date, pct_change AS return_pct FROM marts.index_daily WHERE index_code = $code", {"code": code}
    )
