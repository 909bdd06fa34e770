"""The source interface: land what a run needs, then hand back where it landed."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from etl.catalog import Index
from etl.landing import LandingZone, parse_fetched_at


class SourceError(RuntimeError):
    pass


@dataclass(frozen=True)
class LandedPartition:
    dataset: str  # folder in the landing zone
    function: str  # akshare function the frame is shaped like
    partition: str
    fetched_at: dt.datetime | None
    source: str


class Source(ABC):
    name: str

    def __init__(self, landing: LandingZone):
        self.landing = landing

    @abstractmethod
    def land_stock_universe(self) -> LandedPartition: ...

    @abstractmethod
    def land_stock_bars(
        self, days: Sequence[dt.date], dataset: str, symbols: Sequence[str] | None = None
    ) -> list[LandedPartition]: ...

    @abstractmethod
    def land_index_bars(self, days: Sequence[dt.date], indices: Sequence[Index]) -> list[LandedPartition]: ...

    def read(self, landed: LandedPartition) -> pl.DataFrame:
        return self.landing.read(landed.dataset, landed.partition)

    def _landed(self, dataset: str, function: str, partition: str, manifest: dict | None = None) -> LandedPartition:
        row = (manifest if manifest is not None else self.landing.manifest()).get((dataset, partition))
        return LandedPartition(
            dataset=dataset,
            function=function,
            partition=partition,
            fetched_at=parse_fetched_at(row.fetched_at) if row else None,
            source=self.name,
        )
