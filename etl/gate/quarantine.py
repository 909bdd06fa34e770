"""Rows that break a row-level rule are set aside in quality.quarantine with the rule's name, never dropped."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from etl.warehouse import Replace

SCHEMA = {
    "table_name": pl.String,
    "partition_key": pl.String,
    "row_key": pl.String,
    "rule": pl.String,
    "value": pl.String,
    "run_id": pl.String,
    "detected_at": pl.Datetime("us", "UTC"),
}


def split(frame: pl.DataFrame, rules: dict[str, tuple[pl.Expr, pl.Expr]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Apply row rules: name -> (expression True for a *bad* row, the offending value). Returns (good rows,
    bad rows with `rule` and `value`); a bad row is listed once, under the first rule it breaks."""
    remaining = frame
    bad = [frame.head(0).with_columns(rule=pl.lit(None, pl.String), value=pl.lit(None, pl.String))]
    for name, (broken, value) in rules.items():
        hit = remaining.with_columns(__broken=broken.fill_null(False))
        bad.append(hit.filter("__broken").drop("__broken").with_columns(rule=pl.lit(name), value=value.cast(pl.String)))
        remaining = hit.filter(~pl.col("__broken")).drop("__broken")
    return remaining, pl.concat(bad, how="vertical_relaxed")


def rows(bad: pl.DataFrame, table: str, key: list[str], partition: pl.Expr | str, run_id: str | None) -> pl.DataFrame:
    if bad.height == 0:
        return pl.DataFrame(schema=SCHEMA)
    part = pl.lit(partition) if isinstance(partition, str) else partition.cast(pl.String)
    return bad.select(
        table_name=pl.lit(table),
        partition_key=part,
        row_key=pl.concat_str([pl.col(k).cast(pl.String).fill_null("∅") for k in key], separator="|"),
        rule=pl.col("rule"),
        value=pl.col("value"),
        run_id=pl.lit(run_id, pl.String),
        detected_at=pl.lit(dt.datetime.now(dt.UTC)).cast(pl.Datetime("us", "UTC")),
    )


REFUSAL_SCHEMA = {
    "table_name": pl.String,
    "partition_key": pl.String,
    "rules": pl.List(pl.String),
    "figures": pl.String,
    "raw_tables": pl.List(pl.String),
    "landing_files": pl.List(pl.String),
    "run_id": pl.String,
    "rejected_at": pl.Datetime("us", "UTC"),
}


def refusals(rows: list[dict]) -> Replace:
    """Rows appended to quality.rejected_partitions (table_name, partition_key, rules, figures as a dict,
    raw_tables, landing_files, run_id), stamped now, in the transaction they are part of."""
    now = dt.datetime.now(dt.UTC)
    frame = pl.DataFrame(
        [{**r, "figures": json.dumps(r["figures"], ensure_ascii=False), "rejected_at": now} for r in rows],
        schema=REFUSAL_SCHEMA,
    )
    return Replace("quality.rejected_partitions", frame, "false")  # append only


def replace(table: str, quarantined: pl.DataFrame, partitions: list[str] | None = None) -> Replace:
    """The quarantine rows of `table` (for `partitions`, or all) replaced in the same transaction."""
    if partitions is None:
        return Replace("quality.quarantine", quarantined, "table_name = $t", {"t": table})
    return Replace(
        "quality.quarantine",
        quarantined,
        "table_name = $t AND partition_key IN (SELECT UNNEST($p))",
        {"t": table, "p": partitions},
    )
