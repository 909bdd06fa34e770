"""The Superset bundle (warehouse/superset/dashboard/) agrees with the contract, without Superset installed.

`make superset-test` proves the dashboard draws in a browser; these catch, in `make test`, the drift that
would break it: a dataset that no longer matches its mart, a chart naming a column its dataset lacks, a
chart off the dashboard or a dashboard tile with no chart file.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import duckdb
import pytest

from etl.contract import declared
from etl.superset import bundle

CHARTS = sorted((bundle.BUNDLE_DIR / "charts").glob("*.yaml"))


def datasets_by_uuid() -> dict[str, dict]:
    configs = [bundle.load(p) for p in (bundle.BUNDLE_DIR / "datasets").rglob("*.yaml")]
    return {c["uuid"]: c for c in configs}


def columns_named(params: dict) -> set[str]:
    """Every dataset column a chart's params refer to, the SQL metrics' arguments included."""
    named = {params[k] for k in ("x_axis",) if params.get(k)}
    named |= set(params.get("groupby") or []) | set(params.get("all_columns") or [])
    named |= {f["subject"] for f in params.get("adhoc_filters") or []}
    named |= {re.match(r'\["(\w+)"', o).group(1) for o in params.get("order_by_cols") or []}
    for metric in params.get("metrics") or []:
        named |= set(re.findall(r"\((\w+)\)", metric["sqlExpression"]))
    return named


def test_the_dataset_files_are_generated_from_the_contract():
    on_disk = {p: p.read_text(encoding="utf-8") for p in (bundle.BUNDLE_DIR / "datasets").rglob("*.yaml")}
    assert on_disk == bundle.datasets(), "stale: run `python -m etl.superset datasets`"
    marts = {name.removeprefix("marts.") for name in declared()}
    assert {bundle.load(p)["table_name"] for p in on_disk} == marts | set(bundle.VIRTUAL)


def test_every_chart_names_only_columns_its_dataset_has():
    datasets = datasets_by_uuid()
    for path in CHARTS:
        chart = bundle.load(path)
        assert chart["viz_type"] == chart["params"]["viz_type"], path.name
        dataset = datasets[chart["dataset_uuid"]]
        have = {c["column_name"] for c in dataset["columns"]}
        assert columns_named(chart["params"]) <= have, (path.name, columns_named(chart["params"]) - have)


def test_the_dashboard_places_every_chart_once_and_its_filter_targets_a_real_column():
    dashboard = bundle.load(bundle.DASHBOARD)
    tiles = bundle.dashboard_tiles()
    charts = {bundle.load(p)["uuid"]: bundle.load(p)["slice_name"] for p in CHARTS}
    assert sorted(t["uuid"] for t in tiles) == sorted(charts)
    assert all(charts[t["uuid"]] == t["sliceName"] for t in tiles)
    ids = {t["chartId"] for t in tiles}
    assert len(ids) == len(tiles)
    datasets = datasets_by_uuid()
    for native in dashboard["metadata"]["native_filter_configuration"]:
        assert set(native["scope"]["excluded"]) < ids
        for target in native["targets"]:
            columns = {c["column_name"] for c in datasets[target["datasetUuid"]]["columns"]}
            assert target["column"]["name"] in columns


def test_the_zipped_bundle_points_read_only_at_the_given_file(tmp_path):
    marts = tmp_path / "bi" / "marts.duckdb"
    with zipfile.ZipFile(io.BytesIO(bundle.zip_bundle(marts))) as zf:
        names = zf.namelist()
        database = zf.read("ashare_bundle/databases/ashare_marts.yaml").decode()
    assert "ashare_bundle/metadata.yaml" in names
    assert len(names) == len(list(bundle.BUNDLE_DIR.rglob("*.yaml")))
    assert f"duckdb:///{marts}" in database and bundle.MARTS_PLACEHOLDER not in database
    assert "read_only: true" in database


@pytest.mark.parametrize("name", sorted(bundle.VIRTUAL))
def test_a_virtual_dataset_runs_on_the_published_file(built_warehouse, name):
    published = Path(built_warehouse).parent / "bi" / "marts.duckdb"
    con = duckdb.connect(str(published), read_only=True)
    try:
        sql = bundle.VIRTUAL[name].sql
        rows = con.execute(f"SELECT count(*), count(*) FILTER (WHERE side IS NOT NULL) FROM ({sql})").fetchone()
        per_day = con.execute(
            f"SELECT max(n) FROM (SELECT count(*) AS n FROM ({sql}) WHERE side IS NOT NULL "
            "GROUP BY session, board_type, side)"
        ).fetchone()[0]
    finally:
        con.close()
    assert rows[0] > 0 and rows[1] > 0
    assert per_day == 10


ATTACKS = {
    "read a host file": "SELECT * FROM read_text('/etc/passwd')",
    "read a host file as CSV": "SELECT * FROM read_csv('/etc/passwd')",
    "list host files": "SELECT * FROM glob('/etc/*')",
    "write a file": "COPY (SELECT 42 AS x) TO '{leak}'",
    "attach the pipeline's warehouse": "ATTACH '{warehouse}' AS w",
    "turn external access back on": "SET enable_external_access = true",
    "unlock the configuration": "SET lock_configuration = false",
    "load an extension": "LOAD httpfs",
    "reach the network": "SELECT * FROM 'https://example.invalid/x.csv'",
    "write the marts": "CREATE TABLE marts.x AS SELECT 1",
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_the_bi_connection_cannot_touch_the_machine(tmp_path, attack):
    """The connection Superset opens (the bundle's connect_args, as duckdb_engine passes them) refuses file,
    network and database access: SQL Lab as admin read /etc/passwd and wrote files before (issue 22, case 3)."""
    database = bundle.load(bundle.BUNDLE_DIR / "databases" / "ashare_marts.yaml")
    assert database["expose_in_sqllab"] is False and database["allow_dml"] is False
    args = database["extra"]["engine_params"]["connect_args"]
    marts, warehouse, leak = tmp_path / "published.duckdb", tmp_path / "ashare.duckdb", tmp_path / "leak.csv"
    for path in (marts, warehouse):
        duckdb.connect(str(path)).execute("CREATE SCHEMA marts; CREATE TABLE marts.t AS SELECT 1 AS x").close()
    con = duckdb.connect(str(marts), read_only=args["read_only"], config=args["config"])
    try:
        assert con.execute("SELECT x FROM marts.t").fetchall() == [(1,)]  # the marts themselves are readable
        with pytest.raises(duckdb.Error, match="disabled|Cannot change|read-only|Cannot execute"):
            con.execute(ATTACKS[attack].format(leak=leak, warehouse=warehouse))
    finally:
        con.close()
    assert not leak.exists()


def superset_config(tmp_path, monkeypatch, marts):
    """warehouse/superset/superset_config.py as Superset loads it, over a state directory of its own."""
    import importlib.util

    state = tmp_path / "state"
    state.mkdir()
    (state / "secret_key").write_text("x")
    (state / "published_marts").write_text(str(marts))
    monkeypatch.setenv("ASHARE_SUPERSET_HOME", str(state))
    spec = importlib.util.spec_from_file_location("superset_config", bundle.BUNDLE_DIR.parent / "superset_config.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_connection_record_can_unlock_duckdb(tmp_path, monkeypatch):
    """An admin who edits the connection's extra (external access on, configuration unlocked, a directory
    allowed) or adds duckdb:///:memory: gets the locked published file or nothing (issue 32): the mutator
    rewrites every DuckDB engine's arguments and refuses any other database."""
    from sqlalchemy.engine import make_url

    marts = tmp_path / "published.duckdb"
    duckdb.connect(str(marts)).execute("CREATE SCHEMA marts; CREATE TABLE marts.t AS SELECT 1 AS x").close()
    config = superset_config(tmp_path, monkeypatch, marts)
    unlocked = {
        "connect_args": {
            "read_only": False,
            "config": {"enable_external_access": True, "lock_configuration": False, "allowed_directories": ["/"]},
        }
    }
    uri, params = config.DB_CONNECTION_MUTATOR(make_url(f"duckdb:///{marts}"), unlocked, "admin", None, None)
    args = params["connect_args"]
    assert args["read_only"] is True and "allowed_directories" not in args["config"]
    con = duckdb.connect(uri.database, read_only=args["read_only"], config=args["config"])
    try:
        assert con.execute("SELECT x FROM marts.t").fetchall() == [(1,)]
        for attack in ("read a host file", "turn external access back on", "unlock the configuration"):
            with pytest.raises(duckdb.Error, match="disabled|Cannot change|read-only|Cannot execute"):
                con.execute(ATTACKS[attack])
    finally:
        con.close()
    other = tmp_path / "other.duckdb"
    for url in ("duckdb:///:memory:", "duckdb://", f"duckdb:///{other}"):
        with pytest.raises(config.LockedDuckDB, match="refused: this Superset serves the published marts"):
            config.DB_CONNECTION_MUTATOR(make_url(url), {}, "admin", None, None)
    sqlite = make_url("sqlite:///x.db")  # Superset's own metadata database is no DuckDB: left alone
    assert config.DB_CONNECTION_MUTATOR(sqlite, {"a": 1}, "admin", None, None) == (sqlite, {"a": 1})


def test_an_empty_superset_password_is_an_error_not_the_default(monkeypatch):
    from etl.env import SettingError
    from etl.superset import service

    monkeypatch.setenv("ASHARE_SUPERSET_PASSWORD", "  ")
    with pytest.raises(SettingError, match="ASHARE_SUPERSET_PASSWORD='': set but empty"):
        service.credentials()
    monkeypatch.delenv("ASHARE_SUPERSET_PASSWORD")
    assert service.credentials() == service.DEFAULT_LOGIN  # unset: the local demo's login
