"""Unchanged sessions are not proposed again.

When a gate accepts a session of a range table, `quality.settled_partitions` records what it settled: the
landing captures behind it (each file's function and sha256), the code that judged it (`code_version`) and
the rows it staged. A later run that lands the same captures for that session, under the same code, with
staging still holding those rows, has nothing to judge: its raw step does not propose the session and marks
it unchanged for the run (`candidate.unchanged`), and its staging gate leaves it alone. A warm `make demo`
re-reads its landing manifest, not its landing files, and judges nothing it judged before.

A gate's references look back (the previous close, the size of the last sessions that passed), so a
session is unchanged only if every session of the run before it is too: from the first changed one on,
everything is proposed and judged again (`unchanged_prefix`). Anything else about the code (a rule, a
transform, a library in uv.lock) changes `code_version` and every session is judged again.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import polars as pl

from etl.warehouse import Replace, Sql, Warehouse

ROOT = Path(__file__).resolve().parents[2]
# What turns a landing file into staged rows: the kit, the domains, the DDL, and the locked libraries
CODE = ("etl", "domains", "assets", "warehouse/sql")
SUFFIXES = (".py", ".sql", ".yaml", ".yml", ".json")


@functools.cache
def code_version() -> str:
    """A digest of every source file that can change what a gate stages, and of uv.lock."""
    digest = hashlib.sha256()
    files = sorted(
        p for top in CODE for p in (ROOT / top).rglob("*") if p.suffix in SUFFIXES and "node_modules" not in p.parts
    )
    for path in [*files, ROOT / "uv.lock"]:
        if path.is_file():
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def captures_digest(captures: Iterable[tuple[str, str]]) -> str:
    """(function, sha256) of a session's landing files, in any order, as one text."""
    return ";".join(f"{function}:{sha}" for function, sha in sorted(set(captures)))


def by_session(captures: Iterable[dict]) -> dict[str, str]:
    """A proposal's captures ({"row": manifest row}) -> {session (ISO): captures_digest}."""
    found: dict[str, list[tuple[str, str]]] = {}
    for c in captures:
        row = c["row"]
        found.setdefault(row["partition"][:10], []).append((row["function"], row["sha256"]))
    return {day: captures_digest(pairs) for day, pairs in found.items()}


def record(raw_table: str, staging_table: str, digests: dict[str, str], staged: dict[str, int], run_id: str) -> list:
    """Steps for the gate's transaction: the settled sessions' captures, code and staged rows."""
    days = sorted(d for d in staged if d in digests)
    if not days:
        return []
    frame = pl.DataFrame(
        {
            "raw_table": raw_table,
            "partition_key": days,
            "captures": [digests[d] for d in days],
            "code_version": code_version(),
            "staging_table": staging_table,
            "staging_rows": [staged[d] for d in days],
            "run_id": run_id,
            "settled_at": dt.datetime.now(dt.UTC),
        }
    )
    where = "raw_table = $t AND partition_key IN (SELECT UNNEST($days))"
    return [Replace("quality.settled_partitions", frame, where, {"t": raw_table, "days": days})]


def unchanged_prefix(
    wh: Warehouse, raw_table: str, digests: dict[dt.date, str | None], after_change: bool
) -> list[dt.date]:
    """The sessions of `digests` (oldest first) whose captures, code and staged rows are as settled, up to the
    first that is not (None: nothing landed for it); none if a session before them changed (`after_change`)."""
    if after_change or not digests:
        return []
    days = sorted(digests)
    settled = wh.query(
        "SELECT s.partition_key, s.captures, s.code_version, s.staging_table, s.staging_rows "
        "FROM quality.settled_partitions s WHERE s.raw_table = $t AND s.partition_key IN (SELECT UNNEST($days))",
        {"t": raw_table, "days": [d.isoformat() for d in days]},
    )
    ledger = {row[0]: row[1:] for row in settled.iter_rows()}
    staged = _staged_rows(wh, {row[2] for row in ledger.values()}, days)
    same = []
    for day in days:
        entry = ledger.get(day.isoformat())
        if entry is None:
            break
        captures, version, staging_table, rows = entry
        same_captures = digests[day] is not None and captures == digests[day]
        if not same_captures or version != code_version() or staged.get((staging_table, day), 0) != rows:
            break
        same.append(day)
    return same


def _staged_rows(wh: Warehouse, tables: set[str], days: Sequence[dt.date]) -> dict[tuple[str, dt.date], int]:
    counts: dict[tuple[str, dt.date], int] = {}
    for table in sorted(tables):
        found = wh.query(
            f"SELECT trade_date, count(*) AS n FROM {table} WHERE trade_date IN (SELECT UNNEST($days)) GROUP BY 1",
            {"days": list(days)},
        )
        counts |= {(table, day): n for day, n in found.iter_rows()}
    return counts


def mark(wh: Warehouse, raw_table: str, run_id: str, days: Sequence[dt.date]) -> None:
    """Tell the run's staging gate that these sessions were not proposed because nothing changed."""
    if days:
        frame = pl.DataFrame({"raw_table": raw_table, "run_id": run_id, "partition_key": [d.isoformat() for d in days]})
        wh.write(Replace("candidate.unchanged", frame, "false"))


def marked(wh: Warehouse, raw_table: str, run_id: str) -> set[dt.date]:
    found = wh.query(
        "SELECT partition_key FROM candidate.unchanged WHERE raw_table = $t AND run_id = $r",
        {"t": raw_table, "r": run_id},
    )
    return {dt.date.fromisoformat(d) for d in found["partition_key"]}


def forget(raw_table: str, run_id: str | None = None) -> Sql:
    """The marks of a run (None: of every run) for `raw_table`, dropped."""
    if run_id is None:
        return Sql("DELETE FROM candidate.unchanged WHERE raw_table = $t", {"t": raw_table})
    return Sql("DELETE FROM candidate.unchanged WHERE raw_table = $t AND run_id = $r", {"t": raw_table, "r": run_id})
