"""DuckDB I/O: schema from warehouse/sql, partition replacement in one transaction, polars out.

Every write is BEGIN; DELETE the partition; INSERT ... BY NAME; COMMIT, rolled back on any error, with the
connection closed in `finally` (dagster-duckdb's IO manager does none of these; see docs/architecture.md).

This is the DuckDB file backend (one writer process) and the base of the lake's (etl/warehouse/lake.py);
`open_warehouse` (etl/warehouse/__init__.py) picks one by the location.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from etl import env
from etl.settings import SQL_DIR


class WriteError(RuntimeError):
    pass


@dataclass(frozen=True)
class Replace:
    """Delete `where` (everything if None) from `table` and insert `frame`, inside a transaction."""

    table: str
    frame: pl.DataFrame
    where: str | None = None
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Sql:
    """A statement run inside the same transaction as the replacements around it."""

    sql: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Refresh:
    """Make `table` hold exactly `frame`, as Replace(table, frame) would, writing only the difference: the
    stored rows the frame no longer has are deleted, the frame's rows not stored yet are inserted. A
    whole-table mart rebuilt daily over ten years gains one session's rows a day, and rewriting all of them
    (its primary key index included) was most of its step (docs/performance.md)."""

    table: str
    frame: pl.DataFrame


# DuckDB's buffer pool would grow to 80 % of RAM by default and keep what a backfill touched: capped, it spills
# to <file>.tmp instead, and a run's memory stays bounded whatever the range (docs/performance.md).
MEMORY_LIMIT = env.size("ASHARE_DUCKDB_MEMORY_LIMIT", "512MB")


_SCHEMA_ENSURED: set[tuple] = set()  # (file, sql dir, inode): a file replaced or deleted is set up again


def open_file(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=read_only, config={"memory_limit": MEMORY_LIMIT})


def schema_sql(sql_dir: Path = SQL_DIR) -> str:
    """The whole DDL: 00_schemas.sql, the raw tables (generated from the input specs), each domain's staging.sql
    (domains/<d>/), then the other SQL files (quality, marts), in that order. Both backends run it (the lake
    without its key clauses)."""
    from etl import plugins
    from etl.warehouse.raw_ddl import raw_ddl

    scripts = sorted(sql_dir.glob("*.sql"))
    parts = [scripts[0].read_text(encoding="utf-8"), raw_ddl()]
    parts += [staging.read_text(encoding="utf-8") for staging in plugins.files("staging.sql")]
    parts += [script.read_text(encoding="utf-8") for script in scripts[1:]]
    return "\n".join(parts)


class Warehouse:
    """The embedded backend: one DuckDB file, one writer process at a time (etl/warehouse/writer_lock.py)."""

    def __init__(self, path: Path | str, sql_dir: Path = SQL_DIR):
        self.path = Path(path)
        self.location = str(path)
        self.sql_dir = sql_dir
        self._session: duckdb.DuckDBPyConnection | None = None

    @property
    def local_dir(self) -> Path:
        """Where this warehouse's local outputs go (reports, the published BI file): beside the file."""
        return self.path.parent

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._session is not None:  # inside session(): every read and write shares its connection
            yield self._session
            return
        con = self._open(read_only)
        try:
            yield con
        finally:
            self._release(con)

    def _open(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        return open_file(self.path, read_only)

    def _release(self, con: duckdb.DuckDBPyConnection) -> None:
        con.close()

    @contextmanager
    def session(self) -> Iterator[Warehouse]:
        """One read-write connection for every query and write inside the block (a range step's chunk loop:
        opening the file costs ~50 ms, and a backfill of ten years opens it thousands of times otherwise).
        Each write is still its own transaction. Nothing else in the process may open the file meanwhile."""
        if self._session is not None:
            yield self
            return
        self._session = self._open()
        try:
            yield self
        finally:
            con, self._session = self._session, None
            self._release(con)

    def ensure_schema(self) -> None:
        """Schemas and raw tables (generated from the input specs), then the SQL files for staging and marts.
        Once per file and process while the file stays where it was (every step asks; the DDL costs ~100 ms)."""
        if self.path.exists() and self._schema_key() in _SCHEMA_ENSURED:
            return
        with self.connect() as con:
            con.execute(schema_sql(self.sql_dir))
            _migrate_proposals(con, self.sql_dir)
        _SCHEMA_ENSURED.add(self._schema_key())

    def _schema_key(self) -> tuple:
        return self.path.resolve(), self.sql_dir, self.path.stat().st_ino

    def query(self, sql: str, params: Sequence | None = None) -> pl.DataFrame:
        with self.connect(read_only=True) as con:
            return con.execute(sql, params or []).pl()

    def read_partitions(self, table: str, dates: Sequence[dt.date], column: str = "trade_date") -> pl.DataFrame:
        """The rows of `table` in the given partitions."""
        return self.query(f"SELECT * FROM {table} WHERE {column} IN (SELECT UNNEST($dates))", {"dates": list(dates)})

    def replace_partitions(
        self,
        table: str,
        frame: pl.DataFrame,
        dates: Sequence[dt.date],
        date_column: str = "trade_date",
        *also: Replace,
    ) -> int:
        """Atomically replace the rows of `dates` in `table` with `frame` (and any further replacements in
        `also`, e.g. the quarantine rows of the same partitions); returns rows inserted."""
        if not dates:
            raise WriteError(f"{table}: no partitions given")
        outside = frame.filter(~pl.col(date_column).is_in(list(dates)))
        if outside.height:
            raise WriteError(
                f"{table}: {outside.height} rows fall outside the partitions being written "
                f"(e.g. {outside.get_column(date_column).unique().head(3).to_list()})"
            )
        where = f"{date_column} IN (SELECT UNNEST($dates))"
        self.write(Replace(table, frame, where, {"dates": list(dates)}), *also)
        return frame.height

    def replace_table(self, table: str, frame: pl.DataFrame, *also: Replace) -> int:
        """`table` holds `frame` afterwards, written as the difference from what it held (`Refresh`)."""
        self.write(Refresh(table, frame), *also)
        return frame.height

    def write(self, *steps: Replace | Refresh | Sql) -> None:
        """BEGIN; for each replacement: DELETE its rows, INSERT its frame BY NAME (a `Sql` step runs as
        given); COMMIT. Any error rolls all back and is raised as it was: a COMMIT that fails (a full
        disk) has already ended the transaction, and its own error is the one worth reading."""
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                for r in steps:
                    if isinstance(r, Sql):
                        con.execute(r.sql, r.params)
                        continue
                    if isinstance(r, Refresh):
                        _refresh(con, r)
                        continue
                    con.execute(f"DELETE FROM {r.table}" + (f" WHERE {r.where}" if r.where else ""), r.params)
                    if r.frame.height:
                        con.register("incoming", _positive_zeros(r.frame))
                        con.execute(f"INSERT INTO {r.table} BY NAME SELECT * FROM incoming")
                        con.unregister("incoming")
                con.execute("COMMIT")
            except BaseException:
                try:
                    con.execute("ROLLBACK")
                except duckdb.Error:
                    pass  # no transaction left to roll back (the failed COMMIT ended it)
                raise

    def row_counts(self) -> pl.DataFrame:
        with self.connect(read_only=True) as con:
            tables = con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
                "ORDER BY schema_name, table_name"
            ).fetchall()
            rows = []
            for schema, table in tables:
                n = con.execute(f"SELECT count(*) FROM {schema}.{table}").fetchone()[0]
                cols = [c[0] for c in con.execute(f"DESCRIBE {schema}.{table}").fetchall()]
                parts = (
                    con.execute(f"SELECT count(DISTINCT trade_date) FROM {schema}.{table}").fetchone()[0]
                    if "trade_date" in cols
                    else None
                )
                rows.append({"table": f"{schema}.{table}", "rows": n, "partitions": parts})
        return pl.DataFrame(rows, schema={"table": pl.String, "rows": pl.Int64, "partitions": pl.Int64})


LEGACY_RUN = "before-2026-12"  # the run of a proposal made before proposals were kept per run


def _migrate_proposals(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> None:
    """A warehouse from before proposals were kept per run (issue 22) had candidate.proposals keyed on
    raw_table alone, which DuckDB cannot alter: the table is made again without the key, its rows kept. Rows
    of such a proposal (of a run that ended before its gate: no run settles them) are given LEGACY_RUN, and
    the next run proposing for the table abandons them to rejected.*."""
    keyed = con.execute(
        "SELECT count(*) FROM duckdb_constraints() WHERE database_name = current_database() AND schema_name = "
        "'candidate' AND table_name = 'proposals' AND constraint_type = 'PRIMARY KEY'"
    ).fetchone()[0]
    if not keyed:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("ALTER TABLE candidate.proposals RENAME TO proposals_keyed")
        con.execute(schema_sql(sql_dir))  # candidate.proposals again, keyless
        con.execute("INSERT INTO candidate.proposals BY NAME SELECT * FROM candidate.proposals_keyed")
        con.execute("DROP TABLE candidate.proposals_keyed")
        for step in legacy_proposals(con):
            con.execute(step.sql, step.params)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def legacy_proposals(con: duckdb.DuckDBPyConnection) -> list[Sql]:
    """Statements giving LEGACY_RUN to proposals and candidate rows without a run (made before proposals were
    kept per run), for the next run proposing for their table to abandon them. Both backends' migrations."""
    from etl.warehouse.raw_ddl import RUN_COLUMN

    candidates = [
        t
        for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = "
            "'candidate' AND table_name NOT IN ('proposals', 'unchanged')"
        ).fetchall()
    ]
    return [
        Sql("UPDATE candidate.proposals SET run_id = $r WHERE run_id IS NULL", {"r": LEGACY_RUN}),
        *(
            Sql(f"UPDATE candidate.{table} SET {RUN_COLUMN} = $r WHERE {RUN_COLUMN} IS NULL", {"r": LEGACY_RUN})
            for table in candidates
        ),
    ]


def _refresh(con: duckdb.DuckDBPyConnection, step: Refresh) -> None:
    """The frame is first cast into a scratch table shaped like the target (exactly what an INSERT would
    store); the set difference both ways then says which rows to delete (NULLs match NULLs, as in EXCEPT)
    and which to insert."""
    new = "refresh_incoming"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {new} AS SELECT * FROM {step.table} LIMIT 0")
    try:
        if step.frame.height:
            con.register("incoming", _positive_zeros(step.frame))
            con.execute(f"INSERT INTO {new} BY NAME SELECT * FROM incoming")
            con.unregister("incoming")
        columns = [row[0] for row in con.execute(f"SELECT * FROM {new} LIMIT 0").description]
        same = " AND ".join(f'{step.table}."{c}" IS NOT DISTINCT FROM gone."{c}"' for c in columns)
        con.execute(
            f"DELETE FROM {step.table} WHERE EXISTS (SELECT 1 FROM "
            f"(SELECT * FROM {step.table} EXCEPT SELECT * FROM {new}) AS gone WHERE {same})"
        )
        con.execute(f"INSERT INTO {step.table} SELECT * FROM {new} EXCEPT SELECT * FROM {step.table}")
    finally:
        con.execute(f"DROP TABLE IF EXISTS {new}")


def _positive_zeros(frame: pl.DataFrame) -> pl.DataFrame:
    """-0.0 stored as 0.0. Both storages keep one sign for a run of equal values (DuckDB's compression in a
    file, Parquet's dictionary in a lake), so which sign a zero came out with depended on its neighbours, and
    the two backends disagreed on 8 sample rows."""
    floats = [name for name, kind in frame.schema.items() if kind in (pl.Float64, pl.Float32)]
    if not floats:
        return frame
    return frame.with_columns(pl.when(pl.col(c) == 0).then(0.0).otherwise(pl.col(c)).alias(c) for c in floats)
