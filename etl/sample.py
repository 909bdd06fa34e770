"""Build the shipped sample (warehouse/sample/landing) from the full recording in ../shared.

    python -m etl.sample --recording ../shared/data/akshare-recorded

Each recorded file is cut to the sample window and split into the landing-zone layout, one Parquet file
per function and partition, with a manifest row per file, so the recorded source replays it exactly as
the live source would have landed it. MANIFEST.md and the provenance tables travel along.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

import polars as pl

from etl.datasets import Dataset, datasets
from etl.landing import LandingZone
from etl.settings import SAMPLE_LANDING

WINDOW = (dt.date(2024, 12, 2), dt.date(2025, 3, 31))
AKSHARE_LAYOUT = "1.19.5"


def recordings() -> list[Dataset]:
    """The datasets the shipped sample holds: each has a sample rule in the registry (domains/*/datasets.py)."""
    return [d for d in datasets() if d.sample is not None]


def build(recording: Path, target: Path = SAMPLE_LANDING) -> list[tuple[str, int, int]]:
    if target.exists():
        shutil.rmtree(target)
    zone = LandingZone(target)
    summary = []
    for item in recordings():
        rec = item.sample
        df = pl.read_parquet(recording / f"{item.name}.parquet")
        if rec.partition_by is None:
            parts = {rec.snapshot: df}
        else:
            keyed = df.with_columns(rec.partition_by.alias("__partition"))
            if rec.snapshot is None and "snapshot_date" not in df.columns:
                keyed = keyed.filter(pl.col("__partition").is_between(*(rec.window or WINDOW)))
            parts = {
                key[0]: group.drop("__partition")
                for key, group in keyed.sort("__partition").group_by("__partition", maintain_order=True)
            }
        for day, frame in parts.items():
            # Snapshots without a recorded capture time are stamped 00:00 UTC (08:00 Shanghai, before the
            # open) on their snapshot day: MANIFEST.md §9-10 shows the fund-flow snapshots' 今日 figures
            # describe the previous session, which is what a pre-open capture means downstream.
            fetched = rec.recorded_at or rec.snapshot or day
            zone.write(
                frame,
                function=item.name,
                partition=day.isoformat(),
                arguments={"akshare_function": item.function, **rec.arguments, "partition": day.isoformat()},
                source="recorded",
                akshare_version=AKSHARE_LAYOUT,
                fetched_at=dt.datetime.combine(fetched, dt.time(), dt.UTC),
            )
        summary.append((item.name, len(parts), sum(len(f) for f in parts.values())))
    docs = target.parent
    shutil.copy(recording / "MANIFEST.md", docs / "MANIFEST.md")
    shutil.copy(recording / "checksums.sha256", docs / "checksums.original.sha256")
    shutil.copytree(recording / "_provenance", docs / "_provenance", dirs_exist_ok=True)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recording", type=Path, default=Path("../shared/data/akshare-recorded"))
    args = parser.parse_args()
    for name, parts, rows in build(args.recording):
        print(f"{name:36s} {parts:4d} partitions {rows:9,d} rows")


if __name__ == "__main__":
    main()
