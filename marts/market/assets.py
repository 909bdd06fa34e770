"""The market marts: index_daily and market_breadth_daily, per session."""

import dagster as dg

from assets.chunks import each_chunk
from assets.lineage import reads
from assets.metadata import preview
from assets.options import RANGE, layer_options
from assets.partitions import partition_dates
from assets.resources import WarehouseResource
from marts.inputs import WINDOW_SQL, return_bars, window
from marts.market.transforms import index_daily, market_breadth_daily


@dg.asset(
    key_prefix="marts",
    name="index_daily",
    deps=reads("staging.index_bars_daily"),
    **RANGE,
    **layer_options("marts"),
)
def marts_index_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per index per trading day: OHLC, previous close, percent change, turnover."""
    wh = warehouse.get()

    def build(days: list) -> dict:
        bars = wh.query(WINDOW_SQL.format(table="staging.index_bars_daily", extra=""), window(days))
        frame = index_daily(bars, days)
        wh.replace_partitions("marts.index_daily", frame, days)
        return {"rows": frame.height, "partitions": len(days), "preview": preview(frame)}

    return dg.MaterializeResult(
        metadata=each_chunk(context, "marts.index_daily", partition_dates(context), build, wh, narrow=True)
    )


@dg.asset(
    key_prefix="marts",
    name="market_breadth_daily",
    deps=reads("staging.stock_bars_daily", "staging.stock_name_history"),
    **RANGE,
    **layer_options("marts"),
)
def marts_market_breadth_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per trading day over all A-shares: breadth, limit moves, turnover and its change."""
    wh = warehouse.get()
    names = wh.query("SELECT symbol, is_st, valid_from, valid_to FROM staging.stock_name_history")

    def build(days: list) -> dict:
        bars = wh.query(WINDOW_SQL.format(table=f"{return_bars()} AS bars", extra=""), window(days))
        frame = market_breadth_daily(bars, names, days)
        wh.replace_partitions("marts.market_breadth_daily", frame, days)
        return {"rows": frame.height, "partitions": len(days), "preview": preview(frame)}

    days = partition_dates(context)
    return dg.MaterializeResult(metadata=each_chunk(context, "marts.market_breadth_daily", days, build, wh))
