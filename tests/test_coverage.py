"""Each dataset from its own first day: one SSE calendar from the configured history start, and per dataset
the days its source covers. A day a dataset does not cover is neither fetched nor judged, fails no partition
rule, and the marts built on it compute over the covered days and say so."""

import datetime as dt

import pytest

from etl.settings import Settings
from tests.conftest import materialize_range, table


def _metadata(result, *path: str) -> dict:
    events = [e for e in result.get_asset_materialization_events() if e.asset_key.path == list(path)]
    return {k: v.value for k, v in events[-1].materialization.metadata.items()}


@pytest.fixture(scope="module")
def across_the_first_stock_day(tmp_path_factory):
    """2024-11-27 .. 2024-12-03: the sample's index histories cover all five sessions, its stock bars the
    last two (they start on 2024-12-02)."""
    path = tmp_path_factory.mktemp("coverage") / "w.duckdb"
    result = materialize_range(path, "2024-11-27", "2024-12-03")
    assert result.success
    return path, result


def test_a_range_crossing_a_datasets_first_day_builds_each_over_what_it_covers(across_the_first_stock_day):
    path, result = across_the_first_stock_day
    index_days = table(path, "SELECT DISTINCT trade_date FROM staging.index_bars_daily ORDER BY 1")["trade_date"]
    stock_days = table(path, "SELECT DISTINCT trade_date FROM staging.stock_bars_daily ORDER BY 1")["trade_date"]
    assert index_days.to_list() == [dt.date(2024, 11, d) for d in (27, 28, 29)] + [dt.date(2024, 12, d) for d in (2, 3)]
    assert stock_days.to_list() == [dt.date(2024, 12, 2), dt.date(2024, 12, 3)]
    raw = _metadata(result, "raw", "stock_bars_daily")
    assert raw["sessions_covered"] == 2 and raw["sessions_not_covered"] == 3
    assert raw["source_covers"] == "2024-12-02 .. 2025-03-31"
    # each month partition's page: the run's sessions per month, covered and not
    assert raw["sessions_by_month"].splitlines()[2:] == [
        "| 2024-11 | 0 |  | 3 |",
        "| 2024-12 | 2 | 2024-12-02 .. 2024-12-03 | 0 |",
    ]
    # no partition rule ran on the days before (an empty day would have been refused as empty_partition)
    checks = {tuple(e.asset_key.path): e.passed for e in result.get_asset_check_evaluations()}
    assert checks[("staging", "stock_bars_daily")] is True
    assert table(path, "SELECT count(*) AS n FROM quality.rejected_partitions")["n"].item() == 0


def test_marts_on_member_bars_compute_over_the_covered_sessions_and_say_so(across_the_first_stock_day):
    path, result = across_the_first_stock_day
    for mart in ("board_daily", "theme_daily", "market_breadth_daily"):
        days = table(path, f"SELECT DISTINCT trade_date FROM marts.{mart} ORDER BY 1")["trade_date"].to_list()
        assert days == [dt.date(2024, 12, 2), dt.date(2024, 12, 3)], mart
    assert _metadata(result, "marts", "theme_daily")["sessions_not_covered"] == 3
    # the index mart has every session, and its first day's change now has the session before it
    index = table(path, "SELECT trade_date, pct_change FROM marts.index_daily WHERE index_code = '000300'")
    assert index.height == 5 and index.filter(index["trade_date"] == dt.date(2024, 11, 28))["pct_change"].item()


def test_a_run_no_session_of_which_is_covered_writes_nothing_and_passes(tmp_path):
    path = tmp_path / "w.duckdb"
    result = materialize_range(path, "2024-11-25", "2024-11-26")
    assert result.success
    assert table(path, "SELECT count(*) AS n FROM staging.stock_bars_daily")["n"].item() == 0
    staged = _metadata(result, "staging", "stock_bars_daily")
    assert "no session of the run is covered" in staged["note"] and staged["sessions_not_covered"] == 2
    assert table(path, "SELECT count(*) AS n FROM staging.index_bars_daily")["n"].item() == 2 * 13  # all started


@pytest.mark.parametrize(
    "text, problem",
    [("2024-11-30", "not an SSE session"), ("1989-01-03", "not an SSE session"), ("2024/11/29", "expected a date")],
)
def test_the_history_start_must_be_a_session(monkeypatch, text, problem):
    monkeypatch.setenv("ASHARE_HISTORY_START", text)
    with pytest.raises(ValueError, match=rf"ASHARE_HISTORY_START.*{problem}"):
        Settings.from_env()


def test_the_history_start_defaults_per_source_and_can_be_any_session(monkeypatch):
    monkeypatch.delenv("ASHARE_HISTORY_START", raising=False)
    assert Settings(source="recorded").first_session == dt.date(2022, 1, 4)  # the sample's first session
    assert Settings(source="akshare").first_session == dt.date(2005, 1, 4)
    monkeypatch.setenv("ASHARE_HISTORY_START", "1990-12-19")
    assert Settings.from_env().first_session == dt.date(1990, 12, 19)
