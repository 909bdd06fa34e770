"""The news mart: news_theme_daily, attention per theme and session."""

import dagster as dg

from assets.chunks import each_chunk
from assets.lineage import reads
from assets.metadata import preview
from assets.options import RANGE, layer_options
from assets.partitions import partition_dates
from assets.resources import WarehouseResource
from marts.news.transforms import news_theme_daily


@dg.asset(
    key_prefix="marts",
    name="news_theme_daily",
    deps=reads("staging.news_items", "staging.news_item_themes", "staging.news_item_stocks"),
    **RANGE,
    **layer_options("marts"),
)
def marts_news_theme_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per session and news theme: items, share of the session's items, most-named stocks, sample titles."""
    wh = warehouse.get()

    def build(days: list) -> dict:
        items = wh.read_partitions("staging.news_items", days)
        ids = {"ids": items["item_id"].to_list()}
        frame = news_theme_daily(
            items,
            wh.query("SELECT * FROM staging.news_item_themes WHERE item_id IN (SELECT UNNEST($ids))", ids),
            wh.query("SELECT * FROM staging.news_item_stocks WHERE item_id IN (SELECT UNNEST($ids))", ids),
        )
        wh.replace_partitions("marts.news_theme_daily", frame, days)
        return {"rows": frame.height, "partitions": len(days), "preview": preview(frame)}

    return dg.MaterializeResult(
        metadata=each_chunk(context, "marts.news_theme_daily", partition_dates(context), build, wh, narrow=True)
    )
