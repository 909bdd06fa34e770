"""What every asset's decorator shares: its layer's group, kinds and writer pool, the partitions of a range
table, the retry policy of a raw step and the wrapper that stops a raw step from retrying bad data."""

import contextlib
import functools
import inspect

import dagster as dg

from assets.partitions import trading_months
from etl.input_specs import InputSpecError

RANGE = dict(partitions_def=trading_months, backfill_policy=dg.BackfillPolicy.single_run())

# Live ingest steps retry a failed step (akshare's sites time out, Eastmoney blocks under load): 1, 2, 4 min
# (±jitter) on top of the per-call retries in etl/sources/gateway.py. Bad data never retries (see `ingest`).
INGEST_RETRY = dg.RetryPolicy(max_retries=3, delay=60, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


def layer_options(layer: str) -> dict:
    """The decorator options of an asset of `layer` (raw, staging, marts): its group, kinds and the pool
    `duckdb_writer` every writer shares (limit 1 in warehouse/dagster.yaml: one DuckDB file). Raw steps call
    akshare too and get the retry policy."""
    extra = {"retry_policy": INGEST_RETRY} if layer == "raw" else {}
    return dict(pool="duckdb_writer", group_name=layer, kinds={"duckdb", "polars"}, **extra)


def _no_retry(exc: Exception) -> dg.Failure:
    return dg.Failure(description=f"{type(exc).__name__}: {exc}", allow_retries=False)


def fails_fast(fn):
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
