"""Fund flows: rank snapshots (stocks, sectors) and per-stock / market histories."""

import dagster as dg

from assets.common import INGEST_RETRY, SnapshotConfig, ingest, key, propose, reads, spec, writer
from assets.gate import gated, gx_check, stage_checked, stage_latest_capture
from assets.resources import MarketSourceResource, WarehouseResource
from domains.flows import suites
from domains.flows.transforms import FLOWS, main_flow_gap, stage_sector_ranks, stage_stock_ranks
from etl.config.tracking import tracking
from etl.datasets import feeding, load
from etl.gate.engine import Candidate
from etl.gate.proposals import relation
from etl.gate.rules import Suite
from etl.market import sessions_spanning
from etl.sources import Request

RANKS = ("raw.stock_fund_flow_rank", "raw.sector_fund_flow_rank")
HISTORIES = ("raw.stock_fund_flow_daily", "raw.market_fund_flow_daily")


def _land_and_propose(source, tables, request, wh, date_column) -> dict:
    counts = {}
    for table in tables:
        landed = source.land_each(feeding(table), request)
        frame = load(source, landed)
        if frame.height:
            propose(wh, table, frame, source, landed, date_column, sorted(set(frame[date_column])))
        counts[table] = frame.height
    return counts


@dg.multi_asset(
    specs=[spec("raw", "stock_fund_flow_rank"), spec("raw", "sector_fund_flow_rank")],
    pool="duckdb_writer",
    retry_policy=INGEST_RETRY,
)
@ingest
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
    **writer("staging"),
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
    **writer("staging"),
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
@ingest
def raw_fund_flow_history(warehouse: WarehouseResource, market_source: MarketSourceResource):
    """Per-stock (stock_individual_fund_flow, the tracked symbols) and market-wide (stock_market_fund_flow)
    daily fund flows. akshare returns the last ~100 sessions only: captured daily and upserted by date.
    Live only: the recorded sample has none."""
    source = market_source.get()
    wh = warehouse.get()
    request = Request(symbols=tracking().fund_flow_symbols)
    counts = _land_and_propose(source, HISTORIES, request, wh, "trade_date")
    for table in HISTORIES:
        yield dg.MaterializeResult(
            asset_key=key("raw", table.split(".")[1]), metadata={"rows": counts[table], "source": source.name}
        )


def _stage_history(
    context, warehouse: WarehouseResource, *, raw: str, suite: Suite, keys: list[str], columns: list[str]
):
    """Histories are captured again every day (~100 sessions a call): upserted by the latest capture."""
    return stage_latest_capture(
        context,
        warehouse.get(),
        raw=raw,
        suite=suite,
        keys=keys,
        columns=[*columns, *FLOWS],
        checks={"check_main_flow_gap": main_flow_gap()},
        facts=lambda candidate: {"sessions": sessions_spanning(candidate["trade_date"])},
    )


@dg.asset(
    key_prefix="staging",
    name="stock_fund_flow_daily",
    deps=reads("raw.stock_fund_flow_daily"),
    check_specs=[gx_check(suites.STOCK_FLOW_DAILY)],
    **writer("staging"),
)
@gated
def staging_stock_fund_flow_daily(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """One row per stock and session: the latest capture of each day wins."""
    return _stage_history(
        context,
        warehouse,
        raw="raw.stock_fund_flow_daily",
        suite=suites.STOCK_FLOW_DAILY,
        keys=["trade_date", "symbol"],
        columns=["trade_date", "symbol", "close", "pct_change"],
    )


@dg.asset(
    key_prefix="staging",
    name="market_fund_flow_daily",
    deps=reads("raw.market_fund_flow_daily"),
    check_specs=[gx_check(suites.MARKET_FLOW_DAILY)],
    **writer("staging"),
)
@gated
def staging_market_fund_flow_daily(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """One row per session of market-wide (SSE + SZSE) fund flows: the latest capture of each day wins."""
    return _stage_history(
        context,
        warehouse,
        raw="raw.market_fund_flow_daily",
        suite=suites.MARKET_FLOW_DAILY,
        keys=["trade_date"],
        columns=["trade_date", "sse_close", "sse_pct_change", "szse_close", "szse_pct_change"],
    )
