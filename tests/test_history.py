import datetime as dt

import polars as pl

from etl.history import as_of, captures, intervals

D = dt.date
OBS = pl.DataFrame(
    {
        "board_code": ["B1", "B1", "B1", "B1", "B1", "B2"],
        "symbol": ["a", "b", "a", "a", "b", "x"],
        "snapshot_date": [D(2025, 3, 9), D(2025, 3, 9), D(2025, 3, 10), D(2025, 3, 11), D(2025, 3, 11), D(2025, 3, 10)],
    }
)


def test_a_member_missing_from_a_later_capture_is_closed_and_reopened_when_it_returns():
    h = intervals(OBS, keys=["symbol"], scope=["board_code"])
    assert h.rows() == [
        ("B1", "a", D(2025, 3, 9), None),
        ("B1", "b", D(2025, 3, 9), D(2025, 3, 10)),
        ("B1", "b", D(2025, 3, 11), None),
        ("B2", "x", D(2025, 3, 10), None),
    ]


def test_a_board_not_captured_says_nothing_about_its_members():
    # B2 has a single capture on 03-10; B1's captures on 03-09 and 03-11 do not close x
    h = intervals(OBS, keys=["symbol"], scope=["board_code"])
    assert h.filter(board_code="B2")["valid_to"].to_list() == [None]


def test_as_of_before_the_first_snapshot_uses_the_earliest_and_says_so():
    h = intervals(OBS, keys=["symbol"], scope=["board_code"])
    got = as_of(h, captures(OBS, ["board_code"]), D(2025, 1, 27), ["board_code"]).sort("board_code", "symbol")
    assert got.select("board_code", "symbol", "as_of_date").rows() == [
        ("B1", "a", D(2025, 3, 9)),
        ("B1", "b", D(2025, 3, 9)),
        ("B2", "x", D(2025, 3, 10)),
    ]


def test_as_of_between_captures_uses_the_latest_capture_on_or_before_the_day():
    h = intervals(OBS, keys=["symbol"], scope=["board_code"])
    got = as_of(h, captures(OBS, ["board_code"]), D(2025, 3, 10), ["board_code"]).filter(board_code="B1")
    assert got.select("symbol", "as_of_date").rows() == [("a", D(2025, 3, 10))]


def test_a_rename_opens_a_new_interval():
    names = pl.DataFrame(
        {
            "symbol": ["s"] * 3,
            "name": ["华微电子", "*ST华微", "*ST华微"],
            "snapshot_date": [D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 1)],
        }
    )
    assert intervals(names, keys=["symbol"], values=["name"]).rows() == [
        ("s", "华微电子", D(2025, 1, 1), D(2025, 2, 1)),
        ("s", "*ST华微", D(2025, 2, 1), None),
    ]
