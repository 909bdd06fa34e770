"""Resources: the warehouse file and the market-data source (recorded sample by default)."""

from __future__ import annotations

import dagster as dg

from etl.settings import Settings
from etl.sources import Source, make_source
from etl.warehouse import Warehouse

_DEFAULTS = Settings.from_env()


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file the pipeline owns (one writer; BI tools read a published copy)."""

    path: str = str(_DEFAULTS.warehouse_path)

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

        settings = Settings(source=self.kind, sample_landing=Path(self.sample_landing),
                            live_landing=Path(self.live_landing))
        return make_source(settings, symbols=self.symbols or None)
