"""The warehouse: DuckDB I/O behind one interface, two backends chosen by the location (`ASHARE_WAREHOUSE`).

base.py          the interface and the DuckDB file backend (the default: one writer process)
lake.py          a DuckLake whose catalog is in PostgreSQL (`ducklake:postgres:…`): several writer processes
raw_ddl.py       raw, candidate and rejected tables generated from the dataset registry
writer_lock.py   the file's one-writer lock
publish.py       the marts copied to the BI file, audited against the contract
lake_publish.py  a lake publishes a tagged snapshot instead

This module is the factory; the backends do not know each other beyond the lake extending the base.
"""

from __future__ import annotations

from pathlib import Path

from etl.settings import SQL_DIR
from etl.warehouse.base import LEGACY_RUN, MEMORY_LIMIT, Replace, Sql, Warehouse, WriteError, schema_sql

__all__ = ["LEGACY_RUN", "MEMORY_LIMIT", "Replace", "Sql", "Warehouse", "WriteError", "is_lake", "open_warehouse", "schema_sql"]


def is_lake(location: Path | str) -> bool:
    return str(location).startswith("ducklake:")


def open_warehouse(location: Path | str, sql_dir: Path = SQL_DIR) -> Warehouse:
    """The warehouse at `location`: a DuckDB file path, or `ducklake:postgres:<libpq connection string>`."""
    if is_lake(location):
        from etl.warehouse.lake import LakeWarehouse

        return LakeWarehouse(str(location), sql_dir)
    return Warehouse(location, sql_dir)
