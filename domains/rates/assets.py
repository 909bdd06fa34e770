"""Rates: China and US government bond yields, raw -> staging (live only: the recording has none)."""

import datetime as dt

import dagster as dg

from assets.common import describe, ingest, propose, reads, writer
from assets.gate import gated, gx_check, stage_latest_capture
from assets.partitions import trading_days
from assets.resources import MarketSourceResource, WarehouseResource
from domains.rates import suites
from domains.rates.datasets import BOND_YIELDS
from etl.datasets import load
from etl.sources import Request


@dg.asset(key_prefix="raw", name="bond_yields_daily", **writer("raw"))
@ingest
def raw_bond_yields_daily(warehouse: WarehouseResource, market_source: MarketSourceResource) -> dg.MaterializeResult:
    """China and US 2/5/10/30-year government bond yields (bond_zh_us_rate), the whole history from the
    first partition (where the warehouse's history starts) at every capture. Live only: the recorded sample has none."""
    source = market_source.get()
    landed = source.land(BOND_YIELDS, Request(start=dt.date.fromisoformat(trading_days.start.strftime("%Y-%m-%d"))))
    frame = load(source, landed)
    if frame.height:
        propose(
            warehouse.get(),
            "raw.bond_yields_daily",
            frame,
            source,
            landed,
            "trade_date",
            sorted(set(frame["trade_date"])),
        )
    return dg.MaterializeResult(metadata=describe(frame, source))


@dg.asset(
    key_prefix="staging",
    name="bond_yields_daily",
    deps=reads("raw.bond_yields_daily"),
    check_specs=[gx_check(suites.BOND_YIELDS)],
    **writer("staging"),
)
@gated
def staging_bond_yields_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per date on which either market published: yields in percent, the latest capture wins."""
    return stage_latest_capture(
        context,
        warehouse.get(),
        raw="raw.bond_yields_daily",
        suite=suites.BOND_YIELDS,
        keys=["trade_date"],
        columns=[c.name for c in BOND_YIELDS.spec.columns],
    )
