"""Resources: the warehouse file and the market-data source (recorded sample by default)."""

from __future__ import annotations

from contextlib import contextmanager

import dagster as dg

from etl.settings import Settings
from etl.sources import Source, make_source
from etl.warehouse import Warehouse

_DEFAULTS = Settings.from_env()


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file the pipeline owns (one writer; BI tools read a published copy)."""

    path: str = str(_DEFAULTS.warehouse_path)
    # another pipeline process writing the same file: wait this long for it, then fail with its pid
    lock_timeout_seconds: float = 600.0

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext):
        """The run holds the warehouse's writer lock from its first step to its last (etl/writer_lock.py)."""
        from etl.writer_lock import writer_lock

        with writer_lock(self.path, timeout=self.lock_timeout_seconds):
            yield self

    def get(self) -> Warehouse:
        warehouse = Warehouse(self.path)
        warehouse.ensure_schema()
        return warehouse


class MarketSourceResource(dg.ConfigurableResource):
    """Which source feeds the landing zone: 'recorded' (the shipped sample) or 'akshare' (live).
    Set by ASHARE_SOURCE; the choice is recorded on every raw materialisation."""

    kind: str = _DEFAULTS.source
    sample_landing: str = str(_DEFAULTS.sample_landing)
    live_landing: str = str(_DEFAULTS.live_landing)
    symbols: list[str] = []  # live mode only: restrict the universe (empty = every listed A-share)

    def get(self) -> Source:
        from pathlib import Path

        settings = Settings(
            source=self.kind, sample_landing=Path(self.sample_landing), live_landing=Path(self.live_landing)
        )
        return make_source(settings, symbols=self.symbols or None)
