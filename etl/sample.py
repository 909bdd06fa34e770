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
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etl.landing import LandingZone
from etl.settings import SAMPLE_LANDING

WINDOW = (dt.date(2024, 12, 2), dt.date(2025, 3, 31))
AKSHARE_LAYOUT = "1.19.5"


@dataclass(frozen=True)
class Recorded:
    file: str
    function: str  # the akshare function the rows are shaped like
    partition_by: pl.Expr | None  # -> Date; None: one snapshot with the fixed date below
    arguments: dict
    snapshot: dt.date | None = None
    recorded_at: dt.date | None = None  # latest upstream commit the rows came from (MANIFEST.md)


def _date(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.String).str.replace_all("-", "").str.slice(0, 8).str.to_date("%Y%m%d")


RECORDINGS = (
    Recorded(
        "stock_zh_a_hist",
        "stock_zh_a_hist",
        _date("日期"),
        {"period": "daily", "adjust": "qfq"},
        recorded_at=dt.date(2026, 2, 19),
    ),
    Recorded(
        "stock_zh_a_hist_unadjusted",
        "stock_zh_a_hist",
        _date("日期"),
        {"period": "daily", "adjust": ""},
        recorded_at=dt.date(2026, 1, 3),
    ),
    Recorded("stock_zh_index_daily_em", "stock_zh_index_daily_em", _date("date"), {}, recorded_at=dt.date(2026, 5, 8)),
    Recorded(
        "stock_zh_index_hist_csindex",
        "stock_zh_index_hist_csindex",
        _date("日期"),
        {},
        recorded_at=dt.date(2026, 8, 21),
    ),
    Recorded("stock_us_hist", "stock_us_hist", _date("日期"), {"period": "daily"}, recorded_at=dt.date(2026, 5, 31)),
    Recorded("news_cctv", "news_cctv", _date("date"), {}),
    Recorded("stock_info_global_em", "stock_info_global_em", _date("发布时间"), {}),
    Recorded("stock_info_a_code_name", "stock_info_a_code_name", None, {}, snapshot=dt.date(2026, 1, 3)),
    Recorded("stock_board_concept_name_em", "stock_board_concept_name_em", None, {}, snapshot=dt.date(2025, 3, 10)),
    Recorded("stock_board_industry_name_em", "stock_board_industry_name_em", None, {}, snapshot=dt.date(2025, 3, 31)),
    Recorded("stock_board_concept_cons_em", "stock_board_concept_cons_em", pl.col("snapshot_date"), {}),
    Recorded("stock_board_industry_cons_em", "stock_board_industry_cons_em", pl.col("snapshot_date"), {}),
    Recorded("stock_sector_fund_flow_rank", "stock_sector_fund_flow_rank", pl.col("snapshot_date"), {}),
    Recorded("stock_individual_fund_flow_rank", "stock_individual_fund_flow_rank", pl.col("snapshot_date"), {}),
)


def build(recording: Path, target: Path = SAMPLE_LANDING) -> list[tuple[str, int, int]]:
    if target.exists():
        shutil.rmtree(target)
    zone = LandingZone(target)
    summary = []
    for rec in RECORDINGS:
        df = pl.read_parquet(recording / f"{rec.file}.parquet")
        if rec.partition_by is None:
            parts = {rec.snapshot: df}
        else:
            keyed = df.with_columns(rec.partition_by.alias("__partition"))
            if rec.snapshot is None and "snapshot_date" not in df.columns:
                keyed = keyed.filter(pl.col("__partition").is_between(*WINDOW))
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
                function=rec.file,
                partition=day.isoformat(),
                arguments={"akshare_function": rec.function, **rec.arguments, "partition": day.isoformat()},
                source="recorded",
                akshare_version=AKSHARE_LAYOUT,
                fetched_at=dt.datetime.combine(fetched, dt.time(), dt.UTC),
            )
        summary.append((rec.file, len(parts), sum(len(f) for f in parts.values())))
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
