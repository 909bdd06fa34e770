"""marts.news_theme_daily: news attention per theme and session."""

import polars as pl


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
