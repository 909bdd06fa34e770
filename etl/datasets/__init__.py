"""The dataset registry: one record per landed akshare dataset, gathered from every domain's datasets.py.

Each domain (domains/<d>/datasets.py) defines its input specs, the raw tables they land in, the live fetch
code and the recorded/sample rules, side by side; see record.py for the fields and docs/adding-a-dataset.md
for a worked example. Everything else reads the registry: the recorded source, the live source's dispatch,
the raw DDL, the sample builder, the raw loaders.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from etl import plugins
from etl.datasets.record import PARTITION_COLUMNS, Dataset, LandedPartition, RawTable, Replay, Request, Sample
from etl.landing import LandingZone

if TYPE_CHECKING:
    import polars as pl

    from etl.input_specs import InputSpec


class Landed(Protocol):
    """What `load` needs of a source (etl/sources/base.py Source): its landing zone and how it reads a file."""

    landing: LandingZone

    def read(self, landed: LandedPartition) -> pl.DataFrame: ...


__all__ = [
    "Dataset",
    "LandedPartition",
    "RawTable",
    "Replay",
    "Request",
    "Sample",
    "dataset",
    "datasets",
    "feeding",
    "load",
    "raw_tables",
]


@lru_cache(maxsize=1)
def datasets() -> tuple[Dataset, ...]:
    """Every dataset of every domain module, in module order then definition order."""
    found: dict[str, Dataset] = {}
    for module in plugins.modules("datasets"):
        for value in vars(module).values():
            if isinstance(value, Dataset):
                if value.name in found and found[value.name] is not value:
                    raise ValueError(f"{plugins.where(module)}: dataset {value.name!r} is registered twice")
                found[value.name] = value
    return tuple(found.values())


def dataset(name: str) -> Dataset:
    for item in datasets():
        if item.name == name:
            return item
    raise KeyError(f"no dataset {name!r} in the registry (domains/*/datasets.py): known {[d.name for d in datasets()]}")


def feeding(table: str) -> tuple[Dataset, ...]:
    """The datasets that land in one raw table, e.g. feeding('raw.stock_bars_daily') = qfq and unadjusted."""
    found = tuple(d for d in datasets() if d.raw.name == table)
    if not found:
        raise KeyError(f"no dataset lands in {table!r} (domains/*/datasets.py)")
    return found


def raw_tables() -> list[tuple[RawTable, InputSpec]]:
    """Each raw table once, with the input spec of the datasets landing in it (which must agree)."""
    tables: dict[str, tuple[RawTable, InputSpec, str]] = {}
    for item in datasets():
        layout = [(c.name, c.dtype, c.nullable) for c in item.spec.columns]
        if item.raw.name in tables:
            table, spec, first = tables[item.raw.name]
            if table != item.raw or layout != [(c.name, c.dtype, c.nullable) for c in spec.columns]:
                raise ValueError(f"{item.name} and {first} land in {item.raw.name} with different columns or grain")
        else:
            tables[item.raw.name] = (item.raw, item.spec, item.name)
    return [(table, spec) for table, spec, _ in tables.values()]


def input_spec_for(function: str) -> InputSpec:
    for item in datasets():
        if item.function == function:
            return item.spec
    raise KeyError(f"no input spec for akshare function {function!r} (domains/*/datasets.py)")


def load(source: Landed, landed: Iterable[LandedPartition], **extra) -> pl.DataFrame:
    """Landing files -> one frame in its raw table's layout: the input spec applied, the dataset's labels,
    the partition date where the raw table has one the spec lacks, provenance, and `extra` (constants or
    callables of the landed partition).

    Consecutive files of one dataset with the same columns and types (a dataset's sessions, as a rule) get
    the input spec once, together: applied per file it cost ~7 ms a file in polars calls, 6.8 s for the
    969 CSI histories of the sample. A batch that fails it is applied file by file again, so that the error
    names the file."""
    import polars as pl

    frames, batch, key = [], [], None
    for item in landed:
        frame = source.read(item)
        shape = (item.dataset, tuple(frame.schema.items()))
        if batch and shape != key:
            frames.append(_load_batch(source, batch, extra))
            batch = []
        batch.append((item, frame))
        key = shape
    if batch:
        frames.append(_load_batch(source, batch, extra))
    if not frames:
        return pl.DataFrame()
    return pl.concat(frames, how="diagonal_relaxed")


def _load_batch(source: Landed, batch: list, extra: dict):
    """Files of one dataset sharing a schema: the input spec applied to all of them at once, each file's own
    columns (partition date, labels, provenance, `extra`) beside its rows."""
    import polars as pl

    from etl.input_specs import InputSpecError, apply_input_spec

    ds = dataset(batch[0][0].dataset)
    own = [
        pl.DataFrame(
            [pl.repeat(v, frame.height, eager=True).alias(k) for k, v in _own_columns(ds, item, extra).items()]
        )
        for item, frame in batch
    ]
    if len(batch) > 1:
        try:
            typed = apply_input_spec(pl.concat([frame for _, frame in batch], how="vertical"), ds.spec)
            return pl.concat([typed, pl.concat(own, how="diagonal_relaxed")], how="horizontal")
        except InputSpecError:
            pass  # again file by file below, for the error naming the file
    frames = []
    for (item, frame), columns in zip(batch, own, strict=True):
        try:
            frames.append(pl.concat([apply_input_spec(frame, ds.spec), columns], how="horizontal"))
        except InputSpecError as exc:  # the same error, naming the file it came from
            path = source.landing.root / item.capture.path
            detail = f"{exc.detail}; in {path}" if exc.detail else f"in {path}"
            raise InputSpecError(exc.function, exc.problem, exc.columns, detail) from exc
    return pl.concat(frames, how="diagonal_relaxed")


def _own_columns(ds: Dataset, item: LandedPartition, extra: dict) -> dict:
    """The columns a landed file adds to its rows: the partition date (where the raw table has one the spec
    lacks), the dataset's labels, `extra`, then provenance."""
    import datetime as dt

    spec_columns = {c.name for c in ds.spec.columns}
    day = dt.date.fromisoformat(item.partition[:10])
    columns = {c: day for c in PARTITION_COLUMNS if c in ds.raw.extra and c not in spec_columns}
    columns |= dict(ds.labels)
    columns |= {k: (v(item) if callable(v) else v) for k, v in extra.items()}
    return columns | {"source": item.source, "source_function": item.function, "fetched_at": item.fetched_at}


def load_each(source: Landed, landed: Iterable[LandedPartition], **extra):
    """`load`, one capture at a time: (the frame of the captures that meet their input spec, [(capture, error)]
    of those that do not). For a table rebuilt from every capture (a feed polled for ever), where one bad poll
    must not stop every later run."""
    import polars as pl

    from etl.input_specs import InputSpecError

    frames, refused = [], []
    for item in landed:
        try:
            frames.append(load(source, [item], **extra))
        except InputSpecError as exc:
            refused.append((item, exc))
    frames = [f for f in frames if f.width]
    return (pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()), refused
