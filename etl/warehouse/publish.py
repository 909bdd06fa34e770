"""Write-audit-publish for BI tools: the marts are copied into a separate DuckDB file that BI tools open
read-only, swapped in atomically. A BI connection to that file never blocks the pipeline, which owns
warehouse/ashare.duckdb alone (DuckDB admits one writer process, and even a read-only process locks it).

The copy is written next to the target under a temporary name, checked against the documented contract,
closed (checkpointed, no WAL left) and fsynced, then moved over the target with os.replace: a reader that
opens the path sees the old file or the new one, never a half-written one. Readers connected to the old file
keep reading it until they reconnect (POSIX keeps the replaced inode alive while open).

The tables sit in the file's `main` schema: a client opens marts.duckdb as catalog `marts`, so
`SELECT * FROM marts.theme_daily` means the same as in the warehouse (a `marts` schema inside a `marts`
catalog would make that name ambiguous in DuckDB).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl import contract

# DuckDB 1.x drivers (DBeaver's JDBC, Metabase's plugin, duckdb_engine on older wheels) read v1.0 storage.
STORAGE_VERSION = "v1.0.0"


class ContractDrift(RuntimeError):
    """A mart's columns differ from the contract (warehouse/sql/30_marts.sql): publishing it would break BI users
    silently."""


@dataclass(frozen=True)
class Published:
    path: Path
    tables: dict[str, int]
    bytes: int
    published_at: dt.datetime


def audit_contract(held: dict[str, contract.Table], declared: dict[str, contract.Table]) -> None:
    """The warehouse's marts (tables, columns, types) against the DDL: a warehouse built with an older DDL
    (CREATE TABLE IF NOT EXISTS keeps it) must not be published under the new contract."""
    actual = {t: [(c.name, c.type) for c in table.columns] for t, table in held.items()}
    expected = {t: [(c.name, c.type) for c in table.columns] for t, table in declared.items()}
    problems = [
        f"{t}: warehouse has {actual.get(t)}, warehouse/sql/30_marts.sql declares {expected.get(t)}"
        for t in sorted(set(actual) | set(expected))
        if actual.get(t) != expected.get(t)
    ]
    if problems:
        raise ContractDrift("marts differ from the documented contract; not publishing. " + "; ".join(problems))


def _quoted(text: str) -> str:
    return text.replace("'", "''")


def publish(warehouse: Path, target: Path, run_id: str = "") -> Published:
    """Publish the marts of the DuckDB file `warehouse` to `target`."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{warehouse}' AS wh (READ_ONLY)")
        return copy_marts(con, "wh", target, run_id)
    finally:
        con.close()


def copy_marts(
    con: duckdb.DuckDBPyConnection, source: str, target: Path, run_id: str, published_at: dt.datetime | None = None
) -> Published:
    """Audit the marts of the catalog `source` attached on `con`, copy them with their contract into a new file
    and swap it in at `target`. The lake's export passes the publication time of the snapshot it copies."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    # a publish killed mid-way leaves its partial file (and WAL); publishes are serialised by the warehouse's
    # writer lock, so any partial file found here is such a leftover
    for leftover in target.parent.glob(f".{target.name}.*.partial*"):
        leftover.unlink(missing_ok=True)
    declared = contract.declared()
    published_at = published_at or dt.datetime.now(dt.UTC)
    try:
        held = contract.read(con, source)
        audit_contract(held, declared)
        con.execute(f"ATTACH '{partial}' AS bi (STORAGE_VERSION '{STORAGE_VERSION}')")
        tables = {}
        for name, spec in held.items():
            table = name.removeprefix("marts.")
            con.execute(f"CREATE TABLE bi.main.{table} AS SELECT * FROM {source}.{name}")
            tables[name] = con.execute(f"SELECT count(*) FROM bi.main.{table}").fetchone()[0]
            # the comments travel with the data: BI tools (DBeaver, Metabase) show them; COMMENT takes no parameters
            con.execute(f"COMMENT ON TABLE bi.main.{table} IS '{_quoted(spec.description)}'")
            for column in spec.columns:
                con.execute(f"COMMENT ON COLUMN bi.main.{table}.\"{column.name}\" IS '{_quoted(column.meaning)}'")
        con.execute(
            "CREATE TABLE bi.main.contract (table_name VARCHAR, column_position INTEGER, column_name VARCHAR, "
            "data_type VARCHAR, meaning VARCHAR, table_description VARCHAR)"
        )
        con.executemany(
            "INSERT INTO bi.main.contract VALUES (?, ?, ?, ?, ?, ?)",
            [
                (c.table, i + 1, c.name, c.type, c.meaning, table.description)
                for table in held.values()
                for i, c in enumerate(table.columns)
            ],
        )
        con.execute(
            "CREATE TABLE bi.main.publication (published_at TIMESTAMPTZ, run_id VARCHAR, "
            "first_session DATE, last_session DATE)"
        )
        con.execute(
            "INSERT INTO bi.main.publication SELECT $at, $run, min(trade_date), max(trade_date) "
            f"FROM {source}.marts.market_breadth_daily",
            {"at": published_at, "run": run_id},
        )
        con.execute("DETACH bi")  # checkpoints: the file is complete, no WAL beside it
    except BaseException:
        if "bi" in [r[0] for r in con.execute("SELECT database_name FROM duckdb_databases()").fetchall()]:
            con.execute("DETACH bi")
        partial.unlink(missing_ok=True)
        raise
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return Published(target, tables, target.stat().st_size, published_at)
