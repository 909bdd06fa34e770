"""What a partition grain costs Dagster before any data moves (issue 24): a bare job of no-op range assets run
once over the demo's range, per grain and per event-log storage, timed, its materialisation events counted.

    python -m tools.bench_partitions [--assets 5] [--first 2022-01-04] [--last 2025-12-31]   (make bench-partitions)

Grains: one partition per SSE session (the project's `session_partitions()`) and one per calendar month (a monthly
time-window definition in Asia/Shanghai over the same range). Storages: Dagster's default SQLite instance (an
event-log shard per run plus an index database) and the consolidated SQLite event log (one database)."""

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import dagster as dg  # the bench is about Dagster: imported once, not timed

CONSOLIDATED = """
event_log_storage:
  module: dagster._core.storage.event_log
  class: ConsolidatedSqliteEventLogStorage
  config:
    base_dir: {base}/history/runs
"""


def instance_yaml(home: Path, storage: str) -> None:
    text = "telemetry:\n  enabled: false\n"
    if storage == "consolidated":
        text += CONSOLIDATED.format(base=home)
    (home / "dagster.yaml").write_text(text, encoding="utf-8")


def bare_assets(partitions, n: int) -> list:
    """`n` no-op range assets in a chain, each materialised over the run's whole range in one step."""
    out = []
    for i in range(n):

        @dg.asset(
            name=f"bare_{i}",
            partitions_def=partitions,
            backfill_policy=dg.BackfillPolicy.single_run(),
            deps=[f"bare_{i - 1}"] if i else [],
        )
        def bare(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
            return dg.MaterializeResult(metadata={"partitions": len(context.partition_keys)})

        out.append(bare)
    return out


def monthly(first: dt.date):
    return dg.MonthlyPartitionsDefinition(
        start_date=first.replace(day=1).isoformat(), timezone="Asia/Shanghai", end_offset=1
    )


def measure(grain: str, storage: str, n_assets: int, first: dt.date, last: dt.date) -> dict:
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    from assets.partitions import session_partitions

    if grain == "session":
        partitions, start, end = session_partitions(), first.isoformat(), last.isoformat()
    else:
        partitions = monthly(first)
        start, end = first.replace(day=1).isoformat(), last.replace(day=1).isoformat()
    keys = partitions.get_partition_keys_in_range(dg.PartitionKeyRange(start, end))
    with tempfile.TemporaryDirectory(prefix="bench-partitions-") as tmp:
        home = Path(tmp)
        instance_yaml(home, storage)
        os.environ["DAGSTER_HOME"] = str(home)
        instance = dg.DagsterInstance.get()
        job = dg.Definitions(assets=bare_assets(partitions, n_assets)).resolve_implicit_global_asset_job_def()
        tags = {ASSET_PARTITION_RANGE_START_TAG: start, ASSET_PARTITION_RANGE_END_TAG: end}
        quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
        started = time.perf_counter()
        result = job.execute_in_process(instance=instance, tags=tags, run_config=quiet)
        wall = time.perf_counter() - started
        events = len(
            instance.get_records_for_run(
                result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=10**7
            ).records
        )
        instance.dispose()
    return {
        "grain": grain,
        "storage": storage,
        "partitions": len(keys),
        "assets": n_assets,
        "events": events,
        "wall_s": wall,
        "ms_per_event": 1000 * wall / events if events else 0.0,
    }


def main() -> None:
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=5)
    parser.add_argument("--first", type=dt.date.fromisoformat, default=dt.date(2022, 1, 4))
    parser.add_argument("--last", type=dt.date.fromisoformat, default=dt.date(2025, 12, 31))
    args = parser.parse_args()
    print(f"bare job: {args.assets} range assets, {args.first} .. {args.last}, one run, {dt.date.today()}")
    print(f"{'grain':8s} {'event log':13s} {'partitions':>10s} {'events':>7s} {'wall s':>7s} {'ms/event':>8s}")
    for grain in ("session", "month"):
        for storage in ("sharded", "consolidated"):
            r = measure(grain, storage, args.assets, args.first, args.last)
            print(
                f"{r['grain']:8s} {r['storage']:13s} {r['partitions']:>10d} {r['events']:>7d} "
                f"{r['wall_s']:>7.1f} {r['ms_per_event']:>8.1f}"
            )


if __name__ == "__main__":
    main()
