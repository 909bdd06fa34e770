"""marts.board_daily (board indices rebuilt from member bars: the recorded sample has no board K-lines) and
marts.fund_flow_board_daily (main-force money by board, with the theme each board feeds)."""

import datetime as dt
from collections.abc import Sequence

import polars as pl

from etl.history import as_of

METHOD = "rebuilt_from_members"


def members_by_day(membership: pl.DataFrame, snapshots: pl.DataFrame, days: Sequence[dt.date]) -> pl.DataFrame:
    """trade_date, board_code, symbol, membership_as_of for every day (as of each day; look-ahead shown)."""
    taken = snapshots.select("board_code", "capture_date")
    frames = [
        as_of(membership, taken, day, ["board_code"]).select(
            pl.lit(day).alias("trade_date"), "board_code", "symbol", pl.col("as_of_date").alias("membership_as_of")
        )
        for day in days
    ]
    return (
        pl.concat(frames)
        if frames
        else pl.DataFrame(
            schema={"trade_date": pl.Date, "board_code": pl.String, "symbol": pl.String, "membership_as_of": pl.Date}
        )
    )


def traded_bars(bars: pl.DataFrame) -> pl.DataFrame:
    """Bars of stocks that traded, with their float cap, the weight of the cap-weighted return: 流通市值 where the
    day's snapshot gave it (`float_cap_cny`), else amount ÷ turnover rate (`cap_estimated` True)."""
    reported = pl.col("float_cap_cny") if "float_cap_cny" in bars.columns else pl.lit(None, pl.Float64)
    estimate = pl.when(pl.col("turnover_pct") > 0).then(pl.col("amount_cny") / (pl.col("turnover_pct") / 100))
    return bars.filter(pl.col("volume_shares") > 0).select(
        "trade_date",
        "symbol",
        "pct_change",
        "amount_cny",
        pl.lit(True).alias("traded"),
        float_cap_cny=pl.coalesce(reported, estimate),
        cap_estimated=reported.is_null() & estimate.is_not_null(),
    )


def basket_daily(members: pl.DataFrame, bars: pl.DataFrame, key: str) -> pl.DataFrame:
    """Per trade_date and `key` (a board, a theme): members, members_traded, members_weighted, equal- and
    float-cap-weighted mean percent change, advancers, decliners, amount, and the latest membership snapshot used.
    `members`: trade_date, key, symbol, membership_as_of; `bars`: staging stock bars, one price basis (qfq)."""
    # sorted input and ordered groups: float sums add up in the same order every run (re-runs are identical)
    joined = members.join(traded_bars(bars), on=["trade_date", "symbol"], how="left").sort("trade_date", key, "symbol")
    has_pct = pl.col("pct_change").is_not_null()
    weighted = has_pct & pl.col("float_cap_cny").is_not_null()
    daily = joined.group_by("trade_date", key, maintain_order=True).agg(
        members=pl.len().cast(pl.Int32),
        members_traded=pl.col("traded").fill_null(False).sum().cast(pl.Int32),
        ew_return_pct=pl.col("pct_change").filter(has_pct).mean(),
        cw_return_pct=(pl.col("pct_change") * pl.col("float_cap_cny")).filter(weighted).sum()
        / pl.col("float_cap_cny").filter(weighted).sum(),
        advancers=(pl.col("pct_change") > 0).sum().cast(pl.Int32),
        decliners=(pl.col("pct_change") < 0).sum().cast(pl.Int32),
        amount_cny=pl.col("amount_cny").sum(),
        membership_as_of=pl.col("membership_as_of").max(),
        # traded members with no float-cap weight (turnover 0.00 % or missing) are in ew, not in cw: counted
        members_weighted=weighted.sum().cast(pl.Int32),
        __estimated=(weighted & pl.col("cap_estimated")).sum(),
    )
    source = (
        pl.when(pl.col("members_weighted") == 0)
        .then(None)
        .when(pl.col("__estimated") == 0)
        .then(pl.lit("float_cap"))
        .when(pl.col("__estimated") == pl.col("members_weighted"))
        .then(pl.lit("amount_over_turnover"))
        .otherwise(pl.lit("mixed"))
    )
    return daily.with_columns(
        cw_return_pct=pl.when(pl.col("cw_return_pct").is_nan()).then(None).otherwise(pl.col("cw_return_pct")),
        cap_source=source,
    ).drop("__estimated")


def board_daily(
    members: pl.DataFrame, bars: pl.DataFrame, boards: pl.DataFrame, board_bars: pl.DataFrame | None = None
) -> pl.DataFrame:
    """`board_bars`: published board K-lines (live only): kept beside the rebuilt returns with the gap."""
    daily = basket_daily(members, bars, "board_code")
    out = daily.join(boards.select("board_code", "board_name", "board_type"), on="board_code", how="inner")
    published = (
        board_bars
        if board_bars is not None and board_bars.height
        else pl.DataFrame(schema={"trade_date": pl.Date, "board_code": pl.String, "pct_change": pl.Float64})
    )
    out = out.join(
        published.select("trade_date", "board_code", pl.col("pct_change").alias("published_return_pct")),
        on=["trade_date", "board_code"],
        how="left",
    )
    out = out.with_columns(
        rank_in_type=pl.col("ew_return_pct")
        .rank("min", descending=True)
        .over("trade_date", "board_type")
        .cast(pl.Int32),
        method=pl.lit(METHOD),
        published_gap_pct=pl.col("cw_return_pct") - pl.col("published_return_pct"),
    )
    return out.select(
        "trade_date",
        "board_code",
        "board_name",
        "board_type",
        "members",
        "members_traded",
        "ew_return_pct",
        "cw_return_pct",
        "advancers",
        "decliners",
        "amount_cny",
        "rank_in_type",
        "method",
        "membership_as_of",
        "published_return_pct",
        "published_gap_pct",
        "members_weighted",
        "cap_source",
    ).sort("trade_date", "board_type", "rank_in_type", "board_code")


def board_themes(codes_by_theme: dict[str, Sequence[str]]) -> pl.DataFrame:
    """board_code -> theme names joined by ', ' (a board can serve several themes)."""
    rows = [(code, theme) for theme, codes in codes_by_theme.items() for code in codes]
    frame = pl.DataFrame(rows, orient="row", schema={"board_code": pl.String, "theme": pl.String})
    return frame.unique().sort("theme").group_by("board_code").agg(pl.col("theme").str.join(", "))


def fund_flow_board_daily(ranks: pl.DataFrame, themes_of_boards: pl.DataFrame) -> pl.DataFrame:
    """`ranks`: staging.sector_fund_flow_rank. The same-day ('今日') window, the day's latest capture per board.
    Regions without a BK code (live ranks name them only) are not boards of this mart."""
    ranks = ranks.filter(pl.col("board_code").is_not_null())
    latest = (
        ranks.filter(pl.col("indicator") == "今日")
        .sort("fetched_at", nulls_last=False)
        .unique(["snapshot_date", "board_code"], keep="last")
    )
    return (
        latest.join(themes_of_boards, on="board_code", how="left")
        .select(
            "snapshot_date",
            "session_date",
            "board_code",
            "board_name",
            "sector_type",
            "theme",
            pl.col("pct_change").alias("change_pct"),
            "main_net_inflow_cny",
            "super_large_net_inflow_cny",
            "large_net_inflow_cny",
            "medium_net_inflow_cny",
            "small_net_inflow_cny",
            pl.col("main_net_inflow_pct").alias("main_net_inflow_ratio_pct"),
        )
        .sort("snapshot_date", "sector_type", "board_code")
    )
