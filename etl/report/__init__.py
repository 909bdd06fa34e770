"""The dividend-vs-AI report: one self-contained HTML file (inline SVG charts, no scripts, no CDN) built
from the marts only, so it shows exactly what a BI user would query."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from jinja2 import Environment, FileSystemLoader, select_autoescape

from etl.config.themes import EventsConfig
from etl.report import charts
from etl.warehouse import Warehouse

TEMPLATES = Path(__file__).resolve().parent
Figure = tuple[str, str, str]  # title, inline SVG, caption


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[tuple]

    @classmethod
    def of(cls, title: str, frame: pl.DataFrame, digits: int = 2) -> Table:
        def fmt(v):
            if isinstance(v, float):
                return f"{v:,.{digits}f}"
            return "" if v is None else v

        return cls(title, frame.columns, [tuple(fmt(v) for v in row) for row in frame.iter_rows()])

    def markdown(self) -> str:
        head = "| " + " | ".join(self.columns) + " |\n|" + "---|" * len(self.columns) + "\n"
        return head + "".join("| " + " | ".join(str(v) for v in row) + " |\n" for row in self.rows)


@dataclass(frozen=True)
class Report:
    path: Path
    headline_png: str  # base64 PNG of the headline chart, for Dagster metadata ("" before cumulative_from)
    tables: dict[str, Table]  # the key tables, for Dagster metadata
    sections: int


def _events_marked(events: EventsConfig, days: list[dt.date]) -> list[tuple[str, dt.date]]:
    return [(e.id, e.date) for e in events.events if days and days[0] <= e.date <= days[-1]]


def _in_100m_cny(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    return frame.with_columns(*[(pl.col(c) / 1e8).alias(c.replace("_cny", "_100m_cny")) for c in columns]).drop(columns)


LONG_HORIZON = {
    "index:399006": "创业板指 ChiNext",
    "index:000300": "沪深300 CSI 300",
    "index:000922": "中证红利 CSI Dividend",
}


def _long_horizon(q, tables: dict) -> list[Figure]:
    """ChiNext vs CSI 300 vs CSI Dividend over the years held, CSI 300's PE through time with its percentile,
    and the rebound from each year's low, from the long-horizon marts."""
    figures = []
    levels = q(
        "SELECT trade_date, subject, level FROM marts.drawdown_rebound WHERE subject IN (SELECT UNNEST($s)) "
        "ORDER BY subject, trade_date",
        {"s": list(LONG_HORIZON)},
    )
    if levels.height:
        rebased = levels.with_columns(
            rebased=pl.col("level") / pl.col("level").first().over("subject") * 100,
            name=pl.col("subject").replace_strict(LONG_HORIZON),
        )
        figures.append(
            (
                "The long horizon: ChiNext, CSI 300 and CSI Dividend",
                charts.svg(
                    charts.lines(rebased, "trade_date", "rebased", "name", "Index level, first session = 100", "level")
                ),
                "Each index rebased to 100 on the first session the warehouse holds for it (CSI Dividend starts "
                "later in the sample). From marts.drawdown_rebound.",
            )
        )
    pe = q(
        "SELECT trade_date, index_name, pe_ttm, pe_percentile FROM marts.index_valuation_daily "
        "WHERE index_code = '000300' AND pe_ttm IS NOT NULL ORDER BY trade_date"
    )
    if pe.height:
        last = pe.row(-1, named=True)
        figures.append(
            (
                "CSI 300 valuation through time",
                charts.svg(charts.lines(pe, "trade_date", "pe_ttm", "index_name", "CSI 300 rolling PE", "PE (TTM)")),
                f"On {last['trade_date']} the rolling PE was {last['pe_ttm']:.2f}, above {last['pe_percentile']:.0%} "
                "of the sessions held before it. From marts.index_valuation_daily.",
            )
        )
    latest = q(
        "SELECT trade_date, subject_name, ytd_low, ytd_low_date, rebound_from_ytd_low_pct, drawdown_pct, "
        "max_drawdown_pct FROM marts.drawdown_rebound WHERE (subject IN (SELECT UNNEST($s)) OR subject LIKE 'theme:%') "
        "AND trade_date = (SELECT max(trade_date) FROM marts.drawdown_rebound WHERE subject LIKE 'theme:%') "
        "ORDER BY subject",
        {"s": list(LONG_HORIZON)},
    )
    if latest.height:
        tables["rebound"] = Table.of("Rebound from the year's low, on the last session with the baskets", latest)
    return figures


@dataclass(frozen=True)
class Marts:
    """What the report reads whole, once."""

    dva: pl.DataFrame
    theme: pl.DataFrame
    window: pl.DataFrame
    flows: pl.DataFrame
    news: pl.DataFrame
    cross: pl.DataFrame
    breadth: pl.DataFrame


def read_marts(q) -> Marts:
    """A plain function, not a classmethod: tests/test_lineage.py follows the report's reads through calls."""
    return Marts(
        dva=q("SELECT * FROM marts.dividend_vs_ai_daily ORDER BY trade_date"),
        theme=q("SELECT * FROM marts.theme_daily ORDER BY trade_date, theme"),
        window=q("SELECT * FROM marts.event_window"),
        flows=q(
            "SELECT snapshot_date, theme, sum(main_net_inflow_cny) AS main_net_inflow_cny FROM "
            "(SELECT snapshot_date, UNNEST(string_split(theme, ', ')) AS theme, main_net_inflow_cny "
            " FROM marts.fund_flow_board_daily WHERE theme IS NOT NULL) GROUP BY ALL ORDER BY ALL"
        ),
        news=q("SELECT * FROM marts.news_theme_daily ORDER BY trade_date, theme"),
        cross=q("SELECT * FROM marts.cross_market_daily"),
        breadth=q("SELECT * FROM marts.market_breadth_daily ORDER BY trade_date"),
    )


def build(wh: Warehouse, out_dir: Path, events: EventsConfig, leaders: int = 10) -> Report:
    """Read the marts, draw the charts section by section, write `<out_dir>/dividend_vs_ai.html` atomically,
    return what the asset puts into its metadata."""
    q = wh.query
    m = read_marts(q)
    tables: dict[str, Table] = {}  # filled by the sections, in the order the page shows them
    headline, headline_png = _headline(m.dva, events)
    figures = [
        *headline,
        *_event_leaderboards(q, events, leaders, tables),
        *_turnover(m.theme),
        *_event_windows(m.window, events),
        *_flows(m.flows),
        *_attention(m.news, m.theme),
        *_transmission(m.cross, events, tables),
        *_long_horizon(q, tables),
    ]
    tables |= _event_tables(m.window, m.breadth, events)
    path = _write(out_dir, m, figures, tables, events, headline_png)
    return Report(path=path, headline_png=headline_png, tables=tables, sections=len(figures))


def _headline(dva: pl.DataFrame, events: EventsConfig) -> tuple[list[Figure], str]:
    """The cumulative spread chart, as SVG for the page and PNG for Dagster; none while the warehouse ends
    before `cumulative_from`."""
    if not dva.height:
        return [], ""
    svg, png = charts.svg_and_png_base64(charts.headline(dva, _events_marked(events, dva["trade_date"].to_list())))
    caption = (
        "Equal-weighted baskets from etl/config/themes.yaml; bars: AI minus dividend each session (percentage points)."
    )
    return [("Dividend vs AI, day by day", svg, caption)], png


def _event_leaderboards(q, events: EventsConfig, leaders: int, tables: dict) -> list[Figure]:
    """Each event session's best and worst concept boards, and its theme table."""
    figures = []
    for event in events.events:
        day_boards = q(
            "SELECT board_name, board_type, ew_return_pct, cw_return_pct, members_traded, rank_in_type "
            "FROM marts.board_daily WHERE trade_date = $d AND board_type = 'concept' ORDER BY rank_in_type",
            {"d": event.date},
        )
        if day_boards.is_empty():
            continue
        # a board whose members' bars were all quarantined has no return that day: drawn boards are those
        # with one, the others are named under the chart
        returned = day_boards.filter(pl.col("ew_return_pct").is_not_null())
        ranked = pl.concat([returned.head(leaders), returned.tail(leaders)]).unique(maintain_order=True)
        without = day_boards.filter(pl.col("ew_return_pct").is_null())["board_name"].to_list()
        caption = event.title + (
            f" {len(without)} concept boards have no return that day (no member's bar passed the gate): "
            f"{', '.join(without[:8])}{' …' if len(without) > 8 else ''}."
            if without
            else ""
        )
        if ranked.height:
            figures.append(
                (
                    f"Concept-board leaderboard on {event.date} ({event.id})",
                    charts.svg(charts.leaderboard(ranked, f"{event.date}: best and worst {leaders} concept boards")),
                    caption,
                )
            )
        themed = q(
            "SELECT theme, ew_return_pct, cw_return_pct, advancers, decliners, amount_share_pct, members_traded "
            "FROM marts.theme_daily WHERE trade_date = $d ORDER BY ew_return_pct DESC",
            {"d": event.date},
        )
        tables[f"themes_{event.id}"] = Table.of(f"Themes on {event.date} ({event.id})", themed)
        tables[f"leaders_{event.id}"] = Table.of(f"Concept boards on {event.date}: top and bottom {leaders}", ranked)
    return figures


def _turnover(theme: pl.DataFrame) -> list[Figure]:
    if not theme.height:
        return []
    chart = charts.lines(
        theme, "trade_date", "amount_share_pct", "theme", "Share of A-share turnover by theme", "% of market turnover"
    )
    caption = "Turnover of the basket's members divided by the turnover of every traded A-share that session."
    return [("Theme turnover share", charts.svg(chart), caption)]


def _event_windows(window: pl.DataFrame, events: EventsConfig) -> list[Figure]:
    return [
        (
            f"Event window: {event.id}",
            charts.svg(charts.car_paths(window, event.id, f"{event.date}: cumulative abnormal return vs CSI 300")),
            event.title,
        )
        for event in events.events
        if window.filter((pl.col("event_id") == event.id) & pl.col("car_pct").is_not_null()).height
    ]


def _flows(flows: pl.DataFrame) -> list[Figure]:
    if not flows.height:
        return []
    chart = charts.grouped_bars(
        flows.with_columns(pl.col("main_net_inflow_cny") / 1e8),
        "snapshot_date",
        "main_net_inflow_cny",
        "theme",
        "Same-day main net inflow, sum over the theme's boards",
        "100M CNY",
    )
    caption = (
        "From the sector fund-flow rankings (snapshots; the sample holds them from March 2025 only). Boards "
        "overlap, so a stock in two boards of a theme counts twice."
    )
    return [("Main-force money by theme", charts.svg(chart), caption)]


def _attention(news: pl.DataFrame, theme: pl.DataFrame) -> list[Figure]:
    if not news.height:
        return []
    baskets = theme["theme"].unique().sort().to_list()
    chart = charts.attention(news, theme, [b for b in baskets if b in set(news["theme"])])
    caption = (
        "Share of the session's distinct news items tagged with the theme's keywords, against the basket's "
        "equal-weighted return."
    )
    return [("News attention vs returns", charts.svg(chart), caption)]


def _transmission(cross: pl.DataFrame, events: EventsConfig, tables: dict) -> list[Figure]:
    """NVDA's US session against the A-share session after it; the US sessions before each event, as a table."""
    if not cross.height:
        return []
    us_days = [
        d
        for e in events.events
        for d in cross.filter(pl.col("next_cn_trade_date") == e.date)["us_trade_date"].unique().to_list()
    ]
    shock = cross.filter(
        pl.col("us_trade_date").is_in(us_days)
        & pl.col("ticker").is_in(["NVDA", "AVGO", "TSM", "MU", "AMD", "ORCL", "SMCI", "MSFT", "QQQ"])
    ).sort("us_trade_date", "pct_change")
    tables["us_shock"] = Table.of("US sessions before the event sessions, beside the A-share baskets", shock)
    caption = "Each point: one US session of NVDA and the A-share session that first trades after it."
    return [("US -> A-share transmission", charts.svg(charts.transmission(cross, "NVDA")), caption)]


def _event_tables(window: pl.DataFrame, breadth: pl.DataFrame, events: EventsConfig) -> dict[str, Table]:
    final = (
        window.filter((pl.col("day_offset") == events.window.after) | (pl.col("day_offset") == 0))
        .select("event_id", "subject_type", "subject", "day_offset", "return_pct", "abnormal_return_pct", "car_pct")
        .sort("event_id", "subject_type", "subject", "day_offset")
    )
    on_events = breadth.filter(pl.col("trade_date").is_in([e.date for e in events.events])).select(
        "trade_date", "advancers", "decliners", "limit_up", "limit_down", "total_amount_cny", "median_pct_change"
    )
    return {
        "car": Table.of(f"Event windows: day 0 and day +{events.window.after}", final),
        "breadth": Table.of("Market breadth on the event sessions", _in_100m_cny(on_events, "total_amount_cny")),
    }


def _write(
    out_dir: Path, m: Marts, figures: list[Figure], tables: dict, events: EventsConfig, headline_png: str
) -> Path:
    """The page rendered and swapped in atomically; the headline PNG beside it."""
    days = m.theme["trade_date"].unique().sort().to_list()
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("report.html.j2").render(
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        first=days[0] if days else None,
        last=days[-1] if days else None,
        latest=m.dva.tail(1).to_dicts()[0] if m.dva.height else None,
        figures=figures,
        tables=tables,
        events=events.events,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "dividend_vs_ai.html"
    partial = path.with_suffix(".html.partial")
    partial.write_text(html, encoding="utf-8")
    partial.replace(path)
    if headline_png:
        (out_dir / "dividend_vs_ai_headline.png").write_bytes(base64.b64decode(headline_png))
    return path
