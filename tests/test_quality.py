"""Bad rows injected into a partition land in quality.quarantine under the right rule, the marts exclude
them and nothing else is lost; a partition-level failure stops the marts; a clean partition passes."""

import datetime as dt
import re
import shutil

import polars as pl
import pytest

from assets.resources import MarketSourceResource
from etl.settings import SAMPLE_LANDING
from tests.conftest import materialize_range, reland, table

DAY = "2025-02-05"
RANGE = ("2025-01-27", DAY)


def sample_copy(tmp_path):
    copy = tmp_path / "sample"
    shutil.copytree(SAMPLE_LANDING, copy, ignore=shutil.ignore_patterns("stock_info_global_em", "news_cctv"))
    (copy / "stock_info_global_em").mkdir()
    (copy / "news_cctv").mkdir()
    return copy


def bars_path(copy, day=DAY):
    return copy / "stock_zh_a_hist" / f"{day}.parquet"


def row(frame, symbol, **changes):
    base = frame.filter(pl.col("股票代码") == symbol)
    return base.with_columns(**{k: pl.lit(v, dtype=base.schema[k]) for k, v in changes.items()})


INJECTED = {
    "600519": "duplicate_key",
    "601398": "high_below_low",
    "600028": "pct_change_outside_band",
    "123456": "invalid_code",
    "601988": "not_a_trading_day",
    "601939": "date_outside_partition",
    "601857": "close_not_null",
}


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    """One of each kind of bad row in the 2025-02-05 bars (replacing the stock's real row, except the
    duplicate, which is added), then a run over 01-27..02-05."""
    tmp = tmp_path_factory.mktemp("inject")
    copy = sample_copy(tmp)
    bars = pl.read_parquet(bars_path(copy)).with_columns(pl.col("收盘").cast(pl.String))
    clean_rows = bars.height
    bad = pl.concat(
        [
            row(bars, "600519", 收盘="1234.0"),  # duplicate key (another close)
            row(bars, "601398", 最高=5.0, 最低=6.0, 开盘=5.5, 收盘="5.5"),  # high < low
            row(bars, "600028", 涨跌幅=25.0),  # out of the 10 % band
            row(bars, "000001", 股票代码="123456"),  # unknown code
            row(bars, "601988", 日期=dt.date(2025, 2, 1)),  # a Saturday in the holiday
            row(bars, "601939", 日期=dt.date(2025, 2, 6)),  # a session, but not this partition's
            row(bars, "601857", 收盘="-"),  # "-" in a numeric column
        ]
    )
    replaced = ["601398", "600028", "000001", "601988", "601939", "601857"]
    kept = bars.filter(~pl.col("股票代码").is_in(replaced))
    reland(copy, "stock_zh_a_hist", DAY, pl.concat([kept, bad]))
    path = tmp / "w.duckdb"
    result = materialize_range(path, *RANGE, source=MarketSourceResource(sample_landing=str(copy)))
    return path, result, clean_rows


def quarantined(path, table_name="staging.stock_bars_daily"):
    return table(
        path, f"SELECT row_key, rule, value, partition_key FROM quality.quarantine WHERE table_name = '{table_name}'"
    )


def test_each_bad_row_is_quarantined_under_its_rule(injected):
    path, result, _ = injected
    assert result.success
    q = quarantined(path).filter(pl.col("partition_key") == DAY, pl.col("row_key").str.ends_with("|qfq"))
    got = {k.split("|")[1]: r for k, r in q.select("row_key", "rule").iter_rows() if k.split("|")[1] in INJECTED}
    assert got == INJECTED
    assert q.filter(pl.col("row_key").str.contains("600519")).height == 2  # both rows of the ambiguous key


def test_marts_exclude_quarantined_rows_and_nothing_else_is_lost(injected):
    path, _, clean_rows = injected
    raw = table(path, f"SELECT count(*) n FROM raw.stock_bars_daily WHERE partition_date = '{DAY}' AND adjust = 'qfq'")[
        "n"
    ][0]
    staged = table(
        path, f"SELECT count(*) n FROM staging.stock_bars_daily WHERE trade_date = '{DAY}' AND adjust = 'qfq'"
    )["n"][0]
    q = quarantined(path).filter(pl.col("partition_key") == DAY, pl.col("row_key").str.ends_with("|qfq"))
    assert raw == clean_rows + 1  # the duplicate is the only added row
    assert raw == staged + q.height  # nothing lost
    natural = q.filter(~pl.col("row_key").str.split("|").list.get(1).is_in(list(INJECTED)))
    assert q.height == 8 + natural.height  # the seven injected rows and the real row the duplicate made ambiguous
    leaked = table(
        path,
        f"SELECT symbol FROM staging.stock_bars_daily WHERE trade_date = '{DAY}' AND adjust = 'qfq' "
        f"AND symbol IN ({', '.join(repr(s) for s in INJECTED)})",
    )
    assert leaked.height == 0
    breadth = table(path, f"SELECT stocks_traded FROM marts.market_breadth_daily WHERE trade_date = '{DAY}'")[
        "stocks_traded"
    ][0]
    traded = table(  # each stock once: its forward-adjusted bar, else its unadjusted one
        path,
        f"SELECT count(DISTINCT symbol) n FROM staging.stock_bars_daily WHERE trade_date = '{DAY}' "
        "AND volume_shares > 0",
    )["n"][0]
    assert breadth == traded


def test_the_suite_result_is_in_the_check_metadata(injected):
    _, result, _ = injected
    evaluations = [
        e for e in result.get_asset_check_evaluations() if e.asset_key.path == ["staging", "stock_bars_daily"]
    ]
    assert len(evaluations) == 1 and evaluations[0].passed  # row failures are quarantined, the partition is fine
    meta = evaluations[0].metadata
    assert meta["quarantined_rows"].value >= 7 and meta["expectations"].value >= 15
    assert "high_below_low" in meta["results"].value


def test_an_empty_partition_fails_the_check_and_stops_the_marts(tmp_path):
    copy = sample_copy(tmp_path)
    for name in ("stock_zh_a_hist", "stock_zh_a_hist_unadjusted"):
        reland(copy, name, DAY, pl.read_parquet(copy / name / f"{DAY}.parquet").head(0))
    path = tmp_path / "w.duckdb"
    result = materialize_range(
        path, *RANGE, source=MarketSourceResource(sample_landing=str(copy)), raise_on_error=False
    )
    checks = {tuple(e.asset_key.path): e for e in result.get_asset_check_evaluations()}
    assert not checks[("staging", "stock_bars_daily")].passed
    assert "empty_partition" in checks[("staging", "stock_bars_daily")].metadata["failed_partition_rules"].value
    done = {tuple(e.asset_key.path) for e in result.get_asset_materialization_events()}
    assert ("marts", "market_breadth_daily") not in done  # blocked: the marts never saw the broken day
    assert ("marts", "index_daily") in done  # unrelated marts still run


def test_a_half_empty_day_fails_the_row_count_band(tmp_path):
    copy = sample_copy(tmp_path)
    for name in ("stock_zh_a_hist", "stock_zh_a_hist_unadjusted"):
        frame = pl.read_parquet(copy / name / f"{DAY}.parquet")
        reland(copy, name, DAY, frame.head(frame.height // 2))
    result = materialize_range(
        tmp_path / "w.duckdb", *RANGE, source=MarketSourceResource(sample_landing=str(copy)), raise_on_error=False
    )
    check = next(e for e in result.get_asset_check_evaluations() if e.asset_key.path == ["staging", "stock_bars_daily"])
    assert not check.passed and "row_count_out_of_band" in check.metadata["failed_partition_rules"].value


def test_a_missing_index_fails_the_index_check(tmp_path):
    copy = sample_copy(tmp_path)
    path = copy / "stock_zh_index_daily_em" / f"{DAY}.parquet"
    reland(copy, "stock_zh_index_daily_em", DAY, pl.read_parquet(path).filter(pl.col("symbol") != "csi000922"))
    result = materialize_range(
        tmp_path / "w.duckdb", *RANGE, source=MarketSourceResource(sample_landing=str(copy)), raise_on_error=False
    )
    check = next(e for e in result.get_asset_check_evaluations() if e.asset_key.path == ["staging", "index_bars_daily"])
    assert not check.passed and check.metadata["failed_partition_rules"].value == ["tracked_index_missing"]
    done = {tuple(e.asset_key.path) for e in result.get_asset_materialization_events()}
    assert ("marts", "index_daily") not in done


def test_every_suite_passes_on_the_clean_sample(built_warehouse_result):
    evaluations = built_warehouse_result.get_asset_check_evaluations()
    gx = [e for e in evaluations if e.check_name == "gx_suite"]
    assert len(gx) >= 11 and all(e.passed for e in gx), [e.asset_key for e in gx if not e.passed]


def test_data_docs_are_built(tmp_path, monkeypatch):
    from domains.stocks.suites import UNIVERSE
    from etl.gate.gx import build_data_docs, validate

    monkeypatch.setenv("ASHARE_DATA_DOCS", "1")
    monkeypatch.setenv("ASHARE_GX_DIR", str(tmp_path / "gx"))
    frame = pl.DataFrame({"symbol": ["600519", "bad"], "name": ["贵州茅台", "x"]})
    outcome = validate(UNIVERSE, frame)
    assert outcome.bad_rows["rule"].to_list() == ["invalid_code"]
    index = build_data_docs()
    assert index.exists() and "staging__stock_universe" in index.read_text(encoding="utf-8")
    # offline: no page loads anything from the network, and every local file a page names is in the site
    from etl.gate.offline_docs import ASSETS_DIR, LOADED, available

    assert available(), f"the docs' assets are not installed: npm ci --prefix {ASSETS_DIR} (make test does)"
    site = index.parent
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not LOADED.findall(text), page
        for local in re.findall(r'(?:href|src)="((?:\.\./)*static/vendor/[^"]+)"', text):
            assert (page.parent / local).resolve().exists(), (page, local)
    assert (site / "static" / "vendor" / "@fortawesome" / "fontawesome-free" / "webfonts").is_dir()


def test_data_docs_keep_the_newest_results_of_each_suite(tmp_path, monkeypatch):
    """Every chunk of a range run and every daily run stores a result: a docs build must not render them all."""
    from domains.stocks.suites import UNIVERSE
    from etl.gate.gx import KEEP_RESULTS, _context, build_data_docs, validate

    monkeypatch.setenv("ASHARE_DATA_DOCS", "1")
    monkeypatch.setenv("ASHARE_GX_DIR", str(tmp_path / "gx"))
    frame = pl.DataFrame({"symbol": ["600519"], "name": ["贵州茅台"]})
    for _ in range(KEEP_RESULTS + 2):
        validate(UNIVERSE, frame)
    store = _context(True).validation_results_store
    stored = [k.to_tuple() for k in store.list_keys()]
    assert len(stored) >= KEEP_RESULTS + 2
    build_data_docs()
    kept = sorted(k.to_tuple() for k in store.list_keys())
    assert kept == sorted(stored, key=lambda k: k[2])[-KEEP_RESULTS:]  # the newest, by run time
    pages = list((tmp_path / "gx").rglob("validations/**/*.html"))
    assert len(pages) == KEEP_RESULTS


def test_row_rules_on_no_rows_report_what_gx_reports():
    """An empty chunk skips GX's checkpoint for the row rules; the verdict must be the one GX gives."""
    from domains.stocks.suites import UNIVERSE
    from etl.gate.gx import _context, _evaluate, _run

    suite = UNIVERSE
    empty = pl.DataFrame(schema={"symbol": pl.String, "name": pl.String})
    bad, details = _evaluate(_context(False), "empty_check", empty, suite.row_rules, {}, "row")
    assert bad.height == 0
    by_gx = {
        rule.name: (r.success, r.expectation_config.type)
        for rule, r in _run(_context(False), "empty_gx", empty, suite.row_rules, {})
    }
    assert {d["rule"]: (d["success"], d["expectation"]) for d in details} == by_gx
    assert all(d["unexpected"] == 0 for d in details)


@pytest.mark.parametrize(
    "symbol, name, rule",
    [
        ("600５１９", "贵州茅台", "invalid_code"),  # fullwidth digits: `\d` took any Unicode digit
        ("６００５１９", "贵州茅台", "invalid_code"),
        ("600028", "", "name_blank"),
        ("600028", "   ", "name_blank"),
        ("600028", "\u200b\u200d", "name_blank"),  # zero-width characters only
    ],
)
def test_universe_rows_without_a_real_code_or_a_visible_name_are_quarantined(symbol, name, rule):
    from domains.stocks.suites import UNIVERSE
    from etl.gate.gx import validate

    frame = pl.DataFrame({"symbol": ["600519", symbol], "name": ["贵州茅台", name]})
    outcome = validate(UNIVERSE, frame)
    assert outcome.bad_rows["rule"].to_list() == [rule]


def test_a_code_in_text_is_ascii_digits_only():
    from etl.market import CODE_IN_TEXT, exchange_of

    assert exchange_of("600５１９") is None
    assert CODE_IN_TEXT.findall("茅台600519与600５１９") == ["600519"]
