"""Dividend plans per report period, raw -> staging (live only: the recorded sample has none)."""

import datetime as dt

import dagster as dg

from assets.gate import gated, gx_check, stage_checked
from assets.lineage import reads
from assets.options import layer_options
from assets.raw import captured_raw_asset
from assets.resources import WarehouseResource
from domains.dividends import suites
from domains.dividends.transforms import stage_dividends, with_price_check
from etl.config.tracking import tracking
from etl.gate.engine import Candidate
from etl.gate.proposals import relation
from etl.market import report_deadline, shanghai_today
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


def report_periods() -> list[str]:
    return list(tracking().dividend_report_periods) or default_report_periods(shanghai_today())


SETTLED_AFTER = 2  # periods older than the latest two: their plans were carried out; captured once, not again


def due_periods(wh, periods: list[str]) -> list[str]:
    """The periods to fetch this run: the latest SETTLED_AFTER every day (plans are announced and carried out
    over months), the older ones only while the warehouse holds no capture of them (each costs ~11 requests,
    500 plans a page)."""
    held = {
        d.strftime("%Y%m%d")
        for d in wh.query("SELECT DISTINCT report_period FROM raw.dividends")["report_period"].to_list()
    }
    newest = sorted(periods, reverse=True)[:SETTLED_AFTER]
    return [p for p in periods if p in newest or p not in held]


raw_dividends = captured_raw_asset(
    "raw.dividends",
    description="Dividend plans per report period (stock_fhps_em). Live only: the recorded sample has none.",
    request=lambda wh: Request(periods=tuple(due_periods(wh, report_periods()))),
    scope_column="report_period",
    metadata=lambda frame, source: {
        "report_periods": report_periods(),
        "skipped_periods": getattr(source, "skipped_periods", {}),
    },
)


def last_closes(wh):
    """Each stock's last unadjusted close landed in the month before today: the price a declared cash dividend
    is judged against (none landed that recently: not judged). From raw (the snapshot, or per-stock history),
    not staging: the bars' gate reads the plans (an ex-date a plan declares), so the plans' gate comes first.
    A month, not the whole history: the look-up grows with the work, not with the warehouse."""
    return wh.query(
        "WITH landed AS (SELECT partition_date AS trade_date, symbol, close FROM raw.stock_spot_daily "
        "WHERE partition_date >= $since AND close > 0 UNION ALL SELECT trade_date, symbol, close "
        "FROM raw.stock_bars_daily WHERE partition_date >= $since AND adjust = 'none' "
        "AND trade_date = partition_date AND close > 0) "
        "SELECT symbol, arg_max(close, trade_date) AS close FROM landed GROUP BY symbol",
        {"since": shanghai_today() - dt.timedelta(days=31)},
    )


@dg.asset(
    key_prefix="staging",
    name="dividends",
    deps=reads("raw.dividends", "raw.stock_bars_daily", "raw.stock_spot_daily"),
    check_specs=[gx_check(suites.DIVIDENDS)],
    **layer_options("staging"),
)
@gated
def staging_dividends(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per stock and report period: cash dividend per share (CNY), ex/record dates, yield (fraction).
    `domains.dividends.transforms.trailing_dividend_yield` turns it into a trailing yield per stock and day."""
    wh = warehouse.get()
    raw = wh.query(f"SELECT * FROM {relation(wh, 'raw.dividends', context.run_id)}")
    # the latest capture of each (symbol, report period), its cash against the last close held
    frame = with_price_check(stage_dividends(raw), last_closes(wh))
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
