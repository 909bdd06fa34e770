"""The calendar as data, in three states (etl/market.py day_state): a session or closed where akshare's calendar
and the declared closures say so, unknown past its end. An unknown weekday is a provisional session: the
schedule runs it, the sources decide it (rows: a session; nothing: a closure, recorded), and nothing goes
silent on the first Monday after the shipped calendar. A closure no calendar knows, inside a range, is refused
for that day alone, without crashing or retrying the raw steps."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from etl import market
from etl.market import SHANGHAI, calendar_warning, day_state, is_provisional, is_trading_day
from tests.akshare_frames import HistoryFake, live_source
from tests.conftest import BAR_ASSETS, d, materialize_range, table

ROOT = Path(__file__).resolve().parents[1]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_a_day_past_the_shipped_calendar_is_unknown_not_closed():
    end = market.calendar_end()
    assert day_state(end) == "session" and not is_provisional(end)
    monday = next(end + dt.timedelta(days=i) for i in range(1, 8) if (end + dt.timedelta(days=i)).weekday() == 0)
    assert day_state(monday) == "unknown" and is_provisional(monday) and is_trading_day(monday)
    assert day_state(monday - dt.timedelta(days=1)) == "closed"  # a Sunday is closed whatever the year
    assert day_state(d("2025-01-29")) == "closed" and day_state(d("2025-02-05")) == "session"


@pytest.fixture
def closures(tmp_path, monkeypatch):
    """closures(text): the declared closures read from a file holding `text` (ASHARE_CLOSURES_FILE)."""

    def declare(text: str):
        path = tmp_path / "closures.yaml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("ASHARE_CLOSURES_FILE", str(path))
        market.declared_closures.cache_clear()
        market.trading_days.cache_clear()

    yield declare
    market.declared_closures.cache_clear()
    market.trading_days.cache_clear()


def test_next_years_holidays_can_be_declared_before_akshare_has_the_year(closures, monkeypatch):
    monday = d("2027-01-04")
    closures('closures:\n  - date: 2027-01-01\n    reason: "State Council notice: New Year\'s Day"\n')
    assert day_state(d("2027-01-01")) == "closed" and not is_trading_day(d("2027-01-01"))
    assert market.previous_trading_day(monday) == d("2026-12-31")  # the declared holiday is no neighbour
    closures("closures:\n  - date: 2027-01-02\n    reason: a Saturday\n")
    with pytest.raises(ValueError, match="2027-01-02 is a weekend day, closed anyway"):
        market.declared_closures()


def test_the_daily_tick_runs_a_provisional_session_instead_of_skipping_it():
    from assets.partitions import sessions_of, trading_months
    from assets.schedules import PROVISIONAL_TAG, daily_after_close, snapshots_after_close

    tick = at("2027-01-04 16:30")
    request = daily_after_close(dg.build_schedule_context(scheduled_execution_time=tick))
    assert isinstance(request, dg.RunRequest), request
    assert request.partition_key == "2027-01" and request.tags[PROVISIONAL_TAG] == "true"
    with dg.partition_loading_context(effective_dt=tick):
        assert trading_months.has_partition_key("2027-01")
    assert sessions_of(["2027-01"], request.tags, now=tick) == [d("2027-01-04")]
    snapshot = snapshots_after_close(dg.build_schedule_context(scheduled_execution_time=at("2027-01-04 15:35")))
    assert isinstance(snapshot, dg.RunRequest) and snapshot.tags[PROVISIONAL_TAG] == "true"
    saturday = daily_after_close(dg.build_schedule_context(scheduled_execution_time=at("2027-01-09 16:30")))
    assert isinstance(saturday, dg.SkipReason)
    # a session the calendar knows carries no provisional tag
    known = daily_after_close(dg.build_schedule_context(scheduled_execution_time=at("2025-02-05 16:30")))
    assert PROVISIONAL_TAG not in known.tags


@pytest.mark.parametrize(
    ("today", "says"),
    [
        ("2026-11-30", None),
        ("2026-12-01", "next year's SSE calendar is missing: akshare's ends 2026-12-31"),
        ("2027-01-04", "2027-01-04 and every weekday since are provisional sessions"),
    ],
)
def test_from_december_a_check_warns_that_next_years_calendar_is_missing(today, says):
    warning = calendar_warning(d(today))
    assert warning is None if says is None else says in warning


@pytest.fixture
def clock(monkeypatch):
    def freeze(text: str):
        monkeypatch.setattr(market, "shanghai_now", lambda: at(text))

    return freeze


class Closed(HistoryFake):
    """akshare over any span, but nothing at all on the days in CLOSED: the exchange did not open."""

    CLOSED: frozenset = frozenset()

    @classmethod
    def _sessions(cls, start_date, end_date):
        return [x for x in HistoryFake._sessions(start_date, end_date) if x not in cls.CLOSED]


def test_the_data_decide_a_provisional_day_a_closure_is_recorded_and_nothing_fails(tmp_path, clock):
    class NewYear(Closed):
        CLOSED = frozenset({d("2027-01-04")})  # an undeclared closure no calendar knows yet

    clock("2027-01-06 16:00")
    path, landing = tmp_path / "w.duckdb", tmp_path / "l"
    result = materialize_range(
        path, "2027-01-04", "2027-01-05", source=live_source(landing, NewYear()), selection=BAR_ASSETS
    )
    assert result.success
    assert table(path, "SELECT DISTINCT trade_date FROM staging.stock_bars_daily").rows() == [(d("2027-01-05"),)]
    days = table(path, "SELECT trade_date, state FROM quality.calendar_days ORDER BY ALL")
    assert days.rows() == [(d("2027-01-04"), "closed"), (d("2027-01-05"), "session")]
    meta = next(
        e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.asset_key.path == ["staging", "stock_bars_daily"]
    )
    assert meta["closed_by_data"].value == ["2027-01-04"] and meta["refused_partitions"].value == []

    # the day alone, as the daily run asks for it: nothing from any stock, still no failure and no retry
    again = materialize_range(
        path, "2027-01-04", "2027-01-04", source=live_source(landing, NewYear()), selection=BAR_ASSETS
    )
    assert again.success
    assert not [e for e in again.all_events if e.event_type_value == "STEP_RESTARTED"]


def test_a_closure_no_calendar_knows_inside_a_range_is_refused_for_that_day_alone(tmp_path, clock):
    class Typhoon(Closed):
        CLOSED = frozenset({d("2025-02-06")})

    clock("2025-02-08 12:00")  # a Saturday: no snapshot, history for every session
    path, landing = tmp_path / "w.duckdb", tmp_path / "l"
    selection = [*BAR_ASSETS, "raw/index_bars_daily", "staging/index_bars_daily"]
    result = materialize_range(
        path,
        "2025-02-05",
        "2025-02-07",
        source=live_source(landing, Typhoon()),
        selection=selection,
        raise_on_error=False,
    )
    failed = sorted(e.step_key for e in result.all_events if e.is_step_failure)
    assert failed == ["staging__index_bars_daily", "staging__stock_bars_daily"]  # the gates refuse; raw steps land
    assert not [e for e in result.all_events if e.event_type_value == "STEP_RESTARTED"]
    staged = table(path, "SELECT DISTINCT trade_date FROM staging.stock_bars_daily ORDER BY 1")
    assert staged["trade_date"].to_list() == [d("2025-02-05"), d("2025-02-07")]
    refused = table(path, "SELECT table_name, partition_key, rules FROM quality.rejected_partitions ORDER BY ALL")
    assert {(t, k, tuple(r)) for t, k, r in refused.rows()} == {
        ("staging.index_bars_daily", "2025-02-06", ("empty_partition",)),
        ("staging.stock_bars_daily", "2025-02-06", ("empty_partition",)),
    }

    # the day alone: every stock answers nothing though the canary answers: refused, not crashed four times
    alone = materialize_range(
        path,
        "2025-02-06",
        "2025-02-06",
        source=live_source(landing, Typhoon()),
        selection=BAR_ASSETS,
        raise_on_error=False,
    )
    assert [e.step_key for e in alone.all_events if e.is_step_failure] == ["staging__stock_bars_daily"]
    assert not [e for e in alone.all_events if e.event_type_value == "STEP_RESTARTED"]


def test_an_empty_day_among_unchanged_ones_is_said_and_keeps_the_stored_session(tmp_path, clock):
    """A second run over 02-05..02-07 whose source now has nothing for 02-07: the other two sessions land the
    captures already settled (unchanged), nothing lands for 02-07, and the raw step proposed an empty frame and
    failed on a missing `partition_date` column, retried three times (issue 32). Now nothing is proposed for
    the day, the raw step says so (`sessions_without_rows`), and the stored session stays as it was."""

    class Gone(Closed):
        CLOSED = frozenset({d("2025-02-07")})

    clock("2025-02-08 12:00")
    path, landing = tmp_path / "w.duckdb", tmp_path / "l"
    first = materialize_range(
        path, "2025-02-05", "2025-02-07", source=live_source(landing, HistoryFake()), selection=BAR_ASSETS
    )
    assert first.success
    held = table(path, "SELECT count(*) AS n FROM staging.stock_bars_daily WHERE trade_date = '2025-02-07'")["n"][0]
    again = materialize_range(
        path, "2025-02-05", "2025-02-07", source=live_source(landing, Gone()), selection=BAR_ASSETS
    )
    assert again.success and not [e for e in again.all_events if e.event_type_value == "STEP_RESTARTED"]
    raw = next(
        e.materialization.metadata
        for e in again.get_asset_materialization_events()
        if e.asset_key.path == ["raw", "stock_bars_daily"]
    )
    assert raw["sessions_unchanged"].value == 2 and raw["sessions_without_rows"].value == 1
    after = table(path, "SELECT count(*) AS n FROM staging.stock_bars_daily WHERE trade_date = '2025-02-07'")["n"][0]
    assert held and after == held  # nothing replaced the stored session


@pytest.mark.skipif(bool(os.environ.get("ASHARE_TEST_CLOCK")), reason="this is the run under the moved clock")
def test_the_calendar_tests_pass_under_a_clock_past_the_shipped_calendar():
    """The first Monday after the calendar akshare ships (2027-01-04, 16:30 Shanghai): this module and
    tests/test_market.py again, every clock moved there (tests/clock.py)."""
    env = {**os.environ, "ASHARE_TEST_CLOCK": "2027-01-04T16:30:00+08:00"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            "0",
            "-p",
            "tests.clock",
            "tests/test_calendar.py",
            "tests/test_market.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=420,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout.splitlines()[-1]
    assert "the run under the moved clock" in run.stdout  # this test skipped itself there, the clock's test ran
    assert "only under the moved clock" not in run.stdout


@pytest.mark.skipif(not os.environ.get("ASHARE_TEST_CLOCK"), reason="only under the moved clock (tests/clock.py)")
def test_the_moved_clock_is_where_it_was_asked():
    assert market.shanghai_today() == dt.datetime.fromisoformat(os.environ["ASHARE_TEST_CLOCK"]).date()
    assert day_state(market.shanghai_today()) == "unknown"


def test_a_closure_declared_after_its_day_was_stored_is_taken_back_everywhere(altered_warehouse, closures, tmp_path):
    """The sample's 2025-02-06 declared closed once stored (a source had served a day the exchange did not
    open): the next run over its month takes the day back from raw (to rejected.*), staging and the per-session
    marts, and says so; before, the day stayed a session in the marts and the BI file."""
    from tests.conftest import FIRST, LAST

    path = altered_warehouse()
    day = "2025-02-06"
    held = table(path, f"SELECT count(*) AS n FROM staging.stock_bars_daily WHERE trade_date = '{day}'")["n"][0]
    raw_held = table(path, f"SELECT count(*) AS n FROM raw.stock_bars_daily WHERE partition_date = '{day}'")["n"][0]
    assert held and raw_held
    closures(f'closures:\n  - date: {day}\n    reason: "SSE notice: the day was not traded"\n')
    result = materialize_range(path, FIRST, LAST, selection=[*BAR_ASSETS, "marts/market_breadth_daily"])
    assert result.success
    for sql in (
        f"SELECT count(*) AS n FROM staging.stock_bars_daily WHERE trade_date = '{day}'",
        f"SELECT count(*) AS n FROM raw.stock_bars_daily WHERE partition_date = '{day}'",
        f"SELECT count(*) AS n FROM marts.market_breadth_daily WHERE trade_date = '{day}'",
        # the index tables' gates, not in this run, take back theirs when they run
        f"SELECT count(*) AS n FROM quality.settled_partitions WHERE partition_key = '{day}' "
        "AND raw_table = 'raw.stock_bars_daily'",
    ):
        assert table(path, sql)["n"][0] == 0, sql
    kept = table(path, f"SELECT count(*) AS n FROM rejected.stock_bars_daily WHERE partition_date = '{day}'")["n"][0]
    assert kept == raw_held  # counted, never dropped
    refused = table(path, "SELECT table_name, partition_key, rules FROM quality.rejected_partitions")
    assert ("staging.stock_bars_daily", day, ["declared_closure"]) in [(t, k, list(r)) for t, k, r in refused.rows()]
    meta = next(
        e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.asset_key.path == ["staging", "stock_bars_daily"]
    )
    assert meta["retracted_closures"].value == [day]
