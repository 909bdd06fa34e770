import datetime as dt

import duckdb
import polars as pl
import pytest

from etl.warehouse import Warehouse, WriteError

DAY1, DAY2 = dt.date(2025, 1, 27), dt.date(2025, 2, 5)


def index_rows(day, close, code="000001"):
    return pl.DataFrame(
        {
            "trade_date": [day],
            "index_code": [code],
            "index_name": ["上证指数"],
            "open": [1.0],
            "high": [1.0],
            "low": [1.0],
            "close": [close],
            "volume_shares": [1],
            "amount_cny": [1.0],
            "source": ["recorded"],
            "source_function": ["stock_zh_index_daily_em"],
            "fetched_at": [None],
        }
    )


@pytest.fixture
def wh(tmp_path):
    warehouse = Warehouse(tmp_path / "w.duckdb")
    warehouse.ensure_schema()
    warehouse.replace_partitions(
        "staging.index_bars_daily", pl.concat([index_rows(DAY1, 10.0), index_rows(DAY2, 20.0)]), [DAY1, DAY2]
    )
    return warehouse


def closes(wh):
    return wh.query("SELECT trade_date, close FROM staging.index_bars_daily ORDER BY 1").rows()


def test_replacing_a_partition_touches_only_that_partition(wh):
    wh.replace_partitions("staging.index_bars_daily", index_rows(DAY2, 21.0), [DAY2])
    assert closes(wh) == [(DAY1, 10.0), (DAY2, 21.0)]


def test_insert_is_by_name_so_column_order_does_not_matter(wh):
    frame = index_rows(DAY2, 22.0)
    wh.replace_partitions("staging.index_bars_daily", frame.select(reversed(frame.columns)), [DAY2])
    assert closes(wh) == [(DAY1, 10.0), (DAY2, 22.0)]


def test_a_whole_table_write_stores_the_frame_but_rewrites_only_what_changed(wh):
    table = "staging.index_bars_daily"
    before = wh.query(f"SELECT rowid, * FROM {table} ORDER BY trade_date")
    kept, changed, added = index_rows(DAY1, 10.0), index_rows(DAY2, 21.0), index_rows(DAY2, 5.0, code="000300")
    frame = pl.concat([kept, changed, added]).with_columns(fetched_at=pl.lit(None, pl.Datetime("us", "UTC")))
    wh.replace_table(table, frame)
    after = wh.query(f"SELECT rowid, * FROM {table} ORDER BY trade_date, index_code")
    assert after.drop("rowid").equals(wh.query(f"SELECT * FROM {table} ORDER BY trade_date, index_code"))
    assert after.select("trade_date", "index_code", "close").rows() == [
        (DAY1, "000001", 10.0),
        (DAY2, "000001", 21.0),
        (DAY2, "000300", 5.0),
    ]
    # the unchanged row (NULL fetched_at included) was left where it was; the changed one was rewritten
    assert after["rowid"][0] == before["rowid"][0]
    assert after["rowid"][1] != before["rowid"][1]
    wh.replace_table(table, frame.head(0))
    assert wh.query(f"SELECT count(*) AS n FROM {table}")["n"][0] == 0


def test_a_failure_after_the_delete_rolls_back_and_keeps_the_old_partition(wh):
    bad = index_rows(DAY2, 23.0).with_columns(index_name=pl.lit(None, pl.String))  # NOT NULL column
    with pytest.raises(duckdb.ConstraintException):
        wh.replace_partitions("staging.index_bars_daily", bad, [DAY2])
    assert closes(wh) == [(DAY1, 10.0), (DAY2, 20.0)]


def test_rows_outside_the_partitions_being_written_are_refused(wh):
    with pytest.raises(WriteError, match="outside the partitions"):
        wh.replace_partitions("staging.index_bars_daily", index_rows(DAY1, 1.0), [DAY2])
    assert closes(wh) == [(DAY1, 10.0), (DAY2, 20.0)]


def test_connections_are_closed_after_a_failed_write(wh):
    with pytest.raises(duckdb.ConstraintException):
        wh.replace_partitions(
            "staging.index_bars_daily", index_rows(DAY2, 1.0).with_columns(index_code=pl.lit(None, pl.String)), [DAY2]
        )
    # a handle with another configuration (read-only) opens only if no read-write connection was left open
    con = duckdb.connect(str(wh.path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM staging.index_bars_daily").fetchone()[0] == 2
    finally:
        con.close()


def test_a_warehouse_with_proposals_keyed_per_table_is_migrated_and_its_leftovers_kept(tmp_path):
    """Before issue 22 a raw table had one pending proposal (candidate.proposals keyed on raw_table), which let
    one writer's proposal silently supersede another's. Such a warehouse opens with the key gone and a
    leftover proposal given LEGACY_RUN, for the next run to abandon to rejected.* (never dropped)."""
    import duckdb

    import etl.warehouse.base
    from etl.warehouse import LEGACY_RUN, Warehouse

    path = tmp_path / "old.duckdb"
    Warehouse(path).ensure_schema()
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE candidate.proposals")
    con.execute(
        "CREATE TABLE candidate.proposals (raw_table VARCHAR NOT NULL PRIMARY KEY, scope_column VARCHAR, "
        "scope VARCHAR[], captures JSON, run_id VARCHAR, proposed_at TIMESTAMPTZ NOT NULL)"
    )
    con.execute("ALTER TABLE candidate.us_bars_daily DROP COLUMN proposal_run_id")
    con.execute("INSERT INTO candidate.proposals VALUES ('raw.us_bars_daily', NULL, NULL, '[]', NULL, now())")
    con.execute(
        "INSERT INTO candidate.us_bars_daily BY NAME SELECT '105.NVDA' AS symbol, DATE '2025-01-27' AS "
        "us_trade_date, 'recorded' AS source, 'stock_us_hist' AS source_function"
    )
    con.close()
    etl.warehouse.base._SCHEMA_ENSURED.clear()
    wh = Warehouse(path)
    wh.ensure_schema()
    keys = wh.query(
        "SELECT count(*) AS n FROM duckdb_constraints() WHERE schema_name = 'candidate' AND table_name = 'proposals' "
        "AND constraint_type = 'PRIMARY KEY'"
    )["n"][0]
    assert keys == 0
    assert wh.query("SELECT run_id FROM candidate.proposals").rows() == [(LEGACY_RUN,)]
    assert wh.query("SELECT proposal_run_id FROM candidate.us_bars_daily").rows() == [(LEGACY_RUN,)]
