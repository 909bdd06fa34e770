"""What the registry records about one landed dataset (one akshare function, or one variant of it).

A dataset is everything between akshare and the raw table: the input spec (Chinese columns → names, types,
units), the raw table it lands in and the columns a run adds there, whether it is landed per session or per
capture, how the live source fetches it, how the recorded source replays it, and how the shipped sample is
cut from the recording. Staging, suites and marts are downstream of raw and live with their domain.

What a run asks a source for (Request) and what a source hands back (LandedPartition) live here too: the
datasets and the sources (etl/sources/) share them, and the sources depend on the datasets, not back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

import polars as pl

from etl.input_specs import InputSpec
from etl.landing import ManifestRow

# The raw columns filled with the landing partition's date when the input spec does not carry them.
PARTITION_COLUMNS = ("partition_date", "snapshot_date")


@dataclass(frozen=True)
class RawTable:
    """A raw table, the columns a run adds to its input spec's (DuckDB types), its grain and a note for its
    readers. Several datasets may land in one table (qfq and unadjusted bars, concept and industry boards):
    they share one RawTable."""

    name: str
    extra: Mapping[str, str] = field(default_factory=dict)
    grain: tuple[str, ...] = ()  # the columns one row is unique by, within a capture (docs/architecture.md)
    note: str = ""  # what a reader of the table should know (docs/architecture.md)

    @property
    def short(self) -> str:
        return self.name.split(".", 1)[1]


class Replay(Enum):
    """How the recorded source answers a request from what the sample holds."""

    DAYS = "every requested day, or an error naming the days it lacks"
    HELD_DAYS = "the requested days it holds (the recording covers part of the calendar)"
    SNAPSHOTS = "every snapshot, or the one taken on the requested day if it holds it"
    LATEST = "the latest snapshot"
    ALL = "every partition it holds"
    NONE = "nothing: not in the recording"


@dataclass(frozen=True)
class Sample:
    """How etl/sample.py cuts the recording (../shared/data/akshare-recorded/<dataset>.parquet) into the
    shipped landing zone. `partition_by` gives each row its partition (a Date expression); without one the
    whole file is one snapshot taken on `snapshot`."""

    partition_by: pl.Expr | None
    arguments: Mapping[str, str] = field(default_factory=dict)  # as recorded in the manifest
    snapshot: dt.date | None = None
    recorded_at: dt.date | None = None  # latest upstream commit the rows came from (MANIFEST.md)
    window: tuple[dt.date, dt.date] | None = None  # days shipped; None: the sample's window (etl/sample.py)


def day_of(column: str) -> pl.Expr:
    """A recorded date column (date, 'YYYY-MM-DD' or 'YYYYMMDD', maybe with a time) as the partition day."""
    return pl.col(column).cast(pl.String).str.replace_all("-", "").str.slice(0, 8).str.to_date("%Y%m%d")


# (the live source, etl/sources/live.py AkshareSource; the dataset; the request) -> the partitions it landed
Fetch = Callable[[Any, "Dataset", "Request"], list["LandedPartition"]]


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


@dataclass(frozen=True)
class Request:
    """What a run asks a source for; each dataset's fetch reads the fields it needs."""

    days: tuple[dt.date, ...] = ()  # range datasets: the sessions (or dates) of the run
    snapshot: dt.date | None = None  # snapshot datasets: None = today's capture (live), every one (recorded)
    symbols: tuple[str, ...] = ()  # stocks, indices or US codes, per dataset
    boards: tuple[Board, ...] = ()
    start: dt.date | None = None  # histories fetched from a start date (US bars)
    periods: tuple[str, ...] = ()  # report periods, YYYYMMDD (dividends)
    # the day's market snapshot: the last session's unadjusted bars held (trade_date, symbol, close,
    # volume_shares), so that a page still showing that session is refused as stale (domains/stocks/spot.py)
    held: Any = field(default=None, compare=False)


DEFAULT_REQUEST = Request()  # snapshots: today's capture (live) or every recorded one


@dataclass(frozen=True)
class Dataset:
    name: str  # its folder in the landing zone; the akshare function's name unless a variant
    spec: InputSpec
    raw: RawTable
    kind: Literal["range", "snapshot"]  # range: landed per session (or date); snapshot: per capture
    replay: Replay
    fetch: Fetch | None = None  # None: the live source cannot fetch it
    arguments: Mapping[str, str] = field(default_factory=dict)  # fixed akshare arguments of this variant
    labels: Mapping[str, str] = field(default_factory=dict)  # constant raw columns telling variants apart
    sample: Sample | None = None  # None: the shipped sample has none
    # range datasets, live: the first day the source serves (None: any SSE session). The recorded source
    # covers what its landing zone holds. Days outside a source's coverage are "not covered": nothing is
    # fetched or judged for them, and the marts compute over the covered days.
    live_since: dt.date | None = None
    # range datasets only a snapshot of now can give (the day's whole market): the days the live source covers
    # at this moment, None for none; replaces (live_since, today)
    live_coverage: Callable[[], tuple[dt.date, dt.date] | None] | None = None
    note: str = ""  # why it is not recorded, or what a user should know

    @property
    def function(self) -> str:
        return self.spec.function
