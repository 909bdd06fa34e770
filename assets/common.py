"""Shared pieces of the asset modules: partitions, pools, retries, proposals, metadata."""

import contextlib
import datetime as dt
import functools
import inspect

import dagster as dg
import polars as pl

from assets.partitions import trading_days
from etl.input_specs import InputSpecError
from etl.sources import LandedPartition, Source

RANGE = dict(partitions_def=trading_days, backfill_policy=dg.BackfillPolicy.single_run())


# Live ingest steps retry a failed step (akshare's sites time out, Eastmoney blocks under load): 1, 2, 4 min
# (±jitter) on top of the per-call retries in etl/sources/gateway.py. Bad data never retries (see `ingest`).
INGEST_RETRY = dg.RetryPolicy(max_retries=3, delay=60, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


def writer(layer: str) -> dict:
    """Every asset writes the one DuckDB file: all share the pool `duckdb_writer` (limit 1 in
    warehouse/dagster.yaml). Raw steps call akshare too and get the retry policy."""
    extra = {"retry_policy": INGEST_RETRY} if layer == "raw" else {}
    return dict(pool="duckdb_writer", group_name=layer, kinds={"duckdb", "polars"}, **extra)


def _no_retry(exc: Exception) -> dg.Failure:
    return dg.Failure(description=f"{type(exc).__name__}: {exc}", allow_retries=False)


def ingest(fn):
    """For raw steps: a retry cannot fix an input spec violation or schema drift, nor a replay of recorded
    files, so those fail at once (dg.Failure without retries); network errors in live mode are retried."""
    from etl.sources.base import SnapshotRefused
    from etl.sources.gateway import SchemaDriftError

    def deterministic(exc: Exception, kwargs: dict) -> bool:
        source = kwargs.get("market_source")
        return isinstance(exc, (InputSpecError, SchemaDriftError, SnapshotRefused)) or (
            source is not None and source.kind != "akshare"
        )

    @contextlib.contextmanager
    def failing_fast(kwargs: dict):
        try:
            yield
        except Exception as exc:
            if deterministic(exc, kwargs):
                raise _no_retry(exc) from exc
            raise

    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with failing_fast(kwargs):
                yield from fn(*args, **kwargs)
    else:

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with failing_fast(kwargs):
                return fn(*args, **kwargs)

    return wrapper


def key(layer: str, name: str) -> dg.AssetKey:
    return dg.AssetKey([layer, name])


def reads(*tables: str) -> list[dg.AssetKey]:
    """An asset's deps, declared as the tables its code reads ("staging.stock_bars_daily"): that gives the
    UI its lineage edge and lets the upstream blocking check gate the read. tests/test_lineage.py holds the
    declaration to the SQL both ways: a read not declared fails, and so does a declaration nothing reads."""
    out = []
    for table in tables:
        layer, _, name = table.partition(".")
        if layer not in ("raw", "staging", "marts") or not name:
            raise ValueError(f"reads({table!r}): expected raw.<table>, staging.<table> or marts.<table>")
        out.append(key(layer, name))
    return out


# Dependencies for order, not for a read, with the reason: tests/test_lineage.py accepts only these unread.
ORDER_ONLY: dict[dg.AssetKey, str] = {}


def after(*tables: str, reason: str) -> list[dg.AssetKey]:
    """Deps that order a step without a SQL read of theirs (e.g. a gate that must have judged first)."""
    keys = reads(*tables)
    ORDER_ONLY.update(dict.fromkeys(keys, reason))
    return keys


def spec(layer: str, name: str) -> dg.AssetSpec:
    """An output of a multi-asset, grouped and labelled like the single assets."""
    return dg.AssetSpec(key(layer, name), group_name=layer, kinds={"duckdb", "polars"})


def propose(
    wh,
    table: str,
    frame: pl.DataFrame,
    source: Source,
    landed: list[LandedPartition],
    scope_column: str | None = None,
    scope=None,
) -> int:
    """A raw step's rows wait as the candidate for `table` until its staging gate judges them
    (etl/proposals.py): nothing stored changes here."""
    from etl.proposals import propose as make

    return make(
        wh,
        table,
        frame,
        scope_column=scope_column,
        scope=scope,
        captures=[(source.landing.root, item.capture) for item in landed],
    )


def covered_days(context: dg.AssetExecutionContext, source: Source, table: str) -> tuple[list[dt.date], dict]:
    """The run's sessions that the source covers for the datasets landing in `table`, and metadata that says
    what it covers and how many sessions of the run it does not. A day before a dataset's first day (or after
    the last the recorded sample holds) is "not covered": nothing is fetched, proposed or judged for it."""
    from assets.partitions import partition_dates
    from etl.datasets import feeding
    from etl.sources.base import within

    days = partition_dates(context)
    datasets = feeding(table)
    spans = source.spans(datasets)  # read once: a recorded source reads its manifest per dataset
    covered = within(spans, days)
    return covered, {
        "source_covers": f"{min(s[0] for s in spans)} .. {max(s[1] for s in spans)}" if spans else "nothing",
        "sessions_covered": len(covered),
        "sessions_not_covered": len(days) - len(covered),
        **({"covered": f"{covered[0]} .. {covered[-1]}"} if covered else {}),
    }


def land_sessions(context: dg.AssetExecutionContext, wh, source: Source, table: str, **request) -> dict:
    """A range raw step: land the run's covered sessions of every dataset feeding `table` (the request's other
    fields in `request`), apply their input specs and propose the rows for those sessions. Returns the
    materialisation's metadata, coverage included."""
    from etl.datasets import feeding, load
    from etl.sources import Request

    days, coverage = covered_days(context, source, table)
    if not days:
        return {"rows": 0, **coverage}
    landed = source.land_each(feeding(table), Request(days=tuple(days), **request))
    frame = load(source, landed)
    propose(wh, table, frame, source, landed, "partition_date", days)
    return describe(frame, source, partitions=len(days), **coverage)


def describe(frame: pl.DataFrame, source: Source, **more) -> dict:
    return {"rows": frame.height, "source": source.name, "landing_zone": str(source.landing.root), **more}


class SnapshotConfig(dg.Config):
    """Snapshot assets: empty = today's capture (live) or every recorded snapshot (recorded). A past date is
    refused in live mode: akshare returns the current state only."""

    snapshot_date: str = ""

    def day(self) -> dt.date | None:
        return dt.date.fromisoformat(self.snapshot_date) if self.snapshot_date else None


def preview(frame: pl.DataFrame, n: int = 10) -> dg.MetadataValue:
    """The last rows of a frame as a Markdown table for the asset's metadata."""
    return dg.MetadataValue.md(frame.tail(n).to_pandas().to_markdown(index=False))
