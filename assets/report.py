"""The report: a self-contained HTML file next to the warehouse (warehouse/reports/), built from the marts."""

import dagster as dg

from assets.lineage import reads
from assets.resources import WarehouseResource
from etl.config.themes import events

MARTS = [
    "dividend_vs_ai_daily",
    "theme_daily",
    "board_daily",
    "event_window",
    "fund_flow_board_daily",
    "news_theme_daily",
    "cross_market_daily",
    "market_breadth_daily",
    "drawdown_rebound",
    "index_valuation_daily",
]


@dg.asset(
    key_prefix="reports",
    name="dividend_vs_ai",
    group_name="reports",
    kinds={"html", "matplotlib"},
    pool="duckdb_writer",
    deps=reads(*(f"marts.{name}" for name in MARTS)),
)
def dividend_vs_ai_report(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Cumulative dividend vs AI and their spread, board leaderboards on the event days, theme turnover share,
    event-window CARs, money flow and news attention by theme, and the US -> A-share transmission. Open the
    `path`; the headline chart and key tables are below."""
    from etl.report import build

    wh = warehouse.get()
    report = build(wh, wh.local_dir / "reports", events())
    metadata = {
        "path": dg.MetadataValue.path(str(report.path)),
        "open": dg.MetadataValue.url(report.path.as_uri()),
        "charts": report.sections,
    }
    if report.headline_png:
        metadata["headline"] = dg.MetadataValue.md(f"![dividend vs AI](data:image/png;base64,{report.headline_png})")
    for name in ("themes_snake_year_open", "themes_us_ai_crash", "car", "rebound"):
        if name in report.tables:
            metadata[name] = dg.MetadataValue.md(report.tables[name].markdown())
    return dg.MaterializeResult(metadata=metadata)
