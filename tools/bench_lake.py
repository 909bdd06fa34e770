"""`make lake-bench`: the multi-year backfill on the lake, with 1 and then 2 writer processes.

    python -m tools.bench_lake [--years 1] [--writers file,1,2]     (inside `make lake-bench`: the lake is up)

The same synthetic zone as `make bench-scale` (tools/scale_zone.py, under warehouse/bench/). First the same
backfill on a DuckDB file for comparison (`file`), then for each writer count: a fresh catalog database on the
running local cluster and a fresh data directory, `python -m etl.lake init`, then one backfill run
(`python -m assets.demo --first … --last …`) with ASHARE_WRITERS=n. Memory is the whole process tree's (the
run's process, its forkserver and step processes), sampled every 0.5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from assets.progress import child_shown
from etl.lake import local
from tools.bench_scale import BENCH, ROOT


def catalog_mb(port: int, name: str) -> float:
    with local.admin(port) as cur:
        cur.execute("SELECT pg_database_size(%s)", (name,))
        return cur.fetchone()[0] / 2**20


def tree_rss_mb(pid: int) -> float:
    """Resident memory of `pid` and all its descendants, from /proc (Linux)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(children)
        frontier.extend(children)
    total_kb = 0
    for member in tree:
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            pass
    return total_kb / 1024


def run_measured(args: list[str], env: dict, log: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS of the process tree (MB), output."""
    peak = [0.0]
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

        def sample() -> None:
            while proc.poll() is None:
                peak[0] = max(peak[0], tree_rss_mb(proc.pid))
                time.sleep(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        with child_shown(proc.pid, env["DAGSTER_HOME"], log.parent.name):  # on a terminal: the run's progress
            proc.wait()
        sampler.join()
    wall = time.perf_counter() - started
    text = log.read_text()
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed (exit {proc.returncode}); its output: {log}\n{text[-3000:]}")
    return wall, peak[0], text


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def main() -> None:
    from etl.market import is_trading_day, previous_trading_day, sessions_between, shanghai_today
    from tools import scale_zone

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--writers", default="file,1,2", help="'file': the embedded backend, for comparison")
    parser.add_argument("--end", help="the session after the backfill (default: the last session up to today)")
    args = parser.parse_args()
    port = os.environ.get("ASHARE_LAKE_PG_PORT")
    if not port:
        sys.exit("no lake is up: run `make lake-bench` (it starts one), or `make lake-up` and source its env.sh")

    end = dt.date.fromisoformat(args.end) if args.end else shanghai_today()
    while not is_trading_day(end):
        end -= dt.timedelta(days=1)
    sessions = sessions_between(end.replace(year=end.year - args.years), end)
    first, last = sessions[0], previous_trading_day(end)
    zone = BENCH / f"zone-{args.years}y"
    built = scale_zone.ensure(ROOT / "warehouse" / "sample" / "landing", zone, first, end)
    print(f"zone {zone}: {'built' if built else 'reused'}", flush=True)

    results = []
    for writers in args.writers.split(","):
        workdir = BENCH / f"lake-{args.years}y-{'file' if writers == 'file' else 'w' + writers}"
        shutil.rmtree(workdir, ignore_errors=True)
        (workdir / "dagster").mkdir(parents=True)
        env = {
            **os.environ,
            "ASHARE_SOURCE": "recorded",
            "ASHARE_SAMPLE": str(zone),
            "ASHARE_HISTORY_START": first.isoformat(),
            "DAGSTER_HOME": str(workdir / "dagster"),
            "ASHARE_GX_DIR": str(workdir / "gx"),
        }
        if writers == "file":
            shutil.copy(ROOT / "warehouse" / "dagster.yaml", workdir / "dagster" / "dagster.yaml")
            env["ASHARE_WAREHOUSE"] = str(workdir / "ashare.duckdb")
            for key in ("ASHARE_LAKE_DATA", "ASHARE_LAKE_HOME", "ASHARE_WRITERS"):
                env.pop(key, None)
        else:
            name = f"bench_w{writers}"
            shutil.copy(ROOT / "warehouse" / "dagster-lake.yaml", workdir / "dagster" / "dagster.yaml")
            env |= {
                "ASHARE_WAREHOUSE": local.recreate_database(int(port), name),
                "ASHARE_LAKE_DATA": str(workdir / "data") + "/",
                "ASHARE_LAKE_HOME": str(workdir),
                "ASHARE_WRITERS": writers,
            }
            subprocess.run([sys.executable, "-m", "etl.lake", "init"], cwd=ROOT, env=env, check=True)
        label = "file (1 process)" if writers == "file" else f"lake, {writers} writer(s)"
        print(f"[{label}] backfill {first} .. {last} (log: {workdir / 'backfill.log'})", flush=True)
        wall, peak, _ = run_measured(
            [sys.executable, "-m", "assets.demo", "--first", first.isoformat(), "--last", last.isoformat()],
            env,
            workdir / "backfill.log",
        )
        if writers == "file":
            data, catalog = dir_mb(workdir) - dir_mb(workdir / "gx") - dir_mb(workdir / "dagster"), 0.0
        else:
            data, catalog = dir_mb(workdir / "data"), catalog_mb(int(port), name)
        results.append((label, wall, peak, data, catalog))
        print(f"[{label}] {wall:.0f} s, peak RSS (process tree) {peak:,.0f} MB", flush=True)

    n = len(sessions) - 1
    base = next((wall for label, wall, *_ in results if label.startswith("lake, 1 ")), results[0][1])
    print()
    print(f"## lake-bench, {dt.date.today()}, {os.cpu_count()} cores: `make lake-bench` (--years {args.years})")
    print()
    print(f"{n:,} sessions, {first} .. {last}, one backfill run each, on a fresh lake.")
    print()
    print("| backend | wall | sessions/s | vs 1 lake writer | peak RSS, process tree | data | catalog |")
    print("|---|---|---|---|---|---|---|")
    for label, wall, peak, data, catalog in results:
        print(
            f"| {label} | {wall:.0f} s | {n / wall:.2f} | {base / wall:.2f}× | {peak:,.0f} MB | "
            f"{data:,.0f} MB | {catalog:,.0f} MB |"
        )


if __name__ == "__main__":
    main()
