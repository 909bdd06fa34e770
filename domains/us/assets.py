"""The US side: the AI chain's daily bars and the US indices over the years, on the US calendar, raw -> staging."""

import datetime as dt

import dagster as dg

from assets.common import describe, ingest, propose, reads, writer
from assets.gate import gated, gx_check, stage_checked, stage_latest_capture
from assets.resources import MarketSourceResource, WarehouseResource
from domains.us import suites
from domains.us.datasets import US_BARS, US_INDICES
from domains.us.transforms import stage_us
from etl.config.tracking import tracking
from etl.datasets import load
from etl.gate.engine import Candidate
from etl.gate.proposals import relation
from etl.sources import Request


@dg.asset(key_prefix="raw", name="us_bars_daily", **writer("raw"))
@ingest
def raw_us_bars_daily(warehouse: WarehouseResource, market_source: MarketSourceResource) -> dg.MaterializeResult:
    """US AI-chain daily bars (stock_us_hist, Eastmoney codes such as 105.NVDA) on the US calendar. akshare
    downloads the full history every call, so the table is replaced whole from the landing zone."""
    source = market_source.get()
    t = tracking()
    landed = source.land(US_BARS, Request(symbols=t.us_symbols, start=dt.date.fromisoformat(t.us_start_date)))
    frame = load(source, landed)
    propose(warehouse.get(), "raw.us_bars_daily", frame, source, landed)
    return dg.MaterializeResult(metadata=describe(frame, source, symbols=frame["symbol"].n_unique()))


@dg.asset(
    key_prefix="staging",
    name="us_bars_daily",
    deps=reads("raw.us_bars_daily"),
    check_specs=[gx_check(suites.US_BARS)],
    **writer("staging"),
)
@gated
def staging_us_bars_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per US session and symbol, linked to the next A-share session (next_cn_trade_date)."""
    wh = warehouse.get()
    raw = wh.query(f"SELECT * FROM {relation(wh, 'raw.us_bars_daily', context.run_id)}")
    return stage_checked(
        context,
        wh,
        Candidate(
            suites.US_BARS,
            stage_us(raw),
            key_columns=["us_trade_date", "symbol"],
            raw_rows=raw.height,
            owns=["raw.us_bars_daily"],
        ),
        metadata={"symbols": raw["symbol"].n_unique()},
    )


@dg.asset(key_prefix="raw", name="us_index_daily", **writer("raw"))
@ingest
def raw_us_index_daily(warehouse: WarehouseResource, market_source: MarketSourceResource) -> dg.MaterializeResult:
    """US index histories (index_us_stock_sina: Nasdaq Composite, Nasdaq-100, S&P 500), the whole history at
    every capture. Live only: the recorded sample has none (the long-horizon marts use QQQ as a proxy)."""
    source = market_source.get()
    landed = source.land(US_INDICES, Request(symbols=tracking().us_indices))
    frame = load(source, landed)
    if frame.height:
        dates = sorted(set(frame["us_trade_date"]))
        propose(warehouse.get(), "raw.us_index_daily", frame, source, landed, "us_trade_date", dates)
    return dg.MaterializeResult(metadata=describe(frame, source))


@dg.asset(
    key_prefix="staging",
    name="us_index_daily",
    deps=reads("raw.us_index_daily"),
    check_specs=[gx_check(suites.US_INDICES)],
    **writer("staging"),
)
@gated
def staging_us_index_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per US session and index; the latest capture wins."""
    return stage_latest_capture(
        context,
        warehouse.get(),
        raw="raw.us_index_daily",
        suite=suites.US_INDICES,
        keys=["us_trade_date", "symbol"],
        columns=[c.name for c in US_INDICES.spec.columns],
    )
