"""The Dagster graph on the shipped sample, in process: what it builds, that re-runs change nothing, and
that a failed run leaves the warehouse as it was."""

import datetime as dt
import shutil

import dagster as dg
import polars as pl
import pytest

from assets.resources import MarketSourceResource
from etl.settings import SAMPLE_LANDING
from tests.conftest import FIRST, materialize_range, reland, table

TABLES = [
    "raw.stock_universe",
    "raw.stock_bars_daily",
    "raw.index_bars_daily",
    "staging.stock_universe",
    "staging.stock_bars_daily",
    "staging.index_bars_daily",
    "marts.index_daily",
    "marts.market_breadth_daily",
    "marts.board_daily",
    "marts.theme_membership_daily",
    "marts.theme_daily",
    "marts.dividend_vs_ai_daily",
    "marts.event_window",
    "marts.fund_flow_board_daily",
    "marts.news_theme_daily",
    "marts.cross_market_daily",
]
SAMPLE_LAST = "2025-03-31"
SESSIONS = 7  # 2025-01-22 .. 2025-02-07: four sessions before the Spring Festival closure, three after


def snapshot(path) -> dict[str, pl.DataFrame]:
    return {t: table(path, f"SELECT * FROM {t}").sort(pl.all()) for t in TABLES}


def assert_same(before, after):
    for name in TABLES:
        assert before[name].equals(after[name]), f"{name} changed"


def test_every_layer_is_built_for_every_session(built_warehouse):
    per_day = table(built_warehouse, "SELECT count(DISTINCT trade_date) n FROM marts.index_daily")["n"][0]
    assert per_day == SESSIONS
    counts = {t: table(built_warehouse, f"SELECT count(*) n FROM {t}")["n"][0] for t in TABLES}
    quarantined = table(
        built_warehouse, "SELECT count(*) n FROM quality.quarantine WHERE table_name = 'staging.stock_bars_daily'"
    )["n"][0]
    assert counts["raw.stock_bars_daily"] == counts["staging.stock_bars_daily"] + quarantined
    assert counts["staging.stock_bars_daily"] > 50_000
    assert counts["marts.market_breadth_daily"] == SESSIONS
    indices = table(built_warehouse, "SELECT DISTINCT index_code FROM marts.index_daily")["index_code"].to_list()
    assert {"000001", "399001", "399006", "000300", "000016", "000905", "000922"} <= set(indices)


def test_no_rows_on_closed_days(built_warehouse):
    closed = table(
        built_warehouse,
        "SELECT count(*) n FROM staging.stock_bars_daily WHERE trade_date BETWEEN '2025-01-28' AND '2025-02-04'",
    )["n"][0]
    assert closed == 0


def test_every_row_says_which_source_it_came_from(built_warehouse):
    sources = table(built_warehouse, "SELECT DISTINCT source, source_function FROM staging.stock_bars_daily")
    assert sources.rows() == [("recorded", "stock_zh_a_hist")]
    assert (
        table(built_warehouse, "SELECT count(*) n FROM staging.stock_bars_daily WHERE fetched_at IS NULL")["n"][0] == 0
    )


def test_csi_dividend_change_on_the_first_session_after_the_holiday(built_warehouse):
    """Known answer from the landing files directly: CSI Dividend 000922 close on 02-05 vs 01-27."""

    def close(day):
        frame = pl.read_parquet(SAMPLE_LANDING / "stock_zh_index_daily_em" / f"{day}.parquet")
        return frame.filter(pl.col("symbol") == "csi000922")["close"][0]

    expected = (close("2025-02-05") / close("2025-01-27") - 1) * 100
    row = table(
        built_warehouse,
        "SELECT prev_close, pct_change FROM marts.index_daily "
        "WHERE index_code = '000922' AND trade_date = '2025-02-05'",
    ).row(0)
    assert row[0] == close("2025-01-27")
    assert row[1] == pytest.approx(expected, abs=1e-4)
    assert row[1] < -1.5  # dividend assets sold off on the first session of the Snake year


def landed_bars(built_warehouse, day):
    """The bars the marts count, from the landing files: each stock's forward-adjusted bar where the suite let
    it through, else its unadjusted one (marts/inputs.py return_bars), traded, less quarantined rows."""

    def passed(folder, adjust):
        q = table(
            built_warehouse,
            "SELECT split_part(row_key, '|', 2) AS code FROM quality.quarantine "
            f"WHERE table_name = 'staging.stock_bars_daily' AND partition_key = '{day}' "
            f"AND split_part(row_key, '|', 3) = '{adjust}'",
        )
        bars = pl.read_parquet(SAMPLE_LANDING / folder / f"{day}.parquet")
        return bars.filter(~pl.col("股票代码").is_in(q["code"].to_list()))

    qfq = passed("stock_zh_a_hist", "qfq")
    none = passed("stock_zh_a_hist_unadjusted", "none").filter(~pl.col("股票代码").is_in(qfq["股票代码"].implode()))
    return pl.concat([qfq, none]).filter(pl.col("成交量") > 0)


def test_breadth_matches_a_count_over_the_landing_file(built_warehouse):
    bars = landed_bars(built_warehouse, "2025-02-05")
    row = table(built_warehouse, "SELECT * FROM marts.market_breadth_daily WHERE trade_date = '2025-02-05'").row(
        0, named=True
    )
    assert row["stocks_traded"] == bars.height
    assert row["advancers"] == bars.filter(pl.col("涨跌幅") > 0).height
    assert row["decliners"] == bars.filter(pl.col("涨跌幅") < 0).height
    assert row["total_amount_cny"] == pytest.approx(bars["成交额"].sum())
    assert row["amount_coverage"] == pytest.approx(bars["成交额"].is_not_null().mean())
    previous = landed_bars(built_warehouse, "2025-01-27")
    assert row["total_amount_change_cny"] == pytest.approx(bars["成交额"].sum() - previous["成交额"].sum())


def test_deepseek_board_return_on_the_first_session_of_the_snake_year(built_warehouse):
    """Known answer from the landing files: members of BK1188 in the 2025-03-09 snapshot, their 02-05 bars."""
    cons = pl.read_parquet(SAMPLE_LANDING / "stock_board_concept_cons_em" / "2025-03-09.parquet")
    members = cons.filter(pl.col("板块代码") == "BK1188")["代码"]
    bars = landed_bars(built_warehouse, "2025-02-05").filter(pl.col("股票代码").is_in(members.implode()))
    row = table(
        built_warehouse, "SELECT * FROM marts.board_daily WHERE board_code = 'BK1188' AND trade_date = '2025-02-05'"
    ).row(0, named=True)
    assert row["members"] == members.n_unique() and row["members_traded"] == bars.height
    assert row["ew_return_pct"] == pytest.approx(bars["涨跌幅"].mean())
    assert row["advancers"] == bars.filter(pl.col("涨跌幅") > 0).height
    weights = bars.filter(pl.col("换手率") > 0).with_columns(w=pl.col("成交额") / (pl.col("换手率") / 100))
    assert row["cw_return_pct"] == pytest.approx((weights["涨跌幅"] * weights["w"]).sum() / weights["w"].sum())
    assert row["membership_as_of"] == dt.date(2025, 3, 9)  # look-ahead shown: the board is from February
    assert row["ew_return_pct"] > 3 and row["method"] == "rebuilt_from_members"
    cpo = table(
        built_warehouse,
        "SELECT rank_in_type, (SELECT max(rank_in_type) FROM marts.board_daily "
        "WHERE trade_date = '2025-02-05' AND board_type = 'concept') AS worst "
        "FROM marts.board_daily WHERE board_name = 'CPO概念' AND trade_date = '2025-02-05'",
    ).row(0)
    assert cpo[0] > 0.9 * cpo[1]  # compute hardware fell while the AI concepts surged


def test_first_partition_has_no_previous_close(built_warehouse):
    first = table(built_warehouse, f"SELECT prev_close, pct_change FROM marts.index_daily WHERE trade_date = '{FIRST}'")
    # the warehouse holds nothing before the run's first session, so the reference is unknown, not zero
    assert first.height > 0 and first["prev_close"].null_count() == first.height


def test_rerunning_the_range_or_one_partition_leaves_the_warehouse_identical(tmp_path):
    path = tmp_path / "w.duckdb"
    assert materialize_range(path).success
    before = snapshot(path)
    assert materialize_range(path).success
    assert_same(before, snapshot(path))
    assert materialize_range(path, "2025-02-05", "2025-02-05").success
    assert_same(before, snapshot(path))


@pytest.fixture
def broken_sample(tmp_path):
    """A copy of the sample whose 2025-02-05 bars file has a renamed column (upstream drift)."""
    copy = tmp_path / "sample"
    shutil.copytree(SAMPLE_LANDING, copy)
    path = copy / "stock_zh_a_hist" / "2025-02-05.parquet"
    reland(copy, "stock_zh_a_hist", "2025-02-05", pl.read_parquet(path).rename({"成交额": "成交金额"}))
    return copy


def test_a_contract_failure_fails_the_run_and_writes_nothing(tmp_path, broken_sample):
    path = tmp_path / "w.duckdb"
    assert materialize_range(path).success
    before = snapshot(path)
    # a contract violation fails at once, without the live retry policy (dg.Failure, allow_retries=False)
    with pytest.raises(dg.Failure, match="InputSpecError: stock_zh_a_hist: columns differ"):
        materialize_range(
            path, source=MarketSourceResource(sample_landing=str(broken_sample)), selection="key:raw/stock_bars_daily"
        )
    assert_same(before, snapshot(path))


def test_a_failure_mid_write_keeps_the_old_partitions(tmp_path, monkeypatch):
    import domains.stocks.assets

    path = tmp_path / "w.duckdb"
    assert materialize_range(path).success
    before = snapshot(path)

    original = domains.stocks.assets.stock_bar_candidates

    def breaks_the_insert(*args):  # a NULL in a NOT NULL column: the INSERT fails after the DELETE ran
        return original(*args).with_columns(source=pl.lit(None, pl.String))

    monkeypatch.setattr(domains.stocks.assets, "stock_bar_candidates", breaks_the_insert)
    result = materialize_range(path, raise_on_error=False, selection="key:staging/stock_bars_daily")
    assert [e.step_key for e in result.get_step_failure_events()] == ["staging__stock_bars_daily"]
    assert_same(before, snapshot(path))


def test_make_demo_builds_a_range_in_one_run_and_says_what_it_built(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "ASHARE_WAREHOUSE": str(tmp_path / "demo.duckdb")}
    env.pop("DAGSTER_HOME", None)
    env["ASHARE_DATA_DOCS"] = "0"
    # the same command as make demo, over the last sessions of the sample (the whole sample is make demo's job)
    cmd = [sys.executable, "-m", "assets.demo", "--first", "2025-03-24", "--last", SAMPLE_LAST]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    assert f"from the recorded source, partitions 2025-03-24 .. {SAMPLE_LAST}" in out
    assert "wall" in out and "make dev" in out and "marts.market_breadth_daily" in out
    assert f"Report (open in a browser):  {tmp_path / 'reports' / 'dividend_vs_ai.html'}" in out
    assert (tmp_path / "reports" / "dividend_vs_ai.html").stat().st_size > 0
    breadth = table(tmp_path / "demo.duckdb", "SELECT count(*) n, max(trade_date) b FROM marts.market_breadth_daily")
    assert breadth.row(0) == (6, pl.Series([SAMPLE_LAST]).str.to_date()[0])
    runs = [line for line in out.splitlines() if line.startswith("run ")]
    assert len(runs) == 1  # one run for the whole range, not one per day
