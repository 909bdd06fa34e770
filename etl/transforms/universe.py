"""Stock universe: listing board from the code, ST flag from the name, the price-limit band from both."""

from __future__ import annotations

import polars as pl

from etl.market import classify, is_st, limit_pct


def stage_universe(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(one row per code, rows set aside). A code listed twice keeps its first row as akshare lists it; the
    repeats are set aside as `duplicate_code` (quarantining every copy would drop the stock from the universe,
    and so from every later fetch of bars)."""
    from etl.quarantine import split

    raw = raw.with_row_index("__order")
    raw, repeated = split(
        raw, {"duplicate_code": (pl.col("__order") != pl.col("__order").min().over("symbol"), pl.col("name"))}
    )
    raw, repeated = raw.drop("__order"), repeated.drop("__order")
    exchange, board, band = classify(pl.col("symbol"))
    out = raw.with_columns(exchange=exchange, listing_board=board, is_st=is_st(pl.col("name"))).with_columns(
        price_limit_pct=limit_pct(pl.col("listing_board"), band, pl.col("is_st")),
    )
    return out, repeated  # codes with no known prefix are quarantined by the suite (invalid_code)


def name_history(snapshots: pl.DataFrame) -> pl.DataFrame:
    """Universe snapshots -> one row per (symbol, name) run: ST flags and renames kept with dates."""
    from etl.transforms.history import intervals

    hist = intervals(snapshots.select("symbol", "name", "snapshot_date"), keys=["symbol"], values=["name"])
    return hist.with_columns(is_st=is_st(pl.col("name"))).select("symbol", "name", "is_st", "valid_from", "valid_to")


def price_limit_band(bars: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    """Each bar's daily price-limit band (percent) from the listing board and the ST flag in force that day.
    Before the first universe snapshot the earliest one is used (`name_as_of` shows which)."""
    _, board, band = classify(pl.col("symbol"))
    first = history.group_by("symbol").agg(pl.col("valid_from").min().alias("__first"))
    h = (
        history.join(first, on="symbol")
        .with_columns(
            __from=pl.when(pl.col("valid_from") == pl.col("__first"))
            .then(pl.date(1900, 1, 1))
            .otherwise(pl.col("valid_from"))
        )
        .sort("__from")
    )
    out = (
        bars.sort("trade_date")
        .join_asof(
            h.select("symbol", "is_st", "__from", pl.col("valid_from").alias("name_as_of")),
            left_on="trade_date",
            right_on="__from",
            by="symbol",
            strategy="backward",
            check_sortedness=False,
        )
        .drop("__from")
    )
    return out.with_columns(
        price_limit_pct=limit_pct(board, band, pl.col("is_st")),
        board_limit_pct=band,
    )
