"""`make bench`: the performance table in docs/performance.md.

- definitions load time next to a bare `import dagster` (heavy libraries must stay lazy);
- `make demo` wall time and peak memory (a fresh warehouse, the whole sample in one run);
- mean time per partition for the first and the last ten partitions of a partition-by-partition backfill
  (does a write get slower as the warehouse grows?).
"""

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def timed_import(statement: str, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        out = subprocess.run(
            [
                PY,
                "-W",
                "ignore",
                "-c",
                f"import time; t=time.perf_counter(); {statement}; print(time.perf_counter()-t)",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def demo(workdir: Path) -> tuple[float, float]:
    env = {**os.environ, "ASHARE_WAREHOUSE": str(workdir / "demo.duckdb")}
    env.pop("DAGSTER_HOME", None)
    cmd = [
        PY,
        "-c",
        "import resource, runpy, sys; sys.argv=['assets.demo']; runpy.run_module('assets.demo', run_name='__main__');"
        " print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)",
    ]
    started = time.perf_counter()
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    peak_kb = int(next(line for line in out.stdout.splitlines() if line.startswith("PEAK")).split()[1])
    return wall, peak_kb / 1024


def per_partition_backfill(workdir: Path) -> list[float]:
    import dagster as dg

    from etl.landing import LandingZone
    from etl.settings import SAMPLE_LANDING

    os.environ["ASHARE_WAREHOUSE"] = str(workdir / "backfill.duckdb")
    from assets.definitions import all_assets
    from assets.partitions import month_of, session_window
    from assets.resources import MarketSourceResource, WarehouseResource

    # the range (per-session) assets, one partition a run, after the unpartitioned assets they read (stock
    # list, boards, membership, news) were built once; the whole-table marts, report and publish are left out
    ranged = dg.AssetSelection.assets(*[a for a in all_assets if a.partitions_def is not None])
    inputs = (ranged.upstream() - ranged).required_multi_asset_neighbors()
    resources = {
        "warehouse": WarehouseResource(path=str(workdir / "backfill.duckdb")),
        "market_source": MarketSourceResource(),
    }
    jobs = [dg.define_asset_job("inputs", selection=inputs), dg.define_asset_job("daily", selection=ranged)]
    local = dg.Definitions(assets=all_assets, jobs=jobs, resources=resources, executor=dg.in_process_executor)
    quiet = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
    assert local.resolve_job_def("inputs").execute_in_process(run_config=quiet).success
    job = local.resolve_job_def("daily")
    times = []
    for key in LandingZone(SAMPLE_LANDING).partitions("stock_zh_a_hist"):
        started = time.perf_counter()
        day = dt.date.fromisoformat(key)  # the daily run: the session's month, the session alone as its window
        assert job.execute_in_process(
            partition_key=month_of(day), run_config=quiet, tags=session_window(day, day)
        ).success
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        bare = timed_import("import dagster")
        defs = timed_import("import assets.definitions")
        wall, peak = demo(workdir)
        times = per_partition_backfill(workdir)
    first, last = statistics.mean(times[:10]), statistics.mean(times[-10:])
    rows = [
        ("import dagster (median of 5)", f"{bare:.2f} s", ""),
        ("load Definitions (median of 5)", f"{defs:.2f} s", f"+{defs - bare:.2f} s over dagster (target ≤ 1 s)"),
        ("make demo: wall time, whole sample in one run", f"{wall:.1f} s", "target ≤ 60 s warm"),
        ("make demo: peak memory (RSS)", f"{peak:.0f} MB", ""),
        (f"backfill of the range assets, one run per partition ({len(times)}): first 10 mean", f"{first:.2f} s", ""),
        ("backfill: last 10 mean", f"{last:.2f} s", f"ratio {last / first:.2f} (target ≤ 1.2)"),
    ]
    print()
    print("| measure | value | note |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
