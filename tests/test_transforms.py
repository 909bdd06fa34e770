import datetime as dt

import polars as pl
import pytest

from domains.stocks.transforms import stage_universe
from etl.gate.references import require_unique
from marts.market.transforms import limit_flags

DAY = dt.date(2025, 2, 5)


def universe(rows):
    staged, _ = stage_universe(pl.DataFrame(rows, schema=["symbol", "name"], orient="row"))
    return staged


def test_listing_board_st_flag_and_price_limit_band():
    out = universe(
        [
            ("600519", "贵州茅台"),
            ("000001", "平安银行"),
            ("300750", "宁德时代"),
            ("688981", "中芯国际"),
            ("920819", "颖泰生物"),
            ("600234", "*ST科新"),
            ("300313", "*ST天山"),
            ("000040", "ST 旭 蓝"),
        ]
    )
    got = {
        r["symbol"]: (r["exchange"], r["listing_board"], r["is_st"], r["price_limit_pct"])
        for r in out.iter_rows(named=True)
    }
    assert got == {
        "600519": ("SSE", "main", False, 10.0),
        "000001": ("SZSE", "main", False, 10.0),
        "300750": ("SZSE", "chinext", False, 20.0),
        "688981": ("SSE", "star", False, 20.0),
        "920819": ("BSE", "bse", False, 30.0),
        "600234": ("SSE", "main", True, 5.0),
        "300313": ("SZSE", "chinext", True, 20.0),  # ChiNext ST keeps the 20 % band
        "000040": ("SZSE", "main", True, 5.0),  # SZSE names carry full-width spacing
    }


def test_an_unknown_exchange_prefix_has_no_board_and_is_left_to_the_suite():
    out = universe([("900901", "云赛B股")])  # quarantined as invalid_code by the stock_universe suite
    assert out.row(0, named=True)["listing_board"] is None and out.row(0, named=True)["price_limit_pct"] is None


def test_limit_moves_use_the_tick_rounded_limit_price():
    bars = pl.DataFrame(
        {
            "symbol": ["600519", "600519", "600234", "300750", "600000"],
            "close": [11.0, 10.99, 3.50, 12.0, 9.0],
            "change": [1.0, 0.99, 0.17, 2.0, -1.0],
            "pct_change": [10.0, 9.9, 5.11, 20.0, -10.0],
        }
    ).with_columns(trade_date=pl.lit(DAY))
    uni = universe([("600519", "贵州茅台"), ("600234", "*ST科新"), ("300750", "宁德时代"), ("600000", "浦发银行")])
    flags = limit_flags(bars.join(uni.select("symbol", "price_limit_pct"), on="symbol"))
    assert flags["limit_up"].to_list() == [True, False, True, True, False]
    assert flags["limit_down"].to_list() == [False, False, False, False, True]


def test_duplicate_keys_are_refused_with_an_example():
    frame = pl.DataFrame({"trade_date": [DAY, DAY], "symbol": ["600519", "600519"]})
    with pytest.raises(ValueError, match="2 rows share a key"):
        require_unique(frame, ["trade_date", "symbol"], "staging.stock_bars_daily")


def test_the_band_follows_the_st_flag_in_force_that_day():
    from domains.stocks.transforms import price_limit_band

    history = pl.DataFrame(
        {
            "symbol": ["600234", "600234"],
            "is_st": [False, True],
            "valid_from": [dt.date(2025, 1, 2), dt.date(2025, 3, 3)],
            "valid_to": [dt.date(2025, 3, 3), None],
        }
    )
    bars = pl.DataFrame(
        {"symbol": ["600234"] * 3, "trade_date": [dt.date(2024, 12, 2), dt.date(2025, 2, 5), dt.date(2025, 3, 4)]}
    )
    got = price_limit_band(bars, history)
    assert got["price_limit_pct"].to_list() == [10.0, 10.0, 5.0]
    # before the first snapshot the earliest is used, and name_as_of shows it is later than the bar
    assert got["name_as_of"].to_list() == [dt.date(2025, 1, 2), dt.date(2025, 1, 2), dt.date(2025, 3, 3)]
