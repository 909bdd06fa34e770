"""The prices mart: adjustment factors derived from unadjusted bars, per session."""

import dagster as dg

from assets.chunks import each_chunk
from assets.lineage import reads
from assets.metadata import preview
from assets.options import RANGE, layer_options
from assets.partitions import partition_dates
from assets.resources import WarehouseResource
from marts.prices.transforms import adjustment_factors


@dg.asset(
    key_prefix="marts",
    name="stock_adjustment_factors",
    deps=reads("staging.stock_bars_daily"),
    **RANGE,
    **layer_options("marts"),
)
def marts_stock_adjustment_factors(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """One row per stock and ex-date: the exchange's reference previous close against the stock's previous
    close, from the unadjusted bars; forward- and back-adjusted prices follow from them (docs/prices.md)."""
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
        frame = adjustment_factors(bars, previous, days)
        wh.replace_partitions("marts.stock_adjustment_factors", frame, days, "ex_date")
        return {"rows": frame.height, "partitions": len(days), "preview": preview(frame)}

    return dg.MaterializeResult(
        metadata=each_chunk(context, "marts.stock_adjustment_factors", partition_dates(context), build, wh)
    )
