"""Snapshots -> validity intervals (SCD type 2), and "as of day D" look-ups with the look-ahead shown.

akshare returns only the current state of board membership and of the stock list. Every snapshot the
warehouse ever took is kept; an interval [valid_from, valid_to) opens when a key (with its values) appears
and closes on the first later capture of the same scope in which it is absent or changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl


def intervals(
    observations: pl.DataFrame,
    keys: Sequence[str],
    values: Sequence[str] = (),
    scope: Sequence[str] = (),
    date: str = "snapshot_date",
) -> pl.DataFrame:
    """`observations`: one row per key per capture. `scope` says what one capture covers (a board for
    membership: a board not captured that day says nothing about its members). Returns keys, values,
    valid_from, valid_to (null while open)."""
    scope = list(scope)
    keys, values = list(keys), list(values)
    captures = (
        observations.select(*scope, date)
        .unique()
        .with_columns(__seq=pl.col(date).rank("dense").over(scope) if scope else pl.col(date).rank("dense"))
        .with_columns(pl.col("__seq").cast(pl.Int64))
    )
    seq = observations.join(captures, on=[*scope, date], how="left")
    group = [*scope, *keys]
    ordered = seq.sort([*group, "__seq"])
    changed = pl.col("__seq") != pl.col("__seq").shift(1).over(group) + 1
    for v in values:
        changed = changed | (pl.col(v).ne_missing(pl.col(v).shift(1).over(group)))
    runs = (
        ordered.with_columns(__run=changed.fill_null(True).cast(pl.Int64).cum_sum().over(group))
        .group_by([*group, "__run"])
        .agg(*[pl.col(v).first() for v in values], valid_from=pl.col(date).min(), __last=pl.col("__seq").max())
    )
    closing = captures.select(*scope, pl.col("__seq") - 1, pl.col(date).alias("valid_to")).rename({"__seq": "__last"})
    out = runs.join(closing, on=[*scope, "__last"], how="left")
    return out.select(*group, *values, "valid_from", "valid_to").sort([*group, "valid_from"])


def captures(observations: pl.DataFrame, scope: Sequence[str] = (), date: str = "snapshot_date") -> pl.DataFrame:
    return observations.select(*scope, pl.col(date).alias("capture_date")).unique().sort([*scope, "capture_date"])


def as_of(history: pl.DataFrame, taken: pl.DataFrame, day: dt.date, scope: Sequence[str] = ()) -> pl.DataFrame:
    """Rows valid on `day` plus `as_of_date`, the capture the answer rests on: the latest capture on or before
    `day`, or, before a scope's first capture, the earliest one (as_of_date > day: look-ahead, shown)."""
    scope = list(scope)
    agg = dict(
        as_of_date=pl.coalesce(
            pl.col("capture_date").filter(pl.col("capture_date") <= day).max(), pl.col("capture_date").min()
        )
    )
    basis = taken.group_by(scope).agg(**agg) if scope else taken.select(**agg)
    joined = history.join(basis, on=scope, how="inner") if scope else history.join(basis, how="cross")
    at = pl.col("as_of_date")
    return joined.filter((pl.col("valid_from") <= at) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > at)))
