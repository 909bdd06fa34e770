"""The lake backend against a real PostgreSQL: one-time init, conflicts retried, concurrent writers exact, a
writer killed mid-transaction harmless, data on a local S3 endpoint."""

import datetime as dt
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time

import polars as pl
import pytest

from etl.lake import local
from etl.warehouse import Replace, Sql, Warehouse
from etl.warehouse import lake as backend

pytestmark = pytest.mark.lake

D1, D2 = dt.date(2030, 1, 2), dt.date(2030, 1, 3)


def bars(day: dt.date, n: int, name: str = "x") -> pl.DataFrame:
    return pl.DataFrame(
        {"trade_date": [day] * n, "index_code": [f"{i:06d}" for i in range(n)], "index_name": [name] * n}
    )


def counts(wh) -> dict:
    rows = wh.query("SELECT trade_date, index_name, count(*) AS n FROM marts.index_daily GROUP BY ALL ORDER BY ALL")
    return {(r["trade_date"], r["index_name"]): r["n"] for r in rows.iter_rows(named=True)}


def test_an_uninitialised_lake_names_the_command(lake_env):
    wh = backend.LakeWarehouse(lake_env["ASHARE_WAREHOUSE"])
    with pytest.raises(backend.LakeNotInitialised, match="make lake-init"):
        wh.ensure_schema()


def test_init_creates_every_table_of_the_file_backend_with_the_same_columns(lake, tmp_path):
    """The lake's DDL is the file's without PRIMARY KEY clauses: same tables, same columns and types."""
    file = Warehouse(tmp_path / "w.duckdb")
    file.ensure_schema()
    with file.connect() as con:
        held_by_file = backend._tables(con, "w")
    with lake.connect() as con:
        held_by_lake = backend._tables(con, backend.ALIAS)
    assert {t: c for t, c in held_by_lake.items() if not t.startswith("bi.")} == held_by_file
    lake.init()  # idempotent
    assert lake.snapshot_id() > 0


def _competing_commit(wh, calls: list, every: bool = False):
    """A UDF that, while the caller's transaction is open, commits a replacement of another date in the same
    table from a second connection: DuckLake's conflicts are per table, so the caller's COMMIT then fails."""

    def compete() -> int:
        calls.append(1)
        if every or len(calls) == 1:
            other = backend.connect(wh.config)
            try:
                other.execute("BEGIN")
                other.execute("DELETE FROM marts.index_daily WHERE trade_date = $d", {"d": D2})
                other.register("f", bars(D2, 50, f"other{len(calls)}"))
                other.execute("INSERT INTO marts.index_daily BY NAME SELECT * FROM f")
                other.execute("COMMIT")
            finally:
                other.close()
        return len(calls)

    with wh.connect() as con:
        con.create_function("compete", compete, [], "BIGINT")


def test_a_forced_conflict_is_retried_and_both_writes_land(lake):
    lake.replace_partitions("marts.index_daily", pl.concat([bars(D1, 100), bars(D2, 100)]), [D1, D2])
    calls: list = []
    _competing_commit(lake, calls)
    retried = len(backend.RETRIED)
    lake.write(
        Replace("marts.index_daily", bars(D1, 70, "mine"), "trade_date = $d", {"d": D1}), Sql("SELECT compete()")
    )
    assert len(calls) == 2  # the transaction ran twice: lost once, then committed
    assert len(backend.RETRIED) == retried + 1
    assert counts(lake) == {(D1, "mine"): 70, (D2, "other1"): 50}


def test_a_writer_that_always_loses_fails_naming_the_table_and_partitions(lake, monkeypatch):
    monkeypatch.setattr(backend, "RETRIES", 3)
    monkeypatch.setattr(backend, "BACKOFF_SECONDS", 0.001)
    lake.replace_partitions("marts.index_daily", pl.concat([bars(D1, 100), bars(D2, 100)]), [D1, D2])
    calls: list = []
    _competing_commit(lake, calls, every=True)
    with pytest.raises(backend.WriteConflict, match=rf"marts.index_daily {D1}\.\.{D1} \(1 partitions\).*3 times"):
        lake.write(
            Replace(
                "marts.index_daily", bars(D1, 70, "mine"), "trade_date IN (SELECT UNNEST($dates))", {"dates": [D1]}
            ),
            Sql("SELECT compete()"),
        )
    assert len(calls) == 3
    assert counts(lake)[(D1, "x")] == 100  # nothing of the losing transaction was applied


def _writer(location: str, data: str, day: dt.date, transactions: int, rows: int, out) -> None:
    os.environ["ASHARE_LAKE_DATA"] = data
    wh = backend.LakeWarehouse(location)
    for i in range(transactions):
        wh.replace_partitions("marts.index_daily", bars(day, rows + i, f"w{day.day}"), [day])
    out.put(len(backend.RETRIED))


def test_two_writer_processes_on_one_table_end_exact_and_a_reader_never_sees_half(lake, lake_env):
    """Two processes replace their own date of one table 12 times each (their commits conflict: DuckLake's
    conflicts are per table); a reader meanwhile only ever sees whole transactions."""
    transactions, rows = 12, 60_000
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    args = (lake_env["ASHARE_WAREHOUSE"], lake_env["ASHARE_LAKE_DATA"])
    writers = [ctx.Process(target=_writer, args=(*args, day, transactions, rows, out)) for day in (D1, D2)]
    for w in writers:
        w.start()
    seen, reads = set(), 0
    valid = {rows + i for i in range(transactions)}
    while any(w.is_alive() for w in writers):
        for (_, _), n in counts(lake).items():
            seen.add(n)
        reads += 1
        time.sleep(0.05)
    for w in writers:
        w.join()
        assert w.exitcode == 0
    retries = out.get(timeout=5) + out.get(timeout=5)
    assert counts(lake) == {(D1, "w2"): rows + transactions - 1, (D2, "w3"): rows + transactions - 1}
    assert seen <= valid, f"a reader saw a partial transaction: {sorted(seen - valid)[:5]}"
    assert reads > 10
    print(f"\n2 writers x {transactions} transactions x ~{rows:,} rows: {retries} retries, {reads} consistent reads")


KILLED_WRITER = """
import os, sys, datetime as dt, polars as pl
from etl.warehouse import lake as backend
wh = backend.LakeWarehouse(os.environ["ASHARE_WAREHOUSE"])
day = dt.date(2030, 1, 2)
big = pl.DataFrame({"trade_date": [day] * 3_000_000, "index_code": [str(i) for i in range(3_000_000)],
                    "index_name": ["killed"] * 3_000_000})
with wh.connect() as con:
    con.execute("BEGIN")
    con.execute("DELETE FROM marts.index_daily WHERE trade_date = $d", {"d": day})
    print("deleted", flush=True)
    con.register("big", big)
    for _ in range(100):
        con.execute("INSERT INTO marts.index_daily BY NAME SELECT * FROM big")
    con.execute("COMMIT")
print("committed", flush=True)
"""


def test_a_writer_killed_mid_transaction_leaves_the_lake_as_it_was_and_a_rerun_completes(lake, lake_env):
    lake.replace_partitions("marts.index_daily", bars(D1, 1000, "before"), [D1])
    before, snapshot = counts(lake), lake.snapshot_id()
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER], stdout=subprocess.PIPE, text=True, env={**os.environ, **lake_env}
    )
    assert proc.stdout.readline().strip() == "deleted"
    time.sleep(1.0)  # inside the inserts: Parquet files are being written, nothing is committed
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert counts(lake) == before
    assert lake.snapshot_id() == snapshot  # no snapshot of the killed transaction
    lake.replace_partitions("marts.index_daily", bars(D1, 2000, "rerun"), [D1])
    assert counts(lake) == {(D1, "rerun"): 2000}


def test_the_data_path_can_be_a_local_s3_endpoint(cluster, lake_env, monkeypatch):
    port = local.start_s3()
    try:
        monkeypatch.setenv(
            "ASHARE_LAKE_DATA", f"s3://{local.BUCKET}/{lake_env['ASHARE_LAKE_DATA'].strip('/').split('/')[-1]}/"
        )
        monkeypatch.setenv("ASHARE_LAKE_S3_ENDPOINT", f"127.0.0.1:{port}")
        monkeypatch.setenv("ASHARE_LAKE_S3_USE_SSL", "0")
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "lake")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "lake")
        wh = backend.LakeWarehouse(lake_env["ASHARE_WAREHOUSE"])
        wh.init()
        wh.replace_partitions("marts.index_daily", bars(D1, 5000), [D1])
        assert counts(wh) == {(D1, "x"): 5000}
        import boto3

        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port}",
            aws_access_key_id="lake",
            aws_secret_access_key="lake",
            region_name="us-east-1",
        )
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=local.BUCKET).get("Contents", [])]
        assert any(k.endswith(".parquet") for k in keys), json.dumps(keys)[:300]
    finally:
        backend.close_connections()
        local.stop_s3()


def test_init_labels_proposals_made_before_they_were_kept_per_run(lake):
    """A lake from before issue 22 has candidate rows and proposals without a run: `make lake-init` gives them
    LEGACY_RUN, so the next run proposing for the table abandons them to rejected.* instead of never."""
    from etl.warehouse import LEGACY_RUN, Sql

    lake.write(
        Sql(
            "INSERT INTO candidate.proposals (raw_table, captures, proposed_at) "
            "VALUES ('raw.us_bars_daily', '[]', now())"
        ),
        Sql(
            "INSERT INTO candidate.us_bars_daily (symbol, us_trade_date, source, source_function) "
            "VALUES ('105.NVDA', DATE '2025-01-27', 'recorded', 'stock_us_hist')"
        ),
    )
    lake.init()
    assert lake.query("SELECT run_id FROM candidate.proposals").rows() == [(LEGACY_RUN,)]
    assert lake.query("SELECT proposal_run_id FROM candidate.us_bars_daily").rows() == [(LEGACY_RUN,)]
