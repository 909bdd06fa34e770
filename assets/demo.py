"""`make demo`: materialise every asset over every partition of the shipped sample in one run, then say
what was built and how to look at it.

    python -m assets.demo [--first 2024-12-02] [--last 2025-03-31]
"""

import argparse
import datetime as dt
import os
import resource
import sys
import time
import uuid
from dataclasses import dataclass

import dagster as dg

from etl.landing import LandingZone
from etl.settings import Settings
from etl.warehouse import is_lake


def sample_range(settings: Settings) -> tuple[str, str]:
    """From the first partition (the warehouse's history start) to the last session any range dataset of
    the sample holds: each dataset is built over the part of it that it covers."""
    from etl.datasets import datasets
    from etl.sources.recorded import RecordedSource

    source = RecordedSource(LandingZone(settings.sample_landing))
    ends = [span[1] for d in datasets() if d.kind == "range" and (span := source.coverage(d)) is not None]
    if not ends:
        raise SystemExit(f"no sample partitions under {settings.sample_landing}")
    return settings.first_session.isoformat(), max(ends).isoformat()


def checked_range(first: str, last: str, history_start: dt.date | None = None) -> tuple[str, str]:
    """Both ends must be SSE sessions, in order, and not before the first partition (`history_start`): a
    closed day is refused with the reason, never moved."""
    from etl.market import is_trading_day, next_trading_day, previous_trading_day

    days = []
    for flag, text in (("--first", first), ("--last", last)):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise SystemExit(f"{flag} {text!r}: not a date (YYYY-MM-DD)") from None
        if not is_trading_day(day):
            raise SystemExit(
                f"{flag} {day} is not an SSE trading day (the exchange was closed); the sessions around "
                f"it are {previous_trading_day(day)} and {next_trading_day(day)}"
            )
        days.append(day)
    if days[0] > days[1]:
        raise SystemExit(f"--first {days[0]} is after --last {days[1]}: the range is reversed")
    if history_start is not None and days[0] < history_start:
        raise SystemExit(
            f"--first {days[0]} is before the first partition, {history_start} (ASHARE_HISTORY_START, or the "
            "source's default): set ASHARE_HISTORY_START to that session or earlier, or start the range later"
        )
    return first, last


def run(first: str, last: str, instance: dg.DagsterInstance | None = None, source: str = "recorded"):
    from assets.definitions import defs

    # as the Makefile sets it: one planned event per asset, not per partition (dagster-io/dagster#29288)
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "1")
    from assets.partitions import session_tags
    from assets.progress import shown
    from assets.runs import process_tags

    job = defs.resolve_job_def("warehouse_job")
    invocation = {"ashare/invocation": uuid.uuid4().hex}  # how the progress line finds this run
    tags = {
        **session_tags(first, last),  # the months holding first..last, and first..last as the session window
        "ashare/source": source,
        **process_tags(),  # a killed demo's run is recognised and marked failed (assets/runs.py)
        **invocation,
    }
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    # the progress line reads the run's records through an instance of its own (another thread)
    watcher = dg.DagsterInstance.get() if instance is not None and not instance.is_ephemeral else None
    with shown(watcher, invocation, f"warehouse_job {first}..{last}"):
        if not is_lake(Settings.from_env().warehouse):
            return job.execute_in_process(run_config=quiet, instance=instance, tags=tags, raise_on_error=False)
        # a lake run: the Definitions' multiprocess executor, ASHARE_WRITERS steps at once, each in a process
        # of its own that rebuilds the job from this module
        from assets.definitions import executor_run_config

        with dg.execute_job(
            dg.reconstructable(warehouse_job),
            instance,
            run_config={**quiet, **executor_run_config()},
            tags=tags,
            raise_on_error=False,
        ) as result:
            return Outcome(result.success, result.run_id, result.get_step_failure_events())


def warehouse_job() -> dg.JobDefinition:
    from assets.definitions import defs

    return defs.resolve_job_def("warehouse_job")


@dataclass(frozen=True)
class Outcome:
    """What main() reads of a run, kept after execute_job's result is closed."""

    success: bool
    run_id: str
    failures: list

    def get_step_failure_events(self) -> list:
        return self.failures


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the warehouse from the shipped sample")
    parser.add_argument("--first")
    parser.add_argument("--last")
    args = parser.parse_args()
    settings = Settings.from_env()
    first, last = sample_range(settings)
    first, last = checked_range(args.first or first, args.last or last, settings.first_session)

    from assets.runs import sweep_dead_runs
    from etl.warehouse.writer_lock import WarehouseBusy, writer_lock

    started = time.perf_counter()
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    for run_id in sweep_dead_runs(instance):
        print(f"run {run_id} was left STARTED by a process that died; marked failed")
    if is_lake(settings.warehouse) and instance.is_ephemeral:
        sys.exit("a lake run spreads its steps over processes: set DAGSTER_HOME (make lake-demo does)")
    try:
        with writer_lock(settings.warehouse):  # a file: refuse at once if another process is writing it
            result = run(first, last, instance, settings.source)
    except WarehouseBusy as exc:
        sys.exit(str(exc))
    wall = time.perf_counter() - started
    if not result.success:
        for event in result.get_step_failure_events():
            print(f"{event.step_key}: {event.step_failure_data.error.message.strip()}", file=sys.stderr)
        sys.exit("the demo run failed (above: each failed step and why)")

    from etl.warehouse import bi_entry, open_warehouse

    wh = open_warehouse(settings.warehouse)
    counts = wh.row_counts()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"Built {settings.warehouse} from the {settings.source} source, partitions {first} .. {last}")
    print(f"run {result.run_id}  wall {wall:.1f} s  peak RSS {peak_mb:.0f} MB")
    print()
    print(f"{'table':34s} {'rows':>10s} {'partitions':>10s}")
    for row in counts.iter_rows(named=True):
        parts = "-" if row["partitions"] is None else str(row["partitions"])
        print(f"{row['table']:34s} {row['rows']:>10,d} {parts:>10s}")
    print()
    print("Open the Dagster UI (lineage, this run, asset metadata):  make dev   -> http://127.0.0.1:3000")
    print("The dividend-vs-AI dashboard in Superset (docs/superset.md):  make superset   -> http://127.0.0.1:8088")
    entry = bi_entry(wh)
    if entry.suffix == ".sql":
        print("BI tools and notebooks read the published snapshot, read-only (docs/scale-out.md):")
        print(f"  {entry}   (python -m etl.lake attach prints it)")
    else:
        print(f"BI tools and notebooks, read-only (never blocks the pipeline):  {entry}")
        print(
            f"  .venv/bin/python -c \"import duckdb; print(duckdb.connect('{entry}', read_only=True)"
            ".sql('SELECT * FROM marts.dividend_vs_ai_daily ORDER BY trade_date DESC LIMIT 5'))\""
        )
    print(f"(finished {dt.datetime.now():%Y-%m-%d %H:%M:%S})")
    print()
    print(f"Report (open in a browser):  {wh.local_dir / 'reports' / 'dividend_vs_ai.html'}")


if __name__ == "__main__":
    main()
