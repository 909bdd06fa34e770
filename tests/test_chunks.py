"""A range run works through its sessions a chunk at a time, each chunk committed on its own
(assets/chunks.py CHUNK_SESSIONS): the same warehouse as one chunk, a chunk re-run changes nothing, a failed
chunk leaves the chunks before it in place and itself untouched, and a run killed mid-way then run again ends
where an uninterrupted run ends."""

import os
import shutil
import signal
import subprocess
import sys

import dagster as dg
import pytest

import assets.chunks
import assets.gate
from tests.conftest import BAR_ASSETS, materialize_range, table
from tools.mart_hashes import hashes

CHUNK = 3  # the holiday window's 7 sessions in 3 chunks
# the stock bars (raw -> gate -> staging) and a mart over them: the chunked path, without the whole graph
SELECTION = [*BAR_ASSETS, "marts/market_breadth_daily"]


def build(path, first=None, last=None, **kwargs):
    window = {k: v for k, v in (("first", first), ("last", last)) if v}
    return materialize_range(path, selection=SELECTION, **window, **kwargs)


@pytest.fixture(scope="module")
def one_chunk(tmp_path_factory):
    """The window built in one chunk (CHUNK_SESSIONS is larger than the window)."""
    path = tmp_path_factory.mktemp("one") / "one.duckdb"
    assert len(assets.chunks.chunks(sessions_of_window())) == 1
    assert build(path).success
    return path


def sessions_of_window():
    from etl.market import sessions_between
    from tests.conftest import FIRST, LAST, d

    return sessions_between(d(FIRST), d(LAST))


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(assets.chunks, "CHUNK_SESSIONS", CHUNK)


def sessions(path, table_name="staging.stock_bars_daily") -> list[str]:
    sql = f"SELECT DISTINCT trade_date::VARCHAR AS d FROM {table_name} ORDER BY 1"
    return table(path, sql)["d"].to_list()


def test_chunks_split_the_range_in_order():
    import datetime as dt

    days = [dt.date(2025, 1, d) for d in (9, 2, 3, 6, 7, 8)]
    assert assets.chunks.chunks(days, 4) == [days[1:3] + [days[3], days[4]], [days[5], days[0]]]
    assert assets.chunks.chunks([], 4) == []


def test_a_run_in_chunks_builds_the_warehouse_one_chunk_builds(small_chunks, one_chunk, tmp_path):
    path = tmp_path / "chunked.duckdb"
    result = build(path)
    assert result.success
    staged = next(
        e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "staging/stock_bars_daily"
    )
    assert staged["chunks"].value == 3  # the run did work in chunks
    assert hashes(str(path)) == hashes(str(one_chunk))


def test_rerunning_one_chunk_leaves_the_warehouse_identical(small_chunks, one_chunk, tmp_path):
    path = tmp_path / "rerun.duckdb"
    shutil.copy(one_chunk, path)
    before = hashes(str(path))
    days = sessions(path)
    assert build(path, days[3], days[5]).success  # the second chunk of the range
    assert hashes(str(path)) == before


def test_a_failed_chunk_keeps_the_chunks_before_it_and_a_rerun_completes(
    small_chunks, one_chunk, tmp_path, monkeypatch
):
    path = tmp_path / "failed.duckdb"
    real_judge, calls = assets.gate.judge, []

    def judge_failing_on_the_second_bar_chunk(candidate, run_id):
        if candidate.table == "staging.stock_bars_daily":
            calls.append(candidate.days)
            if len(calls) == 2:
                raise RuntimeError("disk full (simulated) while judging the second chunk")
        return real_judge(candidate, run_id)

    monkeypatch.setattr(assets.gate, "judge", judge_failing_on_the_second_bar_chunk)
    instance = dg.DagsterInstance.ephemeral()  # one instance, as a deployment has: the rerun sees the run failed
    assert not build(path, raise_on_error=False, instance=instance).success
    first_chunk = [d.isoformat() for d in calls[0]]
    assert sessions(path) == first_chunk  # the first chunk committed, the second left nothing behind
    pending = table(path, "SELECT scope FROM candidate.proposals WHERE raw_table = 'raw.stock_bars_daily'")
    assert sorted(pending["scope"][0]) == [d for d in sessions(one_chunk) if d not in first_chunk]

    left = table(path, "SELECT count(*) AS n FROM candidate.stock_bars_daily")["n"][0]
    assert left > 0

    monkeypatch.setattr(assets.gate, "judge", real_judge)
    assert build(path, instance=instance).success
    assert hashes(str(path)) == hashes(str(one_chunk))
    # the failed run's unsettled rows were not dropped: the rerun abandoned them to rejected.*, counted
    assert table(path, "SELECT count(*) AS n FROM candidate.stock_bars_daily")["n"][0] == 0
    assert table(path, "SELECT count(*) AS n FROM rejected.stock_bars_daily")["n"][0] == left
    abandoned = table(
        path,
        "SELECT partition_key FROM quality.rejected_partitions WHERE table_name = 'raw.stock_bars_daily' "
        "AND rules = ['abandoned_proposal'] ORDER BY 1",
    )["partition_key"].to_list()
    assert abandoned == sorted(pending["scope"][0])


KILLED_RUN = """
import sys
import assets.chunks
assets.chunks.CHUNK_SESSIONS = {chunk}
from tests.test_chunks import build
build(sys.argv[1])
"""


def test_a_backfill_killed_mid_run_then_rerun_ends_as_an_uninterrupted_one(one_chunk, tmp_path):
    path = tmp_path / "killed.duckdb"
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster")}
    os.makedirs(env["DAGSTER_HOME"])
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN.format(chunk=CHUNK), str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    killed_at = None
    for line in proc.stderr:  # Dagster's console log: each committed chunk is logged
        if "staging.stock_bars_daily: chunk 2/" in line:
            proc.send_signal(signal.SIGKILL)  # no clean-up of any kind: as a power cut or the OOM killer would
            killed_at = line
            break
    proc.wait(timeout=300)
    assert killed_at is not None, "the run ended before its second chunk of bars"
    assert proc.returncode == -signal.SIGKILL
    half = sessions(path)
    assert 0 < len(half) < len(sessions(one_chunk))  # it died with part of the range staged

    assert build(path).success
    assert hashes(str(path)) == hashes(str(one_chunk))
