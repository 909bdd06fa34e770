"""Progress of a long command-line run (`make demo`, a range backfill, the scale benches) on the terminal.

A run records everything in its Dagster instance as it goes: steps started and finished, the partitions each
asset is planned for, each partition materialised, and each chunk loop's `chunk i/n committed, X s, eta Y s`
line (assets/chunks.py). A thread follows those records of the run tagged with a given process id
(assets/runs.py `process_tags`) and draws one live line with rich: steps done, partitions materialised of
those planned, the step running now and its chunk, elapsed time and an ETA from the partitions' pace. The
same works whether the steps run in this process (a DuckDB file) or in worker processes (a lake), since it
reads the instance, not the steps.

Quiet when the output is not a terminal: CI logs and `> file` keep only the command's own summary.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import dagster as dg

CHUNK = re.compile(r"^(?P<label>\S+): chunk (?P<i>\d+)/(?P<n>\d+) .*committed")
POLL_SECONDS = 0.5


@dataclass
class RunProgress:
    """What a run has done so far, folded from its event records in order."""

    started: float = field(default_factory=time.monotonic)
    steps_started: int = 0
    steps_done: int = 0
    steps_failed: int = 0
    planned: int = 0  # partition materialisations planned (1 for an unpartitioned asset)
    materialised: int = 0
    running: dict[str, str] = field(default_factory=dict)  # step key -> what it last said of its chunks

    def add(self, record) -> None:
        event = record.dagster_event
        if event is None:
            found = record.user_message and CHUNK.match(record.user_message)
            if found and record.step_key in self.running:
                self.running[record.step_key] = f"chunk {found['i']}/{found['n']}"
            return
        kind = event.event_type
        if kind == dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED:
            subset = event.event_specific_data.partitions_subset
            self.planned += len(subset) if subset is not None else 1
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            self.materialised += 1
        elif kind == dg.DagsterEventType.STEP_START:
            self.steps_started += 1
            self.running[record.step_key] = ""
        elif kind in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            self.steps_done += kind == dg.DagsterEventType.STEP_SUCCESS
            self.steps_failed += kind == dg.DagsterEventType.STEP_FAILURE
            self.running.pop(record.step_key, None)

    def eta_seconds(self) -> float | None:
        """From the pace of materialisations so far (they are most of a backfill's work and bookkeeping)."""
        if not self.materialised or self.planned <= self.materialised:
            return None
        elapsed = time.monotonic() - self.started
        return elapsed * (self.planned - self.materialised) / self.materialised

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        eta = self.eta_seconds()
        now = ", ".join(f"{k.replace('__', '/')} {v}".strip() for k, v in sorted(self.running.items()))
        parts = [
            f"steps {self.steps_done} done" + (f", {self.steps_failed} failed" if self.steps_failed else ""),
            f"partitions {self.materialised:,}/{self.planned:,}",
            f"{_clock(elapsed)} elapsed" + (f", ~{_clock(eta)} to go" if eta is not None else ""),
        ]
        return " · ".join(parts) + (f" · now: {now}" if now else "")


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def follow(instance: dg.DagsterInstance, tags: dict[str, str], stop: threading.Event, draw: Callable[[str], None]):
    """Until `stop`: find the run carrying `tags`, fold its new records into a RunProgress, draw its line."""
    state, run_id, cursor = RunProgress(), None, None
    while not stop.wait(POLL_SECONDS):
        try:
            if run_id is None:
                runs = instance.get_runs(filters=dg.RunsFilter(tags=tags), limit=1)
                if not runs:
                    continue
                run_id = runs[0].run_id
            page = instance.get_records_for_run(run_id, cursor=cursor)
        except Exception as exc:  # noqa: BLE001 - a busy event store must never fail the run it reports on
            draw(f"{state.line()} (progress paused: {type(exc).__name__})")
            continue
        for record in page.records:
            state.add(record.event_log_entry)
        cursor = page.cursor
        draw(state.line())
    return state


@contextmanager
def shown(instance: dg.DagsterInstance | None, tags: dict[str, str], title: str) -> Iterator[None]:
    """Draw the progress of the run tagged `tags` while the block runs, if stderr is a terminal.

    The line goes to a duplicate of the terminal's descriptor taken before the run starts: while a step runs,
    Dagster points descriptors 1 and 2 at the step's compute log, and a line drawn on them would land there."""
    if instance is None or not os.isatty(2):
        yield
        return
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

    terminal = os.fdopen(os.dup(2), "w", encoding="utf-8", buffering=1)
    console = Console(file=terminal, force_terminal=True)
    stop = threading.Event()
    try:
        with Live(
            Text(f"{title}: starting"),
            console=console,
            refresh_per_second=4,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        ) as live:
            watcher = threading.Thread(
                target=follow,
                args=(instance, tags, stop, lambda line: live.update(Text(f"{title}: {line}"))),
                daemon=True,
            )
            watcher.start()
            try:
                yield
            finally:
                stop.set()
                watcher.join(timeout=5)
    finally:
        terminal.close()


@contextmanager
def child_shown(pid: int, dagster_home: str, title: str) -> Iterator[None]:
    """The progress of the run a child process (a bench's backfill) is executing, by the child's pid tag."""
    if not os.isatty(2):
        yield
        return
    import socket

    from assets.runs import HOST_TAG, PID_TAG

    instance = dg.DagsterInstance.from_config(dagster_home)
    try:
        with shown(instance, {PID_TAG: str(pid), HOST_TAG: socket.gethostname()}, title):
            yield
    finally:
        instance.dispose()
