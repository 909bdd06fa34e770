"""Indices: Eastmoney daily bars of the tracked indices and the CSI official histories, raw -> staging."""

import dagster as dg
import polars as pl

from assets.common import RANGE, describe, ingest, propose, reads, writer
from assets.gate import SIZE_BAND, Candidate, gated, gx_check, stage_checked
from assets.partitions import partition_dates
from assets.resources import MarketSourceResource, WarehouseResource
from etl.config.tracking import INDICES, tracking
from etl.datasets import load
from etl.datasets.indices import CSI_HISTORY, INDEX_BARS
from etl.market import sessions_spanning
from etl.proposals import relation
from etl.sources import Request
from etl.transforms.indices import stage_csi, stage_index_bars
from etl.transforms.staging import partition_summary


@dg.asset(key_prefix="raw", name="index_bars_daily", **RANGE, **writer("raw"))
@ingest
def raw_index_bars_daily(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, market_source: MarketSourceResource
) -> dg.MaterializeResult:
    """Daily bars of the tracked indices (stock_zh_index_daily_em), as landed."""
    days = partition_dates(context)
    source = market_source.get()
    landed = source.land(INDEX_BARS, Request(days=tuple(days), symbols=tuple(i.symbol for i in INDICES)))
    frame = load(source, landed)
    propose(warehouse.get(), "raw.index_bars_daily", frame, source, landed, "partition_date", days)
    return dg.MaterializeResult(metadata=describe(frame, source, partitions=len(days)))


@dg.asset(
    key_prefix="staging",
    name="index_bars_daily",
    deps=reads("raw.index_bars_daily"),
    check_specs=[gx_check("staging.index_bars_daily")],
    **RANGE,
    **writer("staging"),
)
@gated
def staging_index_bars_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per tracked index and trading day, with the warehouse's 6-digit code and name; every
    tracked index must have a bar that passed every session (a quarantined bar is a missing one)."""
    days = partition_dates(context)
    wh = warehouse.get()
    raw = wh.read_partitions(relation(wh, "raw.index_bars_daily"), days, "partition_date")
    candidate = stage_index_bars(raw)

    def summarise(passed: pl.DataFrame) -> pl.DataFrame:
        out = partition_summary(
            passed, days, [], SIZE_BAND, missing_indices=len(INDICES) - pl.col("index_code").n_unique()
        )
        return out.with_columns(pl.col("missing_indices").fill_null(len(INDICES)))

    return stage_checked(
        context,
        wh,
        Candidate(
            "staging.index_bars_daily",
            candidate,
            key_columns=["trade_date", "index_code"],
            raw_rows=raw.height,
            owns=["raw.index_bars_daily"],
            days=days,
            partition_column="partition_date",
            summarise=summarise,
            facts={"sessions": sessions_spanning(candidate["trade_date"])},
        ),
    )


@dg.asset(key_prefix="raw", name="csi_index_daily", **RANGE, **writer("raw"))
@ingest
def raw_csi_index_daily(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, market_source: MarketSourceResource
) -> dg.MaterializeResult:
    """CSI's own index history (stock_zh_index_hist_csindex): AI-chain theme indices and CSI 300, rolling PE."""
    days = partition_dates(context)
    source = market_source.get()
    landed = source.land(CSI_HISTORY, Request(days=tuple(days), symbols=tracking().csi_indices))
    frame = load(source, landed)
    propose(warehouse.get(), "raw.csi_index_daily", frame, source, landed, "partition_date", days)
    return dg.MaterializeResult(metadata=describe(frame, source, partitions=len(days)))


@dg.asset(
    key_prefix="staging",
    name="csi_index_daily",
    deps=reads("raw.csi_index_daily"),
    check_specs=[gx_check("staging.csi_index_daily")],
    **RANGE,
    **writer("staging"),
)
@gated
def staging_csi_index_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per CSI index and trading day; volume in shares (akshare: 万手), amount in CNY (akshare: 亿元)."""
    days = partition_dates(context)
    wh = warehouse.get()
    raw = wh.read_partitions(relation(wh, "raw.csi_index_daily"), days, "partition_date")
    candidate = stage_csi(raw)
    return stage_checked(
        context,
        wh,
        Candidate(
            "staging.csi_index_daily",
            candidate,
            key_columns=["trade_date", "index_code"],
            raw_rows=raw.height,
            owns=["raw.csi_index_daily"],
            days=days,
            partition_column="partition_date",
            facts={"sessions": sessions_spanning(candidate["trade_date"])},
        ),
    )
