"""The long horizon: index valuation through time, trailing-window performance of declared pairs, and
drawdowns and rebounds. Computed in DuckDB over the frames given (window and self-join queries that polars
would spell less plainly); every figure is as of its own session, from the history the warehouse holds then."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

# window label -> how far back its calendar start is (YTD: the year's first day)
WINDOWS = {"1M": "1 month", "3M": "3 months", "1Y": "1 year", "3Y": "3 years", "YTD": None}


def _run(sql: str, **frames: pl.DataFrame) -> pl.DataFrame:
    con = duckdb.connect()
    try:
        for name, frame in frames.items():
            con.register(name, frame.to_arrow())
        return con.sql(sql).pl()
    finally:
        con.close()


def levels(
    index_bars: pl.DataFrame, csi: pl.DataFrame, themes: pl.DataFrame, us: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One level series per subject: (subject, subject_name, trade_date, level). Indices: their close; a theme
    basket: 100 compounded by its equal-weighted daily return from its first day (that day's return included);
    `us` (symbol, name, us_trade_date, close): US indices or their proxies, on their own session dates."""
    theme_levels = (
        themes.sort("theme", "trade_date")
        .with_columns(level=100 * (1 + pl.col("ew_return_pct").fill_null(0) / 100).cum_prod().over("theme"))
        .select(
            pl.format("theme:{}", "theme").alias("subject"),
            pl.col("theme").alias("subject_name"),
            "trade_date",
            "level",
        )
    )
    return pl.concat(
        [
            index_bars.select(
                pl.format("index:{}", "index_code").alias("subject"),
                pl.col("index_name").alias("subject_name"),
                "trade_date",
                pl.col("close").alias("level"),
            ),
            csi.select(
                pl.format("csi:{}", "index_code").alias("subject"),
                pl.col("index_name").alias("subject_name"),
                "trade_date",
                pl.col("close").alias("level"),
            ),
            theme_levels,
            *(
                [
                    us.select(
                        pl.format("us:{}", "symbol").alias("subject"),
                        pl.col("name").alias("subject_name"),
                        pl.col("us_trade_date").alias("trade_date"),
                        pl.col("close").alias("level"),
                    )
                ]
                if us is not None
                else []
            ),
        ],
        how="vertical_relaxed",
    ).filter(pl.col("level").is_not_null())


def index_valuation_daily(csi: pl.DataFrame, yields: pl.DataFrame, dividend_yields: pl.DataFrame) -> pl.DataFrame:
    """Per CSI index and session: rolling PE, its percentile among every PE the warehouse holds for the index
    up to that session (never a later one), the dividend yield where a source gives it, and its spread over
    the China 10-year yield of the same day or the latest before it."""
    return _run(
        """
        WITH pe AS (SELECT index_code, index_name, trade_date, pe_ttm FROM csi WHERE pe_ttm IS NOT NULL),
        ranked AS (
            SELECT a.index_code, a.trade_date,
                   count(*) FILTER (WHERE b.pe_ttm <= a.pe_ttm)::DOUBLE / count(*) AS pe_percentile,
                   min(b.trade_date) AS percentile_from, count(*)::INTEGER AS percentile_sessions
            FROM pe a JOIN pe b ON a.index_code = b.index_code AND b.trade_date <= a.trade_date
            GROUP BY ALL
        ),
        cn10 AS (SELECT trade_date, cn_10y_yield_pct FROM yields WHERE cn_10y_yield_pct IS NOT NULL)
        SELECT c.trade_date, c.index_code, c.index_name, c.pe_ttm,
               round(r.pe_percentile, 6) AS pe_percentile, r.percentile_from, r.percentile_sessions,
               d.dividend_yield_pct, y.cn_10y_yield_pct, y.trade_date AS yield_date,
               round(d.dividend_yield_pct - y.cn_10y_yield_pct, 6) AS yield_spread_pct
        FROM csi c
        LEFT JOIN ranked r USING (index_code, trade_date)
        LEFT JOIN dividend_yields d USING (index_code, trade_date)
        ASOF LEFT JOIN cn10 y ON y.trade_date <= c.trade_date
        ORDER BY c.trade_date, c.index_code
        """,
        csi=csi.select("trade_date", "index_code", "index_name", "pe_ttm"),
        yields=yields.select("trade_date", "cn_10y_yield_pct"),
        dividend_yields=dividend_yields.select("trade_date", "index_code", "dividend_yield_pct"),
    )


def relative_performance(levels: pl.DataFrame, pairs: list[tuple[str, str, str]]) -> pl.DataFrame:
    """Per declared pair, window and session: each side's return over the window ending that session, the
    spread, the window's calendar start, the first session both sides have inside it, the base (the last
    session both have before the window, else the first inside it), and the coverage: sessions both hold ÷
    SSE sessions in the window (a 3-year window over 1.5 years of data says 0.5 instead of pretending)."""
    from etl.market import sessions_between
    from etl.settings import FIRST_SSE_SESSION

    pair_frame = pl.DataFrame(pairs, schema=["pair", "subject_a", "subject_b"], orient="row")
    sessions: list[dt.date] = []
    if levels.height:  # every SSE session a window of the longest span can reach back to
        start = max(FIRST_SSE_SESSION, levels["trade_date"].min().replace(month=1, day=1) - dt.timedelta(days=3 * 366))
        sessions = sessions_between(start, levels["trade_date"].max())
    windows = pl.DataFrame(
        {"window_label": list(WINDOWS), "span": [v or "" for v in WINDOWS.values()]},
        schema={"window_label": pl.String, "span": pl.String},
    )
    return _run(
        """
        WITH both_sides AS (
            SELECT p.pair, p.subject_a, p.subject_b, a.trade_date, a.level AS level_a, b.level AS level_b
            FROM pairs p
            JOIN levels a ON a.subject = p.subject_a
            JOIN levels b ON b.subject = p.subject_b AND b.trade_date = a.trade_date
        ),
        ends AS (
            SELECT s.pair, s.subject_a, s.subject_b, s.trade_date, w.window_label, s.level_a, s.level_b,
                   CASE WHEN w.window_label = 'YTD' THEN date_trunc('year', s.trade_date)::DATE
                        ELSE (s.trade_date - CAST(w.span AS INTERVAL))::DATE + 1 END AS window_start
            FROM both_sides s CROSS JOIN windows w
        ),
        bases AS (
            SELECT e.*,
                (SELECT arg_max(struct_pack(d := b.trade_date, a := b.level_a, b := b.level_b), b.trade_date)
                 FROM both_sides b WHERE b.pair = e.pair AND b.trade_date < e.window_start) AS before_start,
                (SELECT arg_min(struct_pack(d := b.trade_date, a := b.level_a, b := b.level_b), b.trade_date)
                 FROM both_sides b WHERE b.pair = e.pair AND b.trade_date >= e.window_start) AS first_inside,
                (SELECT count(*) FROM both_sides b
                 WHERE b.pair = e.pair AND b.trade_date >= e.window_start AND b.trade_date <= e.trade_date) AS held
            FROM ends e
        ),
        based AS (
            SELECT *, coalesce(before_start, first_inside) AS base,
                   (SELECT count(*) FROM sessions x WHERE x.d >= window_start AND x.d <= trade_date) AS expected
            FROM bases
        )
        SELECT trade_date, pair, window_label, subject_a, subject_b,
               round((level_a / base.a - 1) * 100, 4) AS return_a_pct,
               round((level_b / base.b - 1) * 100, 4) AS return_b_pct,
               round((level_a / base.a - level_b / base.b) * 100, 4) AS spread_pct,
               window_start, first_inside.d AS first_day, base.d AS base_day,
               held::INTEGER AS sessions, expected::INTEGER AS sessions_in_window,
               round(held / greatest(expected, 1), 4) AS coverage
        FROM based
        ORDER BY trade_date, pair, window_label
        """,
        pairs=pair_frame,
        levels=levels,
        windows=windows,
        sessions=pl.DataFrame({"d": sessions}, schema={"d": pl.Date}),
    )


def drawdown_rebound(levels: pl.DataFrame) -> pl.DataFrame:
    """Per subject and session: the year-to-date low and its day, the rebound since it, the drawdown from the
    running peak and the deepest drawdown so far (both from the first session the warehouse holds)."""
    return _run(
        """
        WITH l AS (
            SELECT subject, subject_name, trade_date, level, year(trade_date) AS y FROM levels
        ),
        w AS (
            SELECT *,
                min(level) OVER ytd AS ytd_low,
                arg_min(trade_date, level) OVER ytd AS ytd_low_date,
                max(level) OVER hist AS running_peak,
                min(trade_date) OVER hist AS history_from
            FROM l
            WINDOW ytd AS (PARTITION BY subject, y ORDER BY trade_date ROWS UNBOUNDED PRECEDING),
                   hist AS (PARTITION BY subject ORDER BY trade_date ROWS UNBOUNDED PRECEDING)
        ),
        d AS (SELECT *, (level / running_peak - 1) * 100 AS drawdown_pct FROM w)
        SELECT trade_date, subject, subject_name, level, ytd_low, ytd_low_date,
               round((level / ytd_low - 1) * 100, 4) AS rebound_from_ytd_low_pct,
               running_peak, round(drawdown_pct, 4) AS drawdown_pct,
               round(min(drawdown_pct) OVER (PARTITION BY subject ORDER BY trade_date ROWS UNBOUNDED PRECEDING), 4)
                   AS max_drawdown_pct,
               history_from
        FROM d
        ORDER BY trade_date, subject
        """,
        levels=levels,
    )
