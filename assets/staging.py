"""staging: one grain per table, unique keys, canonical units, provenance carried through."""


import dagster as dg
import polars as pl

from assets.common import RANGE, writer
from assets.partitions import partition_dates
from assets.resources import WarehouseResource
from etl.transforms.bars import stage_index_bars, stage_stock_bars
from etl.transforms.universe import name_history, stage_universe

WRITER = writer("staging")
PARTITION_SQL = "SELECT * FROM {table} WHERE trade_date IN (SELECT UNNEST($dates))"


@dg.asset(key_prefix="staging", name="stock_universe", deps=[dg.AssetKey(["raw", "stock_universe"])], **WRITER)
def staging_stock_universe(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per listed A-share in the latest snapshot: exchange, listing board, ST flag, price-limit band."""
    wh = warehouse.get()
    latest = "SELECT * FROM raw.stock_universe WHERE snapshot_date = (SELECT max(snapshot_date) FROM raw.stock_universe)"
    frame = stage_universe(wh.query(latest))
    wh.replace_table("staging.stock_universe", frame)
    boards = frame.group_by("listing_board").len().sort("listing_board")
    return dg.MaterializeResult(
        metadata={"rows": frame.height, "by_board": dict(zip(boards["listing_board"], boards["len"]))}
    )


@dg.asset(key_prefix="staging", name="stock_bars_daily", deps=[dg.AssetKey(["raw", "stock_bars_daily"])], **RANGE, **WRITER)
def staging_stock_bars_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per stock, trading day and price basis (adjust = qfq | none)."""
    days = partition_dates(context)
    wh = warehouse.get()
    frame = stage_stock_bars(wh.query(PARTITION_SQL.format(table="raw.stock_bars_daily"), {"dates": days}))
    wh.replace_partitions("staging.stock_bars_daily", frame, days)
    return dg.MaterializeResult(metadata={"rows": frame.height, "partitions": len(days)})


@dg.asset(key_prefix="staging", name="index_bars_daily", deps=[dg.AssetKey(["raw", "index_bars_daily"])], **RANGE, **WRITER)
def staging_index_bars_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per tracked index and trading day, with the warehouse's 6-digit code and name."""
    days = partition_dates(context)
    wh = warehouse.get()
    frame = stage_index_bars(wh.query(PARTITION_SQL.format(table="raw.index_bars_daily"), {"dates": days}))
    wh.replace_partitions("staging.index_bars_daily", frame, days)
    return dg.MaterializeResult(metadata={"rows": frame.height, "partitions": len(days)})


@dg.asset(key_prefix="staging", name="stock_name_history", deps=[dg.AssetKey(["raw", "stock_universe"])], **WRITER)
def staging_stock_name_history(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Names and ST flags with validity dates, from every universe snapshot (the daily price-limit band of a
    stock derives from the flag in force that day)."""
    wh = warehouse.get()
    frame = name_history(wh.query("SELECT symbol, name, snapshot_date FROM raw.stock_universe"))
    wh.replace_table("staging.stock_name_history", frame)
    return dg.MaterializeResult(metadata={"rows": frame.height, "symbols": frame["symbol"].n_unique(),
                                          "renamed_symbols": frame.filter(pl.col("symbol").is_duplicated())["symbol"].n_unique()})
