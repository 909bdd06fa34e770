"""Audit before write: a refused partition leaves raw, staging and quarantine exactly as they were, is kept
aside for inspection with the rule and figures, and fails the run with them in its message. The size band
compares with partitions that passed, so two half-empty days in a row are both refused."""

import json

import polars as pl
import pytest

from assets.resources import MarketSourceResource
from etl.landing import LandingZone
from tests.conftest import BAR_ASSETS, materialize_range, reland, table
from tests.test_quality import sample_copy

BARS = [*BAR_ASSETS, "marts/market_breadth_daily"]
GOOD = ("2025-01-22", "2025-02-07")


def partition_state(path, day: str) -> dict:
    """Rows and a content hash of one partition in raw, staging and the quarantine."""
    out = {}
    for name, sql in {
        "raw": f"SELECT * FROM raw.stock_bars_daily WHERE partition_date = '{day}'",
        "staging": f"SELECT * FROM staging.stock_bars_daily WHERE trade_date = '{day}'",
        "quarantine": f"SELECT * EXCLUDE (run_id, detected_at) FROM quality.quarantine WHERE partition_key = '{day}' "
        "AND table_name = 'staging.stock_bars_daily'",
    }.items():
        out[name] = table(
            path,
            f"SELECT count(*) AS n, md5(coalesce(string_agg(r::VARCHAR, '|' ORDER BY r::VARCHAR), '')) "
            f"AS h FROM ({sql}) r",
        ).row(0)
    return out


def halve(copy, *days):
    for day in days:
        for name in ("stock_zh_a_hist", "stock_zh_a_hist_unadjusted"):
            frame = pl.read_parquet(copy / name / f"{day}.parquet")
            reland(copy, name, day, frame.head(frame.height // 2))


def run(path, copy, first, last):
    return materialize_range(
        path, first, last, source=MarketSourceResource(sample_landing=str(copy)), selection=BARS, raise_on_error=False
    )


def failure_messages(result) -> str:
    return " ".join(e.step_failure_data.error.message for e in result.get_step_failure_events())


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A clean bars-only warehouse over 01-22 .. 02-07 and a copy of the sample to tamper with."""
    tmp = tmp_path_factory.mktemp("audit")
    copy = sample_copy(tmp)
    path = tmp / "good.duckdb"
    assert run(path, copy, *GOOD).success
    return tmp, copy, path


@pytest.fixture
def tampered(good, tmp_path):
    import shutil

    _, clean, path = good
    copy = tmp_path / "sample"
    shutil.copytree(clean, copy)
    work = tmp_path / "w.duckdb"
    shutil.copy(path, work)
    return copy, work


def test_a_half_empty_day_on_a_good_one_is_refused_and_the_stored_partition_is_intact(tampered):
    copy, path = tampered
    before = partition_state(path, "2025-02-05")
    halve(copy, "2025-02-05")
    result = run(path, copy, "2025-02-05", "2025-02-05")
    assert not result.success
    assert partition_state(path, "2025-02-05") == before
    message = failure_messages(result)
    assert (
        "2025-02-05: row_count_out_of_band" in message and "reference_rows" in message and "rows_ratio 0.5" in message
    )
    refused = table(path, "SELECT * FROM quality.rejected_partitions")
    assert refused.select("table_name", "partition_key").rows() == [("staging.stock_bars_daily", "2025-02-05")]
    assert refused["rules"][0].to_list() == ["row_count_out_of_band"]
    figures = json.loads(refused["figures"][0])
    stored = table(
        path,
        "SELECT median(n) AS m FROM (SELECT count(*) AS n FROM staging.stock_bars_daily "
        "WHERE trade_date < '2025-02-05' GROUP BY trade_date ORDER BY trade_date DESC LIMIT 5)",
    )["m"][0]
    assert figures["reference_rows"] == stored and figures["rows"] < stored / 2 + 1 and figures["rows_ratio"] == 0.5
    kept = table(
        path, f"SELECT count(*) AS n FROM rejected.stock_bars_daily WHERE rejected_run_id = '{refused['run_id'][0]}'"
    )["n"][0]
    assert kept == before["raw"][0] // 2  # the refused rows, for inspection
    assert table(path, "SELECT count(*) AS n FROM candidate.stock_bars_daily")["n"][0] == 0
    check = next(e for e in result.get_asset_check_evaluations() if e.asset_key.path == ["staging", "stock_bars_daily"])
    assert not check.passed and "2025-02-05" in check.metadata["rejected_partitions"].value
    done = {tuple(e.asset_key.path) for e in result.get_asset_materialization_events()}
    assert ("marts", "market_breadth_daily") not in done


def test_two_half_empty_days_in_a_row_are_both_refused_and_a_good_day_after_them_passes(tampered):
    copy, path = tampered
    before = {d: partition_state(path, d) for d in ("2025-02-05", "2025-02-06", "2025-02-07")}
    halve(copy, "2025-02-05", "2025-02-06")
    # one day at a time, as the daily schedule would: the second compares with passed days, not the first
    for day in ("2025-02-05", "2025-02-06"):
        assert not run(path, copy, day, day).success
    assert run(path, copy, "2025-02-07", "2025-02-07").success
    assert {d: partition_state(path, d) for d in before} == before
    # and in one range run: each partition judged on its own, the good one applied
    result = run(path, copy, "2025-02-05", "2025-02-07")
    assert not result.success
    assert {d: partition_state(path, d) for d in before} == before
    refused = table(path, "SELECT partition_key, count(*) AS n FROM quality.rejected_partitions GROUP BY 1 ORDER BY 1")
    assert refused.rows() == [("2025-02-05", 2), ("2025-02-06", 2)]


def test_every_row_twice_is_refused_not_stored(tampered):
    copy, path = tampered
    before = partition_state(path, "2025-02-05")
    for name in ("stock_zh_a_hist", "stock_zh_a_hist_unadjusted"):
        frame = pl.read_parquet(copy / name / "2025-02-05.parquet")
        reland(copy, name, "2025-02-05", pl.concat([frame, frame]))
    result = run(path, copy, "2025-02-05", "2025-02-05")
    assert not result.success and "2025-02-05: empty_partition" in failure_messages(result)  # every key ambiguous
    assert partition_state(path, "2025-02-05") == before


def test_a_rerun_of_a_good_day_after_a_refusal_gives_the_same_warehouse(tampered, good):
    copy, path = tampered
    _, clean, _ = good
    before = partition_state(path, "2025-02-05")
    halve(copy, "2025-02-05")
    assert not run(path, copy, "2025-02-05", "2025-02-05").success
    assert run(path, clean, "2025-02-05", "2025-02-05").success
    assert partition_state(path, "2025-02-05") == before


GARBAGE = {
    "6005190": "invalid_code",
    "601398": "price_not_finite_positive",
    "601988": "price_not_finite_positive",
    "601939": "close_jump_outside_band",
    "601857": "open_not_null",
    "600028": "negative_turnover",
    "601288": "amount_without_volume",
    "600000": "amount_inconsistent_with_prices",
}


@pytest.fixture(scope="module")
def garbage(good):
    """02-05 re-landed with one garbage row per rule (each replacing a real stock's row) on top of the good
    warehouse; the partition itself is sound, so it passes with those rows quarantined."""
    import shutil

    tmp, clean, path = good
    copy, work = tmp / "garbage-sample", tmp / "garbage.duckdb"
    shutil.copytree(clean, copy)
    shutil.copy(path, work)
    bars = pl.read_parquet(copy / "stock_zh_a_hist" / "2025-02-05.parquet").with_columns(pl.col("开盘").cast(pl.String))

    def row(symbol, **changes):
        base = bars.filter(pl.col("股票代码") == symbol)
        return base.with_columns(**{k: pl.lit(v, dtype=base.schema[k]) for k, v in changes.items()})

    inf = float("inf")
    bad = [
        row("600519", 股票代码="6005190"),  # seven digits
        row(
            "601398", 开盘="inf", 最高=inf, 最低=inf, 收盘=inf, 涨跌额=0.0, 涨跌幅=0.0
        ),  # open = high = low = close = inf
        row("601988", 开盘="0", 最高=0.0, 最低=0.0, 收盘=0.0),  # zero prices
        row("601857", 开盘=""),  # '' in a price
        row("600028", 换手率=-0.5),  # negative turnover
        row("600036", 换手率=0.0),  # zero turnover: flagged only
        row("601288", 成交量=0),  # an amount without volume
    ]
    tenfold = bars.filter(pl.col("股票代码") == "600000")  # amount x10: the average price is ten times the high
    bad.append(tenfold.with_columns(成交额=pl.col("成交额") * 10))
    ten = bars.filter(pl.col("股票代码") == "601939")  # x10 close, change fields null
    bad.append(ten.with_columns(收盘=pl.col("收盘") * 10, 最高=pl.col("收盘") * 10, 涨跌额=None, 涨跌幅=None))
    replaced = ["601398", "601988", "601857", "600028", "601939", "600036", "601288", "600000"]
    reland(
        copy,
        "stock_zh_a_hist",
        "2025-02-05",
        pl.concat([bars.filter(~pl.col("股票代码").is_in(replaced)), *bad], how="vertical_relaxed"),
    )
    result = run(work, copy, "2025-02-05", "2025-02-05")
    return work, result


def test_garbage_rows_are_quarantined_each_under_its_rule(garbage):
    path, result = garbage
    assert result.success
    q = table(
        path,
        "SELECT row_key, rule FROM quality.quarantine WHERE partition_key = '2025-02-05' "
        "AND table_name = 'staging.stock_bars_daily' AND row_key LIKE '%|qfq'",
    )
    got = {k.split("|")[1]: r for k, r in q.rows() if k.split("|")[1] in GARBAGE}
    assert got == GARBAGE
    leaked = table(
        path,
        "SELECT symbol FROM staging.stock_bars_daily WHERE trade_date = '2025-02-05' AND adjust = 'qfq' "
        f"AND symbol IN ({', '.join(repr(s) for s in GARBAGE)})",
    )
    assert leaked.height == 0
    raw = table(path, "SELECT count(*) AS n FROM raw.stock_bars_daily WHERE partition_date = '2025-02-05'")["n"][0]
    staged = table(path, "SELECT count(*) AS n FROM staging.stock_bars_daily WHERE trade_date = '2025-02-05'")["n"][0]
    quarantined = table(
        path,
        "SELECT count(*) AS n FROM quality.quarantine WHERE partition_key = '2025-02-05' "
        "AND table_name = 'staging.stock_bars_daily'",
    )["n"][0]
    assert raw == staged + quarantined


def test_zero_turnover_is_flagged_in_the_check_not_quarantined(garbage):
    path, result = garbage
    kept = table(
        path,
        "SELECT turnover_pct FROM staging.stock_bars_daily WHERE trade_date = '2025-02-05' "
        "AND symbol = '600036' AND adjust = 'qfq'",
    )["turnover_pct"].to_list()
    assert kept == [0.0]
    zero = table(
        path, "SELECT count(*) AS n FROM staging.stock_bars_daily WHERE trade_date = '2025-02-05' AND turnover_pct = 0"
    )["n"][0]
    check = next(e for e in result.get_asset_check_evaluations() if e.asset_key.path == ["staging", "stock_bars_daily"])
    assert check.metadata["flagged_by_rule"].value == {"zero_turnover": zero}


def test_a_quarantined_index_bar_is_a_missing_one_for_the_partition_rules(tampered):
    copy, path = tampered
    index = ["raw/index_bars_daily", "staging/index_bars_daily"]
    source = MarketSourceResource(sample_landing=str(copy))
    assert materialize_range(path, *GOOD, source=source, selection=index).success
    before = table(path, "SELECT * FROM staging.index_bars_daily WHERE trade_date = '2025-02-05' ORDER BY ALL")
    frame = pl.read_parquet(copy / "stock_zh_index_daily_em" / "2025-02-05.parquet")
    broken = frame.with_columns(
        low=pl.when(pl.col("symbol") == "sh000300").then(pl.col("high") + 1).otherwise(pl.col("low"))
    )
    reland(copy, "stock_zh_index_daily_em", "2025-02-05", broken)
    result = materialize_range(path, "2025-02-05", "2025-02-05", source=source, selection=index, raise_on_error=False)
    assert not result.success and "tracked_index_missing" in failure_messages(result)
    after = table(path, "SELECT * FROM staging.index_bars_daily WHERE trade_date = '2025-02-05' ORDER BY ALL")
    assert after.equals(before) and "000300" in after["index_code"].to_list()


def test_raw_equals_staged_plus_quarantined_for_every_staging_asset(built_warehouse_result):
    evaluations = [e for e in built_warehouse_result.get_asset_check_evaluations() if e.check_name == "gx_suite"]
    assert len(evaluations) >= 11
    for e in evaluations:
        m = {k: v.value for k, v in e.metadata.items()}
        assert m["raw_rows"] == m["passed_rows"] + m["quarantined_rows"] + m["superseded_rows"], e.asset_key
        assert m["rejected_partitions"] == {}, e.asset_key


UNIVERSE = ["raw/stock_universe", "staging/stock_universe"]


def test_a_half_empty_universe_is_refused_and_a_repeated_code_keeps_one_row(tampered):
    copy, path = tampered
    snapshot = LandingZone(copy).partitions("stock_info_a_code_name")[-1]
    frame = pl.read_parquet(copy / "stock_info_a_code_name" / f"{snapshot}.parquet")
    before = table(path, "SELECT * FROM staging.stock_universe ORDER BY ALL")
    reland(copy, "stock_info_a_code_name", snapshot, frame.head(frame.height // 2))
    source = MarketSourceResource(sample_landing=str(copy))
    result = materialize_range(
        path, "2025-02-05", "2025-02-05", source=source, selection=UNIVERSE, raise_on_error=False
    )
    assert not result.success and "row_count_out_of_band" in failure_messages(result)
    assert table(path, "SELECT * FROM staging.stock_universe ORDER BY ALL").equals(before)
    # the full list with one code listed twice: the stock stays, its repeat is set aside with the rule
    reland(copy, "stock_info_a_code_name", snapshot, pl.concat([frame, frame.filter(pl.col("code") == "600519")]))
    assert materialize_range(path, "2025-02-05", "2025-02-05", source=source, selection=UNIVERSE).success
    assert table(path, "SELECT count(*) AS n FROM staging.stock_universe WHERE symbol = '600519'")["n"][0] == 1
    q = table(path, "SELECT rule FROM quality.quarantine WHERE table_name = 'staging.stock_universe'")["rule"].to_list()
    assert q == ["duplicate_code"]


def test_rows_neither_staged_quarantined_nor_superseded_refuse_the_candidate(tmp_path):
    import datetime as dt

    import dagster as dg

    from assets.gate import stage_checked
    from domains.flows.suites import MARKET_FLOW_DAILY
    from etl.gate.engine import Candidate
    from etl.warehouse import Warehouse

    wh = Warehouse(tmp_path / "w.duckdb")
    wh.ensure_schema()
    days = [dt.date(2025, 2, 5) + dt.timedelta(days=i) for i in range(3)]
    candidate = pl.DataFrame(
        {
            "trade_date": days,
            "sse_close": [1.0, 2.0, 3.0],
            "source": "akshare",
            "source_function": "stock_market_fund_flow",
            "check_main_flow_gap": [-1.0] * 3,
        },
        schema_overrides={"trade_date": pl.Date},
    )
    context = dg.build_asset_context()
    kept = stage_checked(
        context,
        wh,
        Candidate(
            MARKET_FLOW_DAILY,
            candidate,
            key_columns=["trade_date"],
            raw_rows=5,
            superseded=2,
            facts={"sessions": days},
        ),
    )
    assert kept.check_results[0].passed
    lost = stage_checked(
        context,
        wh,
        Candidate(
            MARKET_FLOW_DAILY,
            candidate,
            key_columns=["trade_date"],
            raw_rows=5,
            superseded=1,
            facts={"sessions": days},
        ),
    )
    assert not lost.check_results[0].passed and "rows_unaccounted_for" in lost.check_results[0].description
    assert table(tmp_path / "w.duckdb", "SELECT count(*) AS n FROM staging.market_fund_flow_daily")["n"][0] == 3


def test_members_without_a_cap_weight_are_counted_in_the_marts():
    """A traded member whose turnover is 0.00 % has no float-cap estimate: it is in the equal-weighted return,
    not in the cap-weighted one, and the basket says how many carried a weight instead of leaving it silent."""
    import datetime as dt

    from marts.boards.transforms import basket_daily

    day = dt.date(2025, 2, 5)
    members = pl.DataFrame(
        {"trade_date": [day] * 3, "board_code": ["BK1"] * 3, "symbol": ["a", "b", "c"], "membership_as_of": [day] * 3}
    )
    bars = pl.DataFrame(
        {
            "trade_date": [day] * 3,
            "symbol": ["a", "b", "c"],
            "pct_change": [1.0, 3.0, -2.0],
            "amount_cny": [1e8, 2e8, 1e8],
            "volume_shares": [100, 200, 100],
            "turnover_pct": [1.0, 0.0, 2.0],
        }
    )
    row = basket_daily(members, bars, "board_code").row(0, named=True)
    assert (row["members_traded"], row["members_weighted"]) == (3, 2)
    assert row["cw_return_pct"] == (1.0 * 1e10 - 2.0 * 5e9) / (1e10 + 5e9)
