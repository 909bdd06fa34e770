"""Marts rebuilt whole on every run from the daily marts: small tables whose rows depend on many days (the
cumulative comparison, event windows) or on snapshots rather than sessions (fund-flow rankings)."""

import dagster as dg
import polars as pl

from assets.common import key, preview, writer
from assets.resources import WarehouseResource
from etl.market import trading_days
from etl.themes import board_codes, events, themes
from etl.transforms.analysis import board_themes, cross_market_daily, event_offsets, event_window, fund_flow_board_daily
from etl.transforms.themes import dividend_vs_ai_daily

WRITER = writer("marts")


def _benchmark(wh, code: str) -> pl.DataFrame:
    return wh.query(
        "SELECT trade_date, pct_change AS return_pct FROM marts.index_daily WHERE index_code = $code", {"code": code}
    )


@dg.asset(key_prefix="marts", name="dividend_vs_ai_daily", deps=[key("marts", "theme_daily")], **WRITER)
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
    deps=[
        key("marts", "theme_daily"),
        key("marts", "board_daily"),
        key("marts", "index_daily"),
        key("staging", "stock_bars_daily"),
        key("staging", "boards"),
    ],
    **WRITER,
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
                "FROM staging.stock_bars_daily WHERE adjust = 'qfq' AND symbol IN (SELECT UNNEST($s)) "
                "AND trade_date IN (SELECT UNNEST($dates))",
                {"s": list(subjects.stocks), **dates},
            ),
        ],
        how="vertical_relaxed",
    )
    frame = event_window(offsets, series, _benchmark(wh, config.benchmark_index))
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
    name="fund_flow_board_daily",
    deps=[key("staging", "sector_fund_flow_rank"), key("staging", "boards")],
    **WRITER,
)
def marts_fund_flow_board_daily(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Per board and snapshot day: the same-day fund-flow ranking, with the theme(s) the board serves."""
    wh = warehouse.get()
    boards = wh.query("SELECT board_code, board_name FROM staging.boards")
    codes = {
        name: board_codes(theme.boards, boards, f"etl/config/themes.yaml themes.{name}").values()
        for name, theme in themes().baskets().items()
    }
    frame = fund_flow_board_daily(wh.query("SELECT * FROM staging.sector_fund_flow_rank"), board_themes(codes))
    wh.replace_table("marts.fund_flow_board_daily", frame)
    return dg.MaterializeResult(
        metadata={
            "rows": frame.height,
            "snapshot_days": frame["snapshot_date"].n_unique(),
            "preview": preview(frame.filter(pl.col("theme").is_not_null())),
        }
    )


@dg.asset(
    key_prefix="marts",
    name="cross_market_daily",
    deps=[key("staging", "us_bars_daily"), key("marts", "theme_daily"), key("marts", "index_daily")],
    **WRITER,
)
def marts_cross_market_daily(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Each US AI-chain session beside the next A-share session's theme returns and CSI 300."""
    wh = warehouse.get()
    frame = cross_market_daily(
        wh.query("SELECT * FROM staging.us_bars_daily"),
        wh.query("SELECT * FROM marts.theme_daily"),
        _benchmark(wh, "000300"),
    )
    wh.replace_table("marts.cross_market_daily", frame)
    return dg.MaterializeResult(metadata={"rows": frame.height, "preview": preview(frame)})
