"""Publishing on the lake is a tagged snapshot: a reader pinned to it keeps its view through later writes,
publishes and snapshot expiry; the contract travels with it."""

import datetime as dt

import duckdb
import polars as pl
import pytest

from etl.warehouse import lake_publish as publish
from etl.warehouse.lake import connect

pytestmark = pytest.mark.lake

DAY = dt.date(2025, 2, 5)


def index_rows(n: int, name: str) -> pl.DataFrame:
    return pl.DataFrame(
        {"trade_date": [DAY] * n, "index_code": [f"{i:06d}" for i in range(n)], "index_name": [name] * n}
    )


def test_a_pinned_reader_keeps_the_published_marts_through_later_publishes_and_expiry(lake):
    lake.replace_partitions("marts.index_daily", index_rows(40, "first"), [DAY])
    first = publish.publish_snapshot(lake, "run-1")
    assert first.tables["marts.index_daily"] == 40
    assert publish.published_version(lake) == first.version
    pinned = publish.reader(lake.config)  # the latest publish
    try:
        lake.replace_partitions("marts.index_daily", index_rows(25, "second"), [DAY])  # unpublished writes
        lake.replace_partitions("marts.index_daily", index_rows(30, "third"), [DAY])
        second = publish.publish_snapshot(lake, "run-2")
        assert second.version > first.version
        view = "SELECT index_name, count(*) FROM marts.index_daily GROUP BY ALL"
        assert pinned.execute(view).fetchall() == [("first", 40)]
        # the contract travels with the snapshot: a reader sees the columns the marts had when published
        contract = pinned.execute("SELECT count(*) FROM bi.contract WHERE table_name = 'marts.index_daily'").fetchone()
        assert contract[0] == 10
        assert pinned.execute("SELECT run_id FROM bi.publication").fetchall() == [("run-1",)]

        expired = publish.expire_unpublished(lake, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
        assert expired and first.version not in expired and second.version not in expired
        assert pinned.execute(view).fetchall() == [("first", 40)]
        again = connect(lake.config, read_only=True, snapshot=first.version)  # a new reader at the old publish
        try:
            assert again.execute(view).fetchall() == [("first", 40)]
        finally:
            again.close()
    finally:
        pinned.close()
    latest = publish.reader(lake.config)
    try:
        assert latest.execute("SELECT index_name, count(*) FROM marts.index_daily GROUP BY ALL").fetchall() == [
            ("third", 30)
        ]
    finally:
        latest.close()
    script = (lake.local_dir / "bi" / "attach-published.sql").read_text(encoding="utf-8")
    assert f"SNAPSHOT_VERSION {second.version}" in script and "READ_ONLY" in script


def test_a_reader_is_refused_writes(lake):
    publish.publish_snapshot(lake, "run-1")
    reader = publish.reader(lake.config)
    try:
        with pytest.raises(Exception, match="(?i)read.only"):
            reader.execute("DELETE FROM marts.index_daily")
    finally:
        reader.close()


def test_nothing_published_says_so(lake):
    with pytest.raises(publish.NothingPublished, match="nothing published yet"):
        publish.reader(lake.config)


def test_the_published_snapshot_exports_to_the_file_bi_tools_open(lake, tmp_path):
    lake.replace_partitions("marts.index_daily", index_rows(40, "first"), [DAY])
    first = publish.publish_snapshot(lake, "run-1")
    lake.replace_partitions("marts.index_daily", index_rows(25, "unpublished"), [DAY])
    target = tmp_path / "bi" / "marts.duckdb"
    version, done = publish.export_published(lake.config, target)
    assert version == first.version and done.tables["marts.index_daily"] == 40
    con = duckdb.connect(str(target), read_only=True)  # as Superset's and Metabase's drivers open it
    try:
        view = "SELECT index_name, count(*) FROM marts.index_daily GROUP BY ALL"
        assert con.execute(view).fetchall() == [("first", 40)]  # the publish, not the later write
        assert con.execute("SELECT run_id, published_at FROM marts.publication").fetchall() == [
            ("run-1", first.published_at)
        ]
        assert con.execute("SELECT count(*) FROM marts.contract WHERE table_name = 'marts.index_daily'").fetchone()[0]
    finally:
        con.close()
    assert list(target.parent.iterdir()) == [target]  # no partial file left
