"""`make bench-scale`: years of the whole market on this machine.

    python -m tools.bench_scale [--years 10] [--end YYYY-MM-DD]

1. builds a synthetic landing zone of `--years` years from the shipped sample (tools/scale_zone.py says how;
   reused while the sample and the span are unchanged), under warehouse/bench/;
2. backfills it into a fresh warehouse in one run (`python -m assets.demo --first … --last …`, the session
   before `--end`), and measures wall time, sessions per second and the process's peak RSS;
3. runs `daily_job` for the `--end` session on top;
4. does 2-3 again on a one-month warehouse (the last 21 sessions) for the daily run's ratio;
5. prints a Markdown table, the five slowest steps of each run and the zone's method.

Every run is a child process, measured with wait4 (its own peak RSS, not this process's).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "warehouse" / "bench"
MONTH_SESSIONS = 21


@dataclass
class Measured:
    wall_s: float
    peak_mb: float
    output: str
    run_wall_s: float | None = None
    slowest: list[tuple[str, float]] = field(default_factory=list)


def child(args: list[str], env: dict, log: Path) -> Measured:
    """Run a child process to the end; its wall time and its own peak RSS (wait4), its output in `log`."""
    started = time.perf_counter()
    from assets.progress import child_shown

    with log.open("w") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        with child_shown(proc.pid, env["DAGSTER_HOME"], log.parent.name):  # on a terminal: the run's progress
            _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    text = log.read_text()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(
            f"{' '.join(args)} failed (exit {os.waitstatus_to_exitcode(status)}); its output: {log}\n{text[-3000:]}"
        )
    return Measured(wall, usage.ru_maxrss / 1024, text)


def environment(workdir: Path, zone: Path, first: dt.date) -> dict:
    home = workdir / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "warehouse" / "dagster.yaml", home / "dagster.yaml")
    return {
        **os.environ,
        "ASHARE_SOURCE": "recorded",
        "ASHARE_SAMPLE": str(zone),
        "ASHARE_WAREHOUSE": str(workdir / "ashare.duckdb"),
        "ASHARE_HISTORY_START": first.isoformat(),
        "DAGSTER_HOME": str(home),
        "ASHARE_GX_DIR": str(workdir / "gx"),
        "TQDM_DISABLE": "1",
        "GX_ANALYTICS_ENABLED": "false",
    }


def slowest_steps(env: dict, run_id: str, n: int = 5) -> list[tuple]:
    """The run's n slowest steps: (step, seconds, seconds in its chunk loop or None, materialisations)."""
    out = subprocess.run(
        [sys.executable, "-m", "tools.bench_scale", "--profile", run_id],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    steps = json.loads(out.stdout.strip().splitlines()[-1])
    return sorted((tuple(s) for s in steps), key=lambda s: -s[1])[:n]


def profile(run_id: str) -> None:
    """In a child with the run's DAGSTER_HOME: per step, its duration, the time its chunk loop reported (its
    last `chunk n/n committed, X s` log line) and how many materialisations Dagster recorded for it. The
    difference is mostly Dagster's per-partition bookkeeping."""
    import re
    from collections import Counter

    import dagster as dg

    instance = dg.DagsterInstance.get()
    logs = instance.all_logs(run_id)
    loops = {}
    for record in logs:
        found = record.user_message and re.match(r"\S+: chunk (\d+)/(\d+) .* committed, (\d+) s", record.user_message)
        if found and found.group(1) == found.group(2):
            loops[record.step_key] = float(found.group(3))
    events = Counter(
        r.step_key for r in logs if r.dagster_event and r.dagster_event.event_type_value == "ASSET_MATERIALIZATION"
    )
    stats = instance.get_run_step_stats(run_id)
    print(
        json.dumps(
            [
                (s.step_key, s.end_time - s.start_time, loops.get(s.step_key), events[s.step_key])
                for s in stats
                if s.end_time
            ]
        )
    )


def warehouse(
    name: str, zone: Path, first: dt.date, last: dt.date, daily: dt.date, reuse: bool = False
) -> tuple[Measured, Measured]:
    """A fresh warehouse: backfill first..last in one run, then daily_job for `daily`. `reuse`: keep the
    warehouse and the figures of its last backfill (backfill.json), run the daily job again."""
    workdir = BENCH / name
    figures = workdir / "backfill.json"
    if reuse and figures.exists():
        env = environment(workdir, zone, first)
        backfill = Measured(**json.loads(figures.read_text()))
        print(f"[{name}] backfill of {backfill.output} reused", flush=True)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        env = environment(workdir, zone, first)
        print(f"[{name}] backfill {first} .. {last} (log: {workdir / 'backfill.log'})", flush=True)
        backfill = child(
            [sys.executable, "-m", "assets.demo", "--first", first.isoformat(), "--last", last.isoformat()],
            env,
            workdir / "backfill.log",
        )
        run_id = next(line.split()[1] for line in backfill.output.splitlines() if line.startswith("run "))
        backfill.slowest = slowest_steps(env, run_id, n=10)
        backfill.output = f"{dt.date.today()}, run {run_id}"
        figures.write_text(json.dumps(backfill.__dict__))
    print(f"[{name}] daily_job {daily}", flush=True)
    run = child([sys.executable, "-m", "tools.bench_scale", "--daily", daily.isoformat()], env, workdir / "daily.log")
    result = json.loads(run.output.strip().splitlines()[-1])
    run.run_wall_s = result["wall_s"]
    run.slowest = slowest_steps(env, result["run_id"])
    return backfill, run


def daily_run(session: str) -> None:
    """In the child: daily_job for one session, as the 16:30 schedule would launch it."""
    import dagster as dg

    from assets.definitions import defs

    started = time.perf_counter()
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    from assets.partitions import month_of, session_window
    from assets.runs import process_tags

    result = defs.resolve_job_def("daily_job").execute_in_process(
        partition_key=month_of(dt.date.fromisoformat(session)),  # the session's month, the session its window
        run_config=quiet,
        instance=dg.DagsterInstance.get(),
        raise_on_error=False,
        tags={**process_tags(), **session_window(session, session)},
    )
    wall = time.perf_counter() - started
    if not result.success:
        for event in result.get_step_failure_events():
            print(f"{event.step_key}: {event.step_failure_data.error.message.strip()}")
        sys.exit("daily_job failed")
    print(json.dumps({"run_id": result.run_id, "wall_s": wall}))


def size_mb(path: Path) -> float:
    return path.stat().st_size / 2**20


def row_count(env_path: Path, table: str) -> int:
    import duckdb

    with duckdb.connect(str(env_path), read_only=True) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def main() -> None:
    from etl.market import is_trading_day, previous_trading_day, sessions_between, shanghai_today
    from tools import scale_zone

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--end", help="the daily run's session (default: the last session up to today)")
    parser.add_argument("--reuse", action="store_true", help="keep the warehouses built last time; rerun the daily job")
    parser.add_argument("--daily", help=argparse.SUPPRESS)
    parser.add_argument("--profile", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.daily:
        return daily_run(args.daily)
    if args.profile:
        return profile(args.profile)

    end = dt.date.fromisoformat(args.end) if args.end else shanghai_today()
    while not is_trading_day(end):
        end -= dt.timedelta(days=1)
    start = end.replace(year=end.year - args.years)
    sessions = sessions_between(start, end)
    first, last = sessions[0], previous_trading_day(end)
    zone = BENCH / f"zone-{args.years}y"
    began = time.perf_counter()
    built = scale_zone.ensure(ROOT / "warehouse" / "sample" / "landing", zone, first, end)
    print(f"zone {zone}: {'built' if built else 'reused'} in {time.perf_counter() - began:.0f} s", flush=True)

    big = warehouse(f"scale-{args.years}y", zone, first, last, end, args.reuse)
    month_first = sessions[-MONTH_SESSIONS - 1]
    small = warehouse("scale-month", zone, month_first, last, end, args.reuse)

    db = BENCH / f"scale-{args.years}y" / "ashare.duckdb"
    bars = row_count(db, "raw.stock_bars_daily")
    n = len(sessions) - 1
    backfill, daily = big
    _, month_daily = small
    ratio = daily.run_wall_s / month_daily.run_wall_s
    rows = [
        ("backfill: sessions, raw stock bars", f"{n:,} sessions, {bars:,} rows", f"{first} .. {last}"),
        ("backfill: wall time (one run)", f"{backfill.wall_s:.0f} s", "target (ten years) ≤ 300 s"),
        ("backfill: sessions per second", f"{n / backfill.wall_s:.1f}", ""),
        ("backfill: peak RSS", f"{backfill.peak_mb:,.0f} MB", "target ≤ 2,048 MB"),
        ("warehouse on disk", f"{size_mb(db):,.0f} MB", str(db.relative_to(ROOT))),
        (f"daily_job {end} on it: run", f"{daily.run_wall_s:.1f} s", "target ≤ 8 s"),
        (
            "daily_job: process (imports, Definitions, run)",
            f"{daily.wall_s:.1f} s",
            f"peak RSS {daily.peak_mb:,.0f} MB",
        ),
        (f"daily_job {end} on a one-month warehouse: run", f"{month_daily.run_wall_s:.1f} s", ""),
        (f"daily run, {args.years}-year / one-month", f"{ratio:.2f}", "target ≤ 1.2"),
    ]
    print()
    print(f"## bench-scale, {dt.date.today()}, {os.cpu_count()} cores: `make bench-scale` (--years {args.years})")
    print()
    print("| measure | value | note |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print("Where the backfill's time goes: the slowest steps, the part their chunk loops reported, and the rest,")
    print("which is mostly Dagster recording one materialisation per partition in its event log:")
    print()
    print("| step | step | chunk loop | rest | materialisations |")
    print("|---|---|---|---|---|")
    for key, seconds, loop, events in backfill.slowest:
        rest = "-" if loop is None else f"{seconds - loop:.0f} s"
        print(f"| {key} | {seconds:.0f} s | {'-' if loop is None else f'{loop:.0f} s'} | {rest} | {events:,} |")
    for title, measured in (("daily_job, big warehouse", daily), ("daily_job, one-month warehouse", month_daily)):
        print()
        print(f"slowest steps, {title}: " + ", ".join(f"{s[0]} {s[1]:.1f} s" for s in measured.slowest))
    print()
    print(f"Zone: {scale_zone.METHOD}.")


if __name__ == "__main__":
    main()
