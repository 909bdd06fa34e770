"""The whole market's day from one snapshot: `stock_zh_a_spot_em`, ~55 pages of 100 stocks, instead of one
`stock_zh_a_hist` request per stock (5,400 of them at eastmoney's 1 s interval: 1.5 hours).

The snapshot is the session's bars only after the session has settled: on a closed day it still shows the
last session's prices (landed as today's they would be a second copy of that session), and before 15:30 it
shows intraday prices (STAR and ChiNext trade after-hours at the close until 15:30, changing volume and
amount). Both are refused with the reason, and the run falls back to per-stock history for the session.

akshare names the snapshot's columns by position over the JSON payload's key order (akshare-notes.md §0.3), so
an upstream change in that order does not raise: it shifts labels, and 昨收 may hold a market cap. The
column order is checked against akshare 1.19.5's, and relations any real snapshot satisfies (the latest price
is the previous close plus the change; it lies between the low and the high; a float cap is at most the total
cap) are checked on the whole frame: a shifted column breaks them on most rows, a bad row on a few (the
staging gate's business).
"""

from __future__ import annotations

import datetime as dt

from etl.input_specs import LOT_SHARES, Col, F, I, InputSpec, S
from etl.market import PRICE_TICK, SHANGHAI, is_trading_day
from etl.sources.base import SnapshotRefused
from etl.sources.gateway import SchemaDriftError

FUNCTION = "stock_zh_a_spot_em"
SETTLED = dt.time(15, 30)  # after-hours fixed-price trading (STAR, ChiNext) ends at 15:30

STOCK_ZH_A_SPOT_EM = InputSpec(
    FUNCTION,
    (
        Col("序号", "rank_by_pct_change", I),  # the row's rank by % change today, not an id
        Col("代码", "symbol", S, zfill=6, nullable=False),
        Col("名称", "name", S),
        Col("最新价", "close", F, "CNY"),
        Col("涨跌幅", "pct_change", F, "%"),
        Col("涨跌额", "change", F, "CNY"),
        Col("成交量", "volume_shares", I, "shares (akshare: 手 = 100 shares)", factor=LOT_SHARES),
        Col("成交额", "amount_cny", F, "CNY"),
        Col("振幅", "amplitude_pct", F, "%"),
        Col("最高", "high", F, "CNY"),
        Col("最低", "low", F, "CNY"),
        Col("今开", "open", F, "CNY"),
        Col("昨收", "prev_close_cny", F, "CNY: the exchange's reference previous close (ex-rights)"),
        Col("量比", "volume_ratio", F),
        Col("换手率", "turnover_pct", F, "%"),
        Col("市盈率-动态", "pe_dynamic", F, "ratio: price / annualised latest-quarter EPS", words_as_null=True),
        Col("市净率", "pb", F, "ratio", words_as_null=True),
        Col("总市值", "market_cap_cny", F, "CNY"),
        Col("流通市值", "float_cap_cny", F, "CNY"),
        Col("涨速", "speed_pct", F, "%"),
        Col("5分钟涨跌", "change_5min_pct", F, "%"),
        Col("60日涨跌幅", "change_60d_pct", F, "%"),
        Col("年初至今涨跌幅", "change_ytd_pct", F, "%"),
    ),
)
COLUMNS = [c.source for c in STOCK_ZH_A_SPOT_EM.columns]  # in akshare 1.19.5's order

STALE_SHARE = 0.5  # more than half the stocks at the last held session's close and volume: that session again
DRIFT_SHARE = 0.05  # a relation broken on more than 5 % of the traded rows: the columns have shifted
RELATION_TOLERANCE = 0.011  # CNY: prices and changes come rounded to the 0.01 tick


def settled_session(now: dt.datetime) -> dt.date:
    """The session a snapshot taken at `now` is the bars of, or SnapshotRefused saying why it is none."""
    local = now.astimezone(SHANGHAI)
    day = local.date()
    if not is_trading_day(day):
        raise SnapshotRefused(
            f"{FUNCTION} at {local:%Y-%m-%d %H:%M} CST: {day:%A} {day} is not an SSE session, so the snapshot "
            "still shows the last session's prices; landed as this day's bars they would be a second copy of it"
        )
    if local.time() < SETTLED:
        raise SnapshotRefused(
            f"{FUNCTION} at {local:%H:%M} CST on {day}: before {SETTLED:%H:%M}, when the session settles "
            "(after-hours trading on STAR and ChiNext runs to 15:30), the snapshot holds intraday prices"
        )
    return day


def check_layout(frame) -> None:
    """SchemaDriftError when the snapshot's columns are not akshare 1.19.5's, in its order, or when relations
    every real snapshot satisfies fail on most rows (a positional label shifted onto another field)."""
    got = [str(c) for c in frame.columns]
    if got != COLUMNS:
        if sorted(got) == sorted(COLUMNS):
            moved = [f"{i}: {g} (expected {e})" for i, (g, e) in enumerate(zip(got, COLUMNS, strict=True)) if g != e]
            raise SchemaDriftError(f"{FUNCTION}: columns in another order than akshare 1.19.5's: {', '.join(moved)}")
        raise SchemaDriftError(
            f"{FUNCTION}: columns differ from akshare 1.19.5's: missing {sorted(set(COLUMNS) - set(got))}, "
            f"unexpected {sorted(set(got) - set(COLUMNS))}"
        )
    import polars as pl

    from etl.input_specs import to_polars

    df = to_polars(frame[["代码", "最新价", "昨收", "涨跌额", "最高", "最低", "总市值", "流通市值"]]).fill_nan(None)
    traded = df.filter(pl.col("最新价").is_not_null())
    if traded.height == 0:
        raise SchemaDriftError(f"{FUNCTION}: no row has a latest price (最新价) among {df.height}")
    close, prev, change = pl.col("最新价"), pl.col("昨收"), pl.col("涨跌额")
    relations = {
        "代码 is six digits": pl.col("代码").cast(pl.String).str.contains(r"^[0-9]{6}$"),
        "最新价 = 昨收 + 涨跌额": (close - prev - change).abs() <= RELATION_TOLERANCE,
        "最低 <= 最新价 <= 最高": (pl.col("最低") <= close) & (close <= pl.col("最高")),
        "流通市值 <= 总市值": pl.col("流通市值") <= pl.col("总市值") * 1.000001,
    }
    broken = []
    for name, holds in relations.items():
        result = traded.select(holds.alias("ok"))["ok"]
        judged = result.len() - result.null_count()
        failed = judged - int(result.sum() or 0)
        if judged and failed > DRIFT_SHARE * judged:
            broken.append(f"{name} fails on {failed} of {judged} rows")
    if broken:
        raise SchemaDriftError(
            f"{FUNCTION}: the labels akshare gives by position no longer fit the values ({'; '.join(broken)}); "
            "upstream changed its field order: upgrade akshare or the input spec"
        )


def check_fresh(frame, day: dt.date, held) -> None:
    """SnapshotRefused when the snapshot still shows the last session held: a cached page, or a closure no
    calendar declared, served after 15:30 on a session day. `held`: that session's unadjusted bars
    (trade_date, symbol, close, volume_shares) from staging; none held, nothing to compare.

    On a real new session hardly a stock ends at yesterday's close with yesterday's volume to the share; on a
    repeated page nearly all do. The volume is what tells a stale copy from a quiet stock."""
    import polars as pl

    from etl.input_specs import to_polars

    if held is None or held.height == 0:
        return
    shown = to_polars(frame[["代码", "最新价", "成交量"]]).fill_nan(None)
    shown = shown.select(
        symbol=pl.col("代码").cast(pl.String),
        shown_close=pl.col("最新价").cast(pl.Float64),
        shown_volume=(pl.col("成交量").cast(pl.Float64) * LOT_SHARES).round(0),
    ).filter(pl.col("shown_close").is_not_null(), pl.col("shown_volume") > 0)
    both = shown.join(held.select("symbol", "close", "volume_shares"), on="symbol", how="inner")
    if both.height == 0:
        return
    repeated = both.filter(
        ((pl.col("shown_close") - pl.col("close")).abs() < PRICE_TICK / 2)
        & (pl.col("shown_volume") == pl.col("volume_shares").cast(pl.Float64))
    ).height
    if repeated > STALE_SHARE * both.height:
        last = held["trade_date"].max()
        raise SnapshotRefused(
            f"{FUNCTION} at {day}: stale: {repeated} of {both.height} traded stocks show the close and volume "
            f"held for {last}, the last session stored; the page is that session again (a cached copy, or a "
            f"closure no calendar declared), not {day}'s"
        )
