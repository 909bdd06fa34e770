"""Board lists and membership snapshots -> staging.boards, staging.board_membership (with history).

Each comes in two steps: rows that can be keyed (the rest are set aside with a rule), then the table built
from the rows that also pass the suite."""

from __future__ import annotations

import polars as pl

from etl.gate.quarantine import split
from etl.history import intervals
from etl.market import A_SHARE_CODE


def board_list_rows(board_list: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Names without a BK code are set aside: no code is guessed."""
    return split(board_list, {"board_code_unresolved": (pl.col("board_code").is_null(), pl.col("board_name"))})


def boards_from_lists(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per BK code: type, latest name, first and last list it appeared in."""
    return (
        rows.sort("snapshot_date")
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


def membership_observations(snapshots: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Snapshot rows that name a board by BK code and an A-share; the rest set aside with the rule."""
    rules = {
        "board_code_unresolved": (pl.col("board_code").is_null(), pl.col("request_symbol")),
        "not_an_a_share": (~pl.col("symbol").str.contains(A_SHARE_CODE), pl.col("symbol")),
    }
    return split(snapshots, rules)


def membership_history(observed: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Observations -> (validity intervals, captures per board with member counts)."""
    obs = observed.select("board_code", "board_type", "symbol", "snapshot_date").unique()
    history = intervals(obs, keys=["symbol"], values=["board_type"], scope=["board_code"])
    taken = (
        obs.group_by("board_code", "snapshot_date")
        .agg(members=pl.len().cast(pl.Int32))
        .rename({"snapshot_date": "capture_date"})
        .sort("board_code", "capture_date")
    )
    return history.select("board_code", "symbol", "board_type", "valid_from", "valid_to"), taken


def with_reference_checks(observed: pl.DataFrame, known_symbols: pl.Series, known_boards: pl.Series) -> pl.DataFrame:
    """check_* flags for the suite: does the row reference a known stock (listed now or with bars in the
    warehouse, so stocks delisted since stay known) and a known board."""
    return observed.with_columns(
        check_known_stock=pl.col("symbol").is_in(known_symbols.implode()),
        check_known_board=pl.col("board_code").is_in(known_boards.implode()),
    )
