"""The ingest tables on the shipped sample: known answers computed from the landing files directly."""

import datetime as dt

import polars as pl
import pytest

from domains.flows.transforms import session_of
from domains.news.transforms import normalise, trade_date_of
from etl.settings import SAMPLE_LANDING
from etl.sources.base import SourceError
from tests.conftest import table

D = dt.date
SH = dt.timezone(dt.timedelta(hours=8))


def landing(function, partition):
    return pl.read_parquet(SAMPLE_LANDING / function / f"{partition}.parquet")


def test_members_as_of_a_january_day_come_from_the_march_snapshot_and_say_so(built_warehouse):
    got = table(
        built_warehouse,
        "SELECT symbol, membership_as_of FROM staging.board_members_as_of(DATE '2025-02-05') "
        "WHERE board_code = 'BK1188'",
    )
    expected = landing("stock_board_concept_cons_em", "2025-03-09").filter(pl.col("板块代码") == "BK1188")
    assert sorted(got["symbol"]) == sorted(expected["代码"])
    assert set(got["membership_as_of"]) == {D(2025, 3, 9)}  # DeepSeek概念 did not exist in January: look-ahead shown


def test_membership_rows_are_all_accounted_for(built_warehouse):
    raw = table(built_warehouse, "SELECT count(*) n FROM raw.board_membership_snapshot")["n"][0]
    kept = table(built_warehouse, "SELECT count(*) n FROM staging.board_membership")["n"][0]
    q = table(
        built_warehouse,
        "SELECT rule, count(*) n FROM quality.quarantine "
        "WHERE table_name = 'staging.board_membership' GROUP BY 1 ORDER BY 1",
    )
    assert raw == kept + q["n"].sum()  # one snapshot per board in the sample: one interval per raw row
    # codes in neither the stock list nor the warehouse's bars (delisted) are unknown stocks
    unknown = table(
        built_warehouse,
        "SELECT count(*) n FROM raw.board_membership_snapshot WHERE board_code IS NOT NULL "
        "AND symbol NOT LIKE '2%' AND symbol NOT LIKE '9%' "
        "AND symbol NOT IN (SELECT symbol FROM staging.stock_universe) "
        "AND symbol NOT IN (SELECT DISTINCT symbol FROM raw.stock_bars_daily)",
    )["n"][0]
    assert dict(q.rows()) == {"board_code_unresolved": 1221, "not_an_a_share": 56, "unknown_stock": unknown}
    assert 0 < unknown < 200


def test_boards_without_a_bk_code_are_quarantined_not_guessed(built_warehouse):
    q = table(built_warehouse, "SELECT value FROM quality.quarantine WHERE table_name = 'staging.boards'")
    assert q.height == 26 and "煤炭采选" in q["value"].to_list()
    boards = table(built_warehouse, "SELECT board_type, count(*) n FROM staging.boards GROUP BY 1 ORDER BY 1")
    assert boards.rows() == [("concept", 394), ("industry", 86)]


def test_morning_fund_flow_snapshots_describe_the_previous_session(built_warehouse):
    got = table(
        built_warehouse, "SELECT DISTINCT snapshot_date, session_date FROM staging.sector_fund_flow_rank ORDER BY 1"
    )
    assert got.rows()[:3] == [
        (D(2025, 3, 6), D(2025, 3, 5)),
        (D(2025, 3, 7), D(2025, 3, 6)),
        (D(2025, 3, 10), D(2025, 3, 7)),
    ]


def test_session_of_a_capture():
    assert session_of(dt.datetime(2025, 2, 5, 16, 30, tzinfo=SH), D(2025, 2, 5)) == D(2025, 2, 5)
    assert session_of(dt.datetime(2025, 2, 5, 9, 0, tzinfo=SH), D(2025, 2, 5)) == D(2025, 1, 27)
    assert session_of(dt.datetime(2025, 2, 8, 12, 0, tzinfo=SH), D(2025, 2, 8)) == D(2025, 2, 7)  # Saturday


def test_sector_main_flow_equals_super_large_plus_large(built_warehouse):
    from domains.flows.transforms import main_flow_gap

    def main_flow_mismatches(frame):
        return frame.filter(main_flow_gap() > 0)

    sector = table(built_warehouse, "SELECT * FROM staging.sector_fund_flow_rank")
    assert sector.height == 8784 and main_flow_mismatches(sector).height == 0
    stock = table(built_warehouse, "SELECT * FROM staging.stock_fund_flow_rank")
    broken = stock.with_columns(main_net_inflow_cny=pl.col("main_net_inflow_cny") * 2)
    assert main_flow_mismatches(broken.filter(pl.col("main_net_inflow_cny").abs() > 1e7)).height > 0


def test_csi_units_are_converted_from_yi_yuan(built_warehouse):
    raw = landing("stock_zh_index_hist_csindex", "2025-02-05").filter(pl.col("指数代码") == "930713")
    got = table(
        built_warehouse,
        "SELECT amount_cny, pe_ttm FROM staging.csi_index_daily "
        "WHERE index_code = '930713' AND trade_date = '2025-02-05'",
    ).row(0)
    assert got == (pytest.approx(raw["成交金额"][0] * 1e8), raw["滚动市盈率"][0])


def test_nvidia_crash_links_to_the_first_session_after_the_holiday(built_warehouse):
    row = table(
        built_warehouse,
        "SELECT pct_change, next_cn_trade_date FROM staging.us_bars_daily "
        "WHERE ticker = 'NVDA' AND us_trade_date = '2025-01-27'",
    ).row(0)
    assert row[0] < -15 and row[1] == D(2025, 2, 5)
    holiday = table(
        built_warehouse,
        "SELECT DISTINCT next_cn_trade_date FROM staging.us_bars_daily "
        "WHERE us_trade_date BETWEEN '2025-01-28' AND '2025-02-04'",
    )
    assert holiday["next_cn_trade_date"].to_list() == [D(2025, 2, 5)]


def test_every_raw_news_item_is_kept_merged_or_quarantined(built_warehouse):
    raw = table(
        built_warehouse, "SELECT (SELECT count(*) FROM raw.news_cctv) + (SELECT count(*) FROM raw.news_feed) n"
    )["n"][0]
    kept = table(built_warehouse, "SELECT count(*) n, sum(duplicates) d FROM staging.news_items").row(0)
    q = table(built_warehouse, "SELECT count(*) n FROM quality.quarantine WHERE table_name = 'staging.news_items'")[
        "n"
    ][0]
    assert raw == kept[0] + kept[1] + q


def test_news_on_the_first_session_of_the_snake_year_talks_about_ai(built_warehouse):
    themes = table(
        built_warehouse,
        "SELECT t.theme, count(*) n FROM staging.news_item_themes t "
        "JOIN staging.news_items n USING (item_id) WHERE n.trade_date = '2025-02-05' "
        "GROUP BY 1 ORDER BY 2 DESC",
    )
    assert themes["theme"][0] == "ai"


@pytest.mark.parametrize(
    "local, session",
    [
        (dt.datetime(2025, 2, 5, 15, 0), D(2025, 2, 5)),  # at the close: still that session
        (dt.datetime(2025, 2, 5, 15, 1), D(2025, 2, 6)),
        (dt.datetime(2025, 1, 27, 19, 0), D(2025, 2, 5)),  # evening before the holiday -> first session after it
        (dt.datetime(2025, 2, 1, 10, 0), D(2025, 2, 5)),  # inside the holiday
        (dt.datetime(2025, 2, 8, 9, 0), D(2025, 2, 10)),  # Saturday
    ],
)
def test_news_belongs_to_the_session_it_can_move(local, session):
    assert trade_date_of(local) == session


def test_normalise_strips_markup_converts_to_simplified_and_folds_full_width():
    assert normalise("<p>輝達</p><b>股價</b>暴跌&amp;ＡＩ　１２３") == "辉达 股价暴跌&AI 123"


def test_live_snapshots_refuse_past_dates(tmp_path):
    from etl.datasets import Replay, datasets
    from etl.landing import LandingZone
    from etl.sources import Request
    from etl.sources.live import AkshareSource
    from tests.akshare_frames import FakeAkshare

    src = AkshareSource(LandingZone(tmp_path), api=FakeAkshare())
    snapshots = [d for d in datasets() if d.replay is Replay.SNAPSHOTS]
    assert len(snapshots) == 6  # board lists and members (concept, industry), stock and sector flow ranks
    for dataset in snapshots:
        with pytest.raises(SourceError, match="can only be captured as of today"):
            src.land(dataset, Request(snapshot=D(2025, 1, 27)))
