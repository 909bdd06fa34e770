"""The source interface: land what a run needs, then hand back where it landed.

Range data (bars, CSI history, CCTV news by date) is landed per trading day or calendar date; snapshot data
(universe, board lists and membership, fund-flow ranks, the news feed, US history) is landed per capture.
The recorded source returns what the shipped sample holds; the live source calls akshare and lands today's.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Sequence

import polars as pl

from etl.datasets.record import DEFAULT_REQUEST, Board, Dataset, LandedPartition, Request
from etl.landing import LandingError, LandingZone, parse_fetched_at

__all__ = [
    "DEFAULT_REQUEST",
    "Board",
    "LandedPartition",
    "Request",
    "Source",
    "SourceError",
    "SnapshotRefused",
    "within",
]


class SourceError(RuntimeError):
    pass


class SnapshotRefused(SourceError):
    """A snapshot asked for a day the source cannot serve (akshare returns the current state only)."""


def within(spans: Sequence[tuple[dt.date, dt.date]], days: Sequence[dt.date]) -> list[dt.date]:
    """The days inside at least one of the spans (first and last day included)."""
    return [day for day in days if any(first <= day <= last for first, last in spans)]


class Source(ABC):
    """Lands what a request needs of one dataset, then hands back where it landed."""

    name: str

    def __init__(self, landing: LandingZone):
        self.landing = landing

    @abstractmethod
    def land(self, dataset: Dataset, request: Request = DEFAULT_REQUEST) -> list[LandedPartition]: ...

    def land_each(self, datasets: Sequence[Dataset], request: Request = DEFAULT_REQUEST) -> list[LandedPartition]:
        return [item for d in datasets for item in self.land(d, request)]

    @abstractmethod
    def coverage(self, dataset: Dataset) -> tuple[dt.date, dt.date] | None:
        """First and last day this source can serve of a range dataset; None: none at all."""

    def spans(self, datasets: Sequence[Dataset]) -> list[tuple[dt.date, dt.date]]:
        """The coverage of each of `datasets` that this source covers at all."""
        return [s for s in (self.coverage(d) for d in datasets) if s is not None]

    def covered(self, datasets: Sequence[Dataset], days: Sequence[dt.date]) -> list[dt.date]:
        """The days of a run that at least one of `datasets` covers here; the rest are "not covered"."""
        return within(self.spans(datasets), days)

    def read(self, landed: LandedPartition) -> pl.DataFrame:
        return self.landing.read_row(landed.capture)

    def landed(self, dataset: Dataset, partition: str, manifest: dict | None = None) -> LandedPartition:
        row = (manifest if manifest is not None else self.landing.manifest()).get((dataset.name, partition))
        if row is None:
            raise LandingError(
                f"{self.landing.root / dataset.name}: no capture of partition {partition} is listed in "
                f"{self.landing.manifest_path}"
            )
        return LandedPartition(
            dataset=dataset.name,
            function=dataset.function,
            partition=partition,
            fetched_at=parse_fetched_at(row.fetched_at),
            source=self.name,
            capture=row,
        )

    def landed_all(self, dataset: Dataset) -> list[LandedPartition]:
        """Every partition of a dataset in this landing zone."""
        manifest = self.landing.manifest()
        return [self.landed(dataset, p, manifest) for p in self.landing.partitions(dataset.name)]
