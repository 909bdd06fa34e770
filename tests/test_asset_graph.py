"""The asset graph and a fresh warehouse's schema as a reviewed snapshot (tests/asset_graph.json): asset keys,
groups, kinds, deps, checks and whether they block, partitions, backfill policy, pools, jobs, schedules and
sensors; every table's columns (name, type, nullable) and constraints. A refactor that moves code (issue 23)
must leave it identical; a change that means to alter the graph or the schema rewrites it on purpose:

    .venv/bin/python -m tests.test_asset_graph     # writes tests/asset_graph.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("asset_graph.json")


def _partitions(pd) -> dict | None:
    if pd is None:
        return None
    out = {"type": type(pd).__name__}
    for name in ("cron_schedule", "timezone", "fmt", "end_offset"):
        if hasattr(pd, name):
            out[name] = getattr(pd, name)
    if hasattr(pd, "start"):
        out["start"] = pd.start.isoformat()
        out["exclusions"] = len(pd.exclusions or [])
    return out


def snapshot() -> dict:
    from assets.definitions import defs

    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        policy = node.backfill_policy
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "kinds": sorted(node.kinds),
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "checks": {
                c.name: {"blocking": graph.get_check_spec(c).blocking}
                for c in sorted(node.check_keys, key=lambda c: c.name)
            },
            "partitions": _partitions(node.partitions_def),
            "backfill_policy": None if policy is None else policy.policy_type.value,
            "pools": sorted(node.pools or []),
            "executable": node.is_executable,
        }
    jobs = {}
    for job in sorted(defs.jobs or [], key=lambda j: j.name):
        resolved = defs.resolve_job_def(job.name)
        jobs[job.name] = {
            "assets": sorted(k.to_user_string() for k in resolved.asset_layer.selected_asset_keys),
            "partitioned": resolved.partitions_def is not None,
        }
    schedules = {
        s.name: {
            "cron": s.cron_schedule,
            "timezone": s.execution_timezone,
            "job": s.job_name,
            "default_status": s.default_status.value,
        }
        for s in sorted(defs.schedules or [], key=lambda s: s.name)
    }
    sensors = sorted(s.name for s in defs.sensors or [])
    return {"assets": assets, "jobs": jobs, "schedules": schedules, "sensors": sensors, "schema": schema()}


def schema() -> dict:
    """Each table of a fresh file warehouse: its columns (name type, NOT NULL marked) and constraints."""
    import duckdb

    from etl.warehouse import schema_sql

    con = duckdb.connect()
    try:
        con.execute(schema_sql())
        tables: dict = {}
        for table, column, kind, nullable in con.execute(
            "SELECT schema_name || '.' || table_name, column_name, data_type, is_nullable FROM duckdb_columns() "
            "WHERE database_name = 'memory' ORDER BY schema_name, table_name, column_index"
        ).fetchall():
            tables.setdefault(table, {"columns": [], "constraints": []})["columns"].append(
                f"{column} {kind}{'' if nullable else ' NOT NULL'}"
            )
        for table, kind, columns in con.execute(
            "SELECT schema_name || '.' || table_name, constraint_type, constraint_column_names FROM "
            "duckdb_constraints() WHERE database_name = 'memory' AND constraint_type <> 'NOT NULL' ORDER BY ALL"
        ).fetchall():
            tables[table]["constraints"].append(f"{kind} ({', '.join(columns)})")
        return tables
    finally:
        con.close()


def test_the_asset_graph_is_the_reviewed_snapshot():
    assert SNAPSHOT.exists(), f"no {SNAPSHOT.name}: write it with `python -m tests.test_asset_graph`"
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    got = json.loads(json.dumps(snapshot()))
    for part in ("assets", "jobs", "schedules", "sensors", "schema"):
        assert got[part] == expected[part], f"{part} differ from {SNAPSHOT.name}; rewrite it if that is meant"


if __name__ == "__main__":
    SNAPSHOT.write_text(json.dumps(snapshot(), indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}", file=sys.stderr)
