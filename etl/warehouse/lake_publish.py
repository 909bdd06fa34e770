"""Write-audit-publish on a lake: the published state is a tagged snapshot, not a copied file.

A DuckLake keeps every committed snapshot readable (until expired): a BI reader attaches the lake read-only at
the version the last publish tagged and sees exactly the audited marts of that publish, however many runs
write after it. The publish commit itself carries the contract (`bi.contract`) and a row in
`bi.publication`, and is tagged with `set_commit_message` (author `ashare-publish`), so that
`published_version` finds it and `expire_unpublished` never removes it.

    python -m etl.lake attach        # the read-only ATTACH of the latest published snapshot, for any client
    python -m etl.lake export        # that snapshot as a DuckDB file, for clients that open files (Superset, Metabase)
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etl import contract
from etl.warehouse.lake import ALIAS, LakeConfig, LakeWarehouse, connect
from etl.warehouse.publish import Published, audit_contract, copy_marts
from etl.warehouse.base import Replace, Sql

AUTHOR = "ashare-publish"


class NothingPublished(RuntimeError):
    pass


@dataclass(frozen=True)
class PublishedSnapshot:
    version: int
    tables: dict[str, int]
    published_at: dt.datetime
    attach_sql: str


def publish_snapshot(wh: LakeWarehouse, run_id: str = "") -> PublishedSnapshot:
    """Audit the lake's marts against the contract, then commit the contract and a publication row as one
    tagged snapshot. Returns its version and the row counts a reader pinned to it sees."""
    with wh.connect() as con:
        held = contract.read(con, ALIAS)
    audit_contract(held, contract.declared())
    published_at = dt.datetime.now(dt.UTC)
    rows = [
        (c.table, i + 1, c.name, c.type, c.meaning, table.description)
        for table in held.values()
        for i, c in enumerate(table.columns)
    ]
    names = ["table_name", "column_position", "column_name", "data_type", "meaning", "table_description"]
    frame = pl.DataFrame(rows, schema=names, orient="row").with_columns(pl.col("column_position").cast(pl.Int32))
    info = json.dumps({"run_id": run_id, "published_at": published_at.isoformat()})
    wh.write(
        Replace("bi.contract", frame),
        Sql(
            "INSERT INTO bi.publication SELECT $at, $run, min(trade_date), max(trade_date) "
            "FROM marts.market_breadth_daily",
            {"at": published_at, "run": run_id},
        ),
        Sql(f"CALL {ALIAS}.set_commit_message('{AUTHOR}', $message, extra_info => $info)", _message(run_id, info)),
    )
    with wh.connect() as con:
        version = con.execute(
            f"SELECT max(snapshot_id) FROM {ALIAS}.snapshots() WHERE author = $a AND commit_extra_info = $info",
            {"a": AUTHOR, "info": info},
        ).fetchone()[0]
        tables = {
            name: con.execute(f"SELECT count(*) FROM {name} AT (VERSION => {version})").fetchone()[0] for name in held
        }
    attach = wh.config.attach_sql(read_only=True, snapshot=version)
    notes = wh.local_dir / "bi"
    notes.mkdir(parents=True, exist_ok=True)
    (notes / "attach-published.sql").write_text(attach_script(wh.config, version), encoding="utf-8")
    return PublishedSnapshot(version, tables, published_at, attach)


def _message(run_id: str, info: str) -> dict:
    return {"message": f"publish run {run_id}".strip(), "info": info}


def published_versions(con) -> list[int]:
    """Every published snapshot still in the lake attached on `con`, oldest first."""
    sql = f"SELECT snapshot_id FROM {ALIAS}.snapshots() WHERE author = '{AUTHOR}' ORDER BY snapshot_id"
    return [r[0] for r in con.execute(sql).fetchall()]


def latest_published(con, where: str) -> int:
    versions = published_versions(con)
    if not versions:
        raise NothingPublished(f"{where}: nothing published yet (materialise bi/marts)")
    return versions[-1]


def published_version(wh: LakeWarehouse) -> int:
    with wh.connect() as con:
        return latest_published(con, wh.location)


def reader(config: LakeConfig, version: int | None = None):
    """A read-only connection pinned to `version` (default: the latest publish), marts as `marts.<table>`."""
    if version is None:
        probe = connect(config, read_only=True)
        try:
            version = latest_published(probe, config.catalog)
        finally:
            probe.close()
    return connect(config, read_only=True, snapshot=version)


def export_published(config: LakeConfig, target: Path, version: int | None = None) -> tuple[int, Published]:
    """The published snapshot `version` (default: the latest) as a DuckDB file at `target`, in the form the file
    backend publishes (marts in `main`, `contract`, `publication`): Superset's and Metabase's DuckDB drivers open
    files, not lakes. The publication row keeps the snapshot's run and time, so the file says what it holds."""
    con = reader(config, version)
    try:
        version = version or latest_published(con, config.catalog)
        run_id, published_at = con.execute(
            "SELECT run_id, published_at FROM bi.publication ORDER BY published_at DESC LIMIT 1"
        ).fetchone()
        return version, copy_marts(con, ALIAS, target, run_id, published_at)
    finally:
        con.close()


def export_latest(wh: LakeWarehouse, target: Path | None = None) -> str:
    """`python -m etl.lake export`: the latest publish to `target` (default <lake home>/bi/marts.duckdb)."""
    target = target or wh.local_dir / "bi" / "marts.duckdb"
    version, done = export_published(wh.config, target)
    return f"snapshot {version} (published {done.published_at:%Y-%m-%d %H:%M} UTC) -> {target}, {done.bytes:,} bytes"


def attach_script(config: LakeConfig, version: int) -> str:
    """What a DuckDB client (CLI `-init`, DBeaver's bootstrap queries) runs to read the published marts."""
    from etl.extensions import extension_file

    loads = [f"LOAD '{extension_file(name)}';" for name in ("ducklake", "postgres_scanner")]
    return "\n".join(
        [
            f"-- the published marts of {config.catalog}, snapshot {version} (written by the publish step)",
            *loads,
            config.attach_sql(read_only=True, snapshot=version) + ";",
            f"USE {ALIAS};",
            "",
        ]
    )


def expire_unpublished(wh: LakeWarehouse, older_than: dt.datetime) -> list[int]:
    """Expire the snapshots older than `older_than` that no publish tagged (and never the newest), then delete
    the files only they used. A reader pinned to a published version keeps working. Returns the versions."""
    with wh.connect() as con:
        keep = set(published_versions(con))
        newest = con.execute(f"SELECT max(snapshot_id) FROM {ALIAS}.snapshots()").fetchone()[0]
        old = con.execute(
            f"SELECT snapshot_id FROM {ALIAS}.snapshots() WHERE snapshot_time < $t ORDER BY 1", {"t": older_than}
        ).fetchall()
        versions = [v for (v,) in old if v not in keep and v != newest]
        if versions:
            con.execute(f"CALL ducklake_expire_snapshots('{ALIAS}', versions => {versions})")
            con.execute(f"CALL ducklake_cleanup_old_files('{ALIAS}', cleanup_all => true)")
    return versions
