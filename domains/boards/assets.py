"""Concept and industry boards: lists, membership history (snapshots -> intervals), board bars (live)."""

import datetime as dt

import dagster as dg
import polars as pl

from assets.chunks import each_chunk
from assets.gate import gated, gx_check, not_covered, stage_checked, stage_sessions, with_side_tables
from assets.lineage import key, reads, spec
from assets.options import RANGE, fails_fast, layer_options
from assets.raw import SnapshotConfig, covered_days, describe, land_captures, propose_landed
from assets.resources import MarketSourceResource, WarehouseResource
from domains.boards import suites
from domains.boards.datasets import BOARD_TYPES
from domains.boards.transforms import (
    board_list_rows,
    boards_from_lists,
    membership_history,
    membership_observations,
    with_reference_checks,
)
from etl.config.tracking import tracking
from etl.datasets import feeding, load
from etl.gate.engine import Candidate, Stored
from etl.gate.proposals import relation
from etl.gate.references import PROVENANCE
from etl.market import sessions_spanning, shanghai_today
from etl.sources.base import Board, Request
from etl.warehouse import Replace


def tracked_boards(wh) -> tuple[list[Board], list[str]]:
    """The boards named in tracking.yaml, resolved to BK codes through the latest board lists."""
    known = wh.query("SELECT board_code, board_name, board_type FROM staging.boards")
    found, missing = [], []
    for board_type in BOARD_TYPES:
        for name in tracking().boards(board_type):
            hit = known.filter((pl.col("board_name") == name) & (pl.col("board_type") == board_type))
            if hit.height:
                found.append(Board(hit["board_code"][0], name, board_type))
            else:
                missing.append(f"{board_type}:{name}")
    return found, missing


@dg.asset(key_prefix="raw", name="board_list", **layer_options("raw"))
@fails_fast
def raw_board_list(
    config: SnapshotConfig, warehouse: WarehouseResource, market_source: MarketSourceResource
) -> dg.MaterializeResult:
    """Concept and industry board lists (stock_board_*_name_em), one snapshot per capture."""
    source = market_source.get()
    frame = land_captures(warehouse.get(), source, "raw.board_list", Request(snapshot=config.day()), "snapshot_date")
    dates = sorted(set(frame["snapshot_date"]))
    return dg.MaterializeResult(metadata=describe(frame, source, snapshots=[d.isoformat() for d in dates]))


@dg.asset(
    key_prefix="staging",
    name="boards",
    deps=reads("raw.board_list"),
    check_specs=[gx_check(suites.BOARDS)],
    **layer_options("staging"),
)
@gated
def staging_boards(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per Eastmoney BK code: type, latest name, first and last list it appeared in."""
    wh = warehouse.get()
    raw = wh.query(f"SELECT * FROM {relation(wh, 'raw.board_list', context.run_id)}")
    rows, bad = board_list_rows(raw)
    return stage_checked(
        context,
        wh,
        Candidate(
            suites.BOARDS,
            rows,
            key_columns=["board_type", "board_name", "snapshot_date"],
            raw_rows=raw.height,
            owns=["raw.board_list"],
            set_aside=bad,
        ),
        store=lambda good: Stored(boards_from_lists(good)),
    )


@dg.asset(key_prefix="raw", name="board_membership_snapshot", deps=reads("staging.boards"), **layer_options("raw"))
@fails_fast
def raw_board_membership_snapshot(
    config: SnapshotConfig, warehouse: WarehouseResource, market_source: MarketSourceResource
) -> dg.MaterializeResult:
    """Board members (stock_board_*_cons_em, called with BK codes) as captured: today only in live mode."""
    source = market_source.get()
    wh = warehouse.get()
    boards, missing = tracked_boards(wh) if source.name == "akshare" else ([], [])
    later: list[str] = []
    if source.name == "akshare":
        boards, later = due_boards(wh, boards, shanghai_today())
        if not boards:
            return dg.MaterializeResult(
                metadata=describe(pl.DataFrame(), source, refreshed=[], not_due=later, tracked_boards_not_found=missing)
            )
    landed = source.land_each(
        feeding("raw.board_membership_snapshot"), Request(snapshot=config.day(), boards=tuple(boards))
    )
    if not landed:
        raise dg.Failure(
            f"no membership snapshot to load from the {source.name} source for {config.snapshot_date or 'any date'}"
        )
    frame = load(source, landed)
    dates = sorted(set(frame["snapshot_date"]))
    propose_landed(wh, "raw.board_membership_snapshot", frame, source, landed, "snapshot_date", dates)
    return dg.MaterializeResult(
        metadata=describe(
            frame,
            source,
            snapshots=[d.isoformat() for d in dates],
            refreshed=[b.code for b in boards] if source.name == "akshare" else "every recorded board",
            not_due=later,
            tracked_boards_not_found=missing,
        )
    )


REFRESH_DAYS = 7  # a board's membership is refreshed once a week (members change by announcement, rarely)


def due_boards(wh, boards: list[Board], today: dt.date) -> tuple[list[Board], list[str]]:
    """(the boards whose membership is due today, the codes of the others). Due: never captured; or its weekday
    (a fixed weekday per board, from its code, so that each session refreshes about a fifth of the boards, not
    all of them on one day); or its last capture REFRESH_DAYS or more ago (a missed weekday)."""
    import zlib

    last = dict(
        wh.query(
            "SELECT board_code, max(snapshot_date) AS last FROM raw.board_membership_snapshot "
            "WHERE board_code IN (SELECT UNNEST($codes)) GROUP BY 1",
            {"codes": [b.code for b in boards]},
        ).iter_rows()
    )
    due, later = [], []
    for board in boards:
        seen = last.get(board.code)
        weekday = zlib.crc32(board.code.encode()) % 5  # Monday..Friday
        if seen is None or (seen < today and today.weekday() == weekday) or (today - seen).days >= REFRESH_DAYS:
            due.append(board)
        else:
            later.append(board.code)
    return due, later


@dg.multi_asset(
    specs=[
        spec("staging", "board_membership").replace_attributes(
            # bars first: a member is a known stock if it is listed or has bars (delisted since), in every run
            deps=reads(
                "raw.board_membership_snapshot", "staging.boards", "staging.stock_universe", "staging.stock_bars_daily"
            )
        ),
        spec("staging", "board_snapshots").replace_attributes(
            deps=reads("raw.board_membership_snapshot"),
            skippable=True,
            description="When each board was captured, with its member count (written with board_membership).",
        ),
    ],
    check_specs=[gx_check(suites.MEMBERSHIP)],
    pool="duckdb_writer",
)
@gated
def staging_board_membership(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> list:
    """Membership as validity intervals (board_code, symbol, valid_from, valid_to) built from every snapshot;
    staging.board_snapshots lists each board's capture dates. Query members as of a day with
    `SELECT * FROM staging.board_members_as_of(DATE '2025-02-05')`."""
    wh = warehouse.get()
    raw = wh.query(f"SELECT * FROM {relation(wh, 'raw.board_membership_snapshot', context.run_id)}")
    observed, bad = membership_observations(raw)
    known = wh.query(
        "SELECT symbol FROM staging.stock_universe UNION SELECT DISTINCT symbol FROM staging.stock_bars_daily"
    )
    boards = wh.query("SELECT board_code FROM staging.boards")

    snapshots = {}

    def store(good: pl.DataFrame) -> Stored:
        history, taken = membership_history(good)
        snapshots["board_snapshots"] = taken.height
        return Stored(history, [Replace("staging.board_snapshots", taken)])

    observed = with_reference_checks(observed, known["symbol"], boards["board_code"])
    result = stage_checked(
        context,
        wh,
        Candidate(
            suites.MEMBERSHIP,
            observed,
            key_columns=["board_code", "symbol", "snapshot_date"],
            raw_rows=raw.height,
            owns=["raw.board_membership_snapshot"],
            set_aside=bad,
            partition_column="snapshot_date",
        ),
        store=store,
    )
    return with_side_tables(result, key("staging", "board_membership"), snapshots)


@dg.asset(key_prefix="raw", name="board_bars_daily", deps=reads("staging.boards"), **RANGE, **layer_options("raw"))
@fails_fast
def raw_board_bars_daily(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, market_source: MarketSourceResource
) -> dg.MaterializeResult:
    """Board index K-lines (stock_board_*_hist_em) for the tracked boards. Live only: the recorded sample
    has none, and the marts rebuild board indices from member bars."""
    source = market_source.get()
    days, coverage = covered_days(context, source, "raw.board_bars_daily")
    wh = warehouse.get()
    boards, missing = tracked_boards(wh) if source.name == "akshare" and days else ([], [])
    if not days:
        note = f"the {source.name} source has no board bars; nothing written"
        return dg.MaterializeResult(metadata={"rows": 0, "note": note, **coverage})
    proposed: list[dt.date] = []

    def land(chunk: list[dt.date]) -> dict:
        landed = source.land_each(feeding("raw.board_bars_daily"), Request(days=tuple(chunk), boards=tuple(boards)))
        frame = load(source, landed)
        if frame.height:
            propose_landed(
                wh, "raw.board_bars_daily", frame, source, landed, "partition_date", chunk, extend=bool(proposed)
            )
            proposed.extend(chunk)
        return describe(frame, source, partitions=len(chunk), landed_files=len(landed))

    metadata = each_chunk(context, "raw.board_bars_daily", days, land, wh)
    note = "" if metadata["landed_files"] else f"the {source.name} source has no board bars; nothing written"
    return dg.MaterializeResult(metadata={**metadata, "note": note, "tracked_boards_not_found": missing, **coverage})


@dg.asset(
    key_prefix="staging",
    name="board_bars_daily",
    deps=reads("raw.board_bars_daily"),
    check_specs=[gx_check(suites.BOARD_BARS)],
    **RANGE,
    **layer_options("staging"),
)
@gated
def staging_board_bars_daily(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, market_source: MarketSourceResource
) -> dg.MaterializeResult:
    """One row per board and trading day, where the source publishes board K-lines. Sessions the source does
    not cover are not judged."""
    days, coverage = covered_days(context, market_source.get(), "raw.board_bars_daily")
    if not days:
        return not_covered("staging.board_bars_daily", coverage)
    wh = warehouse.get()

    def build(days: list[dt.date]) -> Candidate:
        raw = wh.read_partitions(relation(wh, "raw.board_bars_daily", context.run_id), days, "partition_date")
        candidate = raw.select(
            "trade_date",
            "board_code",
            "board_type",
            "open",
            "high",
            "low",
            "close",
            "pct_change",
            "volume_shares",
            "amount_cny",
            "turnover_pct",
            *PROVENANCE,
            "partition_date",
        )
        return Candidate(
            suites.BOARD_BARS,
            candidate,
            key_columns=["trade_date", "board_code"],
            raw_rows=raw.height,
            owns=["raw.board_bars_daily"],
            days=days,
            partition_column="partition_date",
            facts={"sessions": sessions_spanning(candidate["trade_date"])},
        )

    return stage_sessions(context, wh, "staging.board_bars_daily", days, build, metadata=coverage)
