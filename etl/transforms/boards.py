"""Board lists and membership snapshots -> staging.boards, staging.board_membership (with history)."""

from __future__ import annotations

import polars as pl

from etl.quarantine import split
from etl.transforms.history import captures, intervals

A_SHARE = r"^(60[0135]|68[89]|00[0-4]|30[012]|920|43|8[378])\d+$"


def stage_boards(board_list: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per BK code: latest name, first and last list it appeared in. Names without a code are
    quarantined (no code is guessed)."""
    good, bad = split(board_list, {"board_code_unresolved": (pl.col("board_code").is_null(), pl.col("board_name"))})
    boards = (
        good.sort("snapshot_date")
        .group_by("board_code")
        .agg(
            board_type=pl.col("board_type").last(),
            board_name=pl.col("board_name").last(),
            first_seen_date=pl.col("snapshot_date").min(),
            last_seen_date=pl.col("snapshot_date").max(),
            source=pl.col("source").last(),
        )
        .sort("board_code")
    )
    return boards, bad


def stage_membership(snapshots: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Membership snapshots -> (validity intervals, captures per board, quarantined rows)."""
    rules = {
        "board_code_unresolved": (pl.col("board_code").is_null(), pl.col("request_symbol")),
        "not_an_a_share": (~pl.col("symbol").str.contains(A_SHARE), pl.col("symbol")),
    }
    good, bad = split(snapshots, rules)
    observed = good.select("board_code", "board_type", "symbol", "snapshot_date").unique()
    history = intervals(observed, keys=["symbol"], values=["board_type"], scope=["board_code"])
    taken = (
        observed.group_by("board_code", "snapshot_date")
        .agg(members=pl.len().cast(pl.Int32))
        .rename({"snapshot_date": "capture_date"})
        .sort("board_code", "capture_date")
    )
    assert captures(observed, ["board_code"]).height == taken.height
    return history.select("board_code", "symbol", "board_type", "valid_from", "valid_to"), taken, bad
