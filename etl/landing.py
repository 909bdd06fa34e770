"""The landing zone: every frame exactly as the source returned it, one Parquet file per function and
capture, plus a manifest row per file (function, arguments, fetched_at UTC, akshare version, rows, sha256).

Layout: <root>/<function>/<partition>.parquet and <root>/_manifest.jsonl. A file is never overwritten: a new
capture of a partition that already has one lands as <partition>.<UTC stamp>.parquet, and the newest capture
listed in the manifest is the one read. A capture that the quality gate rejects is moved to
<root>/_rejected/<function>/ with a manifest row saying so; the capture before it is current again.

Every read is checked against the manifest (sha256 and row count): a file altered, truncated or dropped in
without its manifest row fails with the file's path, never replays silently. The shipped sample uses the same
layout, so nothing downstream knows whether a file came from akshare or from the recording.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import stat
import tempfile
from dataclasses import MISSING, asdict, dataclass, fields
from pathlib import Path
from typing import Any

import polars as pl

MANIFEST = "_manifest.jsonl"
REJECTED = "_rejected"


class LandingError(RuntimeError):
    """A landing file or manifest line that cannot be trusted; the message names the file (and line)."""


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
    status: str = "landed"  # landed | rejected (moved under _rejected/ by the quality gate)
    note: str = ""


ROW_FIELDS = {f.name for f in fields(ManifestRow)}
# manifest path -> ((mtime_ns, size), parsed rows): a range run asks per chunk and per dataset, and the
# manifest only ever grows by appends, which change its size
_PARSED: dict[str, tuple[tuple, list]] = {}
_CURRENT: dict[str, tuple[tuple, dict]] = {}  # landing root -> (manifest and folder stamps, current captures)
REQUIRED_FIELDS = {f.name for f in fields(ManifestRow) if f.default is MISSING}
DEFAULTS = {f.name: f.default for f in fields(ManifestRow) if f.default is not MISSING}
# A capture is one akshare answer: the largest in a year of the whole market is ~0.2 MB as zstd Parquet. The
# bound only keeps a file swapped for something endless (a link to /dev/zero, a pipe) from hanging a run.
MAX_CAPTURE_BYTES = 256 * 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024 * 1024  # ten years of the whole market: ~12,000 lines, ~6 MB
# names that become path components: an akshare function, a partition (a date, a report period, a stamp)
FUNCTION_NAME = re.compile(r"[a-z][a-z0-9_]*")
PARTITION_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z_:+-]*")
STATUSES = ("landed", "rejected")
FIELD_TYPES = {
    "function": str,
    "partition": str,
    "path": str,
    "arguments": dict,
    "fetched_at": str,
    "akshare_version": str,
    "rows": int,
    "sha256": str,
    "source": str,
    "status": str,
    "note": str,
}


STAMPED_PARQUET = re.compile(r"(\.[0-9]{8}T[0-9]{12}Z)?\.parquet")  # what follows <folder>/<partition> in a path


def _row_problem(root: Path, data: dict, folders_inside: dict[str, bool] | None = None) -> str | None:
    """What is wrong with a parsed manifest line (types, names, a path that leaves the landing root), or None.
    `folders_inside`: whether each folder resolves inside the root, as found so far in one parse of the
    manifest (a ten-year zone has ~12,000 lines in a handful of folders)."""
    data = {**DEFAULTS, **data}  # a line may leave out the fields that have a default (status, note)
    for name, kind in FIELD_TYPES.items():
        value = data.get(name)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return f"{name} is {type(value).__name__} {value!r}, expected {kind.__name__}"
    if data["rows"] < 0:
        return f"rows is {data['rows']}, expected a count >= 0"
    if not re.fullmatch(r"[0-9a-f]{64}", data["sha256"]):
        return f"sha256 {data['sha256'][:70]!r} is not 64 hex digits"
    if not FUNCTION_NAME.fullmatch(data["function"]):
        return f"function {data['function'][:80]!r} is not an akshare function name ({FUNCTION_NAME.pattern})"
    if not PARTITION_NAME.fullmatch(data["partition"]):
        return f"partition {data['partition'][:80]!r} is not a partition name ({PARTITION_NAME.pattern})"
    if data["status"] not in STATUSES:
        return f"status {data['status']!r}, expected one of {STATUSES}"
    try:
        parse_fetched_at(data["fetched_at"])
    except ValueError:
        return f"fetched_at {data['fetched_at'][:40]!r} is not an ISO-8601 timestamp"
    folder = f"{REJECTED}/{data['function']}" if data["status"] == "rejected" else data["function"]
    stem, path = f"{folder}/{data['partition']}", data["path"]
    seen = folders_inside if folders_inside is not None else {}
    if folder not in seen:
        seen[folder] = _inside(root, root / folder)
    if not (path.startswith(stem) and STAMPED_PARQUET.fullmatch(path, len(stem))) or not seen[folder]:
        return f"path {data['path'][:120]!r} is not {folder}/{data['partition']}[.<stamp>].parquet inside {root}"
    return None


def _inside(root: Path, path: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def parse_fetched_at(value: str | None) -> dt.datetime | None:
    """A manifest's fetched_at as an aware UTC datetime (a naive one would be read as this machine's time)."""
    if value is None:
        return None
    stamp = dt.datetime.fromisoformat(value)
    if stamp.tzinfo is None:
        raise ValueError(f"fetched_at {value!r} has no UTC offset")
    return stamp.astimezone(dt.UTC)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def partition_of(file_name: str) -> str:
    """'2025-02-05.parquet' and '2025-02-05.20250205T073501123456Z.parquet' are both partition 2025-02-05."""
    return file_name.split(".", 1)[0]


class LandingZone:
    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def path_for(self, function: str, partition: str) -> Path:
        """Where a new capture of the partition goes: the plain name, or a stamped one if that is taken."""
        if not FUNCTION_NAME.fullmatch(function) or not PARTITION_NAME.fullmatch(partition):
            raise LandingError(
                f"{self.root}: refusing to land {function!r} partition {partition!r}: names must match "
                f"{FUNCTION_NAME.pattern} and {PARTITION_NAME.pattern} (they become the file's path)"
            )
        plain = self.root / function / f"{partition}.parquet"
        if not plain.exists():
            return plain
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        return self.root / function / f"{partition}.{stamp}.parquet"

    def partitions(self, function: str) -> list[str]:
        """Partitions of a function with a current (listed, present, not rejected) capture."""
        return sorted(p for f, p in self.manifest() if f == function)

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
        """Write a pandas or polars frame atomically and list it: the temp file's manifest row is appended
        before the rename, so every capture present under its name is listed (a reader meanwhile sees a listed
        row whose file is not there yet, which is not current; an unlisted file would be an error)."""
        target = self.path_for(function, partition)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        os.close(fd)
        try:
            if isinstance(frame, pl.DataFrame):
                frame.write_parquet(tmp, compression="zstd", compression_level=19)
            else:  # pandas, as akshare hands it over; pyarrow keeps date objects as date32
                frame.to_parquet(tmp, index=False, compression="zstd")
            fetched = (fetched_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
            row = ManifestRow(
                function=function,
                partition=partition,
                path=target.relative_to(self.root).as_posix(),
                arguments=arguments,
                fetched_at=fetched.isoformat(timespec="seconds"),
                akshare_version=akshare_version,
                rows=len(frame),
                sha256=sha256_of(Path(tmp)),
                source=source,
            )
            self._append(row)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        return row

    def _append(self, row: ManifestRow) -> None:
        with self.manifest_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(row), ensure_ascii=False, sort_keys=True) + "\n")

    def reject(self, row: ManifestRow, note: str) -> ManifestRow:
        """Move a capture aside (under _rejected/, same relative path) and say why in the manifest; the
        capture before it becomes current again."""
        source = self.root / row.path
        target = self.root / REJECTED / row.path
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        moved = ManifestRow(
            **{**asdict(row), "path": target.relative_to(self.root).as_posix(), "status": "rejected", "note": note}
        )
        self._append(moved)
        return moved

    def rows(self) -> list[tuple[int, ManifestRow]]:
        """Every manifest line, parsed, with its line number. A bad line fails naming file and line."""
        path = self.manifest_path
        if not path.exists() and not path.is_symlink():
            if any(self.root.glob("*/*.parquet")):
                raise LandingError(
                    f"{path}: manifest missing, but {self.root} holds landing files; without it "
                    "neither provenance nor checksums can be checked"
                )
            return []
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MANIFEST_BYTES:
            raise LandingError(f"{path}: not a regular file of at most {MAX_MANIFEST_BYTES} bytes")
        stamp = self._manifest_stamp()
        cached = _PARSED.get(str(path))
        if cached is not None and cached[0] == stamp:
            return cached[1]
        out, folders_inside = [], {}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LandingError(f"{path} line {number}: not JSON ({exc.msg})") from None
            if not isinstance(data, dict):
                raise LandingError(f"{path} line {number}: expected a JSON object")
            unknown, missing = set(data) - ROW_FIELDS, REQUIRED_FIELDS - set(data)
            problem = None if unknown or missing else _row_problem(self.root, data, folders_inside)
            if problem:
                raise LandingError(f"{path} line {number}: {problem}")
            if unknown or missing:
                raise LandingError(
                    f"{path} line {number}: "
                    + "; ".join(
                        [
                            *(["unknown keys " + str(sorted(unknown))] if unknown else []),
                            *(["missing keys " + str(sorted(missing))] if missing else []),
                        ]
                    )
                )
            out.append((number, ManifestRow(**data)))
        _PARSED[str(path)] = (stamp, out)
        return out

    def _manifest_stamp(self) -> tuple[int, int] | None:
        """(mtime, size) of the manifest: appends change its size, so a parse is reused only while it holds."""
        if not self.manifest_path.exists():
            return None
        stat = self.manifest_path.stat()
        return stat.st_mtime_ns, stat.st_size

    def manifest(self) -> dict[tuple[str, str], ManifestRow]:
        """The current capture per (function, partition): the latest landed row whose file is present.
        Cached while neither the manifest nor any function's folder changed (a file added, moved aside or
        deleted changes its folder's mtime): a ten-year zone has ~12,000 files to look for."""
        rows = self.rows()
        folders = sorted({row.path.rsplit("/", 1)[0] for _, row in rows})
        stamp = (
            self._manifest_stamp(),
            tuple((self.root / f).stat().st_mtime_ns if (self.root / f).exists() else None for f in folders),
        )
        cached = _CURRENT.get(str(self.root))
        if cached is not None and cached[0] == stamp:
            return dict(cached[1])
        latest: dict[tuple[str, str], ManifestRow] = {}
        for _, row in rows:
            if row.status == "landed" and (self.root / row.path).exists():
                latest[(row.function, row.partition)] = row
        listed = {row.path for _, row in rows}
        unlisted = sorted(
            p.relative_to(self.root).as_posix()
            for p in self.root.glob("*/*.parquet")
            if p.relative_to(self.root).as_posix() not in listed
        )
        if unlisted:
            raise LandingError(
                f"{self.root / unlisted[0]}: not listed in {self.manifest_path} ({len(unlisted)} such files): a "
                "capture dropped in by hand has no provenance or checksum; land it through a source, or move it out"
            )
        _CURRENT[str(self.root)] = (stamp, latest)
        return dict(latest)

    def read_row(self, row: ManifestRow) -> pl.DataFrame:
        """A capture's frame, checked against its manifest row (sha256, then row count)."""
        path = self.root / row.path
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            raise LandingError(f"{path}: listed in {self.manifest_path} but missing") from None
        if not stat.S_ISREG(info.st_mode):
            kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
            raise LandingError(f"{path}: {kind}; a capture is a regular file inside {self.root}")
        if info.st_size > MAX_CAPTURE_BYTES:
            raise LandingError(
                f"{path}: {info.st_size} bytes, over the {MAX_CAPTURE_BYTES} a capture may have (etl/landing.py)"
            )
        digest = sha256_of(path)
        if digest != row.sha256:
            raise LandingError(
                f"{path}: sha256 {digest[:12]}… differs from the manifest's {row.sha256[:12]}… "
                f"({self.manifest_path}); the file was changed after it was landed"
            )
        try:
            frame = pl.read_parquet(path)
        except Exception as exc:
            raise LandingError(f"{path}: cannot be read as Parquet ({type(exc).__name__}: {exc})") from exc
        if frame.height != row.rows:
            raise LandingError(f"{path}: {frame.height} rows, the manifest says {row.rows}")
        return frame

    def read(self, function: str, partition: str) -> pl.DataFrame:
        row = self.manifest().get((function, partition))
        if row is None:
            raise LandingError(
                f"landing zone {self.root} has no {function} capture for partition {partition} "
                f"listed in {self.manifest_path}"
            )
        return self.read_row(row)
