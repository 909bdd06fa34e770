"""CSI official index history, the US AI chain, dividends."""

import datetime as dt

import dagster as dg

from assets.common import RANGE, describe, ingest, key, propose, writer
from assets.gate import Candidate, gated, gx_check, stage_checked
from assets.partitions import partition_dates
from assets.resources import MarketSourceResource, WarehouseResource
from etl.catalog import tracking
from etl.datasets import load
from etl.datasets.dividends import DIVIDENDS
from etl.datasets.indices import CSI_HISTORY
from etl.datasets.us import US_BARS
from etl.market import report_deadline, sessions_spanning
from etl.proposals import relation
from etl.sources import Request
from etl.transforms.markets import stage_csi, stage_dividends, stage_us


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
    deps=[key("raw", "csi_index_daily")],
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
    deps=[key("raw", "us_bars_daily")],
    check_specs=[gx_check("staging.us_bars_daily")],
    **writer("staging"),
)
@gated
def staging_us_bars_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per US session and symbol, linked to the next A-share session (next_cn_trade_date)."""
    wh = warehouse.get()
    raw = wh.query(f"SELECT * FROM {relation(wh, 'raw.us_bars_daily')}")
    return stage_checked(
        context,
        wh,
        Candidate(
            "staging.us_bars_daily",
            stage_us(raw),
            key_columns=["us_trade_date", "symbol"],
            raw_rows=raw.height,
            owns=["raw.us_bars_daily"],
        ),
        metadata={"symbols": raw["symbol"].n_unique()},
    )


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
    deps=[key("raw", "dividends")],
    check_specs=[gx_check("staging.dividends")],
    **writer("staging"),
)
@gated
def staging_dividends(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per stock and report period: cash dividend per share (CNY), ex/record dates, yield (fraction).
    `etl.transforms.markets.trailing_dividend_yield` turns it into a trailing yield per stock and day."""
    wh = warehouse.get()
    raw = wh.query(f"SELECT * FROM {relation(wh, 'raw.dividends')}")
    frame = stage_dividends(raw)  # the latest capture of each (symbol, report period)
    return stage_checked(
        context,
        wh,
        Candidate(
            "staging.dividends",
            frame,
            key_columns=["symbol", "report_period"],
            raw_rows=raw.height,
            owns=["raw.dividends"],
            superseded=raw.height - frame.height,
        ),
    )
