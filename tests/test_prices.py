"""Adjustment derived from unadjusted bars (marts/prices): the ex-dates of the shipped sample give their
factors, and the adjusted series they make agrees with the recorded forward-adjusted (qfq) returns, once
Eastmoney's way of adjusting (subtracting later dividends from prices) is accounted for."""

import datetime as dt

import polars as pl
import pytest

from marts.prices.transforms import adjusted_closes, adjustment_factors
from tests.conftest import table

WINDOW = "trade_date BETWEEN '2025-01-22' AND '2025-02-07'"


def test_the_ex_dates_of_the_window_give_their_factors(built_warehouse):
    got = table(built_warehouse, "SELECT * FROM marts.stock_adjustment_factors ORDER BY ALL")
    # Shanxi Fenjiu and Yangtze Power went ex-dividend on 2025-01-24: the exchange's reference previous close
    # is the close before less the dividend per share (2.46 and 0.21 CNY)
    assert got.select("ex_date", "symbol", "prev_close_cny", "reference_close_cny").rows() == [
        (dt.date(2025, 1, 24), "600809", 177.08, 174.62),
        (dt.date(2025, 1, 24), "600900", 28.5, 28.29),
    ]
    assert got["adjustment_factor"].to_list() == pytest.approx([174.62 / 177.08, 28.29 / 28.5])
    assert set(got["reference_from"]) == {"stock_zh_a_hist: 收盘 − 涨跌额"}


def test_the_adjusted_series_agrees_with_the_recorded_qfq_returns(built_warehouse):
    bars = table(
        built_warehouse,
        f"SELECT trade_date, symbol, close, change, pct_change FROM staging.stock_bars_daily "
        f"WHERE adjust = 'none' AND symbol IN ('600809', '600900') AND {WINDOW}",
    )
    qfq = table(
        built_warehouse,
        f"SELECT trade_date, symbol, close AS qfq_recorded, pct_change AS qfq_pct FROM staging.stock_bars_daily "
        f"WHERE adjust = 'qfq' AND symbol IN ('600809', '600900') AND {WINDOW}",
    )
    factors = table(built_warehouse, "SELECT * FROM marts.stock_adjustment_factors")
    by_stock = dict(partition_by="symbol", order_by="trade_date")
    out = (
        adjusted_closes(bars, factors)
        .join(qfq, on=["trade_date", "symbol"])
        .sort("symbol", "trade_date")
        .with_columns(
            derived_pct=100 * (pl.col("qfq_close") / pl.col("qfq_close").shift(1).over(**by_stock) - 1),
            naive_pct=100 * (pl.col("close") / pl.col("close").shift(1).over(**by_stock) - 1),
            # Eastmoney's qfq subtracts later dividends: its return is the day's change over a lowered base
            em_pct=100 * pl.col("change") / pl.col("qfq_recorded").shift(1).over(**by_stock),
        )
        .drop_nulls("derived_pct")
    )
    ex = out.filter(pl.col("trade_date") == dt.date(2025, 1, 24))
    # the derived series keeps the dividend: the day's return is the exchange's, not the price drop
    assert ex["derived_pct"].to_list() == pytest.approx(ex["pct_change"].to_list(), abs=0.005)
    assert ex["naive_pct"].to_list() == pytest.approx([-1.8749, -1.0526], abs=1e-4)
    assert ex["qfq_pct"].to_list() == pytest.approx(ex["derived_pct"].to_list(), abs=0.02)
    # every day: the derived return is the unadjusted one against the reference (exact), and the recorded qfq
    # return is the same change over Eastmoney's lowered base (to its 0.01 rounding)
    assert (out["derived_pct"] - out["pct_change"]).abs().max() < 0.005
    assert (out["em_pct"] - out["qfq_pct"]).abs().max() < 0.011
    # and over the window the two agree within the share later dividends take of the price
    for symbol in ("600809", "600900"):
        s = out.filter(pl.col("symbol") == symbol)
        derived = s["qfq_close"][-1] / s["qfq_close"][0] - 1
        recorded = s["qfq_recorded"][-1] / s["qfq_recorded"][0] - 1
        scale = s["close"][0] / s["qfq_recorded"][0]  # close over qfq close: the later dividends' share
        assert abs(100 * (recorded - derived)) <= 100 * abs(derived) * (scale - 1) + 0.02


def test_a_factor_needs_a_reference_off_the_previous_close_by_more_than_rounding():
    bars = pl.DataFrame(
        {
            "trade_date": [dt.date(2025, 1, 23), dt.date(2025, 1, 24), dt.date(2025, 1, 27)],
            "symbol": ["600000"] * 3,
            "close": [10.0, 9.9, 10.0],
            "change": [0.1, 0.4, 0.1],  # 01-24: reference 9.5 after a 0.5 dividend; 01-27: rounding only
            "prev_close_cny_snapshot": [None, None, None],
            "source_function": ["stock_zh_a_hist"] * 3,
        },
        schema_overrides={"prev_close_cny_snapshot": pl.Float64},
    )
    before = pl.DataFrame({"symbol": ["600000"], "close": [9.9]})
    days = bars["trade_date"].to_list()
    got = adjustment_factors(bars, before, days)
    assert got.select("ex_date", "prev_close_cny", "reference_close_cny").rows() == [(dt.date(2025, 1, 24), 10.0, 9.5)]
    # the snapshot's 昨收 is the reference where the bar has one
    snap = bars.with_columns(prev_close_cny_snapshot=pl.Series([None, 9.5, 9.9]), change=pl.lit(None, pl.Float64))
    got = adjustment_factors(snap, before, days)
    assert got["reference_from"].to_list() == ["stock_zh_a_spot_em: 昨收"]
    closes = adjusted_closes(bars.select("trade_date", "symbol", "close"), got)
    assert closes["qfq_close"].to_list() == pytest.approx([10.0 * 0.95, 9.9, 10.0])
    assert closes["hfq_close"].to_list() == pytest.approx([10.0, 9.9 / 0.95, 10.0 / 0.95])


def test_a_declared_plan_gives_the_factor_of_an_ex_date_the_bar_does_not_show():
    """Part of the recording measures an ex-date's change against the actual previous close (600375 on
    2024-12-26): the bar shows no event; the plan's cash and new shares give the exchange's reference."""
    day = dt.date(2025, 6, 18)
    bars = pl.DataFrame(
        {
            "trade_date": [day],
            "symbol": ["600028"],
            "close": [5.76],
            "change": [-0.2],  # against the actual previous close 5.96: no event in the bar
            "prev_close_cny_snapshot": [None],
        },
        schema_overrides={"prev_close_cny_snapshot": pl.Float64},
    )
    before = pl.DataFrame({"symbol": ["600028"], "close": [5.96]})
    plans = pl.DataFrame(
        {
            "symbol": ["600028", "600028"],
            "ex_date": [day, dt.date(2025, 6, 19)],
            "cash_dividend_per_share_cny": [0.14, 0.5],
            "bonus_per10": [None, None],
            "transfer_per10": [2.0, None],  # two new shares per ten
        },
        schema_overrides={"bonus_per10": pl.Float64, "transfer_per10": pl.Float64},
    )
    got = adjustment_factors(bars, before, [day], plans).row(0, named=True)
    assert got["reference_close_cny"] == pytest.approx((5.96 - 0.14) / 1.2, abs=1e-4)
    assert got["reference_from"] == "stock_fhps_em: 现金分红, 送转"
    # where the bar shows the event, the bar's reference stands (it is the exchange's own)
    shown = bars.with_columns(change=pl.lit(5.76 - 5.82))
    got = adjustment_factors(shown, before, [day], plans)
    assert got.select("reference_close_cny", "reference_from").rows() == [(5.82, "stock_zh_a_hist: 收盘 − 涨跌额")]


def test_the_trailing_yield_ranks_the_days_payers_and_flags_the_top_decile():
    from marts.prices.transforms import stock_valuation

    day = dt.date(2025, 6, 30)
    symbols = [f"6000{i:02d}" for i in range(20)]
    bars = pl.DataFrame(
        {
            "trade_date": [day] * 20,
            "symbol": symbols,
            "close": [10.0] * 20,
            "market_cap_cny": [1e10] * 20,
            "float_cap_cny": [8e9] * 20,
            "pe_dynamic": [9.5] * 20,
            "pb": [0.8] * 20,
        }
    )
    # ten payers: 0.1 .. 1.0 CNY a share, ex-dates inside the last year; one plan a year and a day old
    dividends = pl.DataFrame(
        {
            "symbol": [*symbols[:10], symbols[10]],
            "ex_date": [day - dt.timedelta(days=30)] * 10 + [day - dt.timedelta(days=366)],
            "cash_dividend_per_share_cny": [0.1 * (i + 1) for i in range(10)] + [5.0],
        }
    )
    got = stock_valuation(bars, dividends)
    payers = got.filter(pl.col("ttm_dividend_yield_ratio") > 0)
    assert payers["symbol"].to_list() == symbols[:10]  # the old plan is out of the window
    assert payers["ttm_dividend_yield_ratio"].to_list() == pytest.approx([0.01 * (i + 1) for i in range(10)])
    assert payers["dividend_yield_rank_pct"].to_list() == pytest.approx([10.0 * (i + 1) for i in range(10)])
    assert got.filter("high_dividend")["symbol"].to_list() == ["600009", "600008"][::-1]  # ranks 90 and 100
    assert got.filter(pl.col("ttm_dividend_yield_ratio") == 0)["dividend_yield_rank_pct"].null_count() == 10
