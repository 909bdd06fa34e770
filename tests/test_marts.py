"""The dividend-vs-AI marts and the report on the shipped sample, against answers computed independently
(plain SQL over staging or the landing files, not the mart code), and the contract docs/marts.md documents."""

import datetime as dt
import re

import polars as pl
import pytest

from etl.config.themes import themes
from etl.contract import declared
from tests.conftest import table

EVENT_DAY = "2025-02-05"


def test_every_mart_and_column_has_its_meaning_in_the_ddl_and_the_page_is_current(built_warehouse):
    from etl.contract import CONTRACT_DOC, render

    contract = declared()
    marts = table(built_warehouse, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'")["table_name"]
    assert sorted(f"marts.{m}" for m in marts) == sorted(contract)
    for name, spec in contract.items():
        described = table(built_warehouse, f"DESCRIBE {name}").select("column_name", "column_type").rows()
        assert described == [(c.name, c.type) for c in spec.columns], name
        assert spec.description and all(c.meaning for c in spec.columns), name
    # docs/contract.md is generated from the DDL: stale means someone edited one and not the other
    assert CONTRACT_DOC.read_text(encoding="utf-8") == render(contract), "run make contract-docs"


def independent_theme_day(path, name: str, day: str) -> dict:
    """Members and equal-weighted return of a basket from staging alone. The sample has one membership
    capture per board and one universe snapshot, so 'as of the day' is every row."""
    theme = themes().themes[name]
    rules = theme.name_rules or ()
    rule_sql = " ".join(
        f"UNION SELECT symbol FROM staging.stock_universe WHERE regexp_matches(name, '{r.pattern}') AND symbol IN "
        f"(SELECT symbol FROM staging.board_membership m JOIN staging.boards b USING (board_code) "
        f" WHERE b.board_name IN (SELECT UNNEST({list(r.within_boards)})))"
        for r in rules
    )
    return table(
        path,
        f"""
        WITH members AS (
            SELECT DISTINCT symbol FROM staging.board_membership m JOIN staging.boards b USING (board_code)
            WHERE b.board_name IN (SELECT UNNEST({list(theme.boards)}))
            {rule_sql}
            {"UNION SELECT UNNEST(" + str(list(theme.symbols)) + ")" if theme.symbols else ""}
        ), bars AS (  -- each stock's forward-adjusted bar where it has one, else its unadjusted bar
            SELECT * FROM staging.stock_bars_daily WHERE trade_date = '{day}'
            QUALIFY row_number() OVER (PARTITION BY symbol ORDER BY adjust = 'qfq' DESC) = 1
        ), day AS (
            SELECT * FROM bars WHERE volume_shares > 0
        )
        SELECT count(*) AS members, count(day.symbol) AS traded, avg(day.pct_change) AS ew,
               sum(day.amount_cny) / (SELECT sum(amount_cny) FROM day) * 100 AS share
        FROM members LEFT JOIN day USING (symbol)""",
    ).row(0, named=True)


@pytest.mark.parametrize("name", ["dividend", "ai", "compute_hardware"])
def test_theme_day_matches_an_independent_count_over_staging(built_warehouse, name):
    expected = independent_theme_day(built_warehouse, name, EVENT_DAY)
    row = table(
        built_warehouse, f"SELECT * FROM marts.theme_daily WHERE theme = '{name}' AND trade_date = '{EVENT_DAY}'"
    ).row(0, named=True)
    assert (row["members"], row["members_traded"]) == (expected["members"], expected["traded"])
    assert row["ew_return_pct"] == pytest.approx(expected["ew"])
    assert row["amount_share_pct"] == pytest.approx(expected["share"])


def test_the_first_session_of_the_snake_year_shows_the_rotation(built_warehouse):
    day = table(built_warehouse, f"SELECT * FROM marts.dividend_vs_ai_daily WHERE trade_date = '{EVENT_DAY}'").row(
        0, named=True
    )
    assert day["dividend_return_pct"] < 0 < day["ai_return_pct"]
    assert day["spread_pct"] == pytest.approx(day["ai_return_pct"] - day["dividend_return_pct"])
    hardware = table(
        built_warehouse,
        f"SELECT ew_return_pct FROM marts.theme_daily WHERE theme = 'compute_hardware' AND trade_date = '{EVENT_DAY}'",
    ).item()
    assert hardware < 0


def test_cumulative_returns_compound_from_the_first_session_on_or_after_the_start(built_warehouse):
    expected = table(
        built_warehouse,
        """
        SELECT trade_date,
               (exp(sum(ln(1 + ew_return_pct / 100)) FILTER (WHERE theme = 'ai') OVER w) - 1) * 100 AS ai,
               (exp(sum(ln(1 + ew_return_pct / 100)) FILTER (WHERE theme = 'dividend') OVER w) - 1) * 100 AS dividend
        FROM marts.theme_daily WHERE theme IN ('ai', 'dividend')
        WINDOW w AS (ORDER BY trade_date RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        QUALIFY theme = 'ai' ORDER BY trade_date""",
    )
    got = table(built_warehouse, "SELECT * FROM marts.dividend_vs_ai_daily ORDER BY trade_date")
    assert got["trade_date"].to_list() == expected["trade_date"].to_list()
    assert got["ai_cum_pct"].to_list() == pytest.approx(expected["ai"].to_list())
    assert got["dividend_cum_pct"].to_list() == pytest.approx(expected["dividend"].to_list())
    first = got.row(0, named=True)
    assert first["ai_cum_pct"] == pytest.approx(first["ai_return_pct"])  # the start session counts
    last = got.row(-1, named=True)
    assert last["relative_strength"] == pytest.approx(
        100 * (1 + last["ai_cum_pct"] / 100) / (1 + last["dividend_cum_pct"] / 100)
    )


def test_event_window_offsets_skip_the_holiday_and_car_sums_abnormal_returns(built_warehouse):
    rows = table(
        built_warehouse,
        "SELECT * FROM marts.event_window WHERE event_id = 'snake_year_open' "
        "AND subject_type = 'theme' AND subject = 'ai' ORDER BY day_offset",
    )
    offsets = dict(zip(rows["day_offset"], rows["trade_date"], strict=True))
    assert (
        offsets[-1] == dt.date(2025, 1, 27) and offsets[0] == dt.date(2025, 2, 5) and offsets[1] == dt.date(2025, 2, 6)
    )
    assert rows["day_offset"].to_list() == list(range(-5, 11))
    # independent: theme return minus CSI 300 pct_change, summed over the window's sessions up to each day
    expected = table(
        built_warehouse,
        """
        SELECT t.trade_date, sum(t.ew_return_pct - i.pct_change) OVER (ORDER BY t.trade_date) AS car
        FROM marts.theme_daily t JOIN marts.index_daily i ON i.trade_date = t.trade_date AND i.index_code = '000300'
        WHERE t.theme = 'ai' AND t.trade_date >= '2025-01-21' AND i.pct_change IS NOT NULL  -- null on the first
        ORDER BY t.trade_date""",
    )  # session built
    got = rows.filter(pl.col("car_pct").is_not_null())
    assert got["trade_date"].to_list() == expected["trade_date"].to_list()
    assert got["car_pct"].to_list() == pytest.approx(expected["car"].to_list())
    outside = rows.filter(pl.col("trade_date") > dt.date(2025, 2, 7))  # after the built range: no data, no CAR
    assert outside["return_pct"].null_count() == outside.height == outside["car_pct"].null_count()


def test_news_attention_counts_the_sessions_items(built_warehouse):
    expected = table(
        built_warehouse,
        f"""
        SELECT count(*) FILTER (WHERE item_id IN (SELECT item_id FROM staging.news_item_themes
                                                  WHERE theme = 'ai')) AS ai,
               count(*) AS total
        FROM staging.news_items WHERE trade_date = '{EVENT_DAY}'""",
    ).row(0, named=True)
    row = table(
        built_warehouse, f"SELECT * FROM marts.news_theme_daily WHERE theme = 'ai' AND trade_date = '{EVENT_DAY}'"
    ).row(0, named=True)
    assert (row["items"], row["day_items"]) == (expected["ai"], expected["total"])
    assert row["share_pct"] == pytest.approx(100 * expected["ai"] / expected["total"])
    assert "DeepSeek" in row["sample_titles"]


def test_fund_flow_board_rows_are_the_latest_same_day_capture_with_their_theme(built_warehouse):
    counts = table(
        built_warehouse,
        "SELECT count(*) n, count(DISTINCT (snapshot_date, board_code)) k FROM marts.fund_flow_board_daily",
    ).row(0)
    assert counts[0] == counts[1] > 0
    expected = table(
        built_warehouse,
        "SELECT count(DISTINCT (snapshot_date, board_code)) FROM staging.sector_fund_flow_rank "
        "WHERE indicator = '今日'",
    ).item()
    assert counts[0] == expected
    themes_of = dict(
        table(
            built_warehouse,
            "SELECT DISTINCT board_name, theme FROM marts.fund_flow_board_daily "
            "WHERE board_code IN ('BK1188', 'BK0475', 'BK1128')",
        ).rows()
    )
    assert themes_of == {"DeepSeek概念": "ai", "银行": "dividend", "CPO概念": "compute_hardware"}


def test_the_nvidia_crash_meets_the_first_session_after_the_holiday(built_warehouse):
    row = table(
        built_warehouse, "SELECT * FROM marts.cross_market_daily WHERE ticker = 'NVDA' AND us_trade_date = '2025-01-27'"
    ).row(0, named=True)
    assert row["pct_change"] < -15 and row["next_cn_trade_date"] == dt.date(2025, 2, 5)
    hardware = table(
        built_warehouse,
        f"SELECT ew_return_pct FROM marts.theme_daily WHERE theme = 'compute_hardware' AND trade_date = '{EVENT_DAY}'",
    ).item()
    assert row["compute_hardware_return_pct"] == pytest.approx(hardware)


def test_report_is_one_self_contained_file_with_the_charts(built_warehouse_result):
    path = built_warehouse_result.path.parent / "reports" / "dividend_vs_ai.html"
    html = path.read_text(encoding="utf-8")
    assert html.count("<svg") >= 7
    assert "<script" not in html and not re.search(r'(src|href)="https?:', html)  # opens offline
    assert "snake_year_open" in html and "DeepSeek shock" in html
    leaders = table(
        built_warehouse_result.path,
        f"SELECT board_name FROM marts.board_daily WHERE trade_date = '{EVENT_DAY}' "
        "AND board_type = 'concept' ORDER BY rank_in_type LIMIT 1",
    ).item()
    assert leaders in html  # the day's best concept board is on the leaderboard
    metadata = built_warehouse_result.asset_materializations_for_node("reports__dividend_vs_ai")[0].metadata
    assert metadata["headline"].value.startswith("![dividend vs AI](data:image/png;base64,")
    assert "| theme |" in metadata["themes_snake_year_open"].value


def test_the_report_renders_before_the_comparison_starts(altered_warehouse, tmp_path):
    """A warehouse that ends before `cumulative_from` (a backfill's first sessions) still gets its report."""
    from etl.config.themes import events
    from etl.report import build
    from etl.warehouse import Warehouse

    copy = altered_warehouse("DELETE FROM marts.dividend_vs_ai_daily")
    report = build(Warehouse(copy), tmp_path / "reports", events())
    html = report.path.read_text(encoding="utf-8")
    assert report.headline_png == "" and "No session since cumulative_from yet" in html
    assert "Theme turnover share" in html  # the rest of the report is still there


def test_the_report_draws_the_boards_with_a_return_and_names_those_without(altered_warehouse, tmp_path):
    """A board whose only member's bar was quarantined has a NULL return that day: the report crashed
    comparing it (issue 22, case 7); now it draws what exists and says what is missing."""
    from etl.config.themes import events
    from etl.report import build
    from etl.warehouse import Warehouse

    copy = altered_warehouse(
        "UPDATE marts.board_daily SET ew_return_pct = NULL, cw_return_pct = NULL, members_traded = 0 "
        f"WHERE trade_date = '{EVENT_DAY}' AND board_code = (SELECT board_code FROM marts.board_daily "
        f"WHERE trade_date = '{EVENT_DAY}' AND board_type = 'concept' ORDER BY rank_in_type DESC LIMIT 1)"
    )
    name = table(
        copy,
        f"SELECT board_name FROM marts.board_daily WHERE trade_date = '{EVENT_DAY}' AND ew_return_pct IS NULL "
        "AND board_type = 'concept'",
    ).item()
    html = build(Warehouse(copy), tmp_path / "reports", events()).path.read_text(encoding="utf-8")
    assert f"Concept-board leaderboard on {EVENT_DAY}" in html
    assert "1 concept boards have no return that day" in html and name in html
