"""Checked replay: every landing file is read against its manifest row, and every manifest line is parsed
strictly; each problem names the file (and line). Captures are never overwritten."""

import json
import shutil

import polars as pl
import pytest

from etl.datasets.stocks import BARS_QFQ
from etl.landing import LandingError, LandingZone
from etl.settings import SAMPLE_LANDING
from etl.sources import Request
from etl.sources.recorded import RecordedSource

DAY = "2025-02-05"


@pytest.fixture
def copy(tmp_path):
    root = tmp_path / "sample"
    shutil.copytree(
        SAMPLE_LANDING,
        root,
        ignore=shutil.ignore_patterns("stock_info_global_em", "news_cctv", "stock_board_*", "stock_*_rank"),
    )
    return root


def read_bars(root):
    import datetime as dt

    source = RecordedSource(LandingZone(root))
    return source.read(source.land(BARS_QFQ, Request(days=(dt.date.fromisoformat(DAY),)))[0])


def test_the_shipped_sample_matches_its_manifest():
    zone = LandingZone(SAMPLE_LANDING)
    rows = zone.manifest()
    assert len(rows) == len(list(SAMPLE_LANDING.glob("*/*.parquet")))
    for row in list(rows.values())[::50]:
        assert zone.read_row(row).height == row.rows


def test_a_file_changed_behind_the_manifest_fails_with_its_path(copy):
    path = copy / "stock_zh_a_hist" / f"{DAY}.parquet"
    frame = pl.read_parquet(path)
    frame.with_columns(pl.col("成交额") * 1.04).write_parquet(path)
    with pytest.raises(LandingError, match=f"{path}: sha256 .* differs from the manifest"):
        read_bars(copy)


def test_a_truncated_file_fails_with_its_path(copy):
    path = copy / "stock_zh_a_hist" / f"{DAY}.parquet"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(LandingError, match=str(path)):
        read_bars(copy)


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "line {n}: not JSON"),
        (json.dumps({"function": "x"}), "line {n}: missing keys"),
        (
            json.dumps(
                {
                    "function": "x",
                    "partition": "p",
                    "path": "x/p.parquet",
                    "arguments": {},
                    "fetched_at": "2025",
                    "akshare_version": "1",
                    "rows": 1,
                    "sha256": "0",
                    "source": "recorded",
                    "colour": "red",
                }
            ),
            r"line {n}: unknown keys \['colour'\]",
        ),
    ],
)
def test_a_bad_manifest_line_fails_naming_file_and_line(copy, line, message):
    path = copy / "_manifest.jsonl"
    n = len(path.read_text(encoding="utf-8").splitlines()) + 1  # the line appended below
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    with pytest.raises(LandingError, match=f"_manifest.jsonl {message.format(n=n)}"):
        read_bars(copy)


def test_a_missing_manifest_is_an_error(copy):
    (copy / "_manifest.jsonl").unlink()
    with pytest.raises(LandingError, match="manifest missing"):
        read_bars(copy)


def test_a_file_without_a_manifest_row_is_not_replayed(copy):
    (copy / "_manifest.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(Exception, match="recorded sample has no stock_zh_a_hist"):
        read_bars(copy)


def test_a_new_capture_never_overwrites_the_last_and_a_rejected_one_is_moved_aside(tmp_path):
    zone = LandingZone(tmp_path)
    first = zone.write(
        pl.DataFrame({"a": [1, 2]}), function="f", partition=DAY, arguments={}, source="akshare", akshare_version="1"
    )
    second = zone.write(
        pl.DataFrame({"a": [1]}), function="f", partition=DAY, arguments={}, source="akshare", akshare_version="1"
    )
    assert first.path != second.path and (tmp_path / first.path).exists()
    assert zone.read("f", DAY)["a"].to_list() == [1]  # the newest capture is current
    moved = zone.reject(second, "refused by a test")
    assert moved.path.startswith("_rejected/") and (tmp_path / moved.path).exists()
    assert zone.read("f", DAY)["a"].to_list() == [1, 2]  # the one before is current again
    assert zone.partitions("f") == [DAY]
