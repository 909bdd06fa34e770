"""The long-horizon marts on known answers: small level series whose percentiles, window returns, coverage,
lows and drawdowns can be worked out by hand."""

import datetime as dt

import polars as pl
import pytest

from etl.market import sessions_between
from marts.horizon.transforms import drawdown_rebound, index_valuation_daily, levels, relative_performance

D = dt.date


def _series(subject: str, start: dt.date, closes: list[float]) -> pl.DataFrame:
    days = sessions_between(start, start + dt.timedelta(days=60))[: len(closes)]
    return pl.DataFrame({"subject": subject, "subject_name": subject, "trade_date": days, "level": closes})


def test_the_pe_percentile_uses_only_the_history_up_to_each_day():
    csi = pl.DataFrame(
        {
            "trade_date": [D(2025, 1, 2), D(2025, 1, 3), D(2025, 1, 6), D(2025, 1, 7)],
            "index_code": "000300",
            "index_name": "沪深300",
            "pe_ttm": [12.0, 11.0, 13.0, 11.5],
        }
    )
    yields = pl.DataFrame({"trade_date": [D(2025, 1, 3)], "cn_10y_yield_pct": [1.6]})
    dividends = pl.DataFrame({"trade_date": [D(2025, 1, 6)], "index_code": ["000300"], "dividend_yield_pct": [3.1]})
    out = index_valuation_daily(csi, yields, dividends)
    # 12 of {12}: 1; 11 of {12, 11}: 1/2; 13 of three: 1; 11.5 of {12, 11, 13, 11.5}: 2/4
    assert out["pe_percentile"].to_list() == [1.0, 0.5, 1.0, 0.5]
    assert out["percentile_sessions"].to_list() == [1, 2, 3, 4]
    assert set(out["percentile_from"]) == {D(2025, 1, 2)}
    row = out.filter(pl.col("trade_date") == D(2025, 1, 6)).row(0, named=True)
    # the yield of 01-03 is the latest on 01-06; the spread exists only where both do
    assert (row["yield_date"], row["cn_10y_yield_pct"], row["yield_spread_pct"]) == (D(2025, 1, 3), 1.6, 1.5)
    assert out.filter(pl.col("trade_date") == D(2025, 1, 2))["cn_10y_yield_pct"].item() is None


def test_window_returns_say_where_the_window_really_starts():
    a = _series("index:A", D(2025, 1, 2), [100.0, 110.0, 99.0, 121.0])
    b = _series("index:B", D(2025, 1, 2), [50.0, 50.0, 55.0, 50.0])
    days = a["trade_date"].to_list()
    out = relative_performance(pl.concat([a, b]), [("a_vs_b", "index:A", "index:B")])
    last = {r["window_label"]: r for r in out.filter(pl.col("trade_date") == days[-1]).iter_rows(named=True)}
    ytd = last["YTD"]
    # no session before the window: the base is its first session, and the move from there is counted
    assert (ytd["base_day"], ytd["first_day"], ytd["return_a_pct"], ytd["return_b_pct"]) == (
        days[0],
        days[0],
        21.0,
        0.0,
    )
    assert ytd["spread_pct"] == 21.0 and ytd["coverage"] == 1.0
    three_years = last["3Y"]
    assert three_years["sessions"] == 4 and three_years["coverage"] == round(4 / three_years["sessions_in_window"], 4)
    assert three_years["coverage"] < 0.01  # four sessions of about 730: said, not hidden


def test_a_window_with_a_session_before_it_measures_from_that_session():
    a = _series("index:A", D(2024, 12, 27), [100.0, 104.0, 110.0])  # 12-27, 12-30, 12-31
    b = _series("index:B", D(2024, 12, 27), [10.0, 10.0, 11.0])
    a = pl.concat(
        [
            a,
            pl.DataFrame(
                {"subject": "index:A", "subject_name": "index:A", "trade_date": [D(2025, 1, 2)], "level": [121.0]}
            ),
        ]
    )
    b = pl.concat(
        [
            b,
            pl.DataFrame(
                {"subject": "index:B", "subject_name": "index:B", "trade_date": [D(2025, 1, 2)], "level": [11.0]}
            ),
        ]
    )
    out = relative_performance(pl.concat([a, b]), [("p", "index:A", "index:B")])
    ytd = out.filter(pl.col("trade_date") == D(2025, 1, 2), pl.col("window_label") == "YTD").row(0, named=True)
    assert ytd["base_day"] == D(2024, 12, 31) and ytd["first_day"] == D(2025, 1, 2)
    assert ytd["return_a_pct"] == 10.0 and ytd["return_b_pct"] == 0.0 and ytd["coverage"] == 1.0


def test_drawdowns_and_rebounds_as_known_each_day():
    s = _series("index:A", D(2024, 12, 30), [100.0, 80.0, 120.0, 90.0, 60.0, 75.0])  # 12-30, 12-31, 2025 …
    out = drawdown_rebound(s).sort("trade_date")
    rows = out.to_dicts()
    assert [r["ytd_low"] for r in rows] == [100.0, 80.0, 120.0, 90.0, 60.0, 60.0]  # a new year starts a new low
    assert rows[-1]["ytd_low_date"] == rows[-2]["trade_date"] and rows[-1]["rebound_from_ytd_low_pct"] == 25.0
    assert [r["drawdown_pct"] for r in rows] == [0.0, -20.0, 0.0, -25.0, -50.0, -37.5]
    assert [r["max_drawdown_pct"] for r in rows] == [0.0, -20.0, -20.0, -25.0, -50.0, -50.0]


def test_a_basket_level_compounds_its_daily_returns():
    themes = pl.DataFrame({"trade_date": [D(2025, 1, 2), D(2025, 1, 3)], "theme": "ai", "ew_return_pct": [10.0, -10.0]})
    empty = pl.DataFrame(
        schema={"trade_date": pl.Date, "index_code": pl.String, "index_name": pl.String, "close": pl.Float64}
    )
    out = levels(empty, empty, themes)
    assert out["level"].to_list() == pytest.approx([110.0, 99.0])
    assert out["subject"].to_list() == ["theme:ai", "theme:ai"]
