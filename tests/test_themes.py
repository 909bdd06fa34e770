"""Themes and events config, membership as of each day, and the event-window arithmetic, on small frames."""

import datetime as dt

import polars as pl
import pytest

from etl.config.themes import ConfigError, Theme, board_codes, load_events, load_themes
from marts.boards.transforms import members_by_day
from marts.themes.transforms import event_offsets, event_window, names_by_day, theme_members

D = dt.date


def test_membership_as_of_each_day_uses_the_latest_capture_and_shows_look_ahead():
    # BK1 captured on 01-10 (A, B) and 02-10 (A, C): B left, C joined between the captures
    membership = pl.DataFrame(
        {
            "board_code": ["BK1"] * 3,
            "symbol": ["A", "B", "C"],
            "valid_from": [D(2025, 1, 10), D(2025, 1, 10), D(2025, 2, 10)],
            "valid_to": [None, D(2025, 2, 10), None],
        }
    )
    snapshots = pl.DataFrame({"board_code": ["BK1", "BK1"], "capture_date": [D(2025, 1, 10), D(2025, 2, 10)]})
    days = [D(2025, 1, 6), D(2025, 1, 20), D(2025, 2, 12)]
    got = members_by_day(membership, snapshots, days).sort("trade_date", "symbol")
    by_day = {d: (sorted(g["symbol"]), g["membership_as_of"].unique().item()) for (d,), g in got.group_by("trade_date")}
    assert by_day[D(2025, 1, 6)] == (["A", "B"], D(2025, 1, 10))  # before the first capture: look-ahead, shown
    assert by_day[D(2025, 1, 20)] == (["A", "B"], D(2025, 1, 10))
    assert by_day[D(2025, 2, 12)] == (["A", "C"], D(2025, 2, 10))


def test_theme_members_union_boards_name_rules_and_symbols_with_how_they_got_in():
    days = [D(2025, 2, 5)]
    board_members = pl.DataFrame(
        {
            "trade_date": days * 3,
            "board_code": ["BK1", "BK1", "BK9"],
            "symbol": ["600001", "600002", "600003"],
            "membership_as_of": [D(2025, 3, 9)] * 3,
        }
    )
    history = pl.DataFrame(
        {
            "symbol": ["600002", "600003", "600004"],
            "name": ["中国甲", "中国乙", "中国丙"],
            "is_st": [False] * 3,
            "valid_from": [D(2025, 1, 1)] * 3,
            "valid_to": [None] * 3,
        }
    )
    theme = Theme(
        label="t",
        boards=("银行",),
        symbols=("600009",),
        name_rules=({"label": "soe", "pattern": "^中国", "within_boards": ("央企改革",)},),
    )
    got = theme_members(
        "t", theme, board_members, {"银行": "BK1", "央企改革": "BK9"}, names_by_day(history, days), days
    )
    via = dict(zip(got["symbol"], got["via"], strict=True))
    # 600002 is named 中国 but not in 央企改革 (BK9): in by its board only; 600004 matches the name, not the board
    assert via == {"600001": "board:银行", "600002": "board:银行", "600003": "rule:soe", "600009": "symbol"}
    as_of = dict(zip(got["symbol"], got["membership_as_of"], strict=True))
    assert as_of["600001"] == D(2025, 3, 9) and as_of["600009"] is None


def test_event_window_abnormal_returns_and_car_over_a_missing_day():
    sessions = [D(2025, 1, d) for d in (20, 21, 22, 23, 24)]
    config = load_events()
    config = config.model_copy(
        update={
            "events": (config.events[0].model_copy(update={"date": D(2025, 1, 22)}),),
            "window": config.window.model_copy(update={"before": 2, "after": 2}),
        }
    )
    offsets = event_offsets(config, sessions)
    series = pl.DataFrame(
        {
            "subject_type": ["theme"] * 4,
            "subject": ["ai"] * 4,
            "trade_date": [D(2025, 1, 20), D(2025, 1, 21), D(2025, 1, 23), D(2025, 1, 24)],
            "return_pct": [1.0, -2.0, 3.0, 0.5],
        }
    )
    benchmark = pl.DataFrame({"trade_date": sessions, "return_pct": [0.5, 0.5, 9.9, -1.0, 0.5]})
    got = event_window(offsets, series, benchmark).sort("day_offset")
    assert got["day_offset"].to_list() == [-2, -1, 0, 1, 2]
    assert got["abnormal_return_pct"].to_list() == [0.5, -2.5, None, 4.0, 0.0]
    assert got["car_pct"].to_list() == [0.5, -2.0, None, 2.0, 2.0]


def test_an_event_on_a_closed_day_is_a_config_error():
    config = load_events()
    holiday = config.model_copy(update={"events": (config.events[0].model_copy(update={"date": D(2025, 1, 29)}),)})
    with pytest.raises(ConfigError, match="dated 2025-01-29, not an SSE trading day"):
        event_offsets(holiday, [D(2025, 1, 27), D(2025, 2, 5)])


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "cumulative_from: '2025-01-02'\nthemes:\n  ai: {label: a, boards: [x]}\n",
            "needs basket themes named \\['dividend'\\]",
        ),
        (
            "cumulative_from: '2025-01-02'\nthemes:\n  dividend: {label: d, boards: [x], symbol: ['600000']}\n"
            "  ai: {label: a, boards: [x]}\n",
            "themes.dividend.symbol: Extra inputs are not permitted",
        ),
        (
            "cumulative_from: '2025-01-02'\nthemes:\n  dividend: {label: d, symbols: [600000]}\n"
            "  ai: {label: a, boards: [x]}\n",
            "themes.dividend.symbols",
        ),
        (
            "cumulative_from: '2025-01-02'\nthemes:\n"
            "  dividend: {label: d, name_rules: [{label: r, pattern: '^中('}]}\n"
            "  ai: {label: a, boards: [x]}\n",
            "not a regular expression",
        ),
        ("cumulative_from: someday\nthemes: {}\n", "cumulative_from"),
    ],
)
def test_a_bad_themes_file_names_the_file_and_the_field(tmp_path, text, message):
    path = tmp_path / "themes.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as error:
        load_themes(path)
    assert str(path) in str(error.value)


def test_events_must_name_basket_themes(tmp_path):
    path = tmp_path / "events.yaml"
    path.write_text(
        "benchmark_index: '000300'\nwindow: {before: 5, after: 10}\nevents: []\nsubjects: {themes: [us_shock]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"subjects.themes not in themes.yaml: \['us_shock'\]"):
        load_events(path)


def test_an_unknown_board_name_is_an_error_with_similar_names():
    boards = pl.DataFrame({"board_code": ["BK0477", "BK0896"], "board_name": ["酿酒行业", "白酒"]})
    assert board_codes(("白酒",), boards, "x") == {"白酒": "BK0896"}
    with pytest.raises(ConfigError, match="酿酒.*酿酒行业"):
        board_codes(("酿酒",), boards, "etl/config/themes.yaml")


def test_the_shipped_config_loads():
    config = load_themes()
    assert set(config.baskets()) == {"dividend", "ai", "compute_hardware"}
    assert "us_shock" in config.news_keywords()
    assert [e.date for e in load_events().events] == [D(2025, 1, 27), D(2025, 2, 5)]
