"""Adjustment factors from unadjusted bars, and the adjusted closes they give.

On an ex-date the exchange quotes the stock against a reference previous close lowered by the dividend (and
divided by the bonus-share ratio): Eastmoney's 涨跌额 is measured against it, so `close − 涨跌额` is that
reference, and the day's snapshot carries it as 昨收. Where it differs from the stock's previous close, the
day is an ex-date and reference ÷ previous close is its adjustment factor. Forward-adjusted (qfq) prices
multiply each close by the factors of the ex-dates after it; back-adjusted (hfq) divide by those up to it.
"""

import polars as pl

from etl.market import PRICE_TICK

# Prices are on the 0.01 grid: a reference within half a tick of the previous close is no event (rounding)
EVENT_GAP = PRICE_TICK / 2

FACTOR_COLUMNS = ["ex_date", "symbol", "prev_close_cny", "reference_close_cny", "adjustment_factor", "reference_from"]


def adjustment_factors(bars: pl.DataFrame, previous: pl.DataFrame, days) -> pl.DataFrame:
    """`bars`: unadjusted bars (trade_date, symbol, close, change, prev_close_cny, source_function) of `days`;
    `previous`: each stock's last unadjusted close before the first of them (symbol, close). One row per
    ex-date among `days`."""
    ordered = bars.sort("symbol", "trade_date")
    before = previous.select("symbol", pl.col("close").alias("__before"))
    prev = pl.col("close").shift(1).over("symbol", order_by="trade_date")
    out = (
        ordered.join(before, on="symbol", how="left")
        .with_columns(prev_close_cny=prev.fill_null(pl.col("__before")))
        .with_columns(
            reference_close_cny=pl.coalesce(pl.col("prev_close_cny_snapshot"), pl.col("close") - pl.col("change")),
            reference_from=pl.when(pl.col("prev_close_cny_snapshot").is_not_null())
            .then(pl.lit("stock_zh_a_spot_em: 昨收"))
            .otherwise(pl.lit("stock_zh_a_hist: 收盘 − 涨跌额")),
        )
        .filter(
            pl.col("trade_date").is_in(list(days)),
            pl.col("prev_close_cny") > 0,
            pl.col("reference_close_cny") > 0,
            (pl.col("reference_close_cny") - pl.col("prev_close_cny")).abs() > EVENT_GAP,
        )
        .with_columns(
            ex_date=pl.col("trade_date"),
            reference_close_cny=pl.col("reference_close_cny").round(4),
            adjustment_factor=pl.col("reference_close_cny") / pl.col("prev_close_cny"),
        )
    )
    return out.select(FACTOR_COLUMNS).sort("ex_date", "symbol")


def adjusted_closes(bars: pl.DataFrame, factors: pl.DataFrame) -> pl.DataFrame:
    """`bars` (trade_date, symbol, close; unadjusted) with qfq_close (forward-adjusted to the latest close: the
    factors of the ex-dates after each day applied) and hfq_close (back-adjusted: divided by those up to it)."""
    f = factors.sort("symbol", "ex_date").with_columns(
        __cum=pl.col("adjustment_factor").cum_prod().over("symbol", order_by="ex_date")
    )
    total = f.group_by("symbol").agg(__total=pl.col("__cum").last())
    out = (
        bars.sort("trade_date")
        .join_asof(
            f.select("symbol", "ex_date", "__cum").sort("ex_date"),
            left_on="trade_date",
            right_on="ex_date",
            by="symbol",
            strategy="backward",
            check_sortedness=False,  # sorted by date, as asof needs; by symbol within it is not required
        )
        .join(total, on="symbol", how="left")
        .with_columns(pl.col("__cum").fill_null(1.0), pl.col("__total").fill_null(1.0))
    )
    return out.with_columns(
        qfq_close=pl.col("close") * pl.col("__total") / pl.col("__cum"),
        hfq_close=pl.col("close") / pl.col("__cum"),
    ).drop("__cum", "__total", "ex_date")
