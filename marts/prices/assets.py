"""The prices marts, per session: adjustment factors derived from unadjusted bars; caps, valuations and
trailing dividend yields per stock."""

import dagster as dg
import polars as pl

from assets.chunks import each_chunk
from assets.lineage import reads
from assets.metadata import preview
from assets.options import RANGE, layer_options
from assets.partitions import partition_dates
from assets.resources import WarehouseResource
from marts.prices.transforms import adjustment_factors, stock_valuation


@dg.asset(
    key_prefix="marts",
    name="stock_adjustment_factors",
    deps=reads("staging.stock_bars_daily", "staging.dividends"),
    **RANGE,
    **layer_options("marts"),
)
def marts_stock_adjustment_factors(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """One row per stock and ex-date: the exchange's reference previous close against the stock's previous
    close, from the unadjusted bars, or from a declared dividend plan whose ex-date the bar does not show;
    forward- and back-adjusted prices follow from them (docs/prices.md)."""
    wh = warehouse.get()

    def build(days: list) -> dict:
        bars = wh.query(
            "SELECT trade_date, symbol, close, change, prev_close_cny AS prev_close_cny_snapshot, source_function "
            "FROM staging.stock_bars_daily WHERE adjust = 'none' AND trade_date IN (SELECT UNNEST($d))",
            {"d": days},
        )
        previous = wh.query(
            "SELECT symbol, arg_max(close, trade_date) AS close FROM staging.stock_bars_daily "
            "WHERE adjust = 'none' AND trade_date < $first AND symbol IN (SELECT UNNEST($s)) GROUP BY symbol",
            {"first": min(days), "s": bars["symbol"].unique().to_list()},
        )
        plans = wh.query(
            "SELECT symbol, ex_date, cash_dividend_per_share_cny, bonus_per10, transfer_per10 FROM staging.dividends "
            "WHERE ex_date IN (SELECT UNNEST($d))",
            {"d": days},
        )
        frame = adjustment_factors(bars, previous, days, plans)
        wh.replace_partitions("marts.stock_adjustment_factors", frame, days, "ex_date")
        return {"rows": frame.height, "partitions": len(days), "preview": preview(frame)}

    return dg.MaterializeResult(
        metadata=each_chunk(context, "marts.stock_adjustment_factors", partition_dates(context), build, wh)
    )


@dg.asset(
    key_prefix="marts",
    name="stock_valuation_daily",
    deps=reads("staging.stock_bars_daily", "staging.dividends"),
    **RANGE,
    **layer_options("marts"),
)
def marts_stock_valuation_daily(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """One row per stock with an unadjusted bar per session: market caps, PE and PB from the day's snapshot,
    the trailing 12-month dividend yield from the declared plans, and its rank that day: the high-dividend
    stocks by data (top decile), beside the themes' lists."""
    wh = warehouse.get()
    dividends = wh.query("SELECT * FROM staging.dividends")

    def build(days: list) -> dict:
        bars = wh.query(
            "SELECT trade_date, symbol, close, market_cap_cny, float_cap_cny, pe_dynamic, pb "
            "FROM staging.stock_bars_daily WHERE adjust = 'none' AND trade_date IN (SELECT UNNEST($d))",
            {"d": days},
        )
        frame = stock_valuation(bars, dividends)
        wh.replace_partitions("marts.stock_valuation_daily", frame, days)
        return {
            "rows": frame.height,
            "partitions": len(days),
            "with_snapshot_values": frame.filter(pl.col("pe_dynamic").is_not_null()).height,
            "high_dividend": frame.filter("high_dividend").height,
            "preview": preview(frame),
        }

    return dg.MaterializeResult(
        metadata=each_chunk(context, "marts.stock_valuation_daily", partition_dates(context), build, wh)
    )
