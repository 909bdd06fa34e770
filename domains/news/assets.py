"""News text: CCTV 新闻联播 by date and the market flash feed, normalised, de-duplicated and tagged."""

import datetime as dt

import dagster as dg
import polars as pl

from assets.chunks import each_chunk
from assets.gate import gated, gx_check, stage_checked, with_side_tables
from assets.lineage import key, reads, spec
from assets.options import RANGE, fails_fast, layer_options
from assets.partitions import partition_dates
from assets.raw import describe, propose_landed
from assets.resources import MarketSourceResource, WarehouseResource
from domains.news import suites
from domains.news.datasets import CCTV, FEED
from domains.news.transforms import (
    dedupe,
    items_from_cctv,
    items_from_feed,
    keywords_fingerprint,
    merge,
    news_rows,
    tag,
)
from etl.config.themes import themes
from etl.datasets import load, load_each
from etl.gate import quarantine
from etl.gate.engine import Candidate, Stored
from etl.gate.proposals import relation
from etl.market import previous_trading_day
from etl.sources import Request
from etl.warehouse import Replace, Sql


def broadcast_dates(day: dt.date) -> list[dt.date]:
    """新闻联播 airs at 19:00, after the close: the broadcasts from the previous session's evening through the
    eve of `day` (weekends and holidays included) belong to session `day`."""
    start = previous_trading_day(day)
    return [start + dt.timedelta(days=i) for i in range((day - start).days)]


@dg.asset(key_prefix="raw", name="news_cctv", **RANGE, **layer_options("raw"))
@fails_fast
def raw_news_cctv(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, market_source: MarketSourceResource
) -> dg.MaterializeResult:
    """CCTV evening news (news_cctv, backfillable by date), partitioned by the session each broadcast
    belongs to."""
    days = partition_dates(context)
    source = market_source.get()
    wh = warehouse.get()

    def land(chunk: list[dt.date]) -> dict:
        session_of = {b: d for d in chunk for b in broadcast_dates(d)}
        broadcasts = source.covered([CCTV], sorted(session_of))  # none before the first broadcast akshare reads
        landed = source.land(CCTV, Request(days=tuple(broadcasts))) if broadcasts else []
        frame = load(source, landed, trade_date=lambda item: session_of[dt.date.fromisoformat(item.partition)])
        if frame.height == 0:
            frame = pl.DataFrame(schema={"trade_date": pl.Date})
        propose_landed(wh, "raw.news_cctv", frame, source, landed, "trade_date", chunk, extend=chunk[0] != min(days))
        return describe(frame, source, partitions=len(chunk), broadcasts=len(landed))

    return dg.MaterializeResult(metadata=each_chunk(context, "raw.news_cctv", days, land, wh, narrow=True))


@dg.asset(key_prefix="raw", name="news_feed", **layer_options("raw"))
@fails_fast
def raw_news_feed(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, market_source: MarketSourceResource
) -> dg.MaterializeResult:
    """The market flash feed (stock_info_global_em: the latest 200 items per poll; the recording holds
    Readhub topics in that shape). Every poll is kept in the landing zone and loaded. A live poll that breaks
    its input spec (a column added or renamed) is moved aside once, under _rejected/ with a row in
    quality.rejected_partitions, and the other polls go on: it would otherwise fail every later run."""
    source = market_source.get()
    wh = warehouse.get()
    landed = source.land(FEED)
    frame, refused = load_each(source, landed, capture=lambda item: item.partition)
    if refused and source.name != "akshare":  # the shipped sample is read-only data: a bad file there is a bug
        raise refused[0][1]
    set_aside = set_aside_captures(context, wh, source, "raw.news_feed", refused)
    refused_partitions = {bad.partition for bad, _ in refused}
    good = [item for item in landed if item.partition not in refused_partitions]
    propose_landed(wh, "raw.news_feed", frame, source, good)
    return dg.MaterializeResult(
        metadata=describe(frame, source, captures=len(good), captures_set_aside=len(set_aside))
        | ({"set_aside": dg.MetadataValue.json(set_aside)} if set_aside else {})
    )


def set_aside_captures(context, wh, source, table: str, refused: list) -> list[dict]:
    """Move live captures that broke their input spec under _rejected/ and record each in
    quality.rejected_partitions (rule input_spec, the error naming the file)."""
    moved = []
    for item, error in refused:
        row = source.landing.reject(item.capture, f"input spec: {error}")
        moved.append({"capture": item.partition, "moved_to": row.path, "error": str(error)})
        context.log.warning(f"{table}: capture {item.partition} set aside ({row.path}): {error}")
    if moved:
        wh.write(
            quarantine.refusals(
                [
                    {
                        "table_name": table,
                        "partition_key": m["capture"],
                        "rules": ["input_spec"],
                        "figures": {"error": m["error"]},
                        "raw_tables": [table],
                        "landing_files": [m["moved_to"]],
                        "run_id": context.run_id,
                    }
                    for m in moved
                ]
            )
        )
    return moved


NEWS_SIDE = {
    "news_item_themes": "Theme keyword hits per news item (written with news_items).",
    "news_item_stocks": "Stocks a news item names, by name or code (written with news_items).",
    "news_captures": "News captures already staged: only new ones are read (written with news_items).",
}


@dg.multi_asset(
    specs=[
        spec("staging", "news_items").replace_attributes(
            deps=reads("raw.news_cctv", "raw.news_feed", "staging.stock_universe")
        ),
        *[
            spec("staging", name).replace_attributes(
                deps=reads("raw.news_cctv", "raw.news_feed"), skippable=True, description=text
            )
            for name, text in NEWS_SIDE.items()
        ],
    ],
    check_specs=[gx_check(suites.NEWS)],
    pool="duckdb_writer",
)
@gated
def staging_news_items(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> list:
    """One row per distinct news content (normalised: markup stripped, Simplified, full-width folded),
    published_at in UTC and the session it belongs to; staging.news_item_themes and staging.news_item_stocks
    tag it with themes (news_keywords in etl/config/themes.yaml) and the stocks it names. Only captures not
    staged before are read (staging.news_captures): their items are merged into the stored ones and only
    new items are tagged, unless the keywords changed (then every item is tagged again)."""
    wh = warehouse.get()
    keywords = themes().news_keywords()
    fingerprint = keywords_fingerprint(keywords)
    staged = "SELECT capture FROM staging.news_captures WHERE origin = '{}'"
    cctv = wh.query(
        f"SELECT * FROM {relation(wh, 'raw.news_cctv', context.run_id)} WHERE CAST(broadcast_date AS VARCHAR) "
        f"NOT IN ({staged.format('news_cctv')})"
    )
    feed = wh.query(
        f"SELECT * FROM {relation(wh, 'raw.news_feed', context.run_id)} "
        f"WHERE capture NOT IN ({staged.format('stock_info_global_em')})"
    )
    items = pl.concat([items_from_cctv(cctv), items_from_feed(feed)], how="vertical_relaxed")
    rows, bad = news_rows(items)
    universe = wh.query("SELECT symbol, name FROM staging.stock_universe")
    stored = wh.query("SELECT * FROM staging.news_items")
    retag = (
        fingerprint not in set(wh.query("SELECT DISTINCT keywords FROM staging.news_captures")["keywords"])
        and stored.height
    )
    captures = (
        items.group_by("__capture")
        .agg(items=pl.len())
        .select(
            origin=pl.col("__capture").str.split(":").list.first(),
            capture=pl.col("__capture").str.splitn(":", 2).struct.field("field_1"),
            items=pl.col("items").cast(pl.Int32),
            keywords=pl.lit(fingerprint),
            run_id=pl.lit(context.run_id),
            staged_at=pl.lit(dt.datetime.now(dt.UTC)),
        )
    )
    tagged, side = {}, {}

    def store(good: pl.DataFrame):
        news, changed = merge(stored, dedupe(good))
        if retag:
            changed = news["item_id"].to_list()
            captures_update = [Sql("UPDATE staging.news_captures SET keywords = $k", {"k": fingerprint})]
        else:
            captures_update = []
        theme_rows, stock_rows = tag(news.filter(pl.col("item_id").is_in(changed)), keywords, universe)
        tagged.update(
            items_new_or_moved=len(changed),
            items_read=items.height,
            retagged=bool(retag),
            duplicates_merged=int(news["duplicates"].sum()),
        )
        side.update(
            news_item_themes=theme_rows.height, news_item_stocks=stock_rows.height, news_captures=captures.height
        )
        scope = {"ids": changed}
        where = "item_id IN (SELECT UNNEST($ids))"
        return Stored(
            news,
            [
                Replace("staging.news_item_themes", theme_rows, where, scope),
                Replace("staging.news_item_stocks", stock_rows, where, scope),
                *captures_update,
                Replace("staging.news_captures", captures, "false"),
            ],
        )

    result = stage_checked(
        context,
        wh,
        Candidate(
            suites.NEWS,
            rows,
            key_columns=["origin", "__day", "url"],
            raw_rows=items.height,
            owns=["raw.news_cctv", "raw.news_feed"],
            set_aside=bad,
            partition_column="__capture",
            quarantine_scope=items["__capture"].unique().to_list(),
            facts={"max_days_to_session": 14},
        ),
        store=store,
    )
    result = dg.MaterializeResult(metadata={**result.metadata, **tagged}, check_results=result.check_results)
    return with_side_tables(result, key("staging", "news_items"), side)
