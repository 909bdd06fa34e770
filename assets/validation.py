"""The quality gate every staging asset passes through: its Great Expectations suite runs on the candidate
rows, rows breaking a row rule go to quality.quarantine with the rule's name, the rest to staging, in one
transaction; the suite's result is the asset's blocking check, so a failed partition stops the marts."""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import dagster as dg
import polars as pl

from assets.common import key
from etl import quarantine
from etl.warehouse import Replace, Warehouse

CHECK = "gx_suite"
VALIDATION_ONLY = ("partition_date",)  # plus every check_* column: inputs to rules, not stored in staging


def gx_check(table: str) -> dg.AssetCheckSpec:
    layer, name = table.split(".")
    return dg.AssetCheckSpec(CHECK, asset=key(layer, name), blocking=True,
                             description=f"Great Expectations suite for {table} (quality/suites.py); blocking")


def _results_md(results: list[dict]) -> str:
    lines = ["| rule | kind | expectation | ok | unexpected | examples |", "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['rule']} | {r['kind']} | {r['expectation']} | {'✅' if r['success'] else '❌'} | "
                     f"{r['unexpected']} | {', '.join(r['examples'])[:80]} |")
    return "\n".join(lines)


def stage_checked(
    context: dg.AssetExecutionContext,
    wh: Warehouse,
    table: str,
    candidate: pl.DataFrame,
    *,
    key_columns: Sequence[str],
    raw_rows: int,
    days: Sequence[dt.date] | None = None,
    partition_column: str | None = None,
    partitions: pl.DataFrame | None = None,
    facts: dict | None = None,
    prior_bad: pl.DataFrame | None = None,
    also: Sequence[Replace] = (),
    store: Callable[[pl.DataFrame], Any] | None = None,
    metadata: dict | None = None,
) -> dg.MaterializeResult:
    """Validate the candidate rows, set aside those breaking a row rule (with `prior_bad`, rows the transform
    already set aside with rule and value columns), write the rest and the quarantine in one transaction, and
    report. `store` builds what is written from the rows that passed when the table is not one row per
    candidate (history and aggregate tables); it may return (frame, extra replacements). The balance
    raw rows = passed + quarantined is part of the check."""
    from quality.suites import SUITES
    from quality.validate import validate

    outcome = validate(SUITES[table], candidate, partitions, facts)
    indexed = candidate.with_row_index("__row")
    good = indexed.join(outcome.bad_rows.select("__row"), on="__row", how="anti").drop("__row")
    bad = indexed.join(outcome.bad_rows, on="__row").drop("__row")
    good = good.select([c for c in good.columns if not c.startswith("check_") and c not in VALIDATION_ONLY])
    passed_rows = good.height
    if store is not None:
        built = store(good)
        good, extra = built if isinstance(built, tuple) else (built, [])
        also = [*also, *extra]
    set_aside = [b for b in (prior_bad, bad) if b is not None and b.height]
    part = pl.col(partition_column) if partition_column else "*"
    q = quarantine.rows(pl.concat(set_aside, how="diagonal_relaxed") if set_aside else pl.DataFrame(),
                        table, list(key_columns), part, context.run_id)
    scope = [d.isoformat() for d in days] if days is not None else None
    writes = [quarantine.replace(table, q, scope), *also]
    if days is not None:
        wh.replace_partitions(table, good, days, "trade_date", *writes)
    else:
        wh.replace_table(table, good, *writes)
    stored = passed_rows
    balanced = raw_rows == stored + q.height
    passed = outcome.passed and balanced
    result = dg.AssetCheckResult(
        check_name=CHECK,
        passed=passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=None if passed else (
            f"partition rules failed: {outcome.failed_partition_rules}" if not outcome.passed
            else f"rows unaccounted for: raw {raw_rows} != staged {stored} + quarantined {q.height}"),
        metadata={
            "expectations": outcome.summary["expectations"],
            "failed_expectations": outcome.summary["failed"],
            "failed_partition_rules": outcome.failed_partition_rules,
            "raw_rows": raw_rows, "passed_rows": passed_rows, "staging_rows": good.height, "quarantined_rows": q.height,
            "quarantined_by_rule": dict(q.group_by("rule").len().iter_rows()) if q.height else {},
            "results": dg.MetadataValue.md(_results_md(outcome.results)),
            **({"data_docs": dg.MetadataValue.url(outcome.docs_url)} if outcome.docs_url else {}),
        },
    )
    return dg.MaterializeResult(
        metadata={"rows": good.height, "quarantined": q.height, **(metadata or {})},
        check_results=[result],
    )
