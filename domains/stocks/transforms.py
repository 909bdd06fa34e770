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
# An ex-date's reference previous close against the close held, undeclared: a cash dividend lowers it by the
# cash per share, and no A-share pays 20 % of its price in cash; a bonus or transfer issue (10送10: 0.5) goes
# lower and is declared in the stock's dividend plan (stock_fhps_em) first.
FACTOR_FLOOR = 0.8
# The shares a snapshot's total cap implies (cap ÷ close) against the previous session's: a bonus issue of up
# to 10送20 triples them; a cap ×10 or in another unit is far outside
CAP_SHARES_BAND = 3.0
EVENT_GAP = PRICE_TICK / 2  # a reference within half a tick of the close held is no event (rounding)


def plan_references(plans: pl.DataFrame | None) -> pl.DataFrame:
    """Declared dividend plans (symbol, ex_date, cash_dividend_per_share_cny, bonus_per10, transfer_per10) ->
    one row per stock and ex-date: cash per share and new shares per share (two plans on one ex-date add up)."""
    schema = {"symbol": pl.String, "trade_date": pl.Date, "__plan_cash": pl.Float64, "__plan_shares": pl.Float64}
    if plans is None or plans.height == 0:
        return pl.DataFrame(schema=schema)
    return (
        plans.filter(pl.col("ex_date").is_not_null())
        .group_by("symbol", pl.col("ex_date").alias("trade_date"))
        .agg(
            __plan_cash=pl.col("cash_dividend_per_share_cny").fill_null(0.0).sum(),
            __plan_shares=((pl.col("bonus_per10").fill_null(0.0) + pl.col("transfer_per10").fill_null(0.0)) / 10).sum(),
        )
        .select(list(schema))
    )


def stock_bar_candidates(
    raw: pl.DataFrame,
    names: pl.DataFrame,
    first_seen: pl.DataFrame,
    warehouse_start,
    stored_closes: pl.DataFrame | None = None,
    plans: pl.DataFrame | None = None,
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
      run, else `stored_closes`: symbol, adjust, stored_close, stored_date, stored_cap), beyond the same band.
      This is the rule that sees a wrong close when the source's own change fields are missing or wrong with it.
    - check_reference_positive: an unadjusted bar's reference previous close (the snapshot's 昨收, else close
      - change) is positive: a change equal to the close states a reference of 0;
    - check_prev_close_gap: on a snapshot bar, 昨收 + 涨跌额 against 最新价 (CNY);
    - check_float_over_total: 流通市值 ÷ 总市值 (at most 1), check_cap_shares_ratio: the shares the total cap
      implies (cap ÷ close) against those of the session before, where both are known (stored_cap);
    - check_pe_present: a snapshot bar's PE is a number (a loss-making stock's is a word or "-": null);
    - check_reference_factor / check_reference_floor: where an unadjusted bar's reference differs from the close
      we hold for the session before (an ex-date, as marts.stock_adjustment_factors derives it), reference ÷
      close held, unless the stock's declared plans (`plans`, staging.dividends) give that reference. The
      factor must not exceed 1 (no event raises the reference), nor fall below FACTOR_FLOOR unless a bonus or
      transfer issue is declared: a wrong 昨收 or 涨跌额 would otherwise be published as a factor.
    Declared exceptions (null: not judged): a new listing's first NEW_LISTING_SESSIONS sessions (no limit);
    a bar whose previous close we hold is not from the session before (a suspension, or a day missing or
    refused: a stale reference would judge several sessions' moves as one). A bar whose source states another
    previous close (close - change differs from ours by more than REFERENCE_GAP) is judged by the close jump
    against that reference when the reference is a plausible ex-date (the factor rules' bounds, or a declared
    plan), against the close held when it is not; on forward-adjusted history (re-based by later events) the
    stated reference is not judged."""
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
            schema={
                "symbol": pl.String,
                "adjust": pl.String,
                "stored_close": pl.Float64,
                "stored_date": pl.Date,
                "stored_cap": pl.Float64,
            }
        )
    )
    by_stock = dict(partition_by=["symbol", "adjust"], order_by="trade_date")
    held_prev = pl.col("close").shift(1).over(**by_stock).fill_null(pl.col("stored_close"))
    held_date = pl.col("trade_date").shift(1).over(**by_stock).fill_null(pl.col("stored_date"))
    cap = pl.col("market_cap_cny") if "market_cap_cny" in raw.columns else pl.lit(None, pl.Float64)
    float_cap = pl.col("float_cap_cny") if "float_cap_cny" in raw.columns else pl.lit(None, pl.Float64)
    shares = pl.col("__cap") / pl.col("close")  # what the total cap implies
    held_shares = shares.shift(1).over(**by_stock).fill_null(pl.col("stored_cap") / pl.col("stored_close"))
    finite_positive = pl.all_horizontal([(pl.col(c) > 0) & pl.col(c).is_finite() for c in PRICES])
    declares_other_reference = pl.col("change").is_not_null() & (
        (stated_prev - pl.col("__held_prev")).abs() > REFERENCE_GAP * pl.col("__held_prev")
    )
    unadjusted_row = pl.col("adjust") == "none"
    snapshot_prev = pl.col("prev_close_cny") if "prev_close_cny" in raw.columns else pl.lit(None, pl.Float64)
    reference = pl.coalesce(snapshot_prev, stated_prev)  # as marts.stock_adjustment_factors takes it
    from_session_before = (pl.col("__held_prev") > 0) & ((rank("trade_date") - rank("__held_date")) == 1)
    factor = reference / pl.col("__held_prev")
    plan_reference = (pl.col("__held_prev") - pl.col("__plan_cash")) / (1 + pl.col("__plan_shares"))
    explained = (
        (reference - plan_reference).abs() <= pl.max_horizontal(2 * PRICE_TICK, 0.005 * pl.col("__held_prev"))
    ).fill_null(False)
    judged_event = (
        unadjusted_row
        & ~exempt
        & from_session_before.fill_null(False)
        & (reference > 0).fill_null(False)
        & ((reference - pl.col("__held_prev")).abs() > EVENT_GAP).fill_null(False)
        & ~explained
    )
    bonus_declared = (pl.col("__plan_shares") > 0).fill_null(False)
    within_bounds = (factor <= 1 + EVENT_GAP / pl.col("__held_prev")) & ((factor >= FACTOR_FLOOR) | bonus_declared)
    plausible_reference = pl.when(unadjusted_row).then((reference > 0).fill_null(False) & (explained | within_bounds))
    plausible_reference = plausible_reference.otherwise(True)
    unadjusted = (
        raw.filter(pl.col("adjust") == "none")
        .group_by("trade_date", "symbol")
        .agg(__ref_low=pl.col("low").min(), __ref_high=pl.col("high").max())
    )
    vwap = pl.col("amount_cny") / pl.col("volume_shares")
    vwap_gap = pl.max_horizontal(pl.col("__ref_low") - vwap, vwap - pl.col("__ref_high"), pl.lit(0.0))
    return (
        banded.join(
            stored.select("symbol", "adjust", "stored_close", "stored_date", "stored_cap"),
            on=["symbol", "adjust"],
            how="left",
        )
        .join(unadjusted, on=["trade_date", "symbol"], how="left")
        .join(plan_references(plans), on=["trade_date", "symbol"], how="left")
        .with_columns(__cap=cap)
        .with_columns(__held_prev=held_prev, __held_date=held_date, __held_shares=held_shares)
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
            check_float_over_total=pl.when(pl.col("__cap") > 0).then(float_cap / pl.col("__cap")),
            check_cap_shares_ratio=pl.when(
                from_session_before.fill_null(False) & (pl.col("__held_shares") > 0) & (pl.col("close") > 0)
            ).then(pl.col("__cap") / pl.col("close") / pl.col("__held_shares")),
            check_pe_present=pl.when(snapshot_prev.is_not_null()).then(
                pl.col("pe_dynamic").is_not_null() if "pe_dynamic" in raw.columns else pl.lit(False)
            ),
            check_reference_positive=pl.when(unadjusted_row & reference.is_not_null()).then(reference > 0),
            check_prev_close_gap=(pl.col("close") - snapshot_prev - pl.col("change")).abs(),
            check_reference_factor=pl.when(judged_event).then(factor),
            check_reference_floor=pl.when(judged_event & ~bonus_declared).then(factor),
            check_close_jump_excess_pct=pl.when(exempt | ~from_session_before.fill_null(False))
            .then(None)
            .when(declares_other_reference.fill_null(False) & plausible_reference)
            # an ex-date: the move is judged against the reference the source states (qfq: not judged)
            .then(
                pl.when(unadjusted_row).then(
                    (100 * (pl.col("close") / reference - 1)).round(2).abs() - tolerance(reference)
                )
            )
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
            "check_float_over_total",
            "check_cap_shares_ratio",
            "check_pe_present",
            "check_reference_positive",
            "check_prev_close_gap",
            "check_reference_factor",
            "check_reference_floor",
            "check_close_jump_excess_pct",
        )
    )
