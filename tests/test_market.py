import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from assets.partitions import session_partitions
from etl.market import closed_weekdays, is_trading_day, next_trading_day, previous_trading_day, sessions_between
from tests.conftest import d

SPRING_FESTIVAL_CLOSURE = [d("2025-01-28") + dt.timedelta(days=i) for i in range(8)]  # 01-28 .. 02-04


def test_2025_has_243_sessions_18_in_january_and_18_in_february():
    assert len(sessions_between(d("2025-01-01"), d("2025-12-31"))) == 243
    assert len(sessions_between(d("2025-01-01"), d("2025-01-31"))) == 18
    assert len(sessions_between(d("2025-02-01"), d("2025-02-28"))) == 18


def test_spring_festival_closure_has_no_sessions_and_no_partitions():
    keys = set(session_partitions().get_partition_keys())
    for day in SPRING_FESTIVAL_CLOSURE:
        assert not is_trading_day(day)
        assert day.isoformat() not in keys
    assert "2025-01-27" in keys and "2025-02-05" in keys


def test_the_sessions_either_side_of_the_holiday_are_neighbours():
    assert next_trading_day(d("2025-01-27")) == d("2025-02-05")
    assert previous_trading_day(d("2025-02-05")) == d("2025-01-27")
    assert previous_trading_day(d("2025-02-01")) == d("2025-01-27")  # from inside the closure


def test_weekends_are_not_partitions_and_partition_keys_equal_the_calendar():
    keys = session_partitions().get_partition_keys()
    assert "2025-01-25" not in keys and "2025-01-26" not in keys  # Sat, Sun
    window = [k for k in keys if "2024-12-02" <= k <= "2025-03-31"]
    assert window == [x.isoformat() for x in sessions_between(d("2024-12-02"), d("2025-03-31"))]


SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_a_partition_is_a_shanghai_day():
    window = session_partitions().time_window_for_partition_key("2025-02-05")
    assert window.start.astimezone(dt.UTC) == dt.datetime(2025, 2, 4, 16, 0, tzinfo=dt.UTC)
    assert window.start.tzinfo.key == SHANGHAI.key


@pytest.mark.parametrize(
    "now, last",
    [
        # Saturday and Sunday: Friday's session, never Monday's
        ("2026-12-05 12:00", "2026-12-04"),
        ("2026-12-06 23:59", "2026-12-04"),
        # a trading day: the session's partition opens at its close, so the 16:30 run finds it
        ("2026-12-07 09:00", "2026-12-04"),
        ("2026-12-07 14:59", "2026-12-04"),
        ("2026-12-07 15:00", "2026-12-07"),
        ("2026-12-07 16:29", "2026-12-07"),
        ("2026-12-07 16:31", "2026-12-07"),
        # the Spring Festival closure: the last session before it, until the first session after it closes
        ("2025-01-29 10:00", "2025-01-27"),
        ("2025-02-04 23:00", "2025-01-27"),
        ("2025-02-05 10:00", "2025-01-27"),
        ("2025-02-05 16:30", "2025-02-05"),
        # far past the exchange's published calendar: the last provisional session, never later
        ("2031-03-03 16:30", None),
    ],
)
def test_the_last_partition_is_the_last_session_that_has_closed(now, last):
    from etl.market import trading_days

    expected = last or trading_days()[-1].isoformat()
    with dg.partition_loading_context(effective_dt=at(now)):
        assert session_partitions().get_partition_keys()[-1] == expected
        assert session_partitions().get_last_partition_key() == expected
    assert is_trading_day(d(expected))


def test_the_daily_schedule_asks_for_a_partition_that_exists_at_its_tick():
    from assets.partitions import trading_months
    from assets.schedules import daily_after_close

    tick = at("2025-02-05 16:30")
    request = daily_after_close(dg.build_schedule_context(scheduled_execution_time=tick))
    assert request.partition_key == "2025-02"
    assert (request.tags["ashare/first_session"], request.tags["ashare/last_session"]) == ("2025-02-05", "2025-02-05")
    with dg.partition_loading_context(effective_dt=tick):
        assert trading_months.has_partition_key("2025-02")
    skipped = daily_after_close(dg.build_schedule_context(scheduled_execution_time=at("2025-01-29 16:30")))
    assert isinstance(skipped, dg.SkipReason)


@pytest.mark.parametrize(
    "now, months, window, sessions",
    [
        # a month's partition holds the sessions closed by now: before the close, the day is not one of them
        ("2025-02-05 14:59", ["2025-02"], None, []),
        ("2025-02-05 15:00", ["2025-02"], None, ["2025-02-05"]),
        ("2025-02-08 12:00", ["2025-02"], None, ["2025-02-05", "2025-02-06", "2025-02-07"]),
        # through the Spring Festival the January partition ends with its last session, 01-27
        ("2025-01-30 10:00", ["2025-01"], ("2025-01-27", "2025-01-31"), ["2025-01-27"]),
        # the daily run's window: the one new session of its month
        ("2025-02-10 16:30", ["2025-02"], ("2025-02-10", "2025-02-10"), ["2025-02-10"]),
        # a month in the past holds all its sessions (March 2025: 21)
        ("2026-12-06 12:00", ["2025-03"], None, 21),
    ],
)
def test_a_month_partition_covers_its_closed_sessions_within_the_run_window(now, months, window, sessions):
    from assets.partitions import FIRST_SESSION_TAG, LAST_SESSION_TAG, sessions_of

    tags = {FIRST_SESSION_TAG: window[0], LAST_SESSION_TAG: window[1]} if window else {}
    got = sessions_of(months, tags, now=at(now))
    if isinstance(sessions, int):
        assert len(got) == sessions and all(is_trading_day(day) for day in got)
    else:
        assert got == [d(x) for x in sessions]


def test_holidays_on_weekdays_are_listed():
    assert closed_weekdays(d("2025-01-27"), d("2025-02-05")) == [x for x in SPRING_FESTIVAL_CLOSURE if x.weekday() < 5]


def test_dates_outside_the_calendar_are_refused():
    with pytest.raises(ValueError, match="outside the SSE calendar"):
        next_trading_day(d("2031-01-01"))


@pytest.mark.parametrize(
    "symbol, exchange, board, band",
    [
        ("600519", "SSE", "main", 10.0),
        ("601398", "SSE", "main", 10.0),
        ("603288", "SSE", "main", 10.0),
        ("605499", "SSE", "main", 10.0),
        ("688981", "SSE", "star", 20.0),
        ("689009", "SSE", "star", 20.0),
        ("000001", "SZSE", "main", 10.0),
        ("001979", "SZSE", "main", 10.0),
        ("002594", "SZSE", "main", 10.0),
        ("003816", "SZSE", "main", 10.0),
        ("004001", "SZSE", "main", 10.0),
        ("300750", "SZSE", "chinext", 20.0),
        ("301236", "SZSE", "chinext", 20.0),
        ("302132", "SZSE", "chinext", 20.0),
        ("920002", "BSE", "bse", 30.0),
        ("430047", "BSE", "bse", 30.0),
        ("830799", "BSE", "bse", 30.0),
        ("871981", "BSE", "bse", 30.0),
        ("889999", "BSE", "bse", 30.0),
        # not A-shares: B-shares, funds, seven or five digits, letters
        ("200002", None, None, None),
        ("900901", None, None, None),
        ("510300", None, None, None),
        ("6005190", None, None, None),
        ("60051", None, None, None),
        ("60051a", None, None, None),
    ],
)
def test_every_code_prefix_has_its_exchange_board_and_band(symbol, exchange, board, band):
    import polars as pl

    from etl.market import A_SHARE_CODE, classify, exchange_of

    got = pl.select(
        *(e.alias(n) for e, n in zip(classify(pl.lit(symbol)), ("exchange", "board", "band"), strict=True))
    ).row(0)
    assert got == (exchange, board, band)
    assert exchange_of(symbol) == exchange
    assert (pl.select(pl.lit(symbol).str.contains(A_SHARE_CODE)).item()) == (exchange is not None)


@pytest.mark.parametrize(
    "name, board, band, expected",
    [
        ("*ST科新", "main", 10.0, 5.0),
        ("ST 目药", "main", 10.0, 5.0),
        ("st华仪", "main", 10.0, 5.0),
        ("ST 晨鸣", "chinext", 20.0, 20.0),
        ("*ST左江", "star", 20.0, 20.0),
        ("贵州茅台", "main", 10.0, 10.0),
    ],
)
def test_st_names_take_the_st_band_on_main_boards_only(name, board, band, expected):
    import polars as pl

    from etl.market import is_st, limit_pct

    assert pl.select(limit_pct(pl.lit(board), pl.lit(band), is_st(pl.lit(name)))).item() == expected


def test_news_finds_codes_of_every_exchange_but_not_inside_longer_numbers():
    from etl.market import CODE_IN_TEXT

    text = "600519 涨停，920002 与 002594、300750 跟涨；订单号 16005190 与 200002 不算"
    assert CODE_IN_TEXT.findall(text) == ["600519", "920002", "002594", "300750"]


@pytest.mark.parametrize(
    "months, window, message",
    [
        (["2025-02"], ("yesterday", "2025-02-05"), r"ashare/first_session='yesterday': expected a date"),
        (["2025-02"], ("2025-02-07", "2025-02-05"), "the window is reversed"),
        (["2025-02"], ("2025-01-27", "2025-02-05"), r"ashare/first_session=2025-01-27: outside the run's month"),
        (["2025-01", "2025-02"], ("2025-01-29", "2025-02-04"), "no SSE session in the window has closed"),  # 春节
        (["2025-02"], ("2025-02-08", "2025-02-09"), "no SSE session in the window has closed"),  # a weekend
    ],
)
def test_a_run_window_that_cannot_be_carried_out_is_refused_naming_the_tag(months, window, message):
    from assets.partitions import FIRST_SESSION_TAG, LAST_SESSION_TAG, RunWindowError, sessions_of

    with pytest.raises(RunWindowError, match=message):
        sessions_of(months, {FIRST_SESSION_TAG: window[0], LAST_SESSION_TAG: window[1]}, now=at("2026-12-06 12:00"))


def test_a_run_with_a_bad_window_fails_at_once_and_publishes_nothing(tmp_path):
    """Before: a garbage tag was retried three times with an error naming no tag; a holiday window was a green
    run over 0 sessions that republished the BI file."""
    import dagster as dg

    from assets.definitions import all_assets
    from assets.partitions import FIRST_SESSION_TAG, LAST_SESSION_TAG
    from assets.resources import MarketSourceResource, WarehouseResource
    from tests.conftest import range_tags

    tags = {**range_tags("2025-01-27", "2025-02-05"), FIRST_SESSION_TAG: "2025-01-29", LAST_SESSION_TAG: "2025-02-04"}
    result = dg.materialize(
        all_assets,
        resources={
            "warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb")),
            "market_source": MarketSourceResource(),
        },
        selection=["raw/index_bars_daily", "staging/index_bars_daily", "marts/index_daily", "bi/marts"],
        tags=tags,
        raise_on_error=False,
    )
    assert not result.success
    failures = [e for e in result.all_events if e.is_step_failure]
    assert failures and all("no SSE session in the window has closed" in str(e.event_specific_data) for e in failures)
    assert not [e for e in result.all_events if e.event_type_value == "STEP_RESTARTED"]  # no retries
    assert not [e for e in result.get_asset_materialization_events() if e.asset_key.path == ["bi", "marts"]]
