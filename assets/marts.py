"""marts: the BI contract (columns documented in README.md)."""


import dagster as dg

from assets.common import RANGE, writer
from assets.partitions import partition_dates
from assets.resources import WarehouseResource
from etl.calendar import previous_trading_day
from etl.transforms.boards_daily import board_daily, members_by_day
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


@dg.asset(
    key_prefix="marts",
    name="board_daily",
    deps=[dg.AssetKey(["staging", "stock_bars_daily"]), dg.AssetKey(["staging", "board_membership"]),
          dg.AssetKey(["staging", "boards"])],
    **RANGE,
    **WRITER,
)
def marts_board_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per board per trading day: equal- and float-cap-weighted returns rebuilt from member bars, the
    day's rank among boards of its type, and the membership snapshot used (look-ahead shown)."""
    days = partition_dates(context)
    wh = warehouse.get()
    members = members_by_day(wh.query("SELECT * FROM staging.board_membership"),
                             wh.query("SELECT * FROM staging.board_snapshots"), days)
    bars = wh.query("SELECT trade_date, symbol, pct_change, amount_cny, turnover_pct, volume_shares "
                    "FROM staging.stock_bars_daily WHERE adjust = 'qfq' AND trade_date IN (SELECT UNNEST($dates))",
                    {"dates": days})
    frame = board_daily(members, bars, wh.query("SELECT * FROM staging.boards"))
    wh.replace_partitions("marts.board_daily", frame, days)
    return dg.MaterializeResult(metadata={"rows": frame.height, "partitions": len(days), "preview": _preview(frame)})
