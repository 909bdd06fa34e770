"""Stock and index bars: raw -> staging."""

from __future__ import annotations

import polars as pl

from etl.catalog import INDEX_BY_SYMBOL

PROVENANCE = ["source", "source_function", "fetched_at"]


def require_unique(df: pl.DataFrame, keys: list[str], table: str) -> pl.DataFrame:
    dupes = df.filter(pl.struct(keys).is_duplicated())
    if dupes.height:
        sample = dupes.select(keys).unique().head(3).to_dicts()
        raise ValueError(f"{table}: {dupes.height} rows share a key {keys}, e.g. {sample}")
    return df


STOCK_BAR_COLUMNS = ["trade_date", "symbol", "adjust", "open", "high", "low", "close", "volume_shares", "amount_cny",
                     "amplitude_pct", "pct_change", "change", "turnover_pct", *PROVENANCE]
PRICE_TICK = 0.01
QFQ_ALLOWANCE_PCT = 0.5
NEW_LISTING_SESSIONS = 5  # no price limit on a new listing's first sessions (ChiNext/STAR: 5; main board: day 1)


def stock_bar_candidates(raw: pl.DataFrame, names: pl.DataFrame, first_seen: pl.DataFrame,
                         warehouse_start) -> pl.DataFrame:
    """Raw bars with the columns the suite checks: check_band_excess_pct (|pct_change| beyond the stock's
    price-limit band that day; null for new listings' first sessions) and check_pct_change_gap (pct_change
    against 100 × change / previous close)."""
    from etl.calendar import sessions_between
    from etl.transforms.universe import price_limit_band

    banded = price_limit_band(raw, names.select("symbol", "is_st", "valid_from", "valid_to"))
    seen = first_seen.rename({"first_date": "__first"})
    banded = banded.join(seen, on="symbol", how="left")
    new = pl.col("__first") > warehouse_start
    last = raw["trade_date"].max() or warehouse_start
    sessions = {d: i for i, d in enumerate(sessions_between(warehouse_start, max(last, warehouse_start)))}

    def rank(column: str) -> pl.Expr:  # session number since the warehouse's first
        return pl.col(column).replace_strict(sessions, default=None, return_dtype=pl.Int64)

    exempt = new & ((rank("trade_date") - rank("__first")) < NEW_LISTING_SESSIONS)
    prev_close = pl.col("close") - pl.col("change")
    # A flag seen only in a later snapshot (name_as_of after the bar) may not have applied yet: check
    # against the wider, non-ST band rather than quarantine a real move for the look-ahead's sake.
    band = pl.when(pl.col("name_as_of") > pl.col("trade_date")).then(pl.col("board_limit_pct")).otherwise(pl.col("price_limit_pct"))
    # Limit prices are rounded to the 0.01 tick, and forward-adjusted prices are rescaled and rounded again:
    # a close at the limit can show up to ~1.5 ticks of the stock's own price beyond the nominal band.
    rounding = 100 * 1.5 * PRICE_TICK / prev_close
    # Eastmoney's qfq subtracts past dividends from prices, so qfq percentages run above the raw ones by the
    # dividends' share of the price: allow QFQ_ALLOWANCE_PCT more on forward-adjusted rows.
    allowance = pl.when(pl.col("adjust") == "qfq").then(QFQ_ALLOWANCE_PCT).otherwise(0.0)
    return banded.with_columns(
        check_band_excess_pct=pl.when(exempt.fill_null(False)).then(None)
        .otherwise(pl.col("pct_change").abs() - band - rounding - allowance),
        check_pct_change_gap=pl.when(prev_close != 0)
        .then((pl.col("pct_change") - 100 * pl.col("change") / prev_close).abs()),
    ).select(*STOCK_BAR_COLUMNS, "partition_date", "check_band_excess_pct", "check_pct_change_gap")



def stage_index_bars(raw: pl.DataFrame) -> pl.DataFrame:
    unknown = set(raw["index_symbol"].unique()) - set(INDEX_BY_SYMBOL)
    if unknown:
        raise ValueError(f"stock_zh_index_daily_em: symbols not in the index catalog: {sorted(unknown)}")
    codes = pl.DataFrame(
        {"index_symbol": list(INDEX_BY_SYMBOL),
         "index_code": [i.code for i in INDEX_BY_SYMBOL.values()],
         "index_name": [i.name for i in INDEX_BY_SYMBOL.values()]}
    )
    return raw.join(codes, on="index_symbol", how="left").select(
        "trade_date", "index_code", "index_name", "open", "high", "low", "close", "volume_shares", "amount_cny",
        *PROVENANCE, "partition_date",
    )


def partition_summary(frame: pl.DataFrame, days, previous_rows: int | None, date_column: str = "partition_date",
                      **extra: pl.Expr) -> pl.DataFrame:
    """One row per partition of the run (empty ones included) with rows and rows_ratio (vs the session
    before: the previous partition in the run, or `previous_rows` from the warehouse for the first)."""
    counts = frame.group_by(date_column).agg(rows=pl.len(), **extra).rename({date_column: "partition"})
    out = pl.DataFrame({"partition": sorted(days)}, schema={"partition": pl.Date}).join(counts, on="partition", how="left")
    out = out.with_columns(pl.col("rows").fill_null(0).cast(pl.Int64))
    prev = pl.col("rows").shift(1)
    if previous_rows:
        prev = prev.fill_null(previous_rows)
    return out.with_columns(rows_ratio=pl.when(prev > 0).then(pl.col("rows") / prev))
