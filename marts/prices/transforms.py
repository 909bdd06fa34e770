"""Adjustment factors from unadjusted bars, and the adjusted closes they give.

On an ex-date the exchange quotes the stock against a reference previous close lowered by the dividend (and
divided by the bonus-share ratio): Eastmoney's 涨跌额 is measured against it, so `close − 涨跌额` is that
reference, and the day's snapshot carries it as 昨收. Where it differs from the stock's previous close, the
day is an ex-date and reference ÷ previous close is its adjustment factor. Forward-adjusted (qfq) prices
multiply each close by the factors of the ex-dates after it; back-adjusted (hfq) divide by those up to it.
"""

import polars as pl

from domains.stocks.transforms import plan_references
from etl.market import PRICE_TICK

# Prices are on the 0.01 grid: a reference within half a tick of the previous close is no event (rounding)
EVENT_GAP = PRICE_TICK / 2

FACTOR_COLUMNS = ["ex_date", "symbol", "prev_close_cny", "reference_close_cny", "adjustment_factor", "reference_from"]


def adjustment_factors(bars: pl.DataFrame, previous: pl.DataFrame, days, dividends: pl.DataFrame | None = None):
    """`bars`: unadjusted bars (trade_date, symbol, close, change, prev_close_cny_snapshot) of `days`;
    `previous`: each stock's last unadjusted close before the first of them (symbol, close); `dividends`:
    declared plans (symbol, ex_date, cash_dividend_per_share_cny, bonus_per10, transfer_per10). One row per
    ex-date among `days`.

    The bar's own reference comes first: it is the exchange's. Not every source measures an ex-date's change
    against it (part of the recording measures against the actual previous close, docs/prices.md), so a
    declared plan whose ex-date the bar does not show gives the reference the exchange computes from it:
    (previous close − cash per share) ÷ (1 + bonus and transferred shares per share)."""
    ordered = bars.sort("symbol", "trade_date")
    before = previous.select("symbol", pl.col("close").alias("__before"))
    prev = pl.col("close").shift(1).over("symbol", order_by="trade_date")
    with_prev = (
        ordered.join(before, on="symbol", how="left")
        .with_columns(prev_close_cny=prev.fill_null(pl.col("__before")))
        .filter(pl.col("trade_date").is_in(list(days)), pl.col("prev_close_cny") > 0)
    )
    from_bars = with_prev.with_columns(
        reference_close_cny=pl.coalesce(pl.col("prev_close_cny_snapshot"), pl.col("close") - pl.col("change")),
        reference_from=pl.when(pl.col("prev_close_cny_snapshot").is_not_null())
        .then(pl.lit("stock_zh_a_spot_em: 昨收"))
        .otherwise(pl.lit("stock_zh_a_hist: 收盘 − 涨跌额")),
    ).filter(
        pl.col("reference_close_cny") > 0,
        (pl.col("reference_close_cny") - pl.col("prev_close_cny")).abs() > EVENT_GAP,
    )
    events = [from_bars]
    if dividends is not None and dividends.height:
        plans = plan_references(dividends.filter(pl.col("ex_date").is_in(list(days)))).rename(
            {"__plan_cash": "cash", "__plan_shares": "shares"}
        )  # two plans of one stock on one ex-date add up: one event
        declared = (
            with_prev.join(plans, on=["trade_date", "symbol"], how="inner")
            .join(from_bars.select("trade_date", "symbol"), on=["trade_date", "symbol"], how="anti")
            .filter((pl.col("cash") > 0) | (pl.col("shares") > 0))
            .with_columns(
                reference_close_cny=(pl.col("prev_close_cny") - pl.col("cash")) / (1 + pl.col("shares")),
                reference_from=pl.lit("stock_fhps_em: 现金分红, 送转"),
            )
            .filter(pl.col("reference_close_cny") > 0)
        )
        events.append(declared.select(from_bars.columns))
    out = pl.concat(events, how="vertical_relaxed").with_columns(
        ex_date=pl.col("trade_date"),
        reference_close_cny=pl.col("reference_close_cny").round(4),
        adjustment_factor=pl.col("reference_close_cny") / pl.col("prev_close_cny"),
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


HIGH_DIVIDEND_PCT = 90.0  # a stock in the top decile of the day's trailing yields is "high-dividend" by data

VALUATION_COLUMNS = [
    "trade_date",
    "symbol",
    "close",
    "market_cap_cny",
    "float_cap_cny",
    "pe_dynamic",
    "pb",
    "ttm_dividend_cny",
    "ttm_dividend_yield_ratio",
    "dividend_yield_rank_pct",
    "high_dividend",
]


def stock_valuation(bars: pl.DataFrame, dividends: pl.DataFrame) -> pl.DataFrame:
    """`bars`: unadjusted bars (trade_date, symbol, close, market_cap_cny, float_cap_cny, pe_dynamic, pb) of the
    sessions; `dividends`: staging.dividends. One row per stock and session: caps and ratios as the day's
    snapshot gave them, the trailing 12-month cash dividend over the close, and its rank that day among the
    stocks that paid one (100 = the highest yield)."""
    from domains.dividends.transforms import trailing_dividend_yield

    ttm = trailing_dividend_yield(dividends, bars.select("trade_date", "symbol", "close")).drop("close")
    out = bars.join(ttm, on=["trade_date", "symbol"], how="left").with_columns(
        pl.col("ttm_dividend_cny").fill_null(0.0),
        pl.col("ttm_dividend_yield_ratio").fill_null(0.0),
    )
    paid = pl.col("ttm_dividend_yield_ratio") > 0
    yield_if_paid = pl.when(paid).then(pl.col("ttm_dividend_yield_ratio"))  # nulls are not ranked
    out = out.with_columns(
        dividend_yield_rank_pct=(
            100 * yield_if_paid.rank("average").over("trade_date") / paid.sum().over("trade_date")
        ).round(2)
    )
    return (
        out.with_columns(high_dividend=(pl.col("dividend_yield_rank_pct") >= HIGH_DIVIDEND_PCT).fill_null(False))
        .select(VALUATION_COLUMNS)
        .sort("trade_date", "symbol")
    )
