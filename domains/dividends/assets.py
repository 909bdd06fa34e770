"""Dividend plans per report period, raw -> staging (live only: the recorded sample has none)."""

import datetime as dt

import dagster as dg

from assets.common import describe, ingest, propose, reads, writer
from assets.gate import gated, gx_check, stage_checked
from assets.resources import MarketSourceResource, WarehouseResource
from domains.dividends import suites
from domains.dividends.datasets import DIVIDENDS
from domains.dividends.transforms import stage_dividends
from etl.config.tracking import tracking
from etl.datasets import load
from etl.gate.engine import Candidate
from etl.gate.proposals import relation
from etl.market import report_deadline
from etl.sources import Request


def default_report_periods(today: dt.date, n: int = 4) -> list[str]:
    """The last `n` report periods (YYYY0630 / YYYY1231) whose reports were due before today: a half-year
    that has just ended has no plans yet, and akshare raises on it rather than answer empty."""
    periods, year = [], today.year
    while len(periods) < n:
        for month_day in ("1231", "0630"):
            end = dt.date(year, int(month_day[:2]), int(month_day[2:]))
            if report_deadline(end) < today and len(periods) < n:
                periods.append(f"{year}{month_day}")
        year -= 1
    return periods


@dg.asset(key_prefix="raw", name="dividends", **writer("raw"))
@ingest
def raw_dividends(warehouse: WarehouseResource, market_source: MarketSourceResource) -> dg.MaterializeResult:
    """Dividend plans per report period (stock_fhps_em). Live only: the recorded sample has none."""
    source = market_source.get()
    periods = list(tracking().dividend_report_periods) or default_report_periods(dt.date.today())
    landed = source.land(DIVIDENDS, Request(periods=tuple(periods)))
    frame = load(source, landed)
    if frame.height:
        propose(
            warehouse.get(),
            "raw.dividends",
            frame,
            source,
            landed,
            "report_period",
            sorted(set(frame["report_period"])),
        )
    return dg.MaterializeResult(
        metadata=describe(frame, source, report_periods=periods, skipped_periods=getattr(source, "skipped_periods", {}))
    )


@dg.asset(
    key_prefix="staging",
    name="dividends",
    deps=reads("raw.dividends"),
    check_specs=[gx_check(suites.DIVIDENDS)],
    **writer("staging"),
)
@gated
def staging_dividends(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per stock and report period: cash dividend per share (CNY), ex/record dates, yield (fraction).
    `domains.dividends.transforms.trailing_dividend_yield` turns it into a trailing yield per stock and day."""
    wh = warehouse.get()
    raw = wh.query(f"SELECT * FROM {relation(wh, 'raw.dividends', context.run_id)}")
    frame = stage_dividends(raw)  # the latest capture of each (symbol, report period)
    return stage_checked(
        context,
        wh,
        Candidate(
            suites.DIVIDENDS,
            frame,
            key_columns=["symbol", "report_period"],
            raw_rows=raw.height,
            owns=["raw.dividends"],
            superseded=raw.height - frame.height,
        ),
    )
