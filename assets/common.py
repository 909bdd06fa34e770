"""Shared pieces of the asset modules: partitions, pools, retries, proposals, metadata."""

import contextlib
import datetime as dt
import functools
import inspect
import time
from collections.abc import Callable, Sequence

import dagster as dg
import polars as pl

from assets.partitions import trading_days
from etl import env
from etl.input_specs import InputSpecError
from etl.sources import LandedPartition, Source

RANGE = dict(partitions_def=trading_days, backfill_policy=dg.BackfillPolicy.single_run())

# A range run (a backfill is one run) works through its sessions a chunk at a time, each chunk written in its
# own transaction: memory follows the chunk, not the range, and a run that dies keeps the chunks it finished.
# About a month of sessions: ten years of the whole market is ~120 chunks of ~240,000 bar rows (both bases).
CHUNK_SESSIONS = env.integer("ASHARE_CHUNK_SESSIONS", 20, minimum=1)
# Tables of a few rows a session (indices: ~13, CCTV news: ~15) take this many times more sessions a chunk: a
# chunk's cost is then mostly fixed (a GX validation, a transaction), ~0.8 s, and 120 of them were 100 s.
NARROW = 50


def chunks(days: Sequence[dt.date], size: int | None = None) -> list[list[dt.date]]:
    """The days in order, in chunks of `size` (CHUNK_SESSIONS) sessions."""
    size = size or CHUNK_SESSIONS
    ordered = sorted(days)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def each_chunk(
    context,
    label: str,
    days: Sequence[dt.date],
    step: Callable[[list[dt.date]], dict],
    wh=None,
    narrow: bool = False,
) -> dict:
    """Run `step(chunk)` for every chunk of the days, oldest first; each call commits its own writes. Returns
    the chunks' metadata merged (counts summed, anything else from the last chunk), and logs each chunk.
    `wh`: the warehouse the steps use, kept open over the loop (Warehouse.session). `narrow`: a table of a
    few rows a session (NARROW times the sessions a chunk)."""
    merged: dict = {}
    parts = chunks(days, CHUNK_SESSIONS * (NARROW if narrow else 1))
    started = time.perf_counter()
    with wh.session() if wh is not None else contextlib.nullcontext():
        for i, chunk in enumerate(parts, 1):
            merged = _merge(merged, step(chunk))
            if len(parts) > 1:
                elapsed = time.perf_counter() - started
                context.log.info(
                    f"{label}: chunk {i}/{len(parts)} ({chunk[0]} .. {chunk[-1]}) committed, {elapsed:.0f} s, "
                    f"eta {elapsed / i * (len(parts) - i):.0f} s"
                )
    return {**merged, **({"chunks": len(parts)} if len(parts) > 1 else {})}


def _merge(merged: dict, metadata: dict) -> dict:
    out = dict(merged)
    for name, value in metadata.items():
        summable = isinstance(value, int) and not isinstance(value, bool)
        out[name] = out[name] + value if summable and name in out else value
    return out


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
    extend: bool = False,
) -> int:
    """A raw step's rows wait as the candidate for `table` until its staging gate judges them
    (etl/gate/proposals.py): nothing stored changes here. The proposal is this run's; one left by a run that has
    ended is abandoned to rejected.* first (a running one is a concurrent writer: left alone).
    `extend`: a later chunk of the same run."""
    from etl.gate import proposals

    context = dg.AssetExecutionContext.get()
    if not extend:
        for other, proposed_at in proposals.others(wh, table, context.run_id).items():
            why = ended(context.instance, other, proposed_at)
            if why is None:
                context.log.info(f"{table}: run {other} has a proposal pending too (a concurrent writer): left alone")
                continue
            moved = proposals.abandon(wh, table, other, why, context.run_id)
            context.log.warning(f"{table}: {why}, leaving a proposal: its {moved} rows moved to rejected.*")
    return proposals.propose(
        wh,
        table,
        frame,
        scope_column=scope_column,
        scope=scope,
        captures=[(source.landing.root, item.capture) for item in landed],
        run_id=context.run_id,
        extend=extend,
    )


# A proposal of a run this Dagster instance does not know (another deployment writing the same lake) is left
# alone while it could still be running: no run of ours lasts this long (ten years' backfill: ~16 min).
STALE_PROPOSAL = dt.timedelta(hours=24)


def ended(instance: dg.DagsterInstance, run_id: str, proposed_at: dt.datetime) -> str | None:
    """Why a pending proposal's run can no longer settle it, or None while it may (running, or unknown and
    recent)."""
    from etl.warehouse import LEGACY_RUN

    if run_id == LEGACY_RUN:
        return "a proposal made before proposals were kept per run"
    record = instance.get_run_record_by_id(run_id)
    if record is not None:
        run = record.dagster_run
        return f"run {run_id} ended ({run.status.value})" if run.is_finished else None
    age = dt.datetime.now(dt.UTC) - proposed_at
    if age > STALE_PROPOSAL:
        return f"run {run_id}, unknown to this Dagster instance, proposed {age} ago"
    return None


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


def land_sessions(
    context: dg.AssetExecutionContext, wh, source: Source, table: str, narrow: bool = False, **request
) -> dict:
    """A range raw step: land the run's covered sessions of every dataset feeding `table` (the request's other
    fields in `request`), apply their input specs and propose the rows for those sessions. Returns the
    materialisation's metadata, coverage included."""
    from etl.datasets import feeding, load
    from etl.sources import Request

    days, coverage = covered_days(context, source, table)
    if not days:
        return {"rows": 0, **coverage}
    first = min(days)

    def land(chunk: list[dt.date]) -> dict:
        landed = source.land_each(feeding(table), Request(days=tuple(chunk), **request))
        frame = load(source, landed)
        propose(wh, table, frame, source, landed, "partition_date", chunk, extend=chunk[0] != first)
        return describe(frame, source, partitions=len(chunk))

    return {**each_chunk(context, table, days, land, wh, narrow), **coverage}


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
