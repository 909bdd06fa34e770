"""The embedded default: replay the shipped sample, which is laid out as a landing zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from etl.catalog import Index
from etl.sources.base import LandedPartition, Source, SourceError


class RecordedSource(Source):
    name = "recorded"

    def _require(self, dataset: str, function: str, days: Sequence[dt.date]) -> list[LandedPartition]:
        have = set(self.landing.partitions(dataset))
        missing = [d for d in days if d.isoformat() not in have]
        if missing:
            span = f"{min(have)} .. {max(have)}" if have else "nothing"
            raise SourceError(
                f"the recorded sample has no {dataset} for {', '.join(map(str, missing[:5]))}"
                f"{' …' if len(missing) > 5 else ''} (it covers {span}); use ASHARE_SOURCE=akshare for other dates"
            )
        manifest = self.landing.manifest()
        return [self._landed(dataset, function, d.isoformat(), manifest) for d in days]

    def land_stock_universe(self) -> LandedPartition:
        snapshots = self.landing.partitions("stock_info_a_code_name")
        if not snapshots:
            raise SourceError("the recorded sample has no stock_info_a_code_name snapshot")
        return self._landed("stock_info_a_code_name", "stock_info_a_code_name", snapshots[-1])

    def land_stock_bars(self, days, dataset, symbols=None):
        return self._require(dataset, "stock_zh_a_hist", days)

    def land_index_bars(self, days, indices: Sequence[Index]):
        return self._require("stock_zh_index_daily_em", "stock_zh_index_daily_em", days)

