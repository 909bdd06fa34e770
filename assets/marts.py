"""marts: the BI contract (columns documented in README.md)."""


import dagster as dg

from assets.common import RANGE, writer
from assets.partitions import partition_dates
from assets.resources import WarehouseResource
from etl.calendar import previous_trading_day
from etl.transforms.marts import index_daily, market_breadth_daily

WRITER = writer("marts")
# The run's days plus the session before the first, whose close/total is the day-over-day reference.
WINDOW_SQL = "SELECT * FROM {table} WHERE trade_date BETWEEN $prev AND $last {extra}"


def _window(days) -> dict:
    return {"prev": previous_trading_day(min(days)), "last": max(days)}


def _preview(frame, n: int = 10) -> dg.MetadataValue:
    return dg.MetadataValue.md(frame.tail(n).to_pandas().to_markdown(index=False))


@dg.asset(key_prefix="marts", name="index_daily", deps=[dg.AssetKey(["staging", "index_bars_daily"])], **RANGE, **WRITER)
def marts_index_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per index per trading day: OHLC, previous close, percent change, turnover."""
    days = partition_dates(context)
    wh = warehouse.get()
    bars = wh.query(WINDOW_SQL.format(table="staging.index_bars_daily", extra=""), _window(days))
    frame = index_daily(bars, days)
    wh.replace_partitions("marts.index_daily", frame, days)
    return dg.MaterializeResult(metadata={"rows": frame.height, "partitions": len(days), "preview": _preview(frame)})


@dg.asset(
    key_prefix="marts",
    name="market_breadth_daily",
    deps=[dg.AssetKey(["staging", "stock_bars_daily"]), dg.AssetKey(["staging", "stock_name_history"])],
    **RANGE,
    **WRITER,
)
def marts_market_breadth_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per trading day over all A-shares: breadth, limit moves, turnover and its change."""
    days = partition_dates(context)
    wh = warehouse.get()
    bars = wh.query(WINDOW_SQL.format(table="staging.stock_bars_daily", extra="AND adjust = 'qfq'"), _window(days))
    names = wh.query("SELECT symbol, is_st, valid_from, valid_to FROM staging.stock_name_history")
    frame = market_breadth_daily(bars, names, days)
    wh.replace_partitions("marts.market_breadth_daily", frame, days)
    return dg.MaterializeResult(metadata={"rows": frame.height, "partitions": len(days), "preview": _preview(frame)})
