"""The theme marts: membership and daily theme figures per session; the dividend-vs-AI spread, event windows
and the US -> A-share transmission, rebuilt whole (their rows depend on many days)."""

import dagster as dg
import polars as pl

from assets.chunks import each_chunk
from assets.lineage import key, reads, spec
from assets.metadata import preview
from assets.options import RANGE, layer_options
from assets.partitions import partition_dates
from assets.resources import WarehouseResource
from etl.config.themes import board_codes, events, themes
from etl.market import trading_days
from etl.warehouse import Replace
from marts.boards.transforms import members_by_day
from marts.inputs import benchmark, coverage, member_bars, return_bars, stock_sessions
from marts.themes.transforms import (
    cross_market_daily,
    dividend_vs_ai_daily,
    event_offsets,
    event_window,
    names_by_day,
    stock_main_flow,
    theme_daily,
    theme_membership,
)

THEME_INPUTS = reads(
    "staging.stock_bars_daily",
    "staging.board_membership",
    "staging.board_snapshots",
    "staging.boards",
    "staging.stock_name_history",
    "staging.stock_fund_flow_rank",
    "staging.stock_fund_flow_daily",
)


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
    wh = warehouse.get()
    run_days = partition_dates(context)
    days = stock_sessions(wh, run_days)
    if not days:
        for name in ("theme_membership_daily", "theme_daily"):
            yield dg.MaterializeResult(asset_key=key("marts", name), metadata={"rows": 0, **coverage(run_days, days)})
        return
    config = themes()
    codes = board_codes(
        tuple(dict.fromkeys(b for t in config.baskets().values() for b in t.board_names())),
        wh.query("SELECT board_code, board_name FROM staging.boards"),
        "etl/config/themes.yaml",
    )
    membership = wh.query(
        "SELECT * FROM staging.board_membership WHERE board_code IN (SELECT UNNEST($codes))",
        {"codes": list(codes.values())},
    )
    snapshots = wh.query("SELECT * FROM staging.board_snapshots")
    name_history = wh.query("SELECT symbol, name, valid_from, valid_to FROM staging.stock_name_history")
    last: dict = {}

    def build(days: list) -> dict:
        names = names_by_day(name_history, days)
        members = theme_membership(config, members_by_day(membership, snapshots, days), codes, names, days)
        flows = stock_main_flow(
            wh.read_partitions("staging.stock_fund_flow_daily", days),
            wh.read_partitions("staging.stock_fund_flow_rank", days, "session_date"),
        )
        daily = theme_daily(members, member_bars(wh, days), flows)
        where = {"where": "trade_date IN (SELECT UNNEST($dates))", "params": {"dates": days}}
        wh.write(
            Replace("marts.theme_membership_daily", members, **where), Replace("marts.theme_daily", daily, **where)
        )
        last.update(members=members, daily=daily)
        return {"member_rows": members.height, "rows": daily.height, "partitions": len(days)}

    done = each_chunk(context, "marts.theme_daily", days, build, wh)
    members, daily = last["members"], last["daily"]
    yield dg.MaterializeResult(
        asset_key=key("marts", "theme_membership_daily"),
        metadata={
            "rows": done["member_rows"],
            "partitions": done["partitions"],
            "members_last_day": dict(
                members.filter(pl.col("trade_date") == max(days)).group_by("theme").len().sort("theme").iter_rows()
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key=key("marts", "theme_daily"),
        metadata={
            "rows": done["rows"],
            "partitions": done["partitions"],
            "preview": preview(daily),
            **coverage(run_days, days),
        },
    )


@dg.asset(key_prefix="marts", name="dividend_vs_ai_daily", deps=reads("marts.theme_daily"), **layer_options("marts"))
def marts_dividend_vs_ai_daily(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The dividend and AI baskets day by day: returns, spread, compounded from `cumulative_from`
    (etl/config/themes.yaml) and their relative strength."""
    wh = warehouse.get()
    config = themes()
    frame = dividend_vs_ai_daily(wh.query("SELECT * FROM marts.theme_daily"), config.cumulative_from)
    wh.replace_table("marts.dividend_vs_ai_daily", frame)
    return dg.MaterializeResult(metadata={"rows": frame.height, "preview": preview(frame)})


@dg.asset(
    key_prefix="marts",
    name="event_window",
    deps=reads(
        "marts.theme_daily", "marts.board_daily", "marts.index_daily", "staging.stock_bars_daily", "staging.boards"
    ),
    **layer_options("marts"),
)
def marts_event_window(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every event of etl/config/events.yaml: each subject's return over the window against the benchmark
    index, abnormal return and its running sum (CAR)."""
    wh = warehouse.get()
    config = events()
    offsets = event_offsets(config, trading_days())
    dates = {"dates": offsets["trade_date"].unique().to_list()}
    subjects = config.subjects
    codes = board_codes(
        subjects.boards,
        wh.query("SELECT board_code, board_name FROM staging.boards"),
        "etl/config/events.yaml subjects.boards",
    )
    series = pl.concat(
        [
            wh.query(
                "SELECT 'theme' AS subject_type, theme AS subject, trade_date, ew_return_pct AS return_pct "
                "FROM marts.theme_daily WHERE theme IN (SELECT UNNEST($s)) AND trade_date IN (SELECT UNNEST($dates))",
                {"s": list(subjects.themes), **dates},
            ),
            wh.query(
                "SELECT 'board' AS subject_type, board_name AS subject, trade_date, ew_return_pct AS return_pct "
                "FROM marts.board_daily WHERE board_code IN (SELECT UNNEST($s)) "
                "AND trade_date IN (SELECT UNNEST($dates))",
                {"s": list(codes.values()), **dates},
            ),
            wh.query(
                "SELECT 'index' AS subject_type, index_code AS subject, trade_date, pct_change AS return_pct "
                "FROM marts.index_daily WHERE index_code IN (SELECT UNNEST($s)) "
                "AND trade_date IN (SELECT UNNEST($dates))",
                {"s": list(subjects.indices), **dates},
            ),
            wh.query(
                "SELECT 'stock' AS subject_type, symbol AS subject, trade_date, pct_change AS return_pct "
                f"FROM {return_bars()} AS bars WHERE symbol IN (SELECT UNNEST($s)) "
                "AND trade_date IN (SELECT UNNEST($dates))",
                {"s": list(subjects.stocks), **dates},
            ),
        ],
        how="vertical_relaxed",
    )
    frame = event_window(offsets, series, benchmark(wh, config.benchmark_index))
    wh.replace_table("marts.event_window", frame)
    final = frame.filter(pl.col("day_offset") == config.window.after, pl.col("subject_type") == "theme")
    return dg.MaterializeResult(
        metadata={
            "rows": frame.height,
            "events": len(config.events),
            "subjects": frame.select("subject_type", "subject").n_unique(),
            "theme_car_at_window_end": preview(final.select("event_id", "subject", "car_pct"), n=20),
        }
    )


@dg.asset(
    key_prefix="marts",
    name="cross_market_daily",
    deps=reads("staging.us_bars_daily", "marts.theme_daily", "marts.index_daily"),
    **layer_options("marts"),
)
def marts_cross_market_daily(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Each US AI-chain session beside the next A-share session's theme returns and CSI 300."""
    wh = warehouse.get()
    frame = cross_market_daily(
        wh.query("SELECT * FROM staging.us_bars_daily"),
        wh.query("SELECT * FROM marts.theme_daily"),
        benchmark(wh, "000300"),
    )
    wh.replace_table("marts.cross_market_daily", frame)
    return dg.MaterializeResult(metadata={"rows": frame.height, "preview": preview(frame)})
