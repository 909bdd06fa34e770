"""The landing zone: every frame exactly as the source returned it, one Parquet file per function and
partition, plus a manifest row per file (function, arguments, fetched_at UTC, akshare version, rows, sha256).

Layout: <root>/<function>/<partition>.parquet and <root>/_manifest.jsonl. The shipped sample uses the same
layout, so nothing downstream knows whether a file came from akshare or from the recording.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import polars as pl

MANIFEST = "_manifest.jsonl"


@dataclass(frozen=True)
class ManifestRow:
    function: str
    partition: str
    path: str  # relative to the landing root
    arguments: dict[str, Any]
    fetched_at: str  # ISO-8601 UTC
    akshare_version: str
    rows: int
    sha256: str
    source: str


def parse_fetched_at(value: str | None) -> dt.datetime | None:
    """A manifest's fetched_at as an aware UTC datetime."""
    return None if value is None else dt.datetime.fromisoformat(value).astimezone(dt.timezone.utc)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class LandingZone:
    def __init__(self, root: Path):
        self.root = Path(root)

    def path_for(self, function: str, partition: str) -> Path:
        return self.root / function / f"{partition}.parquet"

    def has(self, function: str, partition: str) -> bool:
        return self.path_for(function, partition).exists()

    def partitions(self, function: str) -> list[str]:
        folder = self.root / function
        return sorted(p.stem for p in folder.glob("*.parquet")) if folder.exists() else []

    def write(
        self,
        frame: Any,
        *,
        function: str,
        partition: str,
        arguments: dict[str, Any],
        source: str,
        akshare_version: str,
        fetched_at: dt.datetime | None = None,
    ) -> ManifestRow:
        """Write a pandas or polars frame atomically (temp file + rename) and append its manifest row."""
        target = self.path_for(function, partition)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        os.close(fd)
        try:
            if isinstance(frame, pl.DataFrame):
                frame.write_parquet(tmp, compression="zstd", compression_level=19)
            else:  # pandas, as akshare hands it over; pyarrow keeps date objects as date32
                frame.to_parquet(tmp, index=False, compression="zstd")
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        fetched = (fetched_at or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
        row = ManifestRow(
            function=function,
            partition=partition,
            path=str(target.relative_to(self.root)),
            arguments=arguments,
            fetched_at=fetched.isoformat(timespec="seconds"),
            akshare_version=akshare_version,
            rows=len(frame),
            sha256=sha256_of(target),
            source=source,
        )
        with (self.root / MANIFEST).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(row), ensure_ascii=False, sort_keys=True) + "\n")
        return row

    def read(self, function: str, partition: str) -> pl.DataFrame:
        path = self.path_for(function, partition)
        if not path.exists():
            raise FileNotFoundError(
                f"landing zone {self.root} has no {function} file for partition {partition} ({path})"
            )
        return pl.read_parquet(path)

    def manifest(self) -> dict[tuple[str, str], ManifestRow]:
        """The latest manifest row per (function, partition)."""
        path = self.root / MANIFEST
        latest: dict[tuple[str, str], ManifestRow] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = ManifestRow(**json.loads(line))
                    latest[(row.function, row.partition)] = row
        return latest
