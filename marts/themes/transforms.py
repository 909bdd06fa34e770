"""Themes (etl/config/themes.yaml) -> members per day -> theme returns, turnover share and money flow; the
dividend-vs-AI spread, event windows with abnormal returns, and the US AI chain against the next A-share session."""

import datetime as dt
from collections.abc import Sequence

import polars as pl

from etl.config.themes import ConfigError, EventsConfig, Theme, ThemesConfig
from etl.history import as_of
from marts.boards.transforms import basket_daily, traded_bars

MEMBER_SCHEMA = {
    "trade_date": pl.Date,
    "theme": pl.String,
    "symbol": pl.String,
    "via": pl.String,
    "membership_as_of": pl.Date,
}


def names_by_day(history: pl.DataFrame, days: Sequence[dt.date]) -> pl.DataFrame:
    """trade_date, symbol, name from staging.stock_name_history as of each day (before the first universe
    snapshot: the earliest name known, as with membership)."""
    taken = history.select(pl.col("valid_from").alias("capture_date")).unique()
    frames = [as_of(history, taken, day).select(pl.lit(day).alias("trade_date"), "symbol", "name") for day in days]
    return (
        pl.concat(frames)
        if frames
        else pl.DataFrame(schema={"trade_date": pl.Date, "symbol": pl.String, "name": pl.String})
    )


def theme_members(
    name: str,
    theme: Theme,
    board_members: pl.DataFrame,
    codes: dict[str, str],
    names: pl.DataFrame,
    days: Sequence[dt.date],
) -> pl.DataFrame:
    """One row per day and stock in the theme, with how it got in (`via`, several joined by '; ') and the
    latest membership snapshot its boards rest on (null for name rules and explicit symbols alone).
    `board_members`: trade_date, board_code, symbol, membership_as_of (members_by_day)."""
    parts = []
    for board in theme.boards:
        parts.append(
            board_members.filter(pl.col("board_code") == codes[board]).select(
                "trade_date", "symbol", "membership_as_of", via=pl.lit(f"board:{board}")
            )
        )
    for rule in theme.name_rules:
        matched = names.filter(pl.col("name").str.contains(rule.pattern))
        if rule.within_boards:
            within = board_members.filter(pl.col("board_code").is_in([codes[b] for b in rule.within_boards]))
            matched = matched.join(within.select("trade_date", "symbol").unique(), on=["trade_date", "symbol"])
        parts.append(
            matched.select(
                "trade_date",
                "symbol",
                pl.lit(None, pl.Date).alias("membership_as_of"),
                via=pl.lit(f"rule:{rule.label}"),
            )
        )
    if theme.symbols:
        grid = pl.DataFrame({"trade_date": list(days)}, schema={"trade_date": pl.Date}).join(
            pl.DataFrame({"symbol": list(theme.symbols)}), how="cross"
        )
        parts.append(
            grid.select("trade_date", "symbol", pl.lit(None, pl.Date).alias("membership_as_of"), via=pl.lit("symbol"))
        )
    if not parts:
        return pl.DataFrame(schema=MEMBER_SCHEMA)
    rows = pl.concat(parts, how="vertical_relaxed")
    return (
        rows.group_by("trade_date", "symbol")
        .agg(via=pl.col("via").unique().sort().str.join("; "), membership_as_of=pl.col("membership_as_of").max())
        .select("trade_date", pl.lit(name).alias("theme"), "symbol", "via", "membership_as_of")
        .sort("trade_date", "symbol")
    )


def theme_membership(
    config: ThemesConfig,
    board_members: pl.DataFrame,
    codes: dict[str, str],
    names: pl.DataFrame,
    days: Sequence[dt.date],
) -> pl.DataFrame:
    frames = [theme_members(n, t, board_members, codes, names, days) for n, t in config.baskets().items()]
    return pl.concat(frames) if frames else pl.DataFrame(schema=MEMBER_SCHEMA)


def stock_main_flow(flow_history: pl.DataFrame, ranks: pl.DataFrame) -> pl.DataFrame:
    """trade_date, symbol, main_net_inflow_cny: the per-stock history where captured, else the latest
    same-day ('今日') rank snapshot of that session."""
    history = flow_history.select("trade_date", "symbol", "main_net_inflow_cny", pl.lit(0).alias("__pref"))
    today = (
        ranks.filter(pl.col("indicator") == "今日")
        .sort("fetched_at", "snapshot_date", nulls_last=False)
        .unique(["session_date", "symbol"], keep="last")
        .select(pl.col("session_date").alias("trade_date"), "symbol", "main_net_inflow_cny", pl.lit(1).alias("__pref"))
    )
    both = pl.concat([history, today], how="vertical_relaxed").filter(pl.col("main_net_inflow_cny").is_not_null())
    return both.sort("__pref").unique(["trade_date", "symbol"], keep="first").drop("__pref")


def theme_daily(members: pl.DataFrame, bars: pl.DataFrame, flows: pl.DataFrame) -> pl.DataFrame:
    """`bars`: every stock's qfq bars for the days (the market total is the turnover share's denominator)."""
    daily = basket_daily(members.drop("via"), bars, "theme")
    market = traded_bars(bars).group_by("trade_date").agg(market_amount_cny=pl.col("amount_cny").sum())
    money = (
        members.join(flows, on=["trade_date", "symbol"], how="inner")
        .sort("trade_date", "theme", "symbol")
        .group_by("trade_date", "theme", maintain_order=True)
        .agg(main_net_inflow_cny=pl.col("main_net_inflow_cny").sum(), flow_members=pl.len().cast(pl.Int32))
    )
    out = daily.join(market, on="trade_date", how="left").join(money, on=["trade_date", "theme"], how="left")
    return out.select(
        "trade_date",
        "theme",
        "members",
        "members_traded",
        "ew_return_pct",
        "cw_return_pct",
        "advancers",
        "decliners",
        "amount_cny",
        # rounded: polars may evaluate a / b * 100 as a * (100 / b) depending on the frame's shape, so a one-day
        # run and a range run differed in the last bit; a re-run must give the same warehouse
        (pl.col("amount_cny") / pl.col("market_amount_cny") * 100).round(6).alias("amount_share_pct"),
        "main_net_inflow_cny",
        pl.col("flow_members").fill_null(0),
        "membership_as_of",
        "members_weighted",
        "cap_source",
    ).sort("trade_date", "theme")


def theme_returns_wide(themes: pl.DataFrame, names: list[str], column: str = "ew_return_pct") -> pl.DataFrame:
    """trade_date and one column per theme name (null where the theme has no row, even no row at all)."""
    wide = themes.filter(pl.col("theme").is_in(names)).pivot(on="theme", index="trade_date", values=column)
    missing = [pl.lit(None, pl.Float64).alias(n) for n in names if n not in wide.columns]
    return wide.with_columns(missing).sort("trade_date")


def _compound(col: str) -> pl.Expr:
    return ((pl.col(col) / 100 + 1).cum_prod() - 1) * 100


def dividend_vs_ai_daily(themes: pl.DataFrame, start: dt.date, weighting: str = "ew") -> pl.DataFrame:
    """`themes`: marts.theme_daily. Returns compound from the first session on or after `start`;
    relative_strength = 100 × (1 + ai_cum) ÷ (1 + dividend_cum): 100 at the start, above 100 while AI leads."""
    column = f"{weighting}_return_pct"
    wide = theme_returns_wide(themes.filter(pl.col("trade_date") >= start), ["dividend", "ai"], column)
    out = wide.select(
        "trade_date",
        pl.col("dividend").alias("dividend_return_pct"),
        pl.col("ai").alias("ai_return_pct"),
    ).with_columns(spread_pct=pl.col("ai_return_pct") - pl.col("dividend_return_pct"))
    out = out.with_columns(dividend_cum_pct=_compound("dividend_return_pct"), ai_cum_pct=_compound("ai_return_pct"))
    return out.with_columns(
        cum_spread_pct=pl.col("ai_cum_pct") - pl.col("dividend_cum_pct"),
        relative_strength=100 * (1 + pl.col("ai_cum_pct") / 100) / (1 + pl.col("dividend_cum_pct") / 100),
        weighting=pl.lit({"ew": "equal", "cw": "float_cap"}[weighting]),
        cumulative_from=pl.lit(start),
    )


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
