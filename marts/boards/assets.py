"""The board marts: board_daily (per session, rebuilt from member bars) and fund_flow_board_daily (rebuilt
whole from the rank snapshots)."""

import dagster as dg
import polars as pl

from assets.chunks import each_chunk
from assets.lineage import reads
from assets.metadata import preview
from assets.options import RANGE, layer_options
from assets.partitions import partition_dates
from assets.resources import WarehouseResource
from etl.config.themes import board_codes, themes
from marts.boards.transforms import board_daily, board_themes, fund_flow_board_daily, members_by_day
from marts.inputs import coverage, member_bars, stock_sessions


@dg.asset(
    key_prefix="marts",
    name="board_daily",
    deps=reads(
        "staging.stock_bars_daily",
        "staging.board_membership",
        "staging.boards",
        "staging.board_bars_daily",
        "staging.board_snapshots",
    ),
    **RANGE,
    **layer_options("marts"),
)
def marts_board_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per board per trading day: equal- and float-cap-weighted returns rebuilt from member bars, the
    day's rank among boards of its type, and the membership snapshot used (look-ahead shown)."""
    wh = warehouse.get()
    run_days = partition_dates(context)
    days = stock_sessions(wh, run_days)
    if not days:
        return dg.MaterializeResult(metadata={"rows": 0, **coverage(run_days, days)})
    membership = wh.query("SELECT * FROM staging.board_membership")
    snapshots = wh.query("SELECT * FROM staging.board_snapshots")
    boards = wh.query("SELECT * FROM staging.boards")

    def build(days: list) -> dict:
        members = members_by_day(membership, snapshots, days)
        published = wh.read_partitions("staging.board_bars_daily", days)
        frame = board_daily(members, member_bars(wh, days), boards, published)
        wh.replace_partitions("marts.board_daily", frame, days)
        return {
            "rows": frame.height,
            "partitions": len(days),
            "preview": preview(frame),
            "published_board_bars": published.height,
        }

    metadata = each_chunk(context, "marts.board_daily", days, build, wh)
    return dg.MaterializeResult(metadata={**metadata, **coverage(run_days, days)})


@dg.asset(
    key_prefix="marts",
    name="fund_flow_board_daily",
    deps=reads("staging.sector_fund_flow_rank", "staging.boards"),
    **layer_options("marts"),
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
