"""marts: the BI contract (columns documented in docs/marts.md)."""

import dagster as dg
import polars as pl

from assets.common import RANGE, key, preview, spec, writer
from assets.partitions import partition_dates
from assets.resources import WarehouseResource
from etl.market import previous_trading_day
from etl.themes import board_codes, themes
from etl.transforms.analysis import news_theme_daily
from etl.transforms.boards_daily import board_daily, members_by_day
from etl.transforms.marts import index_daily, market_breadth_daily
from etl.transforms.themes import names_by_day, stock_main_flow, theme_daily, theme_membership
from etl.warehouse import Replace

WRITER = writer("marts")
# The run's days plus the session before the first, whose close/total is the day-over-day reference.
WINDOW_SQL = "SELECT * FROM {table} WHERE trade_date BETWEEN $prev AND $last {extra}"


def _window(days) -> dict:
    return {"prev": previous_trading_day(min(days)), "last": max(days)}


@dg.asset(
    key_prefix="marts", name="index_daily", deps=[dg.AssetKey(["staging", "index_bars_daily"])], **RANGE, **WRITER
)
def marts_index_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per index per trading day: OHLC, previous close, percent change, turnover."""
    days = partition_dates(context)
    wh = warehouse.get()
    bars = wh.query(WINDOW_SQL.format(table="staging.index_bars_daily", extra=""), _window(days))
    frame = index_daily(bars, days)
    wh.replace_partitions("marts.index_daily", frame, days)
    return dg.MaterializeResult(metadata={"rows": frame.height, "partitions": len(days), "preview": preview(frame)})


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
    return dg.MaterializeResult(metadata={"rows": frame.height, "partitions": len(days), "preview": preview(frame)})


@dg.asset(
    key_prefix="marts",
    name="board_daily",
    deps=[
        dg.AssetKey(["staging", "stock_bars_daily"]),
        dg.AssetKey(["staging", "board_membership"]),
        dg.AssetKey(["staging", "boards"]),
        dg.AssetKey(["staging", "board_bars_daily"]),
        dg.AssetKey(["staging", "board_snapshots"]),
    ],
    **RANGE,
    **WRITER,
)
def marts_board_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per board per trading day: equal- and float-cap-weighted returns rebuilt from member bars, the
    day's rank among boards of its type, and the membership snapshot used (look-ahead shown)."""
    days = partition_dates(context)
    wh = warehouse.get()
    members = members_by_day(
        wh.query("SELECT * FROM staging.board_membership"), wh.query("SELECT * FROM staging.board_snapshots"), days
    )
    published = wh.read_partitions("staging.board_bars_daily", days)
    frame = board_daily(members, _member_bars(wh, days), wh.query("SELECT * FROM staging.boards"), published)
    wh.replace_partitions("marts.board_daily", frame, days)
    return dg.MaterializeResult(
        metadata={
            "rows": frame.height,
            "partitions": len(days),
            "preview": preview(frame),
            "published_board_bars": published.height,
        }
    )


def _member_bars(wh, days) -> pl.DataFrame:
    return wh.query(
        "SELECT trade_date, symbol, pct_change, amount_cny, turnover_pct, volume_shares "
        "FROM staging.stock_bars_daily WHERE adjust = 'qfq' AND trade_date IN (SELECT UNNEST($dates))",
        {"dates": days},
    )


THEME_INPUTS = [
    key("staging", name)
    for name in (
        "stock_bars_daily",
        "board_membership",
        "board_snapshots",
        "boards",
        "stock_name_history",
        "stock_fund_flow_rank",
        "stock_fund_flow_daily",
    )
]


@dg.multi_asset(
    specs=[
        spec("marts", "theme_membership_daily").replace_attributes(deps=THEME_INPUTS),
        spec("marts", "theme_daily").replace_attributes(deps=THEME_INPUTS),
    ],
    **RANGE,
    pool="duckdb_writer",
)
def marts_themes(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Themes of etl/config/themes.yaml resolved to members on each day (boards as of the day, name rules on
    the name of the day, explicit symbols), then per theme and day: returns, breadth, turnover and its share
    of the market, and main-force net inflow where fund-flow data exists. Both tables in one transaction."""
    days = partition_dates(context)
    wh = warehouse.get()
    config = themes()
    codes = board_codes(
        tuple(dict.fromkeys(b for t in config.baskets().values() for b in t.board_names())),
        wh.query("SELECT board_code, board_name FROM staging.boards"),
        "etl/config/themes.yaml",
    )
    board_members = members_by_day(
        wh.query(
            "SELECT * FROM staging.board_membership WHERE board_code IN (SELECT UNNEST($codes))",
            {"codes": list(codes.values())},
        ),
        wh.query("SELECT * FROM staging.board_snapshots"),
        days,
    )
    names = names_by_day(wh.query("SELECT symbol, name, valid_from, valid_to FROM staging.stock_name_history"), days)
    members = theme_membership(config, board_members, codes, names, days)
    flows = stock_main_flow(
        wh.read_partitions("staging.stock_fund_flow_daily", days),
        wh.read_partitions("staging.stock_fund_flow_rank", days, "session_date"),
    )
    daily = theme_daily(members, _member_bars(wh, days), flows)
    where = {"where": "trade_date IN (SELECT UNNEST($dates))", "params": {"dates": days}}
    wh.write(Replace("marts.theme_membership_daily", members, **where), Replace("marts.theme_daily", daily, **where))
    yield dg.MaterializeResult(
        asset_key=key("marts", "theme_membership_daily"),
        metadata={
            "rows": members.height,
            "partitions": len(days),
            "members_last_day": dict(
                members.filter(pl.col("trade_date") == max(days)).group_by("theme").len().sort("theme").iter_rows()
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key=key("marts", "theme_daily"),
        metadata={"rows": daily.height, "partitions": len(days), "preview": preview(daily)},
    )


@dg.asset(
    key_prefix="marts",
    name="news_theme_daily",
    deps=[key("staging", "news_items"), key("staging", "news_item_themes"), key("staging", "news_item_stocks")],
    **RANGE,
    **WRITER,
)
def marts_news_theme_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per session and news theme: items, share of the session's items, most-named stocks, sample titles."""
    days = partition_dates(context)
    wh = warehouse.get()
    items = wh.read_partitions("staging.news_items", days)
    ids = {"ids": items["item_id"].to_list()}
    frame = news_theme_daily(
        items,
        wh.query("SELECT * FROM staging.news_item_themes WHERE item_id IN (SELECT UNNEST($ids))", ids),
        wh.query("SELECT * FROM staging.news_item_stocks WHERE item_id IN (SELECT UNNEST($ids))", ids),
    )
    wh.replace_partitions("marts.news_theme_daily", frame, days)
    return dg.MaterializeResult(metadata={"rows": frame.height, "partitions": len(days), "preview": preview(frame)})
