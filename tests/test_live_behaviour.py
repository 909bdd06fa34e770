"""akshare 1.19.5's real behaviour, reproduced in its shapes: empty answers that raise, NaT dates, report
periods not yet published, instants with time zones, rows dated outside the run, one board without members;
and a refused live partition whose landing file is moved aside while the last good capture stays current."""

import datetime as dt

import polars as pl
import pytest

from domains.boards.datasets import CONCEPT_MEMBERS
from domains.dividends.datasets import DIVIDENDS
from domains.indices.datasets import CSI_HISTORY
from domains.stocks.datasets import BARS_UNADJUSTED
from etl.sources import Request
from etl.sources.gateway import SchemaDriftError
from tests.akshare_frames import DAYS, FakeAkshare, live_source
from tests.conftest import BAR_ASSETS, materialize_range, table
from tests.test_live_source import source


def test_an_empty_answer_that_raises_is_no_data_not_schema_drift(tmp_path):
    fake = FakeAkshare({("stock_zh_index_hist_csindex", "930713"): "empty"})
    src = source(tmp_path, fake)
    landed = src.land(CSI_HISTORY, Request(days=tuple(DAYS), symbols=("930713", "000300")))
    assert set(src.read(landed[0])["指数代码"]) == {"000300"}
    assert src.call("stock_individual_fund_flow", stock="000001", market="sz") is not None
    fake.answers[("stock_individual_fund_flow", "000002")] = "empty"
    assert src.call("stock_individual_fund_flow", stock="000002", market="sz") is None
    # the same message with a non-empty axis is a changed layout: never retried, named as drift
    fake.answers[("stock_zh_index_hist_csindex", "000300")] = [
        ValueError("Length mismatch: Expected axis has 17 elements, new values have 16 elements")
    ]
    with pytest.raises(SchemaDriftError):
        src.call("stock_zh_index_hist_csindex", symbol="000300", start_date="20250127", end_date="20250205")


def test_a_report_period_not_yet_published_is_skipped_with_a_note(tmp_path):
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    recent = f"{today.year}0630" if today.month <= 8 else f"{today.year}1231"  # its reports are not all due yet
    fake = FakeAkshare({("stock_fhps_em", recent): "no pages"})
    src = source(tmp_path, fake)
    landed = src.land(
        DIVIDENDS,
        Request(
            periods=(
                "20241231",
                recent,
            )
        ),
    )
    assert [x.partition for x in landed] == ["2024-12-31"]
    assert "not published yet" in src.skipped_periods[recent]
    # a null answer for a period whose reports were due long ago is not "unpublished": it fails
    fake.answers[("stock_fhps_em", "20231231")] = "null"
    with pytest.raises(TypeError):
        src.land(DIVIDENDS, Request(periods=("20231231",)))


def test_nat_dates_of_plans_not_carried_out_land_as_nulls(tmp_path):
    from domains.dividends.datasets import STOCK_FHPS_EM
    from etl.input_specs import apply_input_spec

    src = source(tmp_path, FakeAkshare())
    frame = apply_input_spec(src.read(src.land(DIVIDENDS, Request(periods=("20241231",)))[0]), STOCK_FHPS_EM)
    row = frame.filter(pl.col("symbol") == "000001").row(0, named=True)
    assert row["ex_date"] is None and row["record_date"] is None and row["plan_date"] == dt.date(2024, 8, 16)


def test_instants_with_a_time_zone_land_on_their_shanghai_day(tmp_path):
    src = source(tmp_path, FakeAkshare({"600519": "utc"}))
    landed = src.land(BARS_UNADJUSTED, Request(days=tuple(DAYS), symbols=("600519",)))
    assert [src.read(x).height for x in landed] == [1, 1]


def test_no_rows_for_a_day_says_what_was_asked_and_what_came_back(tmp_path):
    fake = FakeAkshare({"600519": "utc"})
    fake.filters_dates = False  # a server answering with other days' bars
    src = source(tmp_path, fake)
    with pytest.raises(
        Exception, match=r"returned no rows dated 2025-02-06: asked .*'symbols': 1.*returned 2 rows dated"
    ):
        src.land(BARS_UNADJUSTED, Request(days=(dt.date(2025, 2, 6),), symbols=("600519",)))


def test_one_board_without_members_is_recorded_for_that_board(tmp_path):
    from etl.sources.base import Board

    class OneEmpty(FakeAkshare):
        def stock_board_concept_cons_em(self, symbol):
            return super().stock_board_concept_cons_em(symbol) if symbol != "BK0579" else akshare_empty()

    def akshare_empty():
        import pandas as pd

        return pd.DataFrame()

    src = source(tmp_path, OneEmpty())
    landed = src.land(
        CONCEPT_MEMBERS,
        Request(
            boards=(
                Board("BK1188", "DeepSeek概念", "concept"),
                Board("BK0579", "云计算", "concept"),
            )
        ),
    )
    assert landed[0].capture.arguments["no_members"] == ["BK0579"]
    assert set(src.read(landed[0])["板块代码"]) == {"BK1188"}


@pytest.fixture
def live(tmp_path):
    """use(answers) scripts the fake akshare the live source's resource serves; later runs see its changes."""
    fake = FakeAkshare()

    def use(answers=None):
        fake.answers, fake.calls, fake.filters_dates = answers or {}, [], True
        return fake

    return use, live_source(tmp_path / "landing", fake)


BARS = BAR_ASSETS


def test_rows_dated_outside_the_run_reach_raw_and_are_quarantined_by_rule(live, tmp_path):
    use, resource = live
    use({"600519": "stray"}).filters_dates = False  # a server answering with bars nobody asked for
    path = tmp_path / "w.duckdb"
    assert materialize_range(path, "2025-02-05", "2025-02-05", source=resource, selection=BARS).success
    raw = table(
        path, "SELECT trade_date, count(*) AS n FROM raw.stock_bars_daily WHERE symbol = '600519' GROUP BY 1 ORDER BY 1"
    )
    # 01-27 (a session not asked for), 01-29 (closed), 02-05 (asked), 02-06 (not asked): unadjusted, the one
    # basis the live source fetches
    assert raw.rows() == [
        (dt.date(2025, 1, 27), 1),
        (dt.date(2025, 1, 29), 1),
        (dt.date(2025, 2, 5), 1),
        (dt.date(2025, 2, 6), 1),
    ]
    q = table(path, "SELECT row_key, rule FROM quality.quarantine WHERE row_key LIKE '%600519|none' ORDER BY 1")
    assert q.rows() == [
        ("2025-01-27|600519|none", "date_outside_partition"),
        ("2025-01-29|600519|none", "not_a_trading_day"),
        ("2025-02-06|600519|none", "date_outside_partition"),
    ]
    counts = table(
        path,
        "SELECT (SELECT count(*) FROM raw.stock_bars_daily) AS raw, (SELECT count(*) FROM "
        "staging.stock_bars_daily) AS staged, (SELECT count(*) FROM quality.quarantine) AS q",
    ).row(0)
    assert counts[0] == counts[1] + counts[2]


def test_a_refused_live_day_keeps_the_last_good_capture_and_moves_the_new_one_aside(live, tmp_path):
    use, resource = live
    path, landing = tmp_path / "w.duckdb", tmp_path / "landing"
    use()
    assert materialize_range(path, "2025-02-05", "2025-02-05", source=resource, selection=BARS).success
    before = table(path, "SELECT * FROM staging.stock_bars_daily ORDER BY ALL")
    # the first capture of the day is the only reference there is: a re-fetch is compared with it
    use({"600519": "empty", "601398": "empty"})  # two of three symbols come back empty, the canary answers
    result = materialize_range(path, "2025-02-05", "2025-02-05", source=resource, selection=BARS, raise_on_error=False)
    assert not result.success
    assert table(path, "SELECT * FROM staging.stock_bars_daily ORDER BY ALL").equals(before)
    moved = sorted(p.relative_to(landing).as_posix() for p in (landing / "_rejected").rglob("*.parquet"))
    assert len(moved) == 1 and all(m.startswith("_rejected/stock_zh_a_hist_unadjusted") for m in moved)
    from etl.landing import LandingZone

    zone = LandingZone(landing)
    path_of = zone.manifest()[("stock_zh_a_hist_unadjusted", "2025-02-05")].path
    assert path_of == "stock_zh_a_hist_unadjusted/2025-02-05.parquet"
    assert zone.read("stock_zh_a_hist_unadjusted", "2025-02-05").height == 3  # the good capture is current again
    files = table(path, "SELECT landing_files FROM quality.rejected_partitions")["landing_files"][0].to_list()
    assert sorted(files) == moved


NEWS = [
    "raw/stock_universe",
    "staging/stock_universe",
    "raw/news_cctv",
    "raw/news_feed",
    "staging/news_items",
    "staging/news_item_themes",
    "staging/news_item_stocks",
    "staging/news_captures",
]


def test_one_bad_news_item_is_quarantined_and_cannot_poison_later_runs(live, tmp_path):
    import pandas as pd

    from tests.akshare_frames import global_em, s

    use, resource = live
    fake = use()
    poisoned = pd.concat(
        [
            global_em(),
            pd.DataFrame(
                {
                    "标题": s(
                        ["格式不对", "来自未来", "&lt;script&gt;alert(1)&lt;/script&gt;算力&lt;b&gt;新闻&lt;/b&gt;"]
                    ),
                    "摘要": s(["斜杠日期", "2031年的消息", "&lt;img src=x onerror=alert(1)&gt;摘要"]),
                    "发布时间": s(["2025/02/05 10:00", "2031-01-01 09:00:00", "2025-02-05 10:00:00"]),
                    "链接": s(["https://example.invalid/c", "https://example.invalid/d", "https://example.invalid/e"]),
                }
            ),
        ],
        ignore_index=True,
    )
    fake.stock_info_global_em = lambda: poisoned
    path = tmp_path / "w.duckdb"
    assert materialize_range(path, "2025-02-05", "2025-02-05", source=resource, selection=NEWS).success
    q = table(path, "SELECT rule, value FROM quality.quarantine WHERE table_name = 'staging.news_items' ORDER BY 1")
    assert q.rows() == [
        ("implausible_published_at", "2031-01-01 09:00:00"),
        ("unparseable_published_at", "2025/02/05 10:00"),
    ]
    titles = table(path, "SELECT title, body FROM staging.news_items WHERE origin = 'stock_info_global_em' ORDER BY 1")
    assert ("算力新闻", "摘要") in titles.rows()
    assert not any("<" in t or ">" in t for row in titles.rows() for t in row)
    # the next poll is clean; the bad one is still landed and re-staged, and still only its items are set aside
    fake.stock_info_global_em = global_em
    again = materialize_range(path, "2025-02-05", "2025-02-05", source=resource, selection=NEWS)
    assert again.success
    counts = table(
        path, "SELECT (SELECT count(*) FROM raw.news_feed) AS raw, (SELECT count(*) FROM quality.quarantine) AS q"
    )
    assert counts.row(0) == (7, 2)  # both polls landed; the first poll's two bad items stay quarantined
    # only the new poll is read and staged: its two items repeat stored ones (merged, not tagged again)
    news = next(e for e in again.get_asset_materialization_events() if e.asset_key.path == ["staging", "news_items"])
    meta = news.materialization.metadata
    assert meta["items_read"].value == 2 and meta["items_new_or_moved"].value == 0
    captures = table(
        path, "SELECT origin, items FROM staging.news_captures WHERE origin = 'stock_info_global_em' ORDER BY 2"
    )
    assert captures["items"].to_list() == [2, 5]


def test_a_poll_with_an_extra_column_is_set_aside_once_and_later_polls_land(live, tmp_path):
    """One poll whose shape drifted (an extra column) failed raw/news_feed on every later run, naming no file
    (issue 22, case 6): it is moved aside once, recorded with its file, and clean polls land after it."""
    from tests.akshare_frames import global_em

    use, resource = live
    fake = use()
    drifted = global_em().assign(阅读量=[1] * len(global_em()))
    fake.stock_info_global_em = lambda: drifted
    path = tmp_path / "w.duckdb"
    first = materialize_range(path, "2025-02-05", "2025-02-05", source=resource, selection=NEWS)
    assert first.success
    meta = next(e for e in first.get_asset_materialization_events() if e.asset_key.path == ["raw", "news_feed"])
    meta = meta.materialization.metadata
    assert meta["captures_set_aside"].value == 1 and meta["captures"].value == 0
    [aside] = meta["set_aside"].value
    assert aside["moved_to"].startswith("_rejected/stock_info_global_em/") and "阅读量" in aside["error"]
    assert str(tmp_path / "landing" / "stock_info_global_em") in aside["error"]  # the error names the file
    recorded = table(path, "SELECT table_name, rules, landing_files FROM quality.rejected_partitions")
    assert recorded.rows() == [("raw.news_feed", ["input_spec"], [aside["moved_to"]])]
    fake.stock_info_global_em = global_em
    for _ in range(2):  # later clean polls land; the set-aside poll is not read again
        again = materialize_range(path, "2025-02-05", "2025-02-05", source=resource, selection=NEWS)
        assert again.success
    counts = table(
        path,
        "SELECT (SELECT count(*) FROM raw.news_feed) AS raw, (SELECT count(*) FROM quality.rejected_partitions) AS r",
    )
    assert counts.row(0) == (2 * len(global_em()), 1)


def test_news_text_is_bounded_and_stripped_of_control_and_bidi_characters(live, tmp_path):
    """A 1 MB title, a title hidden behind an RTL override, one of zero-width characters only and NUL bytes
    were all published (issue 22, case 9)."""
    import pandas as pd

    from tests.akshare_frames import global_em, s

    use, resource = live
    fake = use()
    polled = pd.concat(
        [
            global_em(),
            pd.DataFrame(
                {
                    "标题": s(["长" * 1_000_000, "\u202e据数\u202c算力", "\u200b\u200d\ufeff", "英伟达\x00暴跌"]),
                    "摘要": s(["太长", "倒序", "看不见", "空\x00字节"]),
                    "发布时间": s(["2025-02-05 10:00:00"] * 4),
                    "链接": s([f"https://example.invalid/{c}" for c in "fghi"]),
                }
            ),
        ],
        ignore_index=True,
    )
    fake.stock_info_global_em = lambda: polled
    path = tmp_path / "w.duckdb"
    assert materialize_range(path, "2025-02-05", "2025-02-05", source=resource, selection=NEWS).success
    q = table(path, "SELECT rule, value FROM quality.quarantine WHERE table_name = 'staging.news_items' ORDER BY 1")
    assert q.rows() == [("missing_title", "https://example.invalid/h"), ("oversized_text", "https://example.invalid/f")]
    stored = table(
        path,
        "SELECT title, body FROM staging.news_items WHERE url IN ('https://example.invalid/g', 'https://example.invalid/i')",
    )
    assert sorted(stored.rows()) == [("据数算力", "倒序"), ("英伟达 暴跌", "空 字节")]


def test_a_session_the_source_has_nothing_for_is_refused_alone_and_the_others_land(live, tmp_path):
    """An unscheduled closure the calendar does not know: the source answers for the other days of the range
    and nothing for that one. It was retried as transient and blocked the good days (issue 22, case 12); now
    only that day is refused (empty_partition), the others are applied, and the message says how to declare it."""
    use, resource = live
    use()  # the fake's bars are dated 01-27 and 02-05 only: 02-06 gets nothing
    path = tmp_path / "w.duckdb"
    result = materialize_range(path, "2025-01-27", "2025-02-06", source=resource, selection=BARS, raise_on_error=False)
    assert not result.success
    staged = table(path, "SELECT DISTINCT trade_date FROM staging.stock_bars_daily ORDER BY 1")["trade_date"].to_list()
    assert staged == [dt.date(2025, 1, 27), dt.date(2025, 2, 5)]
    refused = table(path, "SELECT partition_key, rules FROM quality.rejected_partitions ORDER BY 1")
    assert ("2025-02-06", ["empty_partition"]) in refused.rows()
    assert all(key == "2025-02-06" for key, _ in refused.rows())


def test_a_declared_closure_is_no_session_anywhere(tmp_path, monkeypatch):
    import etl.market as market
    from assets.partitions import build_trading_day_partitions

    declared = tmp_path / "closures.yaml"
    declared.write_text("closures:\n  - date: 2025-02-06\n    reason: a test closure\n", encoding="utf-8")
    monkeypatch.setenv("ASHARE_CLOSURES_FILE", str(declared))
    for cached in (market.declared_closures, market.trading_days):
        cached.cache_clear()
    try:
        assert market.declared_closures() == {dt.date(2025, 2, 6): "a test closure"}
        assert not market.is_trading_day(dt.date(2025, 2, 6))
        assert market.next_trading_day(dt.date(2025, 2, 5)) == dt.date(2025, 2, 7)
        keys = build_trading_day_partitions(dt.date(2025, 1, 2)).get_partition_keys()
        assert "2025-02-06" not in keys and "2025-02-07" in keys
        declared.write_text("closures:\n  - date: 2025-02-08\n    reason: a Saturday\n", encoding="utf-8")
        market.declared_closures.cache_clear()
        with pytest.raises(ValueError, match="closure 1: 2025-02-08 is no session in akshare's calendar"):
            market.declared_closures()
        declared.write_text("closures:\n  - date: 2025-02-06\n", encoding="utf-8")
        market.declared_closures.cache_clear()
        with pytest.raises(ValueError, match="closure 1 .*: expected a date \\(YYYY-MM-DD\\) and a reason"):
            market.declared_closures()
    finally:
        monkeypatch.delenv("ASHARE_CLOSURES_FILE")
        for cached in (market.declared_closures, market.trading_days):
            cached.cache_clear()
