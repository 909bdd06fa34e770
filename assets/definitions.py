"""The one Definitions root: workspace.yaml, `dg check defs`, `dg dev` and `make dev` all load this module."""

from __future__ import annotations

import dagster as dg

from assets import ingest, marts, publish, quality_docs, report
from assets.resources import AkshareResource, MarketSourceResource, WarehouseResource
from assets.runs import dead_run_sweeper
from assets.schedules import JOBS, SCHEDULES

all_assets = [
    # every module of each package is loaded: a new domain or mart module needs no edit here
    *dg.load_assets_from_package_module(ingest),  # raw -> staging, per domain
    *dg.load_assets_from_package_module(marts),  # per subject
    *dg.load_assets_from_modules([report, publish, quality_docs]),
    *publish.AUDITS,  # blocking audits of the marts: publish waits for them
]


defs = dg.Definitions(
    assets=all_assets,
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=[dead_run_sweeper],
    # Every step writes the one DuckDB file, which admits a single writer process: run steps in the run's
    # own process, one after another, rather than in parallel subprocesses that would contend for the lock
    # (and each re-import the code location).
    executor=dg.in_process_executor,
    resources={
        "warehouse": WarehouseResource(),
        "market_source": MarketSourceResource(akshare=AkshareResource()),
    },
)
