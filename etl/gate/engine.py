"""The audit engine: a candidate is judged by its suite, and what passed is applied in one transaction.

Audit before write: the raw step proposed its rows (etl/gate/proposals.py); `judge` runs the candidate's suite.
Row rules first: breaking rows go to quality.quarantine with the rule's name. Then partition rules, on a
summary of the rows that *passed* (a quarantined bar is not a bar that is present). `apply` writes the
verdict: partitions that pass replace raw, staging and quarantine in one transaction; a refused partition
changes none of them: its rows go to rejected.<raw table>, a row to quality.rejected_partitions says which
rule refused it with which figures, and a live landing file is moved under _rejected/. No Dagster here: the
assets' adapter (assets/gate.py) turns a verdict into the asset's materialisation and blocking check.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl

from etl.gate import proposals, quarantine, unchanged
from etl.gate.rules import MAX_ROWS_RATIO, MIN_ROWS_RATIO, Suite
from etl.warehouse import Replace, Sql, Warehouse

# a partition's rows against the median of the last partitions that passed (etl/gate/references.py)
SIZE_BAND = (MIN_ROWS_RATIO, MAX_ROWS_RATIO)


VALIDATION_ONLY = ("partition_date",)  # plus every check_* column: inputs to rules, not stored in staging
WHOLE = "*"  # partition key of a whole-table candidate


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
    """What a staging asset hands the gate: its rows and the suite that judges them.

    Range assets give `days` and the `partition_column` naming each row's partition: each partition passes or
    is refused on its own; others are judged whole. `owns`: the raw tables whose proposals this gate settles.
    `summarise(rows that passed)` gives one row per partition (column `partition`) for the partition rules;
    without it, one row with `rows`. `set_aside`: rows the transform already set aside (with rule and value).
    `superseded`: raw rows that are earlier captures of a key whose latest capture is a candidate row
    (histories re-fetched daily), kept in raw and counted, not staged. The balance raw rows = passed +
    quarantined + superseded is part of the verdict. `quarantine_scope`: for a whole-table gate fed only new
    captures, the partition keys whose quarantine rows are replaced (the others stay)."""

    suite: Suite
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
    inputs: str = ""  # digest of the tables besides raw the rows were built from (etl/gate/unchanged.py)

    @property
    def table(self) -> str:
        return self.suite.table

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
    # provisional sessions (past the published calendar) for which the source returned nothing: the exchange
    # was closed. Neither accepted nor refused: recorded in quality.calendar_days
    closed: tuple[str, ...] = ()

    @property
    def passed_rows(self) -> int:
        return self.passed.height


def judge(candidate: Candidate, run_id: str) -> Verdict:
    """Row rules, then partition rules on the rows that passed, then the balance: nothing is written here."""
    from etl.gate.gx import validate, validate_partitions

    c = candidate
    suite = c.suite
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
    closed = tuple(sorted(k for k, r in refused.items() if c.days is not None and _closed_by_data(k, r)))
    refused = {k: r for k, r in refused.items() if k not in closed}
    return Verdict(
        passed,
        q,
        refused,
        [k for k in c.scope if k not in refused and k not in closed],
        row_outcome.results + part_outcome.results,
        row_outcome.flagged,
        row_outcome.docs_url,
        closed,
    )


def _closed_by_data(key: str, refusal: dict) -> bool:
    """A day past the published calendar with no row at all: the data's answer is that it was no session."""
    from etl.market import is_provisional

    empty = refusal["rules"][:1] == ["empty_partition"] and not refusal["figures"].get("rows")
    return empty and is_provisional(dt.date.fromisoformat(key))


def _stored_columns(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select([c for c in frame.columns if not c.startswith("check_") and c not in VALIDATION_ONLY])


def apply(
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
    stored_per_day: dict[str, int] = {}  # accepted session (ISO) -> rows staged, for the settled ledger
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
            counts = dict(good.group_by("trade_date").len().iter_rows()) if good.height else {}
            stored_per_day = {d.isoformat(): counts.get(d, 0) for d in ok_days}
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
        if stored_per_day:  # what was settled, for the next run (sessions judged from stored raw included)
            digests = unchanged.by_session(proposal.captures) if proposal is not None else {}
            steps += unchanged.record(raw_table, c.table, digests, stored_per_day, c.inputs, run_id)
        if proposal is None:
            continue
        accepted = v.accepted if c.days is not None else (None if v.accepted else [])
        settlement = proposals.settle(proposal, c.scope if c.days is not None else None, accepted, run_id)
        steps += settlement.steps
        moved_aside += settlement.rejected_captures
        settled.append(raw_table)
    if stored_per_day:  # last: the content of what this transaction stored
        days = [dt.date.fromisoformat(d) for d in stored_per_day]
        steps += [step for raw_table in c.owns for step in unchanged.stamp(raw_table, c.table, days)]
    if c.days is not None:
        steps += calendar_observations(c, v, run_id)
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


def calendar_observations(c: Candidate, v: Verdict, run_id: str) -> list:
    """What a gate saw of provisional days (past the published calendar): a session where it staged rows, a
    closure where the source returned nothing. quality.calendar_days keeps it until a calendar confirms it."""
    from etl.market import is_provisional

    seen = {k: "session" for k in v.accepted if is_provisional(dt.date.fromisoformat(k))}
    seen |= {k: "closed" for k in v.closed}
    if not seen:
        return []
    days = sorted(seen)
    frame = pl.DataFrame(
        {
            "trade_date": [dt.date.fromisoformat(k) for k in days],
            "table_name": c.table,
            "state": [seen[k] for k in days],
            "evidence": [
                "rows staged" if seen[k] == "session" else "the source returned no row for the day" for k in days
            ],
            "run_id": run_id,
            "observed_at": dt.datetime.now(dt.UTC),
        }
    )
    where = "table_name = $t AND trade_date IN (SELECT UNNEST($d))"
    return [Replace("quality.calendar_days", frame, where, {"t": c.table, "d": frame["trade_date"].to_list()})]


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
        first.suite,
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
        closed=tuple(k for _, v in judged for k in v.closed),
        rows_passed=passed_rows,
    )
