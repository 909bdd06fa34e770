"""Stock and index bars: raw -> staging."""

from __future__ import annotations

import polars as pl

from etl.catalog import INDEX_BY_SYMBOL
from etl.market import PRICE_TICK

PROVENANCE = ["source", "source_function", "fetched_at"]


def require_unique(df: pl.DataFrame, keys: list[str], table: str) -> pl.DataFrame:
    dupes = df.filter(pl.struct(keys).is_duplicated())
    if dupes.height:
        sample = dupes.select(keys).unique().head(3).to_dicts()
        raise ValueError(f"{table}: {dupes.height} rows share a key {keys}, e.g. {sample}")
    return df


STOCK_BAR_COLUMNS = [
    "trade_date",
    "symbol",
    "adjust",
    "open",
    "high",
    "low",
    "close",
    "volume_shares",
    "amount_cny",
    "amplitude_pct",
    "pct_change",
    "change",
    "turnover_pct",
    *PROVENANCE,
]
QFQ_ALLOWANCE_PCT = 0.5
NEW_LISTING_SESSIONS = 5  # no price limit on a new listing's first sessions (ChiNext/STAR: 5; main board: day 1)


PRICES = ("open", "high", "low", "close")
REFERENCE_GAP = 0.01  # the source's previous close (close - change) differs from ours by more: it declares another


def stock_bar_candidates(
    raw: pl.DataFrame,
    names: pl.DataFrame,
    first_seen: pl.DataFrame,
    warehouse_start,
    stored_closes: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Raw bars with the columns the suite checks:
    - check_prices_ok: open, high, low and close finite and positive (nulls are the not-null rules' business);
    - check_band_excess_pct: |pct_change| beyond the stock's price-limit band that day;
    - check_pct_change_gap: pct_change against 100 × change / (close - change);
    - check_close_jump_excess_pct: the close against the previous close *we hold* (the bar before in the
      run, else `stored_closes`: symbol, adjust, stored_close, stored_date), beyond the same band. This is the
      rule that sees a wrong close when the source's own change fields are missing or wrong with it.
    Declared exceptions (null: not judged): a new listing's first NEW_LISTING_SESSIONS sessions (no limit);
    for the close jump, a bar whose source states another previous close (close - change differs from ours
    by more than REFERENCE_GAP: ex-rights days and re-based qfq history, whose move the band and consistency
    rules judge against the source's reference), and a bar whose previous close we hold is not from the
    session before (a suspension, or a day missing or refused: a stale reference would judge several
    sessions' moves as one)."""
    from etl.market import sessions_between
    from etl.transforms.universe import price_limit_band

    banded = price_limit_band(raw, names.select("symbol", "is_st", "valid_from", "valid_to"))
    seen = first_seen.rename({"first_date": "__first"})
    banded = banded.join(seen, on="symbol", how="left")
    new = pl.col("__first") > warehouse_start
    last = raw["trade_date"].max() or warehouse_start
    sessions = {d: i for i, d in enumerate(sessions_between(warehouse_start, max(last, warehouse_start)))}

    def rank(column: str) -> pl.Expr:  # session number since the warehouse's first
        return pl.col(column).replace_strict(sessions, default=None, return_dtype=pl.Int64)

    exempt = (new & ((rank("trade_date") - rank("__first")) < NEW_LISTING_SESSIONS)).fill_null(False)
    stated_prev = pl.col("close") - pl.col("change")
    # A flag seen only in a later snapshot (name_as_of after the bar) may not have applied yet: check
    # against the wider, non-ST band rather than quarantine a real move for the look-ahead's sake.
    band = (
        pl.when(pl.col("name_as_of") > pl.col("trade_date"))
        .then(pl.col("board_limit_pct"))
        .otherwise(pl.col("price_limit_pct"))
    )

    def tolerance(prev: pl.Expr) -> pl.Expr:
        # Limit prices are rounded to the 0.01 tick, and forward-adjusted prices are rescaled and rounded
        # again: a close at the limit can show up to ~1.5 ticks of the stock's own price beyond the band.
        # Eastmoney's qfq subtracts past dividends from prices, so qfq percentages run above the raw ones
        # by the dividends' share of the price: QFQ_ALLOWANCE_PCT more on forward-adjusted rows.
        allowance = pl.when(pl.col("adjust") == "qfq").then(QFQ_ALLOWANCE_PCT).otherwise(0.0)
        return band + 100 * 1.5 * PRICE_TICK / prev + allowance

    stored = (
        stored_closes
        if stored_closes is not None
        else pl.DataFrame(
            schema={"symbol": pl.String, "adjust": pl.String, "stored_close": pl.Float64, "stored_date": pl.Date}
        )
    )
    by_stock = dict(partition_by=["symbol", "adjust"], order_by="trade_date")
    held_prev = pl.col("close").shift(1).over(**by_stock).fill_null(pl.col("stored_close"))
    held_date = pl.col("trade_date").shift(1).over(**by_stock).fill_null(pl.col("stored_date"))
    finite_positive = pl.all_horizontal([(pl.col(c) > 0) & pl.col(c).is_finite() for c in PRICES])
    declares_other_reference = pl.col("change").is_not_null() & (
        (stated_prev - pl.col("__held_prev")).abs() > REFERENCE_GAP * pl.col("__held_prev")
    )
    return (
        banded.join(
            stored.select("symbol", "adjust", "stored_close", "stored_date"), on=["symbol", "adjust"], how="left"
        )
        .with_columns(__held_prev=held_prev, __held_date=held_date)
        .with_columns(
            check_prices_ok=finite_positive.fill_null(True),
            check_band_excess_pct=pl.when(exempt)
            .then(None)
            .otherwise(pl.col("pct_change").abs() - tolerance(stated_prev)),
            check_pct_change_gap=pl.when(stated_prev != 0).then(
                (pl.col("pct_change") - 100 * pl.col("change") / stated_prev).abs()
            ),
            check_close_jump_excess_pct=pl.when(
                exempt
                | declares_other_reference.fill_null(False)
                | ~(pl.col("__held_prev") > 0)
                | ((rank("trade_date") - rank("__held_date")) != 1).fill_null(True)
            )
            .then(None)
            # rounded to 2 decimals as akshare's 涨跌幅 is: never stricter than the band rule on a bar
            # whose own fields agree with the close we hold
            .otherwise(
                (100 * (pl.col("close") / pl.col("__held_prev") - 1)).round(2).abs() - tolerance(pl.col("__held_prev"))
            ),
        )
        .select(
            *STOCK_BAR_COLUMNS,
            "partition_date",
            "check_prices_ok",
            "check_band_excess_pct",
            "check_pct_change_gap",
            "check_close_jump_excess_pct",
        )
    )


def stage_index_bars(raw: pl.DataFrame) -> pl.DataFrame:
    unknown = set(raw["index_symbol"].unique()) - set(INDEX_BY_SYMBOL)
    if unknown:
        raise ValueError(f"stock_zh_index_daily_em: symbols not in the index catalog: {sorted(unknown)}")
    codes = pl.DataFrame(
        {
            "index_symbol": list(INDEX_BY_SYMBOL),
            "index_code": [i.code for i in INDEX_BY_SYMBOL.values()],
            "index_name": [i.name for i in INDEX_BY_SYMBOL.values()],
        }
    )
    return raw.join(codes, on="index_symbol", how="left").select(
        "trade_date",
        "index_code",
        "index_name",
        "open",
        "high",
        "low",
        "close",
        "volume_shares",
        "amount_cny",
        *PROVENANCE,
        "partition_date",
    )


REFERENCE_SESSIONS = 5  # the size band compares with the median of this many partitions that passed


def partition_summary(
    passed: pl.DataFrame,
    days,
    stored_rows: list[int],
    band: tuple[float, float],
    date_column: str = "partition_date",
    stored_same: dict | None = None,
    **extra: pl.Expr,
) -> pl.DataFrame:
    """One row per partition of the run (empty ones included): `rows` that passed the row rules, and
    `rows_ratio` against `reference_rows`, the median of the last REFERENCE_SESSIONS partitions that passed
    (`stored_rows`, oldest first, then those of this run that pass the size rules in `band`); with no earlier
    partition, the stored size of the same partition (`stored_same`: day -> rows), if any. A refused
    partition never becomes a reference, so two half-empty days in a row are both refused, and a good day
    after a bad one compares with the good days before it."""
    import statistics

    counts = passed.group_by(date_column).agg(rows=pl.len(), **extra).rename({date_column: "partition"})
    out = pl.DataFrame({"partition": sorted(days)}, schema={"partition": pl.Date}).join(
        counts, on="partition", how="left"
    )
    out = out.with_columns(pl.col("rows").fill_null(0).cast(pl.Int64))
    window, reference = list(stored_rows[-REFERENCE_SESSIONS:]), []
    for day, rows in out.select("partition", "rows").iter_rows():
        ref = statistics.median(window) if window else (stored_same or {}).get(day)
        reference.append(ref)
        if rows > 0 and (ref is None or band[0] <= rows / ref <= band[1]):
            window = (window + [rows])[-REFERENCE_SESSIONS:]
    return out.with_columns(reference_rows=pl.Series(reference, dtype=pl.Float64)).with_columns(
        rows_ratio=pl.when(pl.col("reference_rows") > 0).then(pl.col("rows") / pl.col("reference_rows"))
    )
