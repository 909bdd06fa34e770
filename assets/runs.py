"""Runs that cannot wedge the queue.

Runs the daemon launches are watched by Dagster's run monitoring (warehouse/dagster.yaml): a dead worker is
marked failed. Runs executed in a command-line process (`make demo`, `python -m assets.demo`) have no worker
for the daemon to watch: killed, they would stay STARTED for ever and, with one run at a time, hold every
queued run back. Those runs carry the pid and host of their process; `sweep_dead_runs` marks the ones whose
process is gone as failed. The demo sweeps before it starts, and the sensor `dead_run_sweeper` (on by
default) sweeps every minute while the daemon runs.
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
    return swept


@dg.sensor(
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks runs whose command-line process died (a killed make demo) as failed, so the "
    "one-run-at-a-time queue moves on.",
)
def dead_run_sweeper(context: dg.SensorEvaluationContext):
    swept = sweep_dead_runs(context.instance)
    return dg.SkipReason(f"marked failed: {', '.join(swept)}" if swept else "no dead runs")
