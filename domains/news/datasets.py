"""News text: the CCTV evening news per broadcast date, and the Eastmoney global flash feed per poll."""

from __future__ import annotations

import datetime as dt

from etl.datasets.record import Dataset, RawTable, Replay, Sample, day_of
from etl.input_specs import Col, D, InputSpec, S
from etl.sources.base import SourceError
from etl.sources.gateway import SourceBlockedError
from etl.sources.live import ymd

NEWS_CCTV = InputSpec(
    "news_cctv",
    (
        Col("date", "broadcast_date", D, nullable=False),
        Col("title", "title", S),
        Col("content", "content", S),
        Col("url", "url", S),  # present in the recording; newer akshare layouts may omit it
    ),
    optional=frozenset({"url"}),
)


def fetch_cctv(live, dataset, request):
    """request.days: broadcast dates (every calendar day airs)."""
    landed = []
    live.start_run()
    for day in request.days:
        frame = live.call(dataset.function, date=ymd(day))
        if frame is None or len(frame) == 0:
            raise SourceError(f"{dataset.function}({ymd(day)}) returned no items (the broadcast airs daily)")
        landed.append(live.land_capture(dataset, frame, {"date": ymd(day)}, day.isoformat()))
    return landed


CCTV = Dataset(
    "news_cctv",
    NEWS_CCTV,
    RawTable(
        "raw.news_cctv", {"trade_date": "DATE NOT NULL"}, grain=("broadcast_date", "title"), note="by broadcast date"
    ),
    kind="range",
    replay=Replay.HELD_DAYS,  # the recording covers 2025-01-01 .. 2025-02-28
    fetch=fetch_cctv,
    live_since=dt.date(2016, 2, 3),  # the first broadcast akshare can read (../shared/docs/akshare-notes.md)
    sample=Sample(day_of("date")),
)

STOCK_INFO_GLOBAL_EM = InputSpec(
    "stock_info_global_em",
    (
        Col("标题", "title", S),
        Col("摘要", "summary", S),
        # parsed per item in staging (domains/news/transforms.py): one bad stamp quarantines its item, not the poll
        Col("发布时间", "published_local", S, "Asia/Shanghai 'YYYY-MM-DD HH:MM:SS'"),
        Col("链接", "url", S),
        Col("来源", "outlets", S),  # the recording's extra column (Readhub outlets)
    ),
    optional=frozenset({"来源"}),
)


def fetch_feed(live, dataset, request):
    """A rolling window of 200 items: one file per poll; every poll landed so far is read back."""
    live.start_run()
    frame = live.call(dataset.function)
    if frame is None or len(frame) == 0:
        raise SourceBlockedError(f"{dataset.function} returned no items")
    live.land_capture(dataset, frame, {}, dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%M%SZ"))
    return live.landed_all(dataset)


FEED = Dataset(
    "stock_info_global_em",
    STOCK_INFO_GLOBAL_EM,
    RawTable(
        "raw.news_feed",
        {"capture": "VARCHAR NOT NULL"},
        grain=("capture", "title"),
        note="every poll kept; the sample holds Readhub topics in this shape",
    ),
    kind="snapshot",
    replay=Replay.ALL,
    fetch=fetch_feed,
    sample=Sample(day_of("发布时间")),
)
