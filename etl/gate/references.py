"""What a candidate is compared with, and what every staging transform shares: the provenance columns
carried from raw, the unique-key rule, the latest capture of a re-fetched history, and the size band: the
per-partition summary of a candidate against the sizes of the last partitions stored (read here, so that a
daily run reads days, not history)."""

import datetime as dt

import polars as pl

from etl.market import sessions_between
from etl.warehouse.raw_ddl import PROVENANCE as RAW_PROVENANCE

PROVENANCE = list(RAW_PROVENANCE)  # carried from raw unchanged


def require_unique(df: pl.DataFrame, keys: list[str], table: str) -> pl.DataFrame:
    dupes = df.filter(pl.struct(keys).is_duplicated())
    if dupes.height:
        sample = dupes.select(keys).unique().head(3).to_dicts()
        raise ValueError(f"{table}: {dupes.height} rows share a key {keys}, e.g. {sample}")
    return df


def latest_per_day(raw: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Histories returned again with every capture (fund flows: ~100 sessions a call; bond yields: all of
    them) are upserted: the latest capture of each key wins."""
    return raw.sort("fetched_at", nulls_last=False).unique(keys, keep="last", maintain_order=True).sort(keys)


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


def stored_partition_rows(wh, table: str, before) -> list[int]:
    """Rows of the last REFERENCE_SESSIONS partitions stored before `before`, oldest first (only partitions that
    passed are ever stored). Looks back a month of sessions at most: a daily run reads days, not history."""
    since = (sessions_between(before - dt.timedelta(days=45), before)[:-1] or [before])[0]
    counts = wh.query(
        f"SELECT trade_date, count(*) AS n FROM {table} WHERE trade_date >= $s AND trade_date < $d "
        f"GROUP BY trade_date ORDER BY trade_date DESC LIMIT {REFERENCE_SESSIONS}",
        {"s": since, "d": before},
    )
    return counts["n"].to_list()[::-1]
