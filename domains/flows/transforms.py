"""Fund-flow snapshots and histories -> staging, with the session each snapshot describes."""

from __future__ import annotations

import datetime as dt

import polars as pl

from domains.flows.datasets import SECTOR_TYPES
from etl.gate.quarantine import split
from etl.gate.references import PROVENANCE
from etl.market import CLOSE, SHANGHAI, is_trading_day, previous_trading_day

FLOWS = [f"{b}_net_inflow_{u}" for b in ("main", "super_large", "large", "medium", "small") for u in ("cny", "pct")]


def session_of(fetched_at: dt.datetime | None, snapshot_date: dt.date) -> dt.date:
    """The last completed session when the snapshot was taken: the same day after the 15:00 close on a
    trading day, otherwise the previous session (a morning capture describes yesterday)."""
    if fetched_at is None:
        return previous_trading_day(snapshot_date)
    local = fetched_at.astimezone(SHANGHAI)
    day = local.date()
    if is_trading_day(day) and local.time() >= CLOSE:
        return day
    return previous_trading_day(day)


def _with_session(raw: pl.DataFrame) -> pl.DataFrame:
    pairs = raw.select("fetched_at", "snapshot_date").unique()
    sessions = pairs.with_columns(
        session_date=pl.Series([session_of(f, s) for f, s in pairs.iter_rows()], dtype=pl.Date)
    )
    return raw.join(sessions, on=["fetched_at", "snapshot_date"], how="left", nulls_equal=True)


def stage_stock_ranks(raw: pl.DataFrame) -> pl.DataFrame:
    return _with_session(raw).select(
        "snapshot_date",
        "indicator",
        "symbol",
        "session_date",
        "name",
        "pct_change",
        *FLOWS,
        *PROVENANCE,
        check_main_flow_gap=main_flow_gap(),
    )


def stage_sector_ranks(
    raw: pl.DataFrame, boards: pl.DataFrame, universe: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Board names resolved to BK codes where the source gave none (the live rank carries names only), and
    the top-inflow stock's code from its name where the source gave none (live never does). Region rows
    (地域资金流) stay regions: the board lists have no region boards, so their code may stay null; an
    industry or concept name that resolves to no BK code is set aside."""
    by_name = boards.select(pl.col("board_name").alias("__name"), pl.col("board_code").alias("__code")).unique("__name")
    names = universe if universe is not None else pl.DataFrame(schema={"symbol": pl.String, "name": pl.String})
    unique_names = names.filter(pl.col("name").is_unique()).select(
        pl.col("name").alias("__stock"), pl.col("symbol").alias("__symbol")
    )
    resolved = (
        _with_session(raw)
        .join(by_name, left_on="board_name", right_on="__name", how="left")
        .join(unique_names, left_on="top_inflow_stock_name", right_on="__stock", how="left")
        .with_columns(
            board_code=pl.coalesce("board_code", "__code"),
            top_inflow_stock_symbol=pl.coalesce("top_inflow_stock_symbol", "__symbol"),
            sector_type=pl.col("sector_type").replace_strict(SECTOR_TYPES, default=pl.col("sector_type")),
        )
        .drop("__code", "__symbol")
    )
    unresolved = pl.col("board_code").is_null() & (pl.col("sector_type") != "region")
    good, bad = split(resolved, {"board_code_unresolved": (unresolved, pl.col("board_name"))})
    out = good.select(
        "snapshot_date",
        "indicator",
        "board_code",
        "sector_type",
        "session_date",
        "board_name",
        "pct_change",
        *FLOWS,
        "top_inflow_stock_name",
        "top_inflow_stock_symbol",
        *PROVENANCE,
        check_main_flow_gap=main_flow_gap(),
    )
    return out, bad


def main_flow_gap(rel_tol: float = 0.01, abs_tol: float = 1.0) -> pl.Expr:
    """How far main net inflow is from super-large + large beyond the tolerance (> 0: inconsistent). Sources
    round large values to 3-4 significant digits, so the tolerance is relative."""
    parts = pl.col("super_large_net_inflow_cny") + pl.col("large_net_inflow_cny")
    limit = rel_tol * (pl.col("super_large_net_inflow_cny").abs() + pl.col("large_net_inflow_cny").abs()) + abs_tol
    return (pl.col("main_net_inflow_cny") - parts).abs() - limit
