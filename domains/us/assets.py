"""The US side: the AI chain's daily bars and the US indices over the years, on the US calendar, raw -> staging."""

import datetime as dt

import dagster as dg

from assets.gate import gated, gx_check, latest_capture_asset, stage_checked
from assets.lineage import reads
from assets.options import layer_options
from assets.raw import captured_raw_asset
from assets.resources import WarehouseResource
from domains.us import suites
from domains.us.transforms import stage_us
from etl.config.tracking import tracking
from etl.gate.engine import Candidate
from etl.gate.proposals import relation
from etl.sources import Request


@dg.asset(
    key_prefix="staging",
    name="us_bars_daily",
    deps=reads("raw.us_bars_daily"),
    check_specs=[gx_check(suites.US_BARS)],
    **layer_options("staging"),
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


raw_us_bars_daily = captured_raw_asset(
    "raw.us_bars_daily",
    description="US AI-chain daily bars (stock_us_hist, Eastmoney codes such as 105.NVDA) on the US calendar. "
    "akshare downloads the full history every call, so the table is replaced whole from the landing zone.",
    request=lambda wh: Request(symbols=tracking().us_symbols, start=dt.date.fromisoformat(tracking().us_start_date)),
    scope_column=None,
    metadata=lambda frame, source: {"symbols": frame["symbol"].n_unique()},
)

raw_us_index_daily = captured_raw_asset(
    "raw.us_index_daily",
    description="US index histories (index_us_stock_sina: Nasdaq Composite, Nasdaq-100, S&P 500), the whole "
    "history at every capture. Live only: the recorded sample has none (the long-horizon marts use QQQ as a proxy).",
    request=lambda wh: Request(symbols=tracking().us_indices),
    scope_column="us_trade_date",
)

staging_us_index_daily = latest_capture_asset(
    suites.US_INDICES,
    keys=["us_trade_date", "symbol"],
    description="One row per US session and index; the latest capture wins.",
)
