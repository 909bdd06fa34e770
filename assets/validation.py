"""The quality gate every staging asset passes through, and the only place raw and staging are written.

Audit before write: the raw step proposed its rows (etl/proposals.py); here the Great Expectations suite
judges them. Row rules first: breaking rows go to quality.quarantine with the rule's name. Then partition
rules, on a summary of the rows that *passed* (a quarantined bar is not a bar that is present). Partitions
that pass replace raw, staging and quarantine in one transaction; a refused partition changes none of them:
its rows go to rejected.<raw table>, a row to quality.rejected_partitions says which rule refused it with
which figures, and a live landing file is moved under _rejected/. The suite's verdict is the asset's
blocking check, and a refusal also fails the step with the rule and figures in its message.
"""

import datetime as dt
import functools
import json
from collections.abc import Callable, Sequence
from typing import Any

import dagster as dg
import polars as pl

from assets.common import key
from etl import proposals, quarantine
from etl.warehouse import Replace, Sql, Warehouse

CHECK = "gx_suite"
VALIDATION_ONLY = ("partition_date",)  # plus every check_* column: inputs to rules, not stored in staging
WHOLE = "*"  # partition key of a whole-table candidate


def gx_check(table: str) -> dg.AssetCheckSpec:
    layer, name = table.split(".")
    return dg.AssetCheckSpec(CHECK, asset=key(layer, name), blocking=True,
                             description=f"Great Expectations suite for {table} (quality/suites.py); blocking")


def gated(fn):
    """A staging asset's result is reported first (materialisation and check, with their metadata); if the
    gate refused anything, the step then fails with the rule and the figures, so the run's failure message
    says what happened, not only the UI's check tab. Never retried: the same data would be refused again."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        result = fn(*args, **kwargs)
        yield result
        failed = [c for c in result.check_results or [] if not c.passed]
        if failed:
            raise dg.Failure(description="; ".join(c.description or c.check_name for c in failed),
                             allow_retries=False)
    return wrapper


def _results_md(results: list[dict]) -> str:
    lines = ["| rule | kind | expectation | ok | unexpected | examples |", "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['rule']} | {r['kind']} | {r['expectation']} | {'✅' if r['success'] else '❌'} | "
                     f"{r['unexpected']} | {', '.join(r['examples'])[:80]} |")
    return "\n".join(lines)


def _key_text(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _figures(row: dict) -> dict:
    return {k: (_key_text(v) if isinstance(v, dt.date) else (round(v, 4) if isinstance(v, float) else v))
            for k, v in row.items() if k != "partition"}


def stage_checked(
    context: dg.AssetExecutionContext,
    wh: Warehouse,
    table: str,
    candidate: pl.DataFrame,
    *,
    key_columns: Sequence[str],
    raw_rows: int,
    owns: Sequence[str] = (),
    days: Sequence[dt.date] | None = None,
    partition_column: str | None = None,
    summarise: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
    facts: dict | None = None,
    prior_bad: pl.DataFrame | None = None,
    also: Sequence[Replace] = (),
    store: Callable[[pl.DataFrame], Any] | None = None,
    quarantine_scope: Sequence[str] | None = None,
    superseded: int = 0,
    metadata: dict | None = None,
) -> dg.MaterializeResult:
    """Judge the candidate rows and write what passed, settling the raw proposals of `owns` with it.

    Range assets give `days` (and the `partition_column` that names each row's partition): each partition
    passes or is refused on its own. Others are judged whole. `summarise(rows that passed)` gives one row per
    partition (column `partition`) for the partition rules; without it, one row with `rows`. `prior_bad`:
    rows the transform already set aside (with rule and value). `store` builds what is written from the rows
    that passed when the table is not one row per candidate; it may return (frame, extra replacements).
    `quarantine_scope`: for a whole-table gate fed only new captures, the partition keys whose quarantine
    rows are replaced (the rest stay). `superseded`: raw rows that are earlier captures of a key whose latest
    capture is the candidate (histories re-fetched daily), kept in raw and counted, not staged. The balance
    raw rows = passed + quarantined + superseded is part of the verdict."""
    from quality.suites import SUITES
    from quality.validate import validate, validate_partitions

    suite = SUITES[table]
    row_outcome = validate(suite, candidate, facts)
    indexed = candidate.with_row_index("__row")
    passed = indexed.join(row_outcome.bad_rows.select("__row"), on="__row", how="anti").drop("__row")
    bad = indexed.join(row_outcome.bad_rows, on="__row").drop("__row")
    summary = summarise(passed) if summarise is not None else pl.DataFrame({"rows": [passed.height]})
    part_outcome = validate_partitions(suite, summary, facts)

    # the verdict per partition: the first partition rule each breaks, with what the rule saw
    refused: dict[str, dict] = {}
    for r, rule in part_outcome.bad_rows.select("__row", "rule").iter_rows():
        row = summary.row(r, named=True)
        refused[_key_text(row["partition"]) if "partition" in row else WHOLE] = {"rules": [rule], "figures": _figures(row)}
    set_aside = [b for b in (prior_bad, bad) if b is not None and b.height]
    q = quarantine.rows(pl.concat(set_aside, how="diagonal_relaxed") if set_aside else pl.DataFrame(),
                        table, list(key_columns), pl.col(partition_column) if partition_column else WHOLE, context.run_id)
    balanced = raw_rows == passed.height + q.height + superseded
    scope = [d.isoformat() for d in days] if days is not None else [WHOLE]
    if not balanced:
        figures = {"raw_rows": raw_rows, "passed_rows": passed.height, "quarantined_rows": q.height,
                   "superseded_rows": superseded}
        refused = {k: {"rules": [*refused.get(k, {}).get("rules", []), "rows_unaccounted_for"],
                       "figures": {**refused.get(k, {}).get("figures", {}), **figures}} for k in scope}
    if days is not None and WHOLE in refused:  # a whole-candidate rule refuses every partition of the range
        refused = {k: refused[WHOLE] for k in scope}
    accepted = [k for k in scope if k not in refused]

    steps: list = []
    stored = 0
    if days is not None:
        ok_days = [d for d in days if d.isoformat() in accepted]
        keep = pl.col(partition_column).cast(pl.String).is_in(accepted)
        good = passed.filter(keep)
        q = q.filter(pl.col("partition_key").is_in(accepted))
        good = good.select([c for c in good.columns if not c.startswith("check_") and c not in VALIDATION_ONLY])
        if ok_days:
            steps += [Replace(table, good, "trade_date IN (SELECT UNNEST($dates))", {"dates": ok_days}),
                      quarantine.replace(table, q, accepted), *also]
            stored = good.height
    elif accepted:
        good = passed.select([c for c in passed.columns if not c.startswith("check_") and c not in VALIDATION_ONLY])
        if store is not None:
            built = store(good)
            good, extra = built if isinstance(built, tuple) else (built, [])
            also = [*also, *extra]
        steps += [Replace(table, good), quarantine.replace(table, q, quarantine_scope), *also]
        stored = good.height

    moved_aside = []
    settled_raw = []
    for raw_table in owns:
        proposal = proposals.pending(wh, raw_table)
        if proposal is None:
            continue
        judged = scope if days is not None else None
        settlement = proposals.settle(proposal, judged, accepted if days is not None else (None if accepted else []),
                                      context.run_id)
        steps += settlement.steps
        moved_aside += settlement.rejected_captures
        settled_raw.append(raw_table)
    now = dt.datetime.now(dt.timezone.utc)
    rejections = pl.DataFrame(
        [{"table_name": table, "partition_key": k, "rules": v["rules"], "figures": json.dumps(v["figures"]),
          "raw_tables": settled_raw, "landing_files": [], "run_id": context.run_id, "rejected_at": now}
         for k, v in sorted(refused.items())],
        schema={"table_name": pl.String, "partition_key": pl.String, "rules": pl.List(pl.String),
                "figures": pl.String, "raw_tables": pl.List(pl.String), "landing_files": pl.List(pl.String),
                "run_id": pl.String, "rejected_at": pl.Datetime("us", "UTC")})
    if rejections.height:
        steps.append(Replace("quality.rejected_partitions", rejections, "false"))  # append only
    if steps:
        wh.write(*steps)
    if moved_aside:
        files = proposals.move_aside(moved_aside, f"refused by the {table} gate in run {context.run_id}")
        wh.write(Sql("UPDATE quality.rejected_partitions SET landing_files = $f WHERE run_id = $r AND table_name = $t",
                     {"f": files, "r": context.run_id, "t": table}))

    description = None
    if refused:
        description = f"{table}: refused " + "; ".join(
            f"{k}: {', '.join(v['rules'])} ({', '.join(f'{n} {x}' for n, x in v['figures'].items())})"
            for k, v in sorted(refused.items())[:5]) + (" …" if len(refused) > 5 else "") + (
            "; the stored partitions were kept (quality.rejected_partitions, rejected.*)")
    results = row_outcome.results + part_outcome.results
    result = dg.AssetCheckResult(
        check_name=CHECK,
        passed=not refused,
        severity=dg.AssetCheckSeverity.ERROR,
        description=description,
        metadata={
            "expectations": row_outcome.summary["expectations"] + part_outcome.summary["expectations"],
            "failed_expectations": row_outcome.summary["failed"] + part_outcome.summary["failed"],
            "failed_partition_rules": sorted({r for v in refused.values() for r in v["rules"]}),
            "rejected_partitions": dg.MetadataValue.json({k: v for k, v in sorted(refused.items())}),
            "raw_rows": raw_rows, "passed_rows": passed.height, "staging_rows": stored, "quarantined_rows": q.height,
            "superseded_rows": superseded,
            "quarantined_by_rule": dict(q.group_by("rule").len().iter_rows()) if q.height else {},
            "flagged_by_rule": row_outcome.flagged,
            "results": dg.MetadataValue.md(_results_md(results)),
            **({"data_docs": dg.MetadataValue.url(row_outcome.docs_url)} if row_outcome.docs_url else {}),
        },
    )
    return dg.MaterializeResult(
        metadata={"rows": stored, "quarantined": q.height, "refused_partitions": sorted(refused), **(metadata or {})},
        check_results=[result],
    )
