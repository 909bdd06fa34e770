"""Runs that cannot wedge the queue.

Runs the daemon launches are watched by Dagster's run monitoring (warehouse/dagster.yaml): a dead worker is
marked failed. Runs executed in a command-line process (`make demo`, `python -m assets.demo`) have no worker
for the daemon to watch: killed, they would stay STARTED for ever and, with one run at a time, hold every
queued run back. Those runs carry the pid and host of their process; `sweep_dead_runs` marks the ones whose
process is gone as failed. The demo sweeps before it starts, and the sensor `dead_run_sweeper` (on by
default) sweeps every minute while the daemon runs.

Where pools are claimed per step (the lake, warehouse/dagster-lake.yaml), a killed run also keeps the pool
slots its steps held: marked failed or not, it would hold a writer slot for ever, and every later run would
get one writer fewer. The sweep frees the slots of every finished run.
"""

from __future__ import annotations

import os
import socket

import dagster as dg

PID_TAG, HOST_TAG = "ashare/pid", "ashare/host"


def process_tags() -> dict[str, str]:
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark in-progress runs of this host whose process has died as failed; returns their run ids."""
    statuses = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=statuses, tags={HOST_TAG: socket.gethostname()}))
    swept = []
    for run in runs:
        pid = int(run.tags.get(PID_TAG, "0") or 0)
        if pid and pid != os.getpid() and not _alive(pid):
            instance.report_run_failed(
                run,
                message=f"the process that ran it (pid {pid}) ended without finishing "
                "it (killed?); marked failed so that queued runs can start",
            )
            swept.append(run.run_id)
    free_slots_of_finished_runs(instance)
    return swept


def free_slots_of_finished_runs(instance: dg.DagsterInstance) -> list[str]:
    """Free the pool slots (and queue places) still held by runs that have finished; returns their ids."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    freed = []
    for key in storage.get_concurrency_keys():
        info = storage.get_concurrency_info(key)
        holders = {slot.run_id for slot in info.claimed_slots} | {step.run_id for step in info.pending_steps}
        for run_id in sorted(holders - set(freed)):
            run = instance.get_run_by_id(run_id)
            if run is None or run.is_finished:
                storage.free_concurrency_slots_for_run(run_id)
                freed.append(run_id)
    return freed


@dg.sensor(
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks runs whose command-line process died (a killed make demo) as failed, so the "
    "one-run-at-a-time queue moves on.",
)
def dead_run_sweeper(context: dg.SensorEvaluationContext):
    swept = sweep_dead_runs(context.instance)
    return dg.SkipReason(f"marked failed: {', '.join(swept)}" if swept else "no dead runs")
