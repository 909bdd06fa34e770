"""What raw steps share: proposing landed rows as the run's candidate, the sessions a source covers, a range
raw step's chunked landing, and the captured raw step (a snapshot or a history fetched whole) as a factory."""

import datetime as dt
from collections.abc import Callable

import dagster as dg
import polars as pl

from assets.chunks import each_chunk
from assets.options import fails_fast, layer_options
from assets.resources import MarketSourceResource, WarehouseResource
from etl.sources import LandedPartition, Request, Source


def propose_landed(
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
    the last the recorded sample holds) is "not covered": nothing is fetched, proposed or judged for it. Every
    month partition's materialisation carries the run's table of sessions per month (`sessions_by_month`), so
    a month's page says which of its sessions the run covered."""
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
        "sessions_by_month": sessions_by_month(days, covered),
    }


def sessions_by_month(days: list[dt.date], covered: list[dt.date]) -> dg.MetadataValue:
    """A Markdown table: per month of the run, its sessions the run covered (first .. last) and those the
    source does not cover."""
    from assets.partitions import month_of

    wanted = set(covered)
    months: dict[str, tuple[list[dt.date], list[dt.date]]] = {}  # month -> (covered, not covered)
    for day in days:
        months.setdefault(month_of(day), ([], []))[day not in wanted].append(day)
    lines = ["| month | sessions covered | first .. last | not covered |", "|---|---:|---|---:|"]
    for month, (got, missing) in months.items():
        span = f"{got[0]} .. {got[-1]}" if got else ""
        lines.append(f"| {month} | {len(got)} | {span} | {len(missing)} |")
    return dg.MetadataValue.md("\n".join(lines))


def land_sessions(
    context: dg.AssetExecutionContext,
    wh,
    source: Source,
    table: str,
    narrow: bool = False,
    served_by: str | None = None,
    served_request: dict | None = None,
    **request,
) -> dict:
    """A range raw step: land the run's covered sessions of every dataset feeding `table` (the request's other
    fields in `request`), apply their input specs and propose the rows for those sessions. Returns the
    materialisation's metadata, coverage included.

    `served_by`: a raw table whose datasets give a session whole in a few requests (the day's market snapshot),
    landed and proposed first for the sessions its source covers; `table`'s datasets are asked only for the
    others (`served_request`: its request's other fields). Where it refuses (drifted columns, a stale page,
    blocked), `table`'s datasets fetch the session instead, and the metadata says why (`fallback`)."""
    from etl.datasets import feeding, load
    from etl.gate import unchanged
    from etl.sources import Request

    days, coverage = covered_days(context, source, table)
    first_days: set[dt.date] = set()
    if served_by is not None:
        covered_first, first_coverage = covered_days(context, source, served_by)
        first_days = set(covered_first)
        days = sorted(set(days) | first_days)
        coverage[f"source_covers_{served_by.split('.', 1)[1]}"] = first_coverage["source_covers"]
    if not days:
        return {"rows": 0, **coverage}
    wh.write(unchanged.forget(table))  # marks left by earlier runs
    run = {"proposed": False, "unchanged": 0, "served": [], "fallback": [], "first_proposed": False, "raw_edited": []}

    def serve_first(chunk: list[dt.date]) -> list[dt.date]:
        """The chunk's sessions `served_by` landed and proposed."""
        from etl.sources.base import SourceError
        from etl.sources.gateway import SchemaDriftError, SourceBlockedError

        wanted = [d for d in chunk if d in first_days]
        if not wanted:
            return []
        try:
            landed = source.land_each(feeding(served_by), Request(days=tuple(wanted), **(served_request or {})))
        except (SourceError, SchemaDriftError, SourceBlockedError) as exc:
            run["fallback"].append(f"{served_by} {wanted[0]}..{wanted[-1]}: {exc}")
            context.log.warning(f"{served_by} refused, {table}'s datasets fetch its sessions instead: {exc}")
            return []
        served = sorted({dt.date.fromisoformat(item.partition[:10]) for item in landed})
        if served:
            frame = load(source, landed)
            propose_landed(wh, served_by, frame, source, landed, "partition_date", served, extend=run["first_proposed"])
            run["first_proposed"] = True
            run["served"] += served
        return served

    asked = [d for d in feeding(table) if source.coverage(d) is not None]  # live: no qfq (derived instead)

    def land(chunk: list[dt.date]) -> dict:
        served = serve_first(chunk) if served_by is not None else []
        rest = [d for d in chunk if d not in served]
        landed = source.land_each(asked, Request(days=tuple(rest), **request)) if rest else []
        same, edited = unchanged.same_captures(wh, table, session_digests(landed, chunk))
        same = set(same)
        if edited:
            context.log.warning(
                f"{table}: raw rows of {', '.join(map(str, edited))} differ from what their gate settled (edited in "
                "place): proposed again from their landing captures and judged again"
            )
            run["raw_edited"] += [d.isoformat() for d in edited]
        unchanged.mark(wh, table, context.run_id, sorted(same))
        run["unchanged"] += len(same)
        todo = [d for d in rest if d not in same]
        if not todo:
            return describe(pl.DataFrame(), source, partitions=len(served))
        kept = [item for item in landed if dt.date.fromisoformat(item.partition[:10]) not in same]
        if not kept:  # the chunk's other sessions unchanged, these with no rows: nothing to propose; the gate
            # judges them from what raw holds (a session stored before stays, one never stored is empty)
            return describe(pl.DataFrame(), source, partitions=len(served), sessions_without_rows=len(todo))
        frame = load(source, kept)
        propose_landed(wh, table, frame, source, kept, "partition_date", todo, extend=run["proposed"])
        run["proposed"] = True
        return describe(frame, source, partitions=len(todo) + len(served))

    chunked = each_chunk(context, table, days, land, wh, narrow)
    served = {}
    if served_by is not None:
        served = {
            f"sessions_from_{served_by.split('.', 1)[1]}": len(run["served"]),
            **({"fallback": dg.MetadataValue.json(run["fallback"])} if run["fallback"] else {}),
        }
    edited = {"raw_edited_sessions": dg.MetadataValue.json(run["raw_edited"])} if run["raw_edited"] else {}
    return {**chunked, "sessions_unchanged": run["unchanged"], **edited, **served, **coverage}


def session_digests(landed: list[LandedPartition], days: list[dt.date]) -> dict[dt.date, str | None]:
    """Per session, the digest of the captures landed for it (None: nothing landed for it)."""
    from etl.gate.unchanged import digests

    found = digests((item.partition[:10], item.capture.function, item.capture.sha256) for item in landed)
    return {day: found.get(day.isoformat()) for day in days}


def describe(frame: pl.DataFrame, source: Source, **more) -> dict:
    """A raw step's metadata: rows, source, landing zone and, for a live source, the requests made per host
    since the step built its source, and the time the process's rate limiter held them back."""
    made = getattr(source, "requests_made", None)
    budget = made() if made is not None else {}
    requests = {"requests_by_host": dg.MetadataValue.json(budget)} if budget else {}
    return {"rows": frame.height, "source": source.name, "landing_zone": str(source.landing.root), **requests, **more}


class SnapshotConfig(dg.Config):
    """Snapshot assets: empty = today's capture (live) or every recorded snapshot (recorded). A past date is
    refused in live mode: akshare returns the current state only."""

    snapshot_date: str = ""

    def day(self) -> dt.date | None:
        return dt.date.fromisoformat(self.snapshot_date) if self.snapshot_date else None


def land_captures(wh, source: Source, table: str, request: Request, scope_column: str | None = None) -> pl.DataFrame:
    """A captured raw step: land what feeds `table` for the request, apply the input specs and propose the
    rows, scoped to the values of `scope_column` they hold (None: the whole table, proposed even when empty).
    Returns the frame."""
    from etl.datasets import feeding, load

    landed = source.land_each(feeding(table), request)
    frame = load(source, landed)
    if scope_column is None:
        propose_landed(wh, table, frame, source, landed)
    elif frame.height:
        propose_landed(wh, table, frame, source, landed, scope_column, sorted(set(frame[scope_column])))
    return frame


def captured_raw_asset(
    table: str,
    *,
    description: str,
    request: Callable[..., Request],
    scope_column: str | None,
    metadata: Callable[[pl.DataFrame, Source], dict] | None = None,
) -> dg.AssetsDefinition:
    """The raw step of a table captured whole at each run (a history re-fetched from its start, a list): the
    request is built when the step runs (`request(wh)`: it may look at what the warehouse holds), the rows
    are proposed by `land_captures`."""
    name = table.split(".", 1)[1]

    @dg.asset(key_prefix="raw", name=name, description=description, **layer_options("raw"))
    @fails_fast
    def raw_step(warehouse: WarehouseResource, market_source: MarketSourceResource) -> dg.MaterializeResult:
        source = market_source.get()
        wh = warehouse.get()
        frame = land_captures(wh, source, table, request(wh), scope_column)
        return dg.MaterializeResult(metadata=describe(frame, source, **(metadata(frame, source) if metadata else {})))

    return raw_step
