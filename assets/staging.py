"""staging: one grain per table, unique keys, canonical units, provenance carried through."""


import dagster as dg
import polars as pl

from assets.common import RANGE, writer
from assets.partitions import partition_dates
from assets.resources import WarehouseResource
from assets.validation import gx_check, stage_checked
from etl.calendar import previous_trading_day, sessions_spanning
from etl.catalog import INDICES
from etl.transforms.bars import partition_summary, stage_index_bars, stock_bar_candidates
from etl.transforms.universe import name_history, stage_universe

WRITER = writer("staging")


@dg.asset(key_prefix="staging", name="stock_universe", deps=[dg.AssetKey(["raw", "stock_universe"])],
          check_specs=[gx_check("staging.stock_universe")], **WRITER)
def staging_stock_universe(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per listed A-share in the latest snapshot: exchange, listing board, ST flag, price-limit band."""
    wh = warehouse.get()
    latest = "SELECT * FROM raw.stock_universe WHERE snapshot_date = (SELECT max(snapshot_date) FROM raw.stock_universe)"
    raw = wh.query(latest)
    frame = stage_universe(raw)
    boards = frame.group_by("listing_board").len().sort("listing_board")
    return stage_checked(context, wh, "staging.stock_universe", frame, key_columns=["symbol"], raw_rows=raw.height,
                         metadata={"by_board": {str(k): v for k, v in boards.iter_rows()}})


@dg.asset(key_prefix="staging", name="stock_bars_daily",
          deps=[dg.AssetKey(["raw", "stock_bars_daily"]), dg.AssetKey(["staging", "stock_name_history"])],
          check_specs=[gx_check("staging.stock_bars_daily")], **RANGE, **WRITER)
def staging_stock_bars_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per stock, trading day and price basis (adjust = qfq | none); rows breaking a rule of the
    suite are quarantined, and a partition that is empty or far off the previous session's size fails."""
    days = partition_dates(context)
    wh = warehouse.get()
    raw = wh.read_partitions("raw.stock_bars_daily", days, "partition_date")
    names = wh.query("SELECT * FROM staging.stock_name_history")
    seen = wh.query("SELECT symbol, min(trade_date) AS first_date FROM staging.stock_bars_daily "
                    "WHERE trade_date NOT IN (SELECT UNNEST($dates)) GROUP BY symbol", {"dates": days})
    seen = pl.concat([seen, raw.group_by("symbol").agg(first_date=pl.col("trade_date").min())]).group_by("symbol").min()
    start = wh.query("SELECT min(trade_date) AS d FROM staging.stock_bars_daily")["d"][0] or min(days)
    candidate = stock_bar_candidates(raw, names, seen, min(start, min(days)))
    previous = _rows_on(wh, "staging.stock_bars_daily", previous_trading_day(min(days)))
    return stage_checked(
        context, wh, "staging.stock_bars_daily", candidate, key_columns=["trade_date", "symbol", "adjust"],
        raw_rows=raw.height, days=days, partition_column="partition_date",
        partitions=partition_summary(candidate, days, previous),
        facts={"sessions": sessions_spanning(candidate["trade_date"])},
    )


@dg.asset(key_prefix="staging", name="index_bars_daily", deps=[dg.AssetKey(["raw", "index_bars_daily"])],
          check_specs=[gx_check("staging.index_bars_daily")], **RANGE, **WRITER)
def staging_index_bars_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per tracked index and trading day, with the warehouse's 6-digit code and name; every
    tracked index must have a bar every session."""
    days = partition_dates(context)
    wh = warehouse.get()
    raw = wh.read_partitions("raw.index_bars_daily", days, "partition_date")
    candidate = stage_index_bars(raw)
    partitions = partition_summary(candidate, days, None, missing_indices=len(INDICES) - pl.col("index_code").n_unique())
    partitions = partitions.with_columns(pl.col("missing_indices").fill_null(len(INDICES)))
    return stage_checked(
        context, wh, "staging.index_bars_daily", candidate, key_columns=["trade_date", "index_code"],
        raw_rows=raw.height, days=days, partition_column="partition_date", partitions=partitions,
        facts={"sessions": sessions_spanning(candidate["trade_date"])},
    )


def _rows_on(wh, table: str, day) -> int | None:
    return wh.query(f"SELECT count(*) AS n FROM {table} WHERE trade_date = $d", {"d": day})["n"][0] or None


@dg.asset(key_prefix="staging", name="stock_name_history", deps=[dg.AssetKey(["raw", "stock_universe"])],
          check_specs=[gx_check("staging.stock_name_history")], **WRITER)
def staging_stock_name_history(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Names and ST flags with validity dates, from every universe snapshot (the daily price-limit band of a
    stock derives from the flag in force that day)."""
    wh = warehouse.get()
    raw = wh.query("SELECT symbol, name, snapshot_date FROM raw.stock_universe")
    return stage_checked(context, wh, "staging.stock_name_history", raw, key_columns=["symbol", "snapshot_date"],
                         raw_rows=raw.height, store=name_history,
                         metadata={"snapshots": raw["snapshot_date"].n_unique()})
