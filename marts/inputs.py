"""Reads that several marts share."""

import polars as pl

from etl.market import previous_trading_day

# The run's days plus the session before the first, whose close/total is the day-over-day reference.
WINDOW_SQL = "SELECT * FROM {table} WHERE trade_date BETWEEN $prev AND $last {extra}"


def window(days) -> dict:
    return {"prev": previous_trading_day(min(days)), "last": max(days)}


def stock_sessions(wh, days) -> list:
    """The run's sessions with stock bars in staging: the marts built on members' bars compute over these,
    not over sessions the stock history does not cover (which would read as baskets of nobody)."""
    found = wh.query(
        "SELECT DISTINCT trade_date FROM staging.stock_bars_daily WHERE trade_date IN (SELECT UNNEST($dates))",
        {"dates": list(days)},
    )
    return sorted(found["trade_date"].to_list())


def coverage(days, covered) -> dict:
    return {"sessions_covered": len(covered), "sessions_not_covered": len(days) - len(covered)}


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
