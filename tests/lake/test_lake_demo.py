"""The lake deployment end to end: `python -m assets.demo` over the Spring Festival window, once on a DuckDB file
(in-process executor) and once on the lake (catalog in PostgreSQL, data on a local S3 endpoint, Dagster on
PostgreSQL, multiprocess executor, two writers): every staging table and mart hashes identical, and the lake
run did run steps side by side."""

import re
import shutil
import subprocess
import sys

import duckdb
import pytest

from etl.contract import declared
from etl.lake import local
from etl.settings import PROJECT_ROOT, WAREHOUSE_DIR
from etl.warehouse import lake as backend
from etl.warehouse.lake_publish import export_published
from tests.conftest import FIRST, LAST
from tools.mart_hashes import digest, hashes

pytestmark = pytest.mark.lake


def demo(env: dict, dagster_yaml, home) -> str:
    """Run the demo in a process of its own; returns its run id."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(dagster_yaml, home / "dagster.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "assets.demo", "--first", FIRST, "--last", LAST],
        cwd=PROJECT_ROOT,
        env={**env, "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return re.search(r"^run (\S+)", done.stdout, re.M).group(1)


def published_tables(path) -> dict[str, tuple[int, str]]:
    """Rows and md5 of every table of a published file but `publication` (its time and run differ by design)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {n: digest(con, n) for n in names if n != "publication"}
    finally:
        con.close()


def most_steps_at_once(instance, run_id: str) -> int:
    import dagster as dg

    edges = []
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            edges.append((record.timestamp, 1))
        elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            edges.append((record.timestamp, -1))
    running = peak = 0
    for _, change in sorted(edges):
        running += change
        peak = max(peak, running)
    return peak


def test_the_lake_demo_with_two_writers_builds_what_the_file_demo_builds(cluster, lake_env, tmp_path, monkeypatch):
    import os

    base = {**os.environ, "ASHARE_DATA_DOCS": "0"}
    file_env = {**base, "ASHARE_GX_DIR": str(tmp_path / "gx-file"), "ASHARE_WAREHOUSE": str(tmp_path / "a.duckdb")}
    for key in ("ASHARE_LAKE_DATA", "ASHARE_LAKE_HOME"):
        file_env.pop(key, None)
    demo(file_env, WAREHOUSE_DIR / "dagster.yaml", tmp_path / "dagster-file")

    s3 = {
        "ASHARE_LAKE_DATA": f"s3://{local.BUCKET}/demo/",
        "ASHARE_LAKE_S3_ENDPOINT": f"127.0.0.1:{local.start_s3()}",
        "ASHARE_LAKE_S3_USE_SSL": "0",
        "AWS_ACCESS_KEY_ID": "lake",
        "AWS_SECRET_ACCESS_KEY": "lake",
    }
    try:
        lake_env_full = {
            **base,
            **lake_env,
            **s3,
            "ASHARE_GX_DIR": str(tmp_path / "gx-lake"),
            "ASHARE_DAGSTER_PG_URL": cluster["ASHARE_DAGSTER_PG_URL"],
            "ASHARE_WRITERS": "2",
        }
        subprocess.run([sys.executable, "-m", "etl.lake", "init"], env=lake_env_full, check=True, cwd=PROJECT_ROOT)
        run_id = demo(lake_env_full, WAREHOUSE_DIR / "dagster-lake.yaml", tmp_path / "dagster-lake")
        on_file = hashes(str(tmp_path / "a.duckdb"))
        for key, value in s3.items():
            monkeypatch.setenv(key, value)
        on_lake = hashes(lake_env["ASHARE_WAREHOUSE"])
        # what BI tools open: the lake's published snapshot exported to a file equals the file demo's publish
        exported = tmp_path / "lake-bi" / "marts.duckdb"
        export_published(backend.LakeWarehouse(lake_env["ASHARE_WAREHOUSE"]).config, exported)
        bi_file, bi_lake = published_tables(tmp_path / "bi" / "marts.duckdb"), published_tables(exported)
    finally:
        backend.close_connections()
        local.stop_s3()
    assert [h for h in on_lake if h not in on_file] == []
    assert len(on_lake) == len(on_file) == 36
    assert [n for n in bi_file if bi_lake.get(n) != bi_file[n]] == []
    assert len(bi_lake) == len(bi_file) == len(declared()) + 1  # every mart and the contract

    import dagster as dg

    monkeypatch.setenv("ASHARE_DAGSTER_PG_URL", cluster["ASHARE_DAGSTER_PG_URL"])
    instance = dg.DagsterInstance.from_config(str(tmp_path / "dagster-lake"))
    try:
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
        assert most_steps_at_once(instance, run_id) == 2  # two writers, never more (ASHARE_WRITERS, the pool)
    finally:
        instance.dispose()
