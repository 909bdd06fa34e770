"""Indices: Eastmoney daily bars of the tracked indices and the CSI official histories, raw -> staging."""

import datetime as dt

import dagster as dg
import polars as pl

from assets.gate import gated, gx_check, latest_capture_asset, not_covered, stage_sessions
from assets.lineage import reads
from assets.options import RANGE, fails_fast, layer_options
from assets.raw import captured_raw_asset, covered_days, land_sessions
from assets.resources import MarketSourceResource, WarehouseResource
from domains.indices import suites
from domains.indices.transforms import stage_csi, stage_index_bars
from etl.config.tracking import INDICES, tracking
from etl.gate.engine import SIZE_BAND, Candidate
from etl.gate.proposals import relation
from etl.gate.references import partition_summary
from etl.market import sessions_spanning
from etl.sources import Request


@dg.asset(key_prefix="raw", name="index_bars_daily", **RANGE, **layer_options("raw"))
@fails_fast
def raw_index_bars_daily(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, market_source: MarketSourceResource
) -> dg.MaterializeResult:
    """Daily bars of the tracked indices (stock_zh_index_daily_em), as landed."""
    symbols = tuple(i.symbol for i in INDICES)
    metadata = land_sessions(
        context, warehouse.get(), market_source.get(), "raw.index_bars_daily", narrow=True, symbols=symbols
    )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key_prefix="staging",
    name="index_bars_daily",
    deps=reads("raw.index_bars_daily"),
    check_specs=[gx_check(suites.INDEX_BARS)],
    **RANGE,
    **layer_options("staging"),
)
@gated
def staging_index_bars_daily(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, market_source: MarketSourceResource
) -> dg.MaterializeResult:
    """One row per tracked index and trading day, with the warehouse's 6-digit code and name. Each index
    from its own first bar on: from then, every session must have a bar that passed for it (a quarantined
    bar is a missing one). Sessions the source does not cover are not judged."""
    days, coverage = covered_days(context, market_source.get(), "raw.index_bars_daily")
    if not days:
        return not_covered("staging.index_bars_daily", coverage)
    wh = warehouse.get()

    def build(days: list[dt.date]) -> Candidate:
        raw = wh.read_partitions(relation(wh, "raw.index_bars_daily", context.run_id), days, "partition_date")
        candidate = stage_index_bars(raw)
        first_bars = wh.query(
            "SELECT index_code, min(trade_date) AS first FROM staging.index_bars_daily "
            "WHERE trade_date NOT IN (SELECT UNNEST($dates)) GROUP BY index_code",
            {"dates": days},
        )

        def summarise(passed: pl.DataFrame) -> pl.DataFrame:
            out = partition_summary(passed, days, [], SIZE_BAND, indices=pl.col("index_code").n_unique())
            firsts = pl.concat([first_bars, passed.group_by("index_code").agg(first=pl.col("trade_date").min())])
            firsts = firsts.group_by("index_code").agg(pl.col("first").min())["first"]
            expected = [int((firsts <= day).sum()) for day in out["partition"]]
            return out.with_columns(
                missing_indices=pl.Series(expected, dtype=pl.Int64) - pl.col("indices").fill_null(0)
            ).drop("indices")

        return Candidate(
            suites.INDEX_BARS,
            candidate,
            key_columns=["trade_date", "index_code"],
            raw_rows=raw.height,
            owns=["raw.index_bars_daily"],
            days=days,
            partition_column="partition_date",
            summarise=summarise,
            facts={"sessions": sessions_spanning(candidate["trade_date"])},
        )

    return stage_sessions(context, wh, "staging.index_bars_daily", days, build, metadata=coverage, narrow=True)


@dg.asset(key_prefix="raw", name="csi_index_daily", **RANGE, **layer_options("raw"))
@fails_fast
def raw_csi_index_daily(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, market_source: MarketSourceResource
) -> dg.MaterializeResult:
    """CSI's own index history (stock_zh_index_hist_csindex): AI-chain theme indices and CSI 300, rolling PE."""
    symbols = tracking().csi_indices
    metadata = land_sessions(
        context, warehouse.get(), market_source.get(), "raw.csi_index_daily", narrow=True, symbols=symbols
    )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key_prefix="staging",
    name="csi_index_daily",
    deps=reads("raw.csi_index_daily"),
    check_specs=[gx_check(suites.CSI_INDEX)],
    **RANGE,
    **layer_options("staging"),
)
@gated
def staging_csi_index_daily(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, market_source: MarketSourceResource
) -> dg.MaterializeResult:
    """One row per CSI index and trading day; volume in shares (akshare: 万手), amount in CNY (akshare: 亿元)."""
    days, coverage = covered_days(context, market_source.get(), "raw.csi_index_daily")
    if not days:
        return not_covered("staging.csi_index_daily", coverage)
    wh = warehouse.get()

    def build(days: list[dt.date]) -> Candidate:
        raw = wh.read_partitions(relation(wh, "raw.csi_index_daily", context.run_id), days, "partition_date")
        candidate = stage_csi(raw)
        return Candidate(
            suites.CSI_INDEX,
            candidate,
            key_columns=["trade_date", "index_code"],
            raw_rows=raw.height,
            owns=["raw.csi_index_daily"],
            days=days,
            partition_column="partition_date",
            facts={"sessions": sessions_spanning(candidate["trade_date"])},
        )

    return stage_sessions(context, wh, "staging.csi_index_daily", days, build, metadata=coverage, narrow=True)


raw_index_valuation_daily = captured_raw_asset(
    "raw.index_valuation_daily",
    description="CSI valuation (stock_zh_index_value_csindex): PE and dividend yield of the tracked indices for the "
    "recent sessions CSI publishes, captured daily and kept. Live only: the recorded sample has none.",
    request=lambda wh: Request(symbols=tracking().valuation_indices),
    scope_column="trade_date",
)

staging_index_valuation_daily = latest_capture_asset(
    suites.INDEX_VALUATION,
    keys=["trade_date", "index_code"],
    description="One row per CSI index and session: PE and dividend yield (percent); the latest capture wins.",
)
