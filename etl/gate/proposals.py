"""Audit before write: what a run lands is proposed, not written.

A raw step puts its rows in `candidate.<name>` with a proposal (which partitions of `raw.<name>` they would
replace, and the landing files behind them). The staging step reads raw as it would be with the proposal
applied (`relation`), validates, and settles the proposal in the same transaction as its own write: the
partitions that passed replace raw, staging and quarantine together; the refused ones go to
`rejected.<name>` and the stored partition stays exactly as it was. Until then nothing a reader sees has
changed.

A proposal belongs to the run that made it (`run_id`, and each candidate row's `proposal_run_id`): a run
reads, extends and settles its own proposal only. Two runs writing one raw table at once (a lake's several
writers) each settle their own; neither can take, settle or drop the other's rows (a proposal per raw table
did: the second writer's rows were superseded unseen, or settled by the first writer's gate). A proposal
whose run ended without settling it is `abandon`ed by the next run that proposes for the table: its rows go
to `rejected.<name>`, counted, never deleted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import polars as pl

from etl.landing import LandingZone, ManifestRow
from etl.warehouse import Replace, Sql, Warehouse, WriteError
from etl.warehouse.raw_ddl import RUN_COLUMN

LIVE = "akshare"  # only live captures are moved aside; the shipped sample is read-only data


@dataclass(frozen=True)
class Proposal:
    raw_table: str
    scope_column: str | None  # None: the candidate replaces the whole table
    scope: list[str] | None  # partition values (ISO text) the candidate replaces
    captures: list[dict]  # {"root": landing root, "row": manifest row}
    run_id: str
    scope_type: str = "VARCHAR"  # the scope column's type in raw: values are compared as that type


def mirror(raw_table: str, schema: str) -> str:
    return f"{schema}.{raw_table.split('.', 1)[1]}"


def _text(values) -> list[str]:
    return [v.isoformat() if isinstance(v, dt.date) else str(v) for v in values]


def propose(
    wh: Warehouse,
    raw_table: str,
    frame: pl.DataFrame,
    *,
    scope_column: str | None = None,
    scope: Sequence | None = None,
    captures: Sequence = (),
    run_id: str,
    extend: bool = False,
) -> int:
    """Make `frame` the candidate for `raw_table` within `scope` (values of `scope_column`; none: the whole
    table). `captures`: (landing root, manifest row) of the files read. Returns the candidate's row count.

    `run_id`: the run proposing; its earlier proposal for the table, if any, is replaced (a retried step).
    `extend`: add `frame` and its scope to the run's pending proposal instead (a range run lands its sessions
    a chunk at a time, each chunk in its own transaction: a run that dies leaves a proposal of the chunks it
    completed, which a later run abandons to rejected.*)."""
    if scope_column is not None:
        if not scope:
            raise WriteError(f"{raw_table}: no partitions given")
        outside = frame.filter(~pl.col(scope_column).cast(pl.String).is_in(_text(scope)))
        if outside.height:
            raise WriteError(
                f"{raw_table}: {outside.height} rows fall outside the partitions being written "
                f"(e.g. {outside.get_column(scope_column).unique().head(3).to_list()})"
            )
    row = pl.DataFrame(
        {
            "raw_table": [raw_table],
            "scope_column": [scope_column],
            "scope": [_text(scope) if scope_column is not None else None],
            "captures": [
                json.dumps([{"root": str(root), "row": asdict(row)} for root, row in captures], ensure_ascii=False)
            ],
            "run_id": [run_id],
            "proposed_at": [dt.datetime.now(dt.UTC)],
        },
        schema={
            "raw_table": pl.String,
            "scope_column": pl.String,
            "scope": pl.List(pl.String),
            "captures": pl.String,
            "run_id": pl.String,
            "proposed_at": pl.Datetime("us", "UTC"),
        },
    )
    rows = frame.with_columns(pl.lit(run_id, pl.String).alias(RUN_COLUMN))
    mine = {"t": raw_table, "r": run_id}
    if extend and scope_column is not None and (pending_now := pending(wh, raw_table, run_id)) is not None:
        if pending_now.scope_column != scope_column or pending_now.scope is None:
            raise WriteError(f"{raw_table}: cannot extend a proposal scoped by {pending_now.scope_column!r}")
        overlap = set(pending_now.scope) & set(_text(scope))
        if overlap:
            raise WriteError(f"{raw_table}: partitions already proposed in this run: {sorted(overlap)[:3]}")
        row = row.with_columns(
            scope=pl.lit(pending_now.scope + _text(scope), pl.List(pl.String)),
            captures=pl.lit(
                json.dumps(
                    pending_now.captures + [{"root": str(root), "row": asdict(r)} for root, r in captures],
                    ensure_ascii=False,
                )
            ),
        )
        wh.write(
            Replace(mirror(raw_table, "candidate"), rows, "false"),  # append
            Replace("candidate.proposals", row, "raw_table = $t AND run_id = $r", mine),
        )
        return frame.height
    wh.write(
        Replace(mirror(raw_table, "candidate"), rows, f"{RUN_COLUMN} = $r", {"r": run_id}),
        Replace("candidate.proposals", row, "raw_table = $t AND run_id = $r", mine),
    )
    return frame.height


def others(wh: Warehouse, raw_table: str, run_id: str) -> dict[str, dt.datetime]:
    """The runs other than `run_id` with a pending proposal for the table (a concurrent writer, or a run that
    ended before its gate settled it), with when they proposed."""
    found = wh.query(
        "SELECT run_id, max(proposed_at) AS proposed_at FROM candidate.proposals WHERE raw_table = $t "
        "AND run_id IS DISTINCT FROM $r GROUP BY 1 ORDER BY 1",
        {"t": raw_table, "r": run_id},
    )
    return dict(found.iter_rows())


def abandon(wh: Warehouse, raw_table: str, run_id: str, why: str, by_run: str) -> int:
    """Move an ended run's unsettled proposal to rejected.<name> (rejected_run_id: that run) with a row in
    quality.rejected_partitions (rule abandoned_proposal), in one transaction. Returns the rows moved."""
    candidate = mirror(raw_table, "candidate")
    moved = wh.query(f"SELECT count(*) AS n FROM {candidate} WHERE {RUN_COLUMN} = $own", {"own": run_id})["n"][0]
    figures = json.dumps({"rows": int(moved), "why": why, "noticed_by_run": by_run}, ensure_ascii=False)
    wh.write(
        Sql(_to_rejected(raw_table), {"own": run_id, "run": run_id}),
        Sql(
            "INSERT INTO quality.rejected_partitions BY NAME SELECT $t AS table_name, "
            "UNNEST(coalesce(scope, ['*'])) AS partition_key, ['abandoned_proposal'] AS rules, "
            "CAST($f AS JSON) AS figures, [$t] AS raw_tables, CAST([] AS VARCHAR[]) AS landing_files, "
            "$r AS run_id, now() AS rejected_at FROM candidate.proposals WHERE raw_table = $t AND run_id = $r",
            {"t": raw_table, "r": run_id, "f": figures},
        ),
        Sql(f"DELETE FROM {candidate} WHERE {RUN_COLUMN} = $r", {"r": run_id}),
        Sql("DELETE FROM candidate.proposals WHERE raw_table = $t AND run_id = $r", {"t": raw_table, "r": run_id}),
    )
    return int(moved)


def _to_rejected(raw_table: str) -> str:
    """Move the candidate rows of run $own to rejected.<name>, as refused by run $run."""
    return (
        f"INSERT INTO {mirror(raw_table, 'rejected')} BY NAME SELECT * EXCLUDE ({RUN_COLUMN}), $run AS "
        f"rejected_run_id, now() AS rejected_at FROM {mirror(raw_table, 'candidate')} WHERE {RUN_COLUMN} = $own"
    )


def pending(wh: Warehouse, raw_table: str, run_id: str) -> Proposal | None:
    found = wh.query(
        "SELECT scope_column, scope, captures, run_id FROM candidate.proposals WHERE raw_table = $t AND run_id = $r",
        {"t": raw_table, "r": run_id},
    )
    if found.is_empty():
        return None
    column, scope, captures, run_id = found.row(0)
    kind = "VARCHAR"
    if column is not None:
        schema, table = raw_table.split(".", 1)
        typed = wh.query(
            "SELECT data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = $s "
            "AND table_name = $t AND column_name = $c",
            {"s": schema, "t": table, "c": column},
        )
        kind = typed["data_type"][0] if typed.height else kind
    return Proposal(
        raw_table, column, list(scope) if scope is not None else None, json.loads(captures or "[]"), run_id, kind
    )


def _in(column: str, kind: str, param: str = "p") -> str:
    """The scope values (ISO text) cast to the column's type, not the column to text: a cast column defeats
    DuckDB's min/max pruning, and settling a month of a ten-year raw table scanned all of it (1.8 s -> 0.01 s)."""
    return f"{column} IN (SELECT CAST(UNNEST(${param}) AS {kind}))"


def relation(wh: Warehouse, raw_table: str, run_id: str) -> str:
    """SQL for raw as it would be with the run's pending proposal applied (raw itself if it has none)."""
    proposal = pending(wh, raw_table, run_id)
    short = raw_table.split(".", 1)[1]
    if proposal is None:
        return raw_table
    candidate = (
        f"(SELECT * EXCLUDE ({RUN_COLUMN}) FROM {mirror(raw_table, 'candidate')} "
        f"WHERE {RUN_COLUMN} = '{run_id.replace(chr(39), chr(39) * 2)}')"
    )
    if proposal.scope_column is None:
        return f"(SELECT * FROM {candidate}) AS {short}"
    scope = ", ".join(f"CAST('{v.replace(chr(39), chr(39) * 2)}' AS {proposal.scope_type})" for v in proposal.scope)
    return (
        f"(SELECT * FROM {raw_table} WHERE {proposal.scope_column} NOT IN ({scope}) "
        f"UNION ALL BY NAME SELECT * FROM {candidate}) AS {short}"
    )


@dataclass(frozen=True)
class Settlement:
    steps: list  # Replace / Sql steps for the gate's transaction
    rejected_captures: list[tuple[str, ManifestRow]]  # (landing root, row) of live files to move aside


def settle(proposal: Proposal, judged: Sequence[str] | None, accepted: Sequence[str] | None, run_id: str) -> Settlement:
    """Steps that apply the accepted part of a proposal to raw and move the refused part to rejected.

    judged: the scope values the gate looked at (None: all of them); accepted: those that passed (None: all
    judged). Values the gate did not judge stay pending."""
    raw, candidate = proposal.raw_table, mirror(proposal.raw_table, "candidate")
    own = {"own": proposal.run_id}
    of_run = f"{RUN_COLUMN} = $own"
    rows = f"SELECT * EXCLUDE ({RUN_COLUMN}) FROM {candidate} WHERE {of_run}"
    to_rejected = _to_rejected(raw)
    done = [Sql("DELETE FROM candidate.proposals WHERE raw_table = $t AND run_id = $own", {"t": raw, **own})]
    if proposal.scope_column is None:
        if accepted is None or accepted:
            steps = [Sql(f"DELETE FROM {raw}"), Sql(f"INSERT INTO {raw} BY NAME {rows}", own)]
            refused_values: set[str] | None = set()
        else:
            steps = [Sql(to_rejected, {"run": run_id, **own})]
            refused_values = None  # everything
        steps += [Sql(f"DELETE FROM {candidate} WHERE {of_run}", own), *done]
    else:
        col, kind, scope = proposal.scope_column, proposal.scope_type, proposal.scope or []
        judged_values = [v for v in scope if judged is None or v in set(judged)]
        ok = [v for v in judged_values if accepted is None or v in set(accepted)]
        refused = [v for v in judged_values if v not in set(ok)]
        left = [v for v in scope if v not in set(judged_values)]
        steps = [
            Sql(f"DELETE FROM {raw} WHERE {_in(col, kind)}", {"p": ok}),
            Sql(f"INSERT INTO {raw} BY NAME {rows} AND {_in(col, kind)}", {"p": ok, **own}),
            Sql(f"{to_rejected} AND {_in(col, kind)}", {"p": refused, "run": run_id, **own}),
            Sql(f"DELETE FROM {candidate} WHERE {of_run} AND {_in(col, kind)}", {"p": judged_values, **own}),
        ]
        steps += (
            [
                Sql(
                    "UPDATE candidate.proposals SET scope = $left WHERE raw_table = $t AND run_id = $own",
                    {"left": left, "t": raw, **own},
                )
            ]
            if left
            else done
        )
        refused_values = set(refused)
    moved = [
        (c["root"], ManifestRow(**c["row"]))
        for c in proposal.captures
        if c["row"]["source"] == LIVE and (refused_values is None or c["row"]["partition"][:10] in refused_values)
    ]
    return Settlement(steps, moved)


def move_aside(captures: Sequence[tuple[str, ManifestRow]], note: str) -> list[str]:
    """Move refused live landing files under _rejected/ (after the gate's transaction committed)."""
    moved = []
    for root, row in captures:
        zone = LandingZone(root)
        if (zone.root / row.path).exists():
            moved.append(zone.reject(row, note).path)
    return moved
