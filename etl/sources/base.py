"""The source interface: land what a run needs, then hand back where it landed.

Range data (bars, CSI history, CCTV news by date) is landed per trading day or calendar date; snapshot data
(universe, board lists and membership, fund-flow ranks, the news feed, US history) is landed per capture.
The recorded source returns what the shipped sample holds; the live source calls akshare and lands today's.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from etl.catalog import Index
from etl.landing import LandingError, LandingZone, ManifestRow, parse_fetched_at


class SourceError(RuntimeError):
    pass


class SnapshotRefused(SourceError):
    """A snapshot asked for a day the source cannot serve (akshare returns the current state only)."""


@dataclass(frozen=True)
class LandedPartition:
    dataset: str  # folder in the landing zone
    function: str  # akshare function the frame is shaped like
    partition: str
    fetched_at: dt.datetime | None
    source: str
    capture: ManifestRow  # the manifest row of the file read: its path, checksum and row count


@dataclass(frozen=True)
class Board:
    code: str
    name: str
    board_type: str  # concept | industry


class Source(ABC):
    name: str

    def __init__(self, landing: LandingZone):
        self.landing = landing

    # --- range data -----------------------------------------------------------------------------------
    @abstractmethod
    def land_stock_bars(
        self, days: Sequence[dt.date], dataset: str, symbols: Sequence[str] | None = None
    ) -> list[LandedPartition]: ...

    @abstractmethod
    def land_index_bars(self, days: Sequence[dt.date], indices: Sequence[Index]) -> list[LandedPartition]: ...

    @abstractmethod
    def land_csi_index_bars(self, days: Sequence[dt.date], codes: Sequence[str]) -> list[LandedPartition]: ...

    @abstractmethod
    def land_board_bars(self, days: Sequence[dt.date], boards: Sequence[Board]) -> list[LandedPartition]: ...

    @abstractmethod
    def land_news_cctv(self, dates: Sequence[dt.date]) -> list[LandedPartition]: ...

    # --- snapshots (None: the recorded source replays every snapshot it holds; live captures today) -----
    @abstractmethod
    def land_stock_universe(self) -> LandedPartition: ...

    @abstractmethod
    def land_board_lists(self, snapshot: dt.date | None = None) -> list[LandedPartition]: ...

    @abstractmethod
    def land_board_membership(
        self, boards: Sequence[Board], snapshot: dt.date | None = None
    ) -> list[LandedPartition]: ...

    @abstractmethod
    def land_fund_flow_ranks(self, snapshot: dt.date | None = None) -> list[LandedPartition]: ...

    @abstractmethod
    def land_flow_history(self, symbols: Sequence[str]) -> list[LandedPartition]: ...

    @abstractmethod
    def land_us_bars(self, symbols: Sequence[str], start: dt.date) -> list[LandedPartition]: ...

    @abstractmethod
    def land_dividends(self, report_periods: Sequence[str]) -> list[LandedPartition]: ...

    @abstractmethod
    def land_news_feed(self) -> list[LandedPartition]: ...

    # --- shared ---------------------------------------------------------------------------------------
    def read(self, landed: LandedPartition) -> pl.DataFrame:
        return self.landing.read_row(landed.capture)

    def _landed(self, dataset: str, function: str, partition: str, manifest: dict | None = None) -> LandedPartition:
        row = (manifest if manifest is not None else self.landing.manifest()).get((dataset, partition))
        if row is None:
            raise LandingError(
                f"{self.landing.root / dataset}: no capture of partition {partition} is listed in "
                f"{self.landing.manifest_path}"
            )
        return LandedPartition(
            dataset=dataset,
            function=function,
            partition=partition,
            fetched_at=parse_fetched_at(row.fetched_at),
            source=self.name,
            capture=row,
        )

    def landed_all(self, dataset: str, function: str | None = None) -> list[LandedPartition]:
        """Every partition of a dataset in this landing zone."""
        manifest = self.landing.manifest()
        return [self._landed(dataset, function or dataset, p, manifest) for p in self.landing.partitions(dataset)]
