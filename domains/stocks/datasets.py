"""A-shares: the listed universe (snapshots), daily bars per stock (per session; forward-adjusted only as
recorded, unadjusted live) and the day's whole market in one snapshot (live, after the close)."""

from __future__ import annotations

import datetime as dt

from domains.stocks import spot
from etl import market
from etl.datasets.record import Dataset, RawTable, Replay, Sample, day_of
from etl.input_specs import LOT_SHARES, Col, D, F, I, InputSpec, S
from etl.market import shanghai_today
from etl.sources.base import SourceError
from etl.sources.gateway import SourceBlockedError
from etl.sources.live import NoRowsForDays, ymd

# --- the universe ------------------------------------------------------------------------------------------

STOCK_INFO_A_CODE_NAME = InputSpec(
    "stock_info_a_code_name",
    (
        Col("code", "symbol", S, zfill=6, nullable=False),
        Col("name", "name", S, nullable=False),
    ),
)


def fetch_universe(live, dataset, request):
    live.start_run()
    frame = live.call(dataset.function)
    if frame is None or len(frame) == 0:
        raise SourceBlockedError(f"{dataset.function} returned no rows")
    return [live.land_capture(dataset, frame, {}, shanghai_today().isoformat())]


UNIVERSE = Dataset(
    "stock_info_a_code_name",
    STOCK_INFO_A_CODE_NAME,
    RawTable(
        "raw.stock_universe",
        {"snapshot_date": "DATE NOT NULL"},
        grain=("snapshot_date", "symbol"),
        note="every snapshot kept",
    ),
    kind="snapshot",
    replay=Replay.LATEST,
    fetch=fetch_universe,
    sample=Sample(None, snapshot=dt.date(2026, 1, 3)),
)

# --- daily bars ------------------------------------------------------------------------------------------

STOCK_ZH_A_HIST = InputSpec(
    "stock_zh_a_hist",
    (
        Col("日期", "trade_date", D, nullable=False),
        Col("股票代码", "symbol", S, zfill=6, nullable=False),
        Col("开盘", "open", F, "CNY"),
        Col("收盘", "close", F, "CNY"),
        Col("最高", "high", F, "CNY"),
        Col("最低", "low", F, "CNY"),
        Col("成交量", "volume_shares", I, "shares (akshare: 手 = 100 shares)", factor=LOT_SHARES),
        Col("成交额", "amount_cny", F, "CNY"),
        Col("振幅", "amplitude_pct", F, "%"),
        Col("涨跌幅", "pct_change", F, "%"),
        Col("涨跌额", "change", F, "CNY"),
        Col("换手率", "turnover_pct", F, "%"),
    ),
)

# partition_date: the landing partition a row arrived in; staging checks it against the row's trade_date
STOCK_BARS = RawTable(
    "raw.stock_bars_daily",
    {"adjust": "VARCHAR NOT NULL", "partition_date": "DATE NOT NULL"},
    grain=("trade_date", "symbol", "adjust"),
    note="adjust = qfq (forward-adjusted) or none",
)


def fetch_bars(live, dataset, request):
    """One call per symbol over the whole range (akshare filters dates server-side), after a canary that
    tells "blocked" from "no data"; an empty answer for one symbol is that symbol's (suspended, delisted)."""
    import pandas as pd

    days = sorted(request.days)
    live.start_run()
    live.canary(days[-1])
    wanted = live.symbols or list(request.symbols)
    if not wanted:
        raise SourceError("no symbols to fetch: materialise the stock universe first")
    frames, empty = [], []
    for symbol in wanted:
        frame = live.call(
            dataset.function, symbol=symbol, start_date=ymd(days[0]), end_date=ymd(days[-1]), **dataset.arguments
        )
        if frame is None or len(frame) == 0:
            empty.append(symbol)
            continue
        if "股票代码" not in frame.columns:  # older akshare layouts had no code column
            frame = frame.assign(股票代码=symbol)
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    try:
        return live.land_by_day(
            dataset,
            frame,
            date_column="日期",
            days=days,
            arguments={
                "adjust": dataset.arguments["adjust"],
                "symbols": len(wanted),
                "no_data_count": len(empty),
                "no_data": empty[:50],
                "start_date": ymd(days[0]),
                "end_date": ymd(days[-1]),
            },
        )
    except NoRowsForDays:
        if frames:
            raise  # rows, none dated as asked: the source's fault, not a closure
        # the canary answered for the sessions before, every stock nothing for these: the exchange was closed
        # (a closure no calendar knows). Nothing lands; the gate refuses the days as empty, without retries.
        return []


# Forward-adjusted history is re-based by the source at every ex-date, so a stored qfq partition goes stale the
# day a stock pays a dividend; the live source fetches only unadjusted bars, and adjustment is derived from them
# (marts.stock_adjustment_factors). The recording's qfq bars stay: they are what the sample has for most stocks.
BARS_QFQ = Dataset(
    "stock_zh_a_hist",
    STOCK_ZH_A_HIST,
    STOCK_BARS,
    kind="range",
    replay=Replay.DAYS,
    fetch=None,
    arguments={"period": "daily", "adjust": "qfq"},
    labels={"adjust": "qfq"},
    sample=Sample(day_of("日期"), {"period": "daily", "adjust": "qfq"}, recorded_at=dt.date(2026, 2, 19)),
    note="recorded only: the live source derives adjustment from unadjusted bars instead of fetching qfq",
)
BARS_UNADJUSTED = Dataset(
    "stock_zh_a_hist_unadjusted",
    STOCK_ZH_A_HIST,
    STOCK_BARS,
    kind="range",
    replay=Replay.DAYS,
    fetch=fetch_bars,
    arguments={"period": "daily", "adjust": ""},
    labels={"adjust": "none"},
    sample=Sample(day_of("日期"), {"period": "daily", "adjust": ""}, recorded_at=dt.date(2026, 1, 3)),
)


# --- the day's whole market ------------------------------------------------------------------------------

SPOT = RawTable(
    "raw.stock_spot_daily",
    {"partition_date": "DATE NOT NULL"},
    grain=("partition_date", "symbol"),
    note="one stock_zh_a_spot_em snapshot per session, taken after it settled; suspended stocks have no prices",
)


def spot_coverage() -> tuple[dt.date, dt.date] | None:
    """Today, once today's session has settled; otherwise nothing (the snapshot shows another day's prices)."""
    try:
        day = spot.settled_session(market.shanghai_now())
    except SourceError:
        return None
    return day, day


def fetch_spot(live, dataset, request):
    """The whole market in one paginated call (~55 requests), landed as the session it shows; refused on a
    closed day, before the session settled, when its positional labels no longer fit the values, or when it
    still shows the last session held (`request.held`)."""
    day = spot.settled_session(market.shanghai_now())
    if day not in request.days:
        return []
    live.start_run()
    frame = live.call(dataset.function)
    if frame is None or len(frame) == 0:
        raise SourceBlockedError(f"{dataset.function} returned no rows")
    spot.check_layout(frame)
    spot.check_fresh(frame, day, request.held)
    return [live.land_capture(dataset, frame, {"session": day.isoformat()}, day.isoformat())]


SPOT_DAILY = Dataset(
    spot.FUNCTION,
    spot.STOCK_ZH_A_SPOT_EM,
    SPOT,
    kind="range",
    replay=Replay.NONE,
    fetch=fetch_spot,
    live_coverage=spot_coverage,
    note="live only, after the close: akshare serves the current snapshot, so no past session can be fetched",
)
