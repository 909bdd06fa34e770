"""Unchanged sessions are not proposed or judged again (etl/gate/unchanged.py): a re-run lands the same
captures under the same code and judges nothing; a changed capture, changed code, a changed input of the gate
or staged rows gone make that session, and every later one, judged again; the warehouse ends as a full
re-judge would leave it."""

import polars as pl
import pytest

from assets.resources import MarketSourceResource
from etl.gate import unchanged
from tests.conftest import BAR_ASSETS, materialize_range, reland, table
from tests.test_quality import sample_copy
from tools.mart_hashes import hashes

SELECTION = [*BAR_ASSETS, "marts/market_breadth_daily"]
FIRST, LAST = "2025-01-22", "2025-02-07"  # 7 sessions around the Spring Festival
SESSIONS = ["2025-01-22", "2025-01-23", "2025-01-24", "2025-01-27", "2025-02-05", "2025-02-06", "2025-02-07"]


@pytest.fixture
def copy(tmp_path):
    return sample_copy(tmp_path)


def run(path, copy, selection=SELECTION):
    result = materialize_range(
        path, FIRST, LAST, source=MarketSourceResource(sample_landing=str(copy)), selection=selection
    )
    assert result.success
    return result


def metadata(result, asset: str) -> dict:
    """The run's metadata for an asset (one materialisation per month partition, the same metadata)."""
    events = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == asset]
    return {k: v.value for k, v in events[-1].materialization.metadata.items()}


def judged(path) -> list[str]:
    """The sessions whose settlement the last run recorded (its run id is the newest)."""
    return table(
        path,
        "SELECT partition_key FROM quality.settled_partitions WHERE raw_table = 'raw.stock_bars_daily' AND run_id = "
        "(SELECT arg_max(run_id, settled_at) FROM quality.settled_partitions) ORDER BY 1",
    )["partition_key"].to_list()


def test_a_rerun_lands_the_same_captures_and_judges_nothing(copy, tmp_path):
    path = tmp_path / "w.duckdb"
    run(path, copy)
    assert judged(path) == SESSIONS
    before = hashes(str(path))
    again = run(path, copy)
    assert metadata(again, "raw/stock_bars_daily")["sessions_unchanged"] == len(SESSIONS)
    staged = metadata(again, "staging/stock_bars_daily")
    assert staged["sessions_unchanged"] == len(SESSIONS) and staged["rows"] == 0
    assert hashes(str(path)) == before
    assert table(path, "SELECT count(*) AS n FROM candidate.unchanged")["n"][0] == 0  # the run's marks, dropped


def test_a_changed_capture_is_judged_again_with_every_session_after_it(copy, tmp_path):
    path = tmp_path / "w.duckdb"
    run(path, copy)
    frame = pl.read_parquet(copy / "stock_zh_a_hist" / "2025-02-05.parquet")
    reland(copy, "stock_zh_a_hist", "2025-02-05", frame.filter(pl.col("股票代码") != frame["股票代码"][0]))
    again = run(path, copy)
    assert metadata(again, "raw/stock_bars_daily")["sessions_unchanged"] == 6  # proposed: 02-05 alone
    # judged: 02-05 and, from the raw already stored, the sessions after it (their references look back)
    assert metadata(again, "staging/stock_bars_daily")["sessions_unchanged"] == 4
    assert judged(path) == ["2025-02-05", "2025-02-06", "2025-02-07"]

    fresh = tmp_path / "fresh.duckdb"  # the same edited sample judged from scratch
    run(fresh, copy)
    assert hashes(str(path)) == hashes(str(fresh))


def test_changed_code_or_staged_rows_gone_are_judged_again(copy, tmp_path, monkeypatch):
    path = tmp_path / "w.duckdb"
    run(path, copy)
    before = hashes(str(path))
    with __import__("duckdb").connect(str(path)) as con:
        con.execute("DELETE FROM staging.stock_bars_daily WHERE trade_date = '2025-02-06'")
    again = run(path, copy)
    assert metadata(again, "raw/stock_bars_daily")["sessions_unchanged"] == len(SESSIONS)  # raw is as it was
    assert metadata(again, "staging/stock_bars_daily")["sessions_unchanged"] == 5
    assert judged(path) == ["2025-02-06", "2025-02-07"]
    assert hashes(str(path)) == before

    monkeypatch.setattr(unchanged, "code_version", lambda: "a-rule-changed")
    again = run(path, copy)
    assert metadata(again, "staging/stock_bars_daily")["sessions_unchanged"] == 0
    assert judged(path) == SESSIONS
    assert hashes(str(path)) == before


def test_a_changed_name_history_has_the_bars_judged_again(copy, tmp_path):
    # the bars gate reads the name history (an ST name halves the price band): a new one is a new input
    path = tmp_path / "w.duckdb"
    run(path, copy)
    with __import__("duckdb").connect(str(path)) as con:
        con.execute("UPDATE staging.stock_name_history SET name = '*ST' || name WHERE rowid = 0")
    bars = ["raw/stock_bars_daily", "staging/stock_bars_daily"]
    again = run(path, copy, selection=bars)
    assert metadata(again, "raw/stock_bars_daily")["sessions_unchanged"] == len(SESSIONS)
    assert metadata(again, "staging/stock_bars_daily")["sessions_unchanged"] == 0
    assert judged(path) == SESSIONS


def test_a_staged_row_edited_in_place_is_judged_again_and_restored(copy, tmp_path):
    """The same row count, another close: the ledger compares content, not counts (issue 32)."""
    path = tmp_path / "w.duckdb"
    run(path, copy)
    before = hashes(str(path))
    with __import__("duckdb").connect(str(path)) as con:
        con.execute(
            "UPDATE staging.stock_bars_daily SET close = close * 10 WHERE trade_date = '2025-02-06' AND symbol = "
            "(SELECT min(symbol) FROM staging.stock_bars_daily WHERE trade_date = '2025-02-06')"
        )
    again = run(path, copy)
    staged = metadata(again, "staging/stock_bars_daily")
    assert staged["staging_edited_sessions"] == ["2025-02-06"]
    assert staged["sessions_unchanged"] == 5 and judged(path) == ["2025-02-06", "2025-02-07"]
    assert hashes(str(path)) == before  # staging and every mart as the gate settled them


def test_a_raw_row_edited_in_place_is_proposed_again_from_its_capture(copy, tmp_path):
    path = tmp_path / "w.duckdb"
    run(path, copy)
    before = hashes(str(path))
    with __import__("duckdb").connect(str(path)) as con:
        con.execute(
            "UPDATE raw.stock_bars_daily SET close = close * 10 WHERE partition_date = '2025-02-06' AND symbol = "
            "(SELECT min(symbol) FROM raw.stock_bars_daily WHERE partition_date = '2025-02-06')"
        )
    again = run(path, copy)
    landed = metadata(again, "raw/stock_bars_daily")
    assert landed["raw_edited_sessions"] == ["2025-02-06"] and landed["sessions_unchanged"] == 6
    assert judged(path) == ["2025-02-06", "2025-02-07"]
    assert hashes(str(path)) == before
    raw = table(path, "SELECT max(close) AS c FROM raw.stock_bars_daily WHERE partition_date = '2025-02-06'")
    fresh = table(path, "SELECT max(close) AS c FROM staging.stock_bars_daily WHERE trade_date = '2025-02-06'")
    assert raw["c"][0] == fresh["c"][0]  # raw is its capture again
