"""Resources: the warehouse file, the market-data source (recorded sample by default) and akshare."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import dagster as dg

from etl.settings import Settings
from etl.sources import Source, make_source
from etl.warehouse import Warehouse, open_warehouse

_DEFAULTS = Settings.from_env()


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse the pipeline owns: a DuckDB file (one writer; BI tools read a published copy), or a
    DuckLake in PostgreSQL (`ducklake:postgres:…`: several writers; BI tools read a published snapshot)."""

    path: str = _DEFAULTS.warehouse
    # another pipeline process writing the same file: wait this long for it, then fail with its pid
    lock_timeout_seconds: float = 600.0

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext):
        """On a file, the run holds the writer lock from its first step to its last (etl/warehouse/writer_lock.py); a
        lake takes concurrent writers and retries conflicts per transaction instead (etl/warehouse/lake.py)."""
        from etl.settings import check_warehouse_file
        from etl.warehouse.writer_lock import writer_lock

        check_warehouse_file(self.path)  # a FIFO or a directory there would hang or fail the first step
        with writer_lock(self.path, timeout=self.lock_timeout_seconds):
            yield self

    def get(self) -> Warehouse:
        warehouse = open_warehouse(self.path)
        warehouse.ensure_schema()
        return warehouse


class AkshareResource(dg.ConfigurableResource):
    """The akshare library, as the live source calls it. A resource rather than an import so that a run can
    be handed another implementation of the same functions: the tests pass one that serves frames in
    akshare 1.19.5's exact shapes (tests/akshare_frames.py) instead of patching the installed module."""

    def api(self) -> Any:
        from etl.sources.gateway import quiet_progress_bars

        quiet_progress_bars()
        import akshare  # heavy: imported only when a live run needs it

        return akshare


class MarketSourceResource(dg.ConfigurableResource):
    """Which source feeds the landing zone: 'recorded' (the shipped sample) or 'akshare' (live).
    Set by ASHARE_SOURCE; the choice is recorded on every raw materialisation."""

    kind: str = _DEFAULTS.source
    sample_landing: str = str(_DEFAULTS.sample_landing)
    live_landing: str = str(_DEFAULTS.live_landing)
    symbols: list[str] = []  # live mode only: restrict the universe (empty = every listed A-share)
    # None: the installed akshare, imported on first call. (A resource default here is refused by Dagster
    # 1.13's config validation, "Input should be a valid dictionary or instance of PartialResource".)
    akshare: AkshareResource | None = None

    def get(self) -> Source:
        from pathlib import Path

        settings = Settings(
            source=self.kind, sample_landing=Path(self.sample_landing), live_landing=Path(self.live_landing)
        )
        api = self.akshare.api() if self.akshare is not None and self.kind == "akshare" else None
        return make_source(settings, symbols=self.symbols or None, api=api)
