"""Reads that several marts share."""

import polars as pl

from etl.market import previous_trading_day


# One bar per stock and session for returns and volumes: the forward-adjusted bar where the session has one (the
# recording's), else the unadjusted bar, whose pct_change is measured against the exchange's reference previous
# close (ex-rights), so a dividend is not a loss (docs/prices.md). The live source stores unadjusted bars only.
def return_bars() -> str:
    """A relation to read stock bars from for returns and volumes (marts/inputs.py's note above)."""
    return (
        "(SELECT * FROM staging.stock_bars_daily WHERE adjust = 'qfq' UNION ALL BY NAME "
        "SELECT n.* FROM staging.stock_bars_daily AS n ANTI JOIN "
        "(SELECT trade_date, symbol FROM staging.stock_bars_daily WHERE adjust = 'qfq') AS q "
        "USING (trade_date, symbol) WHERE n.adjust = 'none')"
    )


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
        "SELECT trade_date, symbol, pct_change, amount_cny, turnover_pct, volume_shares, float_cap_cny "
        f"FROM {return_bars()} AS bars WHERE trade_date IN (SELECT UNNEST($dates))",
        {"dates": days},
    )


def benchmark(wh, code: str) -> pl.DataFrame:
    return wh.query(
        "SELECT trade_date, pct_change AS return_pct FROM marts.index_daily WHERE index_code = $code", {"code": code}
    )
