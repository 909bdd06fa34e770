import datetime as dt

import pytest

from assets.partitions import trading_days
from etl.calendar import closed_weekdays, is_trading_day, next_trading_day, previous_trading_day, sessions_between
from tests.conftest import d

SPRING_FESTIVAL_CLOSURE = [d("2025-01-28") + dt.timedelta(days=i) for i in range(8)]  # 01-28 .. 02-04


def test_2025_has_243_sessions_18_in_january_and_18_in_february():
    assert len(sessions_between(d("2025-01-01"), d("2025-12-31"))) == 243
    assert len(sessions_between(d("2025-01-01"), d("2025-01-31"))) == 18
    assert len(sessions_between(d("2025-02-01"), d("2025-02-28"))) == 18


def test_spring_festival_closure_has_no_sessions_and_no_partitions():
    keys = set(trading_days.get_partition_keys())
    for day in SPRING_FESTIVAL_CLOSURE:
        assert not is_trading_day(day)
        assert day.isoformat() not in keys
    assert "2025-01-27" in keys and "2025-02-05" in keys


def test_the_sessions_either_side_of_the_holiday_are_neighbours():
    assert next_trading_day(d("2025-01-27")) == d("2025-02-05")
    assert previous_trading_day(d("2025-02-05")) == d("2025-01-27")
    assert previous_trading_day(d("2025-02-01")) == d("2025-01-27")  # from inside the closure


def test_weekends_are_not_partitions_and_partition_keys_equal_the_calendar():
    keys = trading_days.get_partition_keys()
    assert "2025-01-25" not in keys and "2025-01-26" not in keys  # Sat, Sun
    window = [k for k in keys if "2024-12-02" <= k <= "2025-03-31"]
    assert window == [x.isoformat() for x in sessions_between(d("2024-12-02"), d("2025-03-31"))]


def test_partitions_use_shanghai_time_and_stop_at_the_calendar_end():
    assert trading_days.timezone == "Asia/Shanghai"
    assert max(trading_days.get_partition_keys()) <= "2026-12-31"


def test_holidays_on_weekdays_are_listed():
    assert closed_weekdays(d("2025-01-27"), d("2025-02-05")) == [
        x for x in SPRING_FESTIVAL_CLOSURE if x.weekday() < 5
    ]


def test_dates_outside_the_calendar_are_refused():
    with pytest.raises(ValueError, match="outside the SSE calendar"):
        next_trading_day(d("2031-01-01"))
