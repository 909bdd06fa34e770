"""The DuckLake backend: the warehouse's tables in a DuckLake whose catalog is a PostgreSQL database and whose
data are Parquet files under a data path (a shared directory or `s3://…`). Several processes write at once.

    ASHARE_WAREHOUSE="ducklake:postgres:dbname=lake host=127.0.0.1 port=5433 user=lake"
    ASHARE_LAKE_DATA=/shared/lake/   (or s3://bucket/prefix/ with ASHARE_LAKE_S3_ENDPOINT and AWS_* keys)

Same semantics as the DuckDB file (etl/warehouse/base.py), with three differences that the lake imposes:
- DuckLake enforces no PRIMARY KEY: the DDL is the same files with the keys left out, and key uniqueness is
  the staging gate's rule (etl/gate/rules.py), as it already is before anything reaches a table.
- Conflicts are per table, not per partition: two writers replacing different dates of one table conflict at
  COMMIT, and DuckLake's own retry does not cover it. `write` rolls back and reruns the whole transaction
  with jittered exponential backoff, a bounded number of times, then fails naming the tables and partitions.
- The catalog and its tables are created once (`make lake-init`, `python -m etl.lake init`), before any
  parallel work: steps attaching an empty catalog at once race on PostgreSQL's type names.

One connection per process (and thread): attaching costs ~0.3 s (extensions, catalog), a query ~5 ms.
"""

from __future__ import annotations

import os
import random
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl import env
from etl.extensions import OFFLINE, load
from etl.settings import SQL_DIR, WAREHOUSE_DIR
from etl.warehouse.base import MEMORY_LIMIT, Replace, Sql, Warehouse, WriteError, legacy_proposals, schema_sql

ALIAS = "lake"  # the catalog's name inside each connection; `USE lake` makes raw.x, staging.x … resolve there
DEFAULT_DATA = WAREHOUSE_DIR / "lake" / "data"
# Conflicts retried per transaction, waiting 0.05 s × 2^attempt (capped at 2 s) × a random 0.5–1.5: two
# writers on one table settle within a few tries; ten failed tries means a writer is stuck, not unlucky.
RETRIES = env.integer("ASHARE_LAKE_RETRIES", 10, minimum=1, maximum=100)
BACKOFF_SECONDS = 0.05


class LakeNotInitialised(RuntimeError):
    pass


class WriteConflict(WriteError):
    """A transaction lost to concurrent writers RETRIES times in a row."""


@dataclass(frozen=True)
class LakeConfig:
    catalog: str  # ducklake:postgres:<libpq connection string>
    data_path: str  # a directory or s3:// prefix, ending in /
    s3_endpoint: str | None = None  # host:port of an S3-compatible store (None: AWS)
    s3_use_ssl: bool = True

    @classmethod
    def from_env(cls, location: str) -> LakeConfig:
        if not location.startswith("ducklake:postgres:"):
            raise ValueError(
                f"ASHARE_WAREHOUSE={location!r}: the lake backend takes 'ducklake:postgres:<connection string>' "
                "(a catalog in PostgreSQL; DuckDB-file and SQLite catalogs admit one writer process)"
            )
        data = env.text("ASHARE_LAKE_DATA", str(DEFAULT_DATA))
        return cls(
            catalog=location,
            data_path=data if data.endswith("/") else data + "/",
            s3_endpoint=env.text("ASHARE_LAKE_S3_ENDPOINT"),
            s3_use_ssl=env.flag("ASHARE_LAKE_S3_USE_SSL", True),
        )

    @property
    def on_s3(self) -> bool:
        return self.data_path.startswith("s3://")

    def attach_sql(self, read_only: bool = False, snapshot: int | None = None) -> str:
        options = [f"DATA_PATH '{self.data_path}'"]
        if read_only:
            options.append("READ_ONLY")
        if snapshot is not None:
            options.append(f"SNAPSHOT_VERSION {int(snapshot)}")
        return f"ATTACH '{self.catalog}' AS {ALIAS} ({', '.join(options)})"


def connect(config: LakeConfig, read_only: bool = False, snapshot: int | None = None) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection with the lake attached as `lake` and in use."""
    spill = Path(tempfile.gettempdir()) / f"ashare-duckdb-{os.getpid()}"  # per process: spill files never collide
    con = duckdb.connect(config={**OFFLINE, "memory_limit": MEMORY_LIMIT, "temp_directory": str(spill)})
    try:
        load(con, "ducklake", "postgres_scanner", *(["httpfs"] if config.on_s3 else []))
        if config.on_s3:
            keys = os.environ
            endpoint = f", ENDPOINT '{config.s3_endpoint}', URL_STYLE 'path'" if config.s3_endpoint else ""
            con.execute(
                f"CREATE SECRET lake_s3 (TYPE s3, KEY_ID '{keys.get('AWS_ACCESS_KEY_ID', '')}', "
                f"SECRET '{keys.get('AWS_SECRET_ACCESS_KEY', '')}', REGION '{keys.get('AWS_REGION', 'us-east-1')}'"
                f"{endpoint}, USE_SSL {'true' if config.s3_use_ssl else 'false'})"
            )
        elif not read_only:
            Path(config.data_path).mkdir(parents=True, exist_ok=True)
        con.execute(config.attach_sql(read_only, snapshot))
        con.execute(f"USE {ALIAS}")
    except BaseException:
        con.close()
        raise
    return con


def lake_ddl(sql: str) -> str:
    """The warehouse's DDL without PRIMARY KEY clauses, which DuckLake refuses ("not supported")."""
    sql = re.sub(r",\s*PRIMARY KEY\s*\([^)]*\)", "", sql)
    return re.sub(r"\s+PRIMARY KEY\b", "", sql)


def lake_schema_sql(sql_dir: Path = SQL_DIR) -> str:
    """The file backend's DDL without its key clauses, and the lake's published state."""
    return lake_ddl(schema_sql(sql_dir)) + "\n" + PUBLISH_DDL


# The lake's published state (etl/warehouse/lake_publish.py): the contract and one row per publish, in schema `bi`.
PUBLISH_DDL = """
CREATE SCHEMA IF NOT EXISTS bi;
CREATE TABLE IF NOT EXISTS bi.contract (
    table_name VARCHAR, column_position INTEGER, column_name VARCHAR, data_type VARCHAR, meaning VARCHAR,
    table_description VARCHAR
);
CREATE TABLE IF NOT EXISTS bi.publication (
    published_at TIMESTAMPTZ, run_id VARCHAR, first_session DATE, last_session DATE
);
"""


def expected_tables(sql_dir: Path = SQL_DIR) -> dict[str, list[tuple[str, str]]]:
    """schema.table -> [(column, type)] as the DDL declares them (built in memory)."""
    con = duckdb.connect()
    try:
        con.execute(lake_schema_sql(sql_dir))
        return _tables(con, "memory")
    finally:
        con.close()


def _tables(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "SELECT schema_name || '.' || table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = $db ORDER BY 1, column_index",
        {"db": database},
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        out.setdefault(table, []).append((column, kind))
    return out


_CONNECTIONS: dict[tuple, duckdb.DuckDBPyConnection] = {}
_CHECKED: set[tuple] = set()  # (catalog, sql dir) whose tables were found complete, this process


class LakeWarehouse(Warehouse):
    """The warehouse on a DuckLake: several writer processes, each transaction retried on a conflict."""

    def __init__(self, location: str, sql_dir: Path = SQL_DIR):
        self.location = location
        self.config = LakeConfig.from_env(location)
        self.sql_dir = sql_dir
        self._session = None

    @property
    def path(self):  # noqa: D401 - a file path has no meaning here
        raise AttributeError(f"{self.location}: a lake has no file path (use local_dir, or publish a snapshot)")

    @property
    def local_dir(self) -> Path:
        """Reports and the lake's publish notes stay on the machine that runs the pipeline."""
        return Path(env.text("ASHARE_LAKE_HOME", str(WAREHOUSE_DIR / "lake")))

    def _open(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        key = (self.config, os.getpid(), threading.get_ident())
        con = _CONNECTIONS.get(key)
        if con is None:
            con = _CONNECTIONS[key] = connect(self.config)
        return con

    def _release(self, con: duckdb.DuckDBPyConnection) -> None:
        pass  # the process's connection stays open for its next query

    def ensure_schema(self) -> None:
        """The lake holds every table the DDL declares, with its columns; checked once per process. Creating
        them is `init`'s job, done once before parallel writers start."""
        key = (self.config.catalog, self.sql_dir)
        if key in _CHECKED:
            return
        with self.connect() as con:
            held = _tables(con, ALIAS)
        expected = expected_tables(self.sql_dir)
        missing = sorted(set(expected) - set(held))
        drifted = sorted(t for t in expected if t in held and held[t] != expected[t])
        if missing or drifted:
            raise LakeNotInitialised(
                f"{self.location}: "
                + (f"{len(missing)} tables missing (e.g. {missing[:3]}); " if missing else "")
                + (f"columns differ from warehouse/sql in {drifted[:5]}; " if drifted else "")
                + "run `make lake-init` (python -m etl.lake init) once, before any run"
            )
        _CHECKED.add(key)

    def init(self) -> int:
        """Create the catalog (on first attach) and every schema and table, in one transaction: one snapshot.
        Idempotent (IF NOT EXISTS); returns how many tables the lake holds."""
        self.write(Sql(lake_schema_sql(self.sql_dir)))
        _CHECKED.discard((self.config.catalog, self.sql_dir))
        self.ensure_schema()
        with self.connect() as con:
            legacy = legacy_proposals(con)  # a lake from before proposals were kept per run (issue 22)
        self.write(*legacy)
        with self.connect() as con:
            return len(_tables(con, ALIAS))

    def write(self, *steps: Replace | Sql) -> None:
        """The file backend's transaction, rerun whole while it loses a conflict to another writer."""
        for attempt in range(1, RETRIES + 1):
            try:
                return super().write(*steps)
            except duckdb.TransactionException as exc:
                if "conflict" not in str(exc).lower():
                    raise
                if attempt == RETRIES:
                    raise WriteConflict(
                        f"{_describe(steps)}: lost to concurrent writers {RETRIES} times in a row "
                        f"(ASHARE_LAKE_RETRIES); last error: {str(exc).splitlines()[-1]}"
                    ) from exc
                RETRIED.append(_describe(steps))
                time.sleep(min(2.0, BACKOFF_SECONDS * 2**attempt) * random.uniform(0.5, 1.5))
        return None

    def snapshot_id(self) -> int:
        with self.connect() as con:
            return con.execute(f"SELECT max(snapshot_id) FROM {ALIAS}.snapshots()").fetchone()[0]


RETRIED: list[str] = []  # what this process retried (tests and the bench read it)


def _describe(steps) -> str:
    """The tables a transaction writes and the partitions it replaces, for an error message."""
    parts = []
    for step in steps:
        if isinstance(step, Replace):
            dates = step.params.get("dates")
            if dates:
                span = f" {min(dates)}..{max(dates)} ({len(dates)} partitions)"
            else:
                span = f" where {step.where}" if step.where else " (whole table)"
            parts.append(step.table + span)
        else:
            parts.append(" ".join(step.sql.split()[:4]) + " …")
    return "; ".join(parts)


def close_connections() -> None:
    """Close this process's lake connections (tests that stop PostgreSQL, forked workers)."""
    for key in list(_CONNECTIONS):
        _CONNECTIONS.pop(key).close()
    _CHECKED.clear()
