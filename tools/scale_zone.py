"""A synthetic multi-year landing zone for `make bench-scale`, built from the shipped sample.

Method (printed by the bench with its figures): every range dataset of the sample (stock bars, both price
bases; index bars; CSI index histories; CCTV news) is laid onto every SSE session of the target span by
walking its real per-session cross-sections forward and back (ping-pong: 1, 2, …, n, n-1, …, 1, 2, …), from
the session where the cross-section reaches its final size (stable_suffix), so each session's neighbour is
a real neighbour and prices never drift or jump at a seam. Datasets landing in one raw table (the two price
bases of the stock bars) walk the same real sessions in step (in_step). Dates are rewritten to
the target session; where a file carries a close and a percentage change (stock bars, CSI histories) the
change and its amount are recomputed from the previous target session's close, so the row rules see a
consistent series. A reversed limit-down day becomes a rise above the band and is quarantined, as it should
be: the quarantine counts are part of the output. Snapshot datasets (stock list, boards, membership, fund-flow
rankings, the news feed, US bars) are linked as they are. Every file gets its manifest row (sha256, rows).

A scale test, not a fidelity test: the data is real, its order is not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import asdict, replace
from pathlib import Path

import polars as pl

from etl.landing import MANIFEST, LandingZone, ManifestRow, sha256_of
from etl.market import sessions_between

METHOD = (
    "synthetic zone: each range dataset's real per-session cross-sections (from where the cross-section "
    "reaches its final size) walked forward and back (ping-pong) over every SSE session of the span, dates "
    "rewritten, close-to-close changes recomputed, the stock bars' two price bases in step; snapshots as shipped"
)
KEYS = ("股票代码", "指数代码")  # the per-row identity of a close series (stock bars, CSI histories)


def ping_pong(n: int, count: int) -> list[int]:
    """Indexes 0..n-1 walked forward and back, `count` of them: 0,1,…,n-1,n-2,…,1,0,1,…"""
    if n == 1:
        return [0] * count
    period = 2 * (n - 1)
    return [i % period if i % period < n else period - i % period for i in range(count)]


def stable_suffix(held: list[ManifestRow], tolerance: float = 0.95) -> list[ManifestRow]:
    """The sessions from which a cross-section keeps its size (the recording covers fewer stocks in Dec 2024,
    and two indices start in 2024): walked backwards, a shrinking cross-section would be refused by the size
    and missing-index rules, rightly, and the bench would measure refusals instead of work."""
    last = held[-1].rows
    start = len(held)
    while start > 0 and held[start - 1].rows >= tolerance * last:
        start -= 1
    return held[start:] if len(held) - start >= 2 else held


def in_step(raw_of: dict[str, str], manifest: dict) -> dict[str, list[ManifestRow]]:
    """Per range dataset, the real sessions it walks: its stable suffix, and where several datasets land in one
    raw table (the stock bars' two price bases) only the sessions all of them hold, so that they walk in step.
    Out of step, a target session would pair one real day's forward-adjusted bars with another day's
    unadjusted ones, and the rule that checks the traded amount against the unadjusted prices would quarantine
    thousands of rows a session, rightly (amount_inconsistent_with_prices)."""
    held = {name: [row for (function, _), row in sorted(manifest.items()) if function == name] for name in raw_of}
    held = {
        name: rows if raw_of[name] == "raw.news_cctv" else stable_suffix(rows)  # news varies in size by nature
        for name, rows in held.items()
        if rows
    }
    walks = {}
    for name, rows in held.items():
        partners = [other for other in held if raw_of[other] == raw_of[name]]
        common = set.intersection(*({r.partition for r in held[p]} for p in partners))
        walks[name] = [r for r in rows if r.partition in common]
    return walks


def rewrite_dates(frame: pl.DataFrame, source: dt.date, target: dt.date) -> pl.DataFrame:
    """Every column holding the source session (a Date, or text as YYYY-MM-DD or YYYYMMDD) now holds the
    target session, in the same form."""
    out = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.Date:
            out.append(pl.lit(target, pl.Date).alias(name))
        elif dtype == pl.String:
            for fmt in ("%Y-%m-%d", "%Y%m%d"):
                src, dst = source.strftime(fmt), target.strftime(fmt)
                column = pl.when(pl.col(name) == src).then(pl.lit(dst)).otherwise(column)
            out.append(column.alias(name))
        else:
            out.append(column)
    return frame.select(out)


def rechain(frame: pl.DataFrame, previous: pl.DataFrame | None) -> pl.DataFrame:
    """Change and change amount from the previous target session's close, per stock or index."""
    keys = [k for k in KEYS if k in frame.columns]
    if previous is None or not keys or "收盘" not in frame.columns or "涨跌幅" not in frame.columns:
        return frame
    key = keys[0]
    prev = previous.select(key, pl.col("收盘").alias("__prev"))
    joined = frame.join(prev, on=key, how="left")
    amount = "涨跌额" if "涨跌额" in frame.columns else "涨跌" if "涨跌" in frame.columns else None
    fixes = [
        pl.when(pl.col("__prev") > 0)
        .then(((pl.col("收盘") / pl.col("__prev") - 1) * 100).round(2))
        .otherwise(pl.col("涨跌幅"))
        .cast(frame.schema["涨跌幅"])
        .alias("涨跌幅")
    ]
    if amount:
        fixes.append(
            pl.when(pl.col("__prev") > 0)
            .then((pl.col("收盘") - pl.col("__prev")).round(2))
            .otherwise(pl.col(amount))
            .cast(frame.schema[amount])
            .alias(amount)
        )
    return joined.with_columns(fixes).select(frame.columns)


def build(sample: Path, target: Path, first: dt.date, last: dt.date, log=print) -> dict:
    """Write the zone under `target` (replaced if it exists). Returns {dataset: files written}."""
    from etl.datasets import datasets

    sessions = sessions_between(first, last)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    zone = LandingZone(sample)
    manifest = zone.manifest()
    rows: list[ManifestRow] = []
    written: dict[str, int] = {}
    walks = in_step({d.name: d.raw.name for d in datasets() if d.kind == "range"}, manifest)
    for dataset in datasets():
        held = [row for (function, _), row in sorted(manifest.items()) if function == dataset.name]
        if not held:
            continue
        if dataset.kind != "range":  # snapshots: the same files, hard-linked
            for row in held:
                (target / row.path).parent.mkdir(parents=True, exist_ok=True)
                os.link(sample / row.path, target / row.path)
                rows.append(row)
            written[dataset.name] = len(held)
            continue
        held = walks[dataset.name]
        order = ping_pong(len(held), len(sessions))
        previous = None
        (target / dataset.name).mkdir(parents=True, exist_ok=True)
        for day, index in zip(sessions, order, strict=True):
            row = held[index]
            source_day = dt.date.fromisoformat(row.partition[:10])
            frame = rechain(rewrite_dates(zone.read_row(row), source_day, day), previous)
            previous = frame
            path = f"{dataset.name}/{day.isoformat()}.parquet"
            frame.write_parquet(target / path, compression="zstd", compression_level=1, statistics=False)
            rows.append(
                replace(
                    row,
                    partition=day.isoformat(),
                    path=path,
                    arguments={**row.arguments, "partition": day.isoformat(), "cycled_from": row.partition},
                    rows=frame.height,
                    sha256=sha256_of(target / path),
                )
            )
        written[dataset.name] = len(sessions)
        log(f"  {dataset.name}: {len(sessions)} sessions from {len(held)} real ones")
    with (target / MANIFEST).open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(asdict(row), ensure_ascii=False, sort_keys=True) + "\n")
    return written


def fingerprint(sample: Path, first: dt.date, last: dt.date) -> str:
    """What a zone was built from: reuse it only when the sample, the span and this module are the same."""
    digest = hashlib.sha256()
    digest.update((sample / MANIFEST).read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update(f"{first}..{last}".encode())
    return digest.hexdigest()[:16]


def ensure(sample: Path, target: Path, first: dt.date, last: dt.date, log=print) -> bool:
    """Build the zone unless the one there was built from the same inputs. Returns True if it was built."""
    stamp = target / "_built_from"
    wanted = fingerprint(sample, first, last)
    if stamp.exists() and stamp.read_text() == wanted:
        return False
    build(sample, target, first, last, log)
    stamp.write_text(wanted)
    return True
