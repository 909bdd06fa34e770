"""Fund flows: rank snapshots (stocks, sectors) and per-stock / market histories."""

import datetime as dt

import dagster as dg

from assets.gate import gated, gx_check, latest_capture_asset, stage_checked
from assets.lineage import key, reads, spec
from assets.options import INGEST_RETRY, fails_fast, layer_options
from assets.raw import SnapshotConfig, land_captures
from assets.resources import MarketSourceResource, WarehouseResource
from domains.flows import suites
from domains.flows.transforms import main_flow_gap, stage_sector_ranks, stage_stock_ranks
from etl.config.tracking import tracking
from etl.gate.engine import Candidate
from etl.gate.proposals import relation
from etl.gate.rules import Suite
from etl.market import sessions_spanning, shanghai_today
from etl.sources import Request

RANKS = ("raw.stock_fund_flow_rank", "raw.sector_fund_flow_rank")
HISTORIES = ("raw.stock_fund_flow_daily", "raw.market_fund_flow_daily")


def _land_and_propose(source, tables, request, wh, date_column) -> dict:
    return {table: land_captures(wh, source, table, request, date_column).height for table in tables}


@dg.multi_asset(
    specs=[spec("raw", "stock_fund_flow_rank"), spec("raw", "sector_fund_flow_rank")],
    pool="duckdb_writer",
    retry_policy=INGEST_RETRY,
)
@fails_fast
def raw_fund_flow_ranks(config: SnapshotConfig, warehouse: WarehouseResource, market_source: MarketSourceResource):
    """Main-force money rankings as captured (stock_individual_fund_flow_rank for 今日/3日/5日/10日,
    stock_sector_fund_flow_rank for industry, concept and region boards). Snapshots only: live captures today."""
    source = market_source.get()
    wh = warehouse.get()
    counts = _land_and_propose(source, RANKS, Request(snapshot=config.day()), wh, "snapshot_date")
    for table in RANKS:
        yield dg.MaterializeResult(
            asset_key=key("raw", table.split(".")[1]), metadata={"rows": counts[table], "source": source.name}
        )


@dg.asset(
    key_prefix="staging",
    name="stock_fund_flow_rank",
    deps=reads("raw.stock_fund_flow_rank"),
    check_specs=[gx_check(suites.STOCK_RANKS)],
    **layer_options("staging"),
)
@gated
def staging_stock_fund_flow_rank(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """One row per snapshot, window and stock, with the session the snapshot describes (session_date)."""
    wh = warehouse.get()
    raw = wh.query(f"SELECT * FROM {relation(wh, 'raw.stock_fund_flow_rank', context.run_id)}")
    return stage_checked(
        context,
        wh,
        Candidate(
            suites.STOCK_RANKS,
            stage_stock_ranks(raw),
            key_columns=["snapshot_date", "indicator", "symbol"],
            raw_rows=raw.height,
            owns=["raw.stock_fund_flow_rank"],
            partition_column="snapshot_date",
        ),
    )


@dg.asset(
    key_prefix="staging",
    name="sector_fund_flow_rank",
    deps=reads("raw.sector_fund_flow_rank", "staging.boards", "staging.stock_universe"),
    check_specs=[gx_check(suites.SECTOR_RANKS)],
    **layer_options("staging"),
)
@gated
def staging_sector_fund_flow_rank(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """One row per snapshot, window and board (BK code; names resolved through the board lists)."""
    wh = warehouse.get()
    raw = wh.query(f"SELECT * FROM {relation(wh, 'raw.sector_fund_flow_rank', context.run_id)}")
    frame, bad = stage_sector_ranks(
        raw,
        wh.query("SELECT board_code, board_name FROM staging.boards"),
        wh.query("SELECT symbol, name FROM staging.stock_universe"),
    )
    return stage_checked(
        context,
        wh,
        Candidate(
            suites.SECTOR_RANKS,
            frame,
            set_aside=bad,
            key_columns=["snapshot_date", "indicator", "sector_type", "board_name"],
            raw_rows=raw.height,
            owns=["raw.sector_fund_flow_rank"],
            partition_column="snapshot_date",
        ),
        metadata={"by_sector_type": dict(frame.group_by("sector_type").len().iter_rows())},
    )


@dg.multi_asset(
    specs=[spec("raw", "stock_fund_flow_daily"), spec("raw", "market_fund_flow_daily")],
    pool="duckdb_writer",
    retry_policy=INGEST_RETRY,
)
@fails_fast
def raw_fund_flow_history(warehouse: WarehouseResource, market_source: MarketSourceResource):
    """Per-stock (stock_individual_fund_flow, the tracked symbols) and market-wide (stock_market_fund_flow)
    daily fund flows. akshare returns the last ~100 sessions only: captured daily and upserted by date.
    Live only: the recorded sample has none."""
    source = market_source.get()
    wh = warehouse.get()
    request = Request(symbols=tracking().fund_flow_symbols)
    tables = HISTORIES
    if source.name == "akshare" and not stock_histories_due(wh, shanghai_today()):
        tables = ("raw.market_fund_flow_daily",)
    counts = _land_and_propose(source, tables, request, wh, "trade_date")
    for table in HISTORIES:
        refreshed = {} if table in tables else {"refreshed": False, "refreshed_every_days": STOCK_HISTORY_REFRESH_DAYS}
        yield dg.MaterializeResult(
            asset_key=key("raw", table.split(".")[1]),
            metadata={"rows": counts.get(table, 0), "source": source.name, **refreshed},
        )


# The day's whole-market rank capture (raw.stock_fund_flow_rank, 今日) holds every stock's flow of the session;
# the per-stock histories (one request a stock, ~100 sessions each) fill the sessions it missed: weekly is enough.
STOCK_HISTORY_REFRESH_DAYS = 7


def stock_histories_due(wh, today: dt.date) -> bool:
    last = wh.query("SELECT max(trade_date) AS d FROM raw.stock_fund_flow_daily")["d"][0]  # the last session held
    return last is None or (today - last).days >= STOCK_HISTORY_REFRESH_DAYS


def _history(suite: Suite, keys: list[str], description: str):
    """Histories are captured again every day (~100 sessions a call): upserted by the latest capture."""
    return latest_capture_asset(
        suite,
        keys=keys,
        description=description,
        checks={"check_main_flow_gap": main_flow_gap()},
        facts=lambda candidate: {"sessions": sessions_spanning(candidate["trade_date"])},
    )


staging_stock_fund_flow_daily = _history(
    suites.STOCK_FLOW_DAILY,
    ["trade_date", "symbol"],
    "One row per stock and session: the latest capture of each day wins.",
)
staging_market_fund_flow_daily = _history(
    suites.MARKET_FLOW_DAILY,
    ["trade_date"],
    "One row per session of market-wide (SSE + SZSE) fund flows: the latest capture of each day wins.",
)
