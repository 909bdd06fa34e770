"""The one Definitions root: workspace.yaml, `dg check defs`, `dg dev` and `make dev` all load this module."""

from __future__ import annotations

import dagster as dg

import domains
import marts
from assets import publish, quality_docs, report, watch
from assets.resources import AkshareResource, MarketSourceResource, WarehouseResource
from assets.runs import dead_run_sweeper
from assets.schedules import JOBS, SCHEDULES
from etl import env
from etl.settings import Settings
from etl.warehouse import is_lake

EXECUTORS = ("in_process", "multiprocess", "celery", "k8s")


def executor() -> dg.ExecutorDefinition:
    """A DuckDB file admits a single writer process: its steps run in the run's own process, one after
    another, rather than in parallel subprocesses that would contend for the lock (and each re-import the
    code location). A lake takes several writers: ASHARE_WRITERS (2) steps at once, each in its own process,
    their conflicts retried per transaction (etl/warehouse/lake.py). Beyond one machine ASHARE_EXECUTOR picks
    Celery workers or a Kubernetes job per step (docs/scale-out.md; their settings come with the run config)."""
    lake = is_lake(Settings.from_env().warehouse)
    choice = env.choice("ASHARE_EXECUTOR", "multiprocess" if lake else "in_process", EXECUTORS)
    if choice != "in_process" and not lake:
        raise ValueError(f"ASHARE_EXECUTOR={choice}: a DuckDB file admits one writer process; use a lake")
    if choice == "in_process":
        return dg.in_process_executor
    if choice == "multiprocess":
        return dg.multiprocess_executor.configured(
            {"max_concurrent": writers(), "start_method": {"forkserver": {"preload_modules": PRELOADED}}},
            name="lake_writers",
        )
    if choice == "celery":
        from dagster_celery import celery_executor

        return celery_executor
    from dagster_k8s import k8s_job_executor

    return k8s_job_executor


def executor_run_config() -> dict:
    """The run config an executor beyond one machine needs (its broker and backend): Celery's from
    warehouse/deploy/celery/run_config.yaml, or the file ASHARE_CELERY_RUN_CONFIG names (the workers must be
    started with the same); nothing for the others."""
    if env.choice("ASHARE_EXECUTOR", "in_process", EXECUTORS) != "celery":
        return {}
    import yaml

    from etl.settings import WAREHOUSE_DIR

    path = env.existing_file("ASHARE_CELERY_RUN_CONFIG", WAREHOUSE_DIR / "deploy" / "celery" / "run_config.yaml")
    return yaml.safe_load(path.read_text())


# Imported once by the forkserver, then inherited by every step process: a spawned step paid ~3 s to import
# the code location and ~6 s more for GX in every gate step, longer than most steps' own work.
PRELOADED = ["assets.definitions", "great_expectations"]


def writers() -> int:
    return env.integer("ASHARE_WRITERS", 2, minimum=1, maximum=64)


all_assets = [
    # every module of each package is loaded: a new domain or mart module needs no edit here
    *dg.load_assets_from_package_module(domains),  # raw -> staging, domains/<d>/assets.py
    *dg.load_assets_from_package_module(marts),  # per subject, marts/<s>/assets.py
    *dg.load_assets_from_modules([report, publish, quality_docs]),
    *publish.CHECKS,  # blocking audits of the marts (publish waits for them), the calendar's warning
]


defs = dg.Definitions(
    assets=all_assets,
    asset_checks=[watch.marts_fresh],  # the marts against the calendar: its own job, never inside a build
    jobs=[*JOBS, watch.freshness_job],
    schedules=[*SCHEDULES, watch.freshness_watch],
    sensors=[dead_run_sweeper, watch.notify_on_run_failure],
    executor=executor(),
    resources={
        "warehouse": WarehouseResource(),
        "market_source": MarketSourceResource(akshare=AkshareResource()),
    },
)
