"""Stocks: the listed universe (snapshots) and daily bars (per session, qfq and unadjusted), raw -> staging,
and the name history (ST flags and renames as validity intervals)."""

import datetime as dt

import dagster as dg
import polars as pl

from assets.gate import gated, gx_check, not_covered, stage_checked, stage_sessions
from assets.lineage import depends, key, reads, spec
from assets.options import INGEST_RETRY, RANGE, fails_fast, layer_options
from assets.raw import covered_days, describe, land_sessions, propose_landed
from assets.resources import MarketSourceResource, WarehouseResource
from domains.stocks import suites
from domains.stocks.datasets import UNIVERSE
from domains.stocks.transforms import SPOT_VALUES, name_history, spot_bars, stage_universe, stock_bar_candidates
from etl.datasets import load
from etl.gate.engine import SIZE_BAND, Candidate, Stored
from etl.gate.proposals import relation
from etl.gate.references import partition_summary, stored_partition_rows
from etl.market import previous_trading_day, sessions_spanning, shanghai_today

UNIVERSE_REFRESH_DAYS = 7


@dg.asset(key_prefix="raw", name="stock_universe", **layer_options("raw"))
@fails_fast
def raw_stock_universe(warehouse: WarehouseResource, market_source: MarketSourceResource) -> dg.MaterializeResult:
    """Listed A-shares (stock_info_a_code_name): every snapshot is kept, so renames and ST flags have history.
    Live, once a week (UNIVERSE_REFRESH_DAYS): listings and names change by announcement, the four exchange
    lists cost ~18 requests, and the day's whole-market snapshot brings every traded stock's bar anyway."""
    source = market_source.get()
    if source.name == "akshare":
        last = warehouse.get().query("SELECT max(snapshot_date) AS d FROM raw.stock_universe")["d"][0]
        if last is not None and (shanghai_today() - last).days < UNIVERSE_REFRESH_DAYS:
            return dg.MaterializeResult(
                metadata=describe(pl.DataFrame(), source, snapshot_date=last.isoformat(), refreshed=False)
            )
    landed = source.land(UNIVERSE)
    snapshot = dt.date.fromisoformat(landed[-1].partition)
    frame = load(source, landed)
    propose_landed(warehouse.get(), "raw.stock_universe", frame, source, landed, "snapshot_date", [snapshot])
    return dg.MaterializeResult(metadata=describe(frame, source, snapshot_date=landed[-1].partition))


@dg.multi_asset(
    specs=[
        spec("raw", "stock_bars_daily").replace_attributes(
            deps=reads("staging.stock_universe"),
            description="Daily A-share bars per stock as landed: per-stock history (stock_zh_a_hist, unadjusted) "
            "for the sessions the day's snapshot cannot give, and the recording's forward-adjusted (qfq) bars.",
        ),
        spec("raw", "stock_spot_daily").replace_attributes(
            description="The day's whole market from one snapshot (stock_zh_a_spot_em), taken live after the "
            "session settled: the session's unadjusted bars plus the reference previous close, caps, PE and PB.",
        ),
    ],
    pool="duckdb_writer",
    retry_policy=INGEST_RETRY,
    can_subset=True,
    **RANGE,
)
@fails_fast
def raw_stock_bars_daily(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, market_source: MarketSourceResource
):
    """The session's bars: the whole market from one snapshot where the live source can take it (today, after
    the close: ~55 requests), per-stock history for the other sessions (one request per stock). Selected
    alone, raw/stock_bars_daily is per-stock history only (a repair); raw/stock_spot_daily alone is the
    snapshot only."""
    wh = warehouse.get()
    bars, snapshot = key("raw", "stock_bars_daily"), key("raw", "stock_spot_daily")
    selected = context.selected_asset_keys
    if bars in selected:
        symbols = tuple(wh.query("SELECT symbol FROM staging.stock_universe ORDER BY symbol")["symbol"])
        served_by = "raw.stock_spot_daily" if snapshot in selected else None
        metadata = land_sessions(
            context,
            wh,
            market_source.get(),
            "raw.stock_bars_daily",
            served_by=served_by,
            served_request={"held": last_session_held(wh)},
            symbols=symbols,
        )
    else:
        metadata = land_sessions(context, wh, market_source.get(), "raw.stock_spot_daily", held=last_session_held(wh))
        metadata["sessions_from_stock_spot_daily"] = metadata.get("sessions_covered", 0)
    if bars in selected:
        yield dg.MaterializeResult(asset_key=bars, metadata=metadata)
    if snapshot in selected:
        yield dg.MaterializeResult(
            asset_key=snapshot,
            metadata={
                "sessions": metadata.get("sessions_from_stock_spot_daily", 0),
                "source_covers": metadata.get("source_covers_stock_spot_daily", metadata.get("source_covers")),
                **({"fallback": metadata["fallback"]} if "fallback" in metadata else {}),
            },
        )


def last_session_held(wh) -> pl.DataFrame:
    """The unadjusted bars of the last session landed in raw before today (from the snapshot, or from per-stock
    history): what a stale snapshot would repeat. Raw, not staging: these are the step's own tables, and
    staging comes after it."""
    # the month before today only: the look-up grows with a session, not with the warehouse's history
    landed = (
        "SELECT partition_date AS trade_date, symbol, close, volume_shares FROM raw.stock_spot_daily "
        "WHERE partition_date < $today AND partition_date >= $since AND close IS NOT NULL UNION ALL "
        "SELECT trade_date, symbol, close, volume_shares FROM raw.stock_bars_daily "
        "WHERE partition_date < $today AND partition_date >= $since AND trade_date = partition_date "
        "AND adjust = 'none'"
    )
    today = shanghai_today()
    return wh.query(
        f"WITH landed AS ({landed}) SELECT * FROM landed WHERE trade_date = (SELECT max(trade_date) FROM landed)",
        {"today": today, "since": today - dt.timedelta(days=31)},
    )


@dg.asset(
    key_prefix="staging",
    name="stock_universe",
    deps=reads("raw.stock_universe"),
    check_specs=[gx_check(suites.UNIVERSE)],
    **layer_options("staging"),
)
@gated
def staging_stock_universe(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per listed A-share in the latest snapshot: exchange, listing board, ST flag, price-limit band.
    A snapshot far off the size of the stored universe is refused (a half-empty list would drop stocks from
    every later fetch)."""
    wh = warehouse.get()
    source = relation(wh, "raw.stock_universe", context.run_id)
    raw = wh.query(f"SELECT * FROM {source} WHERE snapshot_date = (SELECT max(snapshot_date) FROM {source})")
    frame, repeated = stage_universe(raw)
    stored = wh.query("SELECT count(*) AS n FROM staging.stock_universe")["n"][0]
    boards = frame.group_by("listing_board").len().sort("listing_board")
    return stage_checked(
        context,
        wh,
        Candidate(
            suites.UNIVERSE,
            frame,
            key_columns=["symbol"],
            raw_rows=raw.height,
            owns=["raw.stock_universe"],
            set_aside=repeated,
            summarise=lambda passed: size_summary(passed.height, stored),
        ),
        metadata={"by_board": {str(k): v for k, v in boards.iter_rows()}},
    )


def size_summary(rows: int, stored: int | None) -> pl.DataFrame:
    """The one-row summary of a whole-table candidate: rows that passed, against the table as stored."""
    return pl.DataFrame({"rows": [rows], "reference_rows": [float(stored) if stored else None]}).with_columns(
        rows_ratio=pl.col("rows") / pl.col("reference_rows")
    )


@dg.asset(
    key_prefix="staging",
    name="stock_bars_daily",
    deps=reads("raw.stock_bars_daily", "raw.stock_spot_daily", "staging.stock_name_history", "staging.dividends"),
    check_specs=[gx_check(suites.STOCK_BARS)],
    **RANGE,
    **layer_options("staging"),
)
@gated
def staging_stock_bars_daily(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, market_source: MarketSourceResource
) -> dg.MaterializeResult:
    """One row per stock, trading day and price basis (adjust = qfq | none); rows breaking a rule of the
    suite are quarantined, and a partition that is empty or far off the size of the last sessions that
    passed is refused, keeping the stored one. Sessions the source does not cover are not judged."""
    source = market_source.get()
    days, coverage = covered_days(context, source, "raw.stock_bars_daily")
    days = sorted(set(days) | set(covered_days(context, source, "raw.stock_spot_daily")[0]))
    if not days:
        return not_covered("staging.stock_bars_daily", coverage)
    wh = warehouse.get()
    names = wh.query("SELECT * FROM staging.stock_name_history")

    def build(days: list[dt.date]) -> Candidate:
        hist = wh.read_partitions(relation(wh, "raw.stock_bars_daily", context.run_id), days, "partition_date")
        snapshot = wh.read_partitions(relation(wh, "raw.stock_spot_daily", context.run_id), days, "partition_date")
        hist_days = set(hist.filter(pl.col("adjust") == "none")["partition_date"].unique())
        from_spot, suspended, superseded = spot_bars(snapshot, hist_days)
        raw = pl.concat([hist, from_spot], how="diagonal_relaxed") if from_spot.height else hist
        raw = raw.with_columns(pl.lit(None, pl.Float64).alias(c) for c in SPOT_VALUES if c not in raw.columns)
        seen = wh.query(
            "SELECT symbol, min(trade_date) AS first_date FROM staging.stock_bars_daily "
            "WHERE trade_date NOT IN (SELECT UNNEST($dates)) GROUP BY symbol",
            {"dates": days},
        )
        seen = (
            pl.concat([seen, raw.group_by("symbol").agg(first_date=pl.col("trade_date").min())])
            .group_by("symbol")
            .min()
        )
        start = wh.query("SELECT min(trade_date) AS d FROM staging.stock_bars_daily")["d"][0] or min(days)
        plans = wh.query(
            "SELECT symbol, ex_date, cash_dividend_per_share_cny, bonus_per10, transfer_per10 FROM staging.dividends "
            "WHERE ex_date IN (SELECT UNNEST($d))",
            {"d": days},
        )
        candidate = stock_bar_candidates(raw, names, seen, min(start, min(days)), previous_closes(wh, min(days)), plans)
        stored = stored_partition_rows(wh, "staging.stock_bars_daily", min(days))
        same = dict(
            wh.query(
                "SELECT trade_date, count(*) AS n FROM staging.stock_bars_daily WHERE trade_date IN "
                "(SELECT UNNEST($d)) GROUP BY 1",
                {"d": days},
            ).iter_rows()
        )
        return Candidate(
            suites.STOCK_BARS,
            candidate,
            key_columns=["trade_date", "symbol", "adjust"],
            raw_rows=hist.height + snapshot.height,
            owns=["raw.stock_bars_daily", "raw.stock_spot_daily"],
            set_aside=suspended if suspended.height else None,
            superseded=superseded,
            days=days,
            partition_column="partition_date",
            summarise=lambda passed: partition_summary(passed, days, stored, SIZE_BAND, stored_same=same),
            facts={"sessions": sessions_spanning(candidate["trade_date"])},
        )

    return stage_sessions(
        context,
        wh,
        "staging.stock_bars_daily",
        days,
        build,
        metadata=coverage,
        inputs=["staging.stock_name_history", "staging.dividends"],
        owns=["raw.stock_bars_daily", "raw.stock_spot_daily"],
    )


def previous_closes(wh, first) -> pl.DataFrame:
    """Each stock's stored close on the session before `first`, per price basis: the reference of a run's
    first bar (later bars compare with the bar before them in the run; the close-jump rule judges a bar only
    against the session before it)."""
    return wh.query(
        "SELECT symbol, adjust, close AS stored_close, trade_date AS stored_date, market_cap_cny AS stored_cap "
        "FROM staging.stock_bars_daily WHERE trade_date = $d",
        {"d": previous_trading_day(first)},
    )


@dg.asset(
    key_prefix="staging",
    name="stock_name_history",
    **depends(
        "raw.stock_universe",
        after={"staging.stock_universe": "a snapshot the universe gate refused never reaches raw"},
    ),
    check_specs=[gx_check(suites.NAME_HISTORY)],
    **layer_options("staging"),
)
@gated
def staging_stock_name_history(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Names and ST flags with validity dates, from every universe snapshot (the daily price-limit band of a
    stock derives from the flag in force that day)."""
    wh = warehouse.get()
    raw = wh.query("SELECT symbol, name, snapshot_date FROM raw.stock_universe")
    return stage_checked(
        context,
        wh,
        Candidate(suites.NAME_HISTORY, raw, key_columns=["symbol", "snapshot_date"], raw_rows=raw.height),
        store=lambda good: Stored(name_history(good)),
        metadata={"snapshots": raw["snapshot_date"].n_unique()},
    )
