"""Indices: Eastmoney daily bars of the tracked indices and the CSI official histories (with rolling PE)."""

from __future__ import annotations

import datetime as dt

from etl.datasets.record import Dataset, RawTable, Replay, Sample, day_of
from etl.input_specs import LOT_SHARES, Col, D, F, I, InputSpec, S
from etl.market import shanghai_today
from etl.sources.base import SourceError
from etl.sources.live import ymd

# akshare returns no index code column: the request parameter is recorded as `symbol` (e.g. "sh000001").
STOCK_ZH_INDEX_DAILY_EM = InputSpec(
    "stock_zh_index_daily_em",
    (
        Col("symbol", "index_symbol", S, nullable=False),
        Col("date", "trade_date", D, nullable=False),
        Col("open", "open", F, "index points"),
        Col("close", "close", F, "index points"),
        Col("high", "high", F, "index points"),
        Col("low", "low", F, "index points"),
        Col("volume", "volume_shares", I, "shares (akshare: 手 = 100 shares)", factor=LOT_SHARES),
        Col("amount", "amount_cny", F, "CNY"),
    ),
)


def fetch_index_bars(live, dataset, request):
    """request.symbols: akshare's index symbols (market prefix + code, etl/config/tracking.py INDICES)."""
    days = sorted(request.days)
    live.start_run()
    window = {"start_date": ymd(days[0]), "end_date": ymd(days[-1])}
    frame = live.call_each(
        dataset, request.symbols, lambda symbol: {"symbol": symbol, **window}, hint=f" for {days[0]}..{days[-1]}"
    )
    return live.land_by_day(
        dataset, frame, date_column="date", days=days, arguments={"symbols": list(request.symbols), **window}
    )


# The recording holds 11 of the tracked indices from 2022-01-04 to 2025-12-31 and 2 (csi000922, sz399001)
# from 2024-09-02 to 2025-04-30: the sample ships all of them to their common end, so that every session it
# holds has every index that had started (each index is judged from its own first bar).
INDEX_BARS = Dataset(
    "stock_zh_index_daily_em",
    STOCK_ZH_INDEX_DAILY_EM,
    RawTable("raw.index_bars_daily", {"partition_date": "DATE NOT NULL"}, grain=("trade_date", "index_symbol")),
    kind="range",
    replay=Replay.DAYS,
    fetch=fetch_index_bars,
    sample=Sample(day_of("date"), recorded_at=dt.date(2026, 5, 8), window=(dt.date(2022, 1, 4), dt.date(2025, 4, 30))),
)

# The columns every CSI table of akshare opens with: the day, the index and its four names.
CSI_INDEX_DAY = (
    Col("日期", "trade_date", D, nullable=False),
    Col("指数代码", "index_code", S, nullable=False),
    Col("指数中文全称", "name_full", S),
    Col("指数中文简称", "index_name", S),
    Col("指数英文全称", "name_en_full", S),
    Col("指数英文简称", "name_en", S),
)

STOCK_ZH_INDEX_HIST_CSINDEX = InputSpec(
    "stock_zh_index_hist_csindex",
    (
        *CSI_INDEX_DAY,
        Col("开盘", "open", F, "index points"),
        Col("最高", "high", F, "index points"),
        Col("最低", "low", F, "index points"),
        Col("收盘", "close", F, "index points"),
        Col("涨跌", "change", F, "index points"),
        Col("涨跌幅", "pct_change", F, "%"),
        Col("成交量", "volume_shares", I, "shares (akshare: 万手 = 1,000,000 shares)", factor=1_000_000),
        Col("成交金额", "amount_cny", F, "CNY (akshare: 亿元)", factor=100_000_000),
        Col("样本数量", "constituents", I),
        Col("滚动市盈率", "pe_ttm", F),
    ),
)


def fetch_csi_history(live, dataset, request):
    """request.symbols: CSI index codes (etl/config/tracking.yaml csi_indices)."""
    days = sorted(request.days)
    live.start_run()
    window = {"start_date": ymd(days[0]), "end_date": ymd(days[-1])}
    frame = live.call_each(
        dataset, request.symbols, lambda code: {"symbol": code, **window}, tag=False, if_empty="skip"
    )
    if frame is None:  # land_by_day says which days came back empty, and what to do if the exchange was closed
        import pandas as pd

        frame = pd.DataFrame()
    return live.land_by_day(dataset, frame, date_column="日期", days=days, arguments={"symbols": list(request.symbols)})


CSI_HISTORY = Dataset(
    "stock_zh_index_hist_csindex",
    STOCK_ZH_INDEX_HIST_CSINDEX,
    RawTable("raw.csi_index_daily", {"partition_date": "DATE NOT NULL"}, grain=("trade_date", "index_code")),
    kind="range",
    replay=Replay.DAYS,
    fetch=fetch_csi_history,
    sample=Sample(
        day_of("日期"), recorded_at=dt.date(2026, 8, 21), window=(dt.date(2022, 1, 4), dt.date(2025, 12, 31))
    ),
)

# akshare 1.19.5 index/index_stock_zh_csindex.py reads CSI's indicator file: recent sessions only (~20), so it
# is captured every day and kept; 市盈率1/股息率1 use total shares, 市盈率2/股息率2 the shares in the index.
STOCK_ZH_INDEX_VALUE_CSINDEX = InputSpec(
    "stock_zh_index_value_csindex",
    (
        *CSI_INDEX_DAY,
        Col("市盈率1", "pe_total_shares", F),
        Col("市盈率2", "pe_index_shares", F),
        Col("股息率1", "dividend_yield_pct", F, "%"),
        Col("股息率2", "dividend_yield_index_shares_pct", F, "%"),
    ),
)


def fetch_valuation(live, dataset, request):
    """request.symbols: CSI index codes (etl/config/tracking.yaml valuation_indices); one capture a day."""
    live.start_run()
    frame = live.call_each(dataset, request.symbols, lambda code: {"symbol": code}, tag=False, if_empty="skip")
    if frame is None:
        raise SourceError(f"{dataset.function} returned nothing for {list(request.symbols)}")
    return [live.land_capture(dataset, frame, {"symbols": list(request.symbols)}, shanghai_today().isoformat())]


INDEX_VALUATION = Dataset(
    "stock_zh_index_value_csindex",
    STOCK_ZH_INDEX_VALUE_CSINDEX,
    RawTable("raw.index_valuation_daily", grain=("trade_date", "index_code")),
    kind="snapshot",
    replay=Replay.NONE,
    fetch=fetch_valuation,
    note="not in the recording (recent sessions only); the recorded path has the rolling PE of the CSI histories",
)
