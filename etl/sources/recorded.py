"""The embedded default: replay the shipped sample, which is laid out as a landing zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from etl.catalog import Index
from etl.sources.base import Board, LandedPartition, Source, SourceError


class RecordedSource(Source):
    name = "recorded"

    def _require(self, dataset: str, function: str, keys: Sequence[dt.date]) -> list[LandedPartition]:
        have = set(self.landing.partitions(dataset))
        missing = [d for d in keys if d.isoformat() not in have]
        if missing:
            span = f"{min(have)} .. {max(have)}" if have else "nothing"
            raise SourceError(
                f"the recorded sample has no {dataset} for {', '.join(map(str, missing[:5]))}"
                f"{' …' if len(missing) > 5 else ''} (it covers {span}); use ASHARE_SOURCE=akshare for other dates"
            )
        manifest = self.landing.manifest()
        return [self._landed(dataset, function, d.isoformat(), manifest) for d in keys]

    def _optional(self, dataset: str, keys: Sequence[dt.date]) -> list[LandedPartition]:
        have = set(self.landing.partitions(dataset))
        return self._require(dataset, dataset, [d for d in keys if d.isoformat() in have])

    def _snapshots(self, dataset: str, snapshot: dt.date | None) -> list[LandedPartition]:
        """Every recorded snapshot, or the one taken on `snapshot` if there is one."""
        return self.landed_all(dataset) if snapshot is None else self._optional(dataset, [snapshot])

    def land_stock_universe(self) -> LandedPartition:
        snapshots = self.landing.partitions("stock_info_a_code_name")
        if not snapshots:
            raise SourceError("the recorded sample has no stock_info_a_code_name snapshot")
        return self._landed("stock_info_a_code_name", "stock_info_a_code_name", snapshots[-1])

    def land_stock_bars(self, days, dataset, symbols=None):
        return self._require(dataset, "stock_zh_a_hist", days)

    def land_index_bars(self, days, indices: Sequence[Index]):
        return self._require("stock_zh_index_daily_em", "stock_zh_index_daily_em", days)

    def land_csi_index_bars(self, days, codes):
        return self._require("stock_zh_index_hist_csindex", "stock_zh_index_hist_csindex", days)

    def land_board_bars(self, days, boards: Sequence[Board]):
        return []  # the recording has no board K-lines; the marts rebuild board indices from member bars

    def land_news_cctv(self, dates):
        return self._optional("news_cctv", dates)  # the recording covers 2025-01-01 .. 2025-02-28

    def land_board_lists(self, snapshot=None):
        return [
            *self._snapshots("stock_board_concept_name_em", snapshot),
            *self._snapshots("stock_board_industry_name_em", snapshot),
        ]

    def land_board_membership(self, boards, snapshot=None):
        return [
            *self._snapshots("stock_board_concept_cons_em", snapshot),
            *self._snapshots("stock_board_industry_cons_em", snapshot),
        ]

    def land_fund_flow_ranks(self, snapshot=None):
        return [
            *self._snapshots("stock_individual_fund_flow_rank", snapshot),
            *self._snapshots("stock_sector_fund_flow_rank", snapshot),
        ]

    def land_flow_history(self, symbols):
        return []  # not in the recording: per-stock and market fund-flow history exist only live (~100 days)

    def land_us_bars(self, symbols, start):
        return self.landed_all("stock_us_hist")

    def land_dividends(self, report_periods):
        return []  # not in the recording: stock_fhps_em is live only

    def land_news_feed(self):
        return self.landed_all("stock_info_global_em")
