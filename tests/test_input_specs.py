import datetime as dt

import pandas as pd
import polars as pl
import pytest

from domains.indices.datasets import STOCK_ZH_INDEX_DAILY_EM
from domains.stocks.datasets import STOCK_ZH_A_HIST
from etl.input_specs import InputSpecError, apply_input_spec


def akshare_bars(dates, volume, **overrides) -> pd.DataFrame:
    """A stock_zh_a_hist frame as akshare 1.19.5 returns it under pandas 3."""
    frame = pd.DataFrame(
        {
            "日期": dates,
            "股票代码": pd.array(["600519"] * len(dates), dtype="str"),
            "开盘": [1450.0] * len(dates),
            "收盘": [1434.99] * len(dates),
            "最高": [1460.0] * len(dates),
            "最低": [1430.0] * len(dates),
            "成交量": volume,
            "成交额": [3.2e9] * len(dates),
            "振幅": [2.07] * len(dates),
            "涨跌幅": [-0.65] * len(dates),
            "涨跌额": [-9.41] * len(dates),
            "换手率": [0.25] * len(dates),
        }
    )
    for column, values in overrides.items():
        frame[column] = values
    return frame


def test_date_objects_and_date_strings_give_the_same_typed_frame():
    as_objects = apply_input_spec(akshare_bars([dt.date(2025, 1, 27)], [22000]), STOCK_ZH_A_HIST)
    as_strings = apply_input_spec(akshare_bars(["2025-01-27"], [22000.0]), STOCK_ZH_A_HIST)
    assert as_objects.equals(as_strings)
    assert as_objects.schema["trade_date"] == pl.Date
    assert as_objects["trade_date"].to_list() == [dt.date(2025, 1, 27)]


def test_volume_in_lots_becomes_shares_whether_int_or_float():
    for volume in ([22000], [22000.0]):
        out = apply_input_spec(akshare_bars([dt.date(2025, 1, 27)], volume), STOCK_ZH_A_HIST)
        assert out["volume_shares"].to_list() == [2_200_000]
        assert out.schema["volume_shares"] == pl.Int64


def test_placeholder_dash_is_null_not_an_error():
    frame = akshare_bars([dt.date(2025, 1, 27)], [1], 成交额=pd.array(["-"], dtype="str"))
    assert apply_input_spec(frame, STOCK_ZH_A_HIST)["amount_cny"].to_list() == [None]


def test_uncastable_value_names_function_and_column():
    frame = akshare_bars([dt.date(2025, 1, 27)], [1], 换手率=pd.array(["abc"], dtype="str"))
    with pytest.raises(InputSpecError, match=r"stock_zh_a_hist: values that cannot be cast: 换手率"):
        apply_input_spec(frame, STOCK_ZH_A_HIST)


def test_renamed_missing_and_extra_columns_are_named():
    frame = akshare_bars([dt.date(2025, 1, 27)], [1]).rename(columns={"成交额": "成交金额"})
    with pytest.raises(InputSpecError) as err:
        apply_input_spec(frame, STOCK_ZH_A_HIST)
    assert err.value.function == "stock_zh_a_hist"
    assert err.value.columns == ["成交金额", "成交额"]
    assert "missing ['成交额']" in str(err.value) and "unexpected ['成交金额']" in str(err.value)


def test_codes_that_lost_their_leading_zeros_are_padded():
    out = apply_input_spec(akshare_bars([dt.date(2025, 1, 27)], [1], 股票代码=[1]), STOCK_ZH_A_HIST)
    assert out["symbol"].to_list() == ["000001"]


def test_an_empty_akshare_frame_gives_an_empty_typed_frame():
    out = apply_input_spec(pd.DataFrame(), STOCK_ZH_A_HIST, {"source": "akshare"})
    assert out.height == 0 and out.columns[:2] == ["trade_date", "symbol"]


def test_null_key_is_refused():
    frame = pd.DataFrame(
        {
            "symbol": ["sh000001"],
            "date": [None],
            "open": [1.0],
            "close": [1.0],
            "high": [1.0],
            "low": [1.0],
            "volume": [1],
            "amount": [1.0],
        }
    )
    with pytest.raises(InputSpecError, match="nulls in non-nullable columns: trade_date"):
        apply_input_spec(frame, STOCK_ZH_INDEX_DAILY_EM)


def test_dates_are_parsed_strictly():
    for loose in ("2025-1-27", "2025/01/27", "27.01.2025"):
        with pytest.raises(InputSpecError, match="values that cannot be cast: 日期"):
            apply_input_spec(akshare_bars([loose], [100]), STOCK_ZH_A_HIST)
    for exact in ("2025-01-27", "20250127", "2025-01-27 00:00:00"):
        assert apply_input_spec(akshare_bars([exact], [100]), STOCK_ZH_A_HIST)["trade_date"][0] == dt.date(2025, 1, 27)


def test_an_instant_with_a_time_zone_is_taken_as_its_shanghai_day():
    utc = pd.Series(pd.to_datetime(["2025-02-04 16:00:00"]).tz_localize("UTC"))
    assert apply_input_spec(akshare_bars(utc, [100]), STOCK_ZH_A_HIST)["trade_date"][0] == dt.date(2025, 2, 5)
    text = ["2025-02-04T16:00:00+00:00"]
    assert apply_input_spec(akshare_bars(text, [100]), STOCK_ZH_A_HIST)["trade_date"][0] == dt.date(2025, 2, 5)


def test_booleans_are_refused_as_numbers():
    with pytest.raises(InputSpecError, match="booleans where the input spec expects numbers or dates: 收盘"):
        apply_input_spec(akshare_bars([dt.date(2025, 1, 27)], [100], 收盘=[True]), STOCK_ZH_A_HIST)
