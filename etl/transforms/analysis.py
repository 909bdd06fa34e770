"""Marts around the rotation: event windows with abnormal returns, money flow by board, news attention by
theme, and the US -> A-share transmission."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from etl.themes import ConfigError, EventsConfig
from etl.transforms.themes import theme_returns_wide

SERIES_SCHEMA = {"subject_type": pl.String, "subject": pl.String, "trade_date": pl.Date, "return_pct": pl.Float64}


def event_offsets(config: EventsConfig, sessions: Sequence[dt.date]) -> pl.DataFrame:
    """event_id, event_date, day_offset, trade_date over the SSE calendar; an event on a closed day is an error."""
    sessions = list(sessions)
    rows = []
    for event in config.events:
        if event.date not in sessions:
            raise ConfigError(f"events.yaml: event {event.id} is dated {event.date}, not an SSE trading day")
        at = sessions.index(event.date)
        for offset in range(-config.window.before, config.window.after + 1):
            if 0 <= at + offset < len(sessions):
                rows.append((event.id, event.date, offset, sessions[at + offset]))
    return pl.DataFrame(
        rows,
        orient="row",
        schema={"event_id": pl.String, "event_date": pl.Date, "day_offset": pl.Int32, "trade_date": pl.Date},
    )


def event_window(offsets: pl.DataFrame, series: pl.DataFrame, benchmark: pl.DataFrame) -> pl.DataFrame:
    """`series`: subject_type, subject, trade_date, return_pct; `benchmark`: trade_date, return_pct.
    abnormal = return - benchmark; car_pct sums the abnormal returns from the window's first day to this one
    (a day without data adds nothing and shows null)."""
    subjects = series.select("subject_type", "subject").unique()
    grid = offsets.join(subjects, how="cross")
    out = (
        grid.join(series, on=["subject_type", "subject", "trade_date"], how="left")
        .join(
            benchmark.select("trade_date", pl.col("return_pct").alias("benchmark_return_pct")),
            on="trade_date",
            how="left",
        )
        .with_columns(abnormal_return_pct=pl.col("return_pct") - pl.col("benchmark_return_pct"))
        .sort("event_id", "subject_type", "subject", "day_offset")
    )
    car = pl.col("abnormal_return_pct").fill_null(0).cum_sum().over("event_id", "subject_type", "subject")
    out = out.with_columns(car_pct=pl.when(pl.col("abnormal_return_pct").is_not_null()).then(car))
    return out.select(
        "event_id",
        "event_date",
        "subject_type",
        "subject",
        "day_offset",
        "trade_date",
        "return_pct",
        "benchmark_return_pct",
        "abnormal_return_pct",
        "car_pct",
    )


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


def news_theme_daily(
    items: pl.DataFrame, item_themes: pl.DataFrame, item_stocks: pl.DataFrame, top: int = 5, samples: int = 3
) -> pl.DataFrame:
    """Per session and theme: items tagged, their share of the session's items, the stocks they name most
    ("name (symbol) ×count"), and sample titles (most keyword hits, then earliest)."""
    per_day = items.group_by("trade_date").agg(day_items=pl.len())
    tagged = item_themes.join(items.select("item_id", "trade_date", "title", "published_at"), on="item_id")
    counts = tagged.group_by("trade_date", "theme").agg(
        items=pl.len().cast(pl.Int32),
        sample_titles=pl.col("title")
        .sort_by(["hits", "published_at", "item_id"], descending=[True, False, False])
        .head(samples)
        .str.join(" | "),
    )
    named = (
        tagged.select("trade_date", "theme", "item_id")
        .join(item_stocks, on="item_id")
        .group_by("trade_date", "theme", "symbol")
        .agg(n=pl.len(), name=pl.col("matched").min())
        .sort(["n", "symbol"], descending=[True, False])
        .group_by("trade_date", "theme", maintain_order=True)
        .agg(top_stocks=pl.format("{} ({}) ×{}", "name", "symbol", "n").head(top).str.join(", "))
    )
    out = counts.join(per_day, on="trade_date").join(named, on=["trade_date", "theme"], how="left")
    return out.select(
        "trade_date",
        "theme",
        "items",
        (pl.col("items") / pl.col("day_items") * 100).round(6).alias("share_pct"),
        pl.col("day_items").cast(pl.Int32),
        "top_stocks",
        "sample_titles",
    ).sort("trade_date", "theme")


def cross_market_daily(us_bars: pl.DataFrame, themes: pl.DataFrame, benchmark: pl.DataFrame) -> pl.DataFrame:
    """Each US session's move beside the A-share session that first trades on it (theme ew returns, CSI 300);
    the A-share columns are null until that session is in the warehouse."""
    wide = theme_returns_wide(themes, ["ai", "compute_hardware", "dividend"])
    wide = wide.join(
        benchmark.select("trade_date", pl.col("return_pct").alias("csi300_return_pct")), on="trade_date", how="left"
    )
    return (
        us_bars.select("us_trade_date", "symbol", "ticker", "pct_change", "next_cn_trade_date")
        .join(wide.rename({"trade_date": "next_cn_trade_date"}), on="next_cn_trade_date", how="left")
        .select(
            "us_trade_date",
            "symbol",
            "ticker",
            "pct_change",
            "next_cn_trade_date",
            pl.col("ai").alias("ai_return_pct"),
            pl.col("compute_hardware").alias("compute_hardware_return_pct"),
            pl.col("dividend").alias("dividend_return_pct"),
            "csi300_return_pct",
        )
        .sort("us_trade_date", "symbol")
    )
