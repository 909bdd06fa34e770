"""Unchanged sessions are not proposed or judged again.

When a gate accepts a session of a range table, `quality.settled_partitions` records what it settled: the
landing captures behind it (each file's function and sha256), the code that judged it (`code_version`), the
other tables its candidate was built from (`inputs_digest`: the stock bars read the name history, for the ST
price band), the rows it staged, and a digest of the content of the session's raw and staged rows
(`raw_digest`, `staging_digest`: the row count and the sum of DuckDB's hash of every row, so a row edited in
place changes it where a count would not).

- The raw step does not propose a session whose captures are the ones settled and whose raw rows hash as
  they did (`same_captures`): it marks it for the run (`candidate.unchanged`) instead of reading its files.
  Raw edited in place since is proposed again from its captures, and reported (`raw_edited`).
- The staging gate leaves a marked session alone while the code, the inputs and the staged rows' content are
  as recorded too (`still_settled`); staged rows edited in place are judged again from raw, and reported.
  A gate's references look back (the previous close, the size of the last sessions that passed), so from
  the first session it judges on, it judges every later one of the run as well, from the stored raw where
  the raw step did not propose it.

A warm `make demo` so reads its landing manifest, not its files, for the range tables, and judges nothing it
judged before; a changed capture, rule, transform, library (uv.lock) or name history is judged again.
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
# What turns a landing file into staged rows: the kit, the domains, the Dagster layer, the DDL, the libraries
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


def inputs_digest(wh: Warehouse, tables: Sequence[str]) -> str:
    """A digest of the content of the tables a gate's candidate is built from besides its own raw table."""
    if not tables:
        return ""
    parts = [
        wh.query(f"SELECT md5(coalesce(string_agg(r::VARCHAR, '|' ORDER BY r::VARCHAR), '')) AS h FROM {t} r")["h"][0]
        for t in tables
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def captures_digest(captures: Iterable[tuple[str, str]]) -> str:
    """(function, sha256) of a session's landing files, in any order, as one text."""
    return ";".join(f"{function}:{sha}" for function, sha in sorted(set(captures)))


def digests(files: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """(session ISO, function, sha256) of landing files -> {session: captures_digest}."""
    found: dict[str, list[tuple[str, str]]] = {}
    for day, function, sha in files:
        found.setdefault(day, []).append((function, sha))
    return {day: captures_digest(pairs) for day, pairs in found.items()}


def by_session(captures: Iterable[dict]) -> dict[str, str]:
    """A proposal's captures ({"row": manifest row}) -> {session (ISO): captures_digest}."""
    return digests((c["row"]["partition"][:10], c["row"]["function"], c["row"]["sha256"]) for c in captures)


def _ledger(wh: Warehouse, raw_table: str, days: Sequence[dt.date]) -> dict[dt.date, dict]:
    found = wh.query(
        "SELECT * FROM quality.settled_partitions WHERE raw_table = $t AND partition_key IN (SELECT UNNEST($days))",
        {"t": raw_table, "days": [d.isoformat() for d in days]},
    )
    return {dt.date.fromisoformat(row["partition_key"]): row for row in found.iter_rows(named=True)}


# A session's rows as one text: how many, and the sum of each row's hash (any order; an edit changes it)
DIGEST = "count(*)::VARCHAR || ':' || coalesce(sum(hash(r)), 0)::VARCHAR"
NO_ROWS = "0:0"


def content_digests(wh: Warehouse, table: str, column: str, days: Sequence[dt.date]) -> dict[dt.date, str]:
    """{session: DIGEST of the table's rows whose `column` is that session}; a session without rows: NO_ROWS."""
    found = wh.query(
        f"SELECT {column} AS day, {DIGEST} AS digest FROM {table} r "
        f"WHERE {column} IN (SELECT UNNEST($days)) GROUP BY 1",
        {"days": list(days)},
    )
    held = dict(found.iter_rows())
    return {day: held.get(day, NO_ROWS) for day in days}


def same_captures(
    wh: Warehouse, raw_table: str, digests: dict[dt.date, str | None]
) -> tuple[list[dt.date], list[dt.date]]:
    """(the sessions whose landed captures, `digests` (None: nothing landed), are those settled into raw, with
    raw's rows as they were settled; the sessions whose captures are those settled but whose raw rows were
    edited since: raw and staging disagree)."""
    ledger = _ledger(wh, raw_table, sorted(digests))
    held = content_digests(wh, raw_table, "partition_date", sorted(ledger))
    same, edited = [], []
    for day, digest in sorted(digests.items()):
        if digest is None or day not in ledger or ledger[day]["captures"] != digest:
            continue
        (same if ledger[day]["raw_digest"] == held[day] else edited).append(day)
    return same, edited


def still_settled(
    wh: Warehouse, raw_table: str, days: Sequence[dt.date], marked: set[dt.date], inputs: str
) -> tuple[list[dt.date], list[dt.date]]:
    """(the run's sessions, oldest first, its gate need not judge: marked by the raw step, judged by this code
    with these inputs, their staged rows as they were settled, up to the first that is not; the marked sessions
    whose staged rows were edited in place since they settled)."""
    ledger = _ledger(wh, raw_table, [d for d in days if d in marked])
    staged: dict[tuple[str, dt.date], str] = {}
    for table in sorted({row["staging_table"] for row in ledger.values()}):
        staged |= {(table, day): d for day, d in content_digests(wh, table, "trade_date", sorted(ledger)).items()}
    edited = sorted(
        day for day, row in ledger.items() if staged.get((row["staging_table"], day)) != row["staging_digest"]
    )
    same = []
    for day in sorted(days):
        row = ledger.get(day)
        if row is None or row["code_version"] != code_version() or row["inputs"] != inputs:
            break
        if day in edited:
            break
        same.append(day)
    return same, edited


def stamp(raw_table: str, staging_table: str, days: Sequence[dt.date]) -> list[Sql]:
    """Steps for the end of the gate's transaction, after raw and staging were written: the content digests of
    the sessions it settled, as they are now stored."""
    where = "s.raw_table = $t AND s.partition_key = d.day::VARCHAR"
    return [
        Sql(
            f"UPDATE quality.settled_partitions s SET {column} = d.digest FROM (SELECT {key} AS day, "
            f"{DIGEST} AS digest FROM {table} r WHERE {key} IN (SELECT UNNEST($days)) GROUP BY 1) d WHERE {where}",
            {"t": raw_table, "days": list(days)},
        )
        for column, table, key in (
            ("staging_digest", staging_table, "trade_date"),
            ("raw_digest", raw_table, "partition_date"),
        )
    ]


def record(
    raw_table: str, staging_table: str, digests: dict[str, str], staged: dict[str, int], inputs: str, run_id: str
) -> list:
    """Steps for the gate's transaction. Sessions settled from a proposal: their captures (`digests`), code,
    inputs and staged rows. Sessions judged from the raw already stored (not proposed: their captures had
    not changed): the code, inputs and staged rows of their existing record."""
    now = dt.datetime.now(dt.UTC)
    proposed = sorted(d for d in staged if d in digests)
    steps: list = []
    if proposed:
        frame = pl.DataFrame(
            {
                "raw_table": raw_table,
                "partition_key": proposed,
                "captures": [digests[d] for d in proposed],
                "code_version": code_version(),
                "inputs": inputs,
                "staging_table": staging_table,
                "staging_rows": [staged[d] for d in proposed],
                "run_id": run_id,
                "settled_at": now,
                # a session that staged or kept no rows has no digest to stamp (`stamp`): none is NO_ROWS
                "staging_digest": NO_ROWS,
                "raw_digest": NO_ROWS,
            }
        )
        where = "raw_table = $t AND partition_key IN (SELECT UNNEST($days))"
        steps.append(Replace("quality.settled_partitions", frame, where, {"t": raw_table, "days": proposed}))
    for day in sorted(d for d in staged if d not in digests):
        steps.append(
            Sql(
                "UPDATE quality.settled_partitions SET code_version = $v, inputs = $i, staging_table = $s, "
                "staging_rows = $n, run_id = $r, settled_at = $at, staging_digest = $none, raw_digest = $none "
                "WHERE raw_table = $t AND partition_key = $d",
                {
                    "v": code_version(),
                    "i": inputs,
                    "s": staging_table,
                    "n": staged[day],
                    "r": run_id,
                    "at": now,
                    "t": raw_table,
                    "d": day,
                    "none": NO_ROWS,
                },
            )
        )
    return steps


def mark(wh: Warehouse, raw_table: str, run_id: str, days: Sequence[dt.date]) -> None:
    """Tell the run's staging gate that these sessions were not proposed: their captures had not changed."""
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
