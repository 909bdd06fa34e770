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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import dagster as dg
import polars as pl

from assets.common import key
from etl import proposals, quarantine
from etl.warehouse import Replace, Sql, Warehouse
from quality.suites import MAX_ROWS_RATIO, MIN_ROWS_RATIO

# a partition's rows against the median of the last partitions that passed (etl/transforms/staging.py)
SIZE_BAND = (MIN_ROWS_RATIO, MAX_ROWS_RATIO)

CHECK = "gx_suite"
VALIDATION_ONLY = ("partition_date",)  # plus every check_* column: inputs to rules, not stored in staging
WHOLE = "*"  # partition key of a whole-table candidate


def gx_check(table: str) -> dg.AssetCheckSpec:
    layer, name = table.split(".")
    return dg.AssetCheckSpec(
        CHECK,
        asset=key(layer, name),
        blocking=True,
        description=f"Great Expectations suite for {table} (quality/suites.py); blocking",
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


def _key_text(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _figures(row: dict) -> dict:
    return {
        k: (_key_text(v) if isinstance(v, dt.date) else (round(v, 4) if isinstance(v, float) else v))
        for k, v in row.items()
        if k != "partition"
    }


@dataclass(frozen=True)
class Stored:
    """What a whole-table gate writes from the rows that passed, when the table is not one row per candidate
    (histories, aggregates): the table, and side tables written in the same transaction."""

    table: pl.DataFrame
    side: Sequence = ()  # Replace / Sql steps


@dataclass(frozen=True)
class Candidate:
    """What a staging asset hands the gate.

    Range assets give `days` and the `partition_column` naming each row's partition: each partition passes or
    is refused on its own; others are judged whole. `owns`: the raw tables whose proposals this gate settles.
    `summarise(rows that passed)` gives one row per partition (column `partition`) for the partition rules;
    without it, one row with `rows`. `set_aside`: rows the transform already set aside (with rule and value).
    `superseded`: raw rows that are earlier captures of a key whose latest capture is a candidate row
    (histories re-fetched daily), kept in raw and counted, not staged. The balance raw rows = passed +
    quarantined + superseded is part of the verdict. `quarantine_scope`: for a whole-table gate fed only new
    captures, the partition keys whose quarantine rows are replaced (the others stay)."""

    table: str
    rows: pl.DataFrame
    key_columns: Sequence[str]
    raw_rows: int
    owns: Sequence[str] = ()
    days: Sequence[dt.date] | None = None
    partition_column: str | None = None
    summarise: Callable[[pl.DataFrame], pl.DataFrame] | None = None
    facts: dict | None = None
    set_aside: pl.DataFrame | None = None
    superseded: int = 0
    quarantine_scope: Sequence[str] | None = None

    @property
    def scope(self) -> list[str]:
        return [d.isoformat() for d in self.days] if self.days is not None else [WHOLE]


@dataclass(frozen=True)
class Verdict:
    passed: pl.DataFrame  # rows that passed the row rules, every partition
    quarantine: pl.DataFrame  # quality.quarantine rows, every partition
    refused: dict[str, dict]  # partition key -> {"rules": [...], "figures": {...}}
    accepted: list[str]  # partition keys that passed (WHOLE for a whole-table candidate)
    results: list[dict]
    flagged: dict[str, int]
    docs_url: str | None

    @property
    def passed_rows(self) -> int:
        return self.passed.height


def judge(candidate: Candidate, run_id: str) -> Verdict:
    """Row rules, then partition rules on the rows that passed, then the balance: nothing is written here."""
    from quality.suites import SUITES
    from quality.validate import validate, validate_partitions

    c = candidate
    suite = SUITES[c.table]
    row_outcome = validate(suite, c.rows, c.facts)
    indexed = c.rows.with_row_index("__row")
    passed = indexed.join(row_outcome.bad_rows.select("__row"), on="__row", how="anti").drop("__row")
    bad = indexed.join(row_outcome.bad_rows, on="__row").drop("__row")
    summary = c.summarise(passed) if c.summarise is not None else pl.DataFrame({"rows": [passed.height]})
    part_outcome = validate_partitions(suite, summary, c.facts)

    # the verdict per partition: the first partition rule each breaks, with what the rule saw
    refused: dict[str, dict] = {}
    for r, rule in part_outcome.bad_rows.select("__row", "rule").iter_rows():
        row = summary.row(r, named=True)
        refused[_key_text(row["partition"]) if "partition" in row else WHOLE] = {
            "rules": [rule],
            "figures": _figures(row),
        }
    set_aside = [b for b in (c.set_aside, bad) if b is not None and b.height]
    q = quarantine.rows(
        pl.concat(set_aside, how="diagonal_relaxed") if set_aside else pl.DataFrame(),
        c.table,
        list(c.key_columns),
        pl.col(c.partition_column) if c.partition_column else WHOLE,
        run_id,
    )
    if c.raw_rows != passed.height + q.height + c.superseded:
        figures = {
            "raw_rows": c.raw_rows,
            "passed_rows": passed.height,
            "quarantined_rows": q.height,
            "superseded_rows": c.superseded,
        }
        refused = {
            k: {
                "rules": [*refused.get(k, {}).get("rules", []), "rows_unaccounted_for"],
                "figures": {**refused.get(k, {}).get("figures", {}), **figures},
            }
            for k in c.scope
        }
    if c.days is not None and WHOLE in refused:  # a whole-candidate rule refuses every partition of the range
        refused = {k: refused[WHOLE] for k in c.scope}
    return Verdict(
        passed,
        q,
        refused,
        [k for k in c.scope if k not in refused],
        row_outcome.results + part_outcome.results,
        row_outcome.flagged,
        row_outcome.docs_url,
    )


def _stored_columns(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select([c for c in frame.columns if not c.startswith("check_") and c not in VALIDATION_ONLY])


def write(
    wh: Warehouse,
    candidate: Candidate,
    verdict: Verdict,
    run_id: str,
    store: Callable[[pl.DataFrame], Stored] | None = None,
) -> tuple[int, list[str]]:
    """One transaction: what passed replaces staging, its quarantine rows and (settling the proposals of the
    raw tables the candidate owns) raw; what was refused goes to rejected.* and quality.rejected_partitions.
    Then live landing files of refused partitions are moved aside. Returns (staging rows, files moved)."""
    c, v = candidate, verdict
    steps: list = []
    stored = 0
    if c.days is not None:
        ok_days = [d for d in c.days if d.isoformat() in v.accepted]
        if ok_days:
            good = _stored_columns(v.passed.filter(pl.col(c.partition_column).cast(pl.String).is_in(v.accepted)))
            q = v.quarantine.filter(pl.col("partition_key").is_in(v.accepted))
            steps += [
                Replace(c.table, good, "trade_date IN (SELECT UNNEST($dates))", {"dates": ok_days}),
                quarantine.replace(c.table, q, v.accepted),
            ]
            stored = good.height
    elif v.accepted:
        built = store(_stored_columns(v.passed)) if store is not None else Stored(_stored_columns(v.passed))
        steps += [
            Replace(c.table, built.table),
            quarantine.replace(c.table, v.quarantine, c.quarantine_scope),
            *built.side,
        ]
        stored = built.table.height

    moved_aside, settled = [], []
    for raw_table in c.owns:
        proposal = proposals.pending(wh, raw_table, run_id)
        if proposal is None:
            continue
        accepted = v.accepted if c.days is not None else (None if v.accepted else [])
        settlement = proposals.settle(proposal, c.scope if c.days is not None else None, accepted, run_id)
        steps += settlement.steps
        moved_aside += settlement.rejected_captures
        settled.append(raw_table)
    if v.refused:
        steps.append(
            quarantine.refusals(
                [
                    {
                        "table_name": c.table,
                        "partition_key": k,
                        "rules": r["rules"],
                        "figures": r["figures"],
                        "raw_tables": settled,
                        "landing_files": [],
                        "run_id": run_id,
                    }
                    for k, r in sorted(v.refused.items())
                ]
            )
        )
    if steps:
        wh.write(*steps)
    files = []
    if moved_aside:
        files = proposals.move_aside(moved_aside, f"refused by the {c.table} gate in run {run_id}")
        wh.write(
            Sql(
                "UPDATE quality.rejected_partitions SET landing_files = $f WHERE run_id = $r AND table_name = $t",
                {"f": files, "r": run_id, "t": c.table},
            )
        )
    return stored, files


def report(candidate: Candidate, verdict: Verdict, stored: int, metadata: dict | None = None) -> dg.MaterializeResult:
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
        metadata={"rows": stored, "quarantined": q.height, "refused_partitions": sorted(v.refused), **(metadata or {})},
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


def not_covered(table: str, coverage: dict) -> dg.MaterializeResult:
    """A run none of whose sessions the source covers: nothing judged, nothing written, and said so."""
    note = f"{table}: no session of the run is covered by the source ({coverage['source_covers']})"
    return dg.MaterializeResult(
        metadata={"rows": 0, "refused_partitions": [], "note": note, **coverage},
        check_results=[dg.AssetCheckResult(check_name=CHECK, passed=True, description=note, metadata=coverage)],
    )


def stage_latest_capture(
    context: dg.AssetExecutionContext,
    wh: Warehouse,
    *,
    raw: str,
    table: str,
    keys: list[str],
    columns: list[str],
    checks: dict[str, pl.Expr] | None = None,
    facts: Callable[[pl.DataFrame], dict] | None = None,
) -> dg.MaterializeResult:
    """Staging for histories captured again and again (fund flows, bond yields, CSI valuation, US indices):
    the latest capture of each key is the candidate; the captures it supersedes are counted, not lost.
    `checks`: check_* columns the suite reads; `facts`: the suite's facts, from the candidate."""
    from etl.transforms.staging import PROVENANCE, latest_per_day

    captured = wh.query(f"SELECT * FROM {proposals.relation(wh, raw, context.run_id)}")
    latest = latest_per_day(captured, keys)
    candidate = latest.select(*columns, *PROVENANCE, **(checks or {}))
    return stage_checked(
        context,
        wh,
        Candidate(
            table,
            candidate,
            key_columns=keys,
            raw_rows=captured.height,
            owns=[raw],
            superseded=captured.height - latest.height,
            facts=facts(candidate) if facts else None,
        ),
    )


@dataclass(frozen=True)
class Tally(Verdict):
    """The verdicts of a range run's chunks, added up for the one materialisation and check it reports."""

    rows_passed: int = 0

    @property
    def passed_rows(self) -> int:
        return self.rows_passed


def tally(judged: list[tuple[Candidate, Verdict]], passed_rows: int) -> tuple[Candidate, Verdict]:
    """The chunks' candidates and verdicts (their rows dropped) as one; `passed_rows` counted as they passed."""
    first = judged[0][0]
    results: dict[tuple, dict] = {}
    for _, v in judged:
        for r in v.results:
            seen = results.setdefault((r["rule"], r["kind"], r["expectation"]), {**r, "unexpected": 0, "examples": []})
            seen["success"] = seen["success"] and r["success"]
            seen["unexpected"] += r["unexpected"]
            seen["examples"] = (seen["examples"] + r["examples"])[:3]
    flagged: dict[str, int] = {}
    for _, v in judged:
        for rule, n in v.flagged.items():
            flagged[rule] = flagged.get(rule, 0) + n
    quarantined = [v.quarantine for _, v in judged if v.quarantine.height]
    candidate = Candidate(
        first.table,
        first.rows.head(0),
        first.key_columns,
        raw_rows=sum(c.raw_rows for c, _ in judged),
        superseded=sum(c.superseded for c, _ in judged),
    )
    return candidate, Tally(
        passed=pl.DataFrame(),
        quarantine=pl.concat(quarantined, how="diagonal_relaxed") if quarantined else judged[0][1].quarantine,
        refused={k: r for _, v in judged for k, r in v.refused.items()},
        accepted=[k for _, v in judged for k in v.accepted],
        results=list(results.values()),
        flagged=flagged,
        docs_url=judged[-1][1].docs_url,
        rows_passed=passed_rows,
    )


def stage_sessions(
    context: dg.AssetExecutionContext,
    wh: Warehouse,
    table: str,
    days: Sequence[dt.date],
    build: Callable[[list[dt.date]], Candidate],
    metadata: dict | None = None,
    narrow: bool = False,
) -> dg.MaterializeResult:
    """The gate for a range table, a chunk of sessions at a time (assets/common.py CHUNK_SESSIONS): each chunk's
    candidate is built (`build(chunk)`, reading only that chunk), judged and written in its own transaction,
    oldest first, so a later chunk's references (previous close, the size of the last sessions) are the
    partitions that passed before it. One materialisation and check report the run."""
    from assets.common import each_chunk

    judged: list[tuple[Candidate, Verdict]] = []
    stored = passed = 0

    def step(chunk: list[dt.date]) -> dict:
        nonlocal stored, passed
        candidate = build(chunk)
        verdict = judge(candidate, context.run_id)
        stored += write(wh, candidate, verdict, context.run_id)[0]
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
    candidate, verdict = tally(judged, passed)
    return report(candidate, verdict, stored, {**(metadata or {}), **chunked})


def stage_checked(
    context: dg.AssetExecutionContext,
    wh: Warehouse,
    candidate: Candidate,
    store: Callable[[pl.DataFrame], Stored] | None = None,
    metadata: dict | None = None,
) -> dg.MaterializeResult:
    """The gate in three steps: judge (nothing written), write what passed and keep aside what was refused,
    report."""
    verdict = judge(candidate, context.run_id)
    stored, _ = write(wh, candidate, verdict, context.run_id, store)
    return report(candidate, verdict, stored, metadata)
