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

from etl.contract_docs import documented_columns, table_descriptions

# DuckDB 1.x drivers (DBeaver's JDBC, Metabase's plugin, duckdb_engine on older wheels) read v1.0 storage.
STORAGE_VERSION = "v1.0.0"


class ContractDrift(RuntimeError):
    """A mart's columns differ from the documented contract (docs/marts.md): publishing it would break BI users
    silently."""


@dataclass(frozen=True)
class Published:
    path: Path
    tables: dict[str, int]
    bytes: int
    published_at: dt.datetime


def _audit_contract(con: duckdb.DuckDBPyConnection, documented: dict) -> None:
    actual = {}
    for schema, table, column, dtype in con.execute(
        "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = 'wh' AND schema_name = 'marts' ORDER BY table_name, column_index"
    ).fetchall():
        actual.setdefault(f"{schema}.{table}", []).append((column, dtype))
    expected = {t: [(c.name, c.type) for c in cols] for t, cols in documented.items()}
    problems = [
        f"{t}: warehouse has {actual.get(t)}, docs/marts.md documents {expected.get(t)}"
        for t in sorted(set(actual) | set(expected))
        if actual.get(t) != expected.get(t)
    ]
    if problems:
        raise ContractDrift("marts differ from the documented contract; not publishing. " + "; ".join(problems))


def publish(warehouse: Path, target: Path, run_id: str = "") -> Published:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    # a publish killed mid-way leaves its partial file (and WAL); publishes are serialised by the warehouse's
    # writer lock, so any partial file found here is such a leftover
    for leftover in target.parent.glob(f".{target.name}.*.partial*"):
        leftover.unlink(missing_ok=True)
    documented = documented_columns()
    descriptions = table_descriptions()
    published_at = dt.datetime.now(dt.UTC)
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{warehouse}' AS wh (READ_ONLY)")
        _audit_contract(con, documented)
        con.execute(f"ATTACH '{partial}' AS bi (STORAGE_VERSION '{STORAGE_VERSION}')")
        tables = {}
        for name in documented:
            table = name.removeprefix("marts.")
            con.execute(f"CREATE TABLE bi.main.{table} AS SELECT * FROM wh.{name}")
            tables[name] = con.execute(f"SELECT count(*) FROM bi.main.{table}").fetchone()[0]
            comment = descriptions.get(name, "").replace("'", "''")  # COMMENT ON takes no parameters
            con.execute(f"COMMENT ON TABLE bi.main.{table} IS '{comment}'")
        con.execute(
            "CREATE TABLE bi.main.contract (table_name VARCHAR, column_position INTEGER, column_name VARCHAR, "
            "data_type VARCHAR, meaning VARCHAR, table_description VARCHAR)"
        )
        con.executemany(
            "INSERT INTO bi.main.contract VALUES (?, ?, ?, ?, ?, ?)",
            [
                (c.table, i + 1, c.name, c.type, c.meaning, descriptions.get(c.table, ""))
                for cols in documented.values()
                for i, c in enumerate(cols)
            ],
        )
        con.execute(
            "CREATE TABLE bi.main.publication (published_at TIMESTAMPTZ, run_id VARCHAR, "
            "first_session DATE, last_session DATE)"
        )
        con.execute(
            "INSERT INTO bi.main.publication SELECT $at, $run, min(trade_date), max(trade_date) "
            "FROM wh.marts.market_breadth_daily",
            {"at": published_at, "run": run_id},
        )
        con.execute("DETACH bi")  # checkpoints: the file is complete, no WAL beside it
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return Published(target, tables, target.stat().st_size, published_at)
