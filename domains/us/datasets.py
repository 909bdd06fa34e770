"""The US AI chain: daily bars of the tracked US stocks and ETFs (Eastmoney codes, e.g. 105.NVDA)."""

from __future__ import annotations

import datetime as dt

from etl.datasets.record import Dataset, RawTable, Replay, Sample, day_of
from etl.input_specs import Col, D, F, I, InputSpec, S
from etl.market import shanghai_today
from etl.sources.live import ymd

STOCK_US_HIST = InputSpec(
    "stock_us_hist",
    (
        Col("symbol", "symbol", S, nullable=False),  # Eastmoney code, e.g. 105.NVDA (the request argument)
        Col("日期", "us_trade_date", D, nullable=False),
        Col("开盘", "open", F, "USD"),
        Col("收盘", "close", F, "USD"),
        Col("最高", "high", F, "USD"),
        Col("最低", "low", F, "USD"),
        Col("成交量", "volume_shares", I, "shares"),
        Col("成交额", "amount_usd", F, "USD"),
        Col("振幅", "amplitude_pct", F, "%"),
        Col("涨跌幅", "pct_change", F, "%"),
        Col("涨跌额", "change", F, "USD"),
        Col("换手率", "turnover_pct", F, "%"),
    ),
)


def fetch_us_bars(live, dataset, request):
    """request.symbols from request.start to today; one landing file per US session, as the recording."""
    live.start_run()
    end = shanghai_today()
    frame = live.call_each(
        dataset,
        request.symbols,
        lambda symbol: {"symbol": symbol, "start_date": ymd(request.start), "end_date": ymd(end), **dataset.arguments},
        hint=": check the 105./106. market prefix",
    )
    keys = frame["日期"].astype(str).str.slice(0, 10)
    arguments = {"symbols": list(request.symbols), "adjust": dataset.arguments["adjust"]}
    return [
        live.land_capture(dataset, frame[keys.values == day], arguments, day)
        for day in sorted({dt.date.fromisoformat(k).isoformat() for k in keys})
    ]


US_BARS = Dataset(
    "stock_us_hist",
    STOCK_US_HIST,
    RawTable("raw.us_bars_daily", grain=("us_trade_date", "symbol")),
    kind="snapshot",  # landed per US session, but fetched as a whole history from us_start_date
    replay=Replay.ALL,
    fetch=fetch_us_bars,
    arguments={"period": "daily", "adjust": "qfq"},
    sample=Sample(day_of("日期"), {"period": "daily"}, recorded_at=dt.date(2026, 5, 31)),
)

# akshare 1.19.5 index/index_us_sina.py: Sina's whole daily history of a US index, decoded from its JS file;
# no symbol column (the request argument is recorded as `symbol`).
INDEX_US_STOCK_SINA = InputSpec(
    "index_us_stock_sina",
    (
        Col("symbol", "symbol", S, nullable=False),  # .IXIC, .NDX, .INX, .DJI
        Col("date", "us_trade_date", D, nullable=False),
        Col("open", "open", F, "index points"),
        Col("high", "high", F, "index points"),
        Col("low", "low", F, "index points"),
        Col("close", "close", F, "index points"),
        Col("volume", "volume_shares", I, "shares"),
        Col("amount", "amount_usd", F, "USD"),
    ),
)


def fetch_us_indices(live, dataset, request):
    """request.symbols: Sina index codes (etl/config/tracking.yaml us_indices); the whole history, one capture
    a day; staging keeps the latest capture of each session."""
    live.start_run()
    frame = live.call_each(dataset, request.symbols, lambda symbol: {"symbol": symbol})
    return [live.land_capture(dataset, frame, {"symbols": list(request.symbols)}, shanghai_today().isoformat())]


US_INDICES = Dataset(
    "index_us_stock_sina",
    INDEX_US_STOCK_SINA,
    RawTable("raw.us_index_daily", grain=("us_trade_date", "symbol")),
    kind="snapshot",
    replay=Replay.NONE,
    fetch=fetch_us_indices,
    note="not in the recording: the long-horizon marts use QQQ from stock_us_hist as a labelled proxy",
)
