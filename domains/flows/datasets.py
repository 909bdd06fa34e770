"""Main-force money: rank snapshots of stocks and sectors, and per-stock and market daily histories."""

from __future__ import annotations

import polars as pl

from etl.datasets.record import Dataset, RawTable, Replay, Sample
from etl.input_specs import Col, D, F, I, InputSpec, S
from etl.market import market_of, shanghai_today
from etl.sources.gateway import SourceBlockedError
from etl.sources.live import refuse_past

BUCKETS = (("主力", "main"), ("超大单", "super_large"), ("大单", "large"), ("中单", "medium"), ("小单", "small"))
SECTOR_TYPES = {"行业资金流": "industry", "概念资金流": "concept", "地域资金流": "region"}
# What the live capture asks for: each window is a whole-market list paged 100 rows at a time (the stock ranks:
# 56 requests a window), and the multi-day windows are sums of the daily ones the warehouse keeps; no mart
# reads them. akshare also serves 3日/5日/10日 (stocks) and 5日/10日 (boards); the recording has them.
LIVE_WINDOWS = ("今日",)


def _flows(prefix: str = "", ratios: bool = True) -> tuple[Col, ...]:
    cols = []
    for zh, en in BUCKETS:
        cols.append(Col(f"{prefix}{zh}净流入-净额", f"{en}_net_inflow_cny", F, "CNY"))
        if ratios:
            cols.append(Col(f"{prefix}{zh}净流入-净占比", f"{en}_net_inflow_pct", F, "% of turnover"))
    return tuple(cols)


_RATIO_COLS = frozenset(f"今日{zh}净流入-净占比" for zh, _ in BUCKETS)


def fold_indicator(frame, indicator: str):
    """akshare prefixes rank columns with the window (5日主力净流入-净额 ...). Land one layout for every window:
    the prefix folded to 今日 and the window kept in an `indicator` column, as the recording does."""
    renamed = {
        c: "今日" + c[len(indicator) :] for c in frame.columns if c.startswith(indicator) and indicator != "今日"
    }
    return frame.rename(columns=renamed).assign(indicator=indicator)


# --- rank snapshots ----------------------------------------------------------------------------------------

STOCK_INDIVIDUAL_FUND_FLOW_RANK = InputSpec(
    "stock_individual_fund_flow_rank",
    (
        Col("snapshot_date", "snapshot_date", D, nullable=False),
        Col("indicator", "indicator", S, nullable=False),
        Col("序号", "rank", I),
        Col("代码", "symbol", S, zfill=6, nullable=False),
        Col("名称", "name", S),
        Col("最新价", "last", F, "CNY"),
        Col("今日涨跌幅", "pct_change", F, "%"),
        *_flows("今日"),
    ),
    optional=frozenset({"序号", "最新价", "今日涨跌幅"} | _RATIO_COLS),
)

STOCK_SECTOR_FUND_FLOW_RANK = InputSpec(
    "stock_sector_fund_flow_rank",
    (
        Col("snapshot_date", "snapshot_date", D, nullable=False),
        Col("indicator", "indicator", S, nullable=False),
        Col("sector_type", "sector_type", S, nullable=False),
        Col("序号", "rank", I),
        Col("名称", "board_name", S, nullable=False),
        Col("板块代码", "board_code", S),  # the recording carries it; live resolves names to codes in staging
        Col("今日涨跌幅", "pct_change", F, "%"),
        *_flows("今日"),
        Col("今日主力净流入最大股", "top_inflow_stock_name", S),
        Col("今日主力净流入最大股代码", "top_inflow_stock_symbol", S, zfill=6),
    ),
    optional=frozenset({"序号", "板块代码", "今日主力净流入最大股代码"}),
)


def _land_ranks(live, dataset, request, frames):
    import pandas as pd

    today = refuse_past(request.snapshot, "fund-flow ranks")
    frame = pd.concat(frames, ignore_index=True).assign(snapshot_date=today)
    if len(frame) == 0:
        raise SourceBlockedError(f"{dataset.function} returned no rows")
    return [live.land_capture(dataset, frame, {}, today.isoformat())]


def fetch_stock_ranks(live, dataset, request):
    refuse_past(request.snapshot, "fund-flow ranks")
    live.start_run()
    frames = [fold_indicator(live.call(dataset.function, indicator=i), i) for i in LIVE_WINDOWS]
    return _land_ranks(live, dataset, request, frames)


def fetch_sector_ranks(live, dataset, request):
    refuse_past(request.snapshot, "fund-flow ranks")
    live.start_run()
    frames = [
        fold_indicator(live.call(dataset.function, indicator=i, sector_type=s), i).assign(sector_type=s)
        for i in LIVE_WINDOWS
        for s in SECTOR_TYPES
    ]
    return _land_ranks(live, dataset, request, frames)


STOCK_RANKS = Dataset(
    "stock_individual_fund_flow_rank",
    STOCK_INDIVIDUAL_FUND_FLOW_RANK,
    RawTable("raw.stock_fund_flow_rank", grain=("snapshot_date", "indicator", "symbol"), note="今日/3日/5日/10日"),
    kind="snapshot",
    replay=Replay.SNAPSHOTS,
    fetch=fetch_stock_ranks,
    sample=Sample(pl.col("snapshot_date")),
)
SECTOR_RANKS = Dataset(
    "stock_sector_fund_flow_rank",
    STOCK_SECTOR_FUND_FLOW_RANK,
    RawTable(
        "raw.sector_fund_flow_rank",
        grain=("snapshot_date", "indicator", "sector_type", "board_name"),
        note="industry, concept and region boards",
    ),
    kind="snapshot",
    replay=Replay.SNAPSHOTS,
    fetch=fetch_sector_ranks,
    sample=Sample(pl.col("snapshot_date")),
)

# --- daily histories (akshare serves the last ~100 sessions: captured daily, upserted by date) -------------

STOCK_INDIVIDUAL_FUND_FLOW = InputSpec(
    "stock_individual_fund_flow",
    (
        Col("symbol", "symbol", S, zfill=6, nullable=False),  # the request argument, recorded
        Col("日期", "trade_date", D, nullable=False),
        Col("收盘价", "close", F, "CNY"),
        Col("涨跌幅", "pct_change", F, "%"),
        *_flows(),
    ),
)

STOCK_MARKET_FUND_FLOW = InputSpec(
    "stock_market_fund_flow",
    (
        Col("日期", "trade_date", D, nullable=False),
        Col("上证-收盘价", "sse_close", F, "index points"),
        Col("上证-涨跌幅", "sse_pct_change", F, "%"),
        Col("深证-收盘价", "szse_close", F, "index points"),
        Col("深证-涨跌幅", "szse_pct_change", F, "%"),
        *_flows(),
    ),
)


def fetch_stock_history(live, dataset, request):
    """request.symbols: etl/config/tracking.yaml fund_flow_symbols."""
    live.start_run()
    arguments = lambda symbol: {"stock": symbol, "market": market_of(symbol)}  # noqa: E731
    frame = live.call_each(dataset, request.symbols, arguments, if_empty="skip")
    if frame is None:
        return []
    return [live.land_capture(dataset, frame, {"symbols": list(request.symbols)}, shanghai_today().isoformat())]


def fetch_market_history(live, dataset, request):
    live.start_run()
    frame = live.call(dataset.function)
    if frame is None or len(frame) == 0:
        return []
    return [live.land_capture(dataset, frame, {}, shanghai_today().isoformat())]


LIVE_ONLY = "not in the recording: fund-flow histories exist only live (~100 sessions)"

STOCK_HISTORY = Dataset(
    "stock_individual_fund_flow",
    STOCK_INDIVIDUAL_FUND_FLOW,
    RawTable("raw.stock_fund_flow_daily", grain=("trade_date", "symbol")),
    kind="snapshot",
    replay=Replay.NONE,
    fetch=fetch_stock_history,
    note=LIVE_ONLY,
)
MARKET_HISTORY = Dataset(
    "stock_market_fund_flow",
    STOCK_MARKET_FUND_FLOW,
    RawTable("raw.market_fund_flow_daily", grain=("trade_date",)),
    kind="snapshot",
    replay=Replay.NONE,
    fetch=fetch_market_history,
    note=LIVE_ONLY,
)
