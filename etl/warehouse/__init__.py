"""The warehouse: DuckDB I/O behind one interface, two backends chosen by the location (`ASHARE_WAREHOUSE`).

base.py          the interface and the DuckDB file backend (the default: one writer process)
lake.py          a DuckLake whose catalog is in PostgreSQL (`ducklake:postgres:…`): several writer processes
raw_ddl.py       raw, candidate and rejected tables generated from the dataset registry
writer_lock.py   the file's one-writer lock
publish.py       the marts copied to the BI file, audited against the contract
lake_publish.py  a lake publishes a tagged snapshot instead

This module is the only one that knows both backends: it opens the one a location names, and publishes the
marts the way that backend does. The backends do not know each other beyond the lake extending the base.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from etl.settings import SQL_DIR
from etl.warehouse.base import LEGACY_RUN, MEMORY_LIMIT, Refresh, Replace, Sql, Warehouse, WriteError, schema_sql

__all__ = [
    "Publication",
    "bi_entry",
    "publish",
    "LEGACY_RUN",
    "MEMORY_LIMIT",
    "Refresh",
    "Replace",
    "Sql",
    "Warehouse",
    "WriteError",
    "is_lake",
    "open_warehouse",
    "schema_sql",
]


def is_lake(location: Path | str) -> bool:
    return str(location).startswith("ducklake:")


def open_warehouse(location: Path | str, sql_dir: Path = SQL_DIR) -> Warehouse:
    """The warehouse at `location`: a DuckDB file path, or `ducklake:postgres:<libpq connection string>`."""
    if is_lake(location):
        from etl.warehouse.lake import LakeWarehouse

        return LakeWarehouse(str(location), sql_dir)
    return Warehouse(location, sql_dir)


@dataclass(frozen=True)
class Publication:
    """What a publish made for BI readers: the tables and their rows, when, and the backend's own figures
    (a file: its `path` and `bytes`; a lake: its `snapshot_version` and the `attach` statement)."""

    published_at: dt.datetime
    tables: dict[str, int]
    details: dict


def publish(wh: Warehouse, run_id: str = "") -> Publication:
    """The marts, audited against the contract, published for BI readers: a DuckDB file copies them to
    <home>/bi/marts.duckdb, swapped in atomically (publish.py); a lake commits a tagged snapshot that readers
    attach at its version (lake_publish.py)."""
    if is_lake(wh.location):
        from etl.warehouse.lake_publish import publish_snapshot

        snap = publish_snapshot(wh, run_id)
        details = {"snapshot_version": snap.version, "attach": snap.attach_sql}
        return Publication(snap.published_at, snap.tables, details)
    from etl.warehouse.publish import publish as publish_file

    done = publish_file(wh.path, bi_entry(wh), run_id)
    return Publication(done.published_at, done.tables, {"path": str(done.path), "bytes": done.bytes})


def bi_entry(wh: Warehouse) -> Path:
    """What a BI tool opens: the published file, or on a lake the script that attaches the published snapshot."""
    return wh.local_dir / "bi" / ("attach-published.sql" if is_lake(wh.location) else "marts.duckdb")
