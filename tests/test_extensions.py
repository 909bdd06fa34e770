"""The DuckDB extensions the lake backend needs load from their wheels, with the network never asked."""

import duckdb
import pytest

from etl.extensions import OFFLINE, ExtensionMissing, extension_file, load


def test_ducklake_loads_offline_and_keeps_snapshots(tmp_path):
    con = duckdb.connect(config=OFFLINE)
    load(con, "ducklake", "postgres_scanner")
    loaded = dict(con.sql("SELECT extension_name, loaded FROM duckdb_extensions()").fetchall())
    assert loaded["ducklake"] and loaded["postgres_scanner"]
    # a DuckLake with a local DuckDB-file catalog (one process; the lake backend puts it in PostgreSQL)
    con.execute(f"ATTACH 'ducklake:{tmp_path / 'catalog.ducklake'}' AS lake (DATA_PATH '{tmp_path / 'data'}')")
    con.execute("CREATE TABLE lake.bars (trade_date DATE, symbol VARCHAR, close DOUBLE)")
    con.execute("INSERT INTO lake.bars VALUES (DATE '2025-02-05', '600519', 1500.0)")
    first = con.sql("SELECT max(snapshot_id) FROM lake.snapshots()").fetchone()[0]
    # a session of the whole market: more rows than DuckLake inlines into its catalog, so Parquet is written
    con.execute("INSERT INTO lake.bars SELECT DATE '2025-02-06', lpad(i::VARCHAR, 6, '0'), 10.0 FROM range(5400) t(i)")
    assert con.sql("SELECT count(*) FROM lake.bars").fetchone()[0] == 5401
    assert con.sql(f"SELECT count(*) FROM lake.bars AT (VERSION => {first})").fetchone()[0] == 1
    assert list((tmp_path / "data").rglob("*.parquet"))  # the data is Parquet files beside the catalog


def test_an_extension_without_its_wheel_names_what_to_do():
    with pytest.raises(ExtensionMissing, match="spatial.*not installed"):
        extension_file("spatial")
