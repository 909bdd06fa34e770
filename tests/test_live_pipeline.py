"""The live source through Dagster, its akshare resource serving frames in akshare's exact shapes (no network,
no patched module). Same assets, same input specs, same tables as the recorded path."""

import datetime as dt

import pytest

from assets.resources import MarketSourceResource
from etl.settings import Settings
from tests.akshare_frames import DAYS, FakeAkshare, live_source
from tests.conftest import materialize_range, table


def test_live_run_lands_files_and_builds_the_same_tables(tmp_path):
    path = tmp_path / "w.duckdb"
    live = live_source(tmp_path / "landing", FakeAkshare({"600519": "strings"}))
    result = materialize_range(path, DAYS[0].isoformat(), DAYS[1].isoformat(), source=live)
    assert result.success

    bars = table(
        path, "SELECT trade_date, symbol, adjust, volume_shares, source FROM staging.stock_bars_daily ORDER BY ALL"
    )
    assert bars["symbol"].unique().sort().to_list() == ["000001", "600519", "601398"]
    assert set(bars["adjust"]) == {"none"}  # adjustment is derived, not fetched
    assert set(bars["source"]) == {"akshare"}
    assert bars["trade_date"].unique().sort().to_list() == DAYS
    assert bars.filter(symbol="600519")["volume_shares"].to_list()[0] == 100_000  # 1000 手

    breadth = table(path, "SELECT * FROM marts.market_breadth_daily ORDER BY trade_date")
    assert breadth["stocks_traded"].to_list() == [3, 3]
    assert (tmp_path / "landing" / "stock_zh_a_hist_unadjusted" / "2025-02-05.parquet").exists()
    assert (tmp_path / "landing" / "_manifest.jsonl").exists()
    # materialisation metadata tells the UI which source the run used
    raw_events = [
        e for e in result.get_asset_materialization_events() if e.asset_key.path == ["raw", "stock_bars_daily"]
    ]
    assert raw_events and raw_events[0].materialization.metadata["source"].value == "akshare"


def test_live_mode_refuses_an_unknown_source_name():
    with pytest.raises(ValueError, match="ASHARE_SOURCE must be one of"):
        MarketSourceResource(kind="tushare").get()


@pytest.fixture(scope="module")
def live_warehouse(tmp_path_factory):
    """One live run over the holiday pair of sessions, every function replaced by akshare-shaped frames."""
    tmp = tmp_path_factory.mktemp("live")
    fake = FakeAkshare()
    live = live_source(tmp / "landing", fake)
    result = materialize_range(tmp / "w.duckdb", DAYS[0].isoformat(), DAYS[1].isoformat(), source=live)
    assert result.success
    checks = {tuple(e.asset_key.path): e.passed for e in result.get_asset_check_evaluations()}
    # the live-only tables (board bars, fund-flow histories, dividends) pass their suites too
    for name in ("board_bars_daily", "stock_fund_flow_daily", "market_fund_flow_daily", "dividends"):
        assert checks[("staging", name)] is True
    return tmp / "w.duckdb", fake


def test_live_membership_is_todays_snapshot_of_the_tracked_boards_called_by_bk_code(live_warehouse):
    path, fake = live_warehouse
    assert ("stock_board_concept_cons_em", "BK1188") in fake.calls  # DeepSeek概念 resolved from the list
    members = table(path, "SELECT board_code, symbol, valid_from, valid_to FROM staging.board_membership ORDER BY ALL")
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    assert set(members["valid_from"]) == {today} and members["valid_to"].null_count() == members.height
    assert ("BK0475", "601398") in set(zip(members["board_code"], members["symbol"], strict=True))


def test_live_sector_ranks_resolve_names_to_bk_codes_and_keep_regions_as_regions(live_warehouse):
    path, _ = live_warehouse
    ranks = table(
        path,
        "SELECT DISTINCT sector_type, board_name, board_code, top_inflow_stock_symbol "
        "FROM staging.sector_fund_flow_rank ORDER BY 1",
    )
    # region boards are not in the board lists: kept with their name, no code; the top stock's code resolved
    assert ranks.rows() == [
        ("concept", "DeepSeek概念", "BK1188", "601398"),
        ("industry", "银行", "BK0475", "601398"),
        ("region", "上海板块", None, "601398"),
    ]
    q = table(path, "SELECT rule, value FROM quality.quarantine WHERE table_name = 'staging.sector_fund_flow_rank'")
    assert q.is_empty()
    ratio = table(
        path,
        "SELECT main_net_inflow_pct FROM staging.sector_fund_flow_rank WHERE board_name = '上海板块' "
        "AND indicator = '今日'",
    )["main_net_inflow_pct"].to_list()
    assert ratio == [None]  # "-" inside a numeric rank column
    flows = table(path, "SELECT DISTINCT board_code FROM marts.fund_flow_board_daily ORDER BY 1")[
        "board_code"
    ].to_list()
    assert flows == ["BK0475", "BK1188"]
    windows = table(path, "SELECT DISTINCT indicator FROM staging.stock_fund_flow_rank ORDER BY 1")[
        "indicator"
    ].to_list()
    assert windows == ["今日"]  # the multi-day windows are sums of daily captures: not fetched


def test_live_rank_placeholders_become_null_and_units_are_canonical(live_warehouse):
    path, _ = live_warehouse
    stock = table(
        path, "SELECT symbol, main_net_inflow_cny FROM staging.stock_fund_flow_rank WHERE indicator = '今日' ORDER BY 1"
    )
    assert stock["main_net_inflow_cny"].to_list() == [3e8, None]  # the raw "-" of the last row
    csi = table(path, "SELECT volume_shares, amount_cny FROM staging.csi_index_daily LIMIT 1").row(0)
    assert csi == (120 * 1_000_000, 350 * 100_000_000)  # 万手 -> shares, 亿元 -> CNY
    div = table(
        path,
        "SELECT cash_dividend_per_share_cny, dividend_yield_ratio FROM staging.dividends "
        "WHERE symbol = '601398' LIMIT 1",
    ).row(0)
    assert div == (pytest.approx(0.1434), 0.0221)  # per 10 shares -> per share; yield stays a fraction


def test_live_us_sessions_link_to_the_next_a_share_session(live_warehouse):
    path, _ = live_warehouse
    us = table(path, "SELECT DISTINCT us_trade_date, next_cn_trade_date FROM staging.us_bars_daily ORDER BY 1")
    assert us.rows() == [(dt.date(2025, 1, 24), dt.date(2025, 1, 27)), (dt.date(2025, 1, 27), dt.date(2025, 2, 5))]


def test_live_news_is_normalised_timed_and_tagged(live_warehouse):
    path, fake = live_warehouse
    # CCTV broadcasts of 01-27 .. 02-04 belong to the 02-05 session; 01-27's own evening news included
    assert ("news_cctv", "20250127") in fake.calls and ("news_cctv", "20250204") in fake.calls
    news = table(
        path,
        "SELECT origin, title, body, trade_date, published_at, duplicates FROM staging.news_items "
        "ORDER BY published_at",
    )
    cctv = news.filter(origin="news_cctv")
    assert cctv["title"].to_list()[0] == "国务院常务会议"  # tags stripped, Traditional -> Simplified
    assert "&nbsp;" not in cctv["body"][0] and "AI大模型" in " ".join(cctv["body"])  # entities, full-width AI
    # the fake repeats the same two stories on each of the 12 evenings 01-24 .. 02-04: one row per content,
    # kept at its first airing (Friday 01-24, 19:00 -> the 01-27 session), 11 repeats merged
    assert cctv.height == 2 and cctv["duplicates"].to_list() == [11, 11]
    assert set(cctv["trade_date"]) == {dt.date(2025, 1, 27)}
    feed = news.filter(origin="stock_info_global_em").sort("published_at")
    # 06:05 on 01-28 (closed) -> 02-05; 14:30 on 02-05 (before the close) -> 02-05
    assert feed["trade_date"].to_list() == [dt.date(2025, 2, 5), dt.date(2025, 2, 5)]
    assert feed["published_at"][0] == dt.datetime(2025, 1, 27, 22, 5, tzinfo=dt.UTC)
    themes = table(
        path, "SELECT n.title, t.theme FROM staging.news_item_themes t JOIN staging.news_items n USING (item_id)"
    )
    assert ("英伟达市值蒸发近6000亿美元", "compute_hardware") in themes.rows()
    stocks = table(
        path, "SELECT n.title, s.symbol FROM staging.news_item_stocks s JOIN staging.news_items n USING (item_id)"
    )
    assert ("贵州茅台发布分红公告", "600519") in stocks.rows()


def test_live_board_bars_sit_beside_the_rebuilt_returns_with_the_gap(live_warehouse):
    path, _ = live_warehouse
    rows = table(
        path,
        "SELECT trade_date, cw_return_pct, published_return_pct, published_gap_pct "
        "FROM marts.board_daily WHERE board_code = 'BK1188' ORDER BY trade_date",
    )
    assert rows["trade_date"].to_list() == DAYS
    # members 000001 and 600519 both +5 % in the fake bars (to their 0.01 tick); the board's own K-line says +1 %
    assert rows["published_return_pct"].to_list() == [1.0, 1.0]
    assert rows["published_gap_pct"].to_list() == pytest.approx([4.0, 4.0], abs=1e-3)
    themes = table(
        path, "SELECT theme, members_traded FROM marts.theme_daily WHERE trade_date = '2025-02-05' ORDER BY theme"
    )
    assert dict(themes.rows())["ai"] == 2  # the two concept members, each traded


def test_bond_yields_land_and_stage_in_percent_with_missing_gdp_as_null(live_warehouse):
    path, fake = live_warehouse
    first = Settings.from_env().first_session  # where the partitions (the warehouse's history) start
    assert ("bond_zh_us_rate", first.strftime("%Y%m%d")) in fake.calls
    rows = table(
        path, "SELECT trade_date, cn_10y_yield_pct, us_10y_yield_pct, cn_gdp_yoy_pct FROM staging.bond_yields_daily"
    )
    assert rows.sort("trade_date").rows() == [(d, 1.62, 4.54, None) for d in DAYS]
    assert table(path, "SELECT count(*) AS n FROM raw.bond_yields_daily")["n"].item() == 2


def test_live_valuation_meets_the_bond_yield_in_the_valuation_mart(live_warehouse):
    path, fake = live_warehouse
    assert ("stock_zh_index_value_csindex", "000922") in fake.calls
    rows = table(
        path,
        "SELECT index_code, dividend_yield_pct, cn_10y_yield_pct, yield_spread_pct, pe_percentile "
        "FROM marts.index_valuation_daily WHERE trade_date = '2025-02-05' AND index_code IN ('000300', '000922') "
        "ORDER BY 1",
    )
    assert rows["index_code"].to_list() == ["000300", "000922"]
    assert rows["dividend_yield_pct"].to_list() == [2.9, 5.6]
    assert rows["cn_10y_yield_pct"].to_list() == [1.62, 1.62]
    assert rows["yield_spread_pct"].to_list() == [pytest.approx(1.28), pytest.approx(3.98)]


def test_live_us_indices_stage_and_meet_chinext_in_the_long_horizon(live_warehouse):
    path, fake = live_warehouse
    assert {c[1] for c in fake.calls if c[0] == "index_us_stock_sina"} == {".IXIC", ".NDX", ".INX"}
    us = table(path, "SELECT symbol, count(*) AS n, max(volume_shares) AS v FROM staging.us_index_daily GROUP BY 1")
    assert sorted(us.rows()) == [(".INX", 2, 5_000_000_000), (".IXIC", 2, 5_000_000_000), (".NDX", 2, 5_000_000_000)]
    # the one session both sides hold (2025-01-27) starts and ends every window: a return of 0, coverage said
    pair = table(
        path,
        "SELECT window_label, return_a_pct, first_day, sessions FROM marts.relative_performance "
        "WHERE pair = 'nasdaq100_vs_chinext' ORDER BY 1",
    )
    assert pair["window_label"].to_list() == ["1M", "1Y", "3M", "3Y", "YTD"]
    assert set(pair["return_a_pct"]) == {0.0} and set(pair["first_day"]) == {dt.date(2025, 1, 27)}
