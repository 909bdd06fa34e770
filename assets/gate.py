"""The gate as Dagster sees it: a staging asset hands a candidate to the audit engine (etl/gate/engine.py) and
reports the verdict as its materialisation and blocking check.

The check is the suite's verdict; a refusal also fails the step with the rule and figures in its message.
A range table is judged a chunk of sessions at a time, each chunk applied in its own transaction.
"""

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import replace

import dagster as dg
import polars as pl

from assets.lineage import key, reads
from assets.options import layer_options
from assets.resources import WarehouseResource
from etl.gate import proposals
from etl.gate.engine import Candidate, Stored, Verdict, apply, judge, tally
from etl.gate.rules import Suite
from etl.warehouse import Warehouse

CHECK = "gx_suite"


def gx_check(suite: Suite) -> dg.AssetCheckSpec:
    layer, name = suite.table.split(".")
    return dg.AssetCheckSpec(
        CHECK,
        asset=key(layer, name),
        blocking=True,
        description=f"Great Expectations suite for {suite.table} (domains/*/suites.py); blocking",
    )


def gated(fn):
    """A staging asset's result is reported first (materialisation and check, with their metadata; a step
    that also writes side tables returns a list, one result per asset); if the gate refused anything, the
    step then fails with the rule and the figures, so the run's failure message says what happened, not only
    the UI's check tab. Never retried: the same data would be refused again."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        returned = fn(*args, **kwargs)
        results = returned if isinstance(returned, list) else [returned]
        yield from results
        failed = [c for r in results for c in r.check_results or [] if not c.passed]
        if failed:
            raise dg.Failure(description="; ".join(c.description or c.check_name for c in failed), allow_retries=False)

    return wrapper


def _results_md(results: list[dict]) -> str:
    lines = ["| rule | kind | expectation | ok | unexpected | examples |", "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r['rule']} | {r['kind']} | {r['expectation']} | {'✅' if r['success'] else '❌'} | "
            f"{r['unexpected']} | {', '.join(r['examples'])[:80]} |"
        )
    return "\n".join(lines)


def materialization(
    candidate: Candidate, verdict: Verdict, stored: int, metadata: dict | None = None
) -> dg.MaterializeResult:
    """The materialisation and its blocking check, with the rule and figures of every refusal."""
    c, v = candidate, verdict
    description = None
    if v.refused:
        description = (
            f"{c.table}: refused "
            + "; ".join(
                f"{k}: {', '.join(r['rules'])} ({', '.join(f'{n} {x}' for n, x in r['figures'].items())})"
                for k, r in sorted(v.refused.items())[:5]
            )
            + (" …" if len(v.refused) > 5 else "")
            + ("; the stored partitions were kept (quality.rejected_partitions, rejected.*)")
        )
    q = v.quarantine
    result = dg.AssetCheckResult(
        check_name=CHECK,
        passed=not v.refused,
        severity=dg.AssetCheckSeverity.ERROR,
        description=description,
        metadata={
            "expectations": len(v.results),
            "failed_expectations": sum(not r["success"] for r in v.results),
            "failed_partition_rules": sorted({rule for r in v.refused.values() for rule in r["rules"]}),
            "rejected_partitions": dg.MetadataValue.json({k: r for k, r in sorted(v.refused.items())}),
            "raw_rows": c.raw_rows,
            "passed_rows": v.passed_rows,
            "staging_rows": stored,
            "quarantined_rows": q.height,
            "superseded_rows": c.superseded,
            "quarantined_by_rule": dict(q.group_by("rule").len().iter_rows()) if q.height else {},
            "flagged_by_rule": v.flagged,
            "results": dg.MetadataValue.md(_results_md(v.results)),
            **({"data_docs": dg.MetadataValue.url(v.docs_url)} if v.docs_url else {}),
        },
    )
    return dg.MaterializeResult(
        metadata={
            "rows": stored,
            "quarantined": q.height,
            "refused_partitions": sorted(v.refused),
            **({"closed_by_data": list(v.closed)} if v.closed else {}),
            **(metadata or {}),
        },
        check_results=[result],
    )


def with_side_tables(result: dg.MaterializeResult, main: dg.AssetKey, side: dict[str, int]) -> list:
    """A gated multi-asset's results: its table (with the check) and, when nothing was refused, each side
    table it wrote in the same transaction (name -> rows). A refused candidate wrote none of them."""
    out = [dg.MaterializeResult(asset_key=main, metadata=result.metadata, check_results=result.check_results)]
    if not result.metadata["refused_partitions"]:
        out += [
            dg.MaterializeResult(asset_key=key(main.path[0], name), metadata={"rows": rows})
            for name, rows in side.items()
        ]
    return out


# The check's balance when nothing was judged: no raw row read, none staged, quarantined or superseded
NOTHING_JUDGED = {
    "raw_rows": 0,
    "passed_rows": 0,
    "staging_rows": 0,
    "quarantined_rows": 0,
    "superseded_rows": 0,
    "rejected_partitions": dg.MetadataValue.json({}),
}


def not_covered(table: str, coverage: dict) -> dg.MaterializeResult:
    """A run none of whose sessions the source covers: nothing judged, nothing written, and said so."""
    note = f"{table}: no session of the run is covered by the source ({coverage['source_covers']})"
    return dg.MaterializeResult(
        metadata={"rows": 0, "refused_partitions": [], "note": note, **coverage},
        check_results=[
            dg.AssetCheckResult(
                check_name=CHECK, passed=True, description=note, metadata={**NOTHING_JUDGED, **coverage}
            )
        ],
    )


def stage_latest_capture(
    context: dg.AssetExecutionContext,
    wh: Warehouse,
    *,
    raw: str,
    suite: Suite,
    keys: list[str],
    checks: dict[str, pl.Expr] | None = None,
    facts: Callable[[pl.DataFrame], dict] | None = None,
) -> dg.MaterializeResult:
    """Staging for histories captured again and again (fund flows, bond yields, CSI valuation, US indices):
    the latest capture of each key is the candidate; the captures it supersedes are counted, not lost. The
    candidate has the staging table's columns (its DDL, domains/<d>/staging.sql, is the one list of them);
    `checks`: check_* columns the suite reads; `facts`: the suite's facts, from the candidate."""
    from etl.gate.references import latest_per_day

    captured = wh.query(f"SELECT * FROM {proposals.relation(wh, raw, context.run_id)}")
    latest = latest_per_day(captured, keys)
    stored = wh.query(f"SELECT * FROM {suite.table} LIMIT 0").columns
    missing = [c for c in stored if c not in latest.columns]
    if missing:
        raise ValueError(f"{suite.table}: columns {missing} of its DDL are not in {raw}; stage them in a transform")
    candidate = latest.select(*stored, **(checks or {}))
    return stage_checked(
        context,
        wh,
        Candidate(
            suite,
            candidate,
            key_columns=keys,
            raw_rows=captured.height,
            owns=[raw],
            superseded=captured.height - latest.height,
            facts=facts(candidate) if facts else None,
        ),
    )


def latest_capture_asset(
    suite: Suite,
    *,
    keys: list[str],
    description: str,
    checks: dict[str, pl.Expr] | None = None,
    facts: Callable[[pl.DataFrame], dict] | None = None,
) -> dg.AssetsDefinition:
    """The staging asset of a history captured again and again, raw.<name> -> staging.<name>: the latest capture
    of each key wins (`stage_latest_capture`), judged by `suite`."""
    name = suite.table.split(".", 1)[1]
    raw = f"raw.{name}"

    @dg.asset(
        key_prefix="staging",
        name=name,
        description=description,
        deps=reads(raw),
        check_specs=[gx_check(suite)],
        **layer_options("staging"),
    )
    @gated
    def staging_step(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        return stage_latest_capture(
            context,
            warehouse.get(),
            raw=raw,
            suite=suite,
            keys=keys,
            checks=checks,
            facts=facts,
        )

    return staging_step


def stage_sessions(
    context: dg.AssetExecutionContext,
    wh: Warehouse,
    table: str,
    days: Sequence[dt.date],
    build: Callable[[list[dt.date]], Candidate],
    metadata: dict | None = None,
    narrow: bool = False,
    inputs: Sequence[str] = (),
    owns: Sequence[str] = (),
) -> dg.MaterializeResult:
    """The gate for a range table, a chunk of sessions at a time (assets/chunks.py CHUNK_SESSIONS): each chunk's
    candidate is built (`build(chunk)`, reading only that chunk), judged and written in its own transaction,
    oldest first, so a later chunk's references (previous close, the size of the last sessions) are the
    partitions that passed before it. One materialisation and check report the run. Sessions still as their
    gate settled them are not judged again (etl/gate/unchanged.py); `inputs`: the tables besides raw that
    `build` reads; `owns`: its raw tables (default raw.<name>). A closure declared after its day was stored
    is taken back first (etl/gate/retract.py)."""
    from assets.chunks import each_chunk
    from etl.gate import unchanged

    raw_table = f"raw.{table.split('.', 1)[1]}"
    retracted = retract_declared_closures(context, wh, table, owns or [raw_table])
    digest = unchanged.inputs_digest(wh, inputs)
    same, edited = unchanged.still_settled(wh, raw_table, days, unchanged.marked(wh, raw_table, context.run_id), digest)
    if edited:
        context.log.warning(
            f"{table}: staged rows of {', '.join(map(str, edited))} differ from what the gate settled (edited in "
            "place): judged again from raw"
        )
    days = [d for d in days if d not in set(same)]
    metadata = {
        **(metadata or {}),
        **({"retracted_closures": retracted} if retracted else {}),
        "sessions_unchanged": len(same),
        **({"staging_edited_sessions": dg.MetadataValue.json([d.isoformat() for d in edited])} if edited else {}),
    }
    if not days:
        wh.write(unchanged.forget(raw_table, context.run_id))
        return nothing_new(table, metadata)

    judged: list[tuple[Candidate, Verdict]] = []
    stored = passed = 0

    def step(chunk: list[dt.date]) -> dict:
        nonlocal stored, passed
        candidate = replace(build(chunk), inputs=digest)
        verdict = judge(candidate, context.run_id)
        stored += apply(wh, candidate, verdict, context.run_id)[0]
        passed += verdict.passed_rows
        # what the report needs, without the chunk's rows
        judged.append(
            (
                replace(candidate, rows=candidate.rows.head(0), set_aside=None),
                replace(verdict, passed=verdict.passed.head(0)),
            )
        )
        return {}

    chunked = each_chunk(context, table, days, step, wh, narrow)
    wh.write(unchanged.forget(raw_table, context.run_id))
    candidate, verdict = tally(judged, passed)
    return materialization(candidate, verdict, stored, {**metadata, **chunked})


def retract_declared_closures(
    context: dg.AssetExecutionContext, wh: Warehouse, table: str, raw_tables: Sequence[str]
) -> list[str]:
    """The declared closures of the run's months that `table` still holds, taken back with the rows of the
    marts built per session on it; returns them (ISO)."""
    from assets.partitions import months_span
    from assets.publish import RETRACTED_WITH
    from etl.gate import retract

    months = list(context.partition_keys)
    if not months:
        return []
    held = retract.held_closures(wh, table, *months_span(months))
    if not held:
        return []
    days = [d.isoformat() for d in sorted(held)]
    retract.retract(wh, table, raw_tables, held, context.run_id, RETRACTED_WITH.get(table, ()))
    context.log.warning(f"{table}: {', '.join(days)} declared closed after being stored: taken back (rejected.*)")
    return days


def nothing_new(table: str, metadata: dict) -> dg.MaterializeResult:
    """A run whose sessions were all unchanged since their gate accepted them: nothing judged or written."""
    note = f"{table}: every session of the run is as its gate accepted it (captures, code, staged rows)"
    return dg.MaterializeResult(
        metadata={"rows": 0, "refused_partitions": [], "note": note, **metadata},
        check_results=[dg.AssetCheckResult(check_name=CHECK, passed=True, description=note, metadata=NOTHING_JUDGED)],
    )


def stage_checked(
    context: dg.AssetExecutionContext,
    wh: Warehouse,
    candidate: Candidate,
    store: Callable[[pl.DataFrame], Stored] | None = None,
    metadata: dict | None = None,
) -> dg.MaterializeResult:
    """The gate in three steps: judge (nothing written), apply (what passed stored, what was refused kept
    aside), and the materialisation with its check."""
    verdict = judge(candidate, context.run_id)
    stored, _ = apply(wh, candidate, verdict, context.run_id, store)
    return materialization(candidate, verdict, stored, metadata)
