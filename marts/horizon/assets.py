"""The long horizon: index valuation through time, trailing-window performance of declared pairs, drawdowns
and rebounds. Rebuilt whole each run: every row depends on the history before it, and the tables are small
(indices × sessions)."""

import dagster as dg
import polars as pl

from assets.lineage import reads
from assets.metadata import preview
from assets.options import layer_options
from assets.resources import WarehouseResource
from etl.config.themes import horizon_pairs
from marts.horizon.transforms import drawdown_rebound, index_valuation_daily, levels, relative_performance

LEVELS = (
    "marts.index_daily",
    "staging.csi_index_daily",
    "marts.theme_daily",
    "staging.us_index_daily",
    "staging.us_bars_daily",
)


# The recorded sample has no US index history: QQQ (the Nasdaq-100 ETF, in the US bars) stands in, named so.
US_PROXIES = {"105.QQQ": "QQQ (Nasdaq-100 ETF, proxy)"}


def _levels(wh) -> pl.DataFrame:
    us = pl.concat(
        [
            wh.query("SELECT symbol, symbol AS name, us_trade_date, close FROM staging.us_index_daily"),
            wh.query(
                "SELECT symbol, symbol AS name, us_trade_date, close FROM staging.us_bars_daily "
                "WHERE symbol IN (SELECT UNNEST($p))",
                {"p": list(US_PROXIES)},
            ).with_columns(pl.col("name").replace_strict(US_PROXIES)),
        ]
    )
    return levels(
        wh.query("SELECT trade_date, index_code, index_name, close FROM marts.index_daily"),
        wh.query("SELECT trade_date, index_code, index_name, close FROM staging.csi_index_daily"),
        wh.query("SELECT trade_date, theme, ew_return_pct FROM marts.theme_daily"),
        us,
    )


@dg.asset(
    key_prefix="marts",
    name="index_valuation_daily",
    deps=reads("staging.csi_index_daily", "staging.bond_yields_daily", "staging.index_valuation_daily"),
    **layer_options("marts"),
)
def marts_index_valuation_daily(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Per CSI index and session: rolling PE and its percentile over the history held up to that day, the
    dividend yield where CSI publishes one, and its spread over the China 10-year government bond yield."""
    wh = warehouse.get()
    frame = index_valuation_daily(
        wh.query("SELECT trade_date, index_code, index_name, pe_ttm FROM staging.csi_index_daily"),
        wh.query("SELECT trade_date, cn_10y_yield_pct FROM staging.bond_yields_daily"),
        wh.query("SELECT trade_date, index_code, dividend_yield_pct FROM staging.index_valuation_daily"),
    )
    wh.replace_table("marts.index_valuation_daily", frame)
    last = frame.filter(pl.col("trade_date") == frame["trade_date"].max()) if frame.height else frame
    return dg.MaterializeResult(metadata={"rows": frame.height, "last_session": preview(last, n=20)})


@dg.asset(
    key_prefix="marts",
    name="relative_performance",
    deps=reads(*LEVELS),
    **layer_options("marts"),
)
def marts_relative_performance(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The pairs of etl/config/horizon.yaml over 1M, 3M, 1Y, 3Y and YTD windows ending on each session:
    both returns, the spread, and how much of the window the history held covers."""
    wh = warehouse.get()
    series = _levels(wh)
    pairs = [(p.name, p.a, p.b) for p in horizon_pairs()]
    frame = relative_performance(series, pairs)
    wh.replace_table("marts.relative_performance", frame)
    last = frame.filter(pl.col("trade_date") == frame["trade_date"].max()) if frame.height else frame
    return dg.MaterializeResult(metadata={"rows": frame.height, "pairs": len(pairs), "last_session": preview(last, 30)})


@dg.asset(
    key_prefix="marts",
    name="drawdown_rebound",
    deps=reads(*LEVELS),
    **layer_options("marts"),
)
def marts_drawdown_rebound(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Per index and basket and session: the year-to-date low and its day, the rebound since, the drawdown
    from the running peak and the deepest so far."""
    wh = warehouse.get()
    frame = drawdown_rebound(_levels(wh))
    wh.replace_table("marts.drawdown_rebound", frame)
    return dg.MaterializeResult(metadata={"rows": frame.height, "subjects": frame["subject"].n_unique()})
