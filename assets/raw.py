"""raw: land what the source returns, apply each function's input spec, propose the rows for the partitions.

Nothing stored changes here: the rows wait in candidate.<table> until the staging gate judges them
(assets/gate.py, etl/proposals.py)."""

import datetime as dt

import dagster as dg

from assets.common import RANGE, describe, ingest, propose, writer
from assets.partitions import partition_dates
from assets.resources import MarketSourceResource, WarehouseResource
from etl.catalog import INDICES
from etl.datasets import feeding, load
from etl.datasets.indices import INDEX_BARS
from etl.datasets.stocks import UNIVERSE
from etl.sources import Request

WRITER = writer("raw")


@dg.asset(key_prefix="raw", name="stock_universe", **WRITER)
@ingest
def raw_stock_universe(warehouse: WarehouseResource, market_source: MarketSourceResource) -> dg.MaterializeResult:
    """Listed A-shares (stock_info_a_code_name): every snapshot is kept, so renames and ST flags have history."""
    source = market_source.get()
    landed = source.land(UNIVERSE)
    snapshot = dt.date.fromisoformat(landed[-1].partition)
    frame = load(source, landed)
    propose(warehouse.get(), "raw.stock_universe", frame, source, landed, "snapshot_date", [snapshot])
    return dg.MaterializeResult(metadata=describe(frame, source, snapshot_date=landed[-1].partition))


@dg.asset(
    key_prefix="raw", name="stock_bars_daily", deps=[dg.AssetKey(["staging", "stock_universe"])], **RANGE, **WRITER
)
@ingest
def raw_stock_bars_daily(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, market_source: MarketSourceResource
) -> dg.MaterializeResult:
    """Daily A-share bars (stock_zh_a_hist), forward-adjusted (qfq) and unadjusted, as landed."""
    days = partition_dates(context)
    source = market_source.get()
    wh = warehouse.get()
    symbols = wh.query("SELECT symbol FROM staging.stock_universe ORDER BY symbol")["symbol"].to_list()
    landed = source.land_each(feeding("raw.stock_bars_daily"), Request(days=tuple(days), symbols=tuple(symbols)))
    frame = load(source, landed)
    propose(wh, "raw.stock_bars_daily", frame, source, landed, "partition_date", days)
    return dg.MaterializeResult(metadata=describe(frame, source, partitions=len(days)))


@dg.asset(key_prefix="raw", name="index_bars_daily", **RANGE, **WRITER)
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
