"""Running it like production: schedules on the SSE calendar, retries only where a retry can help."""

import datetime as dt
import os
import socket
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from assets.definitions import defs
from assets.options import INGEST_RETRY, fails_fast
from assets.resources import MarketSourceResource
from etl.input_specs import InputSpecError
from etl.sources.base import SnapshotRefused

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_every_raw_step_has_the_retry_policy_and_nothing_else_does():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = defs.resolve_assets_def(key)
        policy = getattr(node.node_def, "retry_policy", None)
        if key.path[0] == "raw":
            assert policy == INGEST_RETRY, key
            assert policy.backoff == dg.Backoff.EXPONENTIAL and policy.jitter == dg.Jitter.PLUS_MINUS
        else:
            assert policy is None, key


@pytest.mark.parametrize(
    "error, kind, retried",
    [
        (ConnectionError("eastmoney timed out"), "akshare", True),
        (InputSpecError("stock_zh_a_hist", "columns differ", ["成交额"]), "akshare", False),
        (SnapshotRefused("board lists can only be captured as of today"), "akshare", False),
        (ConnectionError("disk"), "recorded", False),  # a replay fails the same way every time
    ],
)
def test_only_transient_live_errors_are_left_to_the_retry_policy(error, kind, retried):
    @fails_fast
    def step(market_source):
        raise error

    with pytest.raises(Exception) as raised:
        step(market_source=MarketSourceResource(kind=kind))
    if retried:
        assert raised.value is error
    else:
        assert isinstance(raised.value, dg.Failure) and raised.value.allow_retries is False
        assert raised.value.__cause__ is error


def ticks(schedule: dg.ScheduleDefinition, first: dt.date, last: dt.date) -> list[dt.datetime]:
    """The schedule's real cron ticks between two days, in Shanghai time."""
    from dagster._utils.schedules import cron_string_iterator

    start = dt.datetime.combine(first, dt.time(0), SHANGHAI).timestamp()
    out = []
    for tick in cron_string_iterator(start, schedule.cron_schedule, schedule.execution_timezone):
        if tick.date() > last:
            return out
        out.append(tick)
    return out


def evaluate(schedule: dg.ScheduleDefinition, tick: dt.datetime):
    # no instance: a test instance set as "current" while the repository loads stays referenced by Dagster's
    # definitions-load context and breaks later materialisations in the same worker
    context = dg.build_schedule_context(scheduled_execution_time=tick, repository_def=defs.get_repository_def())
    return schedule.evaluate_tick(context)


def test_daily_schedule_requests_each_session_once_and_nothing_over_the_spring_festival_or_a_weekend():
    schedule = defs.resolve_schedule_def("daily_after_close")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED and schedule.job_name == "daily_job"
    requested, skipped = [], []
    for tick in ticks(schedule, dt.date(2025, 1, 24), dt.date(2025, 2, 10)):
        assert (tick.hour, tick.minute) == (16, 30)
        result = evaluate(schedule, tick)
        if result.run_requests:
            requested.append(
                [
                    (r.partition_key, r.tags["ashare/first_session"], r.tags["ashare/last_session"])
                    for r in result.run_requests
                ]
            )
        else:
            skipped.append((tick.date().isoformat(), result.skip_message))
    # Fri 01-24, Mon 01-27 (last before the holiday), then the Snake year from Wed 02-05; no weekend ticks. Each
    # run is the session's month partition with the session alone as its window: one day's work
    sessions = ["2025-01-24", "2025-01-27", "2025-02-05", "2025-02-06", "2025-02-07", "2025-02-10"]
    assert requested == [[(day[:7], day, day)] for day in sessions]
    assert [day for day, _ in skipped] == [
        "2025-01-28",
        "2025-01-29",
        "2025-01-30",
        "2025-01-31",
        "2025-02-03",
        "2025-02-04",
    ]
    assert all(message == f"{day} is not an SSE trading day" for day, message in skipped)


def test_a_partition_requested_by_the_schedule_is_one_the_job_knows():
    schedule = defs.resolve_schedule_def("daily_after_close")
    job = defs.resolve_job_def("daily_job")
    request = evaluate(schedule, dt.datetime(2025, 2, 5, 16, 30, tzinfo=SHANGHAI)).run_requests[0]
    assert request.partition_key in job.partitions_def.get_partition_keys()
    # the snapshot captures and the news poll are not in the daily run, nor the tables staged from them: their
    # own schedules capture and stage them, and the daily run reads them from the warehouse
    selected = {k.to_user_string() for k in job.asset_layer.selected_asset_keys}
    for elsewhere in (
        "raw/board_membership_snapshot",
        "raw/news_feed",
        "staging/board_membership",
        "staging/news_items",
    ):
        assert elsewhere not in selected
    assert {"raw/stock_bars_daily", "marts/dividend_vs_ai_daily", "reports/dividend_vs_ai"} <= selected


def test_snapshots_are_taken_after_the_close_on_sessions_and_news_is_polled_every_day():
    snapshots = defs.resolve_schedule_def("snapshots_after_close")
    on = evaluate(snapshots, dt.datetime(2025, 2, 5, 15, 35, tzinfo=SHANGHAI))
    off = evaluate(snapshots, dt.datetime(2025, 1, 29, 15, 35, tzinfo=SHANGHAI))
    assert len(on.run_requests) == 1 and not off.run_requests
    news = defs.resolve_schedule_def("news_polls")
    holiday = ticks(news, dt.date(2025, 1, 29), dt.date(2025, 1, 29))  # 正月初一
    assert [t.hour for t in holiday] == [8, 12, 21]
    assert all(len(evaluate(news, t).run_requests) == 1 for t in holiday)
    assert all(s.default_status == dg.DefaultScheduleStatus.STOPPED for s in defs.schedules)


def test_a_killed_command_line_run_is_marked_failed_so_the_queue_moves(tmp_path):
    import subprocess

    from assets.runs import HOST_TAG, PID_TAG, sweep_dead_runs

    dead = subprocess.Popen(["true"])
    dead.wait()
    with dg.instance_for_test() as instance:
        from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus

        for run_id, pid in (("killed", dead.pid), ("alive", os.getpid() + 0)):
            instance.add_run(
                DagsterRun(
                    job_name="warehouse_job",
                    run_id=run_id,
                    status=DagsterRunStatus.STARTED,
                    tags={PID_TAG: str(pid), HOST_TAG: socket.gethostname()},
                )
            )
        in_progress = dg.RunsFilter(statuses=[DagsterRunStatus.STARTED])
        assert instance.get_runs_count(in_progress) == 2
        assert sweep_dead_runs(instance) == ["killed"]
        assert instance.get_run_by_id("killed").status == DagsterRunStatus.FAILURE
        assert instance.get_run_by_id("alive").status == DagsterRunStatus.STARTED  # this very process: alive


def test_a_killed_run_gives_back_the_pool_slots_its_steps_held(tmp_path):
    """Pools claimed per step (the lake's instance): a killed run's slots would otherwise be held for ever."""
    import subprocess

    from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus

    from assets.runs import HOST_TAG, PID_TAG, sweep_dead_runs

    dead = subprocess.Popen(["true"])
    dead.wait()
    with dg.instance_for_test() as instance:
        storage = instance.event_log_storage
        storage.set_concurrency_slots("duckdb_writer", 2)
        for run_id, pid in (("killed", dead.pid), ("alive", os.getpid())):
            tags = {PID_TAG: str(pid), HOST_TAG: socket.gethostname()}
            instance.add_run(
                DagsterRun(job_name="warehouse_job", run_id=run_id, status=DagsterRunStatus.STARTED, tags=tags)
            )
            assert storage.claim_concurrency_slot("duckdb_writer", run_id, f"{run_id}_step").is_claimed
        holders = lambda: sorted(s.run_id for s in storage.get_concurrency_info("duckdb_writer").claimed_slots)  # noqa: E731
        assert holders() == ["alive", "killed"]
        assert sweep_dead_runs(instance) == ["killed"]
        assert holders() == ["alive"]


def test_a_lake_takes_concurrent_writers_so_its_lock_is_no_lock(tmp_path, monkeypatch):
    from etl.warehouse.writer_lock import writer_lock

    monkeypatch.chdir(tmp_path)
    lake = "ducklake:postgres:dbname=lake host=127.0.0.1"
    with writer_lock(lake, timeout=0):
        pass
    assert list(tmp_path.iterdir()) == []  # a file would have left "<location>.lock" in the working directory


@pytest.mark.parametrize("through", ["the same path", "a symlink", "a relative path"])
def test_a_second_writer_waits_or_is_refused_with_the_holder_named(tmp_path, monkeypatch, through):
    import subprocess
    import sys

    from etl.warehouse.writer_lock import WarehouseBusy, writer_lock

    warehouse = tmp_path / "w.duckdb"
    warehouse.touch()
    second = warehouse
    if through == "a symlink":  # the lock is on the file, not on the path string (issue 22, case 13)
        second = tmp_path / "alias.duckdb"
        second.symlink_to(warehouse)
    elif through == "a relative path":
        monkeypatch.chdir(tmp_path)
        second = "./w.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from etl.warehouse.writer_lock import writer_lock\n"
            f"with writer_lock({str(warehouse)!r}):\n print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseBusy, match=f"pid {holder.pid} .*waited 1 s"):
            with writer_lock(second, timeout=1.0, poll=0.1):
                pass
    finally:
        holder.kill()
        holder.wait()
    with writer_lock(warehouse, timeout=5.0):  # free again once the holder is gone
        with writer_lock(warehouse):  # and re-entrant within a process
            pass


def test_the_demo_refuses_closed_days_and_reversed_ranges():
    from assets.demo import checked_range

    with pytest.raises(SystemExit, match="2025-01-29 is not an SSE trading day.*2025-01-27 and 2025-02-05"):
        checked_range("2025-01-29", "2025-02-07")
    with pytest.raises(SystemExit, match="reversed"):
        checked_range("2025-02-07", "2025-02-05")
    assert checked_range("2025-02-05", "2025-02-07") == ("2025-02-05", "2025-02-07")


def test_a_failed_commit_reports_its_own_error(tmp_path, monkeypatch):
    import contextlib

    import duckdb
    import polars as pl

    from etl.warehouse import Replace, Warehouse

    wh = Warehouse(tmp_path / "w.duckdb")
    wh.ensure_schema()
    real = wh.connect

    class FullDisk:
        """A connection whose COMMIT fails as on a full disk: the transaction is gone afterwards."""

        def __init__(self, con):
            self.con = con

        def execute(self, sql, *args):
            if sql == "COMMIT":
                self.con.execute("ROLLBACK")
                raise duckdb.IOException("IO Error: No space left on device")
            return self.con.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.con, name)

    @contextlib.contextmanager
    def connect(read_only=False):
        with real(read_only) as con:
            yield FullDisk(con)

    monkeypatch.setattr(wh, "connect", connect)
    with pytest.raises(duckdb.IOException, match="No space left on device"):
        wh.write(Replace("quality.quarantine", pl.DataFrame()))


def test_a_publish_killed_mid_way_leaves_nothing_behind_the_next_one(built_warehouse, tmp_path):
    from etl.warehouse.publish import publish

    target = tmp_path / "bi" / "marts.duckdb"
    target.parent.mkdir()
    stale = [target.with_name(".marts.duckdb.99999.partial"), target.with_name(".marts.duckdb.99999.partial.wal")]
    for path in stale:
        path.write_bytes(b"half a file")
    publish(built_warehouse, target)
    assert target.exists() and not any(p.exists() for p in stale)


def test_every_job_resolves_with_whole_multi_assets():
    """A job selecting part of a multi-asset (a gated step and its side tables) does not resolve."""
    from assets.schedules import JOBS

    for job in JOBS:
        assert defs.resolve_job_def(job.name).name == job.name
    news = {k.to_user_string() for k in defs.resolve_job_def("news_job").asset_layer.executable_asset_keys}
    assert {"staging/news_items", "staging/news_item_themes", "staging/news_item_stocks"} <= news


def test_partition_status_is_rebuilt_from_the_warehouse_once(built_warehouse):
    """A warehouse built before the monthly grain keeps its data: its months are recorded as materialised from
    what its tables hold (assets/partition_status.py), and a second pass records nothing."""
    from assets.partition_status import REBUILT_FROM, rebuild
    from etl.warehouse import open_warehouse

    with dg.instance_for_test() as instance:
        wh = open_warehouse(built_warehouse)
        done = rebuild(instance, wh)
        assert done["staging/stock_bars_daily"] == ["2025-01", "2025-02"]  # the Spring Festival window
        assert done["marts/market_breadth_daily"] == ["2025-01", "2025-02"]
        assert set(instance.get_materialized_partitions(dg.AssetKey(["raw", "stock_bars_daily"]))) == {
            "2025-01",
            "2025-02",
        }
        event = instance.get_latest_materialization_event(dg.AssetKey(["staging", "stock_bars_daily"]))
        assert event.asset_materialization.metadata["rebuilt_from"].value == REBUILT_FROM
        assert rebuild(instance, wh) == {}
