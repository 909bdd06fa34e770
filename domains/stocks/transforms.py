"""Stocks: raw -> staging. The universe (listing board from the code, ST flag from the name, the price-limit
band from both), the name history, and the daily bars with their row checks."""

import polars as pl

from etl.gate.references import PROVENANCE
from etl.market import PRICE_TICK, classify, is_st, limit_pct


def stage_universe(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(one row per code, rows set aside). A code listed twice keeps its first row as akshare lists it; the
    repeats are set aside as `duplicate_code` (quarantining every copy would drop the stock from the universe,
    and so from every later fetch of bars)."""
    from etl.gate.quarantine import split

    raw = raw.with_row_index("__order")
    raw, repeated = split(
        raw, {"duplicate_code": (pl.col("__order") != pl.col("__order").min().over("symbol"), pl.col("name"))}
    )
    raw, repeated = raw.drop("__order"), repeated.drop("__order")
    exchange, board, band = classify(pl.col("symbol"))
    out = raw.with_columns(exchange=exchange, listing_board=board, is_st=is_st(pl.col("name"))).with_columns(
        price_limit_pct=limit_pct(pl.col("listing_board"), band, pl.col("is_st")),
    )
    return out, repeated  # codes with no known prefix are quarantined by the suite (invalid_code)


def name_history(snapshots: pl.DataFrame) -> pl.DataFrame:
    """Universe snapshots -> one row per (symbol, name) run: ST flags and renames kept with dates."""
    from etl.history import intervals

    hist = intervals(snapshots.select("symbol", "name", "snapshot_date"), keys=["symbol"], values=["name"])
    return hist.with_columns(is_st=is_st(pl.col("name"))).select("symbol", "name", "is_st", "valid_from", "valid_to")


def price_limit_band(bars: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    """Each bar's daily price-limit band (percent) from the listing board and the ST flag in force that day.
    Before the first universe snapshot the earliest one is used (`name_as_of` shows which)."""
    _, board, band = classify(pl.col("symbol"))
    first = history.group_by("symbol").agg(pl.col("valid_from").min().alias("__first"))
    h = (
        history.join(first, on="symbol")
        .with_columns(
            __from=pl.when(pl.col("valid_from") == pl.col("__first"))
            .then(pl.date(1900, 1, 1))
            .otherwise(pl.col("valid_from"))
        )
        .sort("__from")
    )
    out = (
        bars.sort("trade_date")
        .join_asof(
            h.select("symbol", "is_st", "__from", pl.col("valid_from").alias("name_as_of")),
            left_on="trade_date",
            right_on="__from",
            by="symbol",
            strategy="backward",
            check_sortedness=False,
        )
        .drop("__from")
    )
    return out.with_columns(
        price_limit_pct=limit_pct(board, band, pl.col("is_st")),
        board_limit_pct=band,
    )


STOCK_BAR_COLUMNS = [
    "trade_date",
    "symbol",
    "adjust",
    "open",
    "high",
    "low",
    "close",
    "volume_shares",
    "amount_cny",
    "amplitude_pct",
    "pct_change",
    "change",
    "turnover_pct",
    *PROVENANCE,
]


# What the day's market snapshot adds to a bar (null on bars from per-stock history)
SPOT_VALUES = ("prev_close_cny", "market_cap_cny", "float_cap_cny", "pe_dynamic", "pb")


def spot_bars(spot: pl.DataFrame, hist_days) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Snapshot rows (raw.stock_spot_daily) -> (unadjusted bars of the sessions per-stock history did not give,
    rows set aside, rows superseded). A stock suspended all day comes with no prices (Eastmoney sends "-"):
    set aside as `suspended_in_snapshot`, kept in raw, never staged as a bar of zeros. A session that history
    gave as well (a repair fetched after the snapshot) takes history's bars; the snapshot's are superseded."""
    from etl.gate.quarantine import split

    if spot.height == 0:
        return spot.head(0), spot.head(0), 0
    superseded = spot.filter(pl.col("partition_date").is_in(list(hist_days)))
    spot = spot.filter(~pl.col("partition_date").is_in(list(hist_days)))
    bars = spot.with_columns(trade_date=pl.col("partition_date"), adjust=pl.lit("none"))
    suspended = pl.col("close").is_null() & (pl.col("volume_shares").fill_null(0) == 0)
    bars, aside = split(bars, {"suspended_in_snapshot": (suspended, pl.col("name"))})
    keep = [*STOCK_BAR_COLUMNS, "partition_date", *SPOT_VALUES]
    return bars.select(keep), aside.select(*keep, "rule", "value"), superseded.height


QFQ_ALLOWANCE_PCT = 0.5


NEW_LISTING_SESSIONS = 5  # no price limit on a new listing's first sessions (ChiNext/STAR: 5; main board: day 1)


PRICES = ("open", "high", "low", "close")


REFERENCE_GAP = 0.01  # the source's previous close (close - change) differs from ours by more: it declares another


def stock_bar_candidates(
    raw: pl.DataFrame,
    names: pl.DataFrame,
    first_seen: pl.DataFrame,
    warehouse_start,
    stored_closes: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Raw bars with the columns the suite checks:
    - check_prices_ok: open, high, low and close finite and positive (nulls are the not-null rules' business);
    - check_band_excess_pct: |pct_change| beyond the stock's price-limit band that day;
    - check_pct_change_gap: pct_change against 100 × change / (close - change);
    - check_volume_for_amount: no turnover without volume (a bar with volume 0 and an amount is garbage);
    - check_vwap_gap_pct: the day's average price, amount ÷ volume, outside the unadjusted [low, high] of the
      same stock and day (the row's own on the unadjusted basis; on the qfq basis the unadjusted row's, where
      the run has one), in percent of the low: an amount ×10 or a volume in lots instead of shares;
    - check_close_jump_excess_pct: the close against the previous close *we hold* (the bar before in the
      run, else `stored_closes`: symbol, adjust, stored_close, stored_date), beyond the same band. This is the
      rule that sees a wrong close when the source's own change fields are missing or wrong with it.
    Declared exceptions (null: not judged): a new listing's first NEW_LISTING_SESSIONS sessions (no limit);
    for the close jump, a bar whose source states another previous close (close - change differs from ours
    by more than REFERENCE_GAP: ex-rights days and re-based qfq history, whose move the band and consistency
    rules judge against the source's reference), and a bar whose previous close we hold is not from the
    session before (a suspension, or a day missing or refused: a stale reference would judge several
    sessions' moves as one)."""
    from etl.market import sessions_between

    banded = price_limit_band(raw, names.select("symbol", "is_st", "valid_from", "valid_to"))
    seen = first_seen.rename({"first_date": "__first"})
    banded = banded.join(seen, on="symbol", how="left")
    new = pl.col("__first") > warehouse_start
    last = raw["trade_date"].max() or warehouse_start
    sessions = {d: i for i, d in enumerate(sessions_between(warehouse_start, max(last, warehouse_start)))}

    def rank(column: str) -> pl.Expr:  # session number since the warehouse's first
        return pl.col(column).replace_strict(sessions, default=None, return_dtype=pl.Int64)

    exempt = (new & ((rank("trade_date") - rank("__first")) < NEW_LISTING_SESSIONS)).fill_null(False)
    stated_prev = pl.col("close") - pl.col("change")
    # A flag seen only in a later snapshot (name_as_of after the bar) may not have applied yet: check
    # against the wider, non-ST band rather than quarantine a real move for the look-ahead's sake.
    band = (
        pl.when(pl.col("name_as_of") > pl.col("trade_date"))
        .then(pl.col("board_limit_pct"))
        .otherwise(pl.col("price_limit_pct"))
    )

    def tolerance(prev: pl.Expr) -> pl.Expr:
        # Limit prices are rounded to the 0.01 tick, and forward-adjusted prices are rescaled and rounded
        # again: a close at the limit can show up to ~1.5 ticks of the stock's own price beyond the band.
        # Eastmoney's qfq subtracts past dividends from prices, so qfq percentages run above the raw ones
        # by the dividends' share of the price: QFQ_ALLOWANCE_PCT more on forward-adjusted rows.
        allowance = pl.when(pl.col("adjust") == "qfq").then(QFQ_ALLOWANCE_PCT).otherwise(0.0)
        return band + 100 * 1.5 * PRICE_TICK / prev + allowance

    stored = (
        stored_closes
        if stored_closes is not None
        else pl.DataFrame(
            schema={"symbol": pl.String, "adjust": pl.String, "stored_close": pl.Float64, "stored_date": pl.Date}
        )
    )
    by_stock = dict(partition_by=["symbol", "adjust"], order_by="trade_date")
    held_prev = pl.col("close").shift(1).over(**by_stock).fill_null(pl.col("stored_close"))
    held_date = pl.col("trade_date").shift(1).over(**by_stock).fill_null(pl.col("stored_date"))
    finite_positive = pl.all_horizontal([(pl.col(c) > 0) & pl.col(c).is_finite() for c in PRICES])
    declares_other_reference = pl.col("change").is_not_null() & (
        (stated_prev - pl.col("__held_prev")).abs() > REFERENCE_GAP * pl.col("__held_prev")
    )
    unadjusted = (
        raw.filter(pl.col("adjust") == "none")
        .group_by("trade_date", "symbol")
        .agg(__ref_low=pl.col("low").min(), __ref_high=pl.col("high").max())
    )
    vwap = pl.col("amount_cny") / pl.col("volume_shares")
    vwap_gap = pl.max_horizontal(pl.col("__ref_low") - vwap, vwap - pl.col("__ref_high"), pl.lit(0.0))
    return (
        banded.join(
            stored.select("symbol", "adjust", "stored_close", "stored_date"), on=["symbol", "adjust"], how="left"
        )
        .join(unadjusted, on=["trade_date", "symbol"], how="left")
        .with_columns(__held_prev=held_prev, __held_date=held_date)
        .with_columns(
            check_prices_ok=finite_positive.fill_null(True),
            check_volume_for_amount=~((pl.col("volume_shares") == 0) & (pl.col("amount_cny") > 0)).fill_null(False),
            check_vwap_gap_pct=pl.when((pl.col("volume_shares") > 0) & (pl.col("__ref_low") > 0)).then(
                100 * vwap_gap / pl.col("__ref_low")
            ),
            check_band_excess_pct=pl.when(exempt)
            .then(None)
            .otherwise(pl.col("pct_change").abs() - tolerance(stated_prev)),
            check_pct_change_gap=pl.when(stated_prev != 0).then(
                (pl.col("pct_change") - 100 * pl.col("change") / stated_prev).abs()
            ),
            check_close_jump_excess_pct=pl.when(
                exempt
                | declares_other_reference.fill_null(False)
                | ~(pl.col("__held_prev") > 0)
                | ((rank("trade_date") - rank("__held_date")) != 1).fill_null(True)
            )
            .then(None)
            # rounded to 2 decimals as akshare's 涨跌幅 is: never stricter than the band rule on a bar
            # whose own fields agree with the close we hold
            .otherwise(
                (100 * (pl.col("close") / pl.col("__held_prev") - 1)).round(2).abs() - tolerance(pl.col("__held_prev"))
            ),
        )
        .select(
            *STOCK_BAR_COLUMNS,
            "partition_date",
            *[c for c in SPOT_VALUES if c in raw.columns],
            "check_prices_ok",
            "check_volume_for_amount",
            "check_vwap_gap_pct",
            "check_band_excess_pct",
            "check_pct_change_gap",
            "check_close_jump_excess_pct",
        )
    )
